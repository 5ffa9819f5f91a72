//! Property tests of the money laws over every bundled model: monotonic costs, components
//! that add up, batch never dearer where batch prices are lower, linearity below a tier,
//! and no overflow up to 10^15 tokens.

use cost_core::{select_tier, Catalog, Date, Model, PriceOptions, Usage, Usd, MAX_TOKENS};
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::bundled)
}

fn today() -> Date {
    "2026-11-23".parse().unwrap()
}

/// A usage built from its parts, so "growing a count" keeps the invariants.
#[derive(Debug, Clone, Copy)]
struct Parts {
    uncached: u64,
    read: u64,
    write_5m: u64,
    write_1h: u64,
    output: u64,
    reasoning: u64,
}

impl Parts {
    fn usage(self) -> Usage {
        Usage {
            input_tokens: self.uncached + self.read + self.write_5m + self.write_1h,
            cache_read_tokens: self.read,
            cache_write_5m_tokens: self.write_5m,
            cache_write_1h_tokens: self.write_1h,
            output_tokens: self.output + self.reasoning,
            reasoning_tokens: self.reasoning,
            cache_storage_token_hours: 0,
        }
    }

    fn prompt(self) -> u64 {
        self.usage().input_tokens
    }
}

fn parts(max: u64) -> impl Strategy<Value = Parts> {
    (0..max, 0..max, 0..max, 0..max, 0..max, 0..max).prop_map(|(a, b, c, d, e, f)| Parts {
        uncached: a,
        read: b,
        write_5m: c,
        write_1h: d,
        output: e,
        reasoning: f,
    })
}

fn model_index() -> impl Strategy<Value = usize> {
    0..catalog().models().len()
}

fn cost(model: &Model, usage: &Usage, batch: bool) -> cost_core::Cost {
    catalog()
        .price(
            &model.qualified_id(),
            usage,
            PriceOptions { at: today(), batch },
        )
        .unwrap()
}

