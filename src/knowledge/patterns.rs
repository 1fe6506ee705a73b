//! Pattern sections of `references/*.md`: each `## Title {#anchor-id}` heading starts one section,
//! which runs to the next `## ` heading.

use serde::Serialize;

/// One pattern section of a reference file.
#[derive(Debug, Clone, Serialize)]
pub struct Pattern {
    /// The stable anchor id from the heading's `{#id}`; empty if the heading has none.
    pub id: &'static str,
    /// The heading text without the anchor.
    pub title: &'static str,
    /// The reference file, relative to `skills/scale/` (e.g. `references/caching.md`).
    pub file: &'static str,
    /// The whole section, heading included.
    pub text: &'static str,
}

/// Splits a reference file into its `## ` sections.
pub(super) fn sections(file: &'static str, text: &'static str) -> Vec<Pattern> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    let mut in_code = false;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with("## ") {
            starts.push(offset);
        }
        offset += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| {
            let section = &text[start..end];
            let heading = section.lines().next().unwrap_or_default();
            let heading = heading.trim_start_matches("## ").trim();
            let (title, id) = split_anchor(heading);
            Pattern {
                id,
                title,
                file,
                text: section.trim_end(),
            }
        })
        .collect()
}

/// `"Title {#id}"` → `("Title", "id")`; `"Title"` → `("Title", "")`.
fn split_anchor(heading: &str) -> (&str, &str) {
    heading
        .strip_suffix('}')
        .and_then(|h| h.rsplit_once("{#"))
        .map(|(title, id)| (title.trim_end(), id.trim()))
        .unwrap_or((heading, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_level_two_headings_outside_code() {
        let text =
            "# File\nintro\n## One {#one}\nbody\n```sh\n## not a heading\n```\n## Two\nmore\n";
        let s = sections("references/x.md", text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].id, s[0].title), ("one", "One"));
        assert!(s[0].text.contains("## not a heading"));
        assert_eq!((s[1].id, s[1].title), ("", "Two"));
        assert_eq!(s[1].text, "## Two\nmore");
    }
}
