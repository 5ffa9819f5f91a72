//! The vocabulary asset: its format, its validation, and the tables from token bytes to rank.
//!
//! # Format (version 1)
//!
//! ```text
//! offset size
//! 0      8    magic "LLMCVOCB"
//! 8      1    format version: 1
//! 9      1    encoding: 1 = o200k_base, 2 = cl100k_base
//! 10     1    separator: a byte that occurs in no token except as its first byte
//! 11     1    0
//! 12     4    token count, u32 little-endian
//! 16     4    body length, u32 little-endian (the rest of the file)
//! 20     ..   body: every token in rank order, each followed by the separator
//! ```
//!
//! A token is its first byte (whatever it is) and the bytes up to the next separator. Ranks
//! are implicit (0, 1, 2, ...): sorting the tokens would compress them better but the
//! permutation back to ranks would cost more (about 16 bits a token). Separators gzip better
//! than length bytes (5 % smaller): o200k_base is 1,597,688 bytes, 944,438 gzipped
//! (`gzip -9`); cl100k_base 744,106 and 405,699.
//!
//! # Loading
//!
//! Loading streams: a [`Loader`] takes the asset a chunk at a time as it downloads (it is
//! behind [`TokenizerLoader`](super::TokenizerLoader);
//! [`Tokenizer::from_bytes`](super::Tokenizer::from_bytes) pushes one chunk). It checks each
//! header field once its bytes are in, then allocates the body once, to the length the header
//! announces (at most [`MAX_BODY_LEN`], so that a hostile header cannot make it allocate
//! gigabytes), and the tables. Each chunk is appended to the body and every token whose
//! separator has arrived is entered at once, so when the last chunk arrives, only its own
//! tokens, the digest and the byte tokens are left to check. Every check is made at the first
//! byte that decides it, with a message that depends only on the bytes up to there, and the
//! checks run in the order of the bytes: the first error does not depend on how the asset was
//! split (`tests/vocab_stream.rs` checks random splits against the whole).
//!
//! Loading copies the body once and reads it once, in rank order. What it writes in rank
//! order (each token's offset and first 8 bytes) costs little; what it writes at a random
//! place (a hash table entry) costs a wait for memory each, so the tables are small: a table
//! of 4-byte entries for every token (2 MiB for o200k_base) and one of 16-byte [`Slot`]s for
//! the 32,768 most frequent tokens only (1 MiB). One 16-byte slot per token, in an 8 MiB
//! table, made loading two to three times slower, natively and in WebAssembly, for no
//! faster count. The digest (of every token's [`key`] hash, folded in rank order, so chunks
//! cannot change it) is checked at the end; since it proves that the tokens are the official
//! ones, which are distinct, nothing looks for duplicates on the way.
//!
//! `cargo xtask vocab` writes these files from tiktoken's rank files (`xtask/src/vocab.rs`),
//! and records each encoding's token count and digest in `tables.rs`; loading checks both, so a
//! file that is not exactly the official vocabulary is an error, never a wrong count.

use super::tables;
use super::Encoding;
use crate::error::{Error, ErrorKind, Result};

const MAGIC: &[u8; 8] = b"LLMCVOCB";
const HEADER_LEN: usize = 20;
const VERSION: u8 = 1;
/// Tokens read per call of [`Vocab::load_batch`].
const BATCH: usize = 4096;
/// Tokens of lower rank also go in the [`Vocab::hot`] table.
const HOT_RANKS: usize = 1 << 15;
/// No token of either vocabulary is longer; a [`Vocab::table`] entry stores the length
/// minus one in 7 bits.
const MAX_TOKEN_LEN: usize = 128;
/// The low bits of a [`Vocab::table`] entry: the rank plus one (0 is an empty entry).
const RANK_BITS: u32 = 18;
const RANK_MASK: u32 = (1 << RANK_BITS) - 1;
/// Where the length minus one starts in a [`Vocab::table`] entry; the tag is above it.
const LEN_SHIFT: u32 = RANK_BITS;
const TAG_SHIFT: u32 = LEN_SHIFT + 7;
const _: () = assert!(
    tables::O200K_BASE.0 < RANK_MASK && tables::CL100K_BASE.0 < RANK_MASK,
    "a rank plus one must fit in RANK_BITS"
);

