//! The arithmetic of an estimate: calls aggregated into buckets per (section, long-context
//! tier), expected ratios applied to each bucket's token counts (rounded up), and each bucket
//! priced exactly at unit prices read from [`cost_of`], so the tier rule, batch tables and
//! price fallbacks are price.rs's own.
//!
//! Most phases take the fast path: when no call can cross a tier and the context does not
//! grow with outputs, a section's calls are summed from per-section totals without visiting
//! units. Otherwise (a tier crossed, a history context, or warnings to name units for) each
//! unit is visited once. Both paths add the same numbers (a unit test checks it).

use std::collections::HashMap;

use crate::catalog::{CachingStyle, Catalog, Model, Rates, TokenizerFamily};
use crate::error::{Error, ErrorKind, Result};
use crate::money::{Usd, UsdPerMtok};
use crate::pipeline::{Output, Phase, Pipeline};
use crate::price::{cost_of, select_tier, PriceOptions, Warning, WarningKind};
use crate::usage::{Usage, MAX_TOKENS};

use super::cache::{self, Rule};
use super::text::UnitSeq;
use super::{
    is_history, CacheApplied, CacheKind, CachePlan, ComponentCosts, CostRange, EstimateOptions,
    EstimateWarningKind, PricesUsed, TokenCount, TokenTotals,
};
pub(super) use crate::money::group_digits as group;

/// Which output and reasoning sizes a pass uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scenario {
    Low,
    Expected,
    High,
}

impl Scenario {
    fn pick(self, s: crate::pipeline::Spread) -> u64 {
        match self {
            Scenario::Low => s.low,
            Scenario::Expected => s.expected,
            Scenario::High => s.high,
        }
    }
}

/// One way of running the whole pipeline on one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Spec {
    pub scenario: Scenario,
    pub batch: bool,
    pub plan: CachePlan,
}

/// Units, at most [`UnitList::KEEP`] of them by index, and how many in all.
#[derive(Debug, Clone, Default)]
pub(super) struct UnitList {
    /// The first indices (0-based, ascending).
    pub first: Vec<u64>,
    /// How many.
    pub count: u64,
}

impl UnitList {
    const KEEP: usize = 64;

    fn push(&mut self, index: usize) {
        self.count += 1;
        if self.first.len() < Self::KEEP {
            self.first.push(index as u64);
        }
    }
}

/// What the expected pass finds out about a phase besides its cost.
#[derive(Debug, Clone)]
pub(super) struct Collected {
    /// Units whose prompt is above a long-context threshold, and the highest threshold.
    pub tier_units: UnitList,
    pub tier_threshold: Option<u64>,
    /// Units needing more than the context window, and the most any needs.
    pub window_units: UnitList,
    pub window_need: u128,
    /// Units expecting more output than the maximum, and the most any expects.
    pub maxout_units: UnitList,
    pub max_out: u128,
    /// Calls of a history phase whose prompt is below the minimum cacheable prefix.
    pub below_min_units: UnitList,
    /// How prompts were cached.
    pub caching: CacheApplied,
    /// Warnings about the caching.
    pub notes: Vec<(EstimateWarningKind, String)>,
    /// Warnings from pricing (batch unavailable, price fallbacks, date before first price).
    pub price_warnings: Vec<Warning>,
    /// The prices used.
    pub prices: Option<PricesUsed>,
}

impl Collected {
    /// Whether every call fits the context window and the maximum output.
    pub fn fits(&self) -> bool {
        self.window_units.count == 0 && self.maxout_units.count == 0
    }
}

/// One phase in one pass.
#[derive(Debug, Clone)]
pub(super) struct PhaseRun {
    /// Cost per section (expected pass only; empty in the others).
    pub sections: Vec<ComponentCosts>,
    /// The phase's cost: the sum of `sections`.
    pub total: ComponentCosts,
    /// Tokens and calls.
    pub tokens: TokenTotals,
    /// Cost above base rates of the calls priced at a long-context tier.
    pub tier_extra: Usd,
    /// Found by the expected pass.
    pub collected: Option<Box<Collected>>,
}

impl PhaseRun {
    /// Prices a bucket (or a section's share of one) into section `s`; `base`: the base
    /// tier's prices when the bucket is at a long-context tier.
    fn price(&mut self, s: usize, piece: &Final, prices: &UnitPrices, base: Option<&UnitPrices>) {
        let cost = piece.cost(prices);
        if let Some(section) = self.sections.get_mut(s) {
            section.add(&cost);
        }
        self.total.add(&cost);
        if let Some(base) = base {
            self.tier_extra += cost.total() - piece.cost(base).total();
        }
    }
}

/// One compared model's passes.
#[derive(Debug, Clone)]
pub(super) struct ModelRun<'c> {
    pub model: &'c Model,
    /// The model each phase ran on.
    pub phase_models: Vec<&'c Model>,
    /// The expected pass, phase by phase.
    pub expected: Vec<PhaseRun>,
    /// Each phase's low and high totals.
    pub low: Vec<Usd>,
    pub high: Vec<Usd>,
    /// The expected total with the other cache plan (none, or the provider default when
    /// the plan is none).
    pub other_cache: Usd,
    /// The expected total with batch switched.
    pub other_batch: Usd,
    /// The expected total with a 1-hour cache, when that could help.
    pub one_hour: Option<Usd>,
    /// How each phase's tokens were counted.
    pub token_counts: Vec<TokenCount>,
    /// How many units each phase makes calls for.
    pub units: Vec<u64>,
}

