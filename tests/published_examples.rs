//! Every worked example Cloudflare's pricing pages publish, priced by the cost engine to the cent
//! (`tests/fixtures/published_examples.toml`: the scenario, its profile, the page's figures).
//!
//! Where a page's arithmetic differs from the bill Cloudflare describes (Vectorize's examples
//! leave the included allowances out), the example says so in `known_mismatch`: the test then
//! checks our bill (`ours_*`) and also reproduces the page's figure by pricing the same profile
//! with that product's allowances taken out, so both numbers are accounted for.

use cf_scale::engine::cost::{CostReport, estimate};
use cf_scale::engine::model::{PriceTable, UsageProfile, from_json};
use cf_scale::knowledge::{Price, knowledge};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct File {
    example: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    name: String,
    source: String,
    as_of: String,
    what: String,
    profile: toml::Value,
    total_usd: Option<String>,
    #[serde(default)]
    product_usd: BTreeMap<String, String>,
    #[serde(default)]
    line_usd: BTreeMap<String, String>,
    known_mismatch: Option<String>,
    ours_total_usd: Option<String>,
    #[serde(default)]
    ours_product_usd: BTreeMap<String, String>,
    #[serde(default)]
    ours_line_usd: BTreeMap<String, String>,
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn usd(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn product(r: &CostReport, key: &str) -> Decimal {
    r.products
        .iter()
        .find(|p| p.product == key)
        .map_or(Decimal::ZERO, |p| p.subtotal_usd)
}

fn line(r: &CostReport, price_id: &str) -> Decimal {
    cents(
        r.products
            .iter()
            .flat_map(|p| &p.lines)
            .filter(|l| l.price_id == price_id && l.billed)
            .map(|l| l.cost_usd)
            .sum(),
    )
}

/// Checks a report against figures; returns what differs.
fn differences(
    r: &CostReport,
    total: Option<&String>,
    products: &BTreeMap<String, String>,
    lines: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = total
        && r.total_usd != usd(t)
    {
        out.push(format!("total {} (page {t})", r.total_usd));
    }
    for (k, v) in products {
        if product(r, k) != usd(v) {
            out.push(format!("{k} {} (page {v})", product(r, k)));
        }
    }
    for (k, v) in lines {
        if line(r, k) != usd(v) {
            out.push(format!("{k} {} (page {v})", line(r, k)));
        }
    }
    out
}

fn examples() -> Vec<Example> {
    let text = include_str!("fixtures/published_examples.toml");
    toml::from_str::<File>(text).unwrap().example
}

#[test]
fn every_published_example_prices_to_the_cent() {
    let k = knowledge().unwrap();
    let table = PriceTable::builtin(k);
    let all = examples();
    assert!(all.len() >= 25, "only {} examples", all.len());
    let mut failures = Vec::new();
    for e in &all {
        assert!(
            e.source.starts_with("https://developers.cloudflare.com/"),
            "{}",
            e.name
        );
        assert!(cf_scale::knowledge::is_iso_date(&e.as_of), "{}", e.name);
        assert!(!e.what.is_empty(), "{}", e.name);
        let profile: UsageProfile = from_json(serde_json::to_value(&e.profile).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", e.name));
        let r =
            estimate(&table, &k.limits, &profile).unwrap_or_else(|err| panic!("{}: {err}", e.name));
        let (total, products, lines) = match &e.known_mismatch {
            None => (e.total_usd.as_ref(), &e.product_usd, &e.line_usd),
            Some(_) => (
                e.ours_total_usd.as_ref(),
                &e.ours_product_usd,
                &e.ours_line_usd,
            ),
        };
        assert!(
            total.is_some() || !products.is_empty() || !lines.is_empty(),
            "{}: nothing to check",
            e.name
        );
        for d in differences(&r, total, products, lines) {
            failures.push(format!("{}: {d}", e.name));
        }
        if e.known_mismatch.is_some() {
            // The page's own figure: the same usage with the product's allowances taken out.
            let without: Vec<Price> = k
                .pricing
                .iter()
                .cloned()
                .map(|mut p| {
                    if e.product_usd.contains_key(&p.product) {
                        p.paid_included = None;
                        p.paid_period = None;
                    }
                    p
                })
                .collect();
            let page_table = PriceTable {
                prices: &without,
                ..table
            };
            let page = estimate(&page_table, &k.limits, &profile).unwrap();
            for d in differences(&page, e.total_usd.as_ref(), &e.product_usd, &e.line_usd) {
                failures.push(format!(
                    "{} (the page's arithmetic, without allowances): {d}",
                    e.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_examples_cover_every_page_the_issue_lists() {
    let names: Vec<String> = examples().into_iter().map(|e| e.name).collect();
    for needed in [
        "Workers example 1",
        "Workers example 5",
        "Workers Logs example 1",
        "Workers Logs example 2",
        "Observability",
        "Queues",
        "R2",
        "Infrequent Access",
        "Durable Objects example 1",
        "Durable Objects example 4",
        "Vectorize",
        "Workers for Platforms",
        "Browser Run example: Quick Actions",
        "Browser Run example: Browser Sessions",
    ] {
        assert!(
            names.iter().any(|n| n.contains(needed)),
            "no example named like {needed:?}: {names:?}"
        );
    }
}
