//! Cost levers and runaway loops, from the outside: each lever appears when its line is on the
//! bill and its conditions hold, its saving is the cost engine's difference between the bill and
//! the bill of the changed usage (built here by hand, not through the lever's own description),
//! and it stays away in a near miss. Two runaway loops are checked against arithmetic done by
//! hand from the price table.

use cf_scale::engine::model::{PriceTable, ProjectContext, UsageProfile, from_json};
use cf_scale::engine::recommend::{self, Recommendations};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn k() -> &'static cf_scale::knowledge::Knowledge {
    cf_scale::knowledge::knowledge().unwrap()
}

fn review(ctx: Value) -> Recommendations {
    let mut ctx: ProjectContext = from_json(ctx).unwrap();
    ctx.today = Some("2026-12-01".to_owned());
    recommend::recommend(k(), &PriceTable::builtin(k()), &ctx).unwrap()
}

fn bill(usage: &Value) -> Decimal {
    let mut p: UsageProfile = from_json(usage.clone()).unwrap();
    p.month = Some("2026-12".to_owned());
    recommend::estimate_cost(k(), &PriceTable::builtin(k()), &p)
        .unwrap()
        .total_usd
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The lever's saving in the review of `ctx`, or `None` when it is not offered.
fn saving(r: &Recommendations, id: &str) -> Option<Decimal> {
    r.cost_levers
        .iter()
        .find(|l| l.id == id)
        .map(|l| l.saving_usd_per_month)
}

/// Each case: the lever, the context, the usage changed by hand as the lever describes, and a
/// near miss (a context in which the lever must not appear).
struct Case {
    lever: &'static str,
    ctx: Value,
    changed: Value,
    near_miss: Value,
}

fn cases() -> Vec<Case> {
    let busy = json!({"requests": 300_000_000, "cpu_ms_per_request": 12});
    vec![
        Case {
            lever: "do-websocket-hibernation",
            ctx: json!({"observations": {"durable_object_handler_ms": 2},
                "usage": {"durable_objects": {"requests": 5e6, "websocket_messages": 4e8, "duration_gb_s": 3e7}}}),
            // 4e8 messages × 2 ms × 128 MB = 102,400 GB-s.
            changed: json!({"durable_objects": {"requests": 5e6, "websocket_messages": 4e8, "duration_gb_s": 102_400}}),
            near_miss: json!({"observations": {"durable_object_handler_ms": 2},
                "usage": {"durable_objects": {"requests": 5e6, "duration_gb_s": 3e7}}}),
        },
        Case {
            lever: "do-shorter-active-time",
            ctx: json!({"usage": {"durable_objects": {"requests": 5e6, "active_seconds": 1e8}}}),
            // Active seconds become GB-s at 128 MB, then half of them.
            changed: json!({"durable_objects": {"requests": 5e6, "duration_gb_s": 6.4e6}}),
            near_miss: json!({"usage": {"durable_objects": {"requests": 5e6, "websocket_messages": 1e6, "active_seconds": 1e8}}}),
        },
        Case {
            lever: "logs-head-sampling",
            ctx: json!({"usage": {"workers": busy, "workers_logs": {"events": 6e8}}}),
            changed: json!({"workers": busy, "workers_logs": {"events": 6e8, "head_sampling_rate": 0.1}}),
            near_miss: json!({"usage": {"workers": busy, "workers_logs": {"events": 6e8, "head_sampling_rate": 0.05}}}),
        },
        Case {
            lever: "logs-invocation-logs-off",
            ctx: json!({"usage": {"workers": busy, "workers_logs": {"events": 9e8}}}),
            changed: json!({"workers": busy, "workers_logs": {"events": 6e8}}),
            near_miss: json!({"usage": {"workers": busy, "workers_logs": {"events": 2e8}}}),
        },
        Case {
            lever: "logs-fewer-lines",
            // 3e8 invocation logs and 6e8 console lines: half of those go.
            ctx: json!({"usage": {"workers": busy, "workers_logs": {"events": 9e8}}}),
            changed: json!({"workers": busy, "workers_logs": {"events": 6e8}}),
            near_miss: json!({"usage": {"workers": busy, "workers_logs": {"events": 3e8}}}),
        },
        Case {
            lever: "kv-counters-to-durable-object",
            ctx: json!({"usage": {"kv": {"reads": 1e8, "writes": 5e7}}}),
            // 4.5e7 writes become requests of 1 ms at 128 MB: 5,760 GB-s.
            changed: json!({"kv": {"reads": 1e8, "writes": 5e6}, "durable_objects": {"requests": 4.5e7, "duration_gb_s": 5_760}}),
            near_miss: json!({"usage": {"kv": {"reads": 1e8}}}),
        },
        Case {
            lever: "kv-events-to-analytics-engine",
            ctx: json!({"usage": {"kv": {"writes": 5e7}}}),
            changed: json!({"kv": {"writes": 5e6}, "analytics_engine": {"data_points": 4.5e7}}),
            near_miss: json!({"services": ["workers", "kv", "analytics_engine"], "usage": {"kv": {"writes": 5e7}}}),
        },
        Case {
            lever: "kv-list-index-key",
            ctx: json!({"usage": {"kv": {"reads": 2e7, "lists": 3e7}}}),
            changed: json!({"kv": {"reads": 5e7}}),
            near_miss: json!({"usage": {"kv": {"reads": 2e7}}}),
        },
        Case {
            lever: "d1-index-scans",
            ctx: json!({"observations": {"d1_rows_read_avoidable": 0.6}, "usage": {"d1": {"rows_read": 9e10}}}),
            changed: json!({"d1": {"rows_read": 3.6e10}}),
            near_miss: json!({"usage": {"d1": {"rows_read": 9e10}}}),
        },
        Case {
            lever: "d1-batch-writes",
            ctx: json!({"usage": {"d1": {"rows_written": 4e8}}}),
            changed: json!({"d1": {"rows_written": 2e8}}),
            near_miss: json!({"usage": {"d1": {"rows_written": 4e7}}}),
        },
        Case {
            lever: "r2-edge-cache-reads",
            ctx: json!({"usage": {"r2": {"class_b": 5e7}}}),
            changed: json!({"r2": {"class_b": 1e7}}),
            near_miss: json!({"usage": {"r2": {"class_b": 5e6}}}),
        },
        Case {
            lever: "r2-larger-parts",
            ctx: json!({"usage": {"r2": {"class_a": 2e7}}}),
            changed: json!({"r2": {"class_a": 1e7}}),
            near_miss: json!({"usage": {"r2": {"class_a": 5e5}}}),
        },
        Case {
            lever: "r2-infrequent-access",
            ctx: json!({"usage": {"r2": {"storage_gb": 20_000}}}),
            changed: json!({"r2": {"storage_gb": 10_000, "infrequent_access": {"storage_gb": 10_000, "retrieval_gb": 1_000}}}),
            near_miss: json!({"usage": {"r2": {"storage_gb": 8}}}),
        },
        Case {
            lever: "queue-fix-retries",
            ctx: json!({"usage": {"queues": {"messages": 5e7, "retries": 2e7}}}),
            changed: json!({"queues": {"messages": 5e7}}),
            near_miss: json!({"usage": {"queues": {"messages": 5e7}}}),
        },
        Case {
            lever: "queue-small-messages",
            ctx: json!({"usage": {"queues": {"messages": 2e7, "message_kb": 120}}}),
            changed: json!({"queues": {"messages": 2e7, "message_kb": 64}}),
            near_miss: json!({"usage": {"queues": {"messages": 2e7, "message_kb": 40}}}),
        },
        Case {
            lever: "assets-without-worker",
            ctx: json!({"observations": {"run_worker_first": true}, "usage": {"workers": busy}}),
            changed: json!({"workers": {"requests": 150_000_000, "cpu_ms_per_request": 12, "static_asset_requests": 150_000_000}}),
            near_miss: json!({"observations": {"run_worker_first": false}, "usage": {"workers": busy}}),
        },
        Case {
            lever: "cpu-cache-results",
            ctx: json!({"usage": {"workers": busy}}),
            changed: json!({"workers": {"requests": 300_000_000, "cpu_ms_per_request": 8.4}}),
            near_miss: json!({"usage": {"workers": {"requests": 1_000_000, "cpu_ms_per_request": 2}}}),
        },
        Case {
            lever: "plan-workers-free",
            ctx: json!({"usage": {"workers": {"requests": 900_000, "cpu_ms_per_request": 3}}}),
            changed: json!({"plan": "free", "workers": {"requests": 900_000, "cpu_ms_per_request": 3}}),
            // 300,000 requests a day is past Free's 100,000.
            near_miss: json!({"usage": {"workers": {"requests": 9_000_000, "cpu_ms_per_request": 3}}}),
        },
    ]
}

#[test]
fn every_lever_saves_what_the_cost_engine_says_and_stays_away_in_its_near_miss() {
    let cases = cases();
    // Every lever of the data has a case.
    for lever in &k().levers {
        assert!(
            cases.iter().any(|c| c.lever == lever.id),
            "no case for lever `{}`",
            lever.id
        );
    }
    for c in &cases {
        let r = review(c.ctx.clone());
        let expected = cents(bill(&c.ctx["usage"]) - bill(&c.changed));
        assert!(
            expected > Decimal::ZERO,
            "{}: the case saves nothing",
            c.lever
        );
        assert_eq!(
            saving(&r, c.lever),
            Some(expected),
            "{}: {:?}",
            c.lever,
            r.cost_levers
                .iter()
                .map(|l| (&l.id, l.saving_usd_per_month))
                .collect::<Vec<_>>()
        );
        let lever = r.cost_levers.iter().find(|l| l.id == c.lever).unwrap();
        assert!(
            lever.share_of_bill > 0.0 && lever.share_of_bill <= 1.0,
            "{lever:?}"
        );
        assert!(lever.pattern.starts_with("scale://patterns/"), "{lever:?}");
        // Largest saving first.
        for pair in r.cost_levers.windows(2) {
            assert!(pair[0].saving_usd_per_month >= pair[1].saving_usd_per_month);
        }
        let miss = review(c.near_miss.clone());
        assert_eq!(saving(&miss, c.lever), None, "{}: near miss", c.lever);
    }
}

#[test]
fn a_lever_needing_an_unknown_number_is_asked_for_not_priced() {
    let r = review(
        json!({"usage": {"durable_objects": {"requests": 5e6, "websocket_messages": 4e8, "duration_gb_s": 3e7}}}),
    );
    assert_eq!(saving(&r, "do-websocket-hibernation"), None);
    let asked = r
        .missing
        .iter()
        .find(|m| m.field == "observations.durable_object_handler_ms")
        .expect("asks for the handler time");
    assert!(asked.why.contains("do-websocket-hibernation"), "{asked:?}");
}

#[test]
fn runaway_loops_cost_what_the_price_table_says() {
    // No usage: an empty Paid month. A kv.list() on each of 100 requests a second: an hour is
    // 360,000 lists, inside the 1,000,000 included; a day is 8,640,000, of which 7,640,000 are
    // billed at $5.00 per million: $38.20.
    let r = review(json!({"peak_requests_per_second": 100, "services": ["workers", "kv"]}));
    let kv = r
        .runaway
        .iter()
        .find(|x| x.id == "kv-list-every-request")
        .unwrap();
    assert_eq!(kv.usd_per_hour, Decimal::ZERO);
    assert_eq!(kv.usd_per_day, Decimal::new(3820, 2));
    assert!(
        kv.assumption.contains("peak_requests_per_second = 100"),
        "{kv:?}"
    );
    // Ten times 100 requests a second: 3,600,000 an hour (inside the 10,000,000 included);
    // 86,400,000 a day, 76,400,000 billed at $0.30 per million: $22.92.
    let storm = r
        .runaway
        .iter()
        .find(|x| x.id == "worker-retry-storm")
        .unwrap();
    assert_eq!(storm.usd_per_hour, Decimal::ZERO);
    assert_eq!(storm.usd_per_day, Decimal::new(2292, 2));
    // Products not in use have no loop; the largest exposure comes first and is in the summary.
    assert!(
        r.runaway
            .iter()
            .all(|x| ["workers", "kv"].contains(&x.product.as_str()))
    );
    assert_eq!(r.runaway[0].id, "kv-list-every-request");
    assert!(
        r.summary
            .contains("Worst loop: `kv-list-every-request` $38.20/day"),
        "{}",
        r.summary
    );
    // A Durable Object wake loop at 1,000 objects: 3,600,000 GB-s... priced on top of usage.
    let r = review(json!({"observations": {"durable_objects_held": 1000},
        "usage": {"durable_objects": {"requests": 1e6, "duration_gb_s": 4e5}}}));
    let wake = r
        .runaway
        .iter()
        .find(|x| x.id == "durable-object-wake-loop")
        .unwrap();
    // 1,000 objects × 0.128 GB × 3,600 s = 460,800 GB-s and 360,000 alarm requests, past the
    // allowances the usage already uses (400,000 GB-s, 1,000,000 requests). The Durable Objects
    // page bills the excess rounded up to the next million: $12.50 + $0.15 = $12.65 an hour.
    assert_eq!(wake.usd_per_hour, Decimal::new(1265, 2), "{wake:?}");
    assert!(wake.guards.iter().any(|g| g.contains("alarm-guard")));
}
