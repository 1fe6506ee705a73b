//! Any bytes as a Workers project's code and D1 migrations: the text before the first NUL byte is
//! `src/index.ts`, and each NUL-separated part after it is a migration (`migrations/0001.sql`,
//! `0002.sql`, …; at most four). With a fixed Wrangler config that binds D1, KV, R2, a queue the
//! Worker both produces to and consumes, and a Durable Object, `analyze_project` (the oxc parse,
//! SQL extraction, SQLite planning, index proposals and the code checks) answers with a report or
//! an error, and never panics.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use cf_scale::engine::model::PriceTable;
use cf_scale::engine::recommend::analyze_project;
use cf_scale::engine::scan::{MemoryTree, ScanInput};
use cf_scale::knowledge::{Knowledge, knowledge};
use libfuzzer_sys::fuzz_target;

const WRANGLER: &str = r#"{
  "name": "fuzz-app",
  "main": "src/index.ts",
  "compatibility_date": "2026-11-01",
  "d1_databases": [{ "binding": "DB", "database_name": "app", "database_id": "00000000-0000-0000-0000-000000000001" }],
  "kv_namespaces": [{ "binding": "CACHE", "id": "0f2ac74b498b48028cb68387c421e279" }],
  "r2_buckets": [{ "binding": "FILES", "bucket_name": "files" }],
  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }],
  "queues": {
    "producers": [{ "binding": "JOBS", "queue": "jobs" }],
    "consumers": [{ "queue": "jobs" }],
  },
}"#;

/// Migrations read from one input at most.
const MAX_MIGRATIONS: usize = 4;
/// Lines of `src/index.ts` given a call rate.
const CALL_LINES: usize = 40;

static SETUP: LazyLock<(&'static Knowledge, PriceTable)> = LazyLock::new(|| {
    let k = knowledge().expect("embedded knowledge loads");
    (k, PriceTable::builtin(k))
});

fuzz_target!(|data: &[u8]| {
    let (k, prices) = &*SETUP;
    let mut parts = data.split(|&b| b == 0);
    let code = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let mut files = BTreeMap::new();
    files.insert("wrangler.jsonc".to_owned(), WRANGLER.to_owned());
    files.insert("src/index.ts".to_owned(), code.into_owned());
    for (i, sql) in parts.take(MAX_MIGRATIONS).enumerate() {
        files.insert(
            format!("migrations/{:04}.sql", i + 1),
            String::from_utf8_lossy(sql).into_owned(),
        );
    }
    let tree = MemoryTree(files);
    // Row counts and call rates, so the rows-read and D1 cost paths run too.
    let input = ScanInput {
        table_rows: ["users", "events", "orders", "t"]
            .into_iter()
            .map(|t| (t.to_owned(), 2_000_000.0))
            .collect(),
        calls_per_month: (1..=CALL_LINES)
            .map(|line| (format!("src/index.ts:{line}"), 1_000_000.0))
            .collect(),
        ..ScanInput::default()
    };
    let _ = analyze_project(k, prices, &input, &tree, Some("2026-12"));
});
