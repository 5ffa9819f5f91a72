//! Estimated token counts for the model families with no public tokenizer, from exact
//! `o200k_base`/`cl100k_base` counts and a dated, sourced table of exact ratios.
//!
//! The table is data: `data/token-ratios.toml`, compiled in ([`TokenRatios::bundled`]), with
//! rows a user can replace from their own TOML ([`TokenRatios::apply_toml`]) or JSON. A ratio is
//! a whole number of parts per thousand and may be relative to another family's estimate
//! (Claude Opus 4.7's tokenizer is documented relative to earlier Claude). The estimate is
//! `ceil(base × r1 × r2 ... / 1000^k)` in integers: no `f64` ever feeds a cost.

use serde::Deserialize;

use crate::catalog::TokenizerFamily;
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};

/// `data/token-ratios.toml`, turned into JSON by build.rs.
const BUNDLED_RATIOS: &str = include_str!(concat!(env!("OUT_DIR"), "/token-ratios.json"));

/// Longest chain of `relative_to` links (each row may be relative to another family).
const MAX_CHAIN: usize = 4;
/// Largest ratio: ten times the base.
const MAX_PER_MILLE: u32 = 10_000;

/// Exact counts of one text in both OpenAI encodings (from [`Tokenizer::count`](super::Tokenizer::count)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenCounts {
    /// Tokens in `o200k_base`.
    pub o200k_base: u64,
    /// Tokens in `cl100k_base`.
    pub cl100k_base: u64,
}

/// A model family's token count: exact, or estimated with the method that says how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEstimate {
    /// The count, rounded up when estimated.
    pub tokens: u64,
    /// Whether `tokens` is the family's own tokenizer's count (`o200k_base`, `cl100k_base`).
    pub exact: bool,
    /// How it was obtained, for people: `exact o200k_base count`, or
    /// `o200k_base × 1.12 (claude: <method>; <source>, checked 2026-11-23)`.
    pub method: String,
}

/// One row of the ratio table: how to estimate one family's count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRatio {
    /// The family estimated.
    pub family: TokenizerFamily,
    /// What the ratio multiplies: an exact encoding (`o200k_base`, `cl100k_base`) or another
    /// family's estimate.
    pub relative_to: TokenizerFamily,
    /// The ratio in parts per thousand: 1120 is 1.12 times. From 1 to 10,000.
    pub per_mille: u32,
    /// How the ratio was chosen.
    pub method: String,
    /// Where its evidence comes from (URLs, documents).
    pub source: String,
    /// The day the row was last checked against its source.
    pub checked: Date,
}

/// The ratio table: at most one row per family, none for the exactly counted encodings.
///
/// ```
/// use cost_core::{TokenCounts, TokenRatios, TokenizerFamily};
///
/// let ratios = TokenRatios::bundled();
/// let counts = TokenCounts { o200k_base: 1000, cl100k_base: 1007 };
/// let claude = ratios.estimate(TokenizerFamily::Claude, counts);
/// assert_eq!((claude.tokens, claude.exact), (1120, false));
/// assert!(claude.method.starts_with("o200k_base × 1.12 (claude: "));
/// let gpt4 = ratios.estimate(TokenizerFamily::Cl100k, counts);
/// assert_eq!((gpt4.tokens, gpt4.exact), (1007, true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRatios {
    /// In file order; each `relative_to` chain ends at an exact encoding within
    /// [`MAX_CHAIN`] links.
    rows: Vec<TokenRatio>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    ratio: Vec<Row>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    family: TokenizerFamily,
    #[serde(default = "o200k")]
    relative_to: TokenizerFamily,
    per_mille: u32,
    method: String,
    source: String,
    checked: Date,
}

fn o200k() -> TokenizerFamily {
    TokenizerFamily::O200k
}

impl TokenRatios {
    /// The table compiled into every build: `data/token-ratios.toml`.
    ///
    /// # Panics
    ///
    /// Never in a released build: the test suite decodes the bundled table.
    pub fn bundled() -> TokenRatios {
        let mut table = TokenRatios { rows: Vec::new() };
        table
            .apply_json(BUNDLED_RATIOS)
            .unwrap_or_else(|error| panic!("the bundled token ratio table is invalid: {error}"));
        table
    }

