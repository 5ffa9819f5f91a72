//! From passes to the published estimate: totals, warnings that name the units they concern,
//! recommendations with what they save, and the ranking.

use crate::catalog::TokenizerFamily;
use crate::money::Usd;
use crate::pipeline::{Pipeline, Unit};
use crate::price::WarningKind;

use super::run::{group, range_of, ModelRun, UnitList};
use super::{
    CachePlan, ComponentCosts, CostRange, EstimateOptions, EstimateRecommendation,
    EstimateRecommendationKind, EstimateWarning, EstimateWarningKind, ModelEstimate, PhaseCost,
    PricesUsed, Savings, TokenCount, TokenCountKind, TokenTotals,
};

/// Units for people: `chapters 3, 7 and 12`, `chunk 4`, `sentences 1–64 and 5,936 more`.
pub(super) fn name_units(unit: Unit, list: &UnitList) -> String {
    if unit == Unit::WholeText {
        return "the whole text".to_string();
    }
    let (one, many) = unit.nouns();
    // Consecutive indices as ranges, 1-based.
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for &i in &list.first {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == i + 1 => *end = i + 1,
            _ => ranges.push((i + 1, i + 1)),
        }
    }
    // A run of two is two items ("1 and 2"); runs of three or more are ranges ("1–3").
    let items: Vec<(u64, u64)> = ranges
        .iter()
        .flat_map(|&(a, b)| {
            if b == a + 1 {
                vec![(a, a), (b, b)]
            } else {
                vec![(a, b)]
            }
        })
        .collect();
    const SHOW: usize = 6;
    let shown: Vec<String> = items
        .iter()
        .take(SHOW)
        .map(|&(a, b)| {
            if a == b {
                group(a)
            } else {
                format!("{}–{}", group(a), group(b))
            }
        })
        .collect();
    let covered: u64 = items.iter().take(SHOW).map(|(a, b)| b - a + 1).sum();
    let more = list.count.saturating_sub(covered);
    let noun = if list.count == 1 { one } else { many };
    let listed = match (shown.len(), more) {
        (0, _) => return format!("{} {many}", group(list.count)),
        (n, 0) if n > 1 => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        (_, 0) => shown[0].clone(),
        (_, more) => format!("{} and {} more", shown.join(", "), group(more)),
    };
    format!("{noun} {listed}")
}