/// A slot of the hot table: a token's length, rank and first 8 bytes, so that looking up a
/// frequent piece of up to 8 bytes (most words) touches one cache line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
struct Slot {
    /// The token's first 8 bytes, zero-padded, as a little-endian word (see [`key`]).
    word: u64,
    /// Where the token starts in [`Vocab::bytes`].
    offset: u32,
    /// `rank << 8 | length`; 0 for an empty slot (tokens are never empty).
    rank_len: u32,
}

/// A loaded vocabulary: the tokens by rank, and open-addressing tables from bytes to rank.
pub(super) struct Vocab {
    /// The asset's body: every token in rank order, each followed by a separator byte, then
    /// 8 zero bytes, so that a token's first 8 bytes can always be read as one word.
    bytes: Vec<u8>,
    /// Token `r` is `bytes[offsets[r]..offsets[r + 1] - 1]`. Length: token count + 1.
    offsets: Vec<u32>,
    /// Token `r`'s first 8 bytes, zero-padded, as a little-endian word (see [`key`]). In rank
    /// order, so the frequent tokens' words share a few cache lines.
    words: Vec<u64>,
    /// Linear-probing table of every token: `tag << TAG_SHIFT | (length - 1) << LEN_SHIFT |
    /// (rank + 1)`, 0 for an empty entry. The tag is 7 bits of the token's hash that do not
    /// pick its first entry, so a probe for a piece that is not a token rarely reads a word.
    /// Length: a power of two, at least twice the tokens.
    table: Vec<u32>,
    /// `64 - log2(table.len())`: a hash's top bits pick its first entry.
    shift: u32,
    /// Linear-probing table of the tokens of rank below [`HOT_RANKS`], which are 83 % of the
    /// pieces looked up in Pride and Prejudice (ranks follow merge order, which follows
    /// frequency). Looked up first for whole pieces. Length: a power of two, at least twice
    /// the tokens.
    hot: Vec<Slot>,
    /// `64 - log2(hot.len())`.
    hot_shift: u32,
    /// The rank of every two-byte token, `u32::MAX` for other pairs, indexed by
    /// `first << 8 | second`: the first round of every byte-pair merge.
    pairs: Vec<u32>,
}

/// Bytes of body a header may announce: o200k_base's body is 1,597,668 bytes, so a header
/// announcing more is not a vocabulary, and must not make the loader allocate it.
const MAX_BODY_LEN: usize = 8 << 20;

/// Loads an asset a chunk at a time: checks each header field once its bytes are in, then
/// enters every token in the tables as soon as the separator after it arrives.
///
/// Every check is made at the first byte that decides it and reports only what the bytes up to
/// there say, in the order of the bytes; so the first error, and its message, does not depend
/// on how the asset was split into chunks.
pub(super) struct Loader {
    encoding: Encoding,
    /// Bytes pushed so far, the header's included (and the failed push's, after an error;
    /// not those of the pushes after it).
    taken: u64,
    /// The asset's length, once the header is in.
    total: Option<u64>,
    state: State,
}

enum State {
    /// The first `taken` bytes of the header are in.
    Header([u8; HEADER_LEN]),
    /// The header is in and checked; the body is arriving.
    Body(Body),
    /// The first error; every later call returns it again.
    Failed(Error),
}

/// A body being loaded: the tables, and where the tokens entered so far end.
struct Body {
    /// Its `bytes` grow to the body as it arrives (allocated once, to the announced length).
    vocab: Vocab,
    separator: u8,
    /// Tokens the header announces (the encoding's count, checked).
    count: usize,
    /// Body bytes the header announces, at most [`MAX_BODY_LEN`].
    body_len: usize,
    /// Where the first token not yet entered starts in `vocab.bytes`.
    next: usize,
    /// The digest of the tokens entered so far.
    digest: u64,
}

impl Loader {
    /// A loader for an asset of `encoding`, with nothing pushed yet.
    pub(super) fn new(encoding: Encoding) -> Loader {
        Loader {
            encoding,
            taken: 0,
            total: None,
            state: State::Header([0; HEADER_LEN]),
        }
    }

