//! recommend_scaling: every stable id has a scenario that triggers it and a near miss that must
//! not; ranking; headroom; checklist; cost impact; bad input.

use super::*;
use crate::knowledge::knowledge;
use serde_json::json;

fn run(v: serde_json::Value) -> Recommendations {
    try_run(v).unwrap_or_else(|e| panic!("{e}"))
}

fn try_run(v: serde_json::Value) -> Result<Recommendations, InputError> {
    let k = knowledge().unwrap();
    let ctx: ProjectContext = from_json(v)?;
    recommend(k, &PriceTable::builtin(k), &ctx)
}

fn ids(r: &Recommendations) -> Vec<&str> {
    r.recommendations.iter().map(|x| x.id.as_str()).collect()
}

/// (id, a context that triggers it, a near miss that must not).
fn scenarios() -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
    let obs = |o: serde_json::Value| json!({"observations": o});
    vec![
        (
            "kv-key-sharding",
            obs(json!({"kv_hot_key_writes_per_second": 0.6})),
            obs(json!({"kv_hot_key_writes_per_second": 0.4})),
        ),
        (
            "do-sharding",
            obs(json!({"durable_object_peak_rps_per_object": 600})),
            obs(json!({"durable_object_peak_rps_per_object": 490})),
        ),
        (
            "d1-partition",
            obs(json!({"d1_database_gb": 5.5})),
            obs(json!({"d1_database_gb": 4.5})),
        ),
        (
            "d1-archive-to-r2",
            obs(json!({"d1_database_gb": 3.5, "d1_growth_gb_per_month": 0.1})),
            obs(json!({"d1_database_gb": 2.5, "d1_growth_gb_per_month": 0.1})),
        ),
        // D1 capacity = 1,000 ÷ mean query ms per second, reads and writes together: 80 q/s at
        // 4 ms is 32 % of one database; 70 q/s at 4 ms is 28 %.
        (
            "d1-write-batching",
            obs(json!({"d1_queries_per_second": 80, "d1_query_ms": 4})),
            obs(json!({"d1_queries_per_second": 70, "d1_query_ms": 4})),
        ),
        (
            "d1-read-replication",
            obs(json!({"d1_read_latency_p95_ms": 60, "users_global": true})),
            obs(json!({"d1_read_latency_p95_ms": 45, "users_global": true})),
        ),
        // Two sequential round trips and users far from the database; not when users are local.
        (
            "smart-placement",
            obs(
                json!({"d1_queries_per_request": 2, "smart_placement": false, "users_global": true}),
            ),
            obs(
                json!({"d1_queries_per_request": 2, "smart_placement": false, "users_global": false}),
            ),
        ),
        // KV propagation takes up to 60 s: a 30 s tolerance cannot be met (near miss), and D1 must
        // show read pressure.
        (
            "kv-cache-layer",
            json!({"services": ["d1"], "observations": {"read_write_ratio": 10, "staleness_tolerance_seconds": 60, "d1_read_latency_p95_ms": 40, "kv_cache_hit_rate": 0.5}}),
            json!({"services": ["d1"], "observations": {"read_write_ratio": 10, "staleness_tolerance_seconds": 30, "d1_read_latency_p95_ms": 40, "kv_cache_hit_rate": 0.5}}),
        ),
        // KV already serves the reads from its cache: no second KV layer.
        (
            "kv-cache-layer",
            json!({"services": ["d1", "kv"], "observations": {"read_write_ratio": 10, "staleness_tolerance_seconds": 60, "d1_read_latency_p95_ms": 40, "kv_cache_hit_rate": 0.5}}),
            json!({"services": ["d1", "kv"], "observations": {"read_write_ratio": 10, "staleness_tolerance_seconds": 60, "d1_read_latency_p95_ms": 40, "kv_cache_hit_rate": 0.97}}),
        ),
        (
            "kv-cache-ttl",
            obs(json!({"kv_cache_hit_rate": 0.7})),
            obs(json!({"kv_cache_hit_rate": 0.85})),
        ),
        (
            "edge-cache",
            obs(json!({"edge_cache_hit_rate": 0.4})),
            obs(json!({"edge_cache_hit_rate": 0.6})),
        ),
        (
            "tiered-cache",
            obs(json!({"edge_cache_hit_rate": 0.7, "users_global": true})),
            obs(json!({"edge_cache_hit_rate": 0.85, "users_global": true})),
        ),
        (
            "r2-multipart-presigned",
            obs(json!({"r2_upload_mb": 60})),
            obs(json!({"r2_upload_mb": 40})),
        ),
        (
            "worker-streaming",
            obs(json!({"worker_memory_mb": 70})),
            obs(json!({"worker_memory_mb": 60})),
        ),
        (
            "offload-cpu",
            obs(json!({"worker_cpu_ms_p99": 16000})),
            obs(json!({"worker_cpu_ms_p99": 14000})),
        ),
        (
            "service-bindings-rpc",
            obs(json!({"subrequests_per_request": 60})),
            obs(json!({"subrequests_per_request": 40})),
        ),
        // More than five minutes behind.
        (
            "queue-consumer-scaling",
            obs(json!({"queue_consumer_lag_seconds": 400})),
            obs(json!({"queue_consumer_lag_seconds": 200})),
        ),
        (
            "queue-dlq",
            json!({"services": ["queues"], "observations": {"queue_has_dlq": false}}),
            json!({"services": ["queues"], "observations": {"queue_has_dlq": true}}),
        ),
        // A counter written to KV, not every busy project.
        (
            "analytics-engine-metrics",
            json!({"services": ["workers", "kv"], "observations": {"kv_hot_key_writes_per_second": 0.6}}),
            json!({"requests_per_day": 5_000_000, "services": ["workers", "kv"], "observations": {"kv_hot_key_writes_per_second": 0.2}}),
        ),
        // p99 CPU against the configured limits.cpu_ms: 45 of 50 ms is 90 %.
        (
            "cpu-cap",
            obs(json!({"worker_cpu_ms_p99": 45, "cpu_limit_ms": 50})),
            obs(json!({"worker_cpu_ms_p99": 20, "cpu_limit_ms": 50})),
        ),
        (
            "service-calls-per-invocation",
            obs(json!({"service_calls_per_request": 600})),
            obs(json!({"service_calls_per_request": 400})),
        ),
        (
            "queue-producer-sharding",
            obs(json!({"queue_messages_per_second": 3000})),
            obs(json!({"queue_messages_per_second": 2000})),
        ),
        (
            "hyperdrive-cache-staleness",
            json!({"services": ["hyperdrive"], "observations": {"staleness_tolerance_seconds": 10}}),
            json!({"services": ["hyperdrive"], "observations": {"staleness_tolerance_seconds": 120}}),
        ),
        (
            "hyperdrive-placement",
            json!({"services": ["hyperdrive"], "observations": {"users_global": true, "smart_placement": false}}),
            json!({"services": ["hyperdrive"], "observations": {"users_global": false, "smart_placement": false}}),
        ),
        (
            "workflow-creation-rate",
            obs(json!({"workflow_creations_per_second": 200})),
            obs(json!({"workflow_creations_per_second": 100})),
        ),
        // 85,000 requests a day is 85 % of the Free plan's 100,000.
        (
            "upgrade-to-paid",
            json!({"plan": "free", "requests_per_day": 85_000}),
            json!({"plan": "free", "requests_per_day": 30_000}),
        ),
    ]
}

