//! The generated-cost fixture: 600 seeded usages over every bundled model, with the costs
//! this build computes natively. The web app's component tests (wasm-bindgen-test in
//! Chromium) and the npm package's JS tests price the same usages and must get the same
//! femto-dollars; this test fails when the fixture no longer matches the native figures
//! (`LLMCOST_BLESS=1 cargo test -p cost-core --test generated_costs` rewrites it).

use cost_core::{Catalog, Date, PriceOptions, Usage, MAX_TOKENS};
use serde_json::{json, Value};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/generated-costs.json"
);
const CASES: usize = 600;

/// SplitMix64: the same sequence on every platform, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A count whose number of digits is uniform from 0 to 15: small and huge counts alike.
    fn count(&mut self, max: u64) -> u64 {
        let digits = (self.next() % 16) as u32;
        if digits == 0 {
            return 0;
        }
        (self.next() % 10u64.pow(digits)).min(max)
    }
}

fn cases() -> Value {
    let catalog = Catalog::bundled();
    let models = catalog.models();
    let dates: [Date; 3] = ["2026-11-23", "2026-03-01", "2025-07-15"].map(|d| d.parse().unwrap());
    let mut rng = Rng(0x11C0_57ED);
    let quarter = MAX_TOKENS / 4;
    let mut out = Vec::with_capacity(CASES);
    for i in 0..CASES {
        let model = &models[i % models.len()];
        let (uncached, read, write_5m, write_1h) = (
            rng.count(quarter),
            rng.count(quarter),
            rng.count(quarter),
            rng.count(quarter),
        );
        let (answer, reasoning) = (rng.count(MAX_TOKENS / 2), rng.count(MAX_TOKENS / 2));
        let usage = Usage {
            input_tokens: uncached + read + write_5m + write_1h,
            cache_read_tokens: read,
            cache_write_5m_tokens: write_5m,
            cache_write_1h_tokens: write_1h,
            output_tokens: answer + reasoning,
            reasoning_tokens: reasoning,
            cache_storage_token_hours: 0,
        };
        let batch = rng.next() % 3 == 0;
        let at = dates[(rng.next() % 3) as usize];
        let priced = catalog.price(&model.qualified_id(), &usage, PriceOptions { at, batch });
        let expected = match priced {
            Ok(cost) => json!({
                "total_usd": cost.total_usd,
                "components": cost
                    .components
                    .named()
                    .iter()
                    .map(|(name, c)| (name.to_string(), json!(c.usd)))
                    .collect::<serde_json::Map<_, _>>(),
            }),
            Err(error) => json!({ "error": error.kind().as_str() }),
        };
        out.push(json!({
            "model": model.qualified_id(),
            "usage": usage,
            "batch": batch,
            "at": at.to_string(),
            "expected": expected,
        }));
    }
    Value::Array(out)
}

#[test]
fn the_generated_cost_fixture_matches_the_native_figures() {
    let now = cases();
    if std::env::var_os("LLMCOST_BLESS").is_some() {
        // One case per line: small, and a diff shows which cases changed.
        let lines: Vec<String> = now
            .as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect();
        let text = format!("[\n{}\n]\n", lines.join(",\n"));
        std::fs::write(FIXTURE, text).unwrap();
        return;
    }
    let text = std::fs::read_to_string(FIXTURE).expect("tests/fixtures/generated-costs.json");
    let saved: Value = serde_json::from_str(&text).unwrap();
    let (saved, now) = (saved.as_array().unwrap(), now.as_array().unwrap());
    assert_eq!(saved.len(), now.len());
    for (i, (s, n)) in saved.iter().zip(now).enumerate() {
        assert_eq!(
            s, n,
            "case {i} differs from the native figures; if the change is intended, rerun with \
             LLMCOST_BLESS=1 and say why in the commit"
        );
    }
    // Not a degenerate fixture: huge and small counts, errors rare, batch both ways.
    let priced = now
        .iter()
        .filter(|c| c["expected"]["total_usd"].is_string())
        .count();
    assert!(priced >= CASES * 9 / 10, "{priced} of {CASES} priced");
    assert!(now
        .iter()
        .any(|c| c["usage"]["input_tokens"].as_u64() > Some(MAX_TOKENS / 2)));
    assert!(now
        .iter()
        .any(|c| c["usage"]["input_tokens"].as_u64() < Some(1_000)));
}
