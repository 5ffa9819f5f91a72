//! `Tokenizer`: exact token counts and text profiles in JS, from a vocabulary asset the page
//! loads itself (`o200k_base.vocab` ships beside the module, never inside it), whole
//! (`Tokenizer.load`) or while it downloads (`TokenizerLoader`).

use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::error;
use crate::profile::{ChunkOptions, ProfileOptions, TextProfile};
use crate::string_arg;

/// One encoding's vocabulary, loaded from the asset bytes the page fetched
/// (`o200k_base.vocab` ships in the package beside the module). Call `free()` when done.
#[wasm_bindgen]
pub struct Tokenizer {
    inner: cost_core::Tokenizer,
}

#[wasm_bindgen]
impl Tokenizer {
    /// Loads `encoding` (`"o200k_base"` or `"cl100k_base"`) from its `.vocab` asset bytes.
    /// To load it while it downloads instead of after, use a `TokenizerLoader`.
    ///
    /// `bytes` is a `Uint8Array` (a Node `Buffer` is one) or an `ArrayBuffer`, as
    /// `response.arrayBuffer()` gives it.
    ///
    /// Throws `LlmcostError`: `invalid_argument` when the name is unknown or `bytes` is
    /// neither; `invalid_vocabulary` when the bytes are not that vocabulary.
    pub fn load(
        encoding: &str,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue,
    ) -> Result<Tokenizer, JsValue> {
        let encoding = encoding_arg(encoding)?;
        let mut buffer = Vec::new();
        bytes_arg("bytes", &bytes, &mut buffer)?;
        cost_core::Tokenizer::from_bytes(encoding, &buffer)
            .map(|inner| Tokenizer { inner })
            .map_err(error::core)
    }

    /// The number of tokens in `text` (tiktoken's `encode_ordinary(text).length`).
    pub fn count(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<u32, JsValue> {
        let text = string_arg("text", &text)?;
        Ok(u32::try_from(self.inner.count(&text)).unwrap_or(u32::MAX))
    }

    /// The text's profile in this encoding: its format, sizes, chapters, and the tokens of
    /// every chapter, paragraph and sentence (and chunk, with `options.chunks`), with their
    /// statistics: what `estimate` takes as `profile`. `text` is a string, or the bytes of a
    /// `.txt`, `.md` or `.epub` file (UTF-8 or UTF-16; an EPUB is read from its zip).
    ///
    /// Throws `LlmcostError` (`kind`: `invalid_text` or `invalid_book` for bytes that are
    /// not a readable book, `invalid_request` for bad chunk options, `invalid_argument`).
    pub fn profile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
        options: Option<Ts<ProfileOptions>>,
    ) -> Result<Ts<TextProfile>, JsValue> {
        let bytes = match text.as_string() {
            Some(text) => text.into_bytes(),
            None if text.is_instance_of::<js_sys::Uint8Array>() => {
                js_sys::Uint8Array::from(text).to_vec()
            }
            None => {
                return Err(error::argument(
                    "text",
                    &format!(
                        "expected a string or a Uint8Array, got {}",
                        error::kind_of(&text)
                    ),
                ))
            }
        };
        let options = match options {
            Some(o) if !o.js_value().is_undefined() && !o.js_value().is_null() => {
                error::read_object("options", &o)?
            }
            _ => ProfileOptions::default(),
        };
        let read = cost_core::ReadOptions {
            name: options.name,
            keep_gutenberg: options.keep_gutenberg.unwrap_or(false),
            ..cost_core::ReadOptions::default()
        };
        let book = cost_core::Book::read(&bytes, &read).map_err(error::core)?;
        drop(bytes);
        let counter = cost_core::NamedCounter::new(self.inner.encoding().as_str(), &self.inner);
        let chunks = options.chunks.map(ChunkOptions::to_core);
        let done =
            cost_core::profile_book(book, vec![counter], cost_core::ProfileOptions { chunks })
                .map_err(|e| match e.path() {
                    Some(_) => error::core(e),
                    None => error::core(e.at("options.chunks")),
                })?;
        error::write(&TextProfile::of(&done.profile))
    }
}

