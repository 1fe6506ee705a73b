//! shard_plan: boundary cases per strategy, with the arithmetic checked by hand in comments.

use super::*;
use crate::engine::model::from_json;
use crate::engine::recommend::CostEngine;
use crate::knowledge::knowledge;
use serde_json::json;

/// The built-in limits and prices, priced by the cost engine as the composer wires it.
fn ctx() -> Context<'static> {
    static PRICER: std::sync::OnceLock<CostEngine<'static>> = std::sync::OnceLock::new();
    let k = knowledge().unwrap();
    Context {
        limits: &k.limits,
        prices: PriceTable::builtin(k),
        pricer: PRICER.get_or_init(|| CostEngine::new(k, &PriceTable::builtin(k))),
    }
}

fn run(v: serde_json::Value) -> ShardPlan {
    try_run(v).unwrap_or_else(|e| panic!("{e}"))
}

fn try_run(v: serde_json::Value) -> Result<ShardPlan, InputError> {
    let request: ShardRequest = from_json(v)?;
    plan(&ctx(), &request)
}

fn usd(s: &str) -> Decimal {
    s.parse().unwrap()
}

// ----------------------------------------------------------------------------------------- kv_key

fn kv(plan: &ShardPlan) -> &KvKeyPlan {
    match &plan.plan {
        PlanDetails::KvKey(p) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn kv_key_exactly_at_the_limit_needs_one_key_and_just_over_needs_two() {
    // Per-key limit 1 write/s × headroom 0.5 = 0.5 writes/s per shard.
    let p = run(json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 0.5}));
    assert_eq!(kv(&p).shard_count, 1);
    assert!(p.warnings.iter().any(|w| w.contains("no sharding needed")));
    let p = run(json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 0.51}));
    assert_eq!(kv(&p).shard_count, 2);
    let p =
        run(json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 1, "headroom": 1}));
    assert_eq!(kv(&p).shard_count, 1);
}

#[test]
fn kv_key_fan_out_cost_and_the_durable_object_alternative() {
    // 20 writes/s ÷ 0.5 = 40 shards. Reads: 50/s × 2,592,000 s = 129.6 M logical reads/month.
    // Baseline KV reads: (129.6 M − 10 M) × $0.50/M = $59.80. Plan: × 40 = 5,184 M reads →
    // (5,184 M − 10 M) × $0.50/M = $2,587.00. Extra: $2,527.20.
    let p = run(
        json!({"strategy": "kv_key", "key": "views:home", "peak_writes_per_second": 20, "reads_per_second": 50}),
    );
    let plan = kv(&p);
    assert_eq!(plan.shard_count, 40);
    assert_eq!(plan.reads_per_logical_read, 40);
    assert_eq!(plan.shard_keys.len(), 40);
    assert_eq!(plan.shard_keys[39], "views:home:shard:39");
    assert_eq!(plan.kv_reads_per_month, Some(5_184_000_000.0));
    let cost = p.cost.as_ref().unwrap();
    assert_eq!(cost.extra_usd, usd("2527.20"));
    // A DO counter: 70 req/s × 2,592,000 = 181.44 M requests → 181 M billable (rounded up) ×
    // $0.15 = $27.15, plus 331,776 GB-s within the 400,000 included, plus $5 = $32.15.
    let dur = &p.alternatives[0];
    assert_eq!(dur.monthly_usd, Some(usd("32.15")));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("dearer than a Durable Object"))
    );
    assert!(p.capacity.iter().any(|s| {
        s.limit
            .as_ref()
            .is_some_and(|l| l.id == "kv.writes_per_key_per_second")
    }));
}

#[test]
fn kv_key_over_64_shards_recommends_a_durable_object() {
    let p = run(json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 40}));
    assert_eq!(kv(&p).shard_count, 80);
    assert_eq!(kv(&p).shard_keys.len(), 64, "the first 64 names only");
    assert!(p.warnings.iter().any(|w| w.contains("more than 64")));
}

// ---------------------------------------------------------------------------------------- d1_time

