//! Pipelines: named phases of LLM calls over a text, what a pre-run estimate prices.
//!
//! A [`Pipeline`] is a list of [`Phase`]s. Each phase calls a model once (or
//! [`calls_per_unit`](Phase::calls_per_unit) times) per [`Unit`] of the text: every sentence,
//! paragraph, chapter, token chunk, the whole text once, or the turns of a conversation. A
//! call sends the phase's system prompt (the same on every call: the cacheable prefix), a
//! template, the unit's text and its [`Context`], and gets an [`Output`] back.
//!
//! Pipelines are data: they serialize to and from JSON and TOML ([`Pipeline::from_json`],
//! [`Pipeline::from_toml`]) so they can be saved, shared and kept in history. The presets users
//! start from are plain TOML files in `data/presets/`, compiled in ([`presets`]).
//!
//! ```toml
//! name = "Image prompts"
//!
//! [[phases]]
//! name = "prompt per sentence"
//! unit = "sentence"                     # or "paragraph", "chapter", "whole_text",
//!                                       # { chunk = { tokens = 2000, overlap = 200 } },
//!                                       # { turns = { count = 20 } }
//! model = "claude-haiku-4-5"            # optional: omitted means each compared model
//! system_prompt_tokens = 400
//! template_tokens = 100
//! context = "none"                      # or { previous = { units = 2 } },
//!                                       # { running_summary = { tokens = 300 } }, "history"
//! output = { fixed = { low = 80, expected = 100, high = 130 } }   # or a plain 100;
//!                                       # or { ratio_per_mille = { low = 900, expected = 1000, high = 1200 } }
//! reasoning_tokens = 0                  # or { low, expected, high }
//! calls_per_unit = 1
//! retry_per_mille = 20                  # 2 % of calls are sent again
//! ```
//!
//! Every size is a whole number of tokens, at most [`MAX_SIZE`]. [`Pipeline::validate`]
//! checks everything that does not need the catalog or the text, and names the bad field.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// The largest token size a pipeline may state anywhere: 10^9 tokens (a thousand times the
/// longest context window). Larger sizes are typing mistakes.
pub const MAX_SIZE: u64 = 1_000_000_000;

/// The most calls a phase may make per unit.
pub const MAX_CALLS_PER_UNIT: u64 = 1_000;

/// The most turns a conversation phase may have. A conversation resends its history, so at
/// 100 tokens a turn its 10,000th call is a million tokens long, the largest context window
/// in the catalog; longer conversations cannot run, and estimating one costs time in
/// proportion to its turns (every phase, model and turn is a step).
pub const MAX_TURNS: u64 = 10_000;

/// The most phases a pipeline may have. The presets have one to three; each phase adds a
/// pass over its units for every compared model, so a pipeline file of thousands of phases
/// would freeze a browser tab instead of estimating anything useful.
pub const MAX_PHASES: usize = 32;

/// The largest output ratio: 100 times the unit's text (100,000 per mille).
pub const MAX_RATIO_PER_MILLE: u64 = 100_000;

/// A pipeline: phases of calls over one text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// What the pipeline is called, for people.
    pub name: String,
    /// What it does, for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The phases, in the order they run. At least one.
    pub phases: Vec<Phase>,
}

/// One phase: the same kind of call on every unit of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// What the phase is called (unique within the pipeline).
    pub name: String,
    /// What one call (or `calls_per_unit` calls) is made for.
    pub unit: Unit,
    /// The model this phase always runs on (any name the catalog accepts), whatever models
    /// are compared; `None`: each compared model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The system prompt, the same on every call of the phase: the cacheable prefix.
    #[serde(default)]
    pub system_prompt_tokens: u64,
    /// Instructions and formatting sent with every call besides the system prompt and the
    /// unit's text (for a conversation, each turn's user message).
    #[serde(default)]
    pub template_tokens: u64,
    /// What each call also carries from earlier units.
    #[serde(default)]
    pub context: Context,
    /// Output tokens per call, reasoning excluded.
    pub output: Output,
    /// Reasoning ("thinking") tokens per call, billed as output.
    #[serde(default)]
    pub reasoning_tokens: Spread,
    /// Calls per unit (alternatives, votes). At least 1.
    #[serde(default = "one")]
    pub calls_per_unit: u64,
    /// The share of calls that fail and are sent once more, in parts per thousand (0 to
    /// 1,000): 20 is 2 %.
    #[serde(default)]
    pub retry_per_mille: u64,
}

fn one() -> u64 {
    1
}

