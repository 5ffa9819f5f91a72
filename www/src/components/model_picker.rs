//! Choosing models: search by name or alias, filter by provider, select many.

use cost_core::{Model, Origin};
use leptos::prelude::*;

use crate::format::count;
use crate::state::use_app;

/// The most models the list shows at once: a list of 100,000 imported models would freeze
/// the tab for seconds; the search narrows it.
pub const LIST_ROWS: usize = 200;

/// Whether `model` matches the typed `query` (id, name, alias or provider; case-insensitive,
/// "." and "-" alike, every word must match).
pub fn matches(model: &Model, query: &str) -> bool {
    let norm = |s: &str| s.to_lowercase().replace('.', "-");
    let hay = norm(&format!(
        "{} {} {} {}",
        model.provider,
        model.id,
        model.name,
        model.aliases.join(" ")
    ));
    norm(query)
        .split_whitespace()
        .all(|word| hay.contains(word))
}

/// "yours" when the user added or changed the model's prices.
pub fn yours(model: &Model) -> bool {
    model.origin == Origin::User || model.overridden
}

/// The model picker.
#[component]
pub fn ModelPicker(
    /// The selected models, as `provider/id`.
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let provider = RwSignal::new(String::new());
    let show_old = RwSignal::new(false);
    // The models listed (at most LIST_ROWS) and how many match.
    let shown = Memo::new(move |_| {
        let catalog = app.catalog.get();
        let q = query.get();
        let p = provider.get();
        let old = show_old.get();
        let all: Vec<&Model> = catalog
            .catalog
            .models()
            .iter()
            .filter(|m| (old || !m.deprecated) && (p.is_empty() || m.provider == p))
            .filter(|m| matches(m, &q))
            .collect();
        let total = all.len();
        let rows = all
            .into_iter()
            .take(LIST_ROWS)
            .map(|m| (m.qualified_id(), m.name.clone(), yours(m)))
            .collect::<Vec<_>>();
        (rows, total)
    });
    let providers = Memo::new(move |_| {
        app.catalog.with(|c| {
            c.catalog
                .providers()
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let toggle = move |id: String| {
        selected.update(|s| {
            if let Some(i) = s.iter().position(|x| *x == id) {
                s.remove(i);
            } else {
                s.push(id);
            }
        });
    };
    let select_shown = move |_| {
        let ids: Vec<String> = shown
            .get_untracked()
            .0
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        selected.update(|s| {
            for id in ids {
                if !s.contains(&id) {
                    s.push(id);
                }
            }
        });
    };
    view! {
        <fieldset class="models">
            <legend>"Models"</legend>
            <div class="row">
                <label>
                    "Search "
                    <input type="search" placeholder="haiku, gpt-5, gemini flash…" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) data-testid="model-search" />
                </label>
                <label>
                    "Provider "
                    <select on:change=move |ev| provider.set(event_target_value(&ev))>
                        <option value="">"All providers"</option>
                        {move || providers.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || show_old.get() on:change=move |ev| show_old.set(event_target_checked(&ev)) />
                    " Retired models"
                </label>
            </div>
            <div class="chips" aria-label="Selected models">
                {move || {
                    selected
                        .get()
                        .into_iter()
                        .map(|id| {
                            let label = format!("Remove {id}");
                            let id2 = id.clone();
                            view! {
                                <span class="chip">
                                    {id.clone()}
                                    <button aria-label=label on:click=move |_| toggle(id2.clone())>"×"</button>
                                </span>
                            }
                        })
                        .collect_view()
                }}
                <button class="link" on:click=select_shown data-testid="select-shown">
                    {move || format!("Select all {} shown", shown.with(|(rows, _)| rows.len()))}
                </button>
                <button class="link" on:click=move |_| selected.set(Vec::new())>"Clear"</button>
            </div>
            {move || shown.with(|(rows, total)| (*total > rows.len()).then(|| view! {
                <p class="hint">{format!("Showing {} of {} models: search to narrow.", rows.len(), count(*total as u64))}</p>
            }))}
            <ul class="model-list" aria-label="Models to choose from">
                {move || {
                    let chosen = selected.get();
                    shown
                        .get()
                        .0
                        .into_iter()
                        .map(|(id, name, mine)| {
                            let checked = chosen.contains(&id);
                            let id2 = id.clone();
                            view! {
                                <li>
                                    <label>
                                        <input type="checkbox" prop:checked=checked on:change=move |_| toggle(id2.clone()) />
                                        " " {name} " " <small>{id}</small>
                                        {mine.then(|| view! { <span class="badge yours">"yours"</span> })}
                                    </label>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </fieldset>
    }
}
