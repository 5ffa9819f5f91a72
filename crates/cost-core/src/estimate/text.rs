//! The text as estimates see it: its sections, and each phase's units counted in a model's
//! tokens, with the per-section sums the fast path prices from.

use crate::catalog::TokenizerFamily;
use crate::error::Result;
use crate::money::group_digits;
use crate::pipeline::{Context, Phase, Unit, MAX_SIZE};
use crate::text::ChunkOptions;
use crate::tokens::{TokenCounts, TokenRatios};

use super::{invalid, EstimateSection, EstimateSectionKind, TextInput, TokenCount, TokenCountKind};

/// The most units a text given by hand may have.
const MAX_UNITS: u64 = 10_000_000;
/// The most chunks a chunked phase may cut a text into: a 50 MB book is about 12 million
/// tokens, 24,000 chunks of 500. Tiny chunks over a large text (one token over a billion)
/// would otherwise take memory and time in proportion to the tokens.
const MAX_CHUNKS: u64 = 1_000_000;

/// One encoding's counts of the book.
#[derive(Debug, Clone)]
struct Counts {
    sentences: Vec<u64>,
    /// One past the last sentence of each book section.
    sentence_ends: Vec<usize>,
    /// Paragraph tokens and ends, when known.
    paragraphs: Option<(Vec<u64>, Vec<usize>)>,
    /// Each chapter's tokens (the front matter is not a chapter).
    chapters: Vec<u64>,
    /// One past the last chapter of each book section.
    chapter_ends: Vec<usize>,
    /// Each book section's tokens: the weights a whole-text call is split by.
    section_tokens: Vec<u64>,
    /// The whole text counted as one string.
    total: u64,
    /// The profile's chunks, with the options they were cut with.
    chunks: Option<(ChunkOptions, Vec<u64>)>,
}

/// The text, normalized.
#[derive(Debug, Clone)]
pub(super) struct Text {
    /// The book's sections, then the conversation when a phase is one.
    pub sections: Vec<EstimateSection>,
    /// Token sizes given by hand, not counted.
    given: bool,
    /// `o200k_base` counts, or the sizes given.
    base: Counts,
    /// `cl100k_base` counts, when the profile has them.
    cl100k: Option<Counts>,
}

/// A phase's units in one model family's tokens.
#[derive(Debug, Clone)]
pub(super) struct UnitSeq {
    /// Each unit's text tokens, in order.
    pub tokens: Vec<u64>,
    /// One past the last unit of each section (one entry per section).
    pub ends: Vec<usize>,
    /// For a whole-text phase: its one call is split across sections by these weights.
    pub split: Option<Vec<u64>>,
    /// How the tokens were counted.
    pub count: TokenCount,
    /// Per section: units, text tokens, context tokens (for contexts that do not depend on
    /// outputs).
    pub sums: Vec<SectionSum>,
    /// The largest unit.
    pub max_text: u64,
    /// The largest unit plus its context.
    pub max_text_ctx: u64,
    /// The section of the first unit.
    pub first_section: usize,
    /// `prefix[i]`: the tokens of units `0..i`.
    pub prefix: Vec<u128>,
}

/// One section's units, summed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SectionSum {
    /// Units.
    pub n: u64,
    /// Their text tokens.
    pub text: u128,
    /// Their context tokens.
    pub ctx: u128,
}

impl UnitSeq {
    /// The context tokens of unit `u` for a context that does not depend on outputs.
    pub fn context(&self, context: Context, u: usize) -> u128 {
        match context {
            Context::None | Context::History => 0,
            Context::Previous { units } => {
                let back = usize::try_from(units).unwrap_or(usize::MAX).min(u);
                self.prefix[u] - self.prefix[u - back]
            }
            Context::RunningSummary { tokens } => {
                if u > 0 {
                    u128::from(tokens)
                } else {
                    0
                }
            }
        }
    }

    /// How many units.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }
}

impl Text {
    /// The text of `input`, with a conversation section when `conversation`.
    pub fn new(input: &TextInput, conversation: bool) -> Result<Text> {
        let mut text = match input {
            TextInput::Profile(profile) => from_profile(profile)?,
            TextInput::Chapters(chapters) => from_chapters(chapters)?,
            TextInput::Units(units) => from_units(*units)?,
        };
        if conversation {
            text.sections.push(EstimateSection {
                kind: EstimateSectionKind::Conversation,
                number: None,
                title: None,
            });
        }
        Ok(text)
    }

