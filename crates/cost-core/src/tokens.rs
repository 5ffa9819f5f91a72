//! Token counts: exact for OpenAI's `o200k_base` and `cl100k_base`, estimated from them for
//! the model families whose tokenizers are not public.
//!
//! A [`Tokenizer`] is one encoding's vocabulary, loaded from a compact binary asset
//! ([`Tokenizer::from_bytes`], or a chunk at a time as it downloads with a
//! [`TokenizerLoader`]; the native build can compile both in, [`Tokenizer::bundled`]).
//! [`Tokenizer::count`] gives exactly the length of tiktoken's `encode_ordinary` (special
//! tokens such as `<|endoftext|>` are counted as the ordinary text they are) without building
//! the token list: tiktoken's split regex is hand-compiled into a state machine over
//! characters, and each piece is a hash-table lookup, a cached count, or a byte-pair merge.
//!
//! [`TokenRatios`] turns exact counts into estimates for Claude, Gemini, Llama and the other
//! families, from a dated and sourced table of exact rational ratios.

mod bpe;
mod pretokenize;
mod ratios;
mod tables;
mod unicode;
mod vocab;

#[cfg(test)]
mod tests;

use std::fmt;

pub use ratios::{TokenCounts, TokenEstimate, TokenRatio, TokenRatios};

use crate::error::Result;

/// Bytes of text counted per call of [`Tokenizer::count_span`].
const SPAN: usize = 4096;

/// An OpenAI byte-pair encoding that llmcost counts exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `o200k_base`: GPT-4o, GPT-4.1, GPT-5, the o-series.
    O200kBase,
    /// `cl100k_base`: GPT-4, GPT-3.5 Turbo, the text-embedding-3 models.
    Cl100kBase,
}

impl Encoding {
    /// Both encodings.
    pub const ALL: [Encoding; 2] = [Encoding::O200kBase, Encoding::Cl100kBase];

    /// tiktoken's name: `o200k_base`. The asset's file name is this plus `.vocab`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One encoding's vocabulary, ready to count tokens. Immutable, so it can be shared freely
/// (`Send + Sync`); each [`count`](Tokenizer::count) keeps its own scratch space.
///
/// ```
/// use cost_core::{Encoding, Tokenizer};
///
/// let asset = include_bytes!("../data/vocab/o200k_base.vocab");
/// let o200k = Tokenizer::from_bytes(Encoding::O200kBase, asset)?;
/// assert_eq!(o200k.count("Hello, world!"), 4);
/// // Special tokens are ordinary text here, as in tiktoken's `encode_ordinary`.
/// assert_eq!(o200k.count("<|endoftext|>"), 7);
///
/// let error = Tokenizer::from_bytes(Encoding::Cl100kBase, asset).unwrap_err();
/// assert_eq!(error.to_string(), "invalid vocabulary: this is the o200k_base vocabulary, expected cl100k_base");
/// # Ok::<(), cost_core::Error>(())
/// ```
pub struct Tokenizer {
    encoding: Encoding,
    vocab: vocab::Vocab,
}

impl Tokenizer {
    /// Loads `encoding`'s vocabulary from its asset bytes (`data/vocab/o200k_base.vocab` or
    /// `cl100k_base.vocab`, built by `cargo xtask vocab`; the web app fetches them).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidVocabulary`](crate::ErrorKind::InvalidVocabulary) when the bytes are
    /// not an llmcost vocabulary, are truncated or corrupt, are the other encoding's, or are not
    /// exactly the official vocabulary (a digest of every token is checked). Never panics.
    ///
    /// The same as a [`TokenizerLoader`] given all the bytes in one chunk: the errors are
    /// the same, whatever the chunks.
    pub fn from_bytes(encoding: Encoding, bytes: &[u8]) -> Result<Tokenizer> {
        let mut loader = TokenizerLoader::new(encoding);
        loader.push(bytes)?;
        loader.finish()
    }

    /// The vocabulary compiled into the library, loaded on first use (a few milliseconds) and
    /// then shared. Needs the `bundled-vocab` feature.
    ///
    /// # Panics
    ///
    /// Never in practice: the bundled assets are checked by this crate's tests.
    #[cfg(any(test, feature = "bundled-vocab"))]
    pub fn bundled(encoding: Encoding) -> &'static Tokenizer {
        use std::sync::OnceLock;
        static O200K: OnceLock<Tokenizer> = OnceLock::new();
        static CL100K: OnceLock<Tokenizer> = OnceLock::new();
        let (cell, bytes): (_, &[u8]) = match encoding {
            Encoding::O200kBase => (&O200K, include_bytes!("../data/vocab/o200k_base.vocab")),
            Encoding::Cl100kBase => (&CL100K, include_bytes!("../data/vocab/cl100k_base.vocab")),
        };
        cell.get_or_init(|| {
            Tokenizer::from_bytes(encoding, bytes).expect("the bundled vocabulary is valid")
        })
    }

    /// The encoding of this vocabulary.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The number of tokens `text` encodes to: tiktoken's `encode_ordinary(text).len()`.
    ///
    /// Linear in the length of `text`; allocates only scratch space, and only when a piece
    /// is not a whole token.
    ///
    /// # Panics
    ///
    /// Only if one piece of the text (a run of letters with no space, say) is 4 GiB or longer.
    pub fn count(&self, text: &str) -> usize {
        match self.encoding {
            Encoding::O200kBase => self.count_pieces(text, pretokenize::o200k_piece_end),
            Encoding::Cl100kBase => self.count_pieces(text, pretokenize::cl100k_piece_end),
        }
    }

