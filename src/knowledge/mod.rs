//! The knowledge base: the `skills/scale/` folder embedded at build time, and a typed view of its
//! `data/*.toml` files and `references/*.md` pattern sections.
//!
//! Nothing is parsed at start-up. [`knowledge()`] parses everything once, on first use, and hands
//! out a `&'static` view. The embedded data is checked by the test suite ([`Knowledge::problems`]),
//! so at run time a parse failure is reported as an error, never a panic.

mod data;
mod patterns;

use std::sync::OnceLock;

use include_dir::{Dir, File, include_dir};

pub use data::is_iso_date;
pub use data::{
    AntiPattern, BillingRule, ChecklistItem, Condition, ConditionalSeverity, CostChange,
    Escalation, HeadroomSpec, Lever, Limit, LimitValue, MatrixRow, Op, Period, Price, PricingFile,
    RecommendRule, Rounding, Runaway, RunawayAdd, Severity, SignalValue, Stage, UtilisationSpec,
};
pub use patterns::Pattern;

/// The whole `skills/scale/` folder, embedded into the binary.
pub static SKILL_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/skills/scale");

/// Why the embedded knowledge could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// A data file is missing from the embedded folder.
    #[error("embedded knowledge file {0} is missing")]
    Missing(&'static str),
    /// A data file is not valid UTF-8.
    #[error("embedded knowledge file {0} is not UTF-8")]
    NotUtf8(&'static str),
    /// A data file does not match its schema.
    #[error("embedded knowledge file {file} is invalid: {message}")]
    Invalid {
        /// The file, relative to `skills/scale/`.
        file: &'static str,
        /// What the TOML parser said.
        message: String,
    },
}

/// Typed view of everything under `skills/scale/`.
#[derive(Debug)]
pub struct Knowledge {
    /// Prices of every product on the Workers Free and Paid plans (`data/pricing.toml`).
    pub pricing: Vec<Price>,
    /// Billing rules the prices rely on (`[[rule]]` rows of `data/pricing.toml`).
    pub billing_rules: Vec<BillingRule>,
    /// Platform limits (`data/limits.toml`).
    pub limits: Vec<Limit>,
    /// The scaling decision matrix (`data/matrix.toml`), with its recommendation rules.
    pub matrix: Vec<MatrixRow>,
    /// The limits the headroom table measures (`[[headroom]]` of `data/matrix.toml`).
    pub headroom: Vec<HeadroomSpec>,
    /// The growth checklist, one stage per traffic tier (`data/checklist.toml`).
    pub checklist: Vec<Stage>,
    /// Anti-patterns (`data/anti_patterns.toml`).
    pub anti_patterns: Vec<AntiPattern>,
    /// Cost levers (`[[lever]]` of `data/levers.toml`).
    pub levers: Vec<Lever>,
    /// Runaway loops and their guards (`[[runaway]]` of `data/levers.toml`).
    pub runaway: Vec<Runaway>,
    /// Every `## ` section of `references/*.md`, in file order.
    pub patterns: Vec<Pattern>,
}

static KNOWLEDGE: OnceLock<Result<Knowledge, KnowledgeError>> = OnceLock::new();

/// The parsed knowledge, loaded on first call and shared afterwards.
pub fn knowledge() -> Result<&'static Knowledge, &'static KnowledgeError> {
    KNOWLEDGE.get_or_init(Knowledge::load).as_ref()
}

/// The text of an embedded file, by its path relative to `skills/scale/`.
pub fn skill_file(path: &str) -> Option<&'static str> {
    SKILL_DIR.get_file(path).and_then(File::contents_utf8)
}

/// Every embedded file, `SKILL.md` first, then the rest in path order.
pub fn skill_files() -> Vec<&'static File<'static>> {
    let mut files = Vec::new();
    collect_files(&SKILL_DIR, &mut files);
    files.sort_by_key(|f| (f.path() != std::path::Path::new("SKILL.md"), f.path()));
    files
}

fn collect_files(dir: &'static Dir<'static>, out: &mut Vec<&'static File<'static>>) {
    out.extend(dir.files());
    for sub in dir.dirs() {
        collect_files(sub, out);
    }
}