fn d1t(plan: &ShardPlan) -> &D1TimePlan {
    match &plan.plan {
        PlanDetails::D1Time(p) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn d1_time_picks_the_coarsest_period_under_the_target() {
    // Target 10 GB × 0.8 = 8 GB. 0.5 GB/month → a year holds 6 GB: yearly partitions.
    // Retention 3 months: online = 0.5 × (3 + 12) = 7.5 GB ≤ 8 → tables in one database.
    let p = run(
        json!({"strategy": "d1_time", "table": "events", "current_gb": 2, "growth_gb_per_month": 0.5, "retention_months": 3, "start_month": "2026-11"}),
    );
    let plan = d1t(&p);
    assert_eq!(plan.partition_period, PartitionPeriod::Year);
    assert_eq!(plan.months_until_full, Some(16.0), "(10 − 2) ÷ 0.5");
    assert_eq!(plan.layout, PartitionLayout::Tables);
    assert_eq!(plan.partitions[0], "events_2026");
    assert_eq!(plan.partitions.len(), 12);
    // Retention 6: online = 0.5 × 18 = 9 GB > 8 → a database per partition.
    let p = run(
        json!({"strategy": "d1_time", "table": "events", "current_gb": 2, "growth_gb_per_month": 0.5, "retention_months": 6, "start_month": "2026-11"}),
    );
    assert_eq!(d1t(&p).layout, PartitionLayout::Databases);
    assert_eq!(d1t(&p).partitions[1], "events-2027");
}

#[test]
fn d1_time_boundaries() {
    // Exactly at the target: 8 GB a year → yearly. Just over → quarterly (2.0025 GB each).
    let at = run(
        json!({"strategy": "d1_time", "table": "t", "current_gb": 0, "growth_gb_per_month": 8.0 / 12.0, "start_month": "2026-11"}),
    );
    assert_eq!(d1t(&at).partition_period, PartitionPeriod::Year);
    let over = run(
        json!({"strategy": "d1_time", "table": "t", "current_gb": 0, "growth_gb_per_month": 0.6675, "start_month": "2026-11"}),
    );
    assert_eq!(d1t(&over).partition_period, PartitionPeriod::Quarter);
    // No retention: every partition stays online, so each gets its own database.
    assert_eq!(
        d1t(&over).partitions[..2],
        ["t-2026-q4".to_owned(), "t-2027-q1".to_owned()]
    );
    // 30 GB a month: a month is too big (30 > 8) but a week holds 30 × 12/52 = 6.92 GB.
    let weekly = run(
        json!({"strategy": "d1_time", "table": "t", "current_gb": 0, "growth_gb_per_month": 30, "retention_months": 1, "start_month": "2026-11"}),
    );
    assert_eq!(d1t(&weekly).partition_period, PartitionPeriod::Week);
    assert_eq!(d1t(&weekly).partitions[0], "t-2026-10-26");
    // Zero growth: never full, said so.
    let flat = run(
        json!({"strategy": "d1_time", "table": "t", "current_gb": 3, "growth_gb_per_month": 0, "start_month": "2026-11"}),
    );
    assert_eq!(d1t(&flat).months_until_full, None);
    assert!(flat.warnings.iter().any(|w| w.contains("No growth")));
    // 40 GB a month: even a week (9.2 GB) is over 8 GB → a clear error with the alternative.
    let err = try_run(json!({"strategy": "d1_time", "table": "t", "current_gb": 0, "growth_gb_per_month": 40, "start_month": "2026-11"})).unwrap_err();
    assert_eq!(err.path, "growth_gb_per_month");
    assert!(err.message.contains("R2"), "{err}");
}

#[test]
fn d1_time_archival_saves_storage_cost() {
    // In 12 months: 2 + 12 × 0.5 = 8 GB. Without archival: (8 − 5) × $0.75 = $2.25 of D1.
    // With 3 months retained: 7.5 GB in D1 → $1.875; 0.5 GB in R2 within the free tier;
    // 12,000 class A operations within the free tier. Saving $0.375 → $0.37 or $0.38 by rounding.
    let p = run(
        json!({"strategy": "d1_time", "table": "events", "current_gb": 2, "growth_gb_per_month": 0.5, "retention_months": 3, "start_month": "2026-11"}),
    );
    let cost = p.cost.unwrap();
    assert_eq!(cost.baseline_usd, usd("7.25"));
    assert_eq!(cost.plan_usd, usd("6.88"));
}

// -------------------------------------------------------------------------------------- d1_tenant

fn d1n(plan: &ShardPlan) -> &D1TenantPlan {
    match &plan.plan {
        PlanDetails::D1Tenant(p) => p,
        other => panic!("{other:?}"),
    }
}

#[test]
fn d1_tenant_packs_small_tenants_and_dedicates_big_ones() {
    // Rest mean = (1000 × 0.05 − 2) ÷ 999 + 12 × 0.01 = 0.16805 GB; 47 per 8 GB database.
    // The largest (2.12 GB) opens database 1 with floor(5.88 ÷ 0.16805) = 34 others;
    // 965 remain → 21 more databases: 22 in all.
    let p = run(
        json!({"strategy": "d1_tenant", "tenants": 1000, "avg_tenant_gb": 0.05, "largest_tenant_gb": 2, "growth_gb_per_month_per_tenant": 0.01}),
    );
    let plan = d1n(&p);
    assert_eq!((plan.database_count, plan.shared_databases), (22, 22));
    assert!(plan.dedicated.is_empty());
    // A 5 GB tenant (over half of 8) gets its own database.
    let p = run(
        json!({"strategy": "d1_tenant", "tenants": 100, "avg_tenant_gb": 0.1, "largest_tenant_gb": 5}),
    );
    let plan = d1n(&p);
    assert_eq!(plan.dedicated.len(), 1);
    // Others: (100 × 0.1 − 5) ÷ 99 = 0.0505 GB → 158 per database → 1 shared.
    assert_eq!((plan.database_count, plan.shared_databases), (2, 1));
}

#[test]
fn d1_tenant_explicit_sizes_pack_first_fit_decreasing() {
    // Target 8: 5 is dedicated (> 4). The rest, sorted 3.9 3 2.5 2 1: 3.9→A, 3→A (6.9), 2.5→B,
    // 2→B (4.5), 1→A (7.9). Two shared databases, three tenants in the fullest.
    let p = run(
        json!({"strategy": "d1_tenant", "tenants": 6, "avg_tenant_gb": 2.9, "largest_tenant_gb": 5,
        "tenant_sizes_gb": [2, 5, 3, 1, 3.9, 2.5]}),
    );
    let plan = d1n(&p);
    assert_eq!(plan.dedicated.len(), 1);
    assert_eq!(plan.dedicated[0].tenant, "1");
    assert_eq!(
        (plan.shared_databases, plan.max_tenants_per_shared_database),
        (2, 3)
    );
}

#[test]
fn d1_tenant_larger_than_any_database_is_an_error_with_the_alternative() {
    let err = try_run(json!({"strategy": "d1_tenant", "tenants": 10, "avg_tenant_gb": 1, "largest_tenant_gb": 9, "growth_gb_per_month_per_tenant": 0.2})).unwrap_err();
    // 9 + 12 × 0.2 = 11.4 GB > 10 GB.
    assert_eq!(err.path, "largest_tenant_gb");
    assert!(
        err.message.contains("d1_time") && err.message.contains("11.4"),
        "{err}"
    );
}

#[test]
fn d1_tenant_warns_near_account_limits_and_past_bindings() {
    // 60,000 tenants of 0.5 GB: 16 per database → 3,750 databases; 30,000 GB > 1,000 GB.
    let p = run(
        json!({"strategy": "d1_tenant", "tenants": 60000, "avg_tenant_gb": 0.5, "largest_tenant_gb": 0.5}),
    );
    assert_eq!(d1n(&p).database_count, 3750);
    assert!(
        p.warnings.iter().any(|w| w.contains("storage")),
        "{:?}",
        p.warnings
    );
    let p = run(
        json!({"strategy": "d1_tenant", "tenants": 200000, "avg_tenant_gb": 1, "largest_tenant_gb": 1}),
    );
    // 8 per database → 25,000 databases: more than the ~5,000 bindings of one Worker.
    assert_eq!(d1n(&p).database_count, 25000);
    assert!(
        p.warnings.iter().any(|w| w.contains("cannot all be bound")),
        "{:?}",
        p.warnings
    );
}

// --------------------------------------------------------------------------------- durable_object

#[test]
fn durable_object_boundaries() {
    let count = |v: serde_json::Value| match run(v).plan {
        PlanDetails::DurableObject(p) => p.shard_count,
        other => panic!("{other:?}"),
    };
    // Soft limit 1,000 × 0.5 = 500 per object.
    assert_eq!(
        count(json!({"strategy": "durable_object", "peak_requests_per_second": 500})),
        1
    );
    assert_eq!(
        count(json!({"strategy": "durable_object", "peak_requests_per_second": 501})),
        2
    );
    assert_eq!(
        count(json!({"strategy": "durable_object", "peak_requests_per_second": 3000})),
        6
    );
    assert_eq!(
        count(
            json!({"strategy": "durable_object", "peak_requests_per_second": 3000, "per_object_rps": 200, "headroom": 1})
        ),
        15
    );
    let p = run(
        json!({"strategy": "durable_object", "peak_requests_per_second": 100, "per_object_rps": 2000}),
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("above the documented soft limit"))
    );
}

// ------------------------------------------------------------------------------------------ queue

#[test]
fn queue_plan_by_rate_and_by_consumers() {
    // Rate: 12,000 ÷ (5,000 × 0.5) = 4.8 → 5 queues. Consumers: 12,000 × 40 ms = 480 busy;
    // 480 ÷ (250 × 0.5) = 3.84 → 4. Five queues of 2,400 msg/s, 96 consumers each: unset.
    // Operations: 12,000 × 2,592,000 × 3 = 93,312 M → (93,312 M − 1 M) × $0.40/M = $37,324.40.
    let p = run(
        json!({"strategy": "queue", "messages_per_second": 12000, "message_kb": 3, "processing_ms_per_message": 40}),
    );
    let PlanDetails::Queue(q) = &p.plan else {
        panic!()
    };
    assert_eq!(q.queue_count, 5);
    assert_eq!(q.consumers_needed_per_queue, 96);
    assert!(q.max_concurrency.starts_with("leave unset"));
    assert_eq!(
        (q.max_batch_size, q.max_batch_timeout, q.max_retries),
        (100, 1, 3)
    );
    assert_eq!(q.dead_letter_queue, "jobs-dlq");
    assert_eq!(p.cost.unwrap().extra_usd, usd("37324.40"));
    // Slow consumers: 100 msg/s × 8 s = 800 busy → 800 ÷ 125 = 6.4 → 7 queues although the rate
    // needs one; batch = floor(225,000 ms ÷ 8,000 ms) = 28.
    let p = run(
        json!({"strategy": "queue", "messages_per_second": 100, "message_kb": 1, "processing_ms_per_message": 8000}),
    );
    let PlanDetails::Queue(q) = &p.plan else {
        panic!()
    };
    assert_eq!((q.queue_count, q.max_batch_size), (7, 28));
}

#[test]
fn queue_message_over_the_limit_is_an_error_with_the_alternative() {
    let err = try_run(json!({"strategy": "queue", "messages_per_second": 10, "message_kb": 129, "processing_ms_per_message": 5})).unwrap_err();
    assert_eq!(err.path, "message_kb");
    assert!(err.message.contains("R2"), "{err}");
}

// -------------------------------------------------------------------------------------- bad input

#[test]
fn bad_numbers_name_the_field() {
    for (input, path) in [
        (
            json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 0}),
            "peak_writes_per_second",
        ),
        (
            json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": -3}),
            "peak_writes_per_second",
        ),
        (
            json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 2, "headroom": 1.5}),
            "headroom",
        ),
        (
            json!({"strategy": "kv_key", "key": "", "peak_writes_per_second": 2}),
            "key",
        ),
        (
            json!({"strategy": "durable_object", "peak_requests_per_second": 1e12}),
            "peak_requests_per_second",
        ),
        (
            json!({"strategy": "d1_time", "table": "drop table;", "current_gb": 1, "growth_gb_per_month": 1, "start_month": "2026-11"}),
            "table",
        ),
        (
            json!({"strategy": "d1_time", "table": "t", "current_gb": 1, "growth_gb_per_month": 1, "start_month": "2026-13"}),
            "start_month",
        ),
        (
            json!({"strategy": "d1_tenant", "tenants": 0, "avg_tenant_gb": 1, "largest_tenant_gb": 1}),
            "tenants",
        ),
        (
            json!({"strategy": "d1_tenant", "tenants": 3, "avg_tenant_gb": 2, "largest_tenant_gb": 1}),
            "avg_tenant_gb",
        ),
        (
            json!({"strategy": "queue", "messages_per_second": 10, "message_kb": 1, "processing_ms_per_message": 0}),
            "processing_ms_per_message",
        ),
        (
            json!({"strategy": "queue", "name": "bad name", "messages_per_second": 10, "message_kb": 1, "processing_ms_per_message": 1}),
            "name",
        ),
    ] {
        let err = try_run(input.clone()).unwrap_err();
        assert_eq!(err.path, path, "{input}: {err}");
    }
    let nan: ShardRequest = crate::engine::model::from_toml_str(
        "strategy = 'durable_object'\npeak_requests_per_second = nan\n",
    )
    .unwrap();
    assert_eq!(
        plan(&ctx(), &nan).unwrap_err().path,
        "peak_requests_per_second"
    );
    let err = try_run(json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 1, "reeds_per_second": 1})).unwrap_err();
    assert!(err.message.contains("reads_per_second"), "{err}");
}