    /// `phase`'s units in `family`'s tokens.
    ///
    /// # Errors
    ///
    /// When the text has none of the phase's units, or no paragraph counts for a paragraph
    /// phase.
    pub fn units(
        &self,
        phase: &Phase,
        family: TokenizerFamily,
        ratios: &TokenRatios,
    ) -> Result<UnitSeq> {
        let nsec = self.sections.len();
        let (counts, scale, count) = self.scale(family, ratios);
        let counts = if let Unit::Turns { .. } = phase.unit {
            &self.base
        } else {
            counts
        };
        let widen = |ends: &[usize]| -> Vec<usize> {
            let mut out = ends.to_vec();
            let last = out.last().copied().unwrap_or(0);
            out.resize(nsec, last);
            out
        };
        let (tokens, ends, split, count) = match phase.unit {
            Unit::Sentence => (
                counts.sentences.clone(),
                widen(&counts.sentence_ends),
                None,
                count,
            ),
            Unit::Paragraph => match &counts.paragraphs {
                Some((tokens, ends)) => (tokens.clone(), widen(ends), None, count),
                None => {
                    return Err(invalid(
                        "the text has no paragraph counts; give `paragraphs` for each chapter",
                    ))
                }
            },
            Unit::Chapter => (
                counts.chapters.clone(),
                widen(&counts.chapter_ends),
                None,
                count,
            ),
            Unit::Chunk { tokens, overlap } => {
                let options = ChunkOptions {
                    max_tokens: tokens,
                    overlap_tokens: overlap,
                };
                let (chunks, ends, how) = self.chunks(counts, options)?;
                let count = TokenCount {
                    method: format!("{}; {how}", count.method),
                    ..count
                };
                (chunks, widen(&ends), None, count)
            }
            Unit::WholeText => {
                let mut weights = counts.section_tokens.clone();
                weights.resize(nsec, 0);
                let first = weights.iter().position(|&w| w > 0).unwrap_or(0);
                let mut ends = vec![0; nsec];
                for e in ends.iter_mut().skip(first) {
                    *e = 1;
                }
                (vec![counts.total], ends, Some(weights), count)
            }
            Unit::Turns { count: turns } => {
                let n = usize::try_from(turns).unwrap_or(usize::MAX);
                let mut ends = vec![0; nsec];
                if let Some(last) = ends.last_mut() {
                    *last = n;
                }
                let count = TokenCount {
                    tokenizer: family,
                    kind: TokenCountKind::Given,
                    method: "conversation turns send no text of the book".to_string(),
                };
                (vec![0; n], ends, None, count)
            }
        };
        if tokens.is_empty() {
            let (_, plural) = phase.unit.nouns();
            return Err(invalid(format!("the text has no {plural}")));
        }
        let tokens: Vec<u64> = match (scale, phase.unit) {
            (_, Unit::Turns { .. }) | (None, _) => tokens,
            (Some((num, den)), _) => tokens
                .iter()
                .map(|&t| u64::try_from((u128::from(t) * num).div_ceil(den)).unwrap_or(u64::MAX))
                .collect(),
        };
        Ok(seq(tokens, ends, split, count, phase.context))
    }

    /// The counts a family's tokens come from, the ratio that scales them (numerator,
    /// denominator), and how.
    fn scale(
        &self,
        family: TokenizerFamily,
        ratios: &TokenRatios,
    ) -> (&Counts, Option<(u128, u128)>, TokenCount) {
        let make = |kind, method: String| TokenCount {
            tokenizer: family,
            kind,
            method,
        };
        if self.given {
            return (
                &self.base,
                None,
                make(
                    TokenCountKind::Given,
                    "token sizes as given with the text".to_string(),
                ),
            );
        }
        match family {
            TokenizerFamily::O200k => (
                &self.base,
                None,
                make(TokenCountKind::Exact, "exact o200k_base count".to_string()),
            ),
            TokenizerFamily::Cl100k => match &self.cl100k {
                Some(counts) => (
                    counts,
                    None,
                    make(TokenCountKind::Exact, "exact cl100k_base count".to_string()),
                ),
                None => (
                    &self.base,
                    None,
                    make(
                        TokenCountKind::Approximate,
                        "o200k_base counts used as cl100k_base (the profile has no cl100k_base counts)"
                            .to_string(),
                    ),
                ),
            },
            _ => {
                // The ratio chain, as `TokenRatios::estimate` applies it: the product of the
                // rows' parts per thousand over the exact base, rounded up once.
                let (mut num, mut den) = (1u128, 1u128);
                let mut current = family;
                for _ in 0..8 {
                    match ratios.get(current) {
                        Some(row) => {
                            num *= u128::from(row.per_mille);
                            den *= 1000;
                            current = row.relative_to;
                        }
                        None => break,
                    }
                }
                let counts = match (current, &self.cl100k) {
                    (TokenizerFamily::Cl100k, Some(cl100k)) => cl100k,
                    _ => &self.base,
                };
                let method = ratios.estimate(family, TokenCounts::default()).method;
                (counts, Some((num, den)), make(TokenCountKind::Approximate, method))
            }
        }
    }

