//! Streaming vocabulary loads (`TokenizerLoader`): however the asset is split into chunks, the
//! loader gives the tokenizer `Tokenizer::from_bytes` gives for the whole, or its error, with
//! the same message; and it reports an error as soon as the bytes cannot be the asset.

use std::sync::OnceLock;

use cost_core::{Encoding, ErrorKind, Tokenizer, TokenizerLoader};
use proptest::collection::vec;
use proptest::prelude::*;

const O200K: &[u8] = include_bytes!("../data/vocab/o200k_base.vocab");
const CL100K: &[u8] = include_bytes!("../data/vocab/cl100k_base.vocab");
const NOVEL: &str = include_str!("../../../tests/fixtures/pride-and-prejudice-pg1342.txt");
const HEADER_LEN: usize = 20;

/// Texts a loaded tokenizer counts, to compare two tokenizers.
fn samples() -> [&'static str; 4] {
    [
        "Hello, world!",
        "naïve café, 東京タワー 🚀 <|endoftext|> \u{0}\t\r\n",
        "    fn main() {\n        println!(\"{}\", 1 + 2);\n    }\n",
        &NOVEL[..3_000],
    ]
}

/// One bundled asset, and where the separator after each of its tokens is.
struct Asset {
    encoding: Encoding,
    bytes: &'static [u8],
    /// Offsets in `bytes` of every separator, in rank order.
    separators: Vec<usize>,
}

impl std::fmt::Debug for Asset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.vocab", self.encoding)
    }
}

fn assets() -> &'static [Asset; 2] {
    static ASSETS: OnceLock<[Asset; 2]> = OnceLock::new();
    ASSETS.get_or_init(|| {
        [(Encoding::O200kBase, O200K), (Encoding::Cl100kBase, CL100K)].map(|(encoding, bytes)| {
            // A token is its first byte, whatever it is, then bytes up to the separator.
            let separator = bytes[10];
            let mut separators = Vec::new();
            let mut at = HEADER_LEN;
            while at < bytes.len() {
                let end = at
                    + 1
                    + bytes[at + 1..]
                        .iter()
                        .position(|&b| b == separator)
                        .unwrap();
                separators.push(end);
                at = end + 1;
            }
            Asset {
                encoding,
                bytes,
                separators,
            }
        })
    })
}

/// What a load gave: the counts of [`samples`], or the error message.
fn outcome(result: cost_core::Result<Tokenizer>) -> Result<Vec<usize>, String> {
    match result {
        Ok(tokenizer) => Ok(samples().map(|text| tokenizer.count(text)).to_vec()),
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::InvalidVocabulary, "{error}");
            Err(error.to_string())
        }
    }
}

/// The outcome of each intact asset, loaded whole.
fn intact(encoding: Encoding) -> &'static Result<Vec<usize>, String> {
    static OUTCOMES: OnceLock<[Result<Vec<usize>, String>; 2]> = OnceLock::new();
    let outcomes = OUTCOMES.get_or_init(|| {
        assets().each_ref().map(|asset| {
            let outcome = outcome(Tokenizer::from_bytes(asset.encoding, asset.bytes));
            assert!(outcome.is_ok(), "{outcome:?}");
            outcome
        })
    });
    &outcomes[usize::from(encoding == Encoding::Cl100kBase)]
}

/// Loads `bytes` in the chunks that `cuts` (ascending offsets) make, the way a download loop
/// does: the first error from `push` is the result. The pushes go on after it (a caller that
/// ignores errors), and each of them and `finish` must return that error again.
fn stream(encoding: Encoding, bytes: &[u8], cuts: &[usize]) -> cost_core::Result<Tokenizer> {
    let mut loader = TokenizerLoader::new(encoding);
    let mut first_error = None;
    let mut at = 0;
    for &cut in cuts.iter().chain([&bytes.len()]) {
        let end = cut.clamp(at, bytes.len());
        if let Err(error) = loader.push(&bytes[at..end]) {
            assert_eq!(first_error.get_or_insert(error.clone()), &error);
        }
        let (read, total) = loader.progress();
        if first_error.is_none() {
            assert_eq!(read, end as u64);
            let header_in = end >= HEADER_LEN;
            assert_eq!(total.is_some(), header_in, "after {end} bytes");
        }
        at = end;
    }
    let finished = loader.finish();
    if let Some(error) = first_error {
        assert_eq!(finished.as_ref().err(), Some(&error));
    }
    finished
}