/// What a phase makes its calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Unit {
    /// Every sentence (front matter included).
    Sentence,
    /// Every paragraph (front matter included).
    Paragraph,
    /// Every chapter (the front matter is not a chapter).
    Chapter,
    /// Chunks of at most `tokens` tokens, each repeating up to `overlap` tokens of the one
    /// before, cut at sentence ends.
    Chunk {
        /// The most tokens in a chunk (`o200k_base`).
        tokens: u64,
        /// The most tokens a chunk repeats from the one before. Below `tokens`.
        #[serde(default)]
        overlap: u64,
    },
    /// The whole text, in one call.
    WholeText,
    /// A conversation of `count` turns; the text is not sent (each turn's message is the
    /// phase's `template_tokens`).
    Turns {
        /// How many turns (calls). At least 1.
        count: u64,
    },
}

impl Unit {
    /// The unit's name for people, singular and plural: `("sentence", "sentences")`.
    pub fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Unit::Sentence => ("sentence", "sentences"),
            Unit::Paragraph => ("paragraph", "paragraphs"),
            Unit::Chapter => ("chapter", "chapters"),
            Unit::Chunk { .. } => ("chunk", "chunks"),
            Unit::WholeText => ("whole text", "whole text"),
            Unit::Turns { .. } => ("turn", "turns"),
        }
    }
}

/// What each call carries from earlier units, besides its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Context {
    /// Nothing.
    #[default]
    None,
    /// The text of the previous `units` units.
    Previous {
        /// How many units back.
        units: u64,
    },
    /// A running summary of `tokens` tokens (on every call but the first).
    RunningSummary {
        /// The summary's size.
        tokens: u64,
    },
    /// Every earlier unit and its output, resent as a growing conversation: each call's
    /// prompt starts with the previous call's prompt, so caching it matters most.
    History,
}

/// Output tokens per call (reasoning excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Output {
    /// The same number of tokens on every call.
    Fixed(Spread),
    /// A ratio of the unit's text tokens, in parts per thousand: 1,100 is 1.1 times.
    RatioPerMille(Spread),
}

impl Output {
    /// The spread, whichever kind.
    pub fn spread(self) -> Spread {
        match self {
            Output::Fixed(s) | Output::RatioPerMille(s) => s,
        }
    }
}

/// A low, expected and high value (`low <= expected <= high`). Written as a table
/// `{ low = 80, expected = 100, high = 130 }`, or as one number for all three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Spread {
    /// The optimistic value.
    pub low: u64,
    /// The value the estimate's expected cost uses.
    pub expected: u64,
    /// The pessimistic value.
    pub high: u64,
}

impl Spread {
    /// The same value three times.
    pub fn exactly(value: u64) -> Spread {
        Spread {
            low: value,
            expected: value,
            high: value,
        }
    }
}

impl<'de> Deserialize<'de> for Spread {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Spread, D::Error> {
        struct SpreadVisitor;
        impl<'de> Visitor<'de> for SpreadVisitor {
            type Value = Spread;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative whole number, or a table { low, expected, high }")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Spread, E> {
                Ok(Spread::exactly(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Spread, E> {
                u64::try_from(v).map(Spread::exactly).map_err(|_| {
                    E::custom(format!("expected a non-negative whole number, got {v}"))
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Spread, E> {
                Err(E::custom(format!(
                    "expected a whole number of tokens, got {v}"
                )))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Spread, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Table {
                    low: u64,
                    expected: u64,
                    high: u64,
                }
                let t = Table::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Spread {
                    low: t.low,
                    expected: t.expected,
                    high: t.high,
                })
            }
        }
        deserializer.deserialize_any(SpreadVisitor)
    }
}

impl Pipeline {
    /// A pipeline from JSON, validated.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] with the path of the bad field
    /// (`phases[1].output.fixed.low`): malformed JSON, an unknown field, a negative size, or
    /// anything [`Pipeline::validate`] refuses.
    pub fn from_json(text: &str) -> Result<Pipeline> {
        let pipeline: Pipeline =
            crate::de::json(text).map_err(|e| e.into_error(ErrorKind::InvalidRequest))?;
        pipeline.validate()?;
        Ok(pipeline)
    }

    /// A pipeline from TOML (the format of `data/presets/*.toml`), validated.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::from_json`].
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Pipeline> {
        let pipeline: Pipeline =
            crate::de::toml(text).map_err(|e| e.into_error(ErrorKind::InvalidRequest))?;
        pipeline.validate()?;
        Ok(pipeline)
    }

    /// The pipeline as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a pipeline always serializes")
    }

    /// The pipeline as TOML.
    #[cfg(feature = "toml")]
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a pipeline always serializes to TOML")
    }

