//! `who-can` answers as text for people: environments with the same answer share one
//! block, and each block is a small aligned table or list. Pure: an answer in, text
//! out (no color, so it reads the same in a terminal, a pipe and a snapshot).

use std::fmt::Write as _;

use crate::query::access::{Answer, FeatureAnswer, GroupAccess, GroupAnswer, ModelAnswer, Place};

/// The answer as text, ending with a newline.
pub fn render(answer: &Answer) -> String {
    match answer {
        Answer::Model(a) => model(a),
        Answer::Group(a) => group(a),
        Answer::Feature(a) => feature(a),
    }
}

fn model(answer: &ModelAnswer) -> String {
    let places = || answer.environments.iter().map(|e| &e.place);
    if answer.environments.iter().all(|e| e.groups.is_empty()) {
        return format!(
            "No group can use model `{}` {}: no `models` pattern of a group that may sign in matches it.\n",
            answer.model,
            nowhere(places())
        );
    }
    let scope = scope(places());
    let blocks = blocks(answer.environments.iter().map(|e| (&e.place, &e.groups)));
    let header = ["GROUP", "DIRECTORY", "PATTERN", "GRANTED BY"].map(String::from);
    let tables: Vec<Vec<[String; 4]>> = blocks
        .iter()
        .map(|(_, users)| {
            let mut rows = vec![header.clone()];
            for user in *users {
                for (i, grant) in user.grants.iter().enumerate() {
                    let (group, directory) = if i == 0 {
                        (user.group.clone(), directory(user.directory.as_deref()))
                    } else {
                        (String::new(), String::new())
                    };
                    rows.push([
                        group,
                        directory,
                        grant.pattern.clone(),
                        grant.granted_by.clone(),
                    ]);
                }
            }
            rows
        })
        .collect();
    let widths = widths(tables.iter().flatten());
    let mut out = format!("Who can use model `{}`, {scope}:\n", answer.model);
    for ((places, users), rows) in blocks.iter().zip(&tables) {
        let _ = writeln!(out, "\n{}", title(places));
        if users.is_empty() {
            out.push_str("  no group can use it\n");
        } else {
            write_rows(&mut out, rows, &widths);
        }
    }
    out
}

fn group(answer: &GroupAnswer) -> String {
    let mut out = format!("Group `{}`", answer.group);
    let mut about = vec![match &answer.directory {
        Some(d) => format!("directory {d}"),
        None => "no directory group".to_string(),
    }];
    if !answer.lineage.is_empty() {
        about.push(format!("inherits {}", answer.lineage.join(" → ")));
    }
    let _ = writeln!(out, " ({}):", about.join("; "));
    let blocks = blocks(
        answer
            .environments
            .iter()
            .map(|e| (&e.place, e.access.as_ref())),
    );
    for (places, access) in &blocks {
        match access {
            Some(access) => {
                let _ = writeln!(out, "\n{}", title(places));
                write_access(&mut out, answer, access);
            }
            None => {
                let _ = writeln!(out, "\n{}: cannot sign in", title(places));
            }
        }
    }
    out
}

