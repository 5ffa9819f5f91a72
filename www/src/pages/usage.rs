//! The Usage page: paste API responses or drop a JSONL log, see each call priced and totals
//! by model, phase and day; a monthly budget with alerts, how the current estimate would move
//! it, and a saved estimate set beside the actual cost of its run.

use cost_core::{
    parse_log_line, Budget, BudgetTracker, Catalog, Date, GroupKey, PricedRecord, ReportBuilder,
    ReportOptions, Request, Usd,
};
use leptos::prelude::*;

use crate::format::{count, parse_usd, percent, usd};
use crate::pages::history::file_text;
use crate::state::{now_ms, save_usage, use_app, PricedCatalog, Unapplied};
use crate::storage::{new_id, SavedBudget, SavedUsage, BUDGET_KEY};

/// The most calls one paste or file may hold.
pub const MAX_CALLS: usize = 1_000_000;

/// Prices every response or log line in `text`: a JSON object, an array of objects, or one
/// object per line (requests, whole API responses or `llmcost cost` records). Returns the
/// priced calls and a message per item that could not be priced (nothing else is dropped).
pub fn price_text(catalog: &Catalog, text: &str, today: Date) -> (Vec<PricedRecord>, Vec<String>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (
            records,
            vec!["nothing to price: paste a response or drop a JSONL log".into()],
        );
    }
    let price_value = |value: &serde_json::Value| -> Result<PricedRecord, String> {
        request_of(value)
            .and_then(|r| catalog.price_request(&r, today))
            .map_err(|e| e.to_string())
    };
    // A whole JSON document first (one response, or an array of them).
    if trimmed.starts_with('[')
        || (trimmed.starts_with('{') && !trimmed.contains("}\n{") && !trimmed.contains("}\r\n{"))
    {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) {
            let items: Vec<serde_json::Value> = match value {
                serde_json::Value::Array(items) => items,
                other => vec![other],
            };
            if items.len() > MAX_CALLS {
                return (records, vec![format!("{} calls is more than the {} this page prices at once; use `llmcost cost` for larger logs", count(items.len() as u64), count(MAX_CALLS as u64))]);
            }
            for (i, item) in items.iter().enumerate() {
                match price_value(item) {
                    Ok(r) => records.push(r),
                    Err(e) => errors.push(format!("item {}: {e}", i + 1)),
                }
            }
            return (records, errors);
        }
    }
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if records.len() + errors.len() >= MAX_CALLS {
            errors.push(format!(
                "stopped after {} lines; use `llmcost cost` for larger logs",
                count(MAX_CALLS as u64)
            ));
            break;
        }
        let priced = match serde_json::from_str::<serde_json::Value>(line) {
            Err(e) => Err(format!("not valid JSON: {e}")),
            Ok(value) => price_value(&value).or_else(|request_error| match parse_log_line(line) {
                Ok(Some(record)) => Ok(record),
                _ => Err(request_error),
            }),
        };
        match priced {
            Ok(r) => records.push(r),
            Err(e) => errors.push(format!("line {}: {e}", i + 1)),
        }
    }
    (records, errors)
}

/// The fields of a usage-log request line (`llmcost cost` input).
const REQUEST_FIELDS: [&str; 7] = [
    "model",
    "usage",
    "usage_format",
    "response",
    "batch",
    "at",
    "tags",
];

/// A request from a log line, or from a whole API response (any provider's shape).
fn request_of(value: &serde_json::Value) -> cost_core::Result<Request> {
    let is_response = value
        .as_object()
        .is_some_and(|o| o.keys().any(|k| !REQUEST_FIELDS.contains(&k.as_str())));
    if is_response {
        let wrapped = serde_json::json!({ "response": value });
        return Request::from_value(&wrapped);
    }
    Request::from_value(value)
}

/// Totals of `records` grouped by `key`, sorted by cost.
fn totals(records: &[PricedRecord], key: GroupKey) -> Vec<(String, u64, u64, Usd)> {
    let Ok(mut builder) = ReportBuilder::new(ReportOptions {
        by: vec![key],
        ..ReportOptions::default()
    }) else {
        return Vec::new();
    };
    for r in records {
        builder.add(r);
    }
    builder
        .finish()
        .groups
        .into_iter()
        .map(|g| {
            let name = g
                .key
                .first()
                .cloned()
                .flatten()
                .unwrap_or_else(|| "(none)".into());
            (
                name,
                g.spend.calls,
                u64::try_from(g.spend.input_tokens + g.spend.output_tokens).unwrap_or(u64::MAX),
                g.spend.cost_usd,
            )
        })
        .collect()
}