    /// The encoding the asset must be.
    pub(super) fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Takes the next bytes of the asset; see [`TokenizerLoader::push`](super::TokenizerLoader::push).
    pub(super) fn push(&mut self, chunk: &[u8]) -> Result<()> {
        if let State::Failed(error) = &self.state {
            return Err(error.clone());
        }
        let result = self.take(chunk);
        if let Err(error) = &result {
            // Frees the tables at once.
            self.state = State::Failed(error.clone());
        }
        result
    }

    fn take(&mut self, mut chunk: &[u8]) -> Result<()> {
        if let State::Header(header) = &mut self.state {
            let have = self.taken as usize;
            let n = chunk.len().min(HEADER_LEN - have);
            header[have..have + n].copy_from_slice(&chunk[..n]);
            self.taken += n as u64;
            chunk = &chunk[n..];
            let Some(body) = Body::start(self.encoding, &header[..have + n])? else {
                return Ok(());
            };
            self.total = Some((HEADER_LEN + body.body_len) as u64);
            self.state = State::Body(body);
        }
        self.taken += chunk.len() as u64;
        match &mut self.state {
            // Even with nothing left of the chunk: an empty body is complete at once.
            State::Body(body) => body.take(chunk),
            State::Header(_) | State::Failed(_) => Ok(()), // handled above
        }
    }

    /// The loaded vocabulary, once every byte is in; see
    /// [`TokenizerLoader::finish`](super::TokenizerLoader::finish).
    pub(super) fn finish(self) -> Result<Vocab> {
        match self.state {
            State::Failed(error) => Err(error),
            State::Header(_) => Err(invalid(format!(
                "truncated: {} bytes, shorter than the {HEADER_LEN}-byte header",
                self.taken
            ))),
            State::Body(body) => body.finish(self.encoding),
        }
    }

    /// Bytes taken so far and, once the header is in, the asset's length.
    pub(super) fn progress(&self) -> (u64, Option<u64>) {
        (self.taken, self.total)
    }

    /// Tokens entered in the tables so far (for tests: how much work is left at the end).
    #[cfg(test)]
    fn tokens_loaded(&self) -> usize {
        match &self.state {
            State::Body(body) => body.vocab.offsets.len(),
            State::Header(_) | State::Failed(_) => 0,
        }
    }
}

impl Body {
    /// Checks the fields of the header that `header` (its first bytes) holds, in order, and
    /// once it is whole, allocates the tables for the body it announces.
    fn start(encoding: Encoding, header: &[u8]) -> Result<Option<Body>> {
        let (expected_count, _) = encoding_table(encoding);
        let n = header.len().min(MAGIC.len());
        if header[..n] != MAGIC[..n] {
            return Err(invalid("not an llmcost vocabulary (bad magic bytes)"));
        }
        if let Some(&version) = header.get(8) {
            if version != VERSION {
                return Err(invalid(format!(
                    "format version {version} is not supported (expected {VERSION})"
                )));
            }
        }
        if let Some(&id) = header.get(9) {
            let found = match id {
                1 => Encoding::O200kBase,
                2 => Encoding::Cl100kBase,
                other => return Err(invalid(format!("unknown encoding id {other}"))),
            };
            if found != encoding {
                return Err(invalid(format!(
                    "this is the {} vocabulary, expected {}",
                    found.as_str(),
                    encoding.as_str()
                )));
            }
        }
        if header.len() >= 16 {
            let count = read_u32(header, 12);
            if count != expected_count {
                return Err(invalid(format!(
                    "{count} tokens, expected {expected_count} for {}",
                    encoding.as_str()
                )));
            }
        }
        if header.len() < HEADER_LEN {
            return Ok(None);
        }
        let body_len = read_u32(header, 16) as usize;
        if body_len > MAX_BODY_LEN {
            return Err(invalid(format!(
                "the header announces a body of {body_len} bytes, more than any vocabulary \
                 (at most {MAX_BODY_LEN})"
            )));
        }
        let count = expected_count as usize;
        let table_len = (count * 2).next_power_of_two();
        let hot_len = (count.min(HOT_RANKS) * 2).next_power_of_two();
        Ok(Some(Body {
            vocab: Vocab {
                // The 8 zero bytes after the body are added by `finish`.
                bytes: Vec::with_capacity(body_len + 8),
                offsets: Vec::with_capacity(count + 1),
                words: Vec::with_capacity(count),
                table: vec![0; table_len],
                shift: 64 - table_len.trailing_zeros(),
                hot: vec![Slot::default(); hot_len],
                hot_shift: 64 - hot_len.trailing_zeros(),
                pairs: vec![u32::MAX; 1 << 16],
            },
            separator: header[10],
            count,
            body_len,
            next: 0,
            digest: count as u64,
        }))
    }

