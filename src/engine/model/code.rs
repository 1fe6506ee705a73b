//! A finding in a project's code, as `analyze_project` reports it and `recommend_scaling`
//! reads it back.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::knowledge::Severity;

/// A finding in the code, with where it is and what to do.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CodeFinding {
    /// Stable id, e.g. `d1-full-scan`, `alarm-rearm-unconditional`.
    pub id: String,
    /// critical | high | medium | low.
    pub severity: Severity,
    /// `file:line`.
    pub at: String,
    /// What the code does and why it costs.
    pub message: String,
    /// What to do: for a scan, the checked `CREATE INDEX`.
    pub fix: String,
    /// The pattern: a `scale://patterns/{id}` URI.
    #[serde(default)]
    pub pattern: String,
    /// The docs page behind it.
    #[serde(default)]
    pub source: String,
}

/// The rows the proposed indexes avoid, from an `analyze_project` result's `index_saving`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
pub struct RowsAvoided {
    /// Rows read per month now.
    pub rows_read_before: f64,
    /// With the indexes.
    pub rows_read_after: f64,
}

/// What `recommend_scaling` reads of an `analyze_project` result; its other fields are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ProjectFindings {
    /// The findings.
    #[serde(default)]
    pub findings: Vec<CodeFinding>,
    /// The rows the indexes avoid, when call rates were known.
    #[serde(default)]
    pub index_saving: Option<RowsAvoided>,
}

/// `project` in a project context: an `analyze_project` result, or a directory the front end
/// scans first.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ProjectSource {
    /// A directory relative to the working directory.
    Directory(String),
    /// An `analyze_project` result.
    Scan(ProjectFindings),
}

/// A string is a directory; an object must have `findings` (so a mistyped object is refused
/// rather than read as a scan with nothing found).
impl<'de> Deserialize<'de> for ProjectSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(dir) => Ok(Self::Directory(dir)),
            serde_json::Value::Object(o) if o.contains_key("findings") => {
                serde_json::from_value(serde_json::Value::Object(o))
                    .map(Self::Scan)
                    .map_err(D::Error::custom)
            }
            other => Err(D::Error::custom(format!(
                "must be an analyze_project result (an object with findings) or a project directory (a string), got {}",
                match other {
                    serde_json::Value::Object(_) => "an object without findings",
                    serde_json::Value::Array(_) => "an array",
                    serde_json::Value::Null => "null",
                    _ => "a number or boolean",
                }
            ))),
        }
    }
}