// ------------------------------------------------------------------------------------- generated code

/// Every plan's SQL runs in SQLite, which is what D1 runs.
#[test]
fn generated_sql_runs_in_sqlite() {
    for v in [
        json!({"strategy": "d1_time", "table": "events", "current_gb": 2, "growth_gb_per_month": 0.5, "retention_months": 3, "start_month": "2026-11"}),
        json!({"strategy": "d1_time", "table": "metrics", "current_gb": 0, "growth_gb_per_month": 30, "start_month": "2026-12"}),
        json!({"strategy": "d1_tenant", "tenants": 1000, "avg_tenant_gb": 0.05, "largest_tenant_gb": 2}),
    ] {
        let p = run(v);
        let sql = p.code.sql.as_deref().unwrap();
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(sql)
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        if let PlanDetails::D1Time(t) = &p.plan
            && t.layout == PartitionLayout::Tables
        {
            for name in &t.partitions {
                db.execute(
                    &format!("INSERT INTO {name} (ts, body) VALUES (1, 'x')"),
                    [],
                )
                .unwrap();
            }
        }
    }
}

/// Every plan's wrangler config is valid JSON with comments (JSONC).
#[test]
fn generated_wrangler_config_is_jsonc() {
    for v in [
        json!({"strategy": "kv_key", "key": "k", "peak_writes_per_second": 3}),
        json!({"strategy": "d1_time", "table": "events", "current_gb": 2, "growth_gb_per_month": 0.5, "retention_months": 6, "start_month": "2026-11"}),
        json!({"strategy": "d1_tenant", "tenants": 60000, "avg_tenant_gb": 0.5, "largest_tenant_gb": 0.5}),
        json!({"strategy": "durable_object", "peak_requests_per_second": 3000}),
        json!({"strategy": "queue", "messages_per_second": 12000, "message_kb": 3, "processing_ms_per_message": 40}),
    ] {
        let p = run(v);
        let config = p.code.wrangler.as_deref().unwrap();
        let without_comments: String = config
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        serde_json::from_str::<serde_json::Value>(&without_comments)
            .unwrap_or_else(|e| panic!("{e}\n{config}"));
    }
}