/// Tokens of one bucket before the ratios are applied. Everything is summed over calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Raw {
    calls: u128,
    /// Whole prompts.
    prompt: u128,
    /// The units' text (what an output ratio applies to).
    text: u128,
    /// Prompt tokens written to a cache.
    write: u128,
    /// Prompt tokens that would be read from a cache, before the hit ratio.
    read: u128,
    /// Fixed output (reasoning excluded).
    out_fixed: u128,
    reasoning: u128,
    /// A stored cache's creation: input tokens outside any call.
    created: u128,
    /// A stored cache's token-hours.
    storage: u128,
}

impl Raw {
    fn is_empty(&self) -> bool {
        self.calls == 0 && self.created == 0 && self.storage == 0
    }
}

/// A bucket's final tokens.
#[derive(Debug, Clone, Copy, Default)]
struct Final {
    calls: u64,
    uncached: u64,
    w5: u64,
    w1h: u64,
    read: u64,
    output: u64,
    reasoning: u64,
    storage: u64,
}

impl Final {
    fn flags(&self) -> u8 {
        u8::from(self.w5 > 0)
            | u8::from(self.w1h > 0) << 1
            | u8::from(self.read > 0) << 2
            | u8::from(self.output > 0) << 3
            | u8::from(self.storage > 0) << 4
    }

    fn tokens(&self) -> TokenTotals {
        TokenTotals {
            calls: self.calls,
            input_tokens: self.uncached + self.w5 + self.w1h + self.read,
            uncached_input_tokens: self.uncached,
            cache_write_5m_tokens: self.w5,
            cache_write_1h_tokens: self.w1h,
            cache_read_tokens: self.read,
            output_tokens: self.output,
            reasoning_tokens: self.reasoning,
            cache_storage_token_hours: self.storage,
        }
    }

    fn cost(&self, p: &UnitPrices) -> ComponentCosts {
        ComponentCosts {
            input: Usd::for_tokens(self.uncached, p.input),
            cache_write_5m: Usd::for_tokens(self.w5, p.w5),
            cache_write_1h: Usd::for_tokens(self.w1h, p.w1h),
            cache_read: Usd::for_tokens(self.read, p.read),
            output: Usd::for_tokens(self.output, p.output),
            cache_storage: Usd::for_tokens(self.storage, p.storage),
        }
    }

    /// This bucket's share of a split: each count split by weights (largest remainder).
    fn split(&self, weights: &[u64]) -> Vec<Final> {
        let mut out = vec![Final::default(); weights.len()];
        let parts = |total: u64, set: &mut dyn FnMut(&mut Final, u64), out: &mut [Final]| {
            for (f, share) in out.iter_mut().zip(largest_remainder(total, weights)) {
                set(f, share);
            }
        };
        parts(self.calls, &mut |f, v| f.calls = v, &mut out);
        parts(self.uncached, &mut |f, v| f.uncached = v, &mut out);
        parts(self.w5, &mut |f, v| f.w5 = v, &mut out);
        parts(self.w1h, &mut |f, v| f.w1h = v, &mut out);
        parts(self.read, &mut |f, v| f.read = v, &mut out);
        parts(self.output, &mut |f, v| f.output = v, &mut out);
        parts(self.reasoning, &mut |f, v| f.reasoning = v, &mut out);
        parts(self.storage, &mut |f, v| f.storage = v, &mut out);
        out
    }
}

/// `total` split in proportion to `weights`, exactly: each gets the floor of its share, and
/// what is left goes one by one to the largest remainders (the earlier on ties). All to the
/// first when the weights are all zero.
pub(super) fn largest_remainder(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let mut out = vec![0u64; weights.len()];
    if weights.is_empty() {
        return out;
    }
    if sum == 0 {
        out[0] = total;
        return out;
    }
    let mut rests: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
        let share = (exact / sum) as u64;
        out[i] = share;
        given += share;
        rests.push((exact % sum, i));
    }
    rests.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rests.iter().take((total - given) as usize) {
        out[i] += 1;
    }
    out
}

/// Unit prices of one (model, batch, tier), read from `cost_of`.
#[derive(Debug, Clone, Copy)]
struct UnitPrices {
    input: UsdPerMtok,
    w5: UsdPerMtok,
    w1h: UsdPerMtok,
    read: UsdPerMtok,
    output: UsdPerMtok,
    storage: UsdPerMtok,
}

#[derive(Debug, Clone)]
struct Probe {
    prices: UnitPrices,
    warnings: Vec<Warning>,
    meta: PricesUsed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ProbeKey {
    model: usize,
    batch: bool,
    tier: usize,
    flags: u8,
}

/// Runs passes, sharing the unit sequences and the price probes between models.
pub(super) struct Runner<'a> {
    catalog: &'a Catalog,
    pipeline: &'a Pipeline,
    seqs: &'a HashMap<(usize, TokenizerFamily), UnitSeq>,
    nsec: usize,
    options: &'a EstimateOptions,
    probes: HashMap<ProbeKey, Probe>,
    scratch: Vec<Raw>,
    finals: Vec<(usize, usize, Final)>,
}

/// How a model prices a phase in one pass.
struct Setting<'m> {
    model: &'m Model,
    rates: &'m Rates,
    inclusive: bool,
    ntiers: usize,
    rule: Rule,
}

