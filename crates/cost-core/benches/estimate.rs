//! Pre-run estimate speed (criterion, `cargo bench -p cost-core --bench estimate`): every preset
//! over a Pride-and-Prejudice-sized profile (61 chapters, 6,000 sentences; counted once,
//! outside the timing) on the 60 cheapest current bundled models. With
//! `--features bundled-vocab` the real novel (`tests/fixtures/pride-and-prejudice-pg1342.txt`)
//! is profiled with `o200k_base` and `cl100k_base` and estimated too.
//!
//! The timed work is all of [`estimate`]: per model the expected, low and high passes, the
//! passes without caching and with batch switched (for savings and recommendations), the
//! price probes, warnings and ranking.

use cost_core::{
    estimate, presets, Book, Catalog, CountTokens, EstimateOptions, NamedCounter, ProfileBuilder,
    ProfileOptions, ReadOptions, TextInput, TextProfile, TokenRatios, Usd,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// A word counter standing in for a tokenizer: the synthetic profile only needs counts.
struct Words;

impl CountTokens for Words {
    fn count(&self, text: &str) -> usize {
        text.split_whitespace().count()
    }
}

/// 61 chapters and 6,000 sentences (headings included) of 12 to 36 words, in paragraphs of four, counted as
/// `o200k_base` by a word counter.
fn synthetic_profile() -> TextProfile {
    let mut text = String::new();
    let mut sentence = 0;
    for chapter in 0..61 {
        text.push_str(&format!("CHAPTER {}.\n\n", chapter + 1));
        // Each heading is a sentence too: 61 headings and 5,939 sentences of prose.
        let sentences = 5_939 / 61 + usize::from(chapter < 5_939 % 61);
        for s in 0..sentences {
            let words = 12 + (sentence * 7) % 25;
            let body: Vec<&str> = (0..words)
                .map(|w| if w % 3 == 0 { "Elizabeth" } else { "walked" })
                .collect();
            text.push_str(&body.join(" "));
            text.push_str(". ");
            if s % 4 == 3 {
                text.push_str("\n\n");
            }
            sentence += 1;
        }
        text.push_str("\n\n");
    }
    let book = Book::read(text.as_bytes(), &ReadOptions::default()).expect("synthetic text reads");
    let builder = ProfileBuilder::new(
        book,
        vec![NamedCounter::new("o200k_base", Words)],
        ProfileOptions::default(),
    )
    .expect("one encoding");
    let profile = builder.finish().profile;
    assert_eq!(profile.units.chapters, 61);
    assert_eq!(profile.units.sentences, 6_000);
    profile
}

/// The 60 current (not deprecated) bundled models with the lowest input plus output price.
fn cheapest_models(catalog: &Catalog, options: &EstimateOptions) -> Vec<String> {
    let mut models: Vec<(i128, String)> = catalog
        .models()
        .iter()
        .filter(|m| !m.deprecated)
        .map(|m| {
            let base = &m.price_set_at(options.at).standard.base;
            let price = Usd::for_tokens(1_000_000, base.input_usd_per_mtok)
                + Usd::for_tokens(1_000_000, base.output_usd_per_mtok);
            (price.femto(), m.qualified_id())
        })
        .collect();
    models.sort();
    models.truncate(60);
    assert_eq!(
        models.len(),
        60,
        "the catalog has fewer than 60 current models"
    );
    models.into_iter().map(|(_, id)| id).collect()
}

fn run(c: &mut Criterion, group_name: &str, text: &TextInput) {
    let catalog = Catalog::bundled();
    let ratios = TokenRatios::bundled();
    let options = EstimateOptions::new("2026-11-23".parse().expect("a date"));
    let models = cheapest_models(&catalog, &options);
    let mut group = c.benchmark_group(group_name);
    for preset in presets() {
        // Equivalence first: the estimate succeeds and is ranked.
        let once = estimate(&catalog, &ratios, text, &preset.pipeline, &models, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        assert_eq!(once.models.len(), 60);
        group.bench_with_input(
            BenchmarkId::new(preset.id.as_str(), "60-models"),
            &preset,
            |b, preset| {
                b.iter(|| {
                    estimate(&catalog, &ratios, text, &preset.pipeline, &models, &options)
                        .expect("estimates")
                })
            },
        );
    }
    group.finish();
}

fn synthetic(c: &mut Criterion) {
    let text = TextInput::Profile(Box::new(synthetic_profile()));
    run(c, "estimate/synthetic-6000-sentences", &text);
}

#[cfg(feature = "bundled-vocab")]
fn novel(c: &mut Criterion) {
    use cost_core::{Encoding, Tokenizer};
    struct Exact(Encoding);
    impl CountTokens for Exact {
        fn count(&self, text: &str) -> usize {
            Tokenizer::bundled(self.0).count(text)
        }
    }
    const NOVEL: &[u8] = include_bytes!("../../../tests/fixtures/pride-and-prejudice-pg1342.txt");
    let book = Book::read(NOVEL, &ReadOptions::default()).expect("the novel reads");
    let profile = ProfileBuilder::new(
        book,
        vec![
            NamedCounter::new("o200k_base", Exact(Encoding::O200kBase)),
            NamedCounter::new("cl100k_base", Exact(Encoding::Cl100kBase)),
        ],
        ProfileOptions::default(),
    )
    .expect("two encodings")
    .finish()
    .profile;
    let text = TextInput::Profile(Box::new(profile));
    run(c, "estimate/pride-and-prejudice", &text);
}

#[cfg(not(feature = "bundled-vocab"))]
fn novel(_: &mut Criterion) {}

criterion_group!(benches, synthetic, novel);
criterion_main!(benches);