    /// Appends `chunk` to the body and enters every token it completes. Bytes beyond the
    /// announced body are an error, after those of the body.
    fn take(&mut self, chunk: &[u8]) -> Result<()> {
        let room = self.body_len - self.vocab.bytes.len();
        let (body, beyond) = chunk.split_at(chunk.len().min(room));
        self.vocab.bytes.extend_from_slice(body);
        self.load()?;
        if !beyond.is_empty() {
            return Err(invalid(format!(
                "trailing bytes: the body is longer than the {} bytes the header says",
                self.body_len
            )));
        }
        Ok(())
    }

    /// Enters every token whose separator is in, a batch at a time.
    fn load(&mut self) -> Result<()> {
        let count = self.count;
        let mut rank = self.vocab.offsets.len();
        // Two call sites: wasm-opt inlines a function that has one caller, and a batch inlined
        // here would keep the whole load in the engine's baseline tier.
        while count - rank > BATCH {
            let (entered, next, digest) = self.vocab.load_batch(
                self.separator,
                rank as u32,
                BATCH as u32,
                self.next,
                self.digest,
            )?;
            (self.next, self.digest) = (next, digest);
            rank += entered as usize;
            if entered < BATCH as u32 {
                return self.unfinished(rank);
            }
        }
        let n = (count - rank) as u32;
        let (entered, next, digest) =
            self.vocab
                .load_batch(self.separator, rank as u32, n, self.next, self.digest)?;
        (self.next, self.digest) = (next, digest);
        if entered < n {
            return self.unfinished(rank + entered as usize);
        }
        if self.next != self.body_len {
            return Err(invalid(format!(
                "{} bytes after the last token",
                self.body_len - self.next
            )));
        }
        Ok(())
    }

    /// Token `rank`, which starts at `next`, has no separator yet: an error if it is too
    /// long already or if the body is complete, else it waits for the next chunk.
    fn unfinished(&self, rank: usize) -> Result<()> {
        let have = self.vocab.bytes.len();
        if have - self.next > MAX_TOKEN_LEN {
            Err(too_long(rank as u32))
        } else if have == self.body_len {
            Err(invalid(format!("truncated at token {rank}")))
        } else {
            Ok(())
        }
    }

    fn finish(mut self, encoding: Encoding) -> Result<Vocab> {
        let have = self.vocab.bytes.len();
        if have < self.body_len {
            return Err(invalid(format!(
                "truncated: the body has {have} bytes, the header says {}",
                self.body_len
            )));
        }
        // `load` has entered every token and checked that the body ends with the last one.
        debug_assert_eq!((self.vocab.offsets.len(), self.next), (self.count, have));
        let (_, expected_digest) = encoding_table(encoding);
        let digest = self.digest;
        if digest != expected_digest {
            return Err(invalid(format!(
                "the tokens are not the official {} vocabulary (digest {digest:016x}, \
                 expected {expected_digest:016x}): the file is corrupt or stale",
                encoding.as_str()
            )));
        }
        let vocab = &mut self.vocab;
        vocab.offsets.push(have as u32);
        vocab.bytes.extend_from_slice(&[0; 8]);
        // BPE starts from single bytes: every byte must be a token.
        for b in 0..=255u8 {
            if vocab.rank(&[b]).is_none() {
                return Err(invalid(format!("byte {b:#04x} is not a token")));
            }
        }
        Ok(self.vocab)
    }
}

/// The token count and digest `cargo xtask vocab` recorded for `encoding`.
fn encoding_table(encoding: Encoding) -> (u32, u64) {
    match encoding {
        Encoding::O200kBase => tables::O200K_BASE,
        Encoding::Cl100kBase => tables::CL100K_BASE,
    }
}

fn too_long(rank: u32) -> Error {
    invalid(format!("token {rank} is longer than {MAX_TOKEN_LEN} bytes"))
}