impl<'a> Runner<'a> {
    pub fn new(
        catalog: &'a Catalog,
        pipeline: &'a Pipeline,
        seqs: &'a HashMap<(usize, TokenizerFamily), UnitSeq>,
        text: &super::text::Text,
        options: &'a EstimateOptions,
    ) -> Runner<'a> {
        Runner {
            catalog,
            pipeline,
            seqs,
            nsec: text.sections.len(),
            options,
            probes: HashMap::new(),
            scratch: Vec::new(),
            finals: Vec::new(),
        }
    }

    /// Every pass for one compared model.
    pub fn model<'c>(
        &mut self,
        model: &'c Model,
        phase_models: &[&'c Model],
    ) -> Result<ModelRun<'c>> {
        let o = *self.options;
        let spec = |scenario, batch, plan| Spec {
            scenario,
            batch,
            plan,
        };
        let expected = self.pass(
            phase_models,
            spec(Scenario::Expected, o.batch, o.cache),
            true,
        )?;
        let low = self.pass(phase_models, spec(Scenario::Low, o.batch, o.cache), false)?;
        let high = self.pass(phase_models, spec(Scenario::High, o.batch, o.cache), false)?;
        let other_plan = if o.cache == CachePlan::None {
            CachePlan::ProviderDefault
        } else {
            CachePlan::None
        };
        let total = |runs: &[PhaseRun]| runs.iter().map(|p| p.total.total()).sum::<Usd>();
        let other_cache = total(&self.pass(
            phase_models,
            spec(Scenario::Expected, o.batch, other_plan),
            false,
        )?);
        let other_batch = total(&self.pass(
            phase_models,
            spec(Scenario::Expected, !o.batch, o.cache),
            false,
        )?);
        // A 1-hour cache helps when 5-minute explicit caches expire between calls that are
        // less than an hour apart.
        let five_minute_plan =
            matches!(o.cache, CachePlan::ProviderDefault | CachePlan::FiveMinutes);
        let explicit_anywhere = phase_models.iter().any(|m| {
            self.catalog
                .provider(&m.provider)
                .is_some_and(|p| p.caching == CachingStyle::Explicit)
        });
        let one_hour = if five_minute_plan
            && explicit_anywhere
            && o.calls_per_minute.spaced_beyond(cache::FIVE_MINUTES)
            && !o.calls_per_minute.spaced_beyond(cache::ONE_HOUR)
        {
            Some(total(&self.pass(
                phase_models,
                spec(Scenario::Expected, o.batch, CachePlan::OneHour),
                false,
            )?))
        } else {
            None
        };
        let token_counts = phase_models
            .iter()
            .enumerate()
            .map(|(i, m)| self.seqs[&(i, m.tokenizer)].count.clone())
            .collect();
        let units = phase_models
            .iter()
            .enumerate()
            .map(|(i, m)| self.seqs[&(i, m.tokenizer)].len() as u64)
            .collect();
        Ok(ModelRun {
            model,
            units,
            phase_models: phase_models.to_vec(),
            low: low.iter().map(|p| p.total.total()).collect(),
            high: high.iter().map(|p| p.total.total()).collect(),
            expected,
            other_cache,
            other_batch,
            one_hour,
            token_counts,
        })
    }

    fn pass(
        &mut self,
        phase_models: &[&Model],
        spec: Spec,
        collect: bool,
    ) -> Result<Vec<PhaseRun>> {
        (0..self.pipeline.phases.len())
            .map(|i| self.phase(i, phase_models[i], spec, collect))
            .collect()
    }

    fn setting<'m>(
        &self,
        model: &'m Model,
        spec: Spec,
    ) -> (Setting<'m>, Vec<(EstimateWarningKind, String)>) {
        let provider = self.catalog.provider(&model.provider);
        let inclusive = provider.is_some_and(|p| p.tier_threshold_inclusive);
        let style = provider.map_or(CachingStyle::Automatic, |p| p.caching);
        let set = model.price_set_at(self.options.at);
        let rates = match (spec.batch, &set.batch) {
            (true, Some(batch)) => batch,
            _ => &set.standard,
        };
        let resolved = cache::resolve(
            model,
            style,
            spec.plan,
            self.options.calls_per_minute,
            self.options.at,
        );
        (
            Setting {
                model,
                rates,
                inclusive,
                ntiers: rates.tiers.len() + 1,
                rule: resolved.rule,
            },
            resolved.notes,
        )
    }

    /// One phase on one model in one pass.
    fn phase(
        &mut self,
        index: usize,
        model: &Model,
        spec: Spec,
        collect: bool,
    ) -> Result<PhaseRun> {
        let (pipeline, seqs) = (self.pipeline, self.seqs);
        let phase = &pipeline.phases[index];
        let seq = &seqs[&(index, model.tokenizer)];
        let (setting, notes) = self.setting(model, spec);
        let history = is_history(phase.context);
        let s_tokens = phase.system_prompt_tokens;
        let min = setting.rule.min().unwrap_or(0);
        // What is cached: the system prompt, each call's whole prompt (history), or nothing.
        let mode = match setting.rule {
            Rule::None => Mode::Off,
            Rule::Stored { .. } if s_tokens > 0 => Mode::Prefix,
            Rule::Stored { .. } => Mode::Off,
            _ if history => Mode::Growing,
            _ if s_tokens > 0 && s_tokens >= min => Mode::Prefix,
            _ => Mode::Off,
        };
        let nt = setting.ntiers;
        let nsec = self.nsec;
        let mut buckets = std::mem::take(&mut self.scratch);
        buckets.clear();
        buckets.resize(nsec * nt, Raw::default());

        let sizes = Sizes::new(phase, spec.scenario);
        let mut found = collect.then(Found::default);
        let fixed_base = u128::from(s_tokens) + u128::from(phase.template_tokens);
        let largest = fixed_base + u128::from(seq.max_text_ctx);
        let crosses = setting.ntiers > 1 && tier_of(&setting, largest) > 0;
        let fits_all = {
            let out = u128::from(sizes.expected_out(seq.max_text));
            let window_ok = model
                .context_window
                .is_none_or(|w| largest + out <= u128::from(w));
            let max_ok = model.max_output_tokens.is_none_or(|m| out <= u128::from(m));
            window_ok && max_ok
        };
        if history {
            self.growing(
                phase,
                seq,
                &setting,
                mode,
                &sizes,
                &mut buckets,
                found.as_mut(),
            );
        } else if !crosses && (!collect || fits_all) {
            fast(phase, seq, &setting, mode, &sizes, &mut buckets, nt);
        } else {
            slow(
                phase,
                seq,
                &setting,
                mode,
                &sizes,
                &mut buckets,
                found.as_mut(),
            );
        }
        if let (Rule::Stored { hours }, Mode::Prefix) = (setting.rule, mode) {
            let at = seq.first_section * nt + tier_of(&setting, u128::from(s_tokens));
            buckets[at].created += u128::from(s_tokens);
            buckets[at].storage += u128::from(s_tokens) * u128::from(hours);
        }

        // Ratios, then prices.
        let fin = FinalizeSpec {
            hit: self.options.cache_hit_per_mille,
            apply_hits: !matches!(setting.rule, Rule::Stored { .. }),
            miss_writes: setting.rule.miss_writes(),
            one_hour: setting.rule.one_hour(),
            ratio: match phase.output {
                Output::RatioPerMille(s) => Some(spec.scenario.pick(s)),
                Output::Fixed(_) => None,
            },
            retry: phase.retry_per_mille,
        };
        let mut finals = std::mem::take(&mut self.finals);
        finals.clear();
        for (at, raw) in buckets.iter().enumerate() {
            if raw.is_empty() {
                continue;
            }
            let f = finalize(raw, &fin).ok_or_else(|| too_many(&phase.name, &model.id))?;
            finals.push((at / nt, at % nt, f));
        }
        self.scratch = buckets;

        // Only the expected pass reports costs per section; the others need totals.
        let mut run = PhaseRun {
            sections: if collect {
                vec![ComponentCosts::default(); nsec]
            } else {
                Vec::new()
            },
            total: ComponentCosts::default(),
            tokens: TokenTotals::default(),
            tier_extra: Usd::ZERO,
            collected: None,
        };
        let mut price_warnings: Vec<Warning> = Vec::new();
        let mut meta: Option<PricesUsed> = None;
        for tier in 0..nt {
            let flags = finals
                .iter()
                .filter(|(_, t, _)| *t == tier)
                .fold(0u8, |acc, (_, _, f)| acc | f.flags());
            if !finals.iter().any(|(_, t, _)| *t == tier) {
                continue;
            }
            let probe = self.probe(&setting, spec.batch, tier, flags)?;
            let prices = probe.prices;
            if collect {
                for w in &probe.warnings {
                    if !price_warnings.contains(w) {
                        price_warnings.push(w.clone());
                    }
                }
                if meta.is_none() {
                    meta = Some(probe.meta.clone());
                }
            }
            let base = if tier > 0 {
                Some(self.probe(&setting, spec.batch, 0, flags)?.prices)
            } else {
                None
            };
            for (section, _, f) in finals.iter().filter(|(_, t, _)| *t == tier) {
                run.tokens.add(&f.tokens());
                match &seq.split {
                    Some(weights) => {
                        for (s, piece) in f.split(weights).iter().enumerate() {
                            run.price(s, piece, &prices, base.as_ref());
                        }
                    }
                    None => run.price(*section, f, &prices, base.as_ref()),
                }
            }
        }
        self.finals = finals;
        if collect {
            if meta.is_none() {
                meta = Some(self.probe(&setting, spec.batch, 0, 0)?.meta.clone());
            }
            let found = found.unwrap_or_default();
            let mut notes = notes;
            let caching = describe(phase, &setting, mode, min, &mut notes, &found);
            run.collected = Some(Box::new(Collected {
                tier_units: found.tier_units,
                tier_threshold: found.tier_threshold,
                window_units: found.window_units,
                window_need: found.window_need,
                maxout_units: found.maxout_units,
                max_out: found.max_out,
                below_min_units: found.below_min_units,
                caching,
                notes,
                price_warnings,
                prices: meta,
            }));
        }
        Ok(run)
    }

    /// The unit prices of a tier, from `cost_of` on a usage with one token of each
    /// component `flags` names (so only the fallbacks that matter warn).
    fn probe(
        &mut self,
        setting: &Setting<'_>,
        batch: bool,
        tier: usize,
        flags: u8,
    ) -> Result<&Probe> {
        let key = ProbeKey {
            model: setting.model as *const Model as usize,
            batch,
            tier,
            flags,
        };
        if !self.probes.contains_key(&key) {
            let bit = |b: u8| u64::from(flags >> b & 1);
            let parts = bit(0) + bit(1) + bit(2);
            let prompt = if tier == 0 {
                parts
            } else {
                let threshold = setting.rates.tiers[tier - 1].above_tokens;
                if setting.inclusive {
                    threshold
                } else {
                    threshold + 1
                }
            };
            let usage = Usage {
                input_tokens: prompt.max(parts),
                cache_write_5m_tokens: bit(0),
                cache_write_1h_tokens: bit(1),
                cache_read_tokens: bit(2),
                output_tokens: bit(3),
                reasoning_tokens: 0,
                cache_storage_token_hours: bit(4),
            };
            let cost = cost_of(
                setting.model,
                setting.inclusive,
                &usage,
                PriceOptions {
                    at: self.options.at,
                    batch,
                },
            )?;
            let c = &cost.components;
            let probe = Probe {
                prices: UnitPrices {
                    input: c.input.usd_per_mtok,
                    w5: c.cache_write_5m.usd_per_mtok,
                    w1h: c.cache_write_1h.usd_per_mtok,
                    read: c.cache_read.usd_per_mtok,
                    output: c.output.usd_per_mtok,
                    storage: c.cache_storage.usd_per_mtok,
                },
                warnings: cost
                    .warnings
                    .into_iter()
                    .filter(|w| {
                        matches!(
                            w.kind,
                            WarningKind::BatchUnavailable
                                | WarningKind::PriceFallback
                                | WarningKind::BeforeFirstPrice
                        )
                    })
                    .collect(),
                meta: PricesUsed {
                    model: cost.model,
                    prices_from: cost.prices_from,
                    prices_checked: cost.prices_checked,
                    source: cost.source,
                    batch: cost.batch,
                },
            };
            self.probes.insert(key, probe);
        }
        Ok(&self.probes[&key])
    }

    /// A history phase: every call resends all earlier units and their outputs.
    #[allow(clippy::too_many_arguments)]
    fn growing(
        &self,
        phase: &Phase,
        seq: &UnitSeq,
        setting: &Setting<'_>,
        mode: Mode,
        sizes: &Sizes,
        buckets: &mut [Raw],
        mut found: Option<&mut Found>,
    ) {
        let nt = setting.ntiers;
        let c = u128::from(phase.calls_per_unit);
        let s_tokens = u128::from(phase.system_prompt_tokens);
        let t = u128::from(phase.template_tokens);
        let min = u128::from(setting.rule.min().unwrap_or(0));
        let (writes, within) = match setting.rule {
            Rule::Explicit { beyond_ttl, .. } => (true, !beyond_ttl),
            Rule::Automatic {
                writes, beyond_ttl, ..
            } => (writes, !beyond_ttl),
            Rule::None | Rule::Stored { .. } => (false, false),
        };
        let (mut history, mut history_expected) = (0u128, 0u128);
        let (mut prev_prompt, mut prev_eligible) = (0u128, false);
        let mut start = 0;
        for s in 0..seq.ends.len() {
            let end = seq.ends[s].min(seq.len());
            for u in start..end {
                let text = u128::from(seq.tokens[u]);
                let prompt = s_tokens + history + t + text;
                let prompt_expected = s_tokens + history_expected + t + text;
                // Whether a call's prompt is cached is decided on the expected sizes, so the
                // low and high passes cache the same calls and stay on either side.
                let eligible = prompt_expected > 0 && prompt_expected >= min;
                let tier = tier_of(setting, prompt);
                let b = &mut buckets[s * nt + tier];
                b.calls += c;
                b.prompt += c * prompt;
                b.text += c * text;
                b.out_fixed += c * u128::from(sizes.fixed);
                b.reasoning += c * u128::from(sizes.reasoning);
                match mode {
                    Mode::Growing if within => {
                        let read_first = if u > 0 && prev_eligible {
                            prev_prompt
                        } else {
                            0
                        };
                        b.read += read_first;
                        if eligible && writes {
                            b.write += prompt - read_first;
                        }
                        if eligible {
                            b.read += (c - 1) * prompt;
                        }
                    }
                    Mode::Growing => {
                        if eligible && writes {
                            b.write += c * prompt;
                        }
                    }
                    Mode::Prefix => add_prefix(b, setting.rule, s_tokens, c, u == 0),
                    Mode::Off => {}
                }
                if let Some(found) = found.as_deref_mut() {
                    found.unit(setting, u, tier, prompt, sizes.expected_out(seq.tokens[u]));
                    if mode == Mode::Growing && !eligible && prompt_expected > 0 {
                        found.below_min_units.push(u);
                    }
                }
                history += t + text + u128::from(sizes.visible(seq.tokens[u]));
                history_expected += t + text + u128::from(sizes.visible_expected(seq.tokens[u]));
                prev_prompt = prompt;
                prev_eligible = eligible;
            }
            start = start.max(end);
        }
    }
}

