//! The Prices page: the catalog as a searchable table (prices, tiers, batch and cache prices,
//! dates, sources); the user's own models and price overrides; importing a genai-prices feed
//! or a LiteLLM table; resetting to the bundled catalog.

use cost_core::{MergePolicy, Model, Rates};
use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::components::model_picker::{matches, yours};
use crate::format::{bytes, count, date, per_mtok};
use crate::pages::history::file_text;
use crate::state::{now_ms, offer_catalog, use_app, PricedCatalog};
use crate::storage::{new_id, PriceLayer, SavedPrices};

/// The most models a page of the table shows at once (a table of 100,000 rows would freeze
/// the tab; the search narrows it).
pub const PAGE_ROWS: usize = 200;

/// The largest price file taken, in bytes. A file is kept as its text in localStorage, which
/// holds about 5 million characters per site (Chromium, Firefox): a larger file could never be
/// saved, and loading one would take the tab seconds (100,000 LiteLLM models, 15.7 MB: about
/// 3 s per load). LiteLLM's whole table (3.2 MB) fits.
pub const MAX_PRICE_FILE_BYTES: usize = 4_000_000;

/// A custom model in llmcost's catalog format (as JSON), from the form's fields.
///
/// # Errors
///
/// A message naming the field when a field is missing or not a price.
pub fn custom_model_json(
    provider: &str,
    id: &str,
    input: &str,
    output: &str,
    cache_read: &str,
    context_window: &str,
) -> Result<String, String> {
    let clean_id = |s: &str, what: &str| -> Result<String, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err(format!("give the model's {what}"));
        }
        if s.len() > 100 || s.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
            return Err(format!(
                "the {what} may not contain quotes, backslashes or control characters"
            ));
        }
        Ok(s.to_string())
    };
    let provider = clean_id(provider, "provider")?.to_lowercase();
    let id = clean_id(id, "id")?;
    let price = |s: &str, what: &str| -> Result<String, String> {
        let p = crate::format::parse_usd(s).map_err(|_| {
            format!(
                "the {what} price is not an amount in USD per million tokens: “{}”",
                s.trim()
            )
        })?;
        Ok(p.to_decimal_string())
    };
    let mut prices = Map::new();
    prices.insert("input_mtok".into(), price(input, "input")?.into());
    prices.insert("output_mtok".into(), price(output, "output")?.into());
    if !cache_read.trim().is_empty() {
        prices.insert(
            "cache_read_mtok".into(),
            price(cache_read, "cache read")?.into(),
        );
    }
    let mut model = Map::new();
    model.insert("provider".into(), provider.clone().into());
    model.insert("id".into(), id.clone().into());
    model.insert("name".into(), id.into());
    model.insert("source".into(), "added by you in llmcost".into());
    if !context_window.trim().is_empty() {
        let n: u64 = context_window
            .trim()
            .replace(',', "")
            .parse()
            .map_err(|_| "the context window is a whole number of tokens".to_string())?;
        model.insert("context_window".into(), n.into());
    }
    model.insert("prices".into(), Value::Array(vec![Value::Object(prices)]));
    let mut provider_entry = Map::new();
    provider_entry.insert("id".into(), provider.clone().into());
    provider_entry.insert("name".into(), provider.into());
    let mut file = Map::new();
    file.insert(
        "providers".into(),
        Value::Array(vec![provider_entry.into()]),
    );
    file.insert("models".into(), Value::Array(vec![model.into()]));
    Ok(Value::Object(file).to_string())
}

/// A price override of an existing model, in llmcost's format (as JSON).
///
/// # Errors
///
/// A message when no price is given or one is not a price.
pub fn override_json(model: &str, input: &str, output: &str) -> Result<String, String> {
    let model = model.trim();
    if model.is_empty() {
        return Err("choose the model whose prices to change".into());
    }
    let mut entry = Map::new();
    entry.insert("model".into(), model.into());
    for (text, key, what) in [
        (input, "input_mtok", "input"),
        (output, "output_mtok", "output"),
    ] {
        if !text.trim().is_empty() {
            let p = crate::format::parse_usd(text).map_err(|_| {
                format!("the {what} price is not an amount in USD per million tokens")
            })?;
            entry.insert(key.into(), p.to_decimal_string().into());
        }
    }
    if entry.len() == 1 {
        return Err("give a new input or output price".into());
    }
    let mut file = Map::new();
    file.insert("overrides".into(), Value::Array(vec![entry.into()]));
    Ok(Value::Object(file).to_string())
}

/// Checks that a layer loads on top of the current layers before it is kept, and returns the
/// catalog with it.
fn check_layer(
    prices: &SavedPrices,
    text: &str,
) -> Result<(PricedCatalog, cost_core::ImportReport), String> {
    // This page is a chunk of its own: it reads price files directly, not through the engine.
    let mut built = crate::state::build_catalog(prices, |catalog, text| {
        catalog.load_prices(text, MergePolicy::Replace)
    });
    let report = built
        .catalog
        .load_prices(text, MergePolicy::Replace)
        .map_err(|e| e.to_string())?;
    Ok((built, report))
}

