//! Which caching a model gets under a cache plan, from its provider's caching style and its
//! prices: explicit writes (Anthropic), automatic prefix caching, or a stored context cache.

use crate::catalog::{CachingStyle, Model};
use crate::date::Date;

use super::{CachePlan, CallRate, EstimateWarningKind};

/// An explicit cache's lifetimes, in seconds.
pub(super) const FIVE_MINUTES: u64 = 300;
pub(super) const ONE_HOUR: u64 = 3600;

/// How a model's prompts are cached under a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rule {
    /// Not cached.
    None,
    /// The caller writes the prefix (priced as a cache write) and later calls read it.
    Explicit {
        /// A 1-hour cache (else 5 minutes).
        one_hour: bool,
        /// The shortest cacheable prefix, when the catalog knows it.
        min: Option<u64>,
        /// Calls are spaced beyond the lifetime: each one writes again.
        beyond_ttl: bool,
    },
    /// The provider caches repeated prefixes by itself.
    Automatic {
        /// The shortest cacheable prefix, when the catalog knows it.
        min: Option<u64>,
        /// The model bills writes (a 5-minute cache-write price): a miss is written.
        writes: bool,
        /// Calls are more than 5 minutes apart: nothing is read.
        beyond_ttl: bool,
    },
    /// An explicit context cache written once at the input price, read by every call and
    /// stored (and billed) for `hours`.
    Stored {
        /// Hours stored.
        hours: u64,
    },
}

impl Rule {
    /// The shortest cacheable prefix, when the rule has one and the catalog knows it.
    pub fn min(self) -> Option<u64> {
        match self {
            Rule::Explicit { min, .. } | Rule::Automatic { min, .. } => min,
            Rule::None | Rule::Stored { .. } => None,
        }
    }

    /// Whether the rule knows no minimum but caches prefixes.
    pub fn min_unknown(self) -> bool {
        matches!(
            self,
            Rule::Explicit { min: None, .. } | Rule::Automatic { min: None, .. }
        )
    }

    /// Whether a cache miss is written again (rather than sent uncached).
    pub fn miss_writes(self) -> bool {
        matches!(
            self,
            Rule::Explicit { .. } | Rule::Automatic { writes: true, .. }
        )
    }

    /// Whether writes are 1-hour writes.
    pub fn one_hour(self) -> bool {
        matches!(self, Rule::Explicit { one_hour: true, .. })
    }
}

/// A rule, and what the user should know about how it was chosen.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    /// The rule.
    pub rule: Rule,
    /// Warnings about the choice.
    pub notes: Vec<(EstimateWarningKind, String)>,
}

/// The rule for `model` under `plan`.
pub(super) fn resolve(
    model: &Model,
    style: CachingStyle,
    plan: CachePlan,
    rate: CallRate,
    at: Date,
) -> Resolved {
    let mut notes = Vec::new();
    let set = model.price_set_at(at);
    let base = &set.standard.base;
    let mut plan = plan;
    if let CachePlan::Explicit { storage_hours } = plan {
        if base.cache_storage_usd_per_mtok_hour.is_some() && base.cache_read_usd_per_mtok.is_some()
        {
            return Resolved {
                rule: Rule::Stored {
                    hours: storage_hours,
                },
                notes,
            };
        }
        notes.push((
            EstimateWarningKind::StorageUnavailable,
            format!(
                "{} has no context-cache storage price, so an explicit stored cache is not available; its provider's default caching was estimated instead",
                model.id
            ),
        ));
        plan = CachePlan::ProviderDefault;
    }
    if plan == CachePlan::None || style == CachingStyle::None {
        return Resolved {
            rule: Rule::None,
            notes,
        };
    }
    if base.cache_read_usd_per_mtok.is_none() {
        notes.push((
            EstimateWarningKind::NoCachePrice,
            format!(
                "{} publishes no cache-read price, so its prompts are estimated uncached",
                model.id
            ),
        ));
        return Resolved {
            rule: Rule::None,
            notes,
        };
    }
    let rule = match style {
        CachingStyle::Explicit => {
            let one_hour = plan == CachePlan::OneHour;
            let ttl = if one_hour { ONE_HOUR } else { FIVE_MINUTES };
            let beyond_ttl = rate.spaced_beyond(ttl);
            if beyond_ttl {
                notes.push((
                    EstimateWarningKind::CacheSpacedBeyondTtl,
                    format!(
                        "at {rate} calls a minute, calls are more than {} apart, longer than {}'s {} cache lives: every call writes its prefix again and none reads it",
                        if one_hour { "an hour" } else { "5 minutes" },
                        model.id,
                        if one_hour { "1-hour" } else { "5-minute" },
                    ),
                ));
            }
            Rule::Explicit {
                one_hour,
                min: model.cache_min_tokens,
                beyond_ttl,
            }
        }
        CachingStyle::Automatic => {
            let beyond_ttl = rate.spaced_beyond(FIVE_MINUTES);
            if beyond_ttl {
                notes.push((
                    EstimateWarningKind::CacheSpacedBeyondTtl,
                    format!(
                        "at {rate} calls a minute, calls are more than 5 minutes apart: {}'s automatic cache is assumed gone between them, so nothing is read from it",
                        model.id
                    ),
                ));
            }
            Rule::Automatic {
                min: model.cache_min_tokens,
                writes: base.cache_write_5m_usd_per_mtok.is_some(),
                beyond_ttl,
            }
        }
        CachingStyle::None => Rule::None,
    };
    Resolved { rule, notes }
}