/// What a phase caches on a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Off,
    /// The system prompt.
    Prefix,
    /// Each call's whole prompt (history phases).
    Growing,
}

/// A phase's output and reasoning sizes in one scenario (and the expected ones, for
/// warnings and caching decisions).
struct Sizes {
    /// Fixed output per call (0 for a ratio).
    fixed: u64,
    ratio: Option<u64>,
    ratio_expected: Option<u64>,
    fixed_expected: u64,
    reasoning: u64,
    reasoning_expected: u64,
}

impl Sizes {
    fn new(phase: &Phase, scenario: Scenario) -> Sizes {
        let (fixed, fixed_expected, ratio, ratio_expected) = match phase.output {
            Output::Fixed(s) => (scenario.pick(s), s.expected, None, None),
            Output::RatioPerMille(s) => (0, 0, Some(scenario.pick(s)), Some(s.expected)),
        };
        Sizes {
            fixed,
            ratio,
            ratio_expected,
            fixed_expected,
            reasoning: scenario.pick(phase.reasoning_tokens),
            reasoning_expected: phase.reasoning_tokens.expected,
        }
    }

    /// Visible output of one call on a unit of `text` tokens.
    fn visible(&self, text: u64) -> u64 {
        match self.ratio {
            Some(r) => ratio_of(text, r),
            None => self.fixed,
        }
    }

