//! `Tokenizer`: exact token counts and text profiles in JS, from a vocabulary asset the page
//! loads itself (`o200k_base.vocab` ships beside the module, never inside it).

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
    ///
    /// Throws when the name is unknown or the bytes are not that vocabulary.
    pub fn load(encoding: &str, bytes: &[u8]) -> Result<Tokenizer, JsValue> {
        let encoding = match encoding {
            "o200k_base" => cost_core::Encoding::O200kBase,
            "cl100k_base" => cost_core::Encoding::Cl100kBase,
            other => {
                return Err(error::argument(
                    "encoding",
                    &format!("unknown encoding `{other}` (expected o200k_base or cl100k_base)"),
                ))
            }
        };
        cost_core::Tokenizer::from_bytes(encoding, bytes)
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