    /// The chunks of a chunk phase, the section ends, and how they were found.
    fn chunks(
        &self,
        counts: &Counts,
        options: ChunkOptions,
    ) -> Result<(Vec<u64>, Vec<usize>, String)> {
        if let Some((profiled, tokens)) = &counts.chunks {
            if *profiled == options {
                let ends = by_position(tokens, options.overlap_tokens, &counts.section_tokens);
                return Ok((
                    tokens.clone(),
                    ends,
                    "chunks as profiled, each in the section of its middle".to_string(),
                ));
            }
        }
        // Every chunk has at least one new piece, so there are at most as many chunks as
        // pieces: count those before cutting anything.
        let max = options.max_tokens.max(1);
        let pieces = counts
            .sentences
            .iter()
            .fold(0u64, |n, &t| n.saturating_add(t.div_ceil(max).max(1)));
        if pieces > MAX_CHUNKS {
            let total = counts
                .sentences
                .iter()
                .fold(0u64, |n, &t| n.saturating_add(t));
            return Err(invalid(format!(
                "chunks of {} tokens over this text's {} tokens would be up to {} chunks, more \
                 than the {} this tool accepts; choose larger chunks",
                group_digits(options.max_tokens),
                group_digits(total),
                group_digits(pieces),
                group_digits(MAX_CHUNKS),
            ))
            .at("unit.chunk.tokens"));
        }
        let (tokens, ends) = pack(&counts.sentences, &counts.sentence_ends, options);
        Ok((
            tokens,
            ends,
            "chunks packed from sentence counts (profile the text with these chunk options for exact counts), each in the section of its first new sentence".to_string(),
        ))
    }
}

/// A unit sequence with its per-section sums.
fn seq(
    tokens: Vec<u64>,
    ends: Vec<usize>,
    split: Option<Vec<u64>>,
    count: TokenCount,
    context: Context,
) -> UnitSeq {
    let mut prefix = Vec::with_capacity(tokens.len() + 1);
    prefix.push(0u128);
    for &t in &tokens {
        let last = *prefix.last().unwrap_or(&0);
        prefix.push(last + u128::from(t));
    }
    let mut out = UnitSeq {
        tokens,
        sums: vec![SectionSum::default(); ends.len()],
        first_section: ends.iter().position(|&e| e > 0).unwrap_or(0),
        ends,
        split,
        count,
        max_text: 0,
        max_text_ctx: 0,
        prefix,
    };
    let mut start = 0;
    for s in 0..out.ends.len() {
        let end = out.ends[s].min(out.tokens.len());
        for u in start..end {
            let text = out.tokens[u];
            let ctx = out.context(context, u);
            let sum = &mut out.sums[s];
            sum.n += 1;
            sum.text += u128::from(text);
            sum.ctx += ctx;
            out.max_text = out.max_text.max(text);
            let both = u64::try_from(u128::from(text) + ctx).unwrap_or(u64::MAX);
            out.max_text_ctx = out.max_text_ctx.max(both);
        }
        start = start.max(end);
    }
    out
}

/// EstimateSection ends for chunks placed by the position of their middle in the text.
fn by_position(chunks: &[u64], overlap: u64, section_tokens: &[u64]) -> Vec<usize> {
    let mut bounds = Vec::with_capacity(section_tokens.len());
    let mut acc = 0u128;
    for &t in section_tokens {
        acc += u128::from(t);
        bounds.push(acc);
    }
    let mut ends = vec![0usize; section_tokens.len()];
    let mut start = 0u128;
    let mut s = 0;
    for (k, &t) in chunks.iter().enumerate() {
        let middle = start + u128::from(t) / 2;
        while s + 1 < bounds.len() && middle >= bounds[s] {
            s += 1;
        }
        ends[s] = k + 1;
        start = (start + u128::from(t)).saturating_sub(u128::from(overlap));
    }
    // Sections after the last chunk's end at it.
    for i in 1..ends.len() {
        ends[i] = ends[i].max(ends[i - 1]);
    }
    ends
}