    fn visible_expected(&self, text: u64) -> u64 {
        match self.ratio_expected {
            Some(r) => ratio_of(text, r),
            None => self.fixed_expected,
        }
    }

    /// Expected output of one call, reasoning included.
    fn expected_out(&self, text: u64) -> u64 {
        self.visible_expected(text)
            .saturating_add(self.reasoning_expected)
    }
}

fn ratio_of(text: u64, per_mille: u64) -> u64 {
    u64::try_from((u128::from(text) * u128::from(per_mille)).div_ceil(1000)).unwrap_or(u64::MAX)
}

/// Per-unit findings of the expected pass.
#[derive(Debug, Default)]
struct Found {
    tier_units: UnitList,
    tier_threshold: Option<u64>,
    window_units: UnitList,
    window_need: u128,
    maxout_units: UnitList,
    max_out: u128,
    below_min_units: UnitList,
}

impl Found {
    fn unit(&mut self, setting: &Setting<'_>, u: usize, tier: usize, prompt: u128, out: u64) {
        if tier > 0 {
            self.tier_units.push(u);
            let threshold = setting.rates.tiers[tier - 1].above_tokens;
            self.tier_threshold = Some(self.tier_threshold.map_or(threshold, |t| t.max(threshold)));
        }
        let need = prompt + u128::from(out);
        if setting
            .model
            .context_window
            .is_some_and(|w| need > u128::from(w))
        {
            self.window_units.push(u);
            self.window_need = self.window_need.max(need);
        }
        if setting
            .model
            .max_output_tokens
            .is_some_and(|m| u128::from(out) > u128::from(m))
        {
            self.maxout_units.push(u);
            self.max_out = self.max_out.max(u128::from(out));
        }
    }
}