impl Vocab {
    /// Reads up to `n` tokens from `bytes[i..]`, enters them in the tables and folds them into
    /// the digest; stops early at a token whose separator has not arrived. Returns how many it
    /// entered, where the next token starts and the digest. Kept out of line so that a
    /// browser's WebAssembly engine runs most batches in its optimizing tier (it cannot
    /// switch a call that is already running).
    #[inline(never)]
    fn load_batch(
        &mut self,
        separator: u8,
        first: u32,
        n: u32,
        mut i: usize,
        mut digest: u64,
    ) -> Result<(u32, usize, u64)> {
        let body = &self.bytes[..];
        let mask = self.table.len() - 1;
        let hot_mask = self.hot.len() - 1;
        for rank in first..first + n {
            let start = i;
            // The first byte belongs to the token whatever it is; the rest runs to the separator.
            let Some(len) = find(body, start + 1, separator) else {
                return Ok((rank - first, start, digest));
            };
            let len = len + 1;
            i = start + len + 1; // past the separator
            if len > MAX_TOKEN_LEN {
                return Err(too_long(rank));
            }
            let token = &body[start..start + len];
            let (word, h) = key(token);
            digest = (digest.rotate_left(23) ^ h).wrapping_mul(K);
            self.offsets.push(start as u32);
            self.words.push(word);
            let mut e = (h >> self.shift) as usize;
            while self.table[e] != 0 {
                e = (e + 1) & mask;
            }
            self.table[e] = tag(h) | (len as u32 - 1) << LEN_SHIFT | (rank + 1);
            if (rank as usize) < HOT_RANKS {
                let mut s = (h >> self.hot_shift) as usize;
                while self.hot[s].rank_len != 0 {
                    s = (s + 1) & hot_mask;
                }
                self.hot[s] = Slot {
                    word,
                    offset: start as u32,
                    rank_len: rank << 8 | len as u32,
                };
            }
            if let [a, b] = *token {
                self.pairs[usize::from(a) << 8 | usize::from(b)] = rank;
            }
        }
        Ok((n, i, digest))
    }

    /// The number of tokens.
    pub(super) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The bytes of token `rank`.
    #[inline]
    pub(super) fn token(&self, rank: u32) -> Option<&[u8]> {
        let r = rank as usize;
        let start = *self.offsets.get(r)? as usize;
        let end = *self.offsets.get(r + 1)? as usize - 1; // before the separator
        Some(&self.bytes[start..end])
    }

    /// The rank of `piece`, if it is a token.
    #[inline]
    pub(super) fn rank(&self, piece: &[u8]) -> Option<u32> {
        let (word, h) = key(piece);
        self.rank_keyed(word, h, piece)
    }

    /// The rank of `piece`, looked up in the whole table only, or `u32::MAX`: for the
    /// candidates of a byte-pair merge, which are often not tokens at all.
    #[inline]
    pub(super) fn merge_rank(&self, piece: &[u8]) -> u32 {
        let (word, h) = key(piece);
        self.probe(word, h, piece).unwrap_or(u32::MAX)
    }

    /// The rank of the two-byte token `[a, b]`, or `u32::MAX`.
    #[inline(always)]
    pub(super) fn pair_rank(&self, a: u8, b: u8) -> u32 {
        self.pairs[usize::from(a) << 8 | usize::from(b)]
    }

    /// The rank of `piece`, given its [`key`].
    #[inline]
    pub(super) fn rank_keyed(&self, word: u64, h: u64, piece: &[u8]) -> Option<u32> {
        match self.probe_hot(word, h, piece) {
            Some(rank) => Some(rank),
            None => self.probe(word, h, piece),
        }
    }