/// Chunks packed from sentence counts as the chunker packs sentences: greedily up to
/// `max_tokens`; the next chunk repeats the last whole sentences of this one whose tokens add
/// up to at most `overlap_tokens`, never all of them, and always with room for one new
/// sentence. A sentence above `max_tokens` is cut into pieces of `max_tokens`. Each chunk
/// belongs to the section of its first new sentence.
fn pack(
    sentences: &[u64],
    sentence_ends: &[usize],
    options: ChunkOptions,
) -> (Vec<u64>, Vec<usize>) {
    let max = options.max_tokens.max(1);
    // Pieces: (tokens, section).
    let mut pieces: Vec<(u64, usize)> = Vec::with_capacity(sentences.len());
    let mut s = 0;
    for (i, &t) in sentences.iter().enumerate() {
        while s < sentence_ends.len() && i >= sentence_ends[s] {
            s += 1;
        }
        let section = s.min(sentence_ends.len().saturating_sub(1));
        let mut left = t;
        loop {
            let piece = left.min(max);
            pieces.push((piece, section));
            left -= piece;
            if left == 0 {
                break;
            }
        }
    }
    let mut chunks = Vec::new();
    let mut ends = vec![0usize; sentence_ends.len()];
    let mut start = 0;
    let mut fresh = 0; // the first piece not in the previous chunk
    while fresh < pieces.len() {
        let mut end = start;
        let mut sum = 0u64;
        while end < pieces.len() && (end == start || sum + pieces[end].0 <= max) {
            sum += pieces[end].0;
            end += 1;
        }
        // Always at least one new piece.
        if end <= fresh {
            end = fresh + 1;
            sum = pieces[start..end].iter().map(|p| p.0).sum();
        }
        chunks.push(sum);
        let section = pieces[fresh].1;
        if let Some(e) = ends.get_mut(section) {
            *e = chunks.len();
        }
        if end >= pieces.len() {
            break;
        }
        // Overlap: the last pieces adding up to at most `overlap`, never all of them, with
        // room for the next piece.
        let mut back = end;
        let mut kept = 0u64;
        while back > start + 1 && kept + pieces[back - 1].0 <= options.overlap_tokens {
            kept += pieces[back - 1].0;
            back -= 1;
        }
        while back < end && kept + pieces[end].0 > max {
            kept -= pieces[back].0;
            back += 1;
        }
        start = back;
        fresh = end;
    }
    for i in 1..ends.len() {
        ends[i] = ends[i].max(ends[i - 1]);
    }
    (chunks, ends)
}

fn from_profile(profile: &crate::text::TextProfile) -> Result<Text> {
    let counts_of = |name: &str| -> Result<Option<Counts>> {
        let Some(enc) = profile.encoding(name) else {
            return Ok(None);
        };
        let fm = profile.front_matter.as_ref();
        let mut sentence_ends = Vec::new();
        let mut paragraph_ends = Vec::new();
        let mut chapter_ends = Vec::new();
        let mut section_tokens = Vec::new();
        let (mut s, mut p, mut c) = (0usize, 0usize, 0usize);
        if let Some(fm) = fm {
            s += fm.sentences as usize;
            p += fm.paragraphs as usize;
            sentence_ends.push(s);
            paragraph_ends.push(p);
            chapter_ends.push(c);
            section_tokens.push(enc.front_matter_tokens.unwrap_or(0));
        }
        for (i, chapter) in profile.chapters.iter().enumerate() {
            s += chapter.sentences as usize;
            p += chapter.paragraphs as usize;
            c += 1;
            sentence_ends.push(s);
            paragraph_ends.push(p);
            chapter_ends.push(c);
            section_tokens.push(enc.chapters.per_unit.get(i).copied().unwrap_or(0));
        }
        let mismatch = |what: &str, listed: usize, counted: usize| {
            invalid(format!(
                "the profile's chapters hold {listed} {what} but its {name} counts have {counted}"
            ))
            .at("text.profile")
        };
        if s != enc.sentences.per_unit.len() {
            return Err(mismatch("sentences", s, enc.sentences.per_unit.len()));
        }
        if p != enc.paragraphs.per_unit.len() {
            return Err(mismatch("paragraphs", p, enc.paragraphs.per_unit.len()));
        }
        if c != enc.chapters.per_unit.len() {
            return Err(mismatch("chapters", c, enc.chapters.per_unit.len()));
        }
        Ok(Some(Counts {
            sentences: enc.sentences.per_unit.clone(),
            sentence_ends,
            paragraphs: Some((enc.paragraphs.per_unit.clone(), paragraph_ends)),
            chapters: enc.chapters.per_unit.clone(),
            chapter_ends,
            section_tokens,
            total: enc.total_tokens,
            chunks: enc
                .chunks
                .as_ref()
                .map(|c| (c.options, c.tokens.per_unit.clone())),
        }))
    };
    let base = counts_of("o200k_base")?.ok_or_else(|| {
        invalid("the text profile has no o200k_base counts; profile the book with o200k_base")
            .at("text.profile.encodings")
    })?;
    let cl100k = counts_of("cl100k_base")?;
    let mut sections = Vec::new();
    if profile.front_matter.is_some() {
        sections.push(EstimateSection {
            kind: EstimateSectionKind::FrontMatter,
            number: None,
            title: None,
        });
    }
    for (i, chapter) in profile.chapters.iter().enumerate() {
        sections.push(EstimateSection {
            kind: EstimateSectionKind::Chapter,
            number: Some(i as u64 + 1),
            title: chapter.title.clone(),
        });
    }
    Ok(Text {
        sections,
        given: false,
        base,
        cl100k,
    })
}