/// The lowest tier threshold of a model's current prices, if any.
fn first_threshold(model: &Model) -> Option<u64> {
    model
        .price_set_at(today())
        .standard
        .tiers
        .first()
        .map(|t| t.above_tokens)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn components_add_up_to_the_total(m in model_index(), p in parts(400_000), batch in any::<bool>()) {
        let model = &catalog().models()[m];
        let c = cost(model, &p.usage(), batch);
        let sum: Usd = c.components.named().iter().map(|(_, c)| c.usd).sum();
        prop_assert_eq!(sum, c.total_usd);
        for (_, component) in c.components.named() {
            prop_assert_eq!(component.usd, Usd::for_tokens(component.tokens, component.usd_per_mtok));
        }
    }

    #[test]
    fn growing_any_count_never_lowers_the_cost_within_a_tier(
        m in model_index(),
        p in parts(150_000),
        which in 0..6usize,
        extra in 1..50_000u64,
        batch in any::<bool>(),
    ) {
        let model = &catalog().models()[m];
        let mut q = p;
        match which {
            0 => q.uncached += extra,
            1 => q.read += extra,
            2 => q.write_5m += extra,
            3 => q.write_1h += extra,
            4 => q.output += extra,
            _ => q.reasoning += extra,
        }
        let set = model.price_set_at(today());
        let rates = if batch { set.batch.as_ref().unwrap_or(&set.standard) } else { &set.standard };
        // Same tier on both sides: below the first threshold, or both above the same one.
        let (_, before) = select_tier(rates, p.prompt(), false);
        let (_, after) = select_tier(rates, q.prompt(), false);
        prop_assume!(before.map(|t| t.above_tokens) == after.map(|t| t.above_tokens));
        let smaller = cost(model, &p.usage(), batch).total_usd;
        let larger = cost(model, &q.usage(), batch).total_usd;
        prop_assert!(larger >= smaller, "{}: {:?} -> {:?} lowered {} to {}", model.id, p, q, smaller, larger);
    }

    #[test]
    fn above_a_tier_costs_never_fall_as_counts_grow(m in model_index(), p in parts(100_000), extra in 1..100_000u64) {
        let model = &catalog().models()[m];
        let Some(threshold) = first_threshold(model) else { return Ok(()); };
        let mut above = p;
        above.uncached += threshold + 1; // every request here is above the first threshold
        let mut more = above;
        more.output += extra;
        more.read += extra;
        let set = model.price_set_at(today());
        let (_, t1) = select_tier(&set.standard, above.prompt(), false);
        let (_, t2) = select_tier(&set.standard, more.prompt(), false);
        prop_assume!(t1.map(|t| t.above_tokens) == t2.map(|t| t.above_tokens));
        prop_assert!(cost(model, &more.usage(), false).total_usd >= cost(model, &above.usage(), false).total_usd);
    }

    #[test]
    fn batch_is_never_dearer_where_batch_prices_are_lower(m in model_index(), p in parts(300_000)) {
        let model = &catalog().models()[m];
        let set = model.price_set_at(today());
        let Some(batch) = &set.batch else { return Ok(()); };
        let lower = |b: Option<cost_core::UsdPerMtok>, s: Option<cost_core::UsdPerMtok>| match (b, s) {
            (Some(b), Some(s)) => b <= s,
            _ => true,
        };
        let all_lower = std::iter::once((&batch.base, &set.standard.base))
            .chain(batch.tiers.iter().map(|t| &t.prices).zip(set.standard.tiers.iter().map(|t| &t.prices)))
            .all(|(b, s)| {
                b.input_usd_per_mtok <= s.input_usd_per_mtok
                    && b.output_usd_per_mtok <= s.output_usd_per_mtok
                    && lower(b.cache_read_usd_per_mtok, s.cache_read_usd_per_mtok)
                    && lower(b.cache_write_5m_usd_per_mtok, s.cache_write_5m_usd_per_mtok)
                    && lower(b.cache_write_1h_usd_per_mtok, s.cache_write_1h_usd_per_mtok)
            });
        prop_assume!(all_lower);
        let usage = p.usage();
        prop_assert!(cost(model, &usage, true).total_usd <= cost(model, &usage, false).total_usd);
    }

    #[test]
    fn per_call_costs_sum_to_the_cost_of_the_summed_usage(m in model_index(), calls in prop::collection::vec(parts(20_000), 1..20), batch in any::<bool>()) {
        let model = &catalog().models()[m];
        let mut summed = Usage::default();
        let mut total = Usd::ZERO;
        for call in &calls {
            summed = summed.checked_add(&call.usage()).unwrap();
            total += cost(model, &call.usage(), batch).total_usd;
        }
        // Linear only while the summed prompt stays below the first tier.
        prop_assume!(first_threshold(model).is_none_or(|t| summed.input_tokens <= t));
        prop_assert_eq!(total, cost(model, &summed, batch).total_usd);
    }

    #[test]
    fn no_overflow_or_panic_up_to_ten_to_the_fifteen(m in model_index(), a in 0..=MAX_TOKENS, b in 0..=MAX_TOKENS, batch in any::<bool>()) {
        let model = &catalog().models()[m];
        let usage = Usage { input_tokens: a.max(b), cache_read_tokens: a.min(b) / 2, output_tokens: b, reasoning_tokens: b / 2, ..Usage::default() };
        let c = cost(model, &usage, batch);
        prop_assert!(c.total_usd >= Usd::ZERO);
    }
}

#[test]
fn the_largest_request_prices_exactly_on_every_model() {
    let usage = Usage {
        input_tokens: MAX_TOKENS,
        cache_read_tokens: MAX_TOKENS / 4,
        cache_write_5m_tokens: MAX_TOKENS / 4,
        cache_write_1h_tokens: MAX_TOKENS / 4,
        output_tokens: MAX_TOKENS,
        reasoning_tokens: MAX_TOKENS,
        cache_storage_token_hours: 0,
    };
    for model in catalog().models() {
        for batch in [false, true] {
            let c = cost(model, &usage, batch);
            let sum: Usd = c.components.named().iter().map(|(_, c)| c.usd).sum();
            assert_eq!(sum, c.total_usd, "{}", model.id);
        }
    }
}