/// The generated counter never does read-modify-write on KV (which loses increments: reads come
/// from a cache up to 60 s old), never acknowledges before the increment is kept, and publishes
/// each shard's total from the one object that owns it.
#[test]
fn kv_key_code_counts_in_durable_objects_and_writes_kv_blind() {
    let p = run(json!({"strategy": "kv_key", "key": "views", "peak_writes_per_second": 3}));
    let ts = p.code.typescript.as_deref().unwrap();
    let increment = &ts[ts.find("export async function increment").unwrap()..];
    let increment = &increment[..increment.find("\n}\n").unwrap()];
    assert!(
        !increment.contains(".get("),
        "increment reads KV: {increment}"
    );
    assert!(
        !increment.contains(".put("),
        "increment writes KV directly: {increment}"
    );
    assert!(
        ts.contains("class ShardCounter extends DurableObject"),
        "{ts}"
    );
    assert!(ts.contains("COUNTERS.put(row.key"), "{ts}");
    assert!(
        !ts.contains("waitUntil(increment"),
        "acknowledges before the increment is kept"
    );
    assert!(!ts.contains("status: 202"), "{ts}");
    assert!(
        p.warnings[0].contains("Never count with KV get-then-put"),
        "{:?}",
        p.warnings
    );
    let wrangler = p.code.wrangler.as_deref().unwrap();
    assert!(wrangler.contains("new_sqlite_classes"), "{wrangler}");
}

/// Moving a tenant keeps writing to both databases for the directory's cacheTtl plus KV
/// propagation: readers may hold the old entry that long.
#[test]
fn d1_tenant_moves_dual_write_past_the_directory_cache() {
    let p = run(
        json!({"strategy": "d1_tenant", "tenants": 100, "avg_tenant_gb": 0.1, "largest_tenant_gb": 2}),
    );
    let moves = p
        .migration
        .iter()
        .find(|m| m.contains("move tenants"))
        .unwrap();
    assert!(
        moves.contains("cacheTtl (300 s)") && moves.contains("6 minutes"),
        "{moves}"
    );
    let ts = p.code.typescript.as_deref().unwrap();
    assert!(
        ts.contains("cacheTtl: 300"),
        "the window above must match the code's cache"
    );
}
