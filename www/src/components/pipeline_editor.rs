//! Choosing a pipeline preset and editing its phases' sizes.

use cost_core::{presets, Context, Output, Phase, Pipeline, Spread, Unit};
use leptos::prelude::*;

use crate::format::count;
use crate::state::use_app;

/// A whole-number field: typed text is checked, a bad value shows why and is not applied.
#[component]
pub fn NumberField(
    /// The label (with its unit).
    label: String,
    /// The current value.
    value: Signal<u64>,
    /// Called with a valid new value.
    on_set: Callback<u64>,
    /// The largest accepted value.
    #[prop(default = 10_000_000)]
    max: u64,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let cleaned: String = text.chars().filter(|c| *c != ',' && *c != '_').collect();
        match cleaned.trim().parse::<u64>() {
            Ok(v) if v <= max => {
                error.set(None);
                on_set.run(v);
            }
            Ok(_) => error.set(Some(format!("at most {}", count(max)))),
            Err(_) => error.set(Some("a whole number, 0 or more".into())),
        }
    };
    view! {
        <label class="num">
            <span>{label}</span>
            <input type="text" inputmode="numeric" prop:value=move || value.get().to_string() on:input=input aria-invalid=move || error.with(Option::is_some).to_string() />
            {move || error.get().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
        </label>
    }
}

fn unit_text(unit: Unit) -> String {
    match unit {
        Unit::Chunk { tokens, overlap } => {
            format!(
                "chunks of {} tokens, {} overlap",
                count(tokens),
                count(overlap)
            )
        }
        Unit::Turns { count: n } => format!("{n} conversation turns"),
        other => format!("each {}", other.nouns().0),
    }
}

fn context_text(context: Context) -> String {
    match context {
        Context::None => "no context".into(),
        Context::Previous { units } => format!("the previous {units} units"),
        Context::RunningSummary { tokens } => {
            format!("a running summary of {} tokens", count(tokens))
        }
        Context::History => "the whole conversation so far".into(),
    }
}

/// The preset picker and the phases table.
#[component]
pub fn PipelineEditor() -> impl IntoView {
    let app = use_app();
    let s = app.estimate;
    let all = presets();
    let choose = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(p) = presets().into_iter().find(|p| p.id == id) {
            s.preset.set(Some(p.id));
            s.pipeline.set(p.pipeline);
        }
    };
    let validation = Memo::new(move |_| {
        s.pipeline
            .with(|p| p.validate().err().map(|e| e.to_string()))
    });
    let edit = move |i: usize, f: fn(&mut Phase, u64), v: u64| {
        s.pipeline.update(|p: &mut Pipeline| {
            if let Some(phase) = p.phases.get_mut(i) {
                f(phase, v);
            }
        });
    };
    view! {
        <fieldset class="pipeline">
            <legend>"Pipeline"</legend>
            <label>
                "Start from "
                <select on:change=choose data-testid="preset">
                    {all
                        .into_iter()
                        .map(|p| {
                            let id = p.id.clone();
                            let selected = move || s.preset.get().as_deref() == Some(id.as_str());
                            view! { <option value=p.id.clone() selected=selected>{p.pipeline.name}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <p class="hint">{move || s.pipeline.with(|p| p.description.clone())}</p>
            {move || validation.get().map(|e| view! { <p class="field-error" role="alert">"This pipeline cannot be estimated: " {e}</p> })}
            <div class="phases">
                {move || {
                    s.pipeline
                        .get()
                        .phases
                        .into_iter()
                        .enumerate()
                        .map(|(i, phase)| {
                            let out = phase.output;
                            let (out_label, is_ratio) = match out {
                                Output::Fixed(_) => ("Output per call (tokens, expected)".to_string(), false),
                                Output::RatioPerMille(_) => ("Output per call (‰ of the unit's tokens, expected)".to_string(), true),
                            };
                            let sys = phase.system_prompt_tokens;
                            let tpl = phase.template_tokens;
                            let calls = phase.calls_per_unit;
                            let retry = phase.retry_per_mille;
                            let reasoning = phase.reasoning_tokens.expected;
                            let expected = out.spread().expected;
                            view! {
                                <div class="phase">
                                    <h3>{format!("Phase {}: {}", i + 1, phase.name)}</h3>
                                    <p class="hint">
                                        {format!(
                                            "Calls for {}, with {}; model: {}.",
                                            unit_text(phase.unit),
                                            context_text(phase.context),
                                            phase.model.clone().unwrap_or_else(|| "each compared model".into())
                                        )}
                                    </p>
                                    <div class="grid">
                                        <NumberField label="System prompt (tokens)".into() value=Signal::derive(move || sys) on_set=Callback::new(move |v| edit(i, |p, v| p.system_prompt_tokens = v, v)) />
                                        <NumberField label="Template per call (tokens)".into() value=Signal::derive(move || tpl) on_set=Callback::new(move |v| edit(i, |p, v| p.template_tokens = v, v)) />
                                        <NumberField label=out_label value=Signal::derive(move || expected) on_set=Callback::new(move |v| {
                                            let f: fn(&mut Phase, u64) = if is_ratio { set_ratio } else { set_fixed };
                                            edit(i, f, v)
                                        }) />
                                        <NumberField label="Reasoning per call (tokens)".into() value=Signal::derive(move || reasoning) on_set=Callback::new(move |v| edit(i, |p, v| p.reasoning_tokens = Spread::exactly(v), v)) />
                                        <NumberField label="Calls per unit".into() value=Signal::derive(move || calls) on_set=Callback::new(move |v| edit(i, |p, v| p.calls_per_unit = v, v)) max=100 />
                                        <NumberField label="Retries (‰ of calls)".into() value=Signal::derive(move || retry) on_set=Callback::new(move |v| edit(i, |p, v| p.retry_per_mille = v, v)) max=1000 />
                                    </div>
                                </div>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </fieldset>
    }
}

/// Sets a fixed output's expected value, keeping low and high around it.
fn set_fixed(phase: &mut Phase, v: u64) {
    phase.output = Output::Fixed(respread(phase.output.spread(), v));
}

/// Sets a ratio output's expected value.
fn set_ratio(phase: &mut Phase, v: u64) {
    phase.output = Output::RatioPerMille(respread(phase.output.spread(), v));
}

/// Moves a spread to a new expected value, keeping low and high in the same proportion.
fn respread(old: Spread, expected: u64) -> Spread {
    if old.expected == 0 {
        return Spread::exactly(expected);
    }
    let scale = |x: u64| {
        u64::try_from(u128::from(x) * u128::from(expected) / u128::from(old.expected))
            .unwrap_or(u64::MAX)
    };
    Spread {
        low: scale(old.low).min(expected),
        expected,
        high: scale(old.high).max(expected),
    }
}