fn from_chapters(chapters: &[super::ChapterTokens]) -> Result<Text> {
    if chapters.is_empty() {
        return Err(invalid("give at least one chapter").at("text.chapters"));
    }
    let with_paragraphs = chapters.iter().filter(|c| c.paragraphs.is_some()).count();
    if with_paragraphs != 0 && with_paragraphs != chapters.len() {
        let i = chapters
            .iter()
            .position(|c| c.paragraphs.is_none())
            .unwrap_or(0);
        return Err(invalid("give paragraphs for every chapter or for none")
            .at(format!("text.chapters[{i}].paragraphs")));
    }
    let mut counts = Counts {
        sentences: Vec::new(),
        sentence_ends: Vec::new(),
        paragraphs: (with_paragraphs > 0).then(|| (Vec::new(), Vec::new())),
        chapters: Vec::new(),
        chapter_ends: Vec::new(),
        section_tokens: Vec::new(),
        total: 0,
        chunks: None,
    };
    let mut sections = Vec::new();
    for (i, chapter) in chapters.iter().enumerate() {
        let mut sum = 0u64;
        for (j, &t) in chapter.sentences.iter().enumerate() {
            if t > MAX_SIZE {
                return Err(invalid(format!(
                    "{t} is more than the {MAX_SIZE} tokens this tool accepts"
                ))
                .at(format!("text.chapters[{i}].sentences[{j}]")));
            }
            sum += t;
        }
        counts.sentences.extend_from_slice(&chapter.sentences);
        counts.sentence_ends.push(counts.sentences.len());
        if let (Some((tokens, ends)), Some(paragraphs)) =
            (&mut counts.paragraphs, &chapter.paragraphs)
        {
            for (j, &t) in paragraphs.iter().enumerate() {
                if t > MAX_SIZE {
                    return Err(invalid(format!(
                        "{t} is more than the {MAX_SIZE} tokens this tool accepts"
                    ))
                    .at(format!("text.chapters[{i}].paragraphs[{j}]")));
                }
            }
            tokens.extend_from_slice(paragraphs);
            ends.push(tokens.len());
        }
        counts.chapters.push(sum);
        counts.chapter_ends.push(i + 1);
        counts.section_tokens.push(sum);
        counts.total = counts.total.saturating_add(sum);
        if counts.sentences.len() as u64 > MAX_UNITS {
            return Err(invalid(format!("more than {MAX_UNITS} sentences")).at("text.chapters"));
        }
        sections.push(EstimateSection {
            kind: EstimateSectionKind::Chapter,
            number: Some(i as u64 + 1),
            title: chapter.title.clone(),
        });
    }
    Ok(Text {
        sections,
        given: true,
        base: counts,
        cl100k: None,
    })
}