fn write_access(out: &mut String, answer: &GroupAnswer, access: &GroupAccess) {
    let models: Vec<(&str, &str)> = access
        .models
        .iter()
        .map(|m| (m.pattern.as_str(), m.granted_by.as_str()))
        .collect();
    let features: Vec<(&str, &str)> = access
        .features
        .iter()
        .map(|f| (f.feature.as_str(), f.granted_by.as_str()))
        .collect();
    let share = if access.share.is_empty() {
        "not set (the platform's defaults)".to_string()
    } else {
        access
            .share
            .iter()
            .map(|(object, level)| format!("{object}={}", level.as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(out, "  role      {}", access.role.as_str());
    let _ = writeln!(out, "  models    {}", by_origin(answer, &models));
    let _ = writeln!(out, "  features  {}", by_origin(answer, &features));
    let _ = writeln!(out, "  sharing   {share}");
}

/// `a, b (from caas-users); c (own)`: items grouped by the group that granted them,
/// the furthest ancestor first, the group's own last.
fn by_origin(answer: &GroupAnswer, items: &[(&str, &str)]) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    let origins = answer
        .lineage
        .iter()
        .rev()
        .map(String::as_str)
        .chain([answer.group.as_str()]);
    let mut parts = Vec::new();
    for origin in origins {
        let names: Vec<&str> = items
            .iter()
            .filter(|(_, by)| *by == origin)
            .map(|(name, _)| *name)
            .collect();
        if names.is_empty() {
            continue;
        }
        let from = if origin == answer.group {
            "own".to_string()
        } else {
            format!("from {origin}")
        };
        parts.push(format!("{} ({from})", names.join(", ")));
    }
    parts.join("; ")
}

fn feature(answer: &FeatureAnswer) -> String {
    let places = || answer.environments.iter().map(|e| &e.place);
    if answer.environments.iter().all(|e| e.groups.is_empty()) {
        return format!(
            "No group that may sign in has feature `{}` {}.\n",
            answer.feature,
            nowhere(places())
        );
    }
    let scope = scope(places());
    let blocks = blocks(answer.environments.iter().map(|e| (&e.place, &e.groups)));
    let header = ["GROUP", "DIRECTORY", "GRANTED BY"].map(String::from);
    let tables: Vec<Vec<[String; 3]>> = blocks
        .iter()
        .map(|(_, holders)| {
            let mut rows = vec![header.clone()];
            rows.extend(holders.iter().map(|h| {
                [
                    h.group.clone(),
                    directory(h.directory.as_deref()),
                    h.granted_by.clone(),
                ]
            }));
            rows
        })
        .collect();
    let widths = widths(tables.iter().flatten());
    let mut out = format!("Who has feature `{}`, {scope}:\n", answer.feature);
    for ((places, holders), rows) in blocks.iter().zip(&tables) {
        let _ = writeln!(out, "\n{}", title(places));
        if holders.is_empty() {
            out.push_str("  no group has it\n");
        } else {
            write_rows(&mut out, rows, &widths);
        }
    }
    out
}

/// "by environment", or "in `prod`" when the question named one.
fn scope<'a>(places: impl Iterator<Item = &'a Place>) -> String {
    only(places).map_or_else(|| "by environment".to_string(), |p| format!("in `{p}`"))
}

/// "in any environment", or "in `prod`" when the question named one.
fn nowhere<'a>(places: impl Iterator<Item = &'a Place>) -> String {
    only(places).map_or_else(|| "in any environment".to_string(), |p| format!("in `{p}`"))
}

/// The environment's name when the answer covers exactly one.
fn only<'a>(mut places: impl Iterator<Item = &'a Place>) -> Option<&'a str> {
    match (places.next(), places.next()) {
        (Some(one), None) => Some(one.environment.as_str()),
        _ => None,
    }
}

/// Environments with an equal answer and equal sign-in rules, in first-seen order.
fn blocks<'a, T: PartialEq>(
    items: impl Iterator<Item = (&'a Place, T)>,
) -> Vec<(Vec<&'a Place>, T)> {
    let mut blocks: Vec<(Vec<&'a Place>, T)> = Vec::new();
    for (place, answer) in items {
        let same = blocks
            .iter_mut()
            .find(|(places, a)| *a == answer && places[0].sign_in == place.sign_in);
        match same {
            Some((places, _)) => places.push(place),
            None => blocks.push((vec![place], answer)),
        }
    }
    blocks
}

/// `dev, prod` or `prod-sdm (SDM twin of prod: only caas-sdm may sign in)`.
fn title(places: &[&Place]) -> String {
    let names: Vec<&str> = places.iter().map(|p| p.environment.as_str()).collect();
    let names = names.join(", ");
    let Some(sign_in) = places.first().and_then(|p| p.sign_in.as_ref()) else {
        return names;
    };
    let who = if sign_in.is_empty() {
        "no group may sign in".to_string()
    } else {
        format!("only {} may sign in", sign_in.join(", "))
    };
    match places {
        [one] => format!(
            "{names} (SDM twin of {}: {who})",
            one.twin_of.as_deref().unwrap_or("?")
        ),
        _ => format!("{names} (SDM twins: {who})"),
    }
}

fn directory(directory: Option<&str>) -> String {
    directory.unwrap_or("-").to_string()
}

fn widths<'a, const N: usize>(rows: impl Iterator<Item = &'a [String; N]>) -> [usize; N] {
    let mut widths = [0; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths
}

fn write_rows<const N: usize>(out: &mut String, rows: &[[String; N]], widths: &[usize; N]) {
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            // Padded by hand: `{:<width$}` panics on a width past 65,535.
            line.push_str("  ");
            line.push_str(cell);
            line.extend(std::iter::repeat_n(
                ' ',
                width.saturating_sub(cell.chars().count()),
            ));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
