//! Errors as JS exceptions: an `Error` named `LlmcostError` with a stable `kind`.
//!
//! The message is the core's `Display` (lowercase, the path of the bad field first), so the
//! same mistake reads the same in the CLI, the web app and here. `kind` is the core's
//! `ErrorKind` in snake_case, or `invalid_argument` when a JS value has the wrong shape.

use serde::de::DeserializeOwned;
use tsify::{Ts, Tsify};
use wasm_bindgen::JsValue;

/// `kind` of an exception thrown because a JS argument has the wrong type or shape.
pub(crate) const INVALID_ARGUMENT: &str = "invalid_argument";

/// Builds the exception: `new Error(message)` with `name`, `kind` and `path` set.
pub(crate) fn js_error(kind: &str, path: Option<&str>, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("LlmcostError");
    let object: &JsValue = error.as_ref();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(object, &"kind".into(), &kind.into());
    let path = path.map_or(JsValue::NULL, JsValue::from);
    let _ = js_sys::Reflect::set(object, &"path".into(), &path);
    error.into()
}

/// A core error as an exception.
pub(crate) fn core(error: cost_core::Error) -> JsValue {
    js_error(error.kind().as_str(), error.path(), &error.to_string())
}

/// An argument of the wrong type or shape.
pub(crate) fn argument(name: &str, problem: &str) -> JsValue {
    js_error(INVALID_ARGUMENT, Some(name), &format!("{name}: {problem}"))
}

/// What a JS value is, for messages (`undefined`, `null`, `a number`, ...).
pub(crate) fn kind_of(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.is_string() {
        "a string"
    } else if value.is_bigint() {
        "a bigint"
    } else if js_sys::Array::is_array(value) {
        "an array"
    } else if value.is_function() {
        "a function"
    } else if value.is_object() {
        "an object"
    } else {
        "a symbol"
    }
}

/// Reads argument `name` into its Rust shape, or throws naming the argument and the problem.
///
/// `Ts<T>` crosses the boundary as a plain JS handle, so nothing is decoded (and nothing can
/// leak) before this function runs. `undefined` fields count as absent, as in JSON.
pub(crate) fn read<T>(name: &str, value: &Ts<T>) -> Result<T, JsValue>
where
    T: Tsify + DeserializeOwned,
{
    let js = value.js_value();
    if js.is_undefined() || js.is_null() {
        return Err(argument(
            name,
            &format!("expected a value, got {}", kind_of(&js)),
        ));
    }
    // One `JSON.stringify` and serde_json: a million-element array costs milliseconds (not a
    // boundary crossing per element), and unknown fields are seen and refused.
    let text = js_sys::JSON::stringify(&js)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| argument(name, &format!("cannot be read as JSON ({})", kind_of(&js))))?;
    serde_json::from_str(&text).map_err(|e| decode_error(name, &text, &e))
}

/// A decode error of argument `name` (read from `text`) as an exception naming the bad
/// field: `request.tags.run: invalid type: ...`. Not generic, so it is in the module once.
fn decode_error(name: &str, text: &str, error: &serde_json::Error) -> JsValue {
    let (path, inner) = locate(text, error);
    if path.is_empty() {
        argument(name, &inner)
    } else {
        let field = format!("{name}.{path}");
        js_error(INVALID_ARGUMENT, Some(&field), &format!("{field}: {inner}"))
    }
}

/// Where in `text` serde_json's `error` is (empty: the value as a whole), and its message
/// without the position in the JSON text, which JS callers never saw.
fn locate(text: &str, error: &serde_json::Error) -> (String, String) {
    let mut inner = error.to_string();
    if let Some(at) = inner.rfind(" at line ") {
        inner.truncate(at);
    }
    // An object or array found incomplete is at fault itself, not its last member.
    let whole = inner.starts_with("missing field") || inner.starts_with("invalid length");
    let path = match error.line() {
        0 => String::new(),
        // serde_json's column is the index of the first byte it had not read.
        _ => path_at(text, error.column(), whole),
    };
    (path, inner)
}

