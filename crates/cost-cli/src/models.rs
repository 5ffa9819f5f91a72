//! `llmcost models`: the catalog as a table (USD per million tokens) or JSON.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use cost_core::{Catalog, Model, UsdPerMtok};

use crate::{load_catalog, ModelsArgs};

pub(crate) fn run(args: ModelsArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.prices)?;
    let models = select(&catalog, args.query.as_deref());
    if models.is_empty() {
        let query = args.query.unwrap_or_default();
        let suggestions = catalog.suggest(&query, 5);
        if suggestions.is_empty() {
            eprintln!("llmcost: no model matches `{query}`");
        } else {
            eprintln!(
                "llmcost: no model matches `{query}`; did you mean {}?",
                suggestions.join(", ")
            );
        }
        return Ok(ExitCode::from(1));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &models)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        table(&mut out, &models)
    };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.map(|()| ExitCode::SUCCESS).map_err(Into::into),
    }
}

/// The models matching `query`: the exact model a name resolves to, else every model whose
/// id, alias, name or provider contains the text (case-insensitive).
fn select<'c>(catalog: &'c Catalog, query: Option<&str>) -> Vec<&'c Model> {
    let Some(query) = query.map(str::trim).filter(|q| !q.is_empty()) else {
        return catalog.models().iter().collect();
    };
    let needle = query.to_ascii_lowercase();
    let mut found: Vec<&Model> = catalog
        .models()
        .iter()
        .filter(|m| {
            m.id.to_ascii_lowercase().contains(&needle)
                || m.name.to_ascii_lowercase().contains(&needle)
                || m.provider.contains(&needle)
                || m.aliases
                    .iter()
                    .any(|a| a.to_ascii_lowercase().contains(&needle))
        })
        .collect();
    if let Ok(exact) = catalog.find(query) {
        if !found.iter().any(|m| std::ptr::eq(*m, exact)) {
            found.insert(0, exact);
        }
    }
    found
}

fn price(p: UsdPerMtok) -> String {
    format!("${}", p.to_decimal_string())
}

fn opt(p: Option<UsdPerMtok>) -> String {
    p.map_or_else(|| "-".to_string(), price)
}

fn tokens(n: Option<u64>) -> String {
    match n {
        None => "-".into(),
        Some(n) if n >= 1_000_000 && n % 1_000 == 0 => format!("{}M", n as f64 / 1e6),
        Some(n) if n >= 1_000 => format!("{}k", n / 1_000),
        Some(n) => n.to_string(),
    }
}

fn table(out: &mut impl Write, models: &[&Model]) -> io::Result<()> {
    writeln!(
        out,
        "Prices in USD per million tokens, current price set; batch as input/output."
    )?;
    writeln!(
        out,
        "{:<40} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>17} {:<18} {:<10}",
        "model",
        "context",
        "max out",
        "input",
        "output",
        "cache rd",
        "write 5m",
        "write 1h",
        "batch in/out",
        "long context",
        "checked"
    )?;
    for model in models {
        let set = model.current_prices();
        let base = &set.standard.base;
        let batch = set.batch.as_ref().map_or_else(
            || "none".to_string(),
            |b| {
                format!(
                    "{}/{}",
                    price(b.base.input_usd_per_mtok),
                    price(b.base.output_usd_per_mtok)
                )
            },
        );
        let tiers = set
            .standard
            .tiers
            .iter()
            .map(|t| {
                format!(
                    ">{}: {}",
                    tokens(Some(t.above_tokens)),
                    price(t.prices.input_usd_per_mtok)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            out,
            "{:<40} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>17} {:<18} {:<10}",
            model.qualified_id(),
            tokens(model.context_window),
            tokens(model.max_output_tokens),
            price(base.input_usd_per_mtok),
            price(base.output_usd_per_mtok),
            opt(base.cache_read_usd_per_mtok),
            opt(base.cache_write_5m_usd_per_mtok),
            opt(base.cache_write_1h_usd_per_mtok),
            batch,
            if tiers.is_empty() {
                "-".to_string()
            } else {
                tiers
            },
            model
                .prices_checked
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".into()),
        )?;
    }
    let sources: std::collections::BTreeSet<&str> = models
        .iter()
        .map(|m| m.source.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    writeln!(
        out,
        "\n{} models. Sources: {}",
        models.len(),
        sources.into_iter().collect::<Vec<_>>().join(", ")
    )
}
