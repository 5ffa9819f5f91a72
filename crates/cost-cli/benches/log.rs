//! Usage-log speed (criterion, `cargo bench -p cost-cli --bench log`): request lines priced,
//! and priced records read back, per line, through cost-core's fast path and through the
//! `serde_json::Value` path it shortcuts (after checking that both give the same records).
//!
//! The lines are those `cargo xtask bench-log` writes: nine Anthropic, OpenAI and Gemini
//! models, each in its provider's usage shape, with a phase and a run tag. The end-to-end
//! figures against LiteLLM and genai-prices are that command's (`bench/log/README.md`);
//! this isolates the core's part from reading files and writing output.

use cost_core::{
    Catalog, Date, GroupKey, LogReader, PricedRecord, ReportBuilder, ReportOptions, Request,
    RequestPricer,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const LINES: usize = 10_000;

/// Request lines in the shapes of `cargo xtask bench-log` (a fixed pseudo-random mix).
fn request_lines() -> Vec<String> {
    let models = [
        ("claude-haiku-4-5", 0),
        ("claude-sonnet-4-5", 0),
        ("gpt-4o-mini", 1),
        ("gpt-4.1-mini", 1),
        ("gpt-4o", 1),
        ("gpt-5-mini", 2),
        ("gemini-2.5-flash", 3),
        ("gemini-2.5-flash-lite", 3),
        ("gemini-2.5-pro", 3),
    ];
    let phases = ["image-prompts", "summaries", "translate", "edit"];
    let mut state = 0x0011_c057_c057_u64;
    let mut next = move |n: u64| {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    };
    (0..LINES)
        .map(|n| {
            let (model, shape) = models[next(models.len() as u64) as usize];
            let prompt = 300 + next(20_000);
            let output = 50 + next(2_000);
            let cached = prompt * next(90) / 100;
            let usage = match shape {
                0 => format!(
                    r#"{{"input_tokens":{},"cache_creation_input_tokens":0,"cache_read_input_tokens":{cached},"output_tokens":{output}}}"#,
                    prompt - cached
                ),
                1 => format!(
                    r#"{{"prompt_tokens":{prompt},"completion_tokens":{output},"total_tokens":{},"prompt_tokens_details":{{"cached_tokens":{cached}}}}}"#,
                    prompt + output
                ),
                2 => format!(
                    r#"{{"input_tokens":{prompt},"input_tokens_details":{{"cached_tokens":{cached}}},"output_tokens":{output},"output_tokens_details":{{"reasoning_tokens":{}}},"total_tokens":{}}}"#,
                    output / 2,
                    prompt + output
                ),
                _ => format!(
                    r#"{{"promptTokenCount":{prompt},"cachedContentTokenCount":{cached},"candidatesTokenCount":{},"thoughtsTokenCount":{},"totalTokenCount":{}}}"#,
                    output - output / 3,
                    output / 3,
                    prompt + output
                ),
            };
            format!(
                r#"{{"model":"{model}","usage":{usage},"at":"2026-01-15","tags":{{"phase":"{}","run":"bench"}}}}"#,
                phases[n % phases.len()]
            )
        })
        .collect()
}

fn log(c: &mut Criterion) {
    let catalog = Catalog::bundled();
    let today: Date = "2026-01-15".parse().unwrap();
    let requests = request_lines();
    // The reference: a `serde_json::Value` tree, then `Catalog::price_request`.
    let by_value = |line: &str| {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        catalog
            .price_request(&Request::from_value(&value).unwrap(), today)
            .unwrap()
    };
    let mut pricer = RequestPricer::new(&catalog, today);
    let priced: Vec<PricedRecord> = requests
        .iter()
        .map(|line| pricer.price_line(line).unwrap())
        .collect();
    for (line, record) in requests.iter().zip(&priced) {
        assert_eq!(*record, by_value(line), "{line}");
    }
    let priced_lines: Vec<String> = priced
        .iter()
        .map(|record| serde_json::to_string(record).unwrap())
        .collect();
    let mut reader = LogReader::new();
    for (line, record) in priced_lines.iter().zip(&priced) {
        assert_eq!(reader.read_line(line).unwrap().as_ref(), Some(record));
    }

    let mut group = c.benchmark_group("request lines priced");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("RequestPricer::price_line", |b| {
        let mut pricer = RequestPricer::new(&catalog, today);
        b.iter(|| {
            for line in &requests {
                std::hint::black_box(pricer.price_line(line).unwrap());
            }
        })
    });
    group.bench_function("RequestPricer::price_line_ref (in place)", |b| {
        let mut pricer = RequestPricer::new(&catalog, today);
        b.iter(|| {
            for line in &requests {
                std::hint::black_box(pricer.price_line_ref(line).unwrap());
            }
        })
    });
    group.bench_function("serde_json::Value, then Catalog::price_request", |b| {
        b.iter(|| {
            for line in &requests {
                std::hint::black_box(by_value(line));
            }
        })
    });
    group.bench_function("priced and grouped by model and phase", |b| {
        b.iter(|| {
            let mut reader = LogReader::pricing(RequestPricer::new(&catalog, today));
            let options = ReportOptions {
                by: vec![GroupKey::Model, GroupKey::tag("phase")],
                ..ReportOptions::default()
            };
            let mut report = ReportBuilder::new(options).unwrap();
            for line in &requests {
                report.add(reader.read_line_ref(line).unwrap().unwrap());
            }
            report.finish()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("priced records read");
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("LogReader::read_line", |b| {
        let mut reader = LogReader::new();
        b.iter(|| {
            for line in &priced_lines {
                std::hint::black_box(reader.read_line(line).unwrap());
            }
        })
    });
    group.bench_function("LogReader::read_line_ref (in place)", |b| {
        let mut reader = LogReader::new();
        b.iter(|| {
            for line in &priced_lines {
                std::hint::black_box(reader.read_line_ref(line).unwrap());
            }
        })
    });
    group.bench_function("serde_json, derived Deserialize", |b| {
        b.iter(|| {
            for line in &priced_lines {
                std::hint::black_box(serde_json::from_str::<PricedRecord>(line).unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, log);
criterion_main!(benches);
