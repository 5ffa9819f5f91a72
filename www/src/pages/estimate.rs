//! The Estimate page (home): a book or plain numbers, a pipeline, models and options in;
//! every model's cost out, sorted, with charts, warnings and recommendations. Everything
//! updates as the inputs change; each estimate is saved in History as it changes.

use cost_core::{EstimateSectionKind, ModelEstimate, TokenCountKind, Usd};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::book;
use crate::charts::{ChapterBars, StackedBars, StackedRow};
use crate::components::model_picker::ModelPicker;
use crate::components::pipeline_editor::{NumberField, PipelineEditor};
use crate::engine;
use crate::format::{bytes, count, usd};
use crate::state::{use_app, AppState, Outcome, Shared};
use crate::storage::PlainInputs;

/// The Estimate page.
#[component]
pub fn EstimatePage() -> impl IntoView {
    let app = use_app();
    // Save every new result in History (the same entry while the inputs change).
    Effect::new(move |_| {
        if let Some(Outcome::Done(estimate)) = app.result.get() {
            app.save_current(&estimate);
        }
    });
    view! {
        <h1>"What will this run cost?"</h1>
        <p class="lede">
            "Drop a book, pick a pipeline and the models to compare: every model's cost appears below, cheapest first. Prices of "
            {app.today.to_string()} ", in US dollars."
        </p>
        <div class="estimate-layout">
            // Someone changing the inputs is about to estimate: fetch the engine now, not
            // when the book arrives (a drag over the page or "Choose a file…" does too).
            <section class="inputs" aria-label="Inputs" on:change=move |_| engine::prefetch() on:input=move |_| engine::prefetch()>
                <BookInput />
                <ProfileCard />
                <PipelineEditor />
                <ModelPicker selected=app.estimate.models />
                <OptionsPanel />
            </section>
            <section class="results" aria-label="Results" aria-live="polite">
                <Results />
            </section>
        </div>
    }
}

fn files_of(ev: &web_sys::Event) -> Option<web_sys::File> {
    if let Some(drag) = ev.dyn_ref::<web_sys::DragEvent>() {
        return drag.data_transfer()?.files()?.get(0);
    }
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    input.files()?.get(0)
}

fn start_count(app: AppState, file: web_sys::File) {
    // The vocabulary downloads while the file is read and split into chapters and sentences.
    book::prefetch_vocabulary();
    let name = file.name();
    leptos::task::spawn_local(async move {
        match book::read_file(&file).await {
            Ok(bytes) => book::count(app, bytes, Some(name)).await,
            Err(e) => {
                app.estimate.counting.set(None);
                app.estimate.book_error.set(Some(e));
            }
        }
    });
}

/// Choose, drop or paste a book; or give plain numbers.
#[component]
fn BookInput() -> impl IntoView {
    let app = use_app();
    let s = app.estimate;
    let over = RwSignal::new(false);
    let pasted = RwSignal::new(String::new());
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        over.set(false);
        if let Some(file) = files_of(&ev) {
            start_count(app, file);
        }
    };
    let on_pick = move |ev: web_sys::Event| {
        if let Some(file) = files_of(&ev) {
            start_count(app, file);
        }
    };
    let count_pasted = move |_| {
        let text = pasted.get_untracked();
        leptos::task::spawn_local(async move {
            book::count(app, text.into_bytes(), None).await;
        });
    };
    let use_plain = move |_| {
        s.plain.set(Some(PlainInputs {
            units: 600,
            tokens_per_unit: 50,
            chapters: 12,
        }));
        app.detach();
    };
    view! {
        <fieldset class="book">
            <legend>"Book"</legend>
            <div
                class="drop"
                class:over=move || over.get()
                on:dragenter=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    over.set(true);
                    book::prefetch_vocabulary();
                }
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:dragleave=move |_| over.set(false)
                on:drop=on_drop
                data-testid="drop"
            >
                <p>"Drop a book here (.txt, .md or .epub), or"</p>
                <label class="button" on:pointerdown=move |_| book::prefetch_vocabulary()>
                    "Choose a file…"
                    <input type="file" accept=".txt,.md,.markdown,.epub,text/plain,text/markdown,application/epub+zip" class="visually-hidden" on:change=on_pick on:focus=move |_| book::prefetch_vocabulary() data-testid="book-file" />
                </label>
            </div>
            <details on:toggle=move |_| book::prefetch_vocabulary()>
                <summary>"Paste text instead"</summary>
                <label class="stack">
                    "Text to count"
                    <textarea rows="5" prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev)) data-testid="paste"></textarea>
                </label>
                <button on:click=count_pasted>"Count this text"</button>
            </details>
            <details on:toggle=move |_| engine::prefetch()>
                <summary>"No book yet? Use plain numbers"</summary>
                <button on:click=use_plain>"Use plain numbers"</button>
                {move || s.plain.get().map(|p| {
                    let set = move |f: fn(&mut PlainInputs, u64)| Callback::new(move |v: u64| s.plain.update(|x| if let Some(x) = x { f(x, v) }));
                    view! {
                        <div class="grid">
                            <NumberField label="Units (calls of a one-call-per-unit phase)".into() value=Signal::derive(move || p.units) on_set=set(|x, v| x.units = v) />
                            <NumberField label="Tokens per unit".into() value=Signal::derive(move || p.tokens_per_unit) on_set=set(|x, v| x.tokens_per_unit = v) />
                            <NumberField label="Chapters".into() value=Signal::derive(move || p.chapters) on_set=set(|x, v| x.chapters = v.max(1)) />
                        </div>
                    }
                })}
            </details>
            {move || s.book_error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="book-error">{e}</p> })}
        </fieldset>
    }
}