impl Knowledge {
    /// Parses the embedded data files and reference sections.
    pub fn load() -> Result<Self, KnowledgeError> {
        let mut patterns = Vec::new();
        if let Some(refs) = SKILL_DIR.get_dir("references") {
            let mut files: Vec<_> = refs.files().collect();
            files.sort_by_key(|f| f.path());
            for file in files {
                let text = file
                    .contents_utf8()
                    .ok_or(KnowledgeError::NotUtf8("references/*.md"))?;
                let path = file.path().to_str().unwrap_or_default();
                patterns.extend(patterns::sections(path, text));
            }
        }
        let pricing = data::parse::<PricingFile>("data/pricing.toml")?;
        let matrix = data::parse::<data::MatrixFile>("data/matrix.toml")?;
        let levers = data::parse::<data::LeversFile>("data/levers.toml")?;
        Ok(Self {
            pricing: pricing.price,
            billing_rules: pricing.rule,
            limits: data::parse::<data::LimitsFile>("data/limits.toml")?.limit,
            matrix: matrix.row,
            headroom: matrix.headroom,
            checklist: data::parse::<data::ChecklistFile>("data/checklist.toml")?.stage,
            anti_patterns: data::parse::<data::AntiPatternsFile>("data/anti_patterns.toml")?
                .anti_pattern,
            levers: levers.lever,
            runaway: levers.runaway,
            patterns,
        })
    }

    /// The pattern section with this anchor id.
    pub fn pattern(&self, id: &str) -> Option<&Pattern> {
        self.patterns.iter().find(|p| p.id == id)
    }

    /// The price row with this id (e.g. `kv.writes`).
    pub fn price(&self, id: &str) -> Option<&Price> {
        self.pricing.iter().find(|p| p.id == id)
    }

    /// The limit row with this id (e.g. `kv.writes_per_key_per_second`).
    pub fn limit(&self, id: &str) -> Option<&Limit> {
        self.limits.iter().find(|l| l.id == id)
    }

    /// Everything wrong with the knowledge base that the type system cannot catch: rows without a
    /// usable `source`/`as_of`, duplicate ids, references to pattern anchors that do not exist,
    /// prices with inconsistent fields. Empty means healthy; the test suite requires it.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut cited = Vec::new();
        for p in &self.pricing {
            cited.push((
                "pricing",
                p.id.as_str(),
                p.source.as_str(),
                p.as_of.as_str(),
            ));
            out.extend(p.problems());
        }
        out.extend(data::periods(&self.pricing));
        for r in &self.billing_rules {
            cited.push((
                "pricing rule",
                r.id.as_str(),
                r.source.as_str(),
                r.as_of.as_str(),
            ));
        }
        for l in &self.limits {
            cited.push(("limits", l.id.as_str(), l.source.as_str(), l.as_of.as_str()));
        }
        for r in &self.matrix {
            cited.push(("matrix", r.id.as_str(), r.source.as_str(), r.as_of.as_str()));
        }
        for item in self.checklist.iter().flat_map(|s| &s.item) {
            cited.push((
                "checklist",
                item.id.as_str(),
                item.source.as_str(),
                item.as_of.as_str(),
            ));
        }
        for a in &self.anti_patterns {
            cited.push((
                "anti_patterns",
                a.id.as_str(),
                a.source.as_str(),
                a.as_of.as_str(),
            ));
        }
        for l in &self.levers {
            cited.push(("levers", l.id.as_str(), l.source.as_str(), l.as_of.as_str()));
        }
        for r in &self.runaway {
            cited.push((
                "runaway",
                r.id.as_str(),
                r.source.as_str(),
                r.as_of.as_str(),
            ));
        }
        for (file, id, source, as_of) in &cited {
            if !source.starts_with("https://") {
                out.push(format!(
                    "{file}: `{id}` has no https source (got {source:?})"
                ));
            }
            if !data::is_iso_date(as_of) {
                out.push(format!(
                    "{file}: `{id}` has as_of {as_of:?}, expected YYYY-MM-DD"
                ));
            }
        }

        let stage_ids = self
            .checklist
            .iter()
            .map(|s| ("checklist stage", s.id.as_str()));
        // Price rows may share an id over disjoint periods (checked above); rules may not.
        let ids = self
            .billing_rules
            .iter()
            .map(|r| ("pricing rule", r.id.as_str()))
            .chain(self.limits.iter().map(|l| ("limits", l.id.as_str())))
            .chain(self.matrix.iter().map(|r| ("matrix", r.id.as_str())))
            .chain(stage_ids)
            .chain(
                cited
                    .iter()
                    .filter(|c| c.0 == "checklist")
                    .map(|c| ("checklist", c.1)),
            )
            .chain(
                self.anti_patterns
                    .iter()
                    .map(|a| ("anti_patterns", a.id.as_str())),
            )
            .chain(self.patterns.iter().map(|p| ("pattern anchor", p.id)))
            .chain(self.levers.iter().map(|l| ("levers", l.id.as_str())))
            .chain(self.runaway.iter().map(|r| ("runaway", r.id.as_str())));
        let mut seen = std::collections::HashSet::new();
        for (kind, id) in ids {
            if !seen.insert((kind, id)) {
                out.push(format!("{kind}: duplicate id `{id}`"));
            }
        }