/// Checks that `bytes` loads in the chunks `cuts` makes as it does whole.
fn check(encoding: Encoding, bytes: &[u8], cuts: &[usize]) -> Result<(), TestCaseError> {
    let whole = outcome(Tokenizer::from_bytes(encoding, bytes));
    prop_assert_eq!(outcome(stream(encoding, bytes, cuts)), whole);
    Ok(())
}

/// Which asset: o200k_base (0) or cl100k_base (1).
fn asset() -> impl Strategy<Value = &'static Asset> {
    (0..2usize).prop_map(|i| &assets()[i])
}

/// Where to cut `asset` into chunks: a few random places; maybe after each of the header's
/// bytes and a few more (1-byte chunks); maybe at the asset's end (so that bytes after it
/// come in a chunk of their own); and at every place near a few token boundaries, from 2 bytes
/// before a separator to 2 bytes after it (1-byte chunks around it).
fn cuts(asset: &'static Asset) -> impl Strategy<Value = Vec<usize>> {
    let len = asset.bytes.len();
    (
        vec(0..=len, 0..6),
        any::<bool>(),
        any::<bool>(),
        vec(0..asset.separators.len(), 0..4),
    )
        .prop_map(move |(mut cuts, header, end, near)| {
            if header {
                cuts.extend(1..=HEADER_LEN + 4);
            }
            if end {
                cuts.push(len);
            }
            for rank in near {
                let separator = asset.separators[rank];
                cuts.extend(separator - 2..=separator + 2);
            }
            cuts.retain(|&cut| cut <= len);
            cuts.sort_unstable();
            cuts.dedup();
            cuts
        })
}

