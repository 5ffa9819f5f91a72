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
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        // serde_json appends the position in the JSON text, which JS callers never saw.
        let inner = match inner.rfind(" at line ") {
            Some(at) => &inner[..at],
            None => &inner,
        };
        if path == "." {
            argument(name, inner)
        } else {
            let field = format!("{name}.{path}");
            js_error(INVALID_ARGUMENT, Some(&field), &format!("{field}: {inner}"))
        }
    })
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
