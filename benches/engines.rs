//! Engine benchmarks: `cargo bench --bench engines`. The numbers go into README's performance
//! section.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use cf_scale::engine::cost::estimate;
use cf_scale::engine::model::{PriceTable, ProjectContext, UsageProfile, from_json};
use cf_scale::engine::recommend::{CostEngine, analyze_project, recommend};
use cf_scale::engine::scan::{MemoryTree, ScanInput};
use cf_scale::engine::shard::{self, ShardRequest};
use cf_scale::knowledge::knowledge;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

/// A profile that uses every product.
fn full_profile() -> UsageProfile {
    from_json(json!({
        "workers": {"requests": 90_000_000, "cpu_ms_per_request": 6, "static_asset_requests": 40_000_000, "cache_hits": 10_000_000},
        "workers_logs": {"events": 90_000_000},
        "kv": {"reads": 72_000_000, "writes": 600_000, "deletes": 10_000, "lists": 5_000, "storage_gb": 2},
        "d1": {"rows_read": 2_700_000_000u64, "rows_written": 12_000_000, "storage_gb": 6},
        "r2": {"storage_gb": 800, "class_a": 450_000, "class_b": 18_000_000,
               "infrequent_access": {"storage_gb": 2000, "class_a": 1000, "class_b": 50_000, "retrieval_gb": 10}},
        "durable_objects": {"requests": 5_000_000, "websocket_messages": 40_000_000, "active_seconds": 8_000_000,
                            "sqlite_rows_read": 900_000_000, "sqlite_rows_written": 3_000_000, "sqlite_storage_gb": 3},
        "queues": {"messages": 1_500_000, "message_kb": 4, "retries": 15_000},
        "workflows": {"steps": 700_000, "storage_gb": 2},
        "analytics_engine": {"data_points": 30_000_000, "read_queries": 20_000},
        "hyperdrive": {"queries": 40_000_000},
        "vectorize": {"queried_dimensions": 80_000_000, "stored_dimensions": 30_000_000}
    }))
    .expect("valid profile")
}

fn bench_cost(c: &mut Criterion) {
    let k = knowledge().expect("knowledge loads");
    let table = PriceTable::builtin(k);
    let profile = full_profile();
    c.bench_function("estimate_cost/full_profile", |b| {
        b.iter(|| estimate(black_box(&table), &k.limits, black_box(&profile)).expect("estimate"))
    });
    let mut curved = full_profile();
    curved.curve = (1..=200).map(|i| f64::from(i) * 0.25).collect();
    c.bench_function("estimate_cost/curve_200_points", |b| {
        b.iter(|| estimate(black_box(&table), &k.limits, black_box(&curved)).expect("estimate"))
    });
}

fn bench_shard(c: &mut Criterion) {
    let k = knowledge().expect("knowledge loads");
    let pricer = CostEngine::new(k, &PriceTable::builtin(k));
    let ctx = shard::Context {
        limits: &k.limits,
        prices: PriceTable::builtin(k),
        pricer: &pricer,
    };
    let sizes: Vec<f64> = (0..1000).map(|i| f64::from(i % 97) * 0.05).collect();
    let cases = [
        (
            "kv_key",
            json!({"strategy": "kv_key", "key": "views:home", "peak_writes_per_second": 20, "reads_per_second": 50}),
        ),
        (
            "d1_time",
            json!({"strategy": "d1_time", "table": "events", "current_gb": 2, "growth_gb_per_month": 0.5, "retention_months": 3, "start_month": "2026-11"}),
        ),
        (
            "d1_tenant",
            json!({"strategy": "d1_tenant", "tenants": 1000, "avg_tenant_gb": 0.05, "largest_tenant_gb": 2}),
        ),
        (
            "d1_tenant_1000_sizes",
            json!({"strategy": "d1_tenant", "tenants": 1000, "avg_tenant_gb": 2.4, "largest_tenant_gb": 4.8, "tenant_sizes_gb": sizes}),
        ),
        (
            "durable_object",
            json!({"strategy": "durable_object", "peak_requests_per_second": 3000}),
        ),
        (
            "queue",
            json!({"strategy": "queue", "messages_per_second": 12000, "message_kb": 3, "processing_ms_per_message": 40}),
        ),
    ];
    for (name, input) in cases {
        let request: ShardRequest = from_json(input).expect("valid request");
        c.bench_function(&format!("shard_plan/{name}"), |b| {
            b.iter(|| shard::plan(black_box(&ctx), black_box(&request)).expect("plan"))
        });
    }
}

fn bench_recommend(c: &mut Criterion) {
    let k = knowledge().expect("knowledge loads");
    let prices = PriceTable::builtin(k);
    let mut project: ProjectContext =
        cf_scale::engine::model::from_toml_str(include_str!("../examples/project.toml"))
            .expect("example project");
    project.today = Some("2026-11-28".to_owned());
    c.bench_function("recommend_scaling/example_project", |b| {
        b.iter(|| recommend(k, &prices, black_box(&project)).expect("report"))
    });
}

/// Every file under `dir`, read once into memory: the benchmark times parsing, planning and the
/// checks, not the disk.
fn memory_tree(dir: &Path) -> MemoryTree {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("fixture directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let rel = path.strip_prefix(root).expect("under the fixture");
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(rel, std::fs::read_to_string(&path).expect("fixture file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    MemoryTree(files)
}

fn bench_analyze_project(c: &mut Criterion) {
    let k = knowledge().expect("knowledge loads");
    let prices = PriceTable::builtin(k);
    let input = ScanInput::default();
    for name in ["hazards", "clean"] {
        let tree = memory_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/projects/{name}")),
        );
        c.bench_function(&format!("analyze_project/{name}"), |b| {
            b.iter(|| {
                analyze_project(
                    k,
                    &prices,
                    black_box(&input),
                    black_box(&tree),
                    Some("2026-12"),
                )
                .expect("scan")
            })
        });
    }
}

criterion_group!(
    benches,
    bench_cost,
    bench_shard,
    bench_recommend,
    bench_analyze_project
);
criterion_main!(benches);