#[test]
fn every_stable_id_triggers_and_its_near_miss_does_not() {
    for (id, hit, miss) in scenarios() {
        let r = run(hit.clone());
        assert!(
            ids(&r).contains(&id),
            "{id} should trigger on {hit}: got {:?}",
            ids(&r)
        );
        let r = run(miss.clone());
        assert!(
            !ids(&r).contains(&id),
            "{id} should not trigger on {miss}: got {:?}",
            ids(&r)
        );
    }
}

#[test]
fn every_rule_in_the_data_has_a_scenario() {
    let covered: Vec<_> = scenarios().into_iter().map(|s| s.0).collect();
    for row in &knowledge().unwrap().matrix {
        for rule in &row.recommend {
            assert!(
                covered.contains(&rule.id.as_str()),
                "no scenario for {}",
                rule.id
            );
        }
    }
}

#[test]
fn utilisation_escalates_severity_and_critical_ranks_first() {
    // 3 writes/s vs 1 per key = 300 % → critical; edge cache 0.4 → medium.
    let r = run(
        json!({"observations": {"kv_hot_key_writes_per_second": 3, "edge_cache_hit_rate": 0.4}}),
    );
    assert_eq!(ids(&r), ["kv-key-sharding", "edge-cache"]);
    assert_eq!(r.recommendations[0].severity, Severity::Critical);
    assert_eq!(r.recommendations[0].utilisation, Some(3.0));
    assert!(
        r.recommendations[0].evidence.contains("3 vs limit 1"),
        "{}",
        r.recommendations[0].evidence
    );
    // Random arrivals burst past 1/s well before the average does: 0.6 writes/s is high, 0.7
    // critical.
    let r = run(json!({"observations": {"kv_hot_key_writes_per_second": 0.6}}));
    assert_eq!(r.recommendations[0].severity, Severity::High);
    let r = run(json!({"observations": {"kv_hot_key_writes_per_second": 0.7}}));
    assert_eq!(r.recommendations[0].severity, Severity::Critical);
}

