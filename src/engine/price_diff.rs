//! `cf-scale pricing diff`: what changed between two price tables, row by row, for people who
//! keep a contract table current. A row is known by its id and the day it comes into force, so a
//! price that changes on a date shows as a new dated row beside the old one cut short.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use crate::knowledge::{BillingRule, Price, PricingFile};

/// A price row as a diff names it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RowRef {
    /// `<product>.<metric>`, or a billing rule's id.
    pub id: String,
    /// When the row is in force, e.g. `from 2026-12-01`, `always`.
    pub in_force: String,
    /// The row's docs page.
    pub source: String,
    /// That page's date.
    pub as_of: String,
}

/// One field that differs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FieldChange {
    /// The field, e.g. `usd` or `paid_included`.
    pub field: String,
    /// Its value in the old table (`-` when absent).
    pub old: String,
    /// Its value in the new table (`-` when absent).
    pub new: String,
}

/// A row present in both tables whose contents differ.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChangedRow {
    /// The row in the old table.
    pub old: RowRef,
    /// The row in the new table.
    pub new: RowRef,
    /// What differs, old → new.
    pub fields: Vec<FieldChange>,
}

/// The differences between two price tables.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PriceDiff {
    /// The counts in one sentence.
    pub summary: String,
    /// The old table's name.
    pub old_table: String,
    /// The new table's name.
    pub new_table: String,
    /// Rows only in the new table.
    pub added: Vec<RowRef>,
    /// Rows only in the old table.
    pub removed: Vec<RowRef>,
    /// Rows in both that differ.
    pub changed: Vec<ChangedRow>,
}

fn price_ref(p: &Price) -> RowRef {
    RowRef {
        id: p.id.clone(),
        in_force: crate::engine::model::period(p),
        source: p.source.clone(),
        as_of: p.as_of.clone(),
    }
}

fn rule_ref(r: &BillingRule) -> RowRef {
    RowRef {
        id: format!("rule {}", r.id),
        in_force: "always".to_owned(),
        source: r.source.clone(),
        as_of: r.as_of.clone(),
    }
}

fn show<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn dec(v: &Option<Decimal>) -> String {
    show(&v.map(|d| d.normalize()))
}

/// The fields of two versions of a row that differ, old → new (`notes` is compared by presence
/// of a change, not shown in full).
fn price_fields(a: &Price, b: &Price) -> Vec<FieldChange> {
    let pairs: [(&str, String, String); 15] = [
        ("description", a.description.clone(), b.description.clone()),
        ("unit", a.unit.clone(), b.unit.clone()),
        ("usd", dec(&a.usd), dec(&b.usd)),
        ("per", show(&a.per), show(&b.per)),
        (
            "free_included",
            dec(&a.free_included),
            dec(&b.free_included),
        ),
        (
            "free_period",
            show(&a.free_period.map(|p| format!("{p:?}").to_lowercase())),
            show(&b.free_period.map(|p| format!("{p:?}").to_lowercase())),
        ),
        (
            "paid_included",
            dec(&a.paid_included),
            dec(&b.paid_included),
        ),
        (
            "paid_period",
            show(&a.paid_period.map(|p| format!("{p:?}").to_lowercase())),
            show(&b.paid_period.map(|p| format!("{p:?}").to_lowercase())),
        ),
        (
            "rounding",
            format!("{:?}", a.rounding).to_lowercase(),
            format!("{:?}", b.rounding).to_lowercase(),
        ),
        ("billed", a.billed.to_string(), b.billed.to_string()),
        (
            "billed_on_free",
            a.billed_on_free.to_string(),
            b.billed_on_free.to_string(),
        ),
        (
            "free_unmetered",
            a.free_unmetered.to_string(),
            b.free_unmetered.to_string(),
        ),
        (
            "effective_until",
            show(&a.effective_until),
            show(&b.effective_until),
        ),
        ("warning", show(&a.warning), show(&b.warning)),
        (
            "notes",
            if a.notes == b.notes {
                ""
            } else {
                "(old notes)"
            }
            .to_owned(),
            if a.notes == b.notes {
                ""
            } else {
                "(new notes)"
            }
            .to_owned(),
        ),
    ];
    let mut out: Vec<FieldChange> = pairs
        .into_iter()
        .filter(|(_, o, n)| o != n)
        .map(|(field, old, new)| FieldChange {
            field: field.to_owned(),
            old,
            new,
        })
        .collect();
    for (field, o, n) in [
        ("source", &a.source, &b.source),
        ("as_of", &a.as_of, &b.as_of),
    ] {
        if o != n {
            out.push(FieldChange {
                field: field.to_owned(),
                old: o.clone(),
                new: n.clone(),
            });
        }
    }
    out
}