    /// Checks everything that needs neither the catalog nor the text: at least one phase,
    /// unique non-empty names, sizes at most [`MAX_SIZE`], `low <= expected <= high`, at
    /// least one call per unit, chunk overlaps below the chunk size, ratios in range.
    /// (Unknown models and units the text does not have are found when estimating.)
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] at the path of the first bad field.
    pub fn validate(&self) -> Result<()> {
        if self.phases.is_empty() {
            return Err(invalid("a pipeline needs at least one phase").at("phases"));
        }
        if self.phases.len() > MAX_PHASES {
            return Err(invalid(format!(
                "{} phases is more than the {MAX_PHASES} this tool accepts",
                self.phases.len()
            ))
            .at("phases"));
        }
        for (i, phase) in self.phases.iter().enumerate() {
            let at = |field: &str| format!("phases[{i}].{field}");
            if phase.name.trim().is_empty() {
                return Err(invalid("a phase needs a name").at(at("name")));
            }
            if self.phases[..i].iter().any(|p| p.name == phase.name) {
                return Err(
                    invalid(format!("two phases are called `{}`", phase.name)).at(at("name"))
                );
            }
            if let Some(model) = &phase.model {
                if model.trim().is_empty() {
                    return Err(invalid(
                        "an empty model name; leave `model` out to use each compared model",
                    )
                    .at(at("model")));
                }
            }
            size(phase.system_prompt_tokens, &at("system_prompt_tokens"))?;
            size(phase.template_tokens, &at("template_tokens"))?;
            match phase.unit {
                Unit::Chunk { tokens, overlap } => {
                    size(tokens, &at("unit.chunk.tokens"))?;
                    if tokens == 0 {
                        return Err(
                            invalid("a chunk needs at least 1 token").at(at("unit.chunk.tokens"))
                        );
                    }
                    if overlap >= tokens {
                        return Err(invalid(format!(
                            "the overlap ({overlap} tokens) must be below the chunk size ({tokens} tokens)"
                        ))
                        .at(at("unit.chunk.overlap")));
                    }
                }
                Unit::Turns { count } => {
                    if count == 0 {
                        return Err(invalid("a conversation needs at least 1 turn")
                            .at(at("unit.turns.count")));
                    }
                    if count > MAX_TURNS {
                        return Err(invalid(format!(
                            "{count} turns is more than the {MAX_TURNS} this tool accepts"
                        ))
                        .at(at("unit.turns.count")));
                    }
                }
                Unit::Sentence | Unit::Paragraph | Unit::Chapter | Unit::WholeText => {}
            }
            match phase.context {
                Context::Previous { units } => {
                    if units == 0 {
                        return Err(invalid(
                            "`previous` needs at least 1 unit; use \"none\" for no context",
                        )
                        .at(at("context.previous.units")));
                    }
                    size(units, &at("context.previous.units"))?;
                }
                Context::RunningSummary { tokens } => {
                    size(tokens, &at("context.running_summary.tokens"))?
                }
                Context::None | Context::History => {}
            }
            let (output_at, max) = match phase.output {
                Output::Fixed(_) => ("output.fixed", MAX_SIZE),
                Output::RatioPerMille(_) => ("output.ratio_per_mille", MAX_RATIO_PER_MILLE),
            };
            spread(phase.output.spread(), &at(output_at), max)?;
            spread(phase.reasoning_tokens, &at("reasoning_tokens"), MAX_SIZE)?;
            if phase.calls_per_unit == 0 {
                return Err(
                    invalid("a phase makes at least 1 call per unit").at(at("calls_per_unit"))
                );
            }
            if phase.calls_per_unit > MAX_CALLS_PER_UNIT {
                return Err(invalid(format!(
                    "{} calls per unit is more than the {MAX_CALLS_PER_UNIT} this tool accepts",
                    phase.calls_per_unit
                ))
                .at(at("calls_per_unit")));
            }
            if phase.retry_per_mille > 1_000 {
                return Err(invalid(format!(
                    "expected parts per thousand from 0 to 1000, got {}",
                    phase.retry_per_mille
                ))
                .at(at("retry_per_mille")));
            }
        }
        Ok(())
    }
}

fn size(value: u64, path: &str) -> Result<()> {
    if value > MAX_SIZE {
        return Err(invalid(format!(
            "{value} is more than the {MAX_SIZE} tokens this tool accepts"
        ))
        .at(path));
    }
    Ok(())
}

fn spread(s: Spread, path: &str, max: u64) -> Result<()> {
    for (name, value) in [("low", s.low), ("expected", s.expected), ("high", s.high)] {
        if value > max {
            return Err(
                invalid(format!("{value} is more than the {max} this tool accepts"))
                    .at(format!("{path}.{name}")),
            );
        }
    }
    if s.low > s.expected {
        return Err(invalid(format!(
            "low ({}) is above expected ({})",
            s.low, s.expected
        ))
        .at(format!("{path}.low")));
    }
    if s.expected > s.high {
        return Err(invalid(format!(
            "expected ({}) is above high ({})",
            s.expected, s.high
        ))
        .at(format!("{path}.high")));
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, message)
}

/// A pipeline users start from, compiled in from `data/presets/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preset {
    /// Stable id, for the command line and saved settings: `one-prompt-per-sentence`.
    pub id: String,
    /// The pipeline (its `name` and `description` are for people).
    pub pipeline: Pipeline,
}

