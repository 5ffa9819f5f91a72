//! Token usage: one normalized [`Usage`], validated, and parsers for each provider's response shape.
//!
//! Providers count differently. Anthropic's `input_tokens` excludes cache reads and writes;
//! OpenAI's `prompt_tokens` and Gemini's `promptTokenCount` include cached tokens; Gemini
//! reports thinking tokens beside the output, OpenAI inside it. [`Usage`] has one rule for
//! all: `input_tokens` is the whole prompt and every cache count is a part of it;
//! `output_tokens` is the whole output and `reasoning_tokens` a part of it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// The largest token count accepted anywhere: 10^15. Larger counts are typing mistakes,
/// and every cost up to this bound is computed without overflow.
pub const MAX_TOKENS: u64 = 1_000_000_000_000_000;

/// The tokens of one request, normalized.
///
/// Invariants (checked by [`Usage::validate`]): every count is at most [`MAX_TOKENS`];
/// `cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens <= input_tokens`;
/// `reasoning_tokens <= output_tokens`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    /// Every prompt token: uncached input, cache reads and cache writes.
    pub input_tokens: u64,
    /// Prompt tokens read from the cache (a part of `input_tokens`).
    #[serde(default)]
    pub cache_read_tokens: u64,
    /// Prompt tokens written to a 5-minute cache (a part of `input_tokens`).
    #[serde(default)]
    pub cache_write_5m_tokens: u64,
    /// Prompt tokens written to a 1-hour cache (a part of `input_tokens`).
    #[serde(default)]
    pub cache_write_1h_tokens: u64,
    /// Every output token, reasoning included.
    #[serde(default)]
    pub output_tokens: u64,
    /// Reasoning ("thinking") tokens (a part of `output_tokens`, billed as output).
    #[serde(default)]
    pub reasoning_tokens: u64,
    /// Explicit context-cache storage (Gemini): tokens held times hours held
    /// (100,000 tokens for 1.5 hours is 150,000). Billed per million token-hours.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_storage_token_hours: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Usage {
    /// Prompt tokens neither read from nor written to a cache.
    ///
    /// Only meaningful on a validated usage (otherwise it saturates at zero).
    pub fn uncached_input_tokens(&self) -> u64 {
        self.input_tokens
            .saturating_sub(self.cache_read_tokens)
            .saturating_sub(self.cache_write_5m_tokens)
            .saturating_sub(self.cache_write_1h_tokens)
    }

    /// Checks the invariants.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidUsage`] naming the field that breaks one.
    pub fn validate(&self) -> Result<()> {
        // Every count at most 10^15, so the cache counts add up without overflow.
        let largest = self
            .input_tokens
            .max(self.cache_read_tokens)
            .max(self.cache_write_5m_tokens)
            .max(self.cache_write_1h_tokens)
            .max(self.output_tokens)
            .max(self.reasoning_tokens)
            .max(self.cache_storage_token_hours);
        if largest <= MAX_TOKENS
            && self.cache_read_tokens + self.cache_write_5m_tokens + self.cache_write_1h_tokens
                <= self.input_tokens
            && self.reasoning_tokens <= self.output_tokens
        {
            return Ok(());
        }
        // Which invariant fails, in the order the messages name them.
        for (name, value) in [
            ("input_tokens", self.input_tokens),
            ("cache_read_tokens", self.cache_read_tokens),
            ("cache_write_5m_tokens", self.cache_write_5m_tokens),
            ("cache_write_1h_tokens", self.cache_write_1h_tokens),
            ("output_tokens", self.output_tokens),
            ("reasoning_tokens", self.reasoning_tokens),
            ("cache_storage_token_hours", self.cache_storage_token_hours),
        ] {
            if value > MAX_TOKENS {
                return Err(Error::new(
                    ErrorKind::InvalidUsage,
                    format!("{value} is more than the 10^15 this tool accepts"),
                )
                .at(name));
            }
        }
        let cached = u128::from(self.cache_read_tokens)
            + u128::from(self.cache_write_5m_tokens)
            + u128::from(self.cache_write_1h_tokens);
        if cached > u128::from(self.input_tokens) {
            return Err(Error::new(
                ErrorKind::InvalidUsage,
                format!(
                    "cache reads and writes ({cached} tokens) exceed the prompt's {} input tokens",
                    self.input_tokens
                ),
            )
            .at("input_tokens"));
        }
        if self.reasoning_tokens > self.output_tokens {
            return Err(Error::new(
                ErrorKind::InvalidUsage,
                format!(
                    "reasoning tokens ({}) exceed the {} output tokens they are part of",
                    self.reasoning_tokens, self.output_tokens
                ),
            )
            .at("reasoning_tokens"));
        }
        Ok(())
    }

    /// The field-by-field sum, or `None` if a count would pass [`MAX_TOKENS`].
    pub fn checked_add(&self, other: &Usage) -> Option<Usage> {
        let add = |a: u64, b: u64| a.checked_add(b).filter(|&s| s <= MAX_TOKENS);
        Some(Usage {
            input_tokens: add(self.input_tokens, other.input_tokens)?,
            cache_read_tokens: add(self.cache_read_tokens, other.cache_read_tokens)?,
            cache_write_5m_tokens: add(self.cache_write_5m_tokens, other.cache_write_5m_tokens)?,
            cache_write_1h_tokens: add(self.cache_write_1h_tokens, other.cache_write_1h_tokens)?,
            output_tokens: add(self.output_tokens, other.output_tokens)?,
            reasoning_tokens: add(self.reasoning_tokens, other.reasoning_tokens)?,
            cache_storage_token_hours: add(
                self.cache_storage_token_hours,
                other.cache_storage_token_hours,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// A usage is valid exactly when its invariants hold (the check takes a shortcut
        /// for valid ones).
        #[test]
        fn a_usage_is_valid_when_its_invariants_hold(
            counts in prop::collection::vec(
                prop_oneof![
                    4 => 0..1_000u64,
                    1 => Just(MAX_TOKENS),
                    1 => Just(MAX_TOKENS + 1),
                    1 => Just(u64::MAX),
                ],
                7,
            )
        ) {
            let usage = Usage {
                input_tokens: counts[0],
                cache_read_tokens: counts[1],
                cache_write_5m_tokens: counts[2],
                cache_write_1h_tokens: counts[3],
                output_tokens: counts[4],
                reasoning_tokens: counts[5],
                cache_storage_token_hours: counts[6],
            };
            let holds = counts.iter().all(|&count| count <= MAX_TOKENS)
                && u128::from(counts[1]) + u128::from(counts[2]) + u128::from(counts[3])
                    <= u128::from(counts[0])
                && counts[5] <= counts[4];
            prop_assert_eq!(usage.validate().is_ok(), holds, "{:?}", usage);
        }
    }
}