/// The book's profile, or counting progress.
#[component]
fn ProfileCard() -> impl IntoView {
    let app = use_app();
    let s = app.estimate;
    view! {
        {move || s.counting.get().map(|c| {
            let label = if c.loading_vocabulary { "Loading the tokenizer…".to_string() } else {
                format!("Counting… {} of {}", bytes(c.done), bytes(c.total))
            };
            view! {
                <div class="progress" data-testid="progress">
                    <label>{label.clone()}<progress max=c.total.max(1).to_string() value=c.done.to_string() aria-label=label></progress></label>
                </div>
            }
        })}
        {move || {
            if s.plain.with(Option::is_some) {
                return None;
            }
            s.book.get().map(|b| {
                let p = &b.saved.profile;
                let o200k = p.encoding("o200k_base");
                let tokens = o200k.map_or(0, |e| e.total_tokens);
                let title = p.title.clone().or_else(|| b.saved.file_name.clone()).unwrap_or_else(|| "Pasted text".into());
                let gutenberg = p.gutenberg.as_ref().map(|g| {
                    let parts = g.header.as_ref().map_or(0, |h| h.bytes) + g.licence.as_ref().map_or(0, |l| l.bytes);
                    if g.excluded {
                        format!("Project Gutenberg header and licence found and excluded ({}).", bytes(parts))
                    } else {
                        format!("Project Gutenberg header and licence found and counted ({}).", bytes(parts))
                    }
                });
                let warnings = p.warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>();
                view! {
                    <section class="profile" aria-label="Book profile" data-testid="profile">
                        <h2>{title}</h2>
                        <dl>
                            <dt>"Size"</dt><dd>{format!("{} ({})", bytes(b.saved.bytes), p.format.as_str())}</dd>
                            <dt>"Chapters"</dt><dd data-testid="chapters">{count(p.units.chapters)}</dd>
                            <dt>"Paragraphs"</dt><dd>{count(p.units.paragraphs)}</dd>
                            <dt>"Sentences"</dt><dd data-testid="sentences">{count(p.units.sentences)}</dd>
                            <dt>"Words"</dt><dd>{count(p.words)}</dd>
                            <dt>"Tokens"</dt><dd data-testid="tokens">{format!("{} (o200k_base, exact: GPT-4o, GPT-4.1, GPT-5)", count(tokens))}</dd>
                        </dl>
                        <p class="hint">"Other models' tokens are approximate: the o200k_base count times a ratio per tokenizer family (see each model's row)."</p>
                        {gutenberg.map(|g| view! { <p class="hint" data-testid="gutenberg">{g}</p> })}
                        {warnings.into_iter().map(|w| view! { <p class="warn">{w}</p> }).collect_view()}
                    </section>
                }
            })
        }}
    }
}