/// The published estimate of each run.
pub(super) fn finish(
    runs: Vec<ModelRun<'_>>,
    pipeline: &Pipeline,
    options: &EstimateOptions,
) -> Vec<ModelEstimate> {
    let mut out = Vec::with_capacity(runs.len());
    for (r, run) in runs.iter().enumerate() {
        let mut phases = Vec::with_capacity(pipeline.phases.len());
        let mut cost = CostRange::default();
        let mut components = ComponentCosts::default();
        let mut tokens = TokenTotals::default();
        let nsec = run.expected.first().map_or(0, |p| p.sections.len());
        let mut by_section = vec![Usd::ZERO; nsec];
        let mut warnings: Vec<EstimateWarning> = Vec::new();
        let mut prices: Vec<PricesUsed> = Vec::new();
        let mut token_counts: Vec<TokenCount> = Vec::new();
        for (i, phase) in pipeline.phases.iter().enumerate() {
            let pr = &run.expected[i];
            let range = range_of(run, i);
            cost.low += range.low;
            cost.expected += range.expected;
            cost.high += range.high;
            components.add(&pr.total);
            tokens.add(&pr.tokens);
            for (s, c) in pr.sections.iter().enumerate() {
                by_section[s] += c.total();
            }
            let phase_model = run.phase_models[i];
            let collected = pr.collected.as_deref();
            if let Some(c) = collected {
                if let Some(p) = &c.prices {
                    if !prices.iter().any(|q| q.model == p.model) {
                        prices.push(p.clone());
                    }
                }
                phase_warnings(&mut warnings, phase, phase_model, c, pr.tier_extra);
            }
            let count = run.token_counts[i].clone();
            if !token_counts.contains(&count) {
                token_counts.push(count.clone());
            }
            phases.push(PhaseCost {
                phase: phase.name.clone(),
                model: phase_model.id.clone(),
                units: run.units[i],
                cost: range,
                components: pr.total,
                by_section: pr.sections.iter().map(ComponentCosts::total).collect(),
                tokens: pr.tokens,
                caching: collected.map(|c| c.caching.clone()).unwrap_or_else(|| {
                    super::CacheApplied {
                        kind: super::CacheKind::None,
                        description: String::new(),
                    }
                }),
                token_count: count,
            });
        }
        // Approximate counts: one warning per tokenizer, naming its phases.
        let mut families: Vec<(TokenizerFamily, String, Vec<String>, String)> = Vec::new();
        for (i, phase) in pipeline.phases.iter().enumerate() {
            let count = &run.token_counts[i];
            if count.kind != TokenCountKind::Approximate {
                continue;
            }
            let model = run.phase_models[i].id.clone();
            match families.iter_mut().find(|f| f.0 == count.tokenizer) {
                Some(f) => f.2.push(phase.name.clone()),
                None => families.push((
                    count.tokenizer,
                    count.method.clone(),
                    vec![phase.name.clone()],
                    model,
                )),
            }
        }
        for (_, method, names, model) in families {
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            warnings.push(EstimateWarning {
                kind: EstimateWarningKind::ApproximateTokenCount,
                model: model.clone(),
                phase: None,
                units: None,
                affected: 0,
                extra_usd: None,
                message: format!(
                    "the text's token counts for {model} are approximate ({method}); phases {}",
                    names.join(", ")
                ),
            });
        }

        let expected = cost.expected;
        let savings = Savings {
            caching_usd: if options.cache == CachePlan::None {
                Usd::ZERO
            } else {
                run.other_cache - expected
            },
            batch_usd: if options.batch {
                run.other_batch - expected
            } else {
                Usd::ZERO
            },
        };
        let recommendations = recommend(r, &runs, pipeline, options, expected);
        out.push(ModelEstimate {
            model: run.model.id.clone(),
            provider: run.model.provider.clone(),
            name: run.model.name.clone(),
            rank: 0,
            times_cheapest: None,
            cost,
            components,
            by_section,
            tokens,
            phases,
            savings,
            prices,
            token_counts,
            warnings,
            recommendations,
        });
    }
    out
}

fn phase_warnings(
    warnings: &mut Vec<EstimateWarning>,
    phase: &crate::pipeline::Phase,
    model_entry: &crate::catalog::Model,
    c: &super::run::Collected,
    tier_extra: Usd,
) {
    let model = model_entry.id.as_str();
    let mut push = |kind, units: Option<&UnitList>, extra_usd, message: String| {
        let warning = EstimateWarning {
            kind,
            model: model.to_string(),
            phase: Some(phase.name.clone()),
            units: units.map(|u| name_units(phase.unit, u)),
            affected: units.map_or(0, |u| u.count),
            extra_usd,
            message,
        };
        if !warnings
            .iter()
            .any(|w| w.kind == warning.kind && w.message == warning.message)
        {
            warnings.push(warning);
        }
    };
    if c.tier_units.count > 0 {
        let threshold = c.tier_threshold.unwrap_or(0);
        push(
            EstimateWarningKind::LongContextTier,
            Some(&c.tier_units),
            Some(tier_extra),
            format!(
                "the prompts of {} of phase `{}` are above {model}'s {}-token long-context threshold: every token of those calls is priced at the long-context rates, {} more than at base rates",
                name_units(phase.unit, &c.tier_units),
                phase.name,
                group(threshold),
                tier_extra.display()
            ),
        );
    }
    if c.window_units.count > 0 {
        push(
            EstimateWarningKind::ContextWindowExceeded,
            Some(&c.window_units),
            None,
            format!(
                "the calls of {} of phase `{}` need up to {} prompt and output tokens, more than {model}'s context window of {}",
                name_units(phase.unit, &c.window_units),
                phase.name,
                group(u64::try_from(c.window_need).unwrap_or(u64::MAX)),
                group(model_entry.context_window.unwrap_or(0)),
            ),
        );
    }
    if c.maxout_units.count > 0 {
        push(
            EstimateWarningKind::OutputAboveMaximum,
            Some(&c.maxout_units),
            None,
            format!(
                "the calls of {} of phase `{}` expect up to {} output tokens, more than {model}'s maximum output of {}",
                name_units(phase.unit, &c.maxout_units),
                phase.name,
                group(u64::try_from(c.max_out).unwrap_or(u64::MAX)),
                group(model_entry.max_output_tokens.unwrap_or(0)),
            ),
        );
    }
    for (kind, message) in &c.notes {
        let units = (*kind == EstimateWarningKind::CachePrefixBelowMinimum
            && c.below_min_units.count > 0)
            .then_some(&c.below_min_units);
        push(*kind, units, None, message.clone());
    }
    for w in &c.price_warnings {
        let kind = match w.kind {
            WarningKind::BatchUnavailable => EstimateWarningKind::BatchUnavailable,
            WarningKind::BeforeFirstPrice => EstimateWarningKind::BeforeFirstPrice,
            _ => EstimateWarningKind::PriceFallback,
        };
        let mut message = w.message.clone();
        if kind == EstimateWarningKind::BeforeFirstPrice {
            message = message.replace("the request is dated", "the estimate is dated");
        }
        push(kind, None, None, message);
    }
}