/// The Usage page.
#[component]
pub fn UsagePage() -> impl IntoView {
    let app = use_app();
    let pasted = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let add = move |name: String, text: String| {
        let catalog = app.catalog.get_untracked();
        if let Some(unapplied) = &catalog.unapplied {
            // Never priced without the user's prices.
            app.tell(
                format!("{name} was not priced: {}.", unapplied.reason()),
                true,
            );
            return;
        }
        let (records, errs) = price_text(&catalog.catalog, &text, app.today);
        let skipped = errs.len() as u64;
        errors.set(errs);
        if records.is_empty() {
            app.tell("No call could be priced; see the reasons below.", true);
            return;
        }
        let n = records.len();
        let log = SavedUsage {
            id: new_id(now_ms()),
            name,
            created_ms: now_ms(),
            records,
            skipped,
            estimate_id: None,
        };
        match save_usage(&app, log.clone()) {
            Ok(()) => app.tell(
                format!(
                    "Priced {} calls{}.",
                    count(n as u64),
                    if skipped > 0 {
                        format!("; {skipped} could not be priced (listed below)")
                    } else {
                        String::new()
                    }
                ),
                skipped > 0,
            ),
            Err(e) => {
                // Keep it on the page for this session even when it cannot be saved.
                app.usage.update(|u| u.insert(0, log));
                app.write_failed(&e);
            }
        }
    };
    let on_file = move |ev: web_sys::Event| {
        leptos::task::spawn_local(async move {
            match file_text(&ev).await {
                Ok(Some((name, text))) => add(name, text),
                Ok(None) => {}
                Err(e) => app.tell(e, true),
            }
        });
    };
    let all_records = Memo::new(move |_| {
        app.usage.with(|logs| {
            logs.iter()
                .flat_map(|l| l.records.iter().cloned())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <h1>"What did it cost?"</h1>
        <p class="lede">"Paste API responses (Anthropic, OpenAI, Gemini and others, one or many) or drop a JSONL usage log: each call is priced at the prices of its day. Logs are kept in this browser."</p>
        <div class="estimate-layout">
            <section class="inputs" aria-label="Add usage">
                <fieldset>
                    <legend>"Add calls"</legend>
                    <label class="stack">
                        "API responses or usage objects (JSON, an array, or one per line)"
                        <textarea rows="8" prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev)) data-testid="usage-paste"></textarea>
                    </label>
                    <div class="actions">
                        <button class="primary" on:click=move |_| add("Pasted responses".into(), pasted.get_untracked()) data-testid="usage-price">"Price these"</button>
                        <label class="button">
                            "Drop or choose a JSONL log…"
                            <input type="file" accept=".jsonl,.json,.ndjson,.txt" class="visually-hidden" on:change=on_file data-testid="usage-file" />
                        </label>
                    </div>
                    {move || {
                        let e = errors.get();
                        (!e.is_empty()).then(|| view! {
                            <div class="warn-box" role="alert" data-testid="usage-errors">
                                <p>{format!("{} could not be priced:", e.len())}</p>
                                <ul>{e.into_iter().take(50).map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
                            </div>
                        })
                    }}
                </fieldset>
                <BudgetPanel records=all_records />
                <Logs />
            </section>
            <section class="results" aria-label="Totals">
                <Totals records=all_records />
            </section>
        </div>
    }
}

#[component]
fn Logs() -> impl IntoView {
    let app = use_app();
    let remove = move |id: String| match app.store.with_value(|s| s.delete_usage(&id)) {
        Ok(()) => app.usage.update(|u| u.retain(|l| l.id != id)),
        Err(e) => app.write_failed(&e),
    };
    let link = move |id: String, estimate: String| {
        let mut log = match app
            .usage
            .with_untracked(|u| u.iter().find(|l| l.id == id).cloned())
        {
            Some(l) => l,
            None => return,
        };
        log.estimate_id = (!estimate.is_empty()).then_some(estimate);
        if let Err(e) = save_usage(&app, log) {
            app.write_failed(&e);
        }
    };
    view! {
        <fieldset>
            <legend>"Saved logs"</legend>
            <Show when=move || app.usage.with(Vec::is_empty)>
                <p class="hint">"None yet."</p>
            </Show>
            <ul class="plain">
                {move || app.usage.get().into_iter().map(|log| {
                    let id = log.id.clone();
                    let id2 = log.id.clone();
                    let total = Usd::from_femto(log.records.iter().map(|r| r.cost_usd.femto()).sum());
                    let linked = log.estimate_id.clone().unwrap_or_default();
                    view! {
                        <li data-testid="usage-log">
                            <strong>{log.name.clone()}</strong>
                            {format!(" · {} calls · {}", count(log.records.len() as u64), usd(total))}
                            {(log.skipped > 0).then(|| format!(" · {} skipped", log.skipped))}
                            <label>
                                " Run of estimate "
                                <select on:change=move |ev| link(id2.clone(), event_target_value(&ev))>
                                    <option value="">"(none)"</option>
                                    {app.history.get_untracked().into_iter().map(|e| {
                                        let selected = e.id == linked;
                                        view! { <option value=e.id.clone() selected=selected>{e.name.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <button on:click=move |_| remove(id.clone()) aria-label=format!("Delete log {}", log.name)>"Delete"</button>
                            <EstimateBeside log=log.clone() />
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
    }
}

/// A linked estimate's expected cost per phase beside the log's actual cost per phase,
/// computed again when the catalog changes.
#[component]
fn EstimateBeside(log: SavedUsage) -> impl IntoView {
    let app = use_app();
    move || estimate_beside(&log, &app.catalog.get())
}

fn estimate_beside(log: &SavedUsage, catalog: &PricedCatalog) -> AnyView {
    let app = use_app();
    let Some(estimate_id) = log.estimate_id.clone() else {
        return ().into_any();
    };
    let Some(saved) = app
        .history
        .with_untracked(|h| h.iter().find(|e| e.id == estimate_id).cloned())
    else {
        return view! { <p class="hint">"The linked estimate is no longer in History."</p> }
            .into_any();
    };
    let Ok(pipeline) = cost_core::Pipeline::from_json(&saved.inputs.pipeline_json) else {
        return view! { <p class="warn">"The linked estimate's pipeline cannot be read."</p> }
            .into_any();
    };
    let actual = totals(&log.records, GroupKey::tag("phase"));
    let models: Vec<String> = {
        let mut m: Vec<String> = log
            .records
            .iter()
            .map(|r| format!("{}/{}", r.provider, r.model))
            .collect();
        m.sort();
        m.dedup();
        m
    };
    let text =
        crate::state::text_input(saved.book.as_ref().map(|b| &b.profile), saved.inputs.plain);
    if let Some(unapplied) = &catalog.unapplied {
        let text = match unapplied {
            Unapplied::Loading => {
                "The linked estimate appears once your price files are loaded.".to_string()
            }
            Unapplied::Failed(_) => format!(
                "The linked estimate cannot be recomputed: {}.",
                unapplied.reason()
            ),
        };
        return view! { <p class="hint">{text}</p> }.into_any();
    }
    let mut options = cost_core::EstimateOptions::new(saved.inputs.at);
    options.batch = saved.inputs.batch;
    options.cache = crate::state::cache_plan(&saved.inputs.cache);
    options.cache_hit_per_mille = saved.inputs.cache_hit_percent.min(100) * 10;
    let estimate = text.and_then(|t| {
        catalog
            .catalog
            .estimate(
                &cost_core::TokenRatios::bundled(),
                &t,
                &pipeline,
                &models,
                &options,
            )
            .ok()
    });
    let Some(estimate) = estimate else {
        return view! { <p class="warn">"The linked estimate cannot be recomputed for this log's models."</p> }.into_any();
    };
    let rows = estimate
        .models
        .iter()
        .flat_map(|m| m.phases.iter().map(move |p| (m.model.clone(), p.clone())))
        .map(|(model, p)| {
            let spent = actual
                .iter()
                .find(|(phase, ..)| *phase == p.phase)
                .map(|(.., c)| *c)
                .unwrap_or(Usd::from_femto(0));
            let verdict = if spent > p.cost.high {
                "above the estimate"
            } else if spent < p.cost.low {
                "below the estimate"
            } else {
                "within the estimate"
            };
            view! {
                <tr>
                    <th scope="row">{format!("{} ({model})", p.phase)}</th>
                    <td class="num">{format!("{} – {}", usd(p.cost.low), usd(p.cost.high))}</td>
                    <td class="num">{usd(p.cost.expected)}</td>
                    <td class="num">{usd(spent)}</td>
                    <td>{verdict}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table data-testid="estimate-beside">
            <caption>{format!("Estimate “{}” beside this run (US dollars; actual phases from each call's `phase` tag)", saved.name)}</caption>
            <thead><tr><th scope="col">"Phase"</th><th scope="col" class="num">"Estimated range"</th><th scope="col" class="num">"Expected"</th><th scope="col" class="num">"Actual"</th><th scope="col">""</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
fn Totals(records: Memo<Vec<PricedRecord>>) -> impl IntoView {
    let table = move |title: &'static str, key: GroupKey, testid: &'static str| {
        let key = key.clone();
        view! {
            <h2>{title}</h2>
            <div class="table-wrap">
                <table data-testid=testid>
                    <thead><tr><th scope="col">""</th><th scope="col" class="num">"Calls"</th><th scope="col" class="num">"Tokens"</th><th scope="col" class="num">"Cost (USD)"</th></tr></thead>
                    <tbody>
                        {move || records.with(|r| totals(r, key.clone())).into_iter().map(|(name, calls, tokens, cost)| view! {
                            <tr><th scope="row">{name}</th><td class="num">{count(calls)}</td><td class="num">{count(tokens)}</td><td class="num">{usd(cost)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        <p data-testid="usage-total">{move || records.with(|r| {
            let total = Usd::from_femto(r.iter().map(|x| x.cost_usd.femto()).sum());
            format!("{} calls, {} in all (each call at the prices of its day).", count(r.len() as u64), usd(total))
        })}</p>
        {table("By model", GroupKey::Model, "usage-by-model")}
        {table("By phase", GroupKey::tag("phase"), "usage-by-phase")}
        {table("By day", GroupKey::Day, "usage-by-day")}
    }
}

#[component]
fn BudgetPanel(records: Memo<Vec<PricedRecord>>) -> impl IntoView {
    let app = use_app();
    let monthly = RwSignal::new(
        app.budget
            .get_untracked()
            .map_or_else(String::new, |b| b.monthly_usd.to_decimal_string()),
    );
    let daily = RwSignal::new(
        app.budget
            .get_untracked()
            .and_then(|b| b.daily_usd)
            .map_or_else(String::new, |d| d.to_decimal_string()),
    );
    let alerts = RwSignal::new(app.budget.get_untracked().map_or_else(
        || "80, 100".into(),
        |b| {
            b.alerts_percent
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        },
    ));
    let error = RwSignal::new(None::<String>);
    let save = move |_| {
        let parsed = (|| -> Result<SavedBudget, String> {
            let monthly_usd = parse_usd(&monthly.get_untracked())?;
            let daily_text = daily.get_untracked();
            let daily_usd = if daily_text.trim().is_empty() {
                None
            } else {
                Some(parse_usd(&daily_text)?)
            };
            let alerts_percent = alerts
                .get_untracked()
                .split(',')
                .map(|a| a.trim().trim_end_matches('%').trim().parse::<u64>().map_err(|_| format!("alerts are whole percentages separated by commas, such as 80, 100 (not “{}”)", a.trim())))
                .collect::<Result<Vec<_>, _>>()?;
            let budget = SavedBudget {
                monthly_usd,
                daily_usd,
                alerts_percent,
            };
            to_core(&budget).validate().map_err(|e| e.to_string())?;
            Ok(budget)
        })();
        match parsed {
            Ok(budget) => {
                error.set(None);
                match app
                    .store
                    .with_value(|s| s.save_single_keeping(BUDGET_KEY, &budget))
                {
                    Ok(None) => app.tell("Budget saved.", false),
                    Ok(Some(aside)) => app.tell(
                        format!(
                            "Budget saved. The budget saved earlier could not be read; it was \
                             kept under “{aside}” in this browser's storage."
                        ),
                        false,
                    ),
                    Err(e) => app.write_failed(&e),
                }
                app.budget.set(Some(budget));
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let status = Memo::new(move |_| {
        let budget = app.budget.get()?;
        let records = records.get();
        let mut tracker = BudgetTracker::new(to_core(&budget), app.today).ok()?;
        for r in &records {
            tracker.add(r);
        }
        let status = tracker.status();
        let impact = match app
            .result
            .get()
            .as_ref()
            .and_then(crate::state::Outcome::done)
        {
            Some(e) => e
                .models
                .iter()
                .min_by_key(|m| m.cost.expected)
                .and_then(|m| {
                    status
                        .with_estimate(m.cost.expected)
                        .ok()
                        .map(|i| (format!("{}/{}", m.provider, m.model), i))
                }),
            _ => None,
        };
        Some((status, impact))
    });
    view! {
        <fieldset>
            <legend>"Monthly budget"</legend>
            <div class="grid">
                <label class="num"><span>"Monthly limit (USD)"</span><input type="text" inputmode="decimal" prop:value=move || monthly.get() on:input=move |ev| monthly.set(event_target_value(&ev)) data-testid="budget-monthly" /></label>
                <label class="num"><span>"Daily limit (USD, optional)"</span><input type="text" inputmode="decimal" prop:value=move || daily.get() on:input=move |ev| daily.set(event_target_value(&ev)) /></label>
                <label class="num"><span>"Alerts at (% of a limit)"</span><input type="text" prop:value=move || alerts.get() on:input=move |ev| alerts.set(event_target_value(&ev)) /></label>
            </div>
            <button on:click=save data-testid="budget-save">"Save budget"</button>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            {move || status.get().map(|(s, impact)| {
                let pct_num: u64 = s.percent_of_monthly_limit.split('.').next().and_then(|x| x.parse().ok()).unwrap_or(0);
                let width = pct_num.min(100);
                let over = s.state == cost_core::BudgetState::Over;
                view! {
                    <div data-testid="budget-status">
                        <p>{format!("{}: {} of {} spent ({} %); {} left. Month-end projection {} ({} %).", s.month, usd(s.month_to_date_usd), usd(s.budget.monthly_limit_usd), s.percent_of_monthly_limit, usd(s.remaining_usd), usd(s.projected_month_usd), s.projected_percent_of_monthly_limit)}</p>
                        <div class="meter" class:over=over role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=width.to_string() aria-label="Month to date, percent of the monthly limit"><div style=format!("width:{width}%")></div></div>
                        {s.alerts.iter().map(|a| view! { <p class="warn" role="alert" data-testid="budget-alert">{format!("Alert: {} % of the {} limit ({}) reached on {}: {} spent.", a.percent, match a.scope { cost_core::LimitScope::Monthly => "monthly", cost_core::LimitScope::Daily => "daily" }, usd(a.limit_usd), a.crossed_on, usd(a.spent_usd))}</p> }).collect_view()}
                        {impact.map(|(model, i)| view! {
                            <p data-testid="budget-impact">{format!("The current estimate on its cheapest model ({model}, {}) would take the month to {} ({} % of the limit){}.", usd(i.expected_usd), usd(i.month_after_usd), i.percent_of_monthly_limit_after, if i.new_alerts.is_empty() { String::from(" and set off no new alert") } else { format!(" and set off {} new alert(s): {}", i.new_alerts.len(), i.new_alerts.iter().map(|a| format!("{} %", a.percent)).collect::<Vec<_>>().join(", ")) })}</p>
                        })}
                        <p class="hint">{percent(s.month_to_date_usd, s.budget.monthly_limit_usd)}" of the monthly limit used, as of " {s.today.to_string()} " (UTC)."</p>
                    </div>
                }
            })}
        </fieldset>
    }
}

fn to_core(b: &SavedBudget) -> Budget {
    Budget {
        monthly_limit_usd: b.monthly_usd,
        daily_limit_usd: b.daily_usd,
        alert_percents: b
            .alerts_percent
            .iter()
            .map(|&p| u32::try_from(p).unwrap_or(u32::MAX))
            .collect(),
    }
}
