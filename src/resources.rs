//! The resource catalog: every URI the server and the CLI can serve, and what each one reads.
//!
//! - `skill://scale/<path>`: each file of `skills/scale/` as it is (SKILL.md first);
//! - `scale://data/<name>`: JSON views of the data files (pricing, limits, matrix, checklist,
//!   anti-patterns, levers);
//! - `scale://patterns/{id}`: one pattern section of a reference file (a URI template);
//! - `scale://docs/tools/<name>`: the reference of one tool (every input and output field);
//! - `scale://queries/<file>`: the GraphQL queries whose answers `import_usage` reads (also at
//!   `skill://scale/queries/<file>`).

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;

use crate::knowledge::{self, Knowledge, KnowledgeError};
use crate::tooldocs;

/// Prefix of the URIs of embedded skill files.
pub const SKILL_PREFIX: &str = "skill://scale/";
/// Prefix of the URIs of JSON data views.
pub const DATA_PREFIX: &str = "scale://data/";
/// Prefix of the URIs of pattern sections.
pub const PATTERN_PREFIX: &str = "scale://patterns/";
/// Prefix of the URIs of the usage queries (the skill's `queries/` files).
pub const QUERIES_PREFIX: &str = "scale://queries/";
/// The URI template of pattern sections.
pub const PATTERN_TEMPLATE: &str = "scale://patterns/{id}";

/// One listed resource.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The resource URI.
    pub uri: String,
    /// Programmatic name (the file path, or the data view's name).
    pub name: String,
    /// Human title.
    pub title: String,
    /// MIME type of the contents.
    pub mime_type: &'static str,
    /// Size of the contents in bytes.
    pub size: usize,
}

/// The contents of one resource.
#[derive(Debug, Clone)]
pub struct Contents {
    /// The URI that was read.
    pub uri: String,
    /// MIME type of `text`.
    pub mime_type: &'static str,
    /// The text.
    pub text: Cow<'static, str>,
}

/// Why a resource could not be listed or read.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    /// No resource has this URI.
    #[error(
        "unknown resource URI `{0}`: expected skill://scale/<path>, scale://data/<pricing|limits|matrix|checklist|anti-patterns|levers>, scale://patterns/<id>, scale://docs/tools/<tool> or scale://queries/usage.graphql (list them with resources/list)"
    )]
    NotFound(String),
    /// The embedded knowledge failed to load.
    #[error(transparent)]
    Knowledge(&'static KnowledgeError),
}

/// The JSON data views, by name, in listing order.
const DATA_VIEWS: [(&str, &str, &str); 6] = [
    ("pricing", "Prices (JSON)", "data/pricing.toml"),
    ("limits", "Limits (JSON)", "data/limits.toml"),
    (
        "matrix",
        "Scaling decision matrix (JSON)",
        "data/matrix.toml",
    ),
    (
        "checklist",
        "Growth checklist (JSON)",
        "data/checklist.toml",
    ),
    (
        "anti-patterns",
        "Anti-patterns (JSON)",
        "data/anti_patterns.toml",
    ),
    (
        "levers",
        "Cost levers and runaway loops (JSON)",
        "data/levers.toml",
    ),
];

fn loaded() -> Result<&'static Knowledge, ResourceError> {
    knowledge::knowledge().map_err(ResourceError::Knowledge)
}

/// Compact JSON of each data view, built once.
fn data_views() -> Result<&'static [String; 6], ResourceError> {
    static VIEWS: OnceLock<[String; 6]> = OnceLock::new();
    let k = loaded()?;
    Ok(VIEWS.get_or_init(|| {
        DATA_VIEWS.map(|(name, _, file)| {
            let rows = match name {
                "pricing" => serde_json::to_value(&k.pricing),
                "limits" => serde_json::to_value(&k.limits),
                "matrix" => serde_json::to_value(&k.matrix),
                "checklist" => serde_json::to_value(&k.checklist),
                "levers" => serde_json::to_value(&k.levers),
                _ => serde_json::to_value(&k.anti_patterns),
            };
            // Serializing plain data structs cannot fail; an empty view would still be valid JSON.
            let rows = rows.unwrap_or_default();
            let mut view = serde_json::json!({ "name": name, "file": format!("{SKILL_PREFIX}{file}"), "rows": rows });
            if name == "pricing" {
                view["rules"] = serde_json::to_value(&k.billing_rules).unwrap_or_default();
            }
            if name == "levers" {
                view["runaway"] = serde_json::to_value(&k.runaway).unwrap_or_default();
            }
            view.to_string()
        })
    }))
}

/// Each tool's reference, built once on first use.
fn tool_docs() -> &'static [(&'static str, String)] {
    static DOCS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        tooldocs::names()
            .filter_map(|n| tooldocs::markdown(n).map(|t| (n, t)))
            .collect()
    })
}

fn mime_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("md") => "text/markdown",
        Some("toml") => "application/toml",
        Some("json") => "application/json",
        Some("graphql") => "application/graphql",
        _ => "text/plain",
    }
}

