//! Turning caller input (JSON from MCP, JSON or TOML from files) into engine input types, with
//! errors that name the field and say what is accepted.

use serde::de::DeserializeOwned;

/// The largest count or size any input field accepts.
pub const MAX_QUANTITY: f64 = 1e15;

/// Bad input: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct InputError {
    /// Dotted path of the field, e.g. `kv.reads` or `curve[3]`; empty for the whole input.
    pub path: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl InputError {
    /// An error about the field at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Checks that a count or size is a finite number from 0 to [`MAX_QUANTITY`].
pub fn check_quantity(path: &str, value: f64) -> Result<(), InputError> {
    if !value.is_finite() {
        Err(InputError::new(
            path,
            format!("must be a finite number from 0 to 1e15 (got {value})"),
        ))
    } else if value < 0.0 {
        Err(InputError::new(
            path,
            format!("must not be negative: accepted 0 to 1e15 (got {value})"),
        ))
    } else if value > MAX_QUANTITY {
        Err(InputError::new(
            path,
            format!("is too large: accepted 0 to 1e15 (got {value:e})"),
        ))
    } else {
        Ok(())
    }
}

/// Deserializes from any serde deserializer, naming the path of the first error.
fn decode<'de, T, D>(de: D) -> Result<T, InputError>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde_path_to_error::deserialize(de)
        .map_err(|e| describe(e.path().to_string(), e.inner().to_string()))
}

/// Deserializes a JSON value.
pub fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, InputError> {
    decode(value)
}

/// [`from_json`] for a borrowed value, which is read in place rather than copied.
pub fn from_json_ref<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, InputError> {
    decode(value)
}

/// Deserializes JSON text.
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> Result<T, InputError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = decode(&mut de)?;
    de.end().map_err(|e| InputError::new("", e.to_string()))?;
    Ok(value)
}

/// Deserializes TOML text.
pub fn from_toml_str<T: DeserializeOwned>(text: &str) -> Result<T, InputError> {
    let de = toml::Deserializer::parse(text).map_err(|e| InputError::new("", e.to_string()))?;
    decode(de)
}

/// Rewrites serde's unknown-field and unknown-variant messages to lead with the closest valid
/// name; other messages pass through.
fn describe(path: String, message: String) -> InputError {
    let path = if path == "." { String::new() } else { path };
    // TOML errors lead with "TOML parse error at line L, column C" and a snippet.
    let location = message
        .lines()
        .next()
        .and_then(|l| l.split_once(" at line "))
        .map(|(_, at)| format!(" (line {at})"))
        .unwrap_or_default();
    let kinds = ["unknown field", "unknown variant"];
    let found = kinds
        .iter()
        .find_map(|k| message.find(k).map(|i| (*k, &message[i..])));
    if let Some((kind, tail)) = found {
        let tail = tail.lines().next().unwrap_or(tail);
        let ticked: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        if let Some((bad, accepted)) = ticked.split_first().filter(|(_, a)| !a.is_empty()) {
            let hint = closest_name(bad, accepted)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            let what = if kind == "unknown field" {
                "field"
            } else {
                "value"
            };
            return InputError::new(
                parent_path(&path, bad),
                format!(
                    "unknown {what} `{bad}`{hint} Accepted: {}{location}",
                    accepted.join(", ")
                ),
            );
        }
    }
    let message = if location.is_empty() {
        message.replace(" at line 1 column 0", "")
    } else {
        // Keep the parser's last line (what is wrong) and the location; drop the snippet.
        let what = message
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        format!("{}{location}", what.trim())
    };
    InputError::new(path, message)
}

/// serde_path_to_error puts an unknown field's own name at the end of the path; the error is
/// about the object that holds it.
fn parent_path(path: &str, bad: &str) -> String {
    path.strip_suffix(bad)
        .map(|p| p.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// The accepted name nearest to `bad`, if any is reasonably near.
pub fn closest_name<'a>(bad: &str, accepted: &[&'a str]) -> Option<&'a str> {
    let bad = bad.to_ascii_lowercase();
    // A valid name inside the bad one (a prefix added, as in `workersKvOperations…`) wins.
    if let Some(inner) = accepted
        .iter()
        .filter(|a| a.len() >= 6 && bad.contains(&a.to_ascii_lowercase()))
        .max_by_key(|a| a.len())
    {
        return Some(inner);
    }
    accepted
        .iter()
        .map(|a| (strsim::jaro_winkler(&bad, a), *a))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        #[serde(default)]
        kv: Inner,
        #[serde(default)]
        plan: Option<Plan>,
    }
    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(default)]
        reads: f64,
        #[serde(default)]
        writes: f64,
    }
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Plan {
        Paid,
        Free,
    }

    #[test]
    fn unknown_field_names_the_object_and_the_closest_name() {
        let err = from_json::<Outer>(serde_json::json!({"kv": {"reeds": 1}})).unwrap_err();
        assert_eq!(err.path, "kv");
        assert!(
            err.message
                .contains("unknown field `reeds`; did you mean `reads`?"),
            "{err}"
        );
        assert!(err.message.contains("Accepted: reads, writes"), "{err}");
    }

    #[test]
    fn unknown_variant_suggests_a_value() {
        let err = from_json::<Outer>(serde_json::json!({"plan": "piad"})).unwrap_err();
        assert_eq!(err.path, "plan");
        assert!(err.message.contains("did you mean `paid`?"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = from_json::<Outer>(serde_json::json!({"kv": {"reads": "lots"}})).unwrap_err();
        assert_eq!(err.path, "kv.reads");
        assert!(err.message.contains("invalid type"), "{err}");
        let err = from_toml_str::<Outer>("[kv]\nwrites = 'x'\n").unwrap_err();
        assert_eq!(err.path, "kv.writes", "{err}");
        assert!(
            err.message.contains("invalid type") && err.message.contains("(line 2"),
            "{err}"
        );
        let err = from_toml_str::<Outer>("[kv]\nwirtes = 1\n").unwrap_err();
        assert_eq!(err.path, "kv", "{err}");
        assert!(
            err.message.contains("did you mean `writes`?") && err.message.contains("(line 2"),
            "{err}"
        );
    }

    #[test]
    fn far_names_get_no_guess() {
        let err = from_json::<Outer>(serde_json::json!({"zzzzzz": 1})).unwrap_err();
        assert!(!err.message.contains("did you mean"), "{err}");
        assert!(err.message.contains("Accepted: kv, plan"), "{err}");
    }

    #[test]
    fn quantities_are_bounded() {
        assert!(check_quantity("a", 0.0).is_ok());
        assert!(check_quantity("a", 1e15).is_ok());
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1.1e15] {
            let err = check_quantity("kv.reads", bad).unwrap_err();
            assert_eq!(err.path, "kv.reads");
            assert!(err.message.contains("0 to 1e15"), "{err}");
        }
    }
}