        let refs =
            self.matrix
                .iter()
                .flat_map(|r| r.patterns.iter().map(move |p| ("matrix", r.id.as_str(), p)))
                .chain(
                    self.checklist.iter().flat_map(|s| &s.item).filter_map(|i| {
                        i.pattern.as_ref().map(|p| ("checklist", i.id.as_str(), p))
                    }),
                )
                .chain(self.anti_patterns.iter().filter_map(|a| {
                    a.pattern
                        .as_ref()
                        .map(|p| ("anti_patterns", a.id.as_str(), p))
                }))
                .chain(
                    self.levers
                        .iter()
                        .map(|l| ("levers", l.id.as_str(), &l.pattern)),
                )
                .chain(
                    self.runaway
                        .iter()
                        .map(|r| ("runaway", r.id.as_str(), &r.pattern)),
                );
        for (file, id, anchor) in refs {
            if self.pattern(anchor).is_none() {
                out.push(format!(
                    "{file}: `{id}` points at missing pattern anchor `{anchor}`"
                ));
            }
        }
        let mut rule_ids = std::collections::HashSet::new();
        for row in &self.matrix {
            for rule in &row.recommend {
                let id = rule.id.as_str();
                cited.push(("matrix rule", id, rule.source.as_str(), rule.as_of.as_str()));
                if !rule_ids.insert(id) {
                    out.push(format!("matrix: duplicate recommendation id `{id}`"));
                }
                if self.pattern(&rule.pattern).is_none() {
                    out.push(format!(
                        "matrix: `{id}` points at missing pattern anchor `{}`",
                        rule.pattern
                    ));
                }
                if let Some(limit) = rule.utilisation.as_ref().and_then(|u| u.limit.as_ref())
                    && self.limit(limit).is_none()
                {
                    out.push(format!("matrix: `{id}` measures missing limit `{limit}`"));
                }
                for other in &rule.conflicts_with {
                    if !self
                        .matrix
                        .iter()
                        .flat_map(|r| &r.recommend)
                        .any(|r| &r.id == other)
                    {
                        out.push(format!(
                            "matrix: `{id}` conflicts with unknown rule `{other}`"
                        ));
                    }
                }
            }
        }
        for l in &self.levers {
            if l.change.is_empty() == l.plan.is_none() {
                out.push(format!(
                    "levers: `{}` needs either changes or a plan, not both",
                    l.id
                ));
            }
        }
        for h in &self.headroom {
            if self.limit(&h.limit).is_none() {
                out.push(format!(
                    "matrix: headroom of `{}` uses missing limit `{}`",
                    h.signal, h.limit
                ));
            }
        }
        for (file, id, source, as_of) in cited.iter().filter(|c| c.0 == "matrix rule") {
            if !source.starts_with("https://") || !data::is_iso_date(as_of) {
                out.push(format!(
                    "{file}: `{id}` needs an https source and a YYYY-MM-DD as_of"
                ));
            }
        }
        for p in &self.patterns {
            if p.id.is_empty() {
                out.push(format!(
                    "{}: heading `{}` has no {{#anchor}}",
                    p.file, p.title
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken() -> Knowledge {
        let mut k = Knowledge::load().unwrap();
        let mut dup = k.limits[0].clone();
        dup.source = "developers.cloudflare.com/no-scheme".into();
        dup.as_of = "last week".into();
        k.limits.push(dup);
        k.matrix[0].patterns.push("no-such-anchor".into());
        k.pricing[0].per = None;
        k
    }

    #[test]
    fn problems_catches_uncited_duplicate_and_dangling_rows() {
        let problems = broken().problems().join("\n");
        assert!(problems.contains("has no https source"), "{problems}");
        assert!(problems.contains("expected YYYY-MM-DD"), "{problems}");
        assert!(problems.contains("limits: duplicate id"), "{problems}");
        assert!(
            problems.contains("missing pattern anchor `no-such-anchor`"),
            "{problems}"
        );
        assert!(
            problems.contains("needs usd and a positive per together"),
            "{problems}"
        );
    }

    #[test]
    fn skill_md_is_listed_first() {
        let files = skill_files();
        assert_eq!(files[0].path(), std::path::Path::new("SKILL.md"));
        assert!(files.len() > 10);
    }
}