/// Batch and caching options.
#[component]
fn OptionsPanel() -> impl IntoView {
    let app = use_app();
    let s = app.estimate;
    view! {
        <fieldset class="options">
            <legend>"Options"</legend>
            <label class="check">
                <input type="checkbox" prop:checked=move || s.batch.get() on:change=move |ev| s.batch.set(event_target_checked(&ev)) data-testid="batch" />
                " Batch API (results within 24 hours, about half price where offered)"
            </label>
            <label>
                "Prompt caching "
                <select on:change=move |ev| s.cache.set(event_target_value(&ev)) data-testid="cache">
                    <option value="default" selected=move || s.cache.get() == "default">"Each provider's default"</option>
                    <option value="none" selected=move || s.cache.get() == "none">"No caching"</option>
                    <option value="5m" selected=move || s.cache.get() == "5m">"5-minute cache (explicit)"</option>
                    <option value="1h" selected=move || s.cache.get() == "1h">"1-hour cache (explicit)"</option>
                    <option value="store:24" selected=move || s.cache.get() == "store:24">"Explicit cache stored 24 h (Gemini)"</option>
                </select>
            </label>
            <NumberField label="Expected cache hits (%)".into() value=Signal::derive(move || s.cache_hit_percent.get()) on_set=Callback::new(move |v| s.cache_hit_percent.set(v)) max=100 />
        </fieldset>
    }
}

fn components_of(m: &ModelEstimate) -> [Usd; 5] {
    let c = &m.components;
    [
        c.input,
        c.cache_write(),
        c.cache_read,
        c.output,
        c.cache_storage,
    ]
}

/// The results: table, charts, warnings and recommendations.
#[component]
fn Results() -> impl IntoView {
    let app = use_app();
    view! {
        {move || match app.result.get() {
            None => view! {
                <div class="empty">
                    <p>"Drop a book (or use plain numbers) to see what each model would cost."</p>
                </div>
            }.into_any(),
            Some(Outcome::Waiting(what)) => view! {
                <div class="empty" role="status" data-testid="estimate-waiting">
                    <p>{what}</p>
                </div>
            }.into_any(),
            Some(Outcome::Failed(e)) => view! { <p class="field-error" role="alert" data-testid="estimate-error">"No estimate: " {e}</p> }.into_any(),
            // Only the engine makes an estimate, and it draws it too (so it is loaded here).
            Some(Outcome::Done(estimate)) => engine::get().map_or_else(|| ().into_any(), |e| e.results(estimate)),
        }}
    }
}

