//! `cost-wasm`: cost-core for JavaScript, through wasm-bindgen.
//!
//! A thin facade: no logic of its own. Errors become JS exceptions carrying the core's
//! message. For now it exposes exact token counting (used by the browser benchmark); the
//! pricing API joins with the npm package issue.

use wasm_bindgen::prelude::*;

/// One encoding's vocabulary, loaded from the asset bytes the page fetched.
#[wasm_bindgen]
pub struct Tokenizer {
    inner: cost_core::Tokenizer,
}

#[wasm_bindgen]
impl Tokenizer {
    /// Loads `encoding` (`"o200k_base"` or `"cl100k_base"`) from its `.vocab` asset bytes.
    ///
    /// Throws when the name is unknown or the bytes are not that vocabulary.
    pub fn load(encoding: &str, bytes: &[u8]) -> Result<Tokenizer, JsError> {
        let encoding = match encoding {
            "o200k_base" => cost_core::Encoding::O200kBase,
            "cl100k_base" => cost_core::Encoding::Cl100kBase,
            other => {
                return Err(JsError::new(&format!(
                    "unknown encoding `{other}` (expected o200k_base or cl100k_base)"
                )))
            }
        };
        cost_core::Tokenizer::from_bytes(encoding, bytes)
            .map(|inner| Tokenizer { inner })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The number of tokens in `text` (tiktoken's `encode_ordinary(text).length`).
    pub fn count(&self, text: &str) -> u32 {
        u32::try_from(self.inner.count(text)).unwrap_or(u32::MAX)
    }
}