/// Loads a vocabulary while it downloads: push each chunk of the `.vocab` asset as it
/// arrives, then `finish()` for the `Tokenizer`. Every token goes into the tables as soon as
/// its bytes are in, so the loading hides behind the download instead of following it.
///
/// ```js
/// import initEstimate, { TokenizerLoader } from "llmcost/estimate";
/// await initEstimate();
/// const response = await fetch(new URL("llmcost/o200k_base.vocab", import.meta.url));
/// const reader = response.body.getReader();
/// const loader = new TokenizerLoader("o200k_base");
/// for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
///   loader.push(chunk.value); // throws at the first bad byte
///   bar.value = loader.bytesRead / (loader.totalBytes ?? Infinity);
/// }
/// const tokenizer = loader.finish(); // the loader is used up; free() the tokenizer when done
/// ```
#[wasm_bindgen]
pub struct TokenizerLoader {
    inner: cost_core::TokenizerLoader,
    /// The current chunk, copied out of JS memory (reused from chunk to chunk).
    chunk: Vec<u8>,
}

#[wasm_bindgen]
impl TokenizerLoader {
    /// A loader for `encoding` (`"o200k_base"` or `"cl100k_base"`), with nothing pushed yet.
    ///
    /// Throws `LlmcostError` (`kind`: `invalid_argument`) when the name is unknown.
    #[wasm_bindgen(constructor)]
    pub fn new(encoding: &str) -> Result<TokenizerLoader, JsValue> {
        Ok(TokenizerLoader {
            inner: cost_core::TokenizerLoader::new(encoding_arg(encoding)?),
            chunk: Vec::new(),
        })
    }

    /// Takes the next bytes of the asset, as the download delivers them (a `Uint8Array`
    /// from `response.body.getReader()`), and loads every token they complete.
    ///
    /// Throws `LlmcostError` (`kind`: `invalid_vocabulary`) as soon as the bytes so far cannot
    /// be the vocabulary (not a `.vocab` file, the other encoding, corrupt, longer than it
    /// says): the message is the one `Tokenizer.load` gives for the whole file, and every
    /// later `push` or `finish` throws it again. `invalid_argument` when `chunk` is neither
    /// a `Uint8Array` nor an `ArrayBuffer`.
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] chunk: JsValue,
    ) -> Result<(), JsValue> {
        bytes_arg("chunk", &chunk, &mut self.chunk)?;
        self.inner.push(&self.chunk).map_err(error::core)
    }

    /// The tokenizer, once every byte of the asset has been pushed. Uses the loader up (it
    /// cannot be used, or freed, afterwards).
    ///
    /// Throws `LlmcostError` (`kind`: `invalid_vocabulary`) as `Tokenizer.load` would on all
    /// the bytes pushed: the error of an earlier `push`, a truncated download, or bytes that
    /// are not exactly the official vocabulary.
    pub fn finish(self) -> Result<Tokenizer, JsValue> {
        self.inner
            .finish()
            .map(|inner| Tokenizer { inner })
            .map_err(error::core)
    }

    /// Bytes pushed so far, for a progress bar.
    #[wasm_bindgen(getter, js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        self.inner.progress().0 as f64
    }

    /// The asset's length in bytes, as its header announces it: `undefined` until the first
    /// 20 bytes are in.
    #[wasm_bindgen(getter, js_name = totalBytes)]
    pub fn total_bytes(&self) -> Option<f64> {
        self.inner.progress().1.map(|total| total as f64)
    }
}

/// Copies `value`, a `Uint8Array` or an `ArrayBuffer`, into `buffer`; an `invalid_argument`
/// exception naming `name` for anything else (wasm-bindgen's own `&[u8]` would read an
/// `ArrayBuffer` as empty, and a vocabulary as "truncated: 0 bytes").
fn bytes_arg(name: &str, value: &JsValue, buffer: &mut Vec<u8>) -> Result<(), JsValue> {
    let array = if let Some(array) = value.dyn_ref::<js_sys::Uint8Array>() {
        array.clone()
    } else if let Some(whole) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        js_sys::Uint8Array::new(whole)
    } else {
        return Err(error::argument(
            name,
            &format!(
                "expected a Uint8Array or an ArrayBuffer, got {}",
                error::kind_of(value)
            ),
        ));
    };
    buffer.resize(array.length() as usize, 0);
    array.copy_to(buffer);
    Ok(())
}

/// The encoding named `encoding`, or an `invalid_argument` exception.
fn encoding_arg(encoding: &str) -> Result<cost_core::Encoding, JsValue> {
    match encoding {
        "o200k_base" => Ok(cost_core::Encoding::O200kBase),
        "cl100k_base" => Ok(cost_core::Encoding::Cl100kBase),
        other => Err(error::argument(
            "encoding",
            &format!("unknown encoding `{other}` (expected o200k_base or cl100k_base)"),
        )),
    }
}