/// The results of an estimate, drawn through [`Engine::results`](crate::engine::Engine::results)
/// so that this code is the engine chunk's.
#[component]
pub(crate) fn ResultsView(estimate: Shared<cost_core::Estimate>) -> impl IntoView {
    let app = use_app();
    let mut models: Vec<ModelEstimate> = estimate.models.clone();
    models.sort_by_key(|m| m.rank);
    let cheapest = models.first().map(|m| m.cost.expected);
    let rows: Vec<StackedRow> = models
        .iter()
        .map(|m| StackedRow {
            label: m.name.clone(),
            parts: components_of(m),
        })
        .collect();
    let catalog = app.catalog.get_untracked();
    let mine = move |m: &ModelEstimate| {
        catalog
            .catalog
            .find(&format!("{}/{}", m.provider, m.model))
            .map(crate::components::model_picker::yours)
            .unwrap_or(false)
    };
    let chart_model = app.estimate.chart_model;
    let table_rows = models
        .iter()
        .map(|m| {
            let id = format!("{}/{}", m.provider, m.model);
            let id2 = id.clone();
            let id3 = id.clone();
            let approx = m.token_counts.iter().any(|t| t.kind == TokenCountKind::Approximate);
            let method = m.token_counts.iter().map(|t| t.method.clone()).collect::<Vec<_>>().join("; ");
            let warnings = m.warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>();
            let recs = m
                .recommendations
                .iter()
                .map(|r| format!("{} (saves {})", r.message, usd(r.saves_usd)))
                .collect::<Vec<_>>();
            let is_mine = mine(m);
            let times = m.times_cheapest.clone().map_or_else(|| "cheapest".to_string(), |t| format!("× {t}"));
            let selected = move || chart_model.get().as_deref() == Some(id.as_str());
            view! {
                <tbody class="model" class:selected=selected>
                    <tr data-testid="result-row" data-model=id3>
                        <td class="num">{m.rank}</td>
                        <th scope="row">
                            <button class="link" on:click=move |_| chart_model.set(Some(id2.clone())) aria-label=format!("Chart {} per chapter", m.name)>{m.name.clone()}</button>
                            <small>{format!(" {}/{}", m.provider, m.model)}</small>
                            {is_mine.then(|| view! { <span class="badge yours">"yours"</span> })}
                        </th>
                        <td class="num">{usd(m.cost.low)}</td>
                        <td class="num strong" data-testid="expected" data-usd=m.cost.expected.to_decimal_string()>{usd(m.cost.expected)}</td>
                        <td class="num">{usd(m.cost.high)}</td>
                        <td class="num">{times}</td>
                        <td class="num">{count(m.tokens.input_tokens)}{approx.then(|| view! { <abbr title=method.clone()>" ≈"</abbr> })}</td>
                        <td class="num">{count(m.tokens.output_tokens + m.tokens.reasoning_tokens)}</td>
                        <td class="num">{count(m.tokens.calls)}</td>
                        <td class="num">{usd(m.savings.caching_usd)}</td>
                        <td class="num">{usd(m.savings.batch_usd)}</td>
                    </tr>
                    {(!warnings.is_empty() || !recs.is_empty()).then(|| view! {
                        <tr class="notes">
                            <td></td>
                            <td colspan="10">
                                <ul>
                                    {warnings.into_iter().map(|w| view! { <li class="warn" data-testid="warning">"⚠ " {w}</li> }).collect_view()}
                                    {recs.into_iter().map(|r| view! { <li class="tip">"Tip: " {r}</li> }).collect_view()}
                                </ul>
                            </td>
                        </tr>
                    })}
                </tbody>
            }
        })
        .collect_view();
    let sections = estimate.sections.clone();
    let all_models = models.clone();
    let chapter_chart = move || {
        let chosen = chart_model.get().or_else(|| {
            all_models
                .first()
                .map(|m| format!("{}/{}", m.provider, m.model))
        })?;
        let m = all_models
            .iter()
            .find(|m| format!("{}/{}", m.provider, m.model) == chosen)?;
        let labelled = sections
            .iter()
            .zip(&m.by_section)
            .map(|(s, c)| {
                let label = match (s.kind, s.number) {
                    (EstimateSectionKind::Chapter, Some(n)) => match &s.title {
                        Some(t) => format!("Chapter {n} ({t})"),
                        None => format!("Chapter {n}"),
                    },
                    (EstimateSectionKind::FrontMatter, _) => "Front matter".into(),
                    _ => "Conversation".into(),
                };
                (label, *c)
            })
            .collect::<Vec<_>>();
        Some(view! { <ChapterBars model=m.name.clone() sections=labelled /> })
    };
    // Prices, dates, sources and the token-count method of the selected model (one model at
    // a time keeps the table light for 60 models).
    let sources_models = models.clone();
    let sources = move || {
        let chosen = chart_model.get().or_else(|| {
            sources_models
                .first()
                .map(|m| format!("{}/{}", m.provider, m.model))
        })?;
        let m = sources_models
            .iter()
            .find(|m| format!("{}/{}", m.provider, m.model) == chosen)?;
        let lines = m
            .prices
            .iter()
            .map(|p| {
                format!(
                    "{}: prices in force from {}, last checked {}{}; source: {}",
                    p.model,
                    p.prices_from
                        .map_or_else(|| "the model's launch".into(), |d| d.to_string()),
                    p.prices_checked
                        .map_or_else(|| "–".into(), |d| d.to_string()),
                    if p.batch { " (batch prices)" } else { "" },
                    p.source
                )
            })
            .chain(
                m.token_counts
                    .iter()
                    .map(|t| format!("Tokens: {}", t.method)),
            )
            .collect::<Vec<_>>();
        Some(view! {
            <section class="card" aria-label="Prices and token counts used" data-testid="sources">
                <h3>{format!("Prices and token counts used for {}", m.name)}</h3>
                <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            </section>
        })
    };
    let count_models = models.len();
    let summary = cheapest.map(|c| {
        let most = models.last().map(|m| m.cost.expected).unwrap_or(c);
        format!(
            "{} models · {} · from {} to {} expected",
            count_models,
            estimate.pipeline,
            usd(c),
            usd(most)
        )
    });
    view! {
        <h2 data-testid="results-summary">{summary}</h2>
        <div class="table-wrap">
            <table class="results-table" data-testid="results">
                <caption>"Costs in US dollars at prices of " {estimate.options.at.to_string()} ". Low and high use each phase's low and high output; ≈ marks approximate token counts."</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Low"</th>
                        <th scope="col">"Expected"</th>
                        <th scope="col">"High"</th>
                        <th scope="col">"vs cheapest"</th>
                        <th scope="col">"Input tokens"</th>
                        <th scope="col">"Output tokens"</th>
                        <th scope="col">"Calls"</th>
                        <th scope="col">"Caching saves"</th>
                        <th scope="col">"Batch saves"</th>
                    </tr>
                </thead>
                {table_rows}
            </table>
        </div>
        <p class="hint">"Select a model's name to chart its cost per chapter and see its prices, dates and sources."</p>
        {sources}
        <h3>"Cost by component"</h3>
        <StackedBars rows=rows />
        <h3>"Cost per chapter"</h3>
        {chapter_chart}
    }
}