/// What would make run `r` cheaper, most saving first.
fn recommend(
    r: usize,
    runs: &[ModelRun<'_>],
    pipeline: &Pipeline,
    options: &EstimateOptions,
    expected: Usd,
) -> Vec<EstimateRecommendation> {
    let run = &runs[r];
    let mut out = Vec::new();
    let mut push =
        |kind, phase: Option<String>, model: Option<String>, saves: Usd, message: String| {
            if saves > Usd::ZERO {
                out.push(EstimateRecommendation {
                    kind,
                    phase,
                    model,
                    saves_usd: saves,
                    message,
                });
            }
        };
    if !options.batch && run.other_batch < expected {
        let saves = expected - run.other_batch;
        push(
            EstimateRecommendationKind::UseBatch,
            None,
            None,
            saves,
            format!(
                "send the calls through the batch API (results within 24 hours): saves {}",
                saves.display()
            ),
        );
    }
    if options.cache == CachePlan::None && run.other_cache < expected {
        let saves = expected - run.other_cache;
        push(
            EstimateRecommendationKind::CacheSystemPrompt,
            None,
            None,
            saves,
            format!(
                "cache the system prompt (the provider's usual caching): saves {}",
                saves.display()
            ),
        );
    }
    if options.cache != CachePlan::None && run.other_cache < expected {
        let saves = expected - run.other_cache;
        push(
            EstimateRecommendationKind::DisableCaching,
            None,
            None,
            saves,
            format!(
                "calls are spaced beyond the cache's lifetime, so caching only adds write charges: not caching saves {}",
                saves.display()
            ),
        );
    }
    if let Some(one_hour) = run.one_hour {
        if one_hour < expected {
            let saves = expected - one_hour;
            push(
                EstimateRecommendationKind::OneHourCache,
                None,
                None,
                saves,
                format!(
                    "calls are more than 5 minutes apart: a 1-hour cache keeps the prefix between them and saves {}",
                    saves.display()
                ),
            );
        }
    }
    for (i, phase) in pipeline.phases.iter().enumerate() {
        let mine = run.expected[i].total.total();
        // A cheaper compared model that fits this phase's calls.
        if phase.model.is_none() {
            let best = runs
                .iter()
                .enumerate()
                .filter(|(o, other)| *o != r && other.model.id != run.model.id)
                .filter(|(_, other)| {
                    other.expected[i]
                        .collected
                        .as_deref()
                        .is_some_and(|c| c.fits())
                })
                .map(|(_, other)| (other.expected[i].total.total(), other.model))
                .min_by(|a, b| a.0.cmp(&b.0));
            if let Some((cost, model)) = best {
                if cost < mine {
                    let saves = mine - cost;
                    push(
                        EstimateRecommendationKind::CheaperModel,
                        Some(phase.name.clone()),
                        Some(model.id.clone()),
                        saves,
                        format!(
                            "run phase `{}` on {} (its calls fit that model's context): saves {}",
                            phase.name,
                            model.id,
                            saves.display()
                        ),
                    );
                }
            }
        }
        // Smaller chunks that stay under a long-context tier.
        if matches!(phase.unit, Unit::Chunk { .. } | Unit::WholeText) {
            if let Some(c) = run.expected[i].collected.as_deref() {
                let extra = run.expected[i].tier_extra;
                if let (Some(threshold), true) = (c.tier_threshold, c.tier_units.count > 0) {
                    push(
                        EstimateRecommendationKind::SplitChunks,
                        Some(phase.name.clone()),
                        None,
                        extra,
                        format!(
                            "cut the text of phase `{}` into chunks whose prompts stay under {}'s {}-token long-context threshold: saves up to {} (the tier's premium on these tokens)",
                            phase.name,
                            run.phase_models[i].id,
                            group(threshold),
                            extra.display()
                        ),
                    );
                }
            }
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.saves_usd));
    out
}

/// Ranks by expected cost (1 = cheapest; ties keep the order asked) and fills in how many
/// times the cheapest each costs.
pub(super) fn rank(models: &mut [ModelEstimate]) {
    let mut order: Vec<usize> = (0..models.len()).collect();
    order.sort_by(|&a, &b| models[a].cost.expected.cmp(&models[b].cost.expected));
    let cheapest = order.first().map(|&i| models[i].cost.expected);
    for (rank, &i) in order.iter().enumerate() {
        models[i].rank = rank as u32 + 1;
        models[i].times_cheapest = cheapest.and_then(|c| times(models[i].cost.expected, c));
    }
}

/// `value / base` to two decimals, rounded half up, exactly: `"2.35"`.
pub(super) fn times(value: Usd, base: Usd) -> Option<String> {
    let (v, b) = (value.femto(), base.femto());
    if b <= 0 {
        return (v <= 0).then(|| "1.00".to_string());
    }
    let hundredths = v.checked_mul(200)?.checked_add(b)? / (2 * b);
    Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(indices: &[u64], count: u64) -> UnitList {
        UnitList {
            first: indices.to_vec(),
            count,
        }
    }

    #[test]
    fn units_are_named_with_ranges() {
        assert_eq!(
            name_units(Unit::Chapter, &list(&[2, 6, 11], 3)),
            "chapters 3, 7 and 12"
        );
        assert_eq!(
            name_units(
                Unit::Chunk {
                    tokens: 1,
                    overlap: 0
                },
                &list(&[3], 1)
            ),
            "chunk 4"
        );
        assert_eq!(
            name_units(Unit::Sentence, &list(&[0, 1, 2, 3, 9], 5)),
            "sentences 1–4 and 10"
        );
        assert_eq!(
            name_units(Unit::Chapter, &list(&[0, 1], 2)),
            "chapters 1 and 2"
        );
        assert_eq!(
            name_units(Unit::Chapter, &list(&[0, 1, 4, 5, 6], 5)),
            "chapters 1, 2 and 5–7"
        );
        assert_eq!(
            name_units(
                Unit::Turns { count: 9 },
                &list(&[0, 2, 4, 6, 8, 10, 12], 100)
            ),
            "turns 1, 3, 5, 7, 9, 11 and 94 more"
        );
        assert_eq!(
            name_units(Unit::WholeText, &list(&[0], 1)),
            "the whole text"
        );
    }

    #[test]
    fn times_is_exact_to_two_decimals() {
        let usd = |s: &str| s.parse::<Usd>().unwrap();
        assert_eq!(times(usd("0.504"), usd("0.252")).as_deref(), Some("2.00"));
        assert_eq!(times(usd("1"), usd("3")).as_deref(), Some("0.33"));
        assert_eq!(times(usd("2"), usd("3")).as_deref(), Some("0.67"));
        assert_eq!(times(usd("0.01005"), usd("0.01")).as_deref(), Some("1.01"));
        assert_eq!(times(usd("0"), usd("0")).as_deref(), Some("1.00"));
        assert_eq!(times(usd("1"), usd("0")), None);
    }
}