/// Compares two price tables: rows (by id and `effective_from`) and billing rules (by id).
pub fn diff(old_name: &str, old: &PricingFile, new_name: &str, new: &PricingFile) -> PriceDiff {
    let key = |p: &Price| (p.id.clone(), p.effective_from.clone());
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for b in &new.price {
        match old.price.iter().find(|a| key(a) == key(b)) {
            None => added.push(price_ref(b)),
            Some(a) => {
                let fields = price_fields(a, b);
                if !fields.is_empty() {
                    changed.push(ChangedRow {
                        old: price_ref(a),
                        new: price_ref(b),
                        fields,
                    });
                }
            }
        }
    }
    for a in &old.price {
        if !new.price.iter().any(|b| key(a) == key(b)) {
            removed.push(price_ref(a));
        }
    }
    for b in &new.rule {
        match old.rule.iter().find(|a| a.id == b.id) {
            None => added.push(rule_ref(b)),
            Some(a) if a.value != b.value || a.unit != b.unit => changed.push(ChangedRow {
                old: rule_ref(a),
                new: rule_ref(b),
                fields: vec![FieldChange {
                    field: "value".to_owned(),
                    old: format!("{} {}", a.value.normalize(), a.unit),
                    new: format!("{} {}", b.value.normalize(), b.unit),
                }],
            }),
            Some(_) => {}
        }
    }
    for a in &old.rule {
        if !new.rule.iter().any(|b| b.id == a.id) {
            removed.push(rule_ref(a));
        }
    }
    let summary = if added.is_empty() && removed.is_empty() && changed.is_empty() {
        format!("{new_name} has the same prices as {old_name}.")
    } else {
        format!(
            "{new_name} against {old_name}: {} row(s) added, {} removed, {} changed.",
            added.len(),
            removed.len(),
            changed.len()
        )
    };
    PriceDiff {
        summary,
        old_table: old_name.to_owned(),
        new_table: new_name.to_owned(),
        added,
        removed,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> PricingFile {
        toml::from_str(text).unwrap()
    }

    const ROW: &str = r#"
[[price]]
id = "kv.reads"
product = "kv"
metric = "reads"
description = "Keys read"
unit = "reads"
paid_included = 10_000_000
paid_period = "month"
usd = "0.50"
per = 1_000_000
rounding = "exact"
billed = true
source = "https://developers.cloudflare.com/kv/platform/pricing/"
as_of = "2026-04-21"
"#;

    #[test]
    fn a_changed_price_and_a_dated_successor_are_reported() {
        let old = table(ROW);
        let cut = ROW.replace(
            "billed = true",
            "billed = true\neffective_until = \"2026-12-31\"",
        );
        let later = ROW
            .replace("usd = \"0.50\"", "usd = \"0.40\"")
            .replace(
                "billed = true",
                "billed = true\neffective_from = \"2027-01-01\"",
            )
            .replace("2026-04-21", "2026-12-01");
        let new = table(&format!("{cut}\n{later}"));
        let d = diff("built-in", &old, "contract.toml", &new);
        assert_eq!(d.added.len(), 1, "{d:?}");
        assert_eq!(d.added[0].in_force, "from 2027-01-01");
        assert_eq!(d.changed.len(), 1);
        let f = &d.changed[0].fields;
        assert!(
            f.iter()
                .any(|c| c.field == "effective_until" && c.old == "-" && c.new == "2026-12-31"),
            "{f:?}"
        );
        assert!(d.removed.is_empty());
        assert!(
            d.summary.contains("1 row(s) added, 0 removed, 1 changed"),
            "{}",
            d.summary
        );
        let same = diff("a", &old, "b", &old);
        assert!(same.added.is_empty() && same.changed.is_empty() && same.removed.is_empty());
        let gone = diff("a", &old, "b", &table("price = []"));
        assert_eq!(gone.removed.len(), 1);
    }
}
