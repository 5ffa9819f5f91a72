//! Pipelines as JS objects: the package's own copy of the core's pipeline JSON format, so
//! a pipeline saved by the llmcost app or written for `llmcost estimate` works unchanged.
//!
//! Sizes are whole tokens. Every [`Spread`] is written `{low, expected, high}` or as one
//! number for all three; `presets()` always gives the object form.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::error;

/// A pipeline: phases of LLM calls over one text.
#[derive(Debug, Clone, Serialize, Deserialize, Tsify)]
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
#[derive(Debug, Clone, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// What the phase is called (unique within the pipeline).
    pub name: String,
    /// What one call (or `calls_per_unit` calls) is made for.
    pub unit: PhaseUnit,
    /// The model this phase always runs on, whatever models are compared; absent: each
    /// compared model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub model: Option<String>,
    /// The system prompt's tokens, the same on every call: the cacheable prefix (default 0).
    #[serde(default)]
    pub system_prompt_tokens: u64,
    /// Instructions sent with every call besides the system prompt and the unit's text (for
    /// a conversation, each turn's message), in tokens (default 0).
    #[serde(default)]
    pub template_tokens: u64,
    /// What each call also carries from earlier units (default `"none"`).
    #[serde(default)]
    pub context: PhaseContext,
    /// Output tokens per call, reasoning excluded.
    pub output: PhaseOutput,
    /// Reasoning ("thinking") tokens per call, billed as output (default 0).
    #[serde(default)]
    #[tsify(type = "Spread | number")]
    pub reasoning_tokens: Spread,
    /// Calls per unit (alternatives, votes); default 1.
    #[serde(default = "one")]
    pub calls_per_unit: u64,
    /// The share of calls that fail and are sent once more, in parts per thousand (20 is
    /// 2 %); default 0.
    #[serde(default)]
    pub retry_per_mille: u64,
}

fn one() -> u64 {
    1
}

/// What a phase makes its calls for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PhaseUnit {
    /// Every sentence (front matter included).
    Sentence,
    /// Every paragraph (front matter included).
    Paragraph,
    /// Every chapter.
    Chapter,
    /// Chunks of at most `tokens` tokens, each repeating up to `overlap` tokens of the one
    /// before, cut at sentence ends.
    Chunk {
        /// The most tokens in a chunk.
        tokens: u64,
        /// The most tokens a chunk repeats from the one before (default 0).
        #[serde(default)]
        overlap: u64,
    },
    /// The whole text, in one call.
    WholeText,
    /// A conversation of `count` turns; the text is not sent.
    Turns {
        /// How many turns (calls).
        count: u64,
    },
}

/// What each call carries from earlier units, besides its own.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PhaseContext {
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
    /// Every earlier unit and its output, resent as a growing conversation.
    History,
}

