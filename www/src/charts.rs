//! Charts drawn as inline SVG: cost by component per model (stacked bars) and cost per
//! chapter. Lengths are computed in integers from femto-dollars; every bar has a `<title>`
//! with its exact amount, and each chart an accessible label summarising it.

use cost_core::Usd;
use leptos::prelude::*;

use crate::format::usd;

/// The components of a stacked bar, in drawing order, with their CSS class and legend.
pub const COMPONENTS: [(&str, &str); 5] = [
    ("input", "Input"),
    ("cache-write", "Cache writes"),
    ("cache-read", "Cache reads"),
    ("output", "Output"),
    ("storage", "Cache storage"),
];

/// One bar: a label and its amounts, in [`COMPONENTS`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackedRow {
    /// The model's name.
    pub label: String,
    /// Amounts per component.
    pub parts: [Usd; 5],
}

/// Length of `part` on a scale where `max` is `width` units.
fn scale(part: Usd, max: Usd, width: i128) -> i128 {
    if max.femto() <= 0 {
        return 0;
    }
    part.femto().max(0) * width / max.femto()
}

/// Horizontal stacked bars of cost by component, one per model.
#[component]
pub fn StackedBars(
    /// The bars, top to bottom.
    rows: Vec<StackedRow>,
) -> impl IntoView {
    const LABEL: i128 = 190;
    const WIDTH: i128 = 560;
    const ROW: i128 = 22;
    let max = rows
        .iter()
        .map(|r| Usd::from_femto(r.parts.iter().map(|p| p.femto()).sum()))
        .max()
        .unwrap_or(Usd::from_femto(0));
    let height = ROW * rows.len() as i128 + 28;
    let summary = format!(
        "Cost by component for {} models; the largest total is {}",
        rows.len(),
        usd(max)
    );
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let y = i as i128 * ROW;
            let mut x = LABEL;
            let total = Usd::from_femto(row.parts.iter().map(|p| p.femto()).sum());
            let segments = row
                .parts
                .iter()
                .zip(COMPONENTS)
                .filter(|(p, _)| p.femto() > 0)
                .map(|(part, (class, name))| {
                    let w = scale(*part, max, WIDTH).max(1);
                    let rect = view! {
                        <rect x=x.to_string() y=(y + 3).to_string() width=w.to_string() height=(ROW - 6).to_string() class=format!("seg {class}")>
                            <title>{format!("{}: {name} {}", row.label, usd(*part))}</title>
                        </rect>
                    };
                    x += w;
                    rect
                })
                .collect_view();
            view! {
                <g>
                    <text x=(LABEL - 6).to_string() y=(y + ROW - 7).to_string() text-anchor="end" class="label">{row.label.clone()}</text>
                    {segments}
                    <text x=(x + 4).to_string() y=(y + ROW - 7).to_string() class="value">{usd(total)}</text>
                </g>
            }
        })
        .collect_view();
    let legend = COMPONENTS
        .iter()
        .enumerate()
        .map(|(i, (class, name))| {
            let x = LABEL + i as i128 * 110;
            view! {
                <g>
                    <rect x=x.to_string() y=(height - 16).to_string() width="12" height="12" class=format!("seg {class}") />
                    <text x=(x + 16).to_string() y=(height - 6).to_string() class="legend">{*name}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" role="img" aria-label=summary viewBox=format!("0 0 {} {height}", LABEL + WIDTH + 90) preserveAspectRatio="xMinYMin meet">
            {bars}
            {legend}
        </svg>
    }
}

/// Vertical bars: a model's cost per chapter.
#[component]
pub fn ChapterBars(
    /// The model's name, for the label.
    model: String,
    /// Each section's label (`Ch. 1`) and cost.
    sections: Vec<(String, Usd)>,
) -> impl IntoView {
    const HEIGHT: i128 = 160;
    let n = sections.len().max(1) as i128;
    let bar = (720 / n).clamp(3, 40);
    let width = bar * n;
    let max = sections
        .iter()
        .map(|(_, c)| *c)
        .max()
        .unwrap_or(Usd::from_femto(0));
    let total = Usd::from_femto(sections.iter().map(|(_, c)| c.femto()).sum());
    let summary = format!(
        "{model}: cost per chapter over {} sections, {} in all, at most {} for one",
        sections.len(),
        usd(total),
        usd(max)
    );
    let bars = sections
        .into_iter()
        .enumerate()
        .map(|(i, (label, cost))| {
            let h = scale(cost, max, HEIGHT).max(if cost.femto() > 0 { 1 } else { 0 });
            view! {
                <rect x=(i as i128 * bar + 1).to_string() y=(HEIGHT - h).to_string() width=(bar - 2).max(1).to_string() height=h.to_string() class="seg output">
                    <title>{format!("{label}: {}", usd(cost))}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chapter-chart">
            <svg class="chart" role="img" aria-label=summary.clone() viewBox=format!("0 0 {width} {}", HEIGHT + 2) preserveAspectRatio="none">
                {bars}
            </svg>
            <figcaption>{summary}</figcaption>
        </figure>
    }
}