    #[inline(always)]
    fn count_pieces<F: Fn(&[u8], usize) -> usize + Copy>(&self, text: &str, piece_end: F) -> usize {
        let text = text.as_bytes();
        let mut scratch = bpe::Scratch::default();
        let mut total = 0;
        let mut start = 0;
        while start < text.len() {
            let (tokens, end) = self.count_span(text, start, piece_end, &mut scratch);
            total += tokens;
            start = end;
        }
        total
    }

    /// Counts the pieces that start in the next [`SPAN`] bytes from `start`: the tokens and
    /// where the last piece ends. Kept out of line so that a browser's WebAssembly engine,
    /// which compiles a function again with its optimizing tier only for later calls, runs
    /// most of a long text's spans optimized.
    #[inline(never)]
    fn count_span<F: Fn(&[u8], usize) -> usize>(
        &self,
        text: &[u8],
        mut start: usize,
        piece_end: F,
        scratch: &mut bpe::Scratch,
    ) -> (usize, usize) {
        let limit = text.len().min(start + SPAN);
        let mut total = 0;
        while start < limit {
            let end = piece_end(text, start);
            total += bpe::count_piece(&self.vocab, &text[start..end], scratch);
            start = end;
        }
        (total, start)
    }

    /// The number of ordinary tokens (special tokens excluded): 199,998 for `o200k_base`,
    /// 100,256 for `cl100k_base`.
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// The bytes of the token of rank `rank` (tiktoken's token id), if there is one.
    pub fn token_bytes(&self, rank: u32) -> Option<&[u8]> {
        self.vocab.token(rank)
    }
}

/// Loads a vocabulary asset a chunk at a time, as it downloads: each token goes into the
/// tables as soon as the bytes after it arrive, so when the last chunk is in, almost all of
/// the loading is done: [`finish`](TokenizerLoader::finish) only checks the whole (its
/// digest).
///
/// ```
/// use cost_core::{Encoding, TokenizerLoader};
///
/// let asset = include_bytes!("../data/vocab/o200k_base.vocab");
/// let mut loader = TokenizerLoader::new(Encoding::O200kBase);
/// for chunk in asset.chunks(64 * 1024) {
///     // As a download delivers them.
///     loader.push(chunk)?;
///     let (read, total) = loader.progress();
///     assert_eq!(total, Some(asset.len() as u64));
///     assert!(read <= asset.len() as u64);
/// }
/// let o200k = loader.finish()?;
/// assert_eq!(o200k.count("Hello, world!"), 4);
///
/// let mut loader = TokenizerLoader::new(Encoding::O200kBase);
/// let error = loader.push(b"<!DOCTYPE html>").unwrap_err();
/// assert_eq!(error.to_string(), "invalid vocabulary: not an llmcost vocabulary (bad magic bytes)");
/// # Ok::<(), cost_core::Error>(())
/// ```
pub struct TokenizerLoader {
    loader: vocab::Loader,
}

impl TokenizerLoader {
    /// A loader for `encoding`'s asset, with nothing pushed yet. Allocates nothing until the
    /// header is in.
    pub fn new(encoding: Encoding) -> TokenizerLoader {
        TokenizerLoader {
            loader: vocab::Loader::new(encoding),
        }
    }

    /// Takes the next bytes of the asset and enters every token they complete.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidVocabulary`](crate::ErrorKind::InvalidVocabulary) as soon as the
    /// bytes pushed so far cannot be the asset: bad magic bytes, another format version or
    /// encoding, another token count, a body longer than any vocabulary's (the header is
    /// checked before the body is allocated), a token longer than any real one, bytes after
    /// the last token or beyond the length the header announced. The loader is then spent:
    /// later calls of `push` and [`finish`](TokenizerLoader::finish) return the same error.
    /// The first error is the same whatever the chunks (it may come from `push` for some
    /// splits and from `finish` for others), and the same as [`Tokenizer::from_bytes`]'s
    /// on the whole. Never panics.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.loader.push(chunk)
    }

    /// The tokenizer, once every byte of the asset has been pushed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidVocabulary`](crate::ErrorKind::InvalidVocabulary) exactly as
    /// [`Tokenizer::from_bytes`] on the bytes pushed: the error of an earlier `push`, or
    /// the asset is truncated, its tokens are not the official vocabulary (the digest), or a
    /// byte is not a token.
    pub fn finish(self) -> Result<Tokenizer> {
        Ok(Tokenizer {
            encoding: self.loader.encoding(),
            vocab: self.loader.finish()?,
        })
    }

    /// Bytes pushed so far (for a progress bar) and, once the header is in, the asset's
    /// total length (as the header announces it).
    pub fn progress(&self) -> (u64, Option<u64>) {
        self.loader.progress()
    }
}

impl fmt::Debug for TokenizerLoader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (read, total) = self.progress();
        f.debug_struct("TokenizerLoader")
            .field("encoding", &self.loader.encoding())
            .field("read", &read)
            .field("total", &total)
            .finish()
    }
}

impl fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokenizer")
            .field("encoding", &self.encoding)
            .field("vocab_size", &self.vocab_size())
            .finish()
    }
}