/// The preset files (`data/presets/*.toml`, in display order), as a JSON array made by build.rs.
const PRESETS: &str = include_str!(concat!(env!("OUT_DIR"), "/presets.json"));

/// Every preset, in display order.
///
/// # Panics
///
/// Never in a released build: the test suite decodes every preset.
pub fn presets() -> Vec<Preset> {
    let files: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(PRESETS).expect("build.rs writes an array of tables");
    files
        .into_iter()
        .enumerate()
        .map(|(i, file)| {
            parse_preset(file).unwrap_or_else(|e| panic!("preset {} is invalid: {e}", i + 1))
        })
        .collect()
}

/// The preset with this id (`summarize-each-chapter`), if there is one.
pub fn preset(id: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.id == id)
}

/// A preset file: a pipeline with an `id` beside its `name`.
fn parse_preset(mut table: serde_json::Map<String, serde_json::Value>) -> Result<Preset> {
    let id = match table.remove("id") {
        Some(serde_json::Value::String(id)) if !id.trim().is_empty() => id,
        _ => return Err(invalid("a preset needs a string `id`").at("id")),
    };
    let pipeline = Pipeline::from_json(&serde_json::Value::Object(table).to_string())?;
    Ok(Preset { id, pipeline })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_decode_and_have_unique_ids() {
        let all = presets();
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/data/presets"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension() == Some("toml".as_ref()))
            .count();
        assert_eq!(all.len(), files, "build.rs lists every preset file");
        for (i, p) in all.iter().enumerate() {
            assert!(!p.pipeline.description.is_empty(), "{}", p.id);
            assert!(all[..i].iter().all(|q| q.id != p.id), "{}", p.id);
        }
        assert!(preset("summarize-each-chapter").is_some());
        assert!(preset("nope").is_none());
    }

    /// build.rs turns each preset's TOML into JSON; both must give the same pipeline.
    #[test]
    fn the_bundled_presets_are_their_toml_files() {
        for preset in presets() {
            let path = format!(
                "{}/data/presets/{}.toml",
                env!("CARGO_MANIFEST_DIR"),
                preset.id
            );
            let text = std::fs::read_to_string(&path).unwrap();
            let mut table: toml::Table = text.parse().unwrap();
            table.remove("id");
            let from_toml = Pipeline::from_toml(&toml::to_string(&table).unwrap()).unwrap();
            assert_eq!(preset.pipeline, from_toml, "{path}");
        }
    }

    #[test]
    fn spreads_read_as_a_number_or_a_table() {
        let p = Pipeline::from_toml(
            "name = \"x\"\n[[phases]]\nname = \"a\"\nunit = \"sentence\"\noutput = { fixed = 100 }\nreasoning_tokens = { low = 0, expected = 5, high = 9 }\n",
        )
        .unwrap();
        assert_eq!(p.phases[0].output, Output::Fixed(Spread::exactly(100)));
        assert_eq!(p.phases[0].reasoning_tokens.expected, 5);
        assert_eq!(p.phases[0].calls_per_unit, 1);
    }

    /// The limits that keep an estimate's work bounded: a pipeline file can ask for neither
    /// an endless conversation nor thousands of phases (the fuzzer's slowest input was three
    /// phases of 100,000 turns).
    #[test]
    fn turns_and_phases_are_bounded() {
        let mut p = preset("conversation").unwrap().pipeline;
        p.phases[0].unit = Unit::Turns { count: MAX_TURNS };
        assert_eq!(p.validate(), Ok(()));
        p.phases[0].unit = Unit::Turns {
            count: MAX_TURNS + 1,
        };
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("10001 turns is more than the 10000"), "{e}");
        assert!(e.contains("phases[0].unit.turns.count"), "{e}");

        let mut p = preset("summarize-each-chapter").unwrap().pipeline;
        let phase = p.phases[0].clone();
        p.phases = (0..MAX_PHASES)
            .map(|i| Phase {
                name: format!("pass {i}"),
                ..phase.clone()
            })
            .collect();
        assert_eq!(p.validate(), Ok(()));
        p.phases.push(Phase {
            name: "one too many".into(),
            ..phase
        });
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("33 phases is more than the 32"), "{e}");
        assert!(Pipeline::from_json(&p.to_json()).is_err());
    }

    #[test]
    fn round_trips_through_json_and_toml() {
        for preset in presets() {
            let p = preset.pipeline;
            assert_eq!(Pipeline::from_json(&p.to_json()).unwrap(), p);
            assert_eq!(Pipeline::from_toml(&p.to_toml()).unwrap(), p);
        }
    }
}
