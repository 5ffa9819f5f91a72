//! Target `usage`: `parse_usage` and `parse_response` on every provider shape and whole
//! response bodies, with and without a format, then priced.
//!
//! Modes: 0 reads the rest as JSON text; any other draws a usage object from the keys of
//! every shape, then a body around it.
//!
//! Invariants: every usage handed out validates; a detected format, passed back explicitly,
//! gives the same result; the normalized form of a usage reads back as the same usage; a
//! reported cost is a non-negative number; a priced usage costs what its components add up
//! to, never less than zero.

use cost_core::{parse_response, parse_usage, UsageFormat};
use serde_json::{Map, Value};

use super::gen::Gen;

/// The keys of every usage shape, and llmcost's own.
const USAGE_KEYS: &[&str] = &[
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "cache_creation",
    "ephemeral_5m_input_tokens",
    "ephemeral_1h_input_tokens",
    "server_tool_use",
    "service_tier",
    "prompt_tokens",
    "completion_tokens",
    "prompt_tokens_details",
    "completion_tokens_details",
    "cached_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "audio_tokens",
    "input_tokens_details",
    "output_tokens_details",
    "cost",
    "is_byok",
    "cost_details",
    "promptTokenCount",
    "candidatesTokenCount",
    "totalTokenCount",
    "cachedContentTokenCount",
    "thoughtsTokenCount",
    "toolUsePromptTokenCount",
    "promptTokensDetails",
    "trafficType",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_storage_token_hours",
];

/// Keys of a usage object that hold objects of counts.
const NESTED: &[&str] = &[
    "cache_creation",
    "prompt_tokens_details",
    "completion_tokens_details",
    "input_tokens_details",
    "output_tokens_details",
];

/// Keys of response bodies that detection reads.
const BODY_KEYS: &[&str] = &[
    "type",
    "object",
    "model",
    "modelVersion",
    "provider",
    "id",
    "usage",
    "usageMetadata",
];

pub fn check(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    if mode % 4 == 0 {
        if let Ok(value) = serde_json::from_slice::<Value>(rest) {
            check_value(&value);
        }
        return;
    }
    let mut g = Gen::new(rest);
    let usage = Value::Object(usage_object(&mut g));
    check_value(&usage);
    check_value(&body(&mut g, usage));
}

/// A usage object: counts under the known keys, now and then something else.
pub(crate) fn usage_object(g: &mut Gen) -> Map<String, Value> {
    let mut map = Map::new();
    for _ in 0..g.below(8) {
        let key = g.key(USAGE_KEYS);
        let value = match g.below(10) {
            0 => g.value(USAGE_KEYS, 2),
            1 | 2 if NESTED.contains(&key.as_str()) || key == "cost_details" => {
                let mut inner = Map::new();
                for _ in 0..g.below(4) {
                    let inner_key = g.key(USAGE_KEYS);
                    inner.insert(inner_key, count(g));
                }
                Value::Object(inner)
            }
            3 if key == "cost" => g.price(),
            _ => count(g),
        };
        map.insert(key, value);
    }
    map
}

/// Mostly a count, sometimes any number.
fn count(g: &mut Gen) -> Value {
    if g.below(6) == 0 {
        g.number()
    } else {
        Value::from(g.count())
    }
}

/// A response body around `usage`, as each provider sends it, now and then mixed up.
fn body(g: &mut Gen, usage: Value) -> Value {
    let mut map = Map::new();
    let (usage_key, marks): (&str, &[(&str, &str)]) = match g.below(6) {
        0 => ("usage", &[("type", "message")]),
        1 => ("usage", &[("object", "response")]),
        2 => ("usage", &[("object", "chat.completion")]),
        3 => ("usage", &[("object", "chat.completion"), ("id", "gen-123")]),
        4 => ("usageMetadata", &[("modelVersion", "gemini-2.5-pro")]),
        _ => ("usage", &[]),
    };
    for (key, value) in marks {
        map.insert(key.to_string(), Value::from(*value));
    }
    map.insert(usage_key.to_string(), usage);
    if g.bool() {
        map.insert("model".into(), Value::from(g.name(super::MODELS)));
    }
    for _ in 0..g.below(3) {
        let key = g.key(BODY_KEYS);
        let value = g.value(BODY_KEYS, 1);
        map.insert(key, value);
    }
    Value::Object(map)
}

/// Reads `value` as a usage object and as a body, in every format, and checks each result.
pub(crate) fn check_value(value: &Value) {
    let formats = std::iter::once(None).chain(UsageFormat::ALL.map(Some));
    for format in formats {
        if let Ok((usage, read_as)) = parse_usage(value, format) {
            super::check_usage(&usage);
            match format {
                Some(format) => assert_eq!(read_as, format, "the format asked for"),
                None => assert_eq!(
                    parse_usage(value, Some(read_as)),
                    Ok((usage, read_as)),
                    "detected as {read_as}, but reads differently when given that format"
                ),
            }
            let normalized = serde_json::to_value(usage).expect("a usage serializes");
            assert_eq!(
                parse_usage(&normalized, None),
                Ok((usage, UsageFormat::Normalized)),
                "the normalized form {normalized} does not read back"
            );
            let model = super::MODELS[usage.input_tokens as usize % super::MODELS.len()];
            super::price_everywhere(super::bundled(), model, &usage, super::today());
        }
        if let Ok(parsed) = parse_response(value, format) {
            super::check_usage(&parsed.usage);
            match format {
                Some(format) => assert_eq!(parsed.format, format, "the format asked for"),
                None => assert_eq!(
                    parse_response(value, Some(parsed.format)).as_ref(),
                    Ok(&parsed),
                    "detected as {}, but reads differently when given that format",
                    parsed.format
                ),
            }
            if let Some(cost) = &parsed.reported_cost_usd {
                let reported: f64 = cost.parse().expect("a reported cost is a number");
                assert!(reported >= 0.0, "a negative reported cost {cost}");
            }
        }
    }
}
