//! analyze_config on a corpus of real-shaped Wrangler configs: the resolved config and its lints
//! are snapshot-tested, and malformed input gives an error with its position.

use cf_scale::engine::config::{AnalyzeInput, ProjectConfig, analyze};
use cf_scale::engine::model::{ConfigFormat, ConfigSource, ProjectContext, Service};
use cf_scale::knowledge::{Severity, knowledge};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/wrangler/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn run(name: &str, input: AnalyzeInput) -> ProjectConfig {
    analyze(&knowledge().unwrap().limits, &input, &fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn lint_ids(c: &ProjectConfig) -> Vec<&str> {
    c.lints.iter().map(|l| l.id.as_str()).collect()
}

#[test]
fn corpus_snapshots() {
    for name in ["basic.toml", "full.jsonc", "envs.toml", "minimal.json"] {
        let config = run(
            name,
            AnalyzeInput {
                stale_before: Some("2026-01-01".into()),
                ..Default::default()
            },
        );
        insta::assert_json_snapshot!(name, config);
    }
    let production = run(
        "envs.toml",
        AnalyzeInput {
            env: Some("production".into()),
            ..Default::default()
        },
    );
    insta::assert_json_snapshot!("envs.toml@production", production);
}

#[test]
fn basic_toml_bindings_and_lints() {
    let c = run(
        "basic.toml",
        AnalyzeInput {
            stale_before: Some("2026-01-01".into()),
            ..Default::default()
        },
    );
    assert_eq!(c.format, ConfigFormat::Toml);
    assert_eq!(c.bindings.d1_databases[0].name, "DB");
    assert_eq!(c.bindings.d1_databases[0].target, "shop");
    assert_eq!(
        c.services,
        [Service::Workers, Service::Kv, Service::D1, Service::R2]
    );
    assert_eq!(
        lint_ids(&c),
        [
            "no-observability",
            "no-cpu-limit",
            "data-without-smart-placement",
            "stale-compatibility-date"
        ]
    );
}

/// The lints from public bill incidents: each fires on its setting, and none on the fixed twin.
#[test]
fn incident_lints_fire_on_the_setting_and_not_on_its_fix() {
    let c = run("incidents.jsonc", AnalyzeInput::default());
    let found: Vec<(&str, &str)> = c
        .lints
        .iter()
        .map(|l| (l.id.as_str(), l.path.as_str()))
        .collect();
    for expected in [
        ("queue-self-loop", "queues.consumers[0]"),
        ("queue-consumer-no-dlq", "queues.consumers[0]"),
        ("assets-run-worker-first", "assets.run_worker_first"),
        ("workers-dev-beside-routes", "workers_dev"),
        ("no-cpu-limit", "limits.cpu_ms"),
        (
            "stateful-bindings-in-preview",
            "env.preview.durable_objects",
        ),
        ("stateful-bindings-in-preview", "env.preview.queues"),
        ("retries-without-dlq", "queues.consumers[0].max_retries"),
        (
            "queue-concurrency-one",
            "queues.consumers[0].max_concurrency",
        ),
        (
            "logs-full-sampling",
            "observability.logs.head_sampling_rate",
        ),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    // Rates of 0.1 and 1: the logs follow their own setting, so they are kept in full, and the two
    // settings disagree.
    assert!(found.contains(&(
        "logs-sampling-mismatch",
        "observability.logs.head_sampling_rate"
    )));
    for l in &c.lints {
        assert!(
            l.source.starts_with("https://developers.cloudflare.com/"),
            "{l:?}"
        );
    }
    let clean = run("incidents-clean.jsonc", AnalyzeInput::default());
    let incident = [
        "queue-self-loop",
        "assets-run-worker-first",
        "workers-dev-beside-routes",
        "no-cpu-limit",
        "stateful-bindings-in-preview",
        "retries-without-dlq",
        "queue-concurrency-one",
        "logs-full-sampling",
        "logs-sampling-mismatch",
    ];
    let fired: Vec<&str> = clean
        .lints
        .iter()
        .map(|l| l.id.as_str())
        .filter(|id| incident.contains(id))
        .collect();
    assert!(fired.is_empty(), "{fired:?}");
    // On Workers Free there is no cpu limit to set.
    let free = run(
        "incidents.jsonc",
        AnalyzeInput {
            plan: Some(cf_scale::engine::model::Plan::Free),
            ..Default::default()
        },
    );
    assert!(!free.lints.iter().any(|l| l.id == "no-cpu-limit"));
}

#[test]
fn full_jsonc_every_binding_and_every_lint() {
    let c = run(
        "full.jsonc",
        AnalyzeInput {
            plan: Some(cf_scale::engine::model::Plan::Free),
            ..Default::default()
        },
    );
    assert_eq!(c.format, ConfigFormat::Jsonc);
    let b = &c.bindings;
    assert_eq!(
        (
            b.kv_namespaces.len(),
            b.r2_buckets.len(),
            b.workflows.len(),
            b.hyperdrive.len()
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        (
            b.analytics_engine_datasets.len(),
            b.vectorize.len(),
            b.services.len()
        ),
        (1, 1, 1)
    );
    assert_eq!(b.durable_objects[0].backend, "sqlite");
    assert_eq!(b.durable_objects[1].backend, "key_value");
    assert_eq!(b.queue_consumers.len(), 2);
    assert_eq!(c.routes, ["api.example.com/*", "example.com/v1/*"]);
    assert_eq!(c.crons.len(), 6);
    let ids = lint_ids(&c);
    for id in [
        "queue-batch-size-over-max",
        "cpu-limit-over-max",
        "queue-consumer-no-dlq",
        "free-plan-cron-over-limit",
        "queue-concurrency-pinned",
        "durable-object-key-value-backend",
        "unknown-binding-key",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(!ids.contains(&"no-observability") && !ids.contains(&"data-without-smart-placement"));
    assert_eq!(c.lints[0].severity, Severity::Critical, "most severe first");
    let typo = c
        .lints
        .iter()
        .find(|l| l.id == "unknown-binding-key")
        .unwrap();
    assert_eq!(typo.path, "kv_namespaces[0].bindng");
    // On Paid, six crons are fine.
    let paid = run("full.jsonc", AnalyzeInput::default());
    assert!(!lint_ids(&paid).contains(&"free-plan-cron-over-limit"));
}

#[test]
fn environments_resolve_the_way_wrangler_does() {
    let c = run(
        "envs.toml",
        AnalyzeInput {
            env: Some("production".into()),
            ..Default::default()
        },
    );
    assert_eq!(c.name.as_deref(), Some("app-production"));
    // Inherited: main, placement, observability. Not inherited: the top-level D1 binding.
    assert_eq!(c.main.as_deref(), Some("src/index.ts"));
    assert_eq!(c.placement.as_deref(), Some("smart"));
    assert!(c.bindings.d1_databases.is_empty());
    assert_eq!(c.bindings.kv_namespaces[0].target, "prod-sessions");
    assert_eq!(
        c.bindings.queue_consumers[0].dead_letter_queue.as_deref(),
        Some("jobs-dlq")
    );
    assert_eq!(c.routes, ["app.example.com/*"]);
    let err = analyze(
        &knowledge().unwrap().limits,
        &AnalyzeInput {
            env: Some("staging".into()),
            ..Default::default()
        },
        &fixture("envs.toml"),
    )
    .unwrap_err();
    assert_eq!(err.path, "env");
    assert!(err.message.contains("production"), "{err}");
}

#[test]
fn malformed_configs_give_a_clear_error_with_position() {
    let k = &knowledge().unwrap().limits;
    let err = analyze(k, &AnalyzeInput::default(), &fixture("bad/syntax.toml")).unwrap_err();
    assert!(
        err.message.contains("invalid TOML") && err.message.contains("line"),
        "{err}"
    );
    let err = analyze(k, &AnalyzeInput::default(), &fixture("bad/types.jsonc")).unwrap_err();
    assert_eq!(err.path, "queues.consumers[0].max_batch_size", "{err}");
    let err = analyze(k, &AnalyzeInput::default(), "{ \"name\": \"x\", ").unwrap_err();
    assert!(
        err.message.contains("invalid JSON") && err.message.contains("line"),
        "{err}"
    );
    let big = format!("name = \"x\"\n# {}\n", "a".repeat(2 << 20));
    let err = analyze(k, &AnalyzeInput::default(), &big).unwrap_err();
    assert!(err.message.contains("1 MiB"), "{err}");
    let err = analyze(k, &AnalyzeInput::default(), "\u{0}\u{1}\u{2}garbage").unwrap_err();
    assert!(err.message.contains("binary"), "{err}");
    let stale = AnalyzeInput {
        stale_before: Some("last year".into()),
        ..Default::default()
    };
    let err = analyze(k, &stale, "name = \"x\"").unwrap_err();
    assert_eq!(err.path, "stale_before");
    let json = AnalyzeInput {
        format: Some(ConfigFormat::Json),
        ..Default::default()
    };
    let err = analyze(k, &json, "[1, 2]").unwrap_err();
    assert!(err.message.contains("table/object"), "{err}");
}

#[test]
fn the_config_fills_a_project_context() {
    let given = ProjectContext {
        config: Some(ConfigSource {
            content: fixture("full.jsonc"),
            format: None,
        }),
        ..Default::default()
    };
    let ctx = cf_scale::engine::recommend::with_config(knowledge().unwrap(), &given).unwrap();
    assert!(ctx.services.as_ref().unwrap().contains(&Service::Queues));
    assert_eq!(ctx.observations.queue_has_dlq, Some(false));
    assert_eq!(ctx.observations.smart_placement, Some(true));
}