/// Output tokens per call (reasoning excluded).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PhaseOutput {
    /// The same number of tokens on every call.
    Fixed(#[tsify(type = "Spread | number")] Spread),
    /// A ratio of the unit's text tokens, in parts per thousand: 1,100 is 1.1 times.
    RatioPerMille(#[tsify(type = "Spread | number")] Spread),
}

/// A low, expected and high value (`low <= expected <= high`); where a `Spread` is taken,
/// one number stands for all three.
#[derive(Debug, Clone, Copy, Default, Serialize, Tsify)]
pub struct Spread {
    /// The optimistic value.
    pub low: u64,
    /// The value the expected cost uses.
    pub expected: u64,
    /// The pessimistic value.
    pub high: u64,
}

impl<'de> Deserialize<'de> for Spread {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Spread, D::Error> {
        struct SpreadVisitor;
        impl<'de> Visitor<'de> for SpreadVisitor {
            type Value = Spread;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative whole number, or an object { low, expected, high }")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Spread, E> {
                Ok(Spread {
                    low: v,
                    expected: v,
                    high: v,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Spread, A::Error> {
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

impl Spread {
    fn to_core(self) -> cost_core::Spread {
        cost_core::Spread {
            low: self.low,
            expected: self.expected,
            high: self.high,
        }
    }

    fn of(s: cost_core::Spread) -> Spread {
        Spread {
            low: s.low,
            expected: s.expected,
            high: s.high,
        }
    }
}

impl Pipeline {
    /// The core's pipeline (not yet validated: `cost_core::estimate` does that, naming the
    /// bad field).
    pub(crate) fn to_core(&self) -> cost_core::Pipeline {
        cost_core::Pipeline {
            name: self.name.clone(),
            description: self.description.clone(),
            phases: self.phases.iter().map(Phase::to_core).collect(),
        }
    }

    pub(crate) fn of(p: &cost_core::Pipeline) -> Pipeline {
        Pipeline {
            name: p.name.clone(),
            description: p.description.clone(),
            phases: p.phases.iter().map(Phase::of).collect(),
        }
    }
}

impl Phase {
    fn to_core(&self) -> cost_core::Phase {
        cost_core::Phase {
            name: self.name.clone(),
            unit: match self.unit {
                PhaseUnit::Sentence => cost_core::Unit::Sentence,
                PhaseUnit::Paragraph => cost_core::Unit::Paragraph,
                PhaseUnit::Chapter => cost_core::Unit::Chapter,
                PhaseUnit::Chunk { tokens, overlap } => cost_core::Unit::Chunk { tokens, overlap },
                PhaseUnit::WholeText => cost_core::Unit::WholeText,
                PhaseUnit::Turns { count } => cost_core::Unit::Turns { count },
            },
            model: self.model.clone(),
            system_prompt_tokens: self.system_prompt_tokens,
            template_tokens: self.template_tokens,
            context: match self.context {
                PhaseContext::None => cost_core::Context::None,
                PhaseContext::Previous { units } => cost_core::Context::Previous { units },
                PhaseContext::RunningSummary { tokens } => {
                    cost_core::Context::RunningSummary { tokens }
                }
                PhaseContext::History => cost_core::Context::History,
            },
            output: match self.output {
                PhaseOutput::Fixed(s) => cost_core::Output::Fixed(s.to_core()),
                PhaseOutput::RatioPerMille(s) => cost_core::Output::RatioPerMille(s.to_core()),
            },
            reasoning_tokens: self.reasoning_tokens.to_core(),
            calls_per_unit: self.calls_per_unit,
            retry_per_mille: self.retry_per_mille,
        }
    }

    fn of(p: &cost_core::Phase) -> Phase {
        Phase {
            name: p.name.clone(),
            unit: match p.unit {
                cost_core::Unit::Sentence => PhaseUnit::Sentence,
                cost_core::Unit::Paragraph => PhaseUnit::Paragraph,
                cost_core::Unit::Chapter => PhaseUnit::Chapter,
                cost_core::Unit::Chunk { tokens, overlap } => PhaseUnit::Chunk { tokens, overlap },
                cost_core::Unit::WholeText => PhaseUnit::WholeText,
                cost_core::Unit::Turns { count } => PhaseUnit::Turns { count },
            },
            model: p.model.clone(),
            system_prompt_tokens: p.system_prompt_tokens,
            template_tokens: p.template_tokens,
            context: match p.context {
                cost_core::Context::None => PhaseContext::None,
                cost_core::Context::Previous { units } => PhaseContext::Previous { units },
                cost_core::Context::RunningSummary { tokens } => {
                    PhaseContext::RunningSummary { tokens }
                }
                cost_core::Context::History => PhaseContext::History,
            },
            output: match p.output {
                cost_core::Output::Fixed(s) => PhaseOutput::Fixed(Spread::of(s)),
                cost_core::Output::RatioPerMille(s) => PhaseOutput::RatioPerMille(Spread::of(s)),
            },
            reasoning_tokens: Spread::of(p.reasoning_tokens),
            calls_per_unit: p.calls_per_unit,
            retry_per_mille: p.retry_per_mille,
        }
    }
}

/// The pipeline of an estimate: a whole pipeline, or the id of a preset.
#[derive(Debug, Clone)]
pub enum PipelineSpec {
    /// A preset's id (`one-prompt-per-sentence`).
    Preset(String),
    /// A pipeline given in full.
    Pipeline(Pipeline),
}

impl<'de> Deserialize<'de> for PipelineSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PipelineSpec, D::Error> {
        struct SpecVisitor;
        impl<'de> Visitor<'de> for SpecVisitor {
            type Value = PipelineSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pipeline object or a preset id")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PipelineSpec, E> {
                Ok(PipelineSpec::Preset(v.to_string()))
            }
            // Through the map itself, so an error inside names its field's path.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PipelineSpec, A::Error> {
                Pipeline::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(PipelineSpec::Pipeline)
            }
        }
        deserializer.deserialize_any(SpecVisitor)
    }
}

/// A pipeline to start from.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Preset {
    /// Stable id, to pass as `estimate`'s `pipeline`: `one-prompt-per-sentence`.
    pub id: String,
    /// Its name, for people.
    pub name: String,
    /// What it does, for people.
    pub description: String,
    /// The pipeline itself, to show or change.
    pub pipeline: Pipeline,
}

impl Preset {
    pub(crate) fn of(p: &cost_core::Preset) -> Preset {
        Preset {
            id: p.id.clone(),
            name: p.pipeline.name.clone(),
            description: p.pipeline.description.clone(),
            pipeline: Pipeline::of(&p.pipeline),
        }
    }
}

/// Every preset, in display order.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(transparent)]
pub struct Presets(pub Vec<Preset>);

/// The pipelines to start from (`one-prompt-per-sentence`, `summarize-each-chapter`, ...):
/// pass an `id` as `estimate`'s `pipeline`, or change a copy of its `pipeline`.
#[wasm_bindgen]
pub fn presets() -> Result<Ts<Presets>, JsValue> {
    let presets = cost_core::presets();
    error::write(&Presets(presets.iter().map(Preset::of).collect()))
}
