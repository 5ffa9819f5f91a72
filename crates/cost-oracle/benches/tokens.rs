//! cost-core's token counting against tiktoken-rs, in the same run (criterion):
//! `cargo bench -p cost-oracle --bench tokens`. Both encodings, on 1 KB, 10 KB and 100 KB of a
//! novel and the whole novel; the counts are asserted equal before anything is timed.

use cost_core::{Encoding, Tokenizer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tiktoken_rs::CoreBPE;

const NOVEL: &str = include_str!("../../../tests/fixtures/pride-and-prejudice-pg1342.txt");
const O200K: &[u8] = include_bytes!("../../cost-core/data/vocab/o200k_base.vocab");
const CL100K: &[u8] = include_bytes!("../../cost-core/data/vocab/cl100k_base.vocab");

fn inputs() -> Vec<(&'static str, &'static str)> {
    let prefix = |mut len: usize| {
        while !NOVEL.is_char_boundary(len) {
            len += 1;
        }
        &NOVEL[..len]
    };
    vec![
        ("1KB", prefix(1_000)),
        ("10KB", prefix(10_000)),
        ("100KB", prefix(100_000)),
        ("novel", NOVEL),
    ]
}

fn compare(c: &mut Criterion) {
    for (encoding, bytes, peer) in [
        (
            Encoding::O200kBase,
            O200K,
            tiktoken_rs::o200k_base_singleton(),
        ),
        (
            Encoding::Cl100kBase,
            CL100K,
            tiktoken_rs::cl100k_base_singleton(),
        ),
    ] {
        let ours = Tokenizer::from_bytes(encoding, bytes).expect("valid asset");
        let peer: &CoreBPE = peer;
        // Equivalence first: the same counts on every input, or nothing is compared.
        for (name, text) in inputs() {
            let expected = peer.encode_ordinary(text).len();
            assert_eq!(ours.count(text), expected, "{encoding} on {name}");
        }
        let mut group = c.benchmark_group(format!("count/{encoding}"));
        for (name, text) in inputs() {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new("cost-core", name), text, |b, text| {
                b.iter(|| ours.count(text))
            });
            group.bench_with_input(BenchmarkId::new("tiktoken-rs", name), text, |b, text| {
                b.iter(|| peer.encode_ordinary(text).len())
            });
        }
        group.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