fn from_units(plain: super::PlainUnits) -> Result<Text> {
    if plain.units == 0 {
        return Err(invalid("the text needs at least 1 unit").at("text.units.units"));
    }
    if plain.units > MAX_UNITS {
        return Err(invalid(format!(
            "{} units is more than the {MAX_UNITS} this tool accepts",
            plain.units
        ))
        .at("text.units.units"));
    }
    if plain.tokens_per_unit > MAX_SIZE {
        return Err(invalid(format!(
            "{} is more than the {MAX_SIZE} tokens this tool accepts",
            plain.tokens_per_unit
        ))
        .at("text.units.tokens_per_unit"));
    }
    if plain.chapters == 0 || plain.chapters > 1_000_000 {
        return Err(invalid(format!(
            "expected from 1 to 1000000 chapters, got {}",
            plain.chapters
        ))
        .at("text.units.chapters"));
    }
    let n = plain.units as usize;
    let chapters = plain.chapters as usize;
    let (each, extra) = (n / chapters, n % chapters);
    let mut ends = Vec::with_capacity(chapters);
    let mut section_tokens = Vec::with_capacity(chapters);
    let mut acc = 0;
    for c in 0..chapters {
        let size = each + usize::from(c < extra);
        acc += size;
        ends.push(acc);
        section_tokens.push(size as u64 * plain.tokens_per_unit);
    }
    let sentences = vec![plain.tokens_per_unit; n];
    let counts = Counts {
        paragraphs: Some((sentences.clone(), ends.clone())),
        sentence_ends: ends,
        sentences,
        chapters: section_tokens.clone(),
        chapter_ends: (1..=chapters).collect(),
        total: plain.units * plain.tokens_per_unit,
        section_tokens,
        chunks: None,
    };
    let sections = (0..chapters)
        .map(|c| EstimateSection {
            kind: EstimateSectionKind::Chapter,
            number: Some(c as u64 + 1),
            title: None,
        })
        .collect::<Vec<_>>();
    Ok(Text {
        sections,
        given: true,
        base: counts,
        cl100k: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_follows_the_chunker_rules() {
        // Sentences of 5, 5, 5, 5 tokens in one section, chunks of 10 with overlap 5.
        let (chunks, ends) = pack(
            &[5, 5, 5, 5],
            &[4],
            ChunkOptions {
                max_tokens: 10,
                overlap_tokens: 5,
            },
        );
        assert_eq!(chunks, vec![10, 10, 10]);
        assert_eq!(ends, vec![3]);
        // No overlap.
        let (chunks, _) = pack(
            &[5, 5, 5, 5],
            &[4],
            ChunkOptions {
                max_tokens: 10,
                overlap_tokens: 0,
            },
        );
        assert_eq!(chunks, vec![10, 10]);
        // A long sentence is cut.
        let (chunks, _) = pack(
            &[25, 3],
            &[2],
            ChunkOptions {
                max_tokens: 10,
                overlap_tokens: 0,
            },
        );
        assert_eq!(chunks, vec![10, 10, 8]);
        // Sections follow the first new sentence.
        let (chunks, ends) = pack(
            &[6, 6, 6],
            &[1, 3],
            ChunkOptions {
                max_tokens: 10,
                overlap_tokens: 0,
            },
        );
        assert_eq!(chunks, vec![6, 6, 6]);
        assert_eq!(ends, vec![1, 3]);
    }

    #[test]
    fn tiny_chunks_over_a_large_text_are_refused_before_cutting() {
        let plain = super::super::PlainUnits {
            units: 1,
            tokens_per_unit: MAX_SIZE,
            chapters: 1,
        };
        let text = Text::new(&TextInput::Units(plain), false).unwrap();
        let mut phase = crate::preset("translate-in-chunks")
            .unwrap()
            .pipeline
            .phases[0]
            .clone();
        phase.unit = Unit::Chunk {
            tokens: 1,
            overlap: 0,
        };
        let ratios = TokenRatios::bundled();
        let Err(e) = text.units(&phase, TokenizerFamily::O200k, &ratios) else {
            panic!("a billion chunks are refused");
        };
        let e = e.to_string();
        assert!(e.contains("chunks of 1 tokens over this text's 1,000,000,000 tokens would be up to 1,000,000,000 chunks, more than the 1,000,000 this tool accepts"), "{e}");
        // At the limit, the chunks are cut.
        phase.unit = Unit::Chunk {
            tokens: MAX_SIZE / MAX_CHUNKS,
            overlap: 0,
        };
        let seq = text.units(&phase, TokenizerFamily::O200k, &ratios).unwrap();
        assert_eq!(seq.len() as u64, MAX_CHUNKS);
    }

    #[test]
    fn chunks_by_position_use_their_middle() {
        // Sections of 100 and 100 tokens; chunks of 60, 60, 60 with no overlap: middles at
        // 30, 90, 150.
        assert_eq!(by_position(&[60, 60, 60], 0, &[100, 100]), vec![2, 3]);
    }
}
