//! Token counting throughput (criterion, `cargo bench -p cost-core --features bundled-vocab`):
//! both encodings on 1 KB, 10 KB and 100 KB of a novel and the whole novel, and the time to
//! load a vocabulary from its asset bytes. The comparison with tiktoken-rs, measured in the
//! same run, is `cargo bench -p cost-oracle --bench tokens`.

use cost_core::{Encoding, Tokenizer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const NOVEL: &str = include_str!("../../../tests/fixtures/pride-and-prejudice-pg1342.txt");
const O200K: &[u8] = include_bytes!("../data/vocab/o200k_base.vocab");
const CL100K: &[u8] = include_bytes!("../data/vocab/cl100k_base.vocab");

/// The novel's first 1 KB, 10 KB and 100 KB (cut at char boundaries), and all of it.
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

fn counting(c: &mut Criterion) {
    // Equivalence first: tiktoken's counts of the whole novel (see the fixture tests).
    assert_eq!(
        Tokenizer::bundled(Encoding::O200kBase).count(NOVEL),
        174_392
    );
    assert_eq!(
        Tokenizer::bundled(Encoding::Cl100kBase).count(NOVEL),
        175_627
    );
    for encoding in Encoding::ALL {
        let tokenizer = Tokenizer::bundled(encoding);
        let mut group = c.benchmark_group(format!("count/{encoding}"));
        for (name, text) in inputs() {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new("cost-core", name), text, |b, text| {
                b.iter(|| tokenizer.count(text))
            });
        }
        group.finish();
    }
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    for (encoding, bytes) in [(Encoding::O200kBase, O200K), (Encoding::Cl100kBase, CL100K)] {
        group.bench_function(encoding.as_str(), |b| {
            b.iter(|| Tokenizer::from_bytes(encoding, bytes).expect("valid asset"))
        });
    }
    group.bench_function("o200k_base+count novel", |b| {
        b.iter(|| {
            let tokenizer = Tokenizer::from_bytes(Encoding::O200kBase, O200K).expect("valid");
            tokenizer.count(NOVEL)
        })
    });
    group.finish();
}

criterion_group!(benches, counting, loading);
criterion_main!(benches);
