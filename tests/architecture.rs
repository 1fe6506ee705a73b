//! The shape of the crate: the engines form a one-way graph (see `src/engine/mod.rs`).
//!
//! - `engine/model` depends on no engine;
//! - the leaf engines (`cost`, `config`, `shard`, and every other engine except the composer)
//!   use only `engine::model` and `knowledge`, never a sibling engine;
//! - the composer (`recommend`) is the only engine that calls other engines;
//! - no engine uses a front end (`mcp`, `cli`, `render`, `chart`, `pricing`, `resources`).
//!
//! Checked on the source text: every `crate::engine::…` path (in `use` lines and inline) and every
//! `super::super` in an engine's files. Unit-test files (`tests.rs`) are wiring, not the engine:
//! they may use the composer to run a leaf with real prices, and a renderer for a snapshot.

use std::path::{Path, PathBuf};

const COMPOSER: &str = "recommend";
const FRONT_ENDS: &[&str] = &["mcp", "cli", "render", "chart", "pricing", "resources"];

fn engine_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine")
}

/// Every `.rs` file of an engine: `src/engine/<name>.rs` and everything under `src/engine/<name>/`.
fn files_of(engine: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let file = engine_dir().join(format!("{engine}.rs"));
    if file.is_file() {
        out.push(file);
    }
    let mut stack = vec![engine_dir().join(engine)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The engines: every module under `src/engine/` but `mod.rs`.
fn engines() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(engine_dir())
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            let stem = p.file_stem()?.to_str()?.to_owned();
            (stem != "mod" && (p.is_dir() || p.extension().is_some_and(|x| x == "rs")))
                .then_some(stem)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The module named right after each `crate::engine::` in `text` (`model`, `cost`, …; `{` for a
/// grouped import, whose names are returned one by one).
fn engine_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::engine::") {
        let rest = &text[at + "crate::engine::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for part in inner.split(',') {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() {
                    out.push(name.to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn is_test_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
}

#[test]
fn the_engine_graph_is_one_way() {
    let engines = engines();
    for needed in ["model", "cost", "config", "shard", COMPOSER] {
        assert!(engines.iter().any(|e| e == needed), "no engine `{needed}`");
    }
    let mut problems = Vec::new();
    for engine in &engines {
        for file in files_of(engine) {
            let text = std::fs::read_to_string(&file).unwrap();
            let shown = file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(&file);
            if is_test_file(&file) {
                continue;
            }
            for front in FRONT_ENDS {
                if text.contains(&format!("crate::{front}::"))
                    || text.contains(&format!("crate::{front};"))
                {
                    problems.push(format!(
                        "{}: engine `{engine}` uses front end `{front}`",
                        shown.display()
                    ));
                }
            }
            let allowed: &[&str] = match engine.as_str() {
                "model" => &[],
                e if e == COMPOSER => &engines.iter().map(String::as_str).collect::<Vec<_>>(),
                _ => &["model"],
            };
            for used in engine_paths(&text) {
                if used != *engine && !allowed.contains(&used.as_str()) {
                    problems.push(format!(
                        "{}: engine `{engine}` uses `crate::engine::{used}`",
                        shown.display()
                    ));
                }
            }
            if engine != COMPOSER && text.contains("super::super") {
                problems.push(format!(
                    "{}: `super::super` reaches out of `{engine}`",
                    shown.display()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the engine graph is not one-way:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_catches_a_sibling_import() {
    assert_eq!(engine_paths("use crate::engine::cost::estimate;"), ["cost"]);
    assert_eq!(
        engine_paths(
            "use crate::engine::{config, model::Plan};\nlet x = crate::engine::shard::plan(c, r);"
        ),
        ["config", "model", "shard"]
    );
    assert!(engine_paths("use crate::knowledge::Limit;").is_empty());
}