/// An offset in `asset`: in the header, anywhere, a separator, or near one.
fn offset(asset: &'static Asset) -> impl Strategy<Value = usize> {
    let len = asset.bytes.len();
    prop_oneof![
        0..HEADER_LEN + 4,
        0..len,
        (0..asset.separators.len()).prop_map(move |rank| asset.separators[rank]),
        (0..asset.separators.len(), -2..=2isize).prop_map(move |(rank, d)| asset.separators[rank]
            .saturating_add_signed(d)
            .min(len - 1)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_split_of_an_asset_loads_the_same_tokenizer(
        (asset, cuts) in asset().prop_flat_map(|asset| (Just(asset), cuts(asset)))
    ) {
        let streamed = outcome(stream(asset.encoding, asset.bytes, &cuts));
        prop_assert_eq!(&streamed, intact(asset.encoding));
    }

    #[test]
    fn truncated_assets_fail_alike_in_any_chunks(
        (asset, len, cuts) in asset().prop_flat_map(|asset| {
            let len = prop_oneof![0..HEADER_LEN + 4, 0..asset.bytes.len(), offset(asset)];
            (Just(asset), len, cuts(asset))
        })
    ) {
        check(asset.encoding, &asset.bytes[..len], &cuts)?;
    }

    #[test]
    fn assets_with_changed_bytes_load_alike_in_any_chunks(
        (asset, flips, cuts) in asset().prop_flat_map(|asset| {
            (Just(asset), vec((offset(asset), 1..=255u8), 1..4), cuts(asset))
        })
    ) {
        let mut bytes = asset.bytes.to_vec();
        for (at, flip) in flips {
            bytes[at] ^= flip;
        }
        check(asset.encoding, &bytes, &cuts)?;
    }

    #[test]
    fn trailing_bytes_fail_alike_in_any_chunks(
        (asset, flips, extra, cuts) in asset().prop_flat_map(|asset| {
            let flips = vec((offset(asset), 1..=255u8), 0..3);
            (Just(asset), flips, vec(any::<u8>(), 1..10), cuts(asset))
        })
    ) {
        // With changed bytes too, so that the body's own errors and the trailing bytes' meet.
        let mut bytes = [asset.bytes, &extra].concat();
        for (at, flip) in flips {
            bytes[at] ^= flip;
        }
        check(asset.encoding, &bytes, &cuts)?;
    }
}

#[test]
fn o200k_streamed_byte_by_byte_around_batches_counts_the_novel_exactly() {
    // 1-byte chunks over the header and the first tokens, around the first batches' ends
    // (4,096 tokens a batch), the hot table's end (32,768 tokens) and the last tokens; larger
    // chunks in between.
    let asset = &assets()[0];
    let separators = &asset.separators;
    let mut cuts: Vec<usize> = (1..=separators[300]).collect();
    for rank in [4_095, 4_096, 8_191, 32_767, 32_768] {
        let separator = separators[rank];
        cuts.extend(separator - 40..=separator + 40);
    }
    cuts.extend((0..asset.bytes.len()).step_by(50_000));
    cuts.extend(separators[separators.len() - 300]..asset.bytes.len());
    cuts.sort_unstable();
    cuts.dedup();
    let o200k = stream(Encoding::O200kBase, asset.bytes, &cuts).unwrap();
    assert_eq!(o200k.vocab_size(), 199_998);
    assert_eq!(o200k.count(NOVEL), 174_392);
}

/// The error of pushing `bytes` in one chunk into a fresh loader of `encoding`.
fn push_error(encoding: Encoding, bytes: &[u8]) -> String {
    let mut loader = TokenizerLoader::new(encoding);
    match loader.push(bytes) {
        Ok(()) => panic!("took {} bad bytes", bytes.len()),
        Err(error) => error.to_string(),
    }
}

#[test]
fn errors_come_as_soon_as_the_bytes_cannot_be_the_asset() {
    let o200k = Encoding::O200kBase;
    let header = &O200K[..HEADER_LEN];
    let magic = "invalid vocabulary: not an llmcost vocabulary (bad magic bytes)";
    assert_eq!(push_error(o200k, b"<"), magic);
    assert_eq!(push_error(o200k, b"LLMCVOCX"), magic);
    let mut version = header[..9].to_vec();
    version[8] = 2;
    assert_eq!(
        push_error(o200k, &version),
        "invalid vocabulary: format version 2 is not supported (expected 1)"
    );
    assert_eq!(
        push_error(o200k, &CL100K[..10]),
        "invalid vocabulary: this is the cl100k_base vocabulary, expected o200k_base"
    );
    let mut count = header[..16].to_vec();
    count[12] ^= 1;
    assert_eq!(
        push_error(o200k, &count),
        "invalid vocabulary: 199999 tokens, expected 199998 for o200k_base"
    );

    // A header announcing 4 GiB of body is refused before anything is allocated for it.
    let mut huge = header.to_vec();
    huge[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut loader = TokenizerLoader::new(o200k);
    let error = loader.push(&huge).unwrap_err().to_string();
    assert_eq!(
        error,
        "invalid vocabulary: the header announces a body of 4294967295 bytes, more than any \
         vocabulary (at most 8388608)"
    );
    assert_eq!(loader.progress(), (20, None));

    // A token that runs on past 128 bytes, long before the body's end.
    let separator = header[10];
    let mut long = header.to_vec();
    long.extend(std::iter::repeat_n(separator.wrapping_add(1), 129));
    let mut loader = TokenizerLoader::new(o200k);
    loader.push(&long[..HEADER_LEN + 128]).unwrap();
    let error = loader.push(&long[HEADER_LEN + 128..]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid vocabulary: token 0 is longer than 128 bytes"
    );
    assert_eq!(loader.progress(), (20 + 129, Some(O200K.len() as u64)));
    // The loader is spent: the same error again, whatever comes next.
    assert_eq!(loader.push(&O200K[HEADER_LEN..]).unwrap_err(), error);
    assert_eq!(loader.push(b"").unwrap_err(), error);
    assert_eq!(loader.progress(), (20 + 129, Some(O200K.len() as u64)));
    assert_eq!(loader.finish().unwrap_err(), error);

    // One byte more than the header announced.
    let mut loader = TokenizerLoader::new(o200k);
    loader.push(O200K).unwrap();
    assert_eq!(
        loader.push(b"\n").unwrap_err().to_string(),
        "invalid vocabulary: trailing bytes: the body is longer than the 1597668 bytes the header says"
    );
}

#[test]
fn truncated_assets_are_errors_at_finish() {
    let finish = |bytes: &[u8]| {
        let mut loader = TokenizerLoader::new(Encoding::Cl100kBase);
        loader.push(bytes).unwrap();
        loader.finish().unwrap_err().to_string()
    };
    assert_eq!(
        finish(b""),
        "invalid vocabulary: truncated: 0 bytes, shorter than the 20-byte header"
    );
    assert_eq!(
        finish(&CL100K[..19]),
        "invalid vocabulary: truncated: 19 bytes, shorter than the 20-byte header"
    );
    assert_eq!(
        finish(&CL100K[..CL100K.len() - 1]),
        "invalid vocabulary: truncated: the body has 744085 bytes, the header says 744086"
    );
}