#[test]
fn headroom_projects_months_until_each_limit() {
    let r = run(json!({"growth_percent_per_month": 10,
        "observations": {"d1_database_gb": 6.5, "d1_growth_gb_per_month": 0.6, "durable_object_peak_rps_per_object": 500}}));
    let d1 = r
        .headroom
        .iter()
        .find(|h| h.limit == "d1.database_size_gb")
        .unwrap();
    // (10 − 6.5) ÷ 0.6 = 5.83 months.
    assert_eq!((d1.utilisation, d1.months_until_hit), (0.65, Some(5.8)));
    let dob = r
        .headroom
        .iter()
        .find(|h| h.limit == "durable_objects.requests_per_second_per_object")
        .unwrap();
    // 500 → 1,000 at 10 % a month: ln 2 ÷ ln 1.1 = 7.27 months.
    assert_eq!(dob.months_until_hit, Some(7.3));
}

#[test]
fn checklist_distinguishes_done_todo_and_unknown() {
    let r = run(
        json!({"plan": "paid", "requests_per_day": 150_000, "observations": {"queue_has_dlq": true, "edge_cache_hit_rate": 0.2}}),
    );
    assert_eq!(r.stage.id, "100k");
    let status = |id: &str| {
        r.stage
            .checklist
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .status
    };
    assert_eq!(status("dlq-configured"), ItemStatus::Done);
    assert_eq!(status("move-to-paid"), ItemStatus::Done);
    assert_eq!(status("edge-cache-first"), ItemStatus::Todo);
    assert_eq!(status("observability-on"), ItemStatus::Unknown);
    assert!(
        r.stage.checklist.iter().all(|c| c.stage != "1m"),
        "later stages are not listed"
    );
}

#[test]
fn cost_impact_comes_from_the_cost_engine_and_is_null_without_usage() {
    // Archiving half of 6.5 GB: D1 (6.5 − 5) × $0.75 = $1.125 → 3.25 GB within the 5 GB included;
    // R2 3.25 GB within its 10 GB free tier.
    let base = json!({"observations": {"d1_database_gb": 3.5, "d1_growth_gb_per_month": 0.1}});
    let r = run(base.clone());
    let rec = r
        .recommendations
        .iter()
        .find(|x| x.id == "d1-archive-to-r2")
        .unwrap();
    assert_eq!(rec.cost_impact_usd_per_month, None, "no usage, no number");
    let mut with_usage = base;
    with_usage["usage"] = json!({"d1": {"storage_gb": 6.5}});
    let r = run(with_usage);
    let rec = r
        .recommendations
        .iter()
        .find(|x| x.id == "d1-archive-to-r2")
        .unwrap();
    // The impact is the difference of the two rounded totals ($6.13 − $5.00).
    assert_eq!(
        rec.cost_impact_usd_per_month,
        Some("-1.13".parse().unwrap())
    );
    assert_eq!(r.monthly_cost_usd, Some("6.13".parse().unwrap()));
}