/// The tier index (0 = base) of a prompt, as `select_tier` decides it.
fn tier_of(setting: &Setting<'_>, prompt: u128) -> usize {
    if setting.ntiers == 1 {
        return 0;
    }
    let prompt = u64::try_from(prompt).unwrap_or(u64::MAX);
    match select_tier(setting.rates, prompt, setting.inclusive).1 {
        None => 0,
        Some(applied) => {
            1 + setting
                .rates
                .tiers
                .iter()
                .position(|t| t.above_tokens == applied.above_tokens)
                .unwrap_or(0)
        }
    }
}

/// Adds `calls` calls' system-prompt caching to a bucket; `first`: the phase's first call is
/// among them.
fn add_prefix(b: &mut Raw, rule: Rule, prefix: u128, calls: u128, first: bool) {
    if calls == 0 {
        return;
    }
    match rule {
        Rule::Explicit {
            beyond_ttl: false, ..
        } => {
            if first {
                b.write += prefix;
                b.read += prefix * (calls - 1);
            } else {
                b.read += prefix * calls;
            }
        }
        Rule::Explicit {
            beyond_ttl: true, ..
        } => b.write += prefix * calls,
        Rule::Automatic {
            writes,
            beyond_ttl: false,
            ..
        } => {
            if first {
                if writes {
                    b.write += prefix;
                }
                b.read += prefix * (calls - 1);
            } else {
                b.read += prefix * calls;
            }
        }
        Rule::Automatic {
            writes,
            beyond_ttl: true,
            ..
        } => {
            if writes {
                b.write += prefix * calls;
            }
        }
        Rule::Stored { .. } => b.read += prefix * calls,
        Rule::None => {}
    }
}

/// Sums a phase's calls per section from the sections' totals (no tier crossed, context not
/// growing).
fn fast(
    phase: &Phase,
    seq: &UnitSeq,
    setting: &Setting<'_>,
    mode: Mode,
    sizes: &Sizes,
    buckets: &mut [Raw],
    nt: usize,
) {
    let c = u128::from(phase.calls_per_unit);
    let fixed_base = u128::from(phase.system_prompt_tokens) + u128::from(phase.template_tokens);
    for (s, sum) in seq.sums.iter().enumerate() {
        if sum.n == 0 {
            continue;
        }
        let calls = c * u128::from(sum.n);
        let b = &mut buckets[s * nt];
        b.calls += calls;
        b.prompt += calls * fixed_base + c * (sum.text + sum.ctx);
        b.text += c * sum.text;
        b.out_fixed += calls * u128::from(sizes.fixed);
        b.reasoning += calls * u128::from(sizes.reasoning);
        if mode == Mode::Prefix {
            add_prefix(
                b,
                setting.rule,
                u128::from(phase.system_prompt_tokens),
                calls,
                s == seq.first_section,
            );
        }
    }
}

/// Visits every unit of a phase whose context does not grow.
fn slow(
    phase: &Phase,
    seq: &UnitSeq,
    setting: &Setting<'_>,
    mode: Mode,
    sizes: &Sizes,
    buckets: &mut [Raw],
    mut found: Option<&mut Found>,
) {
    let nt = setting.ntiers;
    let c = u128::from(phase.calls_per_unit);
    let fixed_base = u128::from(phase.system_prompt_tokens) + u128::from(phase.template_tokens);
    let mut start = 0;
    for s in 0..seq.ends.len() {
        let end = seq.ends[s].min(seq.len());
        for u in start..end {
            let text = seq.tokens[u];
            let prompt = fixed_base + seq.context(phase.context, u) + u128::from(text);
            let tier = tier_of(setting, prompt);
            let b = &mut buckets[s * nt + tier];
            b.calls += c;
            b.prompt += c * prompt;
            b.text += c * u128::from(text);
            b.out_fixed += c * u128::from(sizes.fixed);
            b.reasoning += c * u128::from(sizes.reasoning);
            if mode == Mode::Prefix {
                add_prefix(
                    b,
                    setting.rule,
                    u128::from(phase.system_prompt_tokens),
                    c,
                    u == 0,
                );
            }
            if let Some(found) = found.as_deref_mut() {
                found.unit(setting, u, tier, prompt, sizes.expected_out(text));
            }
        }
        start = start.max(end);
    }
}

