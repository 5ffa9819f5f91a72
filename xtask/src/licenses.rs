//! The supply-chain check: every dependency's licence is on `deny.toml`'s allow list, no
//! banned crate is used, and every crate present in two versions is listed there with the
//! reason. The same rules as `cargo deny check licenses bans`, from `cargo metadata`, so it
//! runs offline with nothing to install.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::project_root as root;

pub(crate) fn check() -> Result<()> {
    let policy = Policy::read()?;
    let metadata = crate::deps::cargo_metadata(&["--all-features"])?;
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .context("workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut problems = Vec::new();
    let mut versions: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let packages = metadata["packages"].as_array().context("packages")?;
    for package in packages {
        let id = package["id"].as_str().unwrap_or_default();
        if members.contains(id) {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default();
        let version = package["version"].as_str().unwrap_or_default();
        versions.entry(name).or_default().insert(version);
        if let Some((_, reason)) = policy
            .deny
            .iter()
            .find(|(crate_name, _)| crate_name == name)
        {
            problems.push(format!("{name} {version} is banned: {reason}"));
        }
        match package["license"].as_str() {
            Some(expression) => {
                if let Err(why) = policy.accepts(expression) {
                    problems.push(format!("{name} {version}: licence `{expression}`: {why}"));
                }
            }
            None => problems.push(format!(
                "{name} {version} declares no SPDX licence (only a licence file); review it \
                 and add a clarification"
            )),
        }
    }
    let mut used_skips = BTreeSet::new();
    for (name, all) in &versions {
        if all.len() < 2 {
            continue;
        }
        let left: Vec<&&str> = all
            .iter()
            .filter(|v| {
                let key = format!("{name}@{v}");
                let skipped = policy.skip.contains_key(&key);
                if skipped {
                    used_skips.insert(key);
                }
                !skipped
            })
            .collect();
        if left.len() != 1 {
            problems.push(format!(
                "{name} is present in versions {}: use one, or list all but one in deny.toml's \
                 [bans] skip with the reason",
                all.iter().copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for key in policy.skip.keys() {
        if !used_skips.contains(key) {
            problems.push(format!(
                "deny.toml skips {key}, which is no longer a duplicate: remove the entry"
            ));
        }
    }
    let duplicates = versions.values().filter(|v| v.len() > 1).count();
    if problems.is_empty() {
        println!(
            "{} dependencies: every licence allowed, none banned; {duplicates} crates in two \
             versions, each explained in deny.toml",
            versions.values().map(BTreeSet::len).sum::<usize>()
        );
        Ok(())
    } else {
        for p in &problems {
            eprintln!("  {p}");
        }
        bail!("{} supply-chain problem(s); see deny.toml", problems.len())
    }
}

/// The parts of `deny.toml` this check reads.
struct Policy {
    allow: BTreeSet<String>,
    deny: Vec<(String, String)>,
    /// `name@version` to the reason it may be a duplicate.
    skip: BTreeMap<String, String>,
}

impl Policy {
    fn read() -> Result<Policy> {
        let path = root().join("deny.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let table: toml::Table = text.parse().context("deny.toml is not valid TOML")?;
        let strings = |v: Option<&toml::Value>| -> Vec<String> {
            v.and_then(toml::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let entries = |key: &str| -> Result<Vec<(String, String)>> {
            let list = table
                .get("bans")
                .and_then(|b| b.get(key))
                .and_then(toml::Value::as_array)
                .cloned()
                .unwrap_or_default();
            list.iter()
                .map(|entry| {
                    let name = entry.get("crate").and_then(toml::Value::as_str);
                    let reason = entry.get("reason").and_then(toml::Value::as_str);
                    match (name, reason) {
                        (Some(n), Some(r)) if !r.trim().is_empty() => {
                            Ok((n.to_string(), r.to_string()))
                        }
                        _ => bail!(
                            "deny.toml [bans] {key}: every entry needs `crate` and a `reason`"
                        ),
                    }
                })
                .collect()
        };
        Ok(Policy {
            allow: strings(table.get("licenses").and_then(|l| l.get("allow")))
                .into_iter()
                .collect(),
            deny: entries("deny")?,
            skip: entries("skip")?.into_iter().collect(),
        })
    }

    /// Whether an SPDX expression is satisfied by the allowed licences: `A OR B` needs one,
    /// `A AND B` needs both; `A/B` is the old spelling of `A OR B`.
    fn accepts(&self, expression: &str) -> Result<(), String> {
        let tokens = tokenize(expression);
        let mut at = 0;
        let ok = self.or(&tokens, &mut at)?;
        if at != tokens.len() {
            return Err(format!("cannot read `{}`", tokens[at..].join(" ")));
        }
        if ok {
            Ok(())
        } else {
            Err("no allowed licence in it".into())
        }
    }

    fn or(&self, tokens: &[String], at: &mut usize) -> Result<bool, String> {
        let mut any = self.and(tokens, at)?;
        while tokens.get(*at).is_some_and(|t| t == "OR") {
            *at += 1;
            any |= self.and(tokens, at)?;
        }
        Ok(any)
    }

    fn and(&self, tokens: &[String], at: &mut usize) -> Result<bool, String> {
        let mut all = self.term(tokens, at)?;
        while tokens.get(*at).is_some_and(|t| t == "AND") {
            *at += 1;
            all &= self.term(tokens, at)?;
        }
        Ok(all)
    }

    fn term(&self, tokens: &[String], at: &mut usize) -> Result<bool, String> {
        let Some(token) = tokens.get(*at) else {
            return Err("the expression ends too soon".into());
        };
        *at += 1;
        if token == "(" {
            let inner = self.or(tokens, at)?;
            if tokens.get(*at).map(String::as_str) != Some(")") {
                return Err("a `(` is not closed".into());
            }
            *at += 1;
            return Ok(inner);
        }
        let mut licence = token.clone();
        if tokens.get(*at).is_some_and(|t| t == "WITH") {
            let exception = tokens.get(*at + 1).ok_or("WITH needs an exception")?;
            licence = format!("{licence} WITH {exception}");
            *at += 2;
        }
        Ok(self.allow.contains(&licence))
    }
}

fn tokenize(expression: &str) -> Vec<String> {
    expression
        .replace('/', " OR ")
        .replace('(', " ( ")
        .replace(')', " ) ")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str]) -> Policy {
        Policy {
            allow: allow.iter().map(|s| s.to_string()).collect(),
            deny: Vec::new(),
            skip: BTreeMap::new(),
        }
    }

    #[test]
    fn expressions_need_one_of_or_and_all_of_and() {
        let p = policy(&["MIT", "Apache-2.0", "Unicode-3.0"]);
        assert!(p.accepts("MIT OR Apache-2.0").is_ok());
        assert!(p.accepts("Apache-2.0/MIT").is_ok());
        assert!(p.accepts("MIT OR Apache-2.0 OR LGPL-2.1-or-later").is_ok());
        assert!(p.accepts("(MIT OR Apache-2.0) AND Unicode-3.0").is_ok());
        assert!(p.accepts("(MIT OR Apache-2.0) AND GPL-3.0").is_err());
        assert!(p.accepts("LGPL-2.1-or-later").is_err());
        assert!(p.accepts("Apache-2.0 WITH LLVM-exception").is_err());
        assert!(p.accepts("Apache-2.0 WITH LLVM-exception OR MIT").is_ok());
        assert!(p.accepts("(MIT").is_err());
    }
}