/// The path (`tags.run`, `models[0]`, `phases[0].output.fixed`) of the value being read
/// when serde_json stopped at byte `end` of `json`, spelled as serde_path_to_error spells it
/// (which this replaces: it wrapped every argument type's decoder, at 40 KB of module).
///
/// `json` is one line, as `JSON.stringify` writes it, and `end` is where serde_json reported
/// the error: just after the value at fault (or its key, for an unknown field), or at the
/// start of an object or array of the wrong type. An error that serde_json places once the
/// object holding the value is read (a field missing, a custom error of a type decoded from
/// a string or number) comes after that object's `}`, which is therefore not counted. With
/// `whole`, the path is the innermost object or array open at `end` (a missing field);
/// otherwise it goes on to that container's member.
fn path_at(json: &str, end: usize, whole: bool) -> String {
    enum Member {
        Key(Option<String>),
        Index(usize),
    }
    let bytes = json.as_bytes();
    let mut end = end.min(bytes.len());
    if end > 0 && matches!(bytes[end - 1], b'}' | b']') {
        end -= 1;
    }
    let mut open: Vec<Member> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => {
                open.push(Member::Key(None));
                expecting_key = true;
            }
            b'[' => open.push(Member::Index(0)),
            b'}' | b']' => {
                open.pop();
                expecting_key = false;
            }
            b',' => match open.last_mut() {
                Some(Member::Index(index)) => *index += 1,
                _ => expecting_key = true,
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < end && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    let key = json.get(start - 1..=i.min(bytes.len() - 1));
                    let key = key.and_then(|k| serde_json::from_str::<String>(k).ok());
                    if let Some(Member::Key(slot)) = open.last_mut() {
                        *slot = key;
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if whole {
        open.pop();
    }
    let mut path = String::new();
    for member in &open {
        match member {
            Member::Key(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Member::Key(None) => {}
            Member::Index(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

/// [`read`] for an argument that must be a plain object: serde-wasm-bindgen would read a
/// struct's fields off anything (an array's `at` method), so other values are refused first.
pub(crate) fn read_object<T>(name: &str, value: &Ts<T>) -> Result<T, JsValue>
where
    T: Tsify + DeserializeOwned,
{
    let js = value.js_value();
    if !js.is_undefined() && !js.is_null() && (!js.is_object() || js_sys::Array::is_array(&js)) {
        return Err(argument(
            name,
            &format!("expected an object, got {}", kind_of(&js)),
        ));
    }
    read(name, value)
}

/// Turns a Rust value into its JS shape; a failure here is a bug in this crate.
pub(crate) fn write<T: Tsify + serde::Serialize>(value: &T) -> Result<Ts<T>, JsValue> {
    Ts::from_rust(value).map_err(|e| js_error("internal", None, &e.to_string()))
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::locate;
    use crate::{BudgetInput, PriceRequest, ReportInput};

    /// Decodes `json` (as `JSON.stringify` writes it) as a `T`, which must fail: the path
    /// found must be `expected` and serde_path_to_error's, with the same message.
    fn check<T: DeserializeOwned + std::fmt::Debug>(json: &str, expected: &str) {
        let error = serde_json::from_str::<T>(json).expect_err(json);
        let (path, inner) = locate(json, &error);
        let reference =
            serde_path_to_error::deserialize::<_, T>(&mut serde_json::Deserializer::from_str(json))
                .expect_err(json);
        let reference_path = reference.path().to_string();
        let reference_path = if reference_path == "." {
            String::new()
        } else {
            reference_path
        };
        assert_eq!(path, reference_path, "{json}: {inner}");
        assert_eq!(path, expected, "{json}: {inner}");
        assert!(!inner.contains(" at line "), "{inner}");
        assert!(reference.inner().to_string().starts_with(&inner), "{inner}");
    }

    #[test]
    fn paths_of_price_requests() {
        check::<PriceRequest>(r#"{"model":5,"usage":{}}"#, "model");
        check::<PriceRequest>(r#"{"usage":{},"model":5}"#, "model");
        check::<PriceRequest>(r#"{"model":"m","colour":"red"}"#, "colour");
        check::<PriceRequest>(r#"{"model":"m","tags":{"run":5}}"#, "tags.run");
        check::<PriceRequest>(r#"{"model":"m","tags":{"a":"b","run":[1]}}"#, "tags.run");
        check::<PriceRequest>(r#"{"model":"m","batch":"yes"}"#, "batch");
        check::<PriceRequest>(r#"{"usage_format":"openai-chatty"}"#, "usage_format");
        check::<PriceRequest>(r#"{"usage":{"a":[1,{"b":"]}"}]},"at":5}"#, "at");
        check::<PriceRequest>(r#"{"tags":{"a\"b.c,[":{}}}"#, "tags.a\"b.c,[");
        check::<PriceRequest>(r#"{"tags":{"\u00e9t\u00e9":null}}"#, "tags.été");
        check::<PriceRequest>(r#""gpt-4o""#, "");
    }

    /// An object read from an array's items: serde_path_to_error names the object, this the
    /// item. `read_object` refuses a whole argument given as an array before this.
    #[test]
    fn paths_of_objects_given_as_arrays() {
        let json = r#"{"requests":[],"budget":["5",5],"today":"x"}"#;
        let error = serde_json::from_str::<BudgetInput>(json).unwrap_err();
        assert_eq!(locate(json, &error).0, "budget[1]");
    }

    #[test]
    fn paths_in_arrays_and_missing_fields() {
        check::<ReportInput>(r#"{"by":[]}"#, "");
        check::<ReportInput>(
            r#"{"requests":[{"model":"a"},{"model":7}]}"#,
            "requests[1].model",
        );
        check::<ReportInput>(
            r#"{"requests":[{},{},{"usage":{},"x":1}]}"#,
            "requests[2].x",
        );
        check::<ReportInput>(r#"{"requests":[],"by":"model"}"#, "by");
        check::<ReportInput>(r#"{"requests":[],"by":["a",5]}"#, "by[1]");
        check::<ReportInput>(r#"{"requests":[],"by":[["a"]]}"#, "by[0]");
        check::<ReportInput>(r#"{"requests":[],"where":{"since":5}}"#, "where.since");
        check::<ReportInput>(r#"{"requests":[],"where":{"colour":1}}"#, "where.colour");
        check::<BudgetInput>(
            r#"{"requests":[],"budget":{"monthly_limit_usd":5},"today":"x"}"#,
            "budget.monthly_limit_usd",
        );
        check::<BudgetInput>(r#"{"requests":[],"budget":{},"today":"x"}"#, "budget");
        check::<BudgetInput>(
            r#"{"requests":[],"budget":{"daily_limit_usd":"1"},"today":"x"}"#,
            "budget",
        );
        check::<BudgetInput>(r#"{"requests":[],"today":"x"}"#, "");
        check::<BudgetInput>(
            r#"{"requests":[],"budget":{"monthly_limit_usd":"5","alert_percents":[80,-1]}}"#,
            "budget.alert_percents[1]",
        );
    }

    #[cfg(feature = "estimate")]
    #[test]
    fn paths_in_estimate_inputs() {
        use crate::EstimateInput;
        let with = |field: &str| {
            format!(
                r#"{{"pipeline":"p","units":{{"units":1,"tokens_per_unit":1}},"models":["m"],{field}}}"#
            )
        };
        let phase = |phase: &str| {
            format!(
                r#"{{"pipeline":{{"name":"p","phases":[{{"name":"a","unit":"sentence","output":{{"fixed":1}}}},{phase}]}},"models":[]}}"#
            )
        };
        check::<EstimateInput>(
            &phase(r#"{"name":"b","unit":"sentences","output":{"fixed":1}}"#),
            "pipeline.phases[1].unit",
        );
        check::<EstimateInput>(
            &phase(r#"{"name":"b","unit":"sentence","output":{"fixed":{"low":1,"expected":2}}}"#),
            "pipeline.phases[1].output.fixed",
        );
        check::<EstimateInput>(
            &phase(
                r#"{"name":"b","unit":"sentence","output":{"fixed":{"low":1,"expected":2,"high":-3}}}"#,
            ),
            "pipeline.phases[1].output.fixed.high",
        );
        check::<EstimateInput>(
            &phase(r#"{"name":"b","unit":{"chunk":{"tokens":"x"}},"output":{"fixed":1}}"#),
            "pipeline.phases[1].unit.chunk.tokens",
        );
        check::<EstimateInput>(r#"{"pipeline":7,"models":[]}"#, "pipeline");
        check::<EstimateInput>(r#"{"pipeline":"p","models":[42]}"#, "models[0]");
        check::<EstimateInput>(r#"{"pipeline":"p","models":"m"}"#, "models");
        check::<EstimateInput>(
            r#"{"units":{"units":1,"tokens_per_unit":1},"models":["m"]}"#,
            "",
        );
        check::<EstimateInput>(
            &with(r#""options":{"cache":{"explicit":{"storage_hours":"x"}}}"#),
            "options.cache.explicit.storage_hours",
        );
        check::<EstimateInput>(&with(r#""options":{"cache":"forever"}"#), "options.cache");
        check::<EstimateInput>(
            &with(r#""options":{"calls_per_minute":"fast"}"#),
            "options.calls_per_minute",
        );
        check::<EstimateInput>(
            &with(r#""chapters":[{"sentences":[1,2]},{"sentences":[3,-1]}]"#),
            "chapters[1].sentences[1]",
        );
        check::<EstimateInput>(
            r#"{"pipeline":"p","units":{"units":1.5,"tokens_per_unit":1},"models":["m"]}"#,
            "units.units",
        );
    }
}
