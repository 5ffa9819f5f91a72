//! Token counts on the bundled vocabularies: the shared fixture cases
//! (`tests/fixtures/token-counts.json`, counts from tiktoken-rs), a whole novel, and assets that
//! must fail to load.

use serde::Deserialize;

use super::{Encoding, Tokenizer};
use crate::error::ErrorKind;

const FIXTURES: &str = include_str!("../../../../tests/fixtures/token-counts.json");
const NOVEL: &str = include_str!("../../../../tests/fixtures/pride-and-prejudice-pg1342.txt");
const O200K: &[u8] = include_bytes!("../../data/vocab/o200k_base.vocab");
const CL100K: &[u8] = include_bytes!("../../data/vocab/cl100k_base.vocab");

/// One case of `token-counts.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[allow(dead_code)]
    source: String,
    input: String,
    expected: Expected,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    o200k_base: usize,
    cl100k_base: usize,
}

fn check(case: &Case) {
    for (encoding, expected) in [
        (Encoding::O200kBase, case.expected.o200k_base),
        (Encoding::Cl100kBase, case.expected.cl100k_base),
    ] {
        let got = Tokenizer::bundled(encoding).count(&case.input);
        assert_eq!(
            got, expected,
            "{} in {encoding}: {:?}",
            case.name, case.input
        );
    }
}

#[test]
fn token_count_fixtures() {
    let cases: Vec<Case> = serde_json::from_str(FIXTURES).expect("token-counts.json parses");
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for case in &cases {
        check(case);
    }
}

#[test]
fn pride_and_prejudice_counts_exactly() {
    // tiktoken 0.12 / tiktoken-rs 0.12.1 on Project Gutenberg #1342, as shipped in shared/.
    assert_eq!(
        Tokenizer::bundled(Encoding::O200kBase).count(NOVEL),
        174_392
    );
    assert_eq!(
        Tokenizer::bundled(Encoding::Cl100kBase).count(NOVEL),
        175_627
    );
}

#[test]
fn counting_adds_up_over_separately_counted_paragraphs() {
    // Paragraphs separated by "\n\n" and ending in a letter or punctuation split the same way
    // alone as in the whole text, so their counts add up (a cache or scratch leaking between
    // calls would break this).
    let o200k = Tokenizer::bundled(Encoding::O200kBase);
    let text = "Alpha beta, gamma.\n\nDelta epsilon: zeta!\n\nEta theta iota.";
    let parts: usize = text.split_inclusive("\n\n").map(|p| o200k.count(p)).sum();
    assert_eq!(parts, o200k.count(text));
}

#[test]
fn vocabularies_have_the_official_sizes() {
    let o200k = Tokenizer::bundled(Encoding::O200kBase);
    assert_eq!(o200k.vocab_size(), 199_998);
    assert_eq!(o200k.encoding(), Encoding::O200kBase);
    assert_eq!(o200k.token_bytes(0), Some(&b"!"[..]));
    assert_eq!(o200k.token_bytes(199_998), None);
    assert_eq!(
        Tokenizer::bundled(Encoding::Cl100kBase).vocab_size(),
        100_256
    );
    assert_eq!(
        format!("{o200k:?}"),
        "Tokenizer { encoding: O200kBase, vocab_size: 199998 }"
    );
}

#[test]
fn every_token_is_found_at_its_rank() {
    for encoding in Encoding::ALL {
        let vocab = &Tokenizer::bundled(encoding).vocab;
        for rank in 0..vocab.len() as u32 {
            let token = vocab.token(rank).unwrap();
            assert_eq!(vocab.rank(token), Some(rank), "{encoding} {token:?}");
            assert_eq!(vocab.merge_rank(token), rank, "{encoding} {token:?}");
            // The same bytes but the last: another token or none, never this one.
            let mut other = token.to_vec();
            *other.last_mut().unwrap() ^= 0x20;
            assert_ne!(vocab.rank(&other), Some(rank), "{encoding} {token:?}");
        }
        // Not tokens: a byte string longer than any token, and one token's bytes extended.
        assert_eq!(vocab.rank(&[b'a'; 200]), None);
        let longest = (0..vocab.len() as u32)
            .map(|rank| vocab.token(rank).unwrap())
            .max_by_key(|token| token.len())
            .unwrap();
        assert_eq!(vocab.rank(&[longest, b"x"].concat()), None, "{encoding}");
    }
}

fn load_error(encoding: Encoding, bytes: &[u8]) -> String {
    match Tokenizer::from_bytes(encoding, bytes) {
        Ok(_) => panic!("loaded a bad asset of {} bytes", bytes.len()),
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::InvalidVocabulary);
            error.to_string()
        }
    }
}

