//! The Compare page: models side by side for one request shape (or a per-call scenario times
//! N calls), with sliders and typed inputs. The whole state is in the URL, so a comparison
//! is shared by sharing its link.

use cost_core::{PriceOptions, Usage, Usd};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::components::model_picker::ModelPicker;
use crate::format::{count, per_mtok, usd};
use crate::state::{use_app, DEFAULT_MODELS};

/// The request shape, as the URL carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Models, `provider/id`.
    pub models: Vec<String>,
    /// Prompt tokens not read from the cache.
    pub input: u64,
    /// Prompt tokens read from the cache.
    pub cached: u64,
    /// Prompt tokens written to a 5-minute cache.
    pub cache_write: u64,
    /// Output tokens, reasoning excluded.
    pub output: u64,
    /// Reasoning tokens.
    pub reasoning: u64,
    /// Calls.
    pub calls: u64,
    /// Batch prices.
    pub batch: bool,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            models: DEFAULT_MODELS.iter().map(|s| s.to_string()).collect(),
            input: 550,
            cached: 0,
            cache_write: 0,
            output: 100,
            reasoning: 0,
            calls: 600,
            batch: false,
        }
    }
}

/// The most tokens of one kind a request may have here (10 million: above every context
/// window, below anything that could overflow).
pub const MAX_TOKENS_FIELD: u64 = 10_000_000;
/// The most calls.
pub const MAX_CALLS: u64 = 100_000_000;

impl Scenario {
    /// The query string (`?m=a,b&in=550...`).
    pub fn to_query(&self) -> String {
        format!(
            "?m={}&in={}&cached={}&write={}&out={}&reasoning={}&calls={}&batch={}",
            self.models.join(","),
            self.input,
            self.cached,
            self.cache_write,
            self.output,
            self.reasoning,
            self.calls,
            u8::from(self.batch)
        )
    }

    /// Reads a scenario from query values; missing or bad values take the defaults.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Scenario {
        let d = Scenario::default();
        let num = |key: &str, default: u64, max: u64| {
            get(key)
                .and_then(|v| v.parse::<u64>().ok())
                .map_or(default, |v| v.min(max))
        };
        Scenario {
            models: get("m").map_or(d.models, |m| {
                m.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .take(200)
                    .map(String::from)
                    .collect()
            }),
            input: num("in", d.input, MAX_TOKENS_FIELD),
            cached: num("cached", d.cached, MAX_TOKENS_FIELD),
            cache_write: num("write", d.cache_write, MAX_TOKENS_FIELD),
            output: num("out", d.output, MAX_TOKENS_FIELD),
            reasoning: num("reasoning", d.reasoning, MAX_TOKENS_FIELD),
            calls: num("calls", d.calls, MAX_CALLS).max(1),
            batch: get("batch").is_some_and(|b| b == "1" || b == "true"),
        }
    }

    /// The usage of one call.
    pub fn usage(&self) -> Usage {
        Usage {
            input_tokens: self.input + self.cached + self.cache_write,
            cache_read_tokens: self.cached,
            cache_write_5m_tokens: self.cache_write,
            output_tokens: self.output + self.reasoning,
            reasoning_tokens: self.reasoning,
            ..Usage::default()
        }
    }
}

