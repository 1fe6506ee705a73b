//! The knowledge base is complete, cited and current.

use cf_scale::knowledge::{Knowledge, LimitValue, knowledge};

fn k() -> &'static Knowledge {
    knowledge().unwrap_or_else(|e| panic!("knowledge loads: {e}"))
}

#[test]
fn knowledge_has_no_problems() {
    let problems = k().problems();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn matrix_covers_the_required_bottlenecks() {
    for id in [
        "d1-read-latency",
        "d1-write-throughput",
        "d1-storage",
        "kv-read-misses",
        "kv-key-write-rate",
        "r2-upload-throughput",
        "worker-memory",
        "worker-cpu",
        "subrequests",
        "queue-consumer-lag",
    ] {
        let row = k().matrix.iter().find(|r| r.id == id);
        let row = row.unwrap_or_else(|| panic!("matrix row {id} missing"));
        assert!(
            !row.patterns.is_empty() && !row.solutions.is_empty(),
            "{id}"
        );
    }
}

#[test]
fn checklist_has_the_five_stages_in_order() {
    let stages: Vec<_> = k()
        .checklist
        .iter()
        .map(|s| (s.id.as_str(), s.min_requests_per_day))
        .collect();
    assert_eq!(
        stages,
        [
            ("before-launch", 0),
            ("10k", 10_000),
            ("100k", 100_000),
            ("1m", 1_000_000),
            ("10m", 10_000_000)
        ]
    );
    assert!(k().checklist.iter().all(|s| s.item.len() >= 3));
}

#[test]
fn every_product_has_prices_on_paid() {
    for product in [
        "platform",
        "workers",
        "workers_logs",
        "kv",
        "d1",
        "r2",
        "r2_ia",
        "durable_objects",
        "do_sqlite",
        "do_kv",
        "queues",
        "workflows",
        "hyperdrive",
        "analytics_engine",
        "vectorize",
    ] {
        assert!(
            k().pricing.iter().any(|p| p.product == product),
            "no price rows for {product}"
        );
    }
    let sub = k()
        .price("platform.subscription")
        .expect("Workers Paid subscription");
    assert_eq!(sub.usd.map(|u| u.to_string()), Some("5.00".to_owned()));
}

fn paid(id: &str) -> Option<f64> {
    k().limit(id)
        .unwrap_or_else(|| panic!("limit {id} missing"))
        .paid
        .and_then(LimitValue::number)
}

/// The folklore the issue names, checked against the data rather than the prose.
#[test]
fn current_facts_not_folklore() {
    // Worker CPU: 30 s is the default, 5 minutes the maximum.
    let cpu: Vec<_> = k()
        .limits
        .iter()
        .filter(|l| l.id.starts_with("workers.cpu_ms"))
        .filter_map(|l| l.paid.and_then(LimitValue::number))
        .collect();
    assert!(
        cpu.contains(&30_000.0) && cpu.contains(&300_000.0),
        "{cpu:?}"
    );
    // Subrequests: 10,000 by default on Paid.
    assert!(
        k().limits
            .iter()
            .filter(|l| l.id.starts_with("workers.subrequests"))
            .any(|l| l.paid == Some(LimitValue::Number(10_000.0))),
        "Paid subrequest default is 10,000"
    );
    // Queue consumer concurrency: 250, not 20.
    assert!(
        k().limits
            .iter()
            .filter(|l| l.product == "queues" && l.id.contains("concurren"))
            .any(|l| l.paid == Some(LimitValue::Number(250.0)))
    );
    // Analytics Engine is priced, but not billed yet.
    let ae: Vec<_> = k()
        .pricing
        .iter()
        .filter(|p| p.product == "analytics_engine")
        .collect();
    assert!(!ae.is_empty() && ae.iter().all(|p| p.usd.is_some() && !p.billed));
    // D1: no rows-per-batch limit; 100 bound parameters instead.
    assert!(
        !k().limits
            .iter()
            .any(|l| l.product == "d1" && l.id.contains("rows_per_batch"))
    );
    assert!(
        k().limits.iter().any(|l| l.product == "d1"
            && l.paid == Some(LimitValue::Number(100.0))
            && l.unit.contains("param")),
        "D1 limit of 100 bound parameters"
    );
    // KV: one write per second to the same key.
    assert_eq!(paid("kv.writes_per_key_per_second"), Some(1.0));
}

#[test]
fn skill_md_frontmatter_and_tool_names() {
    let skill = cf_scale::knowledge::skill_file("SKILL.md").unwrap();
    let mut lines = skill.lines();
    assert_eq!(lines.next(), Some("---"), "frontmatter on line 1");
    let front: Vec<_> = lines.take_while(|l| *l != "---").collect();
    assert!(front.contains(&"name: scale"), "{front:?}");
    assert!(
        front
            .iter()
            .any(|l| l.starts_with("description: ") && l.len() > 40)
    );
    for tool in ["recommend_scaling", "estimate_cost", "shard_plan"] {
        assert!(skill.contains(tool), "SKILL.md names {tool}");
    }
}

#[test]
fn every_reference_heading_has_an_anchor_and_code() {
    let patterns = &k().patterns;
    assert!(patterns.len() >= 25, "{}", patterns.len());
    for p in patterns {
        assert!(!p.id.is_empty(), "{}: `{}` has no anchor", p.file, p.title);
    }
    for id in [
        "kv-key-sharding",
        "d1-time-partitioning",
        "d1-tenant-partitioning",
        "durable-object-sharding",
        "d1-read-replicas",
        "dead-letter-queue",
        "chunked-processing",
        "streaming",
    ] {
        let p = k().pattern(id).unwrap_or_else(|| panic!("pattern {id}"));
        assert!(
            p.text.contains("```ts") || p.text.contains("```typescript"),
            "{id} has TypeScript"
        );
    }
}

/// Rules, checklist items and anti-patterns only test signals the recommend engine knows, cost
/// changes only touch real usage fields, and shard rules name real strategies.
#[test]
fn rules_use_known_signals_fields_and_strategies() {
    use cf_scale::engine::recommend::SIGNALS;
    let known = |s: &str| SIGNALS.iter().any(|(name, _)| *name == s);
    let usage = serde_json::to_value(cf_scale::engine::model::UsageProfile::default()).unwrap();
    for row in &k().matrix {
        for rule in &row.recommend {
            for c in &rule.when {
                assert!(known(&c.signal), "{}: unknown signal {}", rule.id, c.signal);
            }
            if let Some(u) = &rule.utilisation {
                assert!(known(&u.signal), "{}: unknown signal {}", rule.id, u.signal);
            }
            for c in rule.escalate_when.iter().flat_map(|e| &e.when) {
                assert!(known(&c.signal), "{}: unknown signal {}", rule.id, c.signal);
            }
            for c in &rule.cost {
                for path in std::iter::once(&c.field).chain(c.to.as_ref()) {
                    let (p, f) = path.split_once('.').unwrap();
                    assert!(
                        usage[p].get(f).is_some(),
                        "{}: no usage field {path}",
                        rule.id
                    );
                }
            }
            for s in rule.shard.iter().chain(&rule.shard_with_tenants) {
                assert!(
                    ["kv_key", "d1_time", "d1_tenant", "durable_object", "queue"]
                        .contains(&s.as_str()),
                    "{s}"
                );
            }
        }
    }
    // Cost levers and runaway loops: known signals (or `usage.<field>`), real usage fields
    // (optional ones included).
    let mut every = cf_scale::engine::model::UsageProfile::default();
    every.workers_logs.head_sampling_rate = Some(1.0);
    let every = serde_json::to_value(every).unwrap();
    let field = |path: &str| path.split('.').try_fold(&every, |v, p| v.get(p)).is_some();
    let known_or_usage = |s: &str| known(s) || s.strip_prefix("usage.").is_some_and(field);
    for lever in &k().levers {
        for c in &lever.when {
            assert!(
                known_or_usage(&c.signal),
                "{}: unknown signal {}",
                lever.id,
                c.signal
            );
        }
        for c in &lever.change {
            for path in c.fields() {
                assert!(field(path), "{}: no usage field {path}", lever.id);
            }
            for s in c.signals() {
                assert!(known(s), "{}: unknown signal {s}", lever.id);
            }
        }
        assert!(!lever.lines.is_empty(), "{}: no bill line", lever.id);
    }
    for r in &k().runaway {
        for a in &r.adds {
            assert!(field(&a.field), "{}: no usage field {}", r.id, a.field);
            assert!(known(&a.rate), "{}: unknown rate signal {}", r.id, a.rate);
        }
        assert!(!r.guards.is_empty(), "{}: no guard", r.id);
    }
    for h in &k().headroom {
        assert!(known(&h.signal), "headroom: unknown signal {}", h.signal);
        assert!(
            ["traffic", "none"].contains(&h.growth.as_str()) || known(&h.growth),
            "{}",
            h.growth
        );
    }
    let conditions = k()
        .checklist
        .iter()
        .flat_map(|s| &s.item)
        .flat_map(|i| &i.done_when)
        .chain(k().anti_patterns.iter().flat_map(|a| &a.detect));
    for c in conditions {
        assert!(known(&c.signal), "unknown signal {}", c.signal);
    }
}
