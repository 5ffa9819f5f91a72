//! cost-core's token counts against tiktoken-rs (a faithful port of OpenAI's tiktoken):
//! the bundled vocabularies token by token, the shared fixture counts, generated strings over
//! all of Unicode, and slices of a novel cut at random places.
//!
//! `LLMCOST_BLESS=1 cargo test -p cost-oracle --test tokens` rewrites the expected counts of
//! `tests/fixtures/token-counts.json` from tiktoken-rs (then review the diff). `PROPTEST_CASES`
//! raises the number of generated cases.

use std::sync::OnceLock;

use cost_core::{Encoding, Tokenizer};
use proptest::prelude::*;
use tiktoken_rs::CoreBPE;

const O200K: &[u8] = include_bytes!("../../cost-core/data/vocab/o200k_base.vocab");
const CL100K: &[u8] = include_bytes!("../../cost-core/data/vocab/cl100k_base.vocab");
const FIXTURES_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/token-counts.json"
);
const FIXTURES: &str = include_str!("../../../tests/fixtures/token-counts.json");
const NOVEL: &str = include_str!("../../../tests/fixtures/pride-and-prejudice-pg1342.txt");

fn ours(encoding: Encoding) -> &'static Tokenizer {
    static O: OnceLock<Tokenizer> = OnceLock::new();
    static C: OnceLock<Tokenizer> = OnceLock::new();
    let (cell, bytes) = match encoding {
        Encoding::O200kBase => (&O, O200K),
        Encoding::Cl100kBase => (&C, CL100K),
    };
    cell.get_or_init(|| Tokenizer::from_bytes(encoding, bytes).expect("bundled asset loads"))
}

fn theirs(encoding: Encoding) -> &'static CoreBPE {
    match encoding {
        Encoding::O200kBase => tiktoken_rs::o200k_base_singleton(),
        Encoding::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
    }
}

fn same_count(text: &str) -> std::result::Result<(), TestCaseError> {
    for encoding in Encoding::ALL {
        let expected = theirs(encoding).encode_ordinary(text).len();
        let got = ours(encoding).count(text);
        prop_assert_eq!(got, expected, "{} on {:?}", encoding, text);
    }
    Ok(())
}

/// The committed assets are exactly tiktoken's vocabularies: each rank has the same bytes,
/// and there are no more. A stale or hand-edited asset fails here (and fails to load).
#[test]
fn bundled_vocabularies_are_tiktoken_rank_files() {
    for encoding in Encoding::ALL {
        let ours = ours(encoding);
        let theirs = theirs(encoding);
        for rank in 0..ours.vocab_size() as u32 {
            let expected = theirs.decode_bytes(&[rank]).expect("a rank of tiktoken's");
            assert_eq!(
                ours.token_bytes(rank),
                Some(expected.as_slice()),
                "{encoding} rank {rank}"
            );
        }
        // The next rank is a special token (`<|endoftext|>`) or nothing, never ordinary text.
        let next = ours.vocab_size() as u32;
        assert!(ours.token_bytes(next).is_none());
        let after = theirs.decode_bytes(&[next]).unwrap_or_default();
        assert!(
            after.is_empty() || after.starts_with(b"<|"),
            "{encoding}: rank {next}"
        );
    }
}

/// The expected counts of the shared fixtures are tiktoken-rs's (the cost-core test checks
/// cost-core against the same file).
#[test]
fn fixture_counts_are_tiktoken_counts() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(FIXTURES).expect("fixture parses");
    let counts =
        |text: &str| Encoding::ALL.map(|encoding| theirs(encoding).encode_ordinary(text).len());
    if std::env::var_os("LLMCOST_BLESS").is_some() {
        let mut out = String::from("[\n");
        for (i, case) in cases.iter().enumerate() {
            let input = case["input"].as_str().expect("input");
            let [o200k, cl100k] = counts(input);
            let string = |v: &serde_json::Value| serde_json::to_string(v).expect("json");
            out.push_str(&format!(
                " {{\"name\": {}, \"source\": {}, \"input\": {},\n  \"expected\": {{\"o200k_base\": {o200k}, \"cl100k_base\": {cl100k}}}}}{}\n",
                string(&case["name"]),
                string(&case["source"]),
                string(&case["input"]),
                if i + 1 < cases.len() { "," } else { "" }
            ));
        }
        out.push_str("]\n");
        std::fs::write(FIXTURES_PATH, out).expect("write token-counts.json");
        return;
    }
    for case in &cases {
        let input = case["input"].as_str().expect("input");
        let [o200k, cl100k] = counts(input);
        assert_eq!(case["expected"]["o200k_base"], o200k, "{}", case["name"]);
        assert_eq!(case["expected"]["cl100k_base"], cl100k, "{}", case["name"]);
    }
}