    /// A table from TOML text in the format of `data/token-ratios.toml` (`[[ratio]]` rows).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidTokenRatios`] for malformed TOML, unknown fields or families, a
    /// family listed twice, a row for an exact encoding, a ratio out of range, or a
    /// `relative_to` chain that does not end at an exact encoding.
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<TokenRatios> {
        let mut table = TokenRatios { rows: Vec::new() };
        table.apply_toml(text)?;
        Ok(table)
    }

    /// Adds the rows of a TOML table, replacing this table's rows for the same families: how
    /// a user overrides the bundled ratios. All or nothing.
    ///
    /// # Errors
    ///
    /// As [`TokenRatios::from_toml`]; on error `self` is unchanged.
    #[cfg(feature = "toml")]
    pub fn apply_toml(&mut self, text: &str) -> Result<()> {
        let file: File =
            crate::de::toml(text).map_err(|e| e.into_error(ErrorKind::InvalidTokenRatios))?;
        self.apply(file)
    }

    /// As [`TokenRatios::apply_toml`], for the same table written as JSON
    /// (`{"ratio": [{"family": "claude", ...}]}`).
    ///
    /// # Errors
    ///
    /// As [`TokenRatios::from_toml`]; on error `self` is unchanged.
    pub fn apply_json(&mut self, text: &str) -> Result<()> {
        let file: File =
            crate::de::json(text).map_err(|e| e.into_error(ErrorKind::InvalidTokenRatios))?;
        self.apply(file)
    }

    fn apply(&mut self, file: File) -> Result<()> {
        let mut rows = self.rows.clone();
        let mut seen = Vec::new();
        for (i, row) in file.ratio.into_iter().enumerate() {
            let at = |field: &str| format!("ratio[{i}].{field}");
            if is_exact(row.family) {
                return Err(invalid(format!(
                    "{} is counted exactly and takes no ratio",
                    family_name(row.family)
                ))
                .at(at("family")));
            }
            if seen.contains(&row.family) {
                return Err(
                    invalid(format!("{} is listed twice", family_name(row.family)))
                        .at(at("family")),
                );
            }
            seen.push(row.family);
            if !(1..=MAX_PER_MILLE).contains(&row.per_mille) {
                return Err(invalid(format!(
                    "expected parts per thousand from 1 to {MAX_PER_MILLE}, got {}",
                    row.per_mille
                ))
                .at(at("per_mille")));
            }
            let ratio = TokenRatio {
                family: row.family,
                relative_to: row.relative_to,
                per_mille: row.per_mille,
                method: row.method,
                source: row.source,
                checked: row.checked,
            };
            match rows.iter_mut().find(|r| r.family == ratio.family) {
                Some(existing) => *existing = ratio,
                None => rows.push(ratio),
            }
        }
        let candidate = TokenRatios { rows };
        for row in &candidate.rows {
            candidate
                .chain(row.family)
                .map_err(|message| invalid(format!("{}: {message}", family_name(row.family))))?;
        }
        *self = candidate;
        Ok(())
    }

    /// The rows, in file order.
    pub fn rows(&self) -> &[TokenRatio] {
        &self.rows
    }

    /// The row of `family`, if it has one.
    pub fn get(&self, family: TokenizerFamily) -> Option<&TokenRatio> {
        self.rows.iter().find(|r| r.family == family)
    }

    /// `family`'s token count for a text whose exact counts are `counts`: exact for the two
    /// OpenAI encodings, otherwise the ratio chain applied to the exact base count and
    /// rounded up. A family with no row (possible only in a user's table) is estimated as
    /// its `o200k_base` count, and the method says so.
    pub fn estimate(&self, family: TokenizerFamily, counts: TokenCounts) -> TokenEstimate {
        if let Some(exact) = exact_count(family, counts) {
            return TokenEstimate {
                tokens: exact,
                exact: true,
                method: format!("exact {} count", family_name(family)),
            };
        }
        // Tables are validated when built, so the chain is whole; were it not, the fallback
        // below says that no ratio was applied.
        let chain = self.chain(family).unwrap_or_default();
        let Some(last) = chain.last() else {
            return TokenEstimate {
                tokens: counts.o200k_base,
                exact: false,
                method: format!(
                    "o200k_base count unchanged (no ratio for {})",
                    family_name(family)
                ),
            };
        };
        let base_family = last.relative_to;
        let base = exact_count(base_family, counts).unwrap_or(counts.o200k_base);
        let mut numerator = u128::from(base);
        let mut denominator = 1u128;
        let mut factors = String::new();
        // Apply from the base outwards so the method reads in order.
        for row in chain.iter().rev() {
            numerator *= u128::from(row.per_mille);
            denominator *= 1000;
            factors.push_str(" × ");
            factors.push_str(&per_mille_decimal(row.per_mille));
        }
        let tokens = numerator.div_ceil(denominator);
        let notes: Vec<String> = chain
            .iter()
            .map(|r| {
                format!(
                    "{}: {}; {}, checked {}",
                    family_name(r.family),
                    r.method,
                    r.source,
                    r.checked
                )
            })
            .collect();
        TokenEstimate {
            tokens: u64::try_from(tokens).unwrap_or(u64::MAX),
            exact: false,
            method: format!(
                "{}{factors} ({})",
                family_name(base_family),
                notes.join(" | ")
            ),
        }
    }