/// How a bucket's ratios apply.
struct FinalizeSpec {
    hit: u64,
    apply_hits: bool,
    miss_writes: bool,
    one_hour: bool,
    ratio: Option<u64>,
    retry: u64,
}

/// A bucket's final tokens: the hit ratio, the output ratio and retries applied to its
/// token counts, each rounded up. `None` when a count passes 10^15.
fn finalize(raw: &Raw, spec: &FinalizeSpec) -> Option<Final> {
    let miss = if spec.apply_hits {
        share(raw.read, 1000 - spec.hit.min(1000))
    } else {
        0
    };
    let read = raw.read - miss;
    let write = raw.write + if spec.miss_writes { miss } else { 0 };
    let mut uncached = raw.prompt.saturating_sub(write + read);
    let mut read = read;
    let visible = match spec.ratio {
        Some(r) => share(raw.text, r),
        None => raw.out_fixed,
    };
    let mut output = visible + raw.reasoning;
    let mut reasoning = raw.reasoning;
    let mut calls = raw.calls;
    if spec.retry > 0 {
        // A retry resends the same prompt at once: its cached prefix is read.
        calls += share(calls, spec.retry);
        let retried_read = share(read + write, spec.retry);
        uncached += share(uncached, spec.retry);
        read += retried_read;
        output += share(output, spec.retry);
        reasoning += share(reasoning, spec.retry);
    }
    uncached += raw.created;
    let cap = |x: u128| u64::try_from(x).ok().filter(|&v| v <= MAX_TOKENS);
    let (w5, w1h) = if spec.one_hour {
        (0, write)
    } else {
        (write, 0)
    };
    Some(Final {
        calls: cap(calls)?,
        uncached: cap(uncached)?,
        w5: cap(w5)?,
        w1h: cap(w1h)?,
        read: cap(read)?,
        output: cap(output)?,
        reasoning: cap(reasoning)?,
        storage: cap(raw.storage)?,
    })
}

/// `x × per_mille / 1000`, rounded up; in `u64` arithmetic when it fits (u128 division is a
/// slow library call, and this runs for every bucket).
fn share(x: u128, per_mille: u64) -> u128 {
    match per_mille {
        0 => 0,
        1000 => x,
        _ => match u64::try_from(x).ok().and_then(|x| x.checked_mul(per_mille)) {
            Some(product) => u128::from(product.div_ceil(1000)),
            None => (x * u128::from(per_mille)).div_ceil(1000),
        },
    }
}

fn too_many(phase: &str, model: &str) -> Error {
    Error::new(
        ErrorKind::InvalidRequest,
        format!("phase `{phase}` on {model} needs more than 10^15 tokens of one kind; check the pipeline's sizes"),
    )
}

/// How a phase's prompts were cached, for people; adds warnings about the minimum prefix.
fn describe(
    phase: &Phase,
    setting: &Setting<'_>,
    mode: Mode,
    min: u64,
    notes: &mut Vec<(EstimateWarningKind, String)>,
    found: &Found,
) -> CacheApplied {
    let model = &setting.model.id;
    let s = phase.system_prompt_tokens;
    let ttl = if setting.rule.one_hour() {
        "1-hour"
    } else {
        "5-minute"
    };
    let explicit_kind = if setting.rule.one_hour() {
        CacheKind::Explicit1h
    } else {
        CacheKind::Explicit5m
    };
    if setting.rule.min_unknown() && mode != Mode::Off {
        notes.push((
            EstimateWarningKind::CacheMinimumUnknown,
            format!(
                "the catalog does not give {model}'s minimum cacheable prefix; phase `{}` assumes its prefix is long enough to cache",
                phase.name
            ),
        ));
    }
    let none = |description: String| CacheApplied {
        kind: CacheKind::None,
        description,
    };
    match (setting.rule, mode) {
        (Rule::None, _) => none("not cached".to_string()),
        (_, Mode::Off) if s == 0 => none("not cached: the phase has no system prompt".to_string()),
        (_, Mode::Off) => {
            notes.push((
                EstimateWarningKind::CachePrefixBelowMinimum,
                format!(
                    "the {}-token system prompt of phase `{}` is below {model}'s minimum cacheable prefix of {} tokens, so it is not cached",
                    group(s),
                    phase.name,
                    group(min)
                ),
            ));
            none(format!(
                "not cached: the {}-token system prompt is below the {}-token minimum",
                group(s),
                group(min)
            ))
        }
        (Rule::Stored { hours }, _) => CacheApplied {
            kind: CacheKind::Stored,
            description: format!(
                "the {}-token system prompt is written once to an explicit context cache at the input price, stored for {hours} hours and read by every call",
                group(s)
            ),
        },
        (Rule::Explicit { beyond_ttl, .. }, Mode::Prefix) => CacheApplied {
            kind: explicit_kind,
            description: if beyond_ttl {
                format!("calls are spaced beyond the {ttl} cache: each writes the {}-token system prompt again", group(s))
            } else {
                format!("the {}-token system prompt is written to a {ttl} cache by the first call and read by the others", group(s))
            },
        },
        (Rule::Automatic { beyond_ttl, writes, .. }, Mode::Prefix) => CacheApplied {
            kind: CacheKind::Automatic,
            description: match (beyond_ttl, writes) {
                (true, _) => format!("calls are more than 5 minutes apart: the {}-token system prompt is not read from the automatic cache", group(s)),
                (false, false) => format!("the {}-token system prompt is read from the provider's automatic cache after the first call", group(s)),
                (false, true) => format!("the {}-token system prompt is written to the provider's automatic cache by the first call (a billed write) and read by the others", group(s)),
            },
        },
        (rule, _) => {
            if found.below_min_units.count > 0 {
                notes.push((
                    EstimateWarningKind::CachePrefixBelowMinimum,
                    format!(
                        "the prompts of {} of phase `{}` are below {model}'s minimum cacheable prefix of {} tokens, so they are not cached",
                        super::advice::name_units(phase.unit, &found.below_min_units),
                        phase.name,
                        group(min)
                    ),
                ));
            }
            let beyond = matches!(rule, Rule::Explicit { beyond_ttl: true, .. } | Rule::Automatic { beyond_ttl: true, .. });
            let kind = if matches!(rule, Rule::Explicit { .. }) { explicit_kind } else { CacheKind::Automatic };
            let description = match (rule, beyond) {
                (_, true) => "calls are spaced beyond the cache's lifetime: nothing is read from it".to_string(),
                (Rule::Explicit { .. }, false) => format!("each call's whole prompt (the history) is written to a {ttl} cache and read by the next call"),
                _ => "each call reads the previous call's prompt (the history) from the provider's automatic cache".to_string(),
            };
            CacheApplied { kind, description }
        }
    }
}