#[test]
fn shard_rules_include_the_shard_plan() {
    let r = run(json!({"observations": {"durable_object_peak_rps_per_object": 1500}}));
    let rec = &r.recommendations[0];
    assert_eq!(rec.id, "do-sharding");
    let plan = rec.shard_plan.as_ref().unwrap();
    assert_eq!(plan.strategy, "durable_object");
    assert!(
        plan.summary.contains("3 Durable Objects"),
        "{}",
        plan.summary
    );
}

#[test]
fn anti_patterns_are_detected() {
    let r = run(json!({"observations": {"kv_hot_key_writes_per_second": 5}}));
    assert!(r.anti_patterns.iter().any(|a| a.id == "kv-as-counter"));
    assert!(run(json!({})).anti_patterns.is_empty());
}

#[test]
fn empty_context_is_a_valid_report_that_is_mostly_missing() {
    let r = run(json!({}));
    assert!(r.recommendations.is_empty());
    assert_eq!(r.stage.id, "before-launch");
    assert!(r.missing.len() >= 10, "{:?}", r.missing);
    assert!(r.missing.iter().any(|m| m.field == "requests_per_day"));
    assert!(
        r.missing
            .iter()
            .any(|m| m.field == "observations.kv_hot_key_writes_per_second")
    );
    assert!(r.missing.iter().any(|m| m.field == "usage"));
}

#[test]
fn bad_input_names_the_field() {
    let err = try_run(json!({"observations": {"d1_database_gb": -1}})).unwrap_err();
    assert_eq!(err.path, "observations.d1_database_gb");
    let err = try_run(json!({"observations": {"kv_cache_hit_rate": 1.5}})).unwrap_err();
    assert_eq!(err.path, "observations.kv_cache_hit_rate");
    let err = try_run(json!({"observations": {"d1_databse_gb": 1}})).unwrap_err();
    assert!(
        err.message.contains("did you mean `d1_database_gb`"),
        "{err}"
    );
    let err = try_run(json!({"services": ["d2"]})).unwrap_err();
    assert!(err.path.starts_with("services"), "{err}");
    let err = try_run(json!({"usage": {"kv": {"reads": -1}}})).unwrap_err();
    assert_eq!(err.path, "usage.kv.reads");
}

/// The example project's review, as `cf-scale review` prints it: any change in advice shows up
/// here for review.
#[test]
fn example_project_review_snapshot() {
    let mut ctx: ProjectContext =
        crate::engine::model::from_toml_str(include_str!("../../../examples/project.toml"))
            .unwrap();
    ctx.today = Some("2026-12-01".to_owned());
    let k = knowledge().unwrap();
    let r = recommend(k, &PriceTable::builtin(k), &ctx).unwrap();
    insta::assert_snapshot!(crate::render::recommend_markdown(&r));
}

#[test]
fn missing_asks_only_for_what_can_change_the_advice_for_the_services_in_use() {
    let fields = |r: &Recommendations| -> Vec<String> {
        r.missing.iter().map(|m| m.field.clone()).collect()
    };
    let workers_and_objects = run(json!({
        "requests_per_day": 500_000,
        "services": ["workers", "durable_objects"]
    }));
    let asked = fields(&workers_and_objects);
    for product in ["d1_", "kv_", "queue_", "r2_"] {
        assert!(
            !asked.iter().any(|f| f.contains(product)),
            "asks for {product} signals of a product not in use: {asked:?}"
        );
    }
    assert!(
        asked.contains(&"observations.durable_object_peak_rps_per_object".to_owned()),
        "{asked:?}"
    );
    // Near miss: with the services unknown, every product's signals can matter.
    let unknown = run(json!({"requests_per_day": 500_000}));
    assert!(
        fields(&unknown).contains(&"observations.d1_database_gb".to_owned()),
        "{:?}",
        fields(&unknown)
    );
}