    /// The rows from `family` down to the one relative to an exact encoding.
    fn chain(&self, family: TokenizerFamily) -> std::result::Result<Vec<&TokenRatio>, String> {
        let mut chain = Vec::new();
        let mut current = family;
        while let Some(row) = self.get(current) {
            if chain.len() == MAX_CHAIN {
                return Err(format!(
                    "relative_to links more than {MAX_CHAIN} rows (or loop)"
                ));
            }
            chain.push(row);
            current = row.relative_to;
        }
        if !chain.is_empty() && !is_exact(current) {
            return Err(format!(
                "relative_to {} has no ratio row",
                family_name(current)
            ));
        }
        Ok(chain)
    }
}

fn is_exact(family: TokenizerFamily) -> bool {
    matches!(family, TokenizerFamily::O200k | TokenizerFamily::Cl100k)
}

fn exact_count(family: TokenizerFamily, counts: TokenCounts) -> Option<u64> {
    match family {
        TokenizerFamily::O200k => Some(counts.o200k_base),
        TokenizerFamily::Cl100k => Some(counts.cl100k_base),
        _ => None,
    }
}

/// The family's name in catalog and ratio files.
fn family_name(family: TokenizerFamily) -> &'static str {
    match family {
        TokenizerFamily::O200k => "o200k_base",
        TokenizerFamily::Cl100k => "cl100k_base",
        TokenizerFamily::Claude => "claude",
        TokenizerFamily::Claude2026 => "claude-2026",
        TokenizerFamily::Gemini => "gemini",
        TokenizerFamily::Llama3 => "llama3",
        TokenizerFamily::DeepSeek => "deepseek",
        TokenizerFamily::Mistral => "mistral",
        TokenizerFamily::Grok => "grok",
        TokenizerFamily::Other => "other",
    }
}

