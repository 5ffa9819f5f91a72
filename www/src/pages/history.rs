//! The History page: every saved estimate; reopen, rename, duplicate, delete (with undo),
//! compare two, export everything as JSON and import it back (merging, never overwriting).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::app::Page;
use crate::format::{bytes, count, usd};
use crate::state::{now_ms, use_app, Notice};
use crate::storage::{new_id, parse_export, SavedEstimate};

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not prepare the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser could not prepare the file")?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link")?
        .dyn_into()
        .map_err(|_| "no link")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Reads the text of the file an `<input type=file>` event carries.
pub async fn file_text(ev: &web_sys::Event) -> Result<Option<(String, String)>, String> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Ok(None);
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return Ok(None);
    };
    input.set_value("");
    if file.size() > 64.0 * 1024.0 * 1024.0 {
        return Err(format!(
            "“{}” is larger than 64 MB; llmcost does not read files that large here",
            file.name()
        ));
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| format!("“{}” could not be read", file.name()))?;
    Ok(Some((file.name(), text.as_string().unwrap_or_default())))
}

fn when(ms: u64) -> String {
    let date = cost_core::Date::from_unix_seconds((ms / 1000) as i64);
    let minutes = (ms / 60_000) % (24 * 60);
    format!("{date} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// The History page.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let chosen = RwSignal::new(Vec::<String>::new());
    let reopen = StoredValue::new_local(move |saved: SavedEstimate| match app.reopen(&saved) {
        Ok(()) => navigate(&Page::Estimate.path(), Default::default()),
        Err(e) => app.tell(format!("“{}” cannot be reopened: {e}", saved.name), true),
    });
    let rename = move |saved: SavedEstimate, name: String| {
        let name = name.trim().to_string();
        if name.is_empty() || name == saved.name {
            return;
        }
        let mut next = saved;
        next.name = name.clone();
        next.updated_ms = now_ms();
        match app.store.with_value(|s| s.save_estimate(&next)) {
            Ok(()) => {
                if app.estimate.saved_id.get_untracked().as_deref() == Some(next.id.as_str()) {
                    app.estimate.name.set(name);
                }
                app.history.update(|h| {
                    if let Some(x) = h.iter_mut().find(|x| x.id == next.id) {
                        *x = next;
                    }
                });
            }
            Err(e) => app.write_failed(&e),
        }
    };
    let duplicate = move |saved: SavedEstimate| {
        let mut copy = saved;
        let now = now_ms();
        copy.id = new_id(now);
        copy.name = format!("{} (copy)", copy.name);
        copy.created_ms = now;
        copy.updated_ms = now;
        match app.store.with_value(|s| s.save_estimate(&copy)) {
            Ok(()) => app.history.update(|h| h.insert(0, copy)),
            Err(e) => app.write_failed(&e),
        }
    };
    let delete =
        move |saved: SavedEstimate| match app.store.with_value(|s| s.delete_estimate(&saved.id)) {
            Ok(()) => {
                app.history.update(|h| h.retain(|x| x.id != saved.id));
                chosen.update(|c| c.retain(|x| *x != saved.id));
                if app.estimate.saved_id.get_untracked().as_deref() == Some(saved.id.as_str()) {
                    app.detach();
                }
                let serial = app
                    .notice
                    .with_untracked(|n| n.as_ref().map_or(0, |n| n.serial))
                    + 1;
                app.notice.set(Some(Notice {
                    serial,
                    text: format!("Deleted “{}”.", saved.name),
                    is_error: false,
                    undo: Some(saved),
                }));
            }
            Err(e) => app.write_failed(&e),
        };
    let export = move |_| {
        let all = app.store.with_value(|s| s.export());
        let text = serde_json::to_string_pretty(&all).unwrap_or_default();
        let name = format!("llmcost-history-{}.json", app.today);
        if let Err(e) = download(&name, "application/json", &text) {
            app.tell(e, true);
        }
    };
    let import = move |ev: web_sys::Event| {
        leptos::task::spawn_local(async move {
            match file_text(&ev).await {
                Ok(Some((name, text))) => match parse_export(&text) {
                    Ok(export) => {
                        let imported = app.store.with_value(|s| s.import(export, now_ms()));
                        // Show what is saved now, also when a write failed partway (the
                        // quota): the records written before it are kept.
                        let estimates = app.store.with_value(|s| s.estimates());
                        if estimates.available {
                            app.history.set(estimates.records);
                        }
                        let usage = app.store.with_value(|s| s.usage_logs());
                        if usage.available {
                            app.usage.set(usage.records);
                        }
                        app.prices.set(app.saved_prices());
                        if let Ok(Some(b)) = app
                            .store
                            .with_value(|s| s.single(crate::storage::BUDGET_KEY))
                        {
                            app.budget.set(Some(b));
                        }
                        match imported {
                            Ok(report) => app.tell(report.message(), false),
                            Err(e) => app.write_failed(&e),
                        }
                    }
                    Err(e) => app.tell(format!("{name}: {e}"), true),
                },
                Ok(None) => {}
                Err(e) => app.tell(e, true),
            }
        });
    };
    let compared = Memo::new(move |_| {
        let ids = chosen.get();
        if ids.len() != 2 {
            return None;
        }
        app.history.with(|h| {
            let a = h.iter().find(|e| e.id == ids[0])?.clone();
            let b = h.iter().find(|e| e.id == ids[1])?.clone();
            Some((a, b))
        })
    });
    view! {
        <h1>"History"</h1>
        <p class="lede">"Every estimate is kept in this browser (localStorage), not its text: the book's counts and a fingerprint. Export to keep a copy or move it to another browser."</p>
        <div class="actions">
            <button on:click=export data-testid="export">"Export all as JSON"</button>
            <label class="button">
                "Import a history file…"
                <input type="file" accept=".json,application/json" class="visually-hidden" on:change=import data-testid="import" />
            </label>
        </div>
        <Show when=move || app.history.with(Vec::is_empty)>
            <p class="empty">"No saved estimates yet: estimates are saved here as you make them."</p>
        </Show>
        {move || compared.get().map(|(a, b)| view! { <Comparison a=a b=b /> })}
        <div class="cards" data-testid="history">
            <For
                each=move || app.history.get()
                key=|e| (e.id.clone(), e.updated_ms, e.name.clone())
                children=move |e: SavedEstimate| {
                    let book = e.book.as_ref().map(|b| {
                        let title = b.profile.title.clone().or_else(|| b.file_name.clone()).unwrap_or_else(|| "Pasted text".into());
                        format!("{title} · {} · {} tokens", bytes(b.bytes), count(b.profile.encoding("o200k_base").map_or(0, |x| x.total_tokens)))
                    }).unwrap_or_else(|| "Plain numbers".into());
                    let pipeline = cost_core::Pipeline::from_json(&e.inputs.pipeline_json).map(|p| p.name).unwrap_or_else(|_| "unreadable pipeline".into());
                    let cheapest = e.summary.cheapest.clone().map(|m| format!("Cheapest: {} {}", m.model, usd(m.expected_usd)));
                    let dearest = e.summary.most_expensive.clone().map(|m| format!("Most expensive: {} {}", m.model, usd(m.expected_usd)));
                    let id = e.id.clone();
                    let (e1, e2, e3, e4) = (e.clone(), e.clone(), e.clone(), e.clone());
                    let id_check = id.clone();
                    let checked = move || chosen.with(|c| c.contains(&id_check));
                    view! {
                        <article class="card" data-testid="history-entry" data-id=e.id.clone()>
                            <h3>
                                <input type="text" aria-label="Name of this estimate" prop:value=e.name.clone() on:change=move |ev| rename(e1.clone(), event_target_value(&ev)) data-testid="history-name" />
                            </h3>
                            <p class="hint">{format!("Saved {}", when(e.updated_ms))}</p>
                            <p>{book}</p>
                            <p>{format!("{pipeline} · {} models{}", e.summary.models, if e.inputs.batch { " · batch" } else { "" })}</p>
                            {cheapest.map(|c| view! { <p data-testid="history-cheapest">{c}</p> })}
                            {dearest.map(|c| view! { <p>{c}</p> })}
                            <div class="actions">
                                <button class="primary" on:click=move |_| reopen.with_value(|f| f(e2.clone())) data-testid="reopen">"Reopen"</button>
                                <button on:click=move |_| duplicate(e3.clone())>"Duplicate"</button>
                                <button on:click=move |_| delete(e4.clone()) data-testid="delete">"Delete"</button>
                                <label class="check">
                                    <input type="checkbox" prop:checked=checked on:change=move |_| chosen.update(|c| {
                                        if let Some(i) = c.iter().position(|x| *x == id) { c.remove(i); } else { c.push(id.clone()); if c.len() > 2 { c.remove(0); } }
                                    }) />
                                    " Compare"
                                </label>
                            </div>
                        </article>
                    }
                }
            />
        </div>
    }
}

/// Two saved estimates side by side.
#[component]
fn Comparison(a: SavedEstimate, b: SavedEstimate) -> impl IntoView {
    let row = |label: &'static str, f: &dyn Fn(&SavedEstimate) -> String| {
        view! { <tr><th scope="row">{label}</th><td>{f(&a)}</td><td>{f(&b)}</td></tr> }
    };
    let total = |m: &Option<crate::storage::ModelTotal>| {
        m.as_ref().map_or_else(
            || "–".into(),
            |m| format!("{} {}", m.model, usd(m.expected_usd)),
        )
    };
    view! {
        <section class="table-wrap" aria-label="Two estimates compared">
            <table>
                <caption>"Two saved estimates side by side (US dollars, expected costs)"</caption>
                <thead><tr><th></th><th scope="col">{a.name.clone()}</th><th scope="col">{b.name.clone()}</th></tr></thead>
                <tbody>
                    {row("Book", &|e| e.book.as_ref().map_or_else(|| "Plain numbers".into(), |b| format!("{} ({})", b.file_name.clone().unwrap_or_else(|| "pasted".into()), bytes(b.bytes))))}
                    {row("Pipeline", &|e| cost_core::Pipeline::from_json(&e.inputs.pipeline_json).map(|p| p.name).unwrap_or_default())}
                    {row("Models", &|e| e.inputs.models.join(", "))}
                    {row("Batch", &|e| if e.inputs.batch { "yes".into() } else { "no".into() })}
                    {row("Caching", &|e| e.inputs.cache.clone())}
                    {row("Cheapest", &|e| total(&e.summary.cheapest))}
                    {row("Most expensive", &|e| total(&e.summary.most_expensive))}
                    {row("Prices of", &|e| e.inputs.at.to_string())}
                </tbody>
            </table>
        </section>
    }
}