/// The Compare page.
#[component]
pub fn ComparePage() -> impl IntoView {
    let app = use_app();
    let query = use_query_map();
    let navigate = use_navigate();
    let scenario = Memo::new(move |_| query.with(|q| Scenario::from_query(|k| q.get(k))));
    let set = move |f: Box<dyn Fn(&mut Scenario)>| {
        let mut next = scenario.get_untracked();
        f(&mut next);
        navigate(
            &format!("/compare{}", next.to_query()),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let set = StoredValue::new_local(set);
    let update = move |f: Box<dyn Fn(&mut Scenario)>| set.with_value(|s| s(f));
    // The model picker edits a signal; mirror it into the URL.
    let selected = RwSignal::new(scenario.get_untracked().models);
    Effect::new(move |_| {
        let models = selected.get();
        if models != scenario.get_untracked().models {
            update(Box::new(move |s| s.models = models.clone()));
        }
    });
    Effect::new(move |_| {
        let models = scenario.get().models;
        if models != selected.get_untracked() {
            selected.set(models);
        }
    });
    let field = move |label: &'static str,
                      get: fn(&Scenario) -> u64,
                      put: fn(&mut Scenario, u64),
                      max: u64,
                      testid: &'static str| {
        let error = RwSignal::new(None::<String>);
        let on_text = move |ev: leptos::ev::Event| {
            let text: String = event_target_value(&ev)
                .chars()
                .filter(|c| *c != ',')
                .collect();
            match text.trim().parse::<u64>() {
                Ok(v) if v <= max => {
                    error.set(None);
                    update(Box::new(move |s| put(s, v)));
                }
                Ok(_) => error.set(Some(format!("at most {}", count(max)))),
                Err(_) => error.set(Some("a whole number, 0 or more".into())),
            }
        };
        let slider_max = max.min(2_000_000);
        view! {
            <label class="num">
                <span>{label}</span>
                <input type="range" min="0" max=slider_max.to_string() step="1" aria-label=format!("{label} (slider)") prop:value=move || get(&scenario.get()).min(slider_max).to_string() on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                        update(Box::new(move |s| put(s, v)));
                    }
                } />
                <input type="text" inputmode="numeric" aria-label=label prop:value=move || get(&scenario.get()).to_string() on:change=on_text data-testid=testid />
                {move || error.get().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            </label>
        }
    };
    let rows = Memo::new(move |_| {
        let s = scenario.get();
        let catalog = app.catalog.get();
        if catalog.unapplied.is_some() {
            // Never priced without the user's prices: the status below says why.
            return Vec::new();
        }
        let usage = s.usage();
        let mut rows: Vec<CompareRow> = s
            .models
            .iter()
            .map(|name| {
                let price = |batch: bool| {
                    catalog.catalog.price(name, &usage, PriceOptions { at: app.today, batch })
                };
                match (price(s.batch), price(!s.batch)) {
                    (Ok(cost), other) => {
                        let total = Usd::from_femto(cost.total_usd.femto() * i128::from(s.calls));
                        let other_total = other.ok().map(|c| Usd::from_femto(c.total_usd.femto() * i128::from(s.calls)));
                        let model = catalog.catalog.find(name).ok();
                        let prices = model.map(|m| m.price_set_at(app.today).standard.base);
                        CompareRow {
                            name: name.clone(),
                            label: model.map_or_else(|| name.clone(), |m| m.name.clone()),
                            per_call: Some(cost.total_usd),
                            total: Some(total),
                            other_total,
                            tier: cost.tier.map(|t| format!("long-context price above {} prompt tokens", count(t.above_tokens))),
                            notes: cost.warnings.iter().map(|w| w.message.clone()).collect(),
                            prices: prices.map(|p| format!("{} in · {} out · {} cached, per Mtok; prices of {}, source: {}", per_mtok(Some(p.input_usd_per_mtok)), per_mtok(Some(p.output_usd_per_mtok)), per_mtok(p.cache_read_usd_per_mtok), cost.at, cost.source)),
                        }
                    }
                    (Err(e), _) => CompareRow {
                        name: name.clone(),
                        label: name.clone(),
                        per_call: None,
                        total: None,
                        other_total: None,
                        tier: None,
                        notes: vec![e.to_string()],
                        prices: None,
                    },
                }
            })
            .collect();
        rows.sort_by_key(|r| r.total.map_or(i128::MAX, Usd::femto));
        rows
    });
    let cheapest = Memo::new(move |_| rows.with(|r| r.iter().find_map(|x| x.total)));
    view! {
        <h1>"Compare models for one request shape"</h1>
        <p class="lede">"Set the tokens of one call and how many calls; every model's cost updates. The address bar holds the whole comparison: copy it to share."</p>
        <div class="estimate-layout">
            <section class="inputs" aria-label="Request shape">
                <fieldset>
                    <legend>"One call"</legend>
                    {field("Input tokens (not cached)", |s| s.input, |s, v| s.input = v, MAX_TOKENS_FIELD, "cmp-input")}
                    {field("Cached input tokens (cache reads)", |s| s.cached, |s, v| s.cached = v, MAX_TOKENS_FIELD, "cmp-cached")}
                    {field("Cache-write tokens (5 min)", |s| s.cache_write, |s, v| s.cache_write = v, MAX_TOKENS_FIELD, "cmp-write")}
                    {field("Output tokens", |s| s.output, |s, v| s.output = v, MAX_TOKENS_FIELD, "cmp-output")}
                    {field("Reasoning tokens", |s| s.reasoning, |s, v| s.reasoning = v, MAX_TOKENS_FIELD, "cmp-reasoning")}
                    {field("Calls", |s| s.calls, |s, v| s.calls = v.max(1), MAX_CALLS, "cmp-calls")}
                    <label class="check">
                        <input type="checkbox" prop:checked=move || scenario.get().batch on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            update(Box::new(move |s| s.batch = on));
                        } data-testid="cmp-batch" />
                        " Batch API prices"
                    </label>
                </fieldset>
                <ModelPicker selected=selected />
            </section>
            <section class="results" aria-label="Comparison" aria-live="polite">
                {move || app.catalog.with(|c| c.unapplied.as_ref().map(|u| {
                    view! { <p class="hint" role="status" data-testid="compare-waiting">{u.status()}</p> }
                }))}
                <div class="table-wrap">
                    <table data-testid="compare-table">
                        <caption>{move || {
                            let s = scenario.get();
                            format!("US dollars at prices of {}; {} calls of {} prompt and {} output tokens{}.", app.today, count(s.calls), count(s.usage().input_tokens), count(s.usage().output_tokens), if s.batch { ", batch" } else { "" })
                        }}</caption>
                        <thead><tr>
                            <th scope="col">"Model"</th>
                            <th scope="col" class="num">"Per call"</th>
                            <th scope="col" class="num">"Total"</th>
                            <th scope="col" class="num">"vs cheapest"</th>
                            <th scope="col" class="num">{move || if scenario.get().batch { "Without batch" } else { "With batch" }}</th>
                            <th scope="col">"Notes"</th>
                        </tr></thead>
                        <tbody>
                            {move || {
                                let low = cheapest.get();
                                rows.get().into_iter().map(|r| {
                                    let times = match (r.total, low) {
                                        (Some(t), Some(l)) => crate::format::times(t, l),
                                        _ => "–".into(),
                                    };
                                    view! {
                                        <tr data-testid="compare-row" data-model=r.name.clone()>
                                            <th scope="row">{r.label.clone()}<small>{format!(" {}", r.name)}</small></th>
                                            <td class="num">{r.per_call.map_or_else(|| "–".into(), usd)}</td>
                                            <td class="num strong" data-testid="compare-total">{r.total.map_or_else(|| "–".into(), usd)}</td>
                                            <td class="num">{times}</td>
                                            <td class="num">{r.other_total.map_or_else(|| "–".into(), usd)}</td>
                                            <td>
                                                {r.tier.map(|t| view! { <div class="warn">{t}</div> })}
                                                {r.notes.into_iter().map(|n| view! { <div class="warn">{n}</div> }).collect_view()}
                                                {r.prices.map(|p| view! { <div class="hint">{p}</div> })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </section>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CompareRow {
    name: String,
    label: String,
    per_call: Option<Usd>,
    total: Option<Usd>,
    other_total: Option<Usd>,
    tier: Option<String>,
    notes: Vec<String>,
    prices: Option<String>,
}