/// The title of a skill file: its first `# ` heading, else its path.
fn file_title(path: &str, text: &str) -> String {
    if path == "SKILL.md" {
        return "The scale skill (start here)".to_owned();
    }
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// Every resource: skill files (SKILL.md first), then the JSON data views.
pub fn list() -> Result<Vec<Entry>, ResourceError> {
    let mut out = Vec::new();
    for file in knowledge::skill_files() {
        let path = file.path().to_str().unwrap_or_default();
        let text = file.contents_utf8().unwrap_or_default();
        out.push(Entry {
            uri: format!("{SKILL_PREFIX}{path}"),
            name: path.to_owned(),
            title: file_title(path, text),
            mime_type: mime_type(path),
            size: file.contents().len(),
        });
    }
    for file in knowledge::skill_files() {
        let path = file.path().to_str().unwrap_or_default();
        if let Some(name) = path.strip_prefix("queries/") {
            out.push(Entry {
                uri: format!("{QUERIES_PREFIX}{name}"),
                name: path.to_owned(),
                title: "GraphQL Analytics queries for import_usage".to_owned(),
                mime_type: mime_type(path),
                size: file.contents().len(),
            });
        }
    }
    let views = data_views()?;
    for ((name, title, _), json) in DATA_VIEWS.iter().zip(views) {
        out.push(Entry {
            uri: format!("{DATA_PREFIX}{name}"),
            name: (*name).to_owned(),
            title: (*title).to_owned(),
            mime_type: "application/json",
            size: json.len(),
        });
    }
    for (name, text) in tool_docs() {
        out.push(Entry {
            uri: format!("{}{name}", tooldocs::PREFIX),
            name: format!("tools/{name}"),
            title: format!("Tool reference: {name} (every field)"),
            mime_type: "text/markdown",
            size: text.len(),
        });
    }
    Ok(out)
}

/// Reads one resource by URI.
pub fn read(uri: &str) -> Result<Contents, ResourceError> {
    let not_found = || ResourceError::NotFound(uri.to_owned());
    let (mime_type, text): (&'static str, &'static str) =
        if let Some(path) = uri.strip_prefix(SKILL_PREFIX) {
            (
                mime_type(path),
                knowledge::skill_file(path).ok_or_else(not_found)?,
            )
        } else if let Some(name) = uri.strip_prefix(DATA_PREFIX) {
            let i = DATA_VIEWS
                .iter()
                .position(|v| v.0 == name)
                .ok_or_else(not_found)?;
            ("application/json", data_views()?[i].as_str())
        } else if let Some(name) = uri.strip_prefix(tooldocs::PREFIX) {
            let text = tool_docs()
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.as_str())
                .ok_or_else(not_found)?;
            ("text/markdown", text)
        } else if let Some(name) = uri.strip_prefix(QUERIES_PREFIX) {
            let path = format!("queries/{name}");
            (
                mime_type(&path),
                knowledge::skill_file(&path).ok_or_else(not_found)?,
            )
        } else if let Some(id) = uri.strip_prefix(PATTERN_PREFIX) {
            (
                "text/markdown",
                loaded()?.pattern(id).ok_or_else(not_found)?.text,
            )
        } else {
            return Err(not_found());
        };
    Ok(Contents {
        uri: uri.to_owned(),
        mime_type,
        text: Cow::Borrowed(text),
    })
}

/// Pattern ids starting with `prefix` (case-insensitive), in file order.
pub fn complete_pattern_id(prefix: &str) -> Result<Vec<&'static str>, ResourceError> {
    let prefix = prefix.to_ascii_lowercase();
    Ok(loaded()?
        .patterns
        .iter()
        .map(|p| p.id)
        .filter(|id| !id.is_empty() && id.starts_with(&prefix))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_md_is_listed_first_and_reads_byte_equal() {
        let entries = list().unwrap();
        assert_eq!(entries[0].uri, "skill://scale/SKILL.md");
        let on_disk = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("skills/scale/SKILL.md"),
        )
        .unwrap();
        assert_eq!(read("skill://scale/SKILL.md").unwrap().text, on_disk);
        assert_eq!(entries[0].size, on_disk.len());
    }

    #[test]
    fn every_listed_resource_reads_with_its_listed_size_and_type() {
        for e in list().unwrap() {
            let c = read(&e.uri).unwrap();
            assert_eq!(c.text.len(), e.size, "{}", e.uri);
            assert_eq!(c.mime_type, e.mime_type, "{}", e.uri);
        }
    }

    #[test]
    fn data_views_are_json_with_rows() {
        for (name, _, _) in DATA_VIEWS {
            let c = read(&format!("scale://data/{name}")).unwrap();
            let v: serde_json::Value = serde_json::from_str(&c.text).unwrap();
            assert!(!v["rows"].as_array().unwrap().is_empty(), "{name}");
        }
    }

    #[test]
    fn unknown_uris_name_the_uri() {
        for uri in [
            "skill://scale/nope.md",
            "scale://data/nope",
            "scale://patterns/nope",
            "file:///etc/passwd",
            "skill://scale/../Cargo.toml",
        ] {
            let err = read(uri).unwrap_err();
            assert!(matches!(err, ResourceError::NotFound(_)), "{uri}");
            assert!(err.to_string().contains(uri), "{err}");
        }
    }

    #[test]
    fn completion_is_a_prefix_match() {
        let all = complete_pattern_id("").unwrap();
        assert!(all.len() >= 20, "{all:?}");
        let kv = complete_pattern_id("KV-").unwrap();
        assert!(kv.contains(&"kv-key-sharding"), "{kv:?}");
        assert!(kv.iter().all(|id| id.starts_with("kv-")));
        assert!(complete_pattern_id("zzz").unwrap().is_empty());
    }
}