#[test]
fn bad_assets_are_errors_not_panics() {
    assert!(load_error(Encoding::O200kBase, b"").contains("truncated"));
    assert!(
        load_error(Encoding::O200kBase, b"\x89PNG\r\n\x1a\n0123456789abcdef").contains("magic")
    );
    assert!(load_error(Encoding::O200kBase, CL100K).contains("is the cl100k_base vocabulary"));
    assert!(load_error(Encoding::Cl100kBase, O200K).contains("expected cl100k_base"));

    let mut wrong_version = CL100K.to_vec();
    wrong_version[8] = 2;
    assert!(load_error(Encoding::Cl100kBase, &wrong_version).contains("version 2"));
    let mut wrong_count = CL100K.to_vec();
    wrong_count[12] ^= 1;
    assert!(load_error(Encoding::Cl100kBase, &wrong_count).contains("tokens, expected"));

    // Truncated anywhere: in the header, in the body, by one byte.
    for len in [
        1,
        8,
        12,
        19,
        20,
        21,
        1000,
        CL100K.len() / 2,
        CL100K.len() - 1,
    ] {
        load_error(Encoding::Cl100kBase, &CL100K[..len]);
    }
    let mut longer = CL100K.to_vec();
    longer.push(b'x');
    assert!(load_error(Encoding::Cl100kBase, &longer).contains("trailing"));

    // A changed byte anywhere in the body: a different token, a token split or merged, a
    // separator moved. The digest catches what the structure does not.
    for at in [
        20,
        21,
        500,
        4_000,
        100_000,
        400_000,
        CL100K.len() - 2,
        CL100K.len() - 1,
    ] {
        for flip in [0x01, 0x80, 0xff] {
            let mut bad = CL100K.to_vec();
            bad[at] ^= flip;
            load_error(Encoding::Cl100kBase, &bad);
        }
    }
    // A body length that agrees with a shortened body.
    let mut short = CL100K[..CL100K.len() - 3].to_vec();
    let body = (short.len() - 20) as u32;
    short[16..20].copy_from_slice(&body.to_le_bytes());
    load_error(Encoding::Cl100kBase, &short);
}

#[test]
fn assets_load_from_bytes_like_the_bundled_ones() {
    let loaded = Tokenizer::from_bytes(Encoding::O200kBase, O200K).unwrap();
    let text = &NOVEL[..20_000];
    assert_eq!(
        loaded.count(text),
        Tokenizer::bundled(Encoding::O200kBase).count(text)
    );
}

#[test]
fn estimates_for_the_novel_from_the_bundled_ratios() {
    use crate::catalog::TokenizerFamily as F;
    use crate::tokens::{TokenCounts, TokenRatios};

    let counts = TokenCounts {
        o200k_base: Tokenizer::bundled(Encoding::O200kBase).count(NOVEL) as u64,
        cl100k_base: Tokenizer::bundled(Encoding::Cl100kBase).count(NOVEL) as u64,
    };
    let ratios = TokenRatios::bundled();
    let estimate = |family| ratios.estimate(family, counts);
    // ceil(174,392 × r) for each row of data/token-ratios.toml.
    let expected = [
        (F::O200k, 174_392, true),
        (F::Cl100k, 175_627, true),
        (F::Claude, 195_320, false),     // × 1.12
        (F::Claude2026, 253_915, false), // × 1.12 × 1.3 = 253,914.752
        (F::Gemini, 177_880, false),     // × 1.02 = 177,879.84
        (F::Llama3, 175_627, false),     // cl100k_base × 1
        (F::DeepSeek, 183_112, false),   // × 1.05 = 183,111.6
        (F::Mistral, 179_624, false),    // × 1.03 = 179,623.76
        (F::Grok, 179_624, false),       // × 1.03
        (F::Other, 191_832, false),      // × 1.1 = 191,831.2
    ];
    for (family, tokens, exact) in expected {
        let e = estimate(family);
        assert_eq!(
            (e.tokens, e.exact),
            (tokens, exact),
            "{family:?}: {}",
            e.method
        );
    }
    let claude = estimate(F::Claude);
    assert!(
        claude.method.starts_with("o200k_base × 1.12 (claude: "),
        "{}",
        claude.method
    );
    assert!(estimate(F::Claude2026)
        .method
        .starts_with("o200k_base × 1.12 × 1.3 ("));
    assert!(estimate(F::Llama3)
        .method
        .starts_with("cl100k_base × 1 (llama3: "));
}

#[test]
fn tokenizers_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Tokenizer>();
    shared::<super::TokenRatios>();
}