#[test]
fn pride_and_prejudice_counts_like_tiktoken() {
    same_count(NOVEL).unwrap();
}

/// Code points in contexts where their class decides the split (after a letter, before an
/// uppercase letter, a digit, a contraction, a newline, spaces), every `stride`-th one
/// (`LLMCOST_CODE_POINT_STRIDE`, default 61; 1 checks all 1,112,064, best with `--release`).
#[test]
fn code_points_count_like_tiktoken() {
    let stride = std::env::var("LLMCOST_CODE_POINT_STRIDE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(61);
    for cp in (0..=0x10_ffffu32).step_by(stride) {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let mark = '\u{301}';
        let text = format!("a{c}b {c}A{c}1{c}'s{c}\n{c}  {c}{c}x{mark}{c}");
        same_count(&text).unwrap();
    }
}

/// Characters from every class the pre-tokenizers tell apart, weighted towards the ones that
/// interact (apostrophes before contraction letters, marks after letters, `\r\n` and `/`),
/// plus any code point at all.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('A', 'Z'),
        2 => prop::sample::select(vec![' ', ' ', ' ', '\n', '\r', '\t', '\u{a0}', '\u{3000}', '\u{85}', '\u{b}', '\u{2028}']),
        2 => prop::sample::select(vec!['\'', '\'', 's', 'S', 't', 'T', 'l', 'L', 'v', 'e', 'r', 'R', 'm', 'D', 'ſ', '’']),
        2 => prop::sample::select(vec!['.', ',', '!', '/', '/', '-', '(', '"', '<', '|', '>', '#', '_', '*']),
        2 => proptest::char::range('0', '9'),
        1 => prop::sample::select(vec!['٣', 'Ⅻ', '½', '²', '𝟘']),
        2 => prop::sample::select(vec!['\u{301}', '\u{308}', '\u{94d}', '\u{93e}', '\u{e01}', '\u{20e3}', '\u{fe0f}', '\u{200d}', '\u{e0100}']),
        2 => prop::sample::select(vec!['é', 'É', 'ß', 'ǅ', 'ʰ', 'ſ', 'ı', 'İ', 'Ω', 'ω', 'я', 'Я', 'ا', 'ש', 'न']),
        2 => prop::sample::select(vec!['中', '文', '日', 'の', 'ア', '한', '😀', '👨', '👩', '🏽', '🦀', '🇫', '🇷']),
        3 => any::<char>(),
    ]
}

fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any_char(), 0..80).prop_map(|chars| chars.into_iter().collect())
}

/// Cuts `text` to char boundaries at or after `start` and around `len` bytes later.
fn slice(text: &str, start: usize, len: usize) -> &str {
    let mut a = start.min(text.len());
    while !text.is_char_boundary(a) {
        a += 1;
    }
    let mut b = (a + len).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    &text[a..b]
}

/// `default` cases, or `PROPTEST_CASES` when set (for long runs: `--release` and a million).
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn generated_text_counts_like_tiktoken(text in any_text()) {
        same_count(&text)?;
    }

    #[test]
    fn arbitrary_unicode_counts_like_tiktoken(text in any::<Vec<char>>()) {
        same_count(&text.into_iter().collect::<String>())?;
    }
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn long_runs_count_like_tiktoken(
        c in any_char(),
        n in 1usize..300,
        before in any_text(),
        after in any_text(),
    ) {
        // Runs long enough for the heap merge (128 bytes and up) and for whitespace pieces.
        let text = format!("{before}{}{after}", c.to_string().repeat(n));
        same_count(&text)?;
    }
}

proptest! {
    #![proptest_config(cases(100))]

    #[test]
    fn novel_slices_count_like_tiktoken(start in 0usize..NOVEL.len(), len in 0usize..20_000) {
        same_count(slice(NOVEL, start, len))?;
    }
}