/// The low, expected and high cost of phase `i` of a run.
pub(super) fn range_of(run: &ModelRun<'_>, i: usize) -> CostRange {
    CostRange {
        low: run.low[i],
        expected: run.expected[i].total.total(),
        high: run.high[i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_is_exact() {
        assert_eq!(largest_remainder(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(largest_remainder(7, &[0, 0]), vec![7, 0]);
        assert_eq!(largest_remainder(100, &[50, 25, 25]), vec![50, 25, 25]);
        assert_eq!(largest_remainder(5, &[2, 3]), vec![2, 3]);
        let parts = largest_remainder(1_000_003, &[7, 11, 13, 0, 1]);
        assert_eq!(parts.iter().sum::<u64>(), 1_000_003);
    }

    /// The fast path (section sums) adds exactly what visiting every unit adds.
    #[test]
    fn fast_and_slow_paths_agree() {
        use crate::estimate::text::Text;
        use crate::estimate::{PlainUnits, TextInput};
        use crate::pipeline::{Context, Spread};
        let catalog = Catalog::bundled();
        let ratios = crate::tokens::TokenRatios::bundled();
        let text = Text::new(
            &TextInput::Units(PlainUnits {
                units: 97,
                tokens_per_unit: 37,
                chapters: 7,
            }),
            false,
        )
        .unwrap();
        let model = catalog.find("claude-sonnet-4-5").unwrap();
        let set = model.price_set_at("2026-11-23".parse().unwrap());
        let rules = [
            Rule::None,
            Rule::Explicit {
                one_hour: false,
                min: Some(0),
                beyond_ttl: false,
            },
            Rule::Explicit {
                one_hour: true,
                min: Some(0),
                beyond_ttl: true,
            },
            Rule::Automatic {
                min: None,
                writes: false,
                beyond_ttl: false,
            },
            Rule::Automatic {
                min: None,
                writes: true,
                beyond_ttl: true,
            },
            Rule::Stored { hours: 3 },
        ];
        let contexts = [
            Context::None,
            Context::Previous { units: 1 },
            Context::Previous { units: 5 },
            Context::RunningSummary { tokens: 300 },
        ];
        for rule in rules {
            for context in contexts {
                for calls in 1..=3 {
                    let phase = Phase {
                        name: "p".into(),
                        unit: crate::pipeline::Unit::Sentence,
                        model: None,
                        system_prompt_tokens: 1500,
                        template_tokens: 20,
                        context,
                        output: Output::Fixed(Spread::exactly(70)),
                        reasoning_tokens: Spread::exactly(5),
                        calls_per_unit: calls,
                        retry_per_mille: 0,
                    };
                    let seq = text.units(&phase, model.tokenizer, &ratios).unwrap();
                    let setting = Setting {
                        model,
                        rates: &set.standard,
                        inclusive: false,
                        ntiers: set.standard.tiers.len() + 1,
                        rule,
                    };
                    let mode = if rule == Rule::None {
                        Mode::Off
                    } else {
                        Mode::Prefix
                    };
                    let sizes = Sizes::new(&phase, Scenario::Expected);
                    let nt = setting.ntiers;
                    let mut a = vec![Raw::default(); text.sections.len() * nt];
                    let mut b = a.clone();
                    fast(&phase, &seq, &setting, mode, &sizes, &mut a, nt);
                    slow(&phase, &seq, &setting, mode, &sizes, &mut b, None);
                    assert_eq!(a, b, "{rule:?} {context:?} {calls}");
                }
            }
        }
    }

    #[test]
    fn group_separates_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1024), "1,024");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