fn rates_text(r: &Rates) -> String {
    let b = &r.base;
    let mut parts = vec![format!(
        "in {} · out {}",
        per_mtok(Some(b.input_usd_per_mtok)),
        per_mtok(Some(b.output_usd_per_mtok))
    )];
    if b.cache_read_usd_per_mtok.is_some() {
        parts.push(format!(
            "cache read {}",
            per_mtok(b.cache_read_usd_per_mtok)
        ));
    }
    if b.cache_write_5m_usd_per_mtok.is_some() {
        parts.push(format!(
            "write 5m {}",
            per_mtok(b.cache_write_5m_usd_per_mtok)
        ));
    }
    if b.cache_write_1h_usd_per_mtok.is_some() {
        parts.push(format!(
            "write 1h {}",
            per_mtok(b.cache_write_1h_usd_per_mtok)
        ));
    }
    for t in &r.tiers {
        parts.push(format!(
            "above {} tokens: in {} · out {}",
            count(t.above_tokens),
            per_mtok(Some(t.prices.input_usd_per_mtok)),
            per_mtok(Some(t.prices.output_usd_per_mtok))
        ));
    }
    parts.join("; ")
}

/// The Prices page.
#[component]
pub fn PricesPage() -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let shown = Memo::new(move |_| {
        let q = query.get();
        let catalog = app.catalog.get();
        let all: Vec<&Model> = catalog
            .catalog
            .models()
            .iter()
            .filter(|m| matches(m, &q))
            .collect();
        let total = all.len();
        let rows: Vec<Row> = all
            .into_iter()
            .take(PAGE_ROWS)
            .map(|m| Row::of(m, app.today))
            .collect();
        (rows, total)
    });
    let add_layer = move |name: String, text: String| {
        if text.len() > MAX_PRICE_FILE_BYTES {
            app.tell(
                format!(
                    "{name} was not loaded (nothing changed): it is {}, and price files are kept in this browser's storage, which holds about 5 MB per site; llmcost takes price files of up to {} (keep the models you use)",
                    bytes(text.len() as u64),
                    bytes(MAX_PRICE_FILE_BYTES as u64)
                ),
                true,
            );
            return;
        }
        let prices = app.saved_prices();
        match check_layer(&prices, &text) {
            Ok((built, report)) => {
                let layer = PriceLayer {
                    id: new_id(now_ms()),
                    name: name.clone(),
                    text,
                    added_ms: now_ms(),
                };
                let mut next = prices;
                next.layers.push(layer.clone());
                offer_catalog(&next, built);
                if app.add_price_layer(layer) {
                    app.tell(
                        format!(
                            "{name}: {} models added, {} replaced.",
                            report.merge.added, report.merge.replaced
                        ),
                        false,
                    );
                }
            }
            Err(e) => app.tell(
                format!("{name} was not loaded (nothing changed): {e}"),
                true,
            ),
        }
    };
    let on_import = move |ev: web_sys::Event| {
        leptos::task::spawn_local(async move {
            match file_text(&ev).await {
                Ok(Some((name, text))) => add_layer(name, text),
                Ok(None) => {}
                Err(e) => app.tell(e, true),
            }
        });
    };
    let reset = move |_| {
        // A failed write is reported instead; the reset applies to this visit either way.
        if app.reset_prices() {
            app.tell(
                "Prices reset to the bundled catalog; your models and overrides were removed.",
                false,
            );
        }
    };
    let remove_layer = move |id: String| {
        let _ = app.remove_price_layer(&id);
    };
    // The custom model form.
    let (provider, id, input, output, cache_read, window) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let form_error = RwSignal::new(None::<String>);
    let add_model = move |_| match custom_model_json(
        &provider.get_untracked(),
        &id.get_untracked(),
        &input.get_untracked(),
        &output.get_untracked(),
        &cache_read.get_untracked(),
        &window.get_untracked(),
    ) {
        Ok(json) => {
            form_error.set(None);
            add_layer(
                format!(
                    "Your model {}/{}",
                    provider.get_untracked().trim().to_lowercase(),
                    id.get_untracked().trim()
                ),
                json,
            );
        }
        Err(e) => form_error.set(Some(e)),
    };
    let (o_model, o_input, o_output) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let override_error = RwSignal::new(None::<String>);
    let add_override = move |_| match override_json(
        &o_model.get_untracked(),
        &o_input.get_untracked(),
        &o_output.get_untracked(),
    ) {
        Ok(json) => {
            override_error.set(None);
            add_layer(
                format!("Your prices for {}", o_model.get_untracked().trim()),
                json,
            );
        }
        Err(e) => override_error.set(Some(e)),
    };
    let text_field = move |label: &'static str, sig: RwSignal<String>, testid: &'static str| {
        view! {
            <label class="num"><span>{label}</span><input type="text" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) data-testid=testid /></label>
        }
    };
    view! {
        <h1>"Prices"</h1>
        <p class="lede">"Every model llmcost can price, in US dollars per million tokens, with the date each price applies from, when it was last checked, and its source. Your own models and overrides are marked “yours” everywhere."</p>
        {move || app.catalog.with(|c| c.unapplied.as_ref().map(|u| {
            let role = if matches!(u, crate::state::Unapplied::Loading) { "status" } else { "alert" };
            view! { <p class="hint" role=role data-testid="prices-waiting">{u.status()}</p> }
        }))}
        {move || app.catalog.with(|c| (!c.errors.is_empty()).then(|| view! {
            <div class="warn-box" role="alert">{c.errors.iter().map(|e| view! { <p>{format!("Not applied: {e}")}</p> }).collect_view()}</div>
        }))}
        <div class="cards">
            <section class="card" aria-label="Add a model">
                <h3>"Add your own model"</h3>
                <div class="grid">
                    {text_field("Provider", provider, "custom-provider")}
                    {text_field("Model id", id, "custom-id")}
                    {text_field("Input ($ / Mtok)", input, "custom-input")}
                    {text_field("Output ($ / Mtok)", output, "custom-output")}
                    {text_field("Cache read ($ / Mtok, optional)", cache_read, "custom-cache")}
                    {text_field("Context window (tokens, optional)", window, "custom-window")}
                </div>
                <button class="primary" on:click=add_model data-testid="custom-add">"Add model"</button>
                {move || form_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </section>
            <section class="card" aria-label="Override a price">
                <h3>"Change a model's price"</h3>
                <div class="grid">
                    {text_field("Model (any name)", o_model, "override-model")}
                    {text_field("New input ($ / Mtok)", o_input, "override-input")}
                    {text_field("New output ($ / Mtok)", o_output, "override-output")}
                </div>
                <button on:click=add_override data-testid="override-add">"Apply"</button>
                {move || override_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </section>
            <section class="card" aria-label="Import prices">
                <h3>"Import a price file"</h3>
                <p class="hint">"A genai-prices data feed, a LiteLLM model price table, or an llmcost catalog file written as JSON (the llmcost command also reads TOML). It is checked first; a file with an error changes nothing."</p>
                <label class="button">"Choose a price file…"<input type="file" accept=".json,application/json" class="visually-hidden" on:change=on_import data-testid="prices-import" /></label>
                <div class="actions"><button on:click=reset data-testid="prices-reset">"Reset to the bundled catalog"</button></div>
            </section>
        </div>
        <Show when=move || app.prices.with(|p| !p.layers.is_empty())>
            <h2>"Your price files"</h2>
            <ul data-testid="price-layers">
                {move || app.prices.get().layers.into_iter().map(|l| {
                    let id = l.id.clone();
                    view! { <li>{l.name.clone()}" " <button on:click=move |_| remove_layer(id.clone()) aria-label=format!("Remove {}", l.name)>"Remove"</button></li> }
                }).collect_view()}
            </ul>
        </Show>
        <h2>"Catalog"</h2>
        <label>"Search " <input type="search" placeholder="name, alias or provider" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) data-testid="prices-search" /></label>
        <p class="hint">{move || shown.with(|(rows, total)| if *total > rows.len() { format!("Showing {} of {} models: search to narrow.", rows.len(), count(*total as u64)) } else { format!("{} models.", count(*total as u64)) })}</p>
        <div class="table-wrap">
            <table data-testid="prices-table">
                <caption>{format!("US dollars per million tokens, prices in force on {}", app.today)}</caption>
                <thead><tr>
                    <th scope="col">"Model"</th><th scope="col">"Standard"</th><th scope="col">"Batch"</th><th scope="col">"Context"</th><th scope="col">"Prices from"</th><th scope="col">"Checked"</th><th scope="col">"Source"</th>
                </tr></thead>
                <tbody>
                    {move || shown.get().0.into_iter().map(|r| view! {
                        <tr data-testid="price-row">
                            <th scope="row">{r.name}<small>{format!(" {}", r.id)}</small>{r.yours.then(|| view! { <span class="badge yours">"yours"</span> })}{r.deprecated.then(|| view! { <span class="badge">"retired"</span> })}</th>
                            <td>{r.standard}</td>
                            <td>{r.batch}</td>
                            <td class="num">{r.context}</td>
                            <td>{r.from}</td>
                            <td>{r.checked}</td>
                            <td class="source">{r.source}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    name: String,
    id: String,
    yours: bool,
    deprecated: bool,
    standard: String,
    batch: String,
    context: String,
    from: String,
    checked: String,
    source: String,
}

impl Row {
    fn of(m: &Model, today: cost_core::Date) -> Row {
        let set = m.price_set_at(today);
        Row {
            name: m.name.clone(),
            id: m.qualified_id(),
            yours: yours(m),
            deprecated: m.deprecated,
            standard: rates_text(&set.standard),
            batch: set
                .batch
                .as_ref()
                .map_or_else(|| "no batch API".into(), rates_text),
            context: m.context_window.map_or_else(|| "–".into(), count),
            from: set.from.map_or_else(|| "launch".into(), |d| d.to_string()),
            checked: date(m.prices_checked),
            source: m.source.clone(),
        }
    }
}