    #[inline(always)]
    fn probe_hot(&self, word: u64, h: u64, piece: &[u8]) -> Option<u32> {
        let n = piece.len();
        let mask = self.hot.len() - 1;
        let mut i = (h >> self.hot_shift) as usize;
        loop {
            let slot = self.hot[i];
            let len = (slot.rank_len & 0xff) as usize;
            if len == 0 {
                return None;
            }
            if len == n && slot.word == word && self.tail_matches(slot.offset, piece) {
                return Some(slot.rank_len >> 8);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline(always)]
    fn probe(&self, word: u64, h: u64, piece: &[u8]) -> Option<u32> {
        let n = piece.len();
        if !(1..=MAX_TOKEN_LEN).contains(&n) {
            return None;
        }
        let wanted = tag(h) | (n as u32 - 1) << LEN_SHIFT;
        let mask = self.table.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let entry = self.table[i];
            if entry == 0 {
                return None;
            }
            if entry & !RANK_MASK == wanted {
                let rank = (entry & RANK_MASK) - 1;
                if self.words[rank as usize] == word
                    && (n <= 8 || self.tail_matches(self.offsets[rank as usize], piece))
                {
                    return Some(rank);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Whether the token at `offset`, of `piece`'s length, ends like it after the first 8 bytes.
    #[inline]
    fn tail_matches(&self, offset: u32, piece: &[u8]) -> bool {
        let offset = offset as usize;
        piece.len() <= 8 || self.bytes.get(offset + 8..offset + piece.len()) == Some(&piece[8..])
    }
}

/// The tag of a [`Vocab::table`] entry for hash `h`: bits that do not pick the first entry.
#[inline(always)]
fn tag(h: u64) -> u32 {
    (h as u32) << TAG_SHIFT
}

/// How far after `from` the first `byte` of `data` is (`None`: nowhere), a word at a time.
#[inline]
fn find(data: &[u8], from: usize, byte: u8) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let pattern = LOW * u64::from(byte);
    let mut i = from;
    while i + 8 <= data.len() {
        let x = read_u64(data, i) ^ pattern;
        // The lowest set bit of this marks the first zero byte of `x` exactly (borrows
        // only run upwards from it).
        let zero = x.wrapping_sub(LOW) & !x & HIGH;
        if zero != 0 {
            return Some(i - from + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    data.get(i..)?
        .iter()
        .position(|&b| b == byte)
        .map(|p| i - from + p)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::InvalidVocabulary,
        format!("invalid vocabulary: {}", message.into()),
    )
}

#[inline(always)]
fn read_u32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// A byte string's table key: its first 8 bytes zero-padded as a little-endian word, and a
/// hash (the tables', the piece cache's and the digest's).
///
/// Strings of up to 8 bytes are read whole (one word, two overlapping half-words or three
/// bytes, no loop) and the hash mixes the word with the length; longer ones mix word by
/// word. `xtask/src/vocab.rs` has a copy for the digests it records: keep the two equal.
#[inline]
pub(super) fn key(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    let (word, mut h) = if n >= 8 {
        let first = read_u64(b, 0);
        let mut h = (n as u64).wrapping_mul(K);
        if n > 8 {
            let mut i = 0;
            while i + 8 < n {
                h = (h ^ read_u64(b, i)).wrapping_mul(K).rotate_left(31);
                i += 8;
            }
            h ^= read_u64(b, n - 8);
        } else {
            h ^= first;
        }
        (first, h)
    } else {
        let word = if n >= 4 {
            // Overlapping bytes are ORed with themselves.
            u64::from(read_u32(b, 0)) | u64::from(read_u32(b, n - 4)) << (8 * (n - 4))
        } else if n > 0 {
            u64::from(b[0])
                | u64::from(b[n / 2]) << (8 * (n / 2))
                | u64::from(b[n - 1]) << (8 * (n - 1))
        } else {
            0
        };
        (word, word ^ (n as u64).wrapping_mul(K))
    };
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    (word, h ^ (h >> 33))
}

#[inline(always)]
fn read_u64(b: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::{Encoding, Loader};

    const O200K: &[u8] = include_bytes!("../../data/vocab/o200k_base.vocab");

    #[test]
    fn tokens_are_entered_as_their_bytes_arrive() {
        // In 64 KiB chunks, as a download delivers them: when the last chunk arrives, only the
        // tokens it completes are left (o200k_base averages 7 bytes a token).
        let mut loader = Loader::new(Encoding::O200kBase);
        let (all_but_last, last) = O200K.split_at(O200K.len() - 1000);
        for chunk in all_but_last.chunks(64 * 1024) {
            loader.push(chunk).unwrap();
        }
        let left = 199_998 - loader.tokens_loaded();
        assert!((1..=1000 / 2).contains(&left), "{left} tokens left");
        loader.push(last).unwrap();
        assert_eq!(loader.tokens_loaded(), 199_998);
        assert_eq!(loader.finish().unwrap().len(), 199_998);
    }
}
