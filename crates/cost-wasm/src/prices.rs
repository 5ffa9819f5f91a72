//! The price files `loadPrices` added, kept where both of the package's modules see them.
//!
//! The package has two WebAssembly modules (`llmcost`, the pricing API, and
//! `llmcost/estimate`, everything), and an app may import both: two instances, each with its
//! own memory. So that a price file loaded through one applies to the other, the files live
//! in JS, in a ledger on `globalThis` under `Symbol.for("llmcost.prices@VERSION")`: the texts
//! loaded since the last `resetPrices`, in order, and a generation number that every change
//! increments. Each instance keeps the generation its catalog was built at, and rebuilds it
//! (the bundled catalog, then each file again) when the ledger has moved on. Only modules of
//! the same package version share a ledger, so a replayed file always loads as it did first.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Object, Reflect, Symbol};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The ledger object, once found or made.
    static LEDGER: RefCell<Option<Object>> = const { RefCell::new(None) };
    /// The ledger's generation this instance's catalog was built at.
    static SEEN: Cell<f64> = const { Cell::new(0.0) };
}

/// The ledger's fields.
const GENERATION: &str = "generation";
const FILES: &str = "files";

/// The shared ledger: found on `globalThis`, or made and put there. Where `globalThis` is
/// frozen, a ledger of this instance's own (nothing to share with then).
fn ledger() -> Object {
    LEDGER.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let key = Symbol::for_(concat!("llmcost.prices@", env!("CARGO_PKG_VERSION")));
                let global = js_sys::global();
                if let Ok(found) = Reflect::get(&global, &key) {
                    if found.is_object() && Array::is_array(&field(&found, FILES)) {
                        return found.unchecked_into();
                    }
                }
                let made = Object::new();
                set(&made, GENERATION, &JsValue::from(0.0));
                set(&made, FILES, &Array::new());
                let _ = Reflect::set(&global, &key, &made);
                made
            })
            .clone()
    })
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &Object, name: &str, value: &JsValue) {
    // Setting a property of a plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

/// The ledger's list of files (itself, not a copy: `loaded` adds to it).
fn files(ledger: &Object) -> Array {
    match field(ledger, FILES).dyn_into::<Array>() {
        Ok(files) => files,
        Err(_) => {
            let files = Array::new();
            set(ledger, FILES, &files);
            files
        }
    }
}

fn generation(ledger: &Object) -> f64 {
    field(ledger, GENERATION).as_f64().unwrap_or(0.0)
}

/// Records a change: the next generation, which this instance has already applied.
fn advance(ledger: &Object) {
    let next = generation(ledger) + 1.0;
    set(ledger, GENERATION, &JsValue::from(next));
    SEEN.with(|seen| seen.set(next));
}

/// The price files loaded since the last reset, in order, when this instance's catalog is
/// behind the ledger (another instance loaded or reset prices); `None` when it is current.
/// The caller rebuilds its catalog from them.
pub(crate) fn missed() -> Option<Vec<String>> {
    let ledger = ledger();
    let now = generation(&ledger);
    if SEEN.with(Cell::get) == now {
        return None;
    }
    SEEN.with(|seen| seen.set(now));
    Some(
        files(&ledger)
            .iter()
            .filter_map(|text| text.as_string())
            .collect(),
    )
}

/// Records a price file this instance has just loaded without error.
pub(crate) fn loaded(text: &str) {
    let ledger = ledger();
    files(&ledger).push(&JsValue::from_str(text));
    advance(&ledger);
}

/// Records a reset: every instance goes back to the bundled catalog.
pub(crate) fn reset() {
    let ledger = ledger();
    set(&ledger, FILES, &Array::new());
    advance(&ledger);
}