/// The seven review scenarios (knowledge review 2026-12, §3b), written as contexts: what a
/// senior engineer leads with is what the report leads with.
#[test]
fn review_scenarios_lead_with_what_a_senior_engineer_would() {
    let rec = |r: &Recommendations, id: &str| -> Recommendation {
        r.recommendations
            .iter()
            .find(|x| x.id == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {:?}", ids(r)))
    };
    // S1: Free plan at 85K requests/day, 45 requests/s at peak (2,700 a minute against the
    // 1,000/minute burst limit), KV and D1 writes near their daily caps.
    let s1 = run(json!({
        "plan": "free", "requests_per_day": 85_000, "growth_percent_per_month": 30,
        "peak_requests_per_second": 45, "services": ["workers", "kv", "d1"],
        "observations": {"worker_cpu_ms_p99": 14, "d1_database_gb": 0.42},
        "usage": {"period": "day", "workers": {"requests": 85_000, "cpu_ms_per_request": 3},
                  "kv": {"writes": 900}, "d1": {"rows_written": 90_000}}
    }));
    assert_eq!(ids(&s1)[0], "upgrade-to-paid", "{:?}", ids(&s1));
    assert_eq!(s1.recommendations[0].severity, Severity::Critical);
    assert_eq!(
        s1.monthly_cost_usd,
        Some(Decimal::ZERO),
        "a Free project's bill is $0"
    );
    let paid = rec(&s1, "upgrade-to-paid")
        .cost_impact_usd_per_month
        .unwrap();
    assert!(
        paid >= Decimal::from(5),
        "moving to Paid costs at least $5: {paid}"
    );
    // The checklist reads usage too: its numbers settle items (12 were unknown before).
    assert!(s1.stage.done + s1.stage.todo.len() >= 2, "{:?}", s1.stage);

    // S2: KV already serves 97% of reads from its cache: no second KV layer.
    let s2 = run(json!({
        "requests_per_day": 20_000_000, "services": ["workers", "kv", "d1"],
        "observations": {"d1_read_latency_p95_ms": 180, "d1_queries_per_request": 1,
            "kv_cache_hit_rate": 0.97, "edge_cache_hit_rate": 0.6, "users_global": true,
            "read_write_ratio": 50, "staleness_tolerance_seconds": 300},
        "usage": {"period": "day", "month": "2026-12", "workers": {"requests": 20_000_000, "cpu_ms_per_request": 3},
                  "workers_logs": {"events": 40_000_000}, "kv": {"reads": 20_000_000}}
    }));
    assert!(!ids(&s2).contains(&"kv-cache-layer"), "{:?}", ids(&s2));
    assert!(
        !ids(&s2).contains(&"smart-placement"),
        "one query per request: {:?}",
        ids(&s2)
    );
    assert!(
        s2.summary.contains("% observability"),
        "logs lead the bill: {}",
        s2.summary
    );

    // S3: 7,000 messages/s to one queue (5,000 is the limit), D1 at 300 writes/s of 4 ms.
    let s3 = run(json!({
        "requests_per_day": 40_000_000, "services": ["workers", "queues", "d1"],
        "observations": {"queue_messages_per_second": 7000, "d1_writes_per_second": 300,
            "d1_query_ms": 4, "queue_backlog_messages": 4_000_000, "queue_consumer_lag_seconds": 5400,
            "queue_lag_growth_seconds_per_hour": 1800, "queue_has_dlq": true}
    }));
    assert_eq!(
        rec(&s3, "queue-producer-sharding").severity,
        Severity::Critical
    );
    assert_eq!(
        rec(&s3, "d1-write-batching").severity,
        Severity::Critical,
        "300 × 4 ms is 120% of one database"
    );
    let lag = rec(&s3, "queue-consumer-scaling");
    assert_eq!(
        lag.severity,
        Severity::High,
        "90 minutes behind and rising: {}",
        lag.evidence
    );
    assert!(
        !lag.evidence.contains("hours"),
        "the lag is in seconds: {}",
        lag.evidence
    );

    // S4: 650 requests/s to one room of 2 ms handlers: 130% of an object, batch frames first.
    let s4 = run(json!({
        "services": ["workers", "durable_objects"],
        "observations": {"durable_object_peak_rps_per_object": 650, "durable_object_handler_ms": 2}
    }));
    let shard = rec(&s4, "do-sharding");
    assert_eq!(shard.severity, Severity::Critical, "{}", shard.evidence);
    assert!(
        shard.actions[0].contains("batch WebSocket frames"),
        "{:?}",
        shard.actions
    );

    // S5: 8,000 tenants in a 9.3 GB database growing 0.4 GB a month: full in 1.75 months.
    let s5 = run(json!({
        "services": ["workers", "d1"], "today": "2026-12-01",
        "observations": {"d1_database_gb": 9.3, "d1_growth_gb_per_month": 0.4, "tenants": 8000}
    }));
    let part = rec(&s5, "d1-partition");
    assert_eq!(part.severity, Severity::Critical, "{}", part.evidence);
    assert_eq!(
        part.shard_plan.as_ref().map(|p| p.strategy.as_str()),
        Some("d1_tenant")
    );

    // S6: Hyperdrive to Postgres for global users, 10 s staleness allowed.
    let s6 = run(json!({
        "services": ["workers", "hyperdrive"],
        "observations": {"users_global": true, "smart_placement": false,
            "staleness_tolerance_seconds": 10, "edge_cache_hit_rate": 0.2}
    }));
    for id in ["hyperdrive-placement", "hyperdrive-cache-staleness"] {
        assert!(ids(&s6).contains(&id), "{id}: {:?}", ids(&s6));
    }
    assert!(
        s6.missing
            .iter()
            .all(|m| !m.field.contains("d1_") && !m.field.contains("kv_")),
        "{:?}",
        s6.missing
    );

    // S7: 2,000 KV/D1 calls per request, 45 ms p99 under a 50 ms cap, 30 minutes of lag.
    let s7 = run(json!({
        "services": ["workers", "kv", "d1", "queues"],
        "observations": {"service_calls_per_request": 2000, "worker_cpu_ms_p99": 45,
            "cpu_limit_ms": 50, "queue_consumer_lag_seconds": 1800, "queue_has_dlq": true}
    }));
    assert_eq!(
        rec(&s7, "service-calls-per-invocation").severity,
        Severity::Critical
    );
    assert_eq!(rec(&s7, "cpu-cap").severity, Severity::High);
    assert!(
        ids(&s7).contains(&"queue-consumer-scaling"),
        "{:?}",
        ids(&s7)
    );
}

#[test]
fn a_config_gives_the_cpu_cap_and_both_pulls_are_named() {
    let config = "name = \"api\"\nmain = \"src/index.ts\"\n[limits]\ncpu_ms = 50\n";
    let r = run(json!({"config": {"content": config}, "observations": {"worker_cpu_ms_p99": 45}}));
    assert!(ids(&r).contains(&"cpu-cap"), "{:?}", ids(&r));
    // Replication and Smart Placement pull in opposite directions: the report says so.
    let r = run(
        json!({"observations": {"d1_read_latency_p95_ms": 80, "users_global": true,
        "d1_queries_per_request": 3, "smart_placement": false}}),
    );
    assert!(ids(&r).contains(&"smart-placement") && ids(&r).contains(&"d1-read-replication"));
    assert!(
        r.conflicts
            .iter()
            .any(|c| c.contains("d1-read-replication")),
        "{:?}",
        r.conflicts
    );
}
