//! Findings from the project's code (`analyze_project`) as recommendations: one per check,
//! with every place it fires as evidence and each place's fix as an action.

use crate::engine::model::ProjectFindings;
use crate::engine::scan;

use super::{EvidenceLevel, Recommendation};

/// Places named in a recommendation's evidence before "and N more".
const PLACES: usize = 3;

/// One recommendation per check that fired, in the order the findings came (most severe first).
pub(super) fn recommendations(p: &ProjectFindings) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    let mut places: Vec<Vec<&str>> = Vec::new();
    for f in &p.findings {
        if let Some(i) = out.iter().position(|r| r.id == f.id) {
            let r = &mut out[i];
            r.severity = r.severity.min(f.severity);
            if r.actions.len() < PLACES {
                r.actions.push(format!("{}: {}", f.at, f.fix));
            }
            places[i].push(&f.at);
            continue;
        }
        let check = scan::check(&f.id);
        let pattern = if f.pattern.is_empty() {
            check
                .map(|c| format!("scale://patterns/{}", c.pattern))
                .unwrap_or_default()
        } else {
            f.pattern.clone()
        };
        out.push(Recommendation {
            id: f.id.clone(),
            title: check.map_or_else(|| f.id.clone(), |c| c.title.to_owned()),
            severity: f.severity,
            bottleneck: check.map_or("code", |c| c.bottleneck).to_owned(),
            evidence: f.message.clone(),
            utilisation: None,
            actions: vec![format!("{}: {}", f.at, f.fix)],
            pattern,
            cost_impact_usd_per_month: None,
            tradeoffs: if f.id.starts_with("d1-") && f.fix.contains("CREATE INDEX") {
                "Each index adds one row written per write to its table, and storage.".to_owned()
            } else {
                String::new()
            },
            evidence_level: EvidenceLevel::Derived,
            shard_plan: None,
        });
        places.push(vec![&f.at]);
    }
    for (r, places) in out.iter_mut().zip(places) {
        let named = places[..places.len().min(PLACES)].join(", ");
        let more = places.len().saturating_sub(PLACES);
        r.evidence = format!(
            "In the code at {named}{} (analyze_project). {}",
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            r.evidence
        );
    }
    out
}