/// 1120 as `1.12`, 1000 as `1`, 1005 as `1.005`.
fn per_mille_decimal(per_mille: u32) -> String {
    let whole = per_mille / 1000;
    let frac = per_mille % 1000;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidTokenRatios, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(o200k_base: u64, cl100k_base: u64) -> TokenCounts {
        TokenCounts {
            o200k_base,
            cl100k_base,
        }
    }

    /// build.rs turns `data/token-ratios.toml` into the JSON compiled in: same table.
    #[test]
    fn the_bundled_json_is_the_ratio_toml() {
        let from_toml =
            TokenRatios::from_toml(include_str!("../../data/token-ratios.toml")).unwrap();
        assert_eq!(TokenRatios::bundled(), from_toml);
    }

    #[test]
    fn bundled_table_has_every_estimated_family() {
        let table = TokenRatios::bundled();
        for family in [
            TokenizerFamily::Claude,
            TokenizerFamily::Claude2026,
            TokenizerFamily::Gemini,
            TokenizerFamily::Llama3,
            TokenizerFamily::DeepSeek,
            TokenizerFamily::Mistral,
            TokenizerFamily::Grok,
            TokenizerFamily::Other,
        ] {
            let row = table.get(family);
            assert!(row.is_some(), "no ratio for {}", family_name(family));
            assert!(!row.unwrap_or_else(|| unreachable!()).source.is_empty());
        }
    }

    #[test]
    fn exact_families_are_exact() {
        let table = TokenRatios::bundled();
        let e = table.estimate(TokenizerFamily::Cl100k, counts(100, 107));
        assert_eq!((e.tokens, e.exact), (107, true));
        assert_eq!(e.method, "exact cl100k_base count");
        let e = table.estimate(TokenizerFamily::O200k, counts(100, 107));
        assert_eq!((e.tokens, e.exact), (100, true));
    }

    #[test]
    fn estimates_round_up_exactly() {
        let table = TokenRatios::from_toml(
            r#"
            [[ratio]]
            family = "claude"
            per_mille = 1120
            method = "m"
            source = "s"
            checked = "2026-11-23"

            [[ratio]]
            family = "claude-2026"
            relative_to = "claude"
            per_mille = 1300
            method = "m2"
            source = "s2"
            checked = "2026-11-23"
            "#,
        )
        .unwrap();
        let e = table.estimate(TokenizerFamily::Claude, counts(1000, 0));
        assert_eq!((e.tokens, e.exact), (1120, false));
        // 1 × 1.12 = 1.12, rounded up.
        assert_eq!(
            table.estimate(TokenizerFamily::Claude, counts(1, 0)).tokens,
            2
        );
        // 1000 × 1.12 × 1.3 = 1456 exactly; 7 × 1.456 = 10.192 -> 11 (one rounding, at the end).
        let e = table.estimate(TokenizerFamily::Claude2026, counts(1000, 0));
        assert_eq!(e.tokens, 1456);
        assert!(
            e.method.starts_with("o200k_base × 1.12 × 1.3 ("),
            "{}",
            e.method
        );
        assert_eq!(
            table
                .estimate(TokenizerFamily::Claude2026, counts(7, 0))
                .tokens,
            11
        );
        assert_eq!(
            table.estimate(TokenizerFamily::Claude, counts(0, 0)).tokens,
            0
        );
        // No row: the o200k count, said so.
        let e = table.estimate(TokenizerFamily::Gemini, counts(500, 0));
        assert_eq!((e.tokens, e.exact), (500, false));
        assert!(e.method.contains("no ratio for gemini"));
    }

    #[test]
    fn users_override_rows() {
        let mut table = TokenRatios::bundled();
        table
            .apply_toml(
                r#"
                [[ratio]]
                family = "gemini"
                per_mille = 1500
                method = "my measurement"
                source = "me"
                checked = "2026-12-01"
                "#,
            )
            .unwrap();
        assert_eq!(
            table.get(TokenizerFamily::Gemini).map(|r| r.per_mille),
            Some(1500)
        );
        assert_eq!(
            table
                .estimate(TokenizerFamily::Gemini, counts(10, 0))
                .tokens,
            15
        );
        assert_eq!(table.rows().len(), TokenRatios::bundled().rows().len());
    }

    #[test]
    fn bad_tables_are_errors() {
        let row = |extra: &str| {
            format!(
                "[[ratio]]\nmethod = \"m\"\nsource = \"s\"\nchecked = \"2026-11-23\"\n{extra}\n"
            )
        };
        let cases = [
            (
                row("family = \"o200k_base\"\nper_mille = 1000"),
                "counted exactly",
            ),
            (
                row("family = \"claude\"\nper_mille = 0"),
                "ratio[0].per_mille",
            ),
            (
                row("family = \"claude\"\nper_mille = 1.12"),
                "ratio[0].per_mille",
            ),
            (
                row("family = \"klaude\"\nper_mille = 1000"),
                "ratio[0].family",
            ),
            (
                row("family = \"claude\"\nper_mille = 1000\nrelative_to = \"gemini\""),
                "gemini has no ratio row",
            ),
            (
                row("family = \"claude\"\nper_mille = 1000\nrelative_to = \"claude\""),
                "more than 4",
            ),
            (
                row("family = \"claude\"\nper_mille = 1000")
                    + &row("family = \"claude\"\nper_mille = 1000"),
                "listed twice",
            ),
            (
                row("family = \"claude\"\nper_mille = 1000\ncolour = 1"),
                "colour",
            ),
            ("[[ratio]\n".to_string(), ""),
        ];
        for (text, expected) in cases {
            let error = TokenRatios::from_toml(&text).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidTokenRatios);
            assert!(error.to_string().contains(expected), "{error} ({text})");
        }
        let mut table = TokenRatios::bundled();
        assert!(table
            .apply_toml(&row("family = \"claude\"\nper_mille = 0"))
            .is_err());
        assert_eq!(table, TokenRatios::bundled());
    }

    #[test]
    fn per_mille_reads_as_a_decimal() {
        assert_eq!(per_mille_decimal(1120), "1.12");
        assert_eq!(per_mille_decimal(1000), "1");
        assert_eq!(per_mille_decimal(1005), "1.005");
        assert_eq!(per_mille_decimal(950), "0.95");
    }
}
