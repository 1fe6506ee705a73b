//! `analyze_project`: reads a Workers project's code and D1 migrations, offline. Every D1
//! statement the code sends is planned by SQLite against the migrated schema (full scans,
//! sorts in temporary B-trees, automatic indexes), each problem gets an index proposal that is
//! checked by planning again with it, and the code's loop and wallet hazards (alarm re-arms, a
//! consumer feeding its own queue, `kv.list()` on the request path, subrequests in loops, R2
//! bodies read whole, WebSockets without hibernation) are reported with file and line.
//!
//! A leaf engine: it reads files only through the [`SourceTree`] the front end passes in, and
//! prices through the [`Pricer`] the composer passes in. The checks are in [`CHECKS`].

mod js;
mod sql;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::model::{InputError, Plan, Pricer, UsageProfile, grouped};

/// A count with thousands separators.
fn count_of(n: f64) -> String {
    rust_decimal::Decimal::from_f64_retain(n.round()).map_or_else(|| n.to_string(), grouped)
}
use crate::knowledge::Severity;

/// Code files read at most (the entry point and what it imports, else `src/**`).
pub const MAX_FILES: usize = 500;
/// Largest file read, bytes; larger files are skipped with a warning.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Code and migrations read at most, bytes in all.
pub const MAX_TOTAL_BYTES: usize = 16 << 20;
/// D1 statements planned at most.
pub const MAX_STATEMENTS: usize = 5_000;
/// Migration files applied at most, per database.
pub const MAX_MIGRATIONS: usize = 1_000;

/// The project's files, as the front end reads them. Paths are relative to the project
/// directory, with `/` separators.
pub trait SourceTree {
    /// The file's text; `Ok(None)` when it does not exist; `Err` when it cannot be read (binary,
    /// larger than `max` bytes, outside the project, not UTF-8), saying why.
    fn read(&self, path: &str, max: usize) -> Result<Option<String>, String>;
    /// The files under `dir` (recursively, sorted), skipping `node_modules` and dot directories;
    /// at most `max` entries.
    fn list(&self, dir: &str, max: usize) -> Vec<String>;
}

/// A project held in memory: for tests and fuzzing.
#[derive(Debug, Default, Clone)]
pub struct MemoryTree(pub BTreeMap<String, String>);

impl SourceTree for MemoryTree {
    fn read(&self, path: &str, max: usize) -> Result<Option<String>, String> {
        match self.0.get(path) {
            Some(t) if t.len() > max => {
                Err(format!("is {} bytes; at most {max} are read", t.len()))
            }
            Some(t) if t.contains('\0') => Err("is binary".to_owned()),
            Some(t) => Ok(Some(t.clone())),
            None => Ok(None),
        }
    }
    fn list(&self, dir: &str, max: usize) -> Vec<String> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.0
            .keys()
            .filter(|k| dir.is_empty() || dir == "." || k.starts_with(&prefix))
            .take(max)
            .cloned()
            .collect()
    }
}

/// What the Wrangler config says the code can reach. The composer fills it from
/// `analyze_config`'s report.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    /// The config file they were read from; `None` when the project has none.
    pub config: Option<String>,
    /// The entry point (`main`), relative to the project.
    pub main: Option<String>,
    /// D1 bindings and the migrations directory of each (default `migrations`).
    pub d1: Vec<(String, String)>,
    pub kv: Vec<String>,
    pub r2: Vec<String>,
    /// Queue producers: binding → queue.
    pub producers: Vec<(String, String)>,
    /// Queues this Worker consumes.
    pub consumed: Vec<String>,
    /// Durable Object bindings: binding → class.
    pub durable_objects: Vec<(String, String)>,
    pub services: Vec<String>,
}

impl Bindings {
    fn kind_of(&self, name: &str) -> Option<js::Kind> {
        let has = |list: &[String]| list.iter().any(|b| b == name);
        if self.d1.iter().any(|(b, _)| b == name) {
            Some(js::Kind::D1)
        } else if has(&self.kv) {
            Some(js::Kind::Kv)
        } else if has(&self.r2) {
            Some(js::Kind::R2)
        } else if self.producers.iter().any(|(b, _)| b == name) {
            Some(js::Kind::Queue)
        } else if self.durable_objects.iter().any(|(b, _)| b == name) {
            Some(js::Kind::DurableObjects)
        } else if has(&self.services) {
            Some(js::Kind::Service)
        } else {
            None
        }
    }
    fn producer_queue(&self, binding: &str) -> Option<&str> {
        self.producers
            .iter()
            .find(|(b, _)| b == binding)
            .map(|(_, q)| q.as_str())
    }
    fn consumes(&self, queue: &str) -> bool {
        self.consumed.iter().any(|q| q == queue)
    }
    fn is_durable_object_class(&self, class: &str) -> bool {
        self.durable_objects.iter().any(|(_, c)| c == class)
    }
}

/// Input of `analyze_project`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    /// The project directory, relative to the server's working directory (default `.`).
    #[serde(default)]
    pub path: Option<String>,
    /// Wrangler environment to resolve (`env.<name>`).
    #[serde(default)]
    pub env: Option<String>,
    /// Rows per table, e.g. {"users": 2000000}: rows read per call before and after each index.
    #[serde(default)]
    pub table_rows: BTreeMap<String, f64>,
    /// Calls per month by query id (`src/db.ts:42`), SQL text or route (`GET /users/:id`):
    /// the monthly D1 cost before and after. An import_usage result as `usage` gives them.
    #[serde(default)]
    pub calls_per_month: BTreeMap<String, f64>,
    /// An import_usage result (its D1 query statistics).
    #[serde(default)]
    pub usage: Option<ImportedQueries>,
    /// Workers plan, default paid.
    #[serde(default)]
    pub plan: Option<Plan>,
}

/// The part of an `import_usage` result the scan reads: D1's per-query statistics.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ImportedQueries {
    /// `import_usage`'s `queries`.
    #[serde(default)]
    pub queries: Vec<ImportedQuery>,
}

/// One statement's statistics from `import_usage`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ImportedQuery {
    /// The SQL text.
    pub query: String,
    /// Calls per month.
    pub calls_per_month: f64,
    /// Rows read per month.
    pub rows_read_per_month: f64,
    /// Rows read per row returned.
    pub rows_read_per_row_returned: f64,
}

pub use crate::engine::model::CodeFinding as Finding;

/// An index proposal, checked by planning the statement again with it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexProposal {
    /// The statement to add to a migration.
    pub create: String,
    /// SQLite's plan with the index.
    pub plan_after: Vec<String>,
    /// Rows read per call now: the table's rows (`table_rows`), else D1's rows read per call
    /// from `usage`; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_read_per_call_before: Option<f64>,
    /// After: 1 for a unique key, the LIMIT, or the rows returned per call from `usage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_read_per_call_after: Option<f64>,
    /// Write statements in the code on the indexed table: each write also writes one index row.
    pub writes_to_table: usize,
    /// The indexed table.
    pub table: String,
}

/// One D1 statement the code sends, and SQLite's plan for it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueryPlan {
    /// `file:line` of the call: the key for `calls_per_month`.
    pub id: String,
    /// The D1 binding.
    pub database: String,
    /// The SQL.
    pub sql: String,
    /// SQLite's `EXPLAIN QUERY PLAN`.
    pub plan: Vec<String>,
    /// The proposed index, when the plan scans or sorts and an index fixes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexProposal>,
    /// Calls per month, when given or imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls_per_month: Option<f64>,
}

/// SQL the scan could not plan: built at run time, or sent through an object it cannot tie
/// to a D1 binding.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Unresolved {
    /// `file:line`.
    pub at: String,
    /// Why.
    pub reason: String,
}

/// The monthly D1 cost of the planned statements with call rates, before and after the
/// proposed indexes, priced by the cost engine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndexSaving {
    /// Rows read per month by those statements now.
    pub rows_read_before: f64,
    /// With the indexes.
    pub rows_read_after: f64,
    /// Index rows the writes with call rates add per month.
    pub rows_written_added: f64,
    /// Their D1 bill alone now, USD/month.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub usd_before: rust_decimal::Decimal,
    /// With the indexes.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub usd_after: rust_decimal::Decimal,
}

/// What was read.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct FilesRead {
    /// The Wrangler config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// Code files parsed.
    pub code: usize,
    /// Migration files applied.
    pub migrations: usize,
    /// Bytes read.
    pub bytes: usize,
}

/// The report of `analyze_project`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProjectScan {
    /// The answer in a few sentences: findings by severity, the first to fix, what is unread.
    pub summary: String,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Every D1 statement found, with its plan and proposed index.
    pub queries: Vec<QueryPlan>,
    /// SQL not planned: built at run time, or not tied to a D1 binding.
    pub unresolved: Vec<Unresolved>,
    /// With call rates: the planned statements' D1 cost before and after the indexes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_saving: Option<IndexSaving>,
    /// What was read.
    pub files: FilesRead,
    /// Files skipped, parse errors, migrations that failed.
    pub warnings: Vec<String>,
    /// What the estimates take for granted.
    pub assumptions: Vec<String>,
}

impl From<ProjectScan> for crate::engine::model::ProjectFindings {
    fn from(r: ProjectScan) -> Self {
        Self {
            findings: r.findings,
            index_saving: r.index_saving.map(|s| crate::engine::model::RowsAvoided {
                rows_read_before: s.rows_read_before,
                rows_read_after: s.rows_read_after,
            }),
        }
    }
}

/// One check: its id, severity, why it costs, what to do, the pattern and the docs.
pub struct Check {
    pub id: &'static str,
    /// What to do, as a recommendation's title.
    pub title: &'static str,
    /// What runs out or runs up: a recommendation's bottleneck.
    pub bottleneck: &'static str,
    pub severity: Severity,
    pub why: &'static str,
    pub fix: &'static str,
    pub pattern: &'static str,
    pub source: &'static str,
}

const D1_INDEXES: &str = "https://developers.cloudflare.com/d1/best-practices/use-indexes/";
const D1_LIMITS: &str = "https://developers.cloudflare.com/d1/platform/limits/";
const D1_BATCH: &str = "https://developers.cloudflare.com/d1/worker-api/d1-database/#batch";

/// Every check the scan makes.
pub const CHECKS: &[Check] = &[
    Check {
        id: "d1-full-scan",
        title: "Index the D1 statements that scan a table",
        bottleneck: "D1 rows read",
        severity: Severity::High,
        why: "SQLite reads every row of the table on every call; D1 bills rows read, so the cost grows with the table",
        fix: "add the index below in a migration",
        pattern: "d1-indexes",
        source: D1_INDEXES,
    },
    Check {
        id: "d1-automatic-index",
        title: "Index the join columns SQLite indexes on every call",
        bottleneck: "D1 rows read",
        severity: Severity::High,
        why: "SQLite builds a temporary index on every call, reading the whole table first",
        fix: "add the index below in a migration",
        pattern: "d1-indexes",
        source: D1_INDEXES,
    },
    Check {
        id: "d1-temp-btree",
        title: "Index the ORDER BY / GROUP BY columns of sorted D1 reads",
        bottleneck: "D1 rows read",
        severity: Severity::Medium,
        why: "every matching row is read and sorted before the first is returned, so a LIMIT saves no reads",
        fix: "add the index below so rows come out in order",
        pattern: "d1-indexes",
        source: D1_INDEXES,
    },
    Check {
        id: "d1-sql-error",
        title: "Fix the D1 statements that do not match the migrated schema",
        bottleneck: "D1 schema",
        severity: Severity::High,
        why: "the statement does not plan against the migrated schema: it fails at run time, or the migrations are not the schema in production",
        fix: "fix the statement or add the missing migration",
        pattern: "d1-indexes",
        source: D1_INDEXES,
    },
    Check {
        id: "d1-query-in-loop",
        title: "Replace per-item D1 queries with one query or a batch",
        bottleneck: "D1 queries per invocation",
        severity: Severity::High,
        why: "one query per item (N+1): each is a round trip, and an invocation may send only so many (`d1.queries_per_invocation` in scale://data/limits)",
        fix: "read with one `IN (…)` query or send the statements in one `batch([...])`",
        pattern: "d1-batch-writes",
        source: D1_LIMITS,
    },
    Check {
        id: "d1-writes-not-batched",
        title: "Send related D1 writes in one batch",
        bottleneck: "D1 round trips and atomicity",
        severity: Severity::Medium,
        why: "writes sent one by one are separate round trips and not atomic: a failure between them leaves half the change",
        fix: "send the writes together with `DB.batch([...])` (one round trip, one transaction)",
        pattern: "d1-batch-writes",
        source: D1_BATCH,
    },
    Check {
        id: "d1-no-limit",
        title: "Page D1 list queries with LIMIT",
        bottleneck: "D1 rows read and Worker memory",
        severity: Severity::Medium,
        why: "a list endpoint without LIMIT returns, and reads, every matching row: it grows with the data and the response can exceed memory",
        fix: "page with LIMIT and a keyset (`WHERE id > ? ORDER BY id LIMIT 50`)",
        pattern: "d1-indexes",
        source: D1_INDEXES,
    },
    Check {
        id: "d1-select-star",
        title: "Name the columns instead of SELECT * on wide tables",
        bottleneck: "D1 response size",
        severity: Severity::Low,
        why: "SELECT * on a wide table moves every column; new columns silently join the response",
        fix: "name the columns the caller uses",
        pattern: "d1-indexes",
        source: D1_INDEXES,
    },
    Check {
        id: "alarm-rearm-unconditional",
        title: "Stop the Durable Object alarm that re-arms itself unconditionally",
        bottleneck: "Durable Object requests and duration",
        severity: Severity::Critical,
        why: "alarm() re-arms itself on every run with no stop condition: the object never sleeps, billing requests and duration around the clock (the `durable-object-wake-loop` runaway in scale://data/levers)",
        fix: "re-arm only while there is work (`if (pending) await this.ctx.storage.setAlarm(…)`), with a cap",
        pattern: "alarm-guard",
        source: "https://developers.cloudflare.com/durable-objects/api/alarms/",
    },
    Check {
        id: "alarm-set-every-request",
        title: "Set Durable Object alarms only when none is pending",
        bottleneck: "Durable Object alarms",
        severity: Severity::Medium,
        why: "setAlarm() on every request or message moves the alarm each time and keeps the object busy",
        fix: "set it only when none is pending: `if (await this.ctx.storage.getAlarm() === null) …`",
        pattern: "alarm-guard",
        source: "https://developers.cloudflare.com/durable-objects/api/alarms/",
    },
    Check {
        id: "queue-self-enqueue",
        title: "Break the queue consumer's loop back into its own queue",
        bottleneck: "Queue operations",
        severity: Severity::Critical,
        why: "the consumer sends to the queue it consumes: one message can become an endless loop billed per operation (the `queue-feedback-loop` runaway in scale://data/levers)",
        fix: "send follow-up work to another queue, carry a hop count and drop past a limit, and keep a kill switch",
        pattern: "kill-switch",
        source: "https://developers.cloudflare.com/queues/platform/pricing/",
    },
    Check {
        id: "kv-list-request-path",
        title: "Take kv.list() off the request path",
        bottleneck: "KV list operations",
        severity: Severity::High,
        why: "a KV list operation on every request is billed each time (`kv.lists` in scale://data/pricing) and its answer is eventually consistent (the `kv-list-every-request` runaway in scale://data/levers)",
        fix: "keep an index key (one get) written when the set changes, or list in a scheduled job",
        pattern: "kv-list-index",
        source: "https://developers.cloudflare.com/kv/platform/pricing/",
    },
    Check {
        id: "kv-hot-key-put",
        title: "Stop writing one KV key from every request",
        bottleneck: "KV writes per key",
        severity: Severity::High,
        why: "one key written from every request: KV takes only so many writes per key per second (`kv.writes_per_key_per_second` in scale://data/limits; 429s past it) and bills each write (`kv.writes`)",
        fix: "write per user or per tenant keys, or count in a Durable Object and publish to KV at most once a second",
        pattern: "kv-key-sharding",
        source: "https://developers.cloudflare.com/kv/platform/limits/",
    },
    Check {
        id: "subrequest-in-loop",
        title: "Bound or batch the subrequests made in loops",
        bottleneck: "Subrequests per invocation",
        severity: Severity::High,
        why: "a subrequest per item: the invocation fails past the subrequest limit (`workers.subrequests_default` in scale://data/limits) and each call is billed",
        fix: "bound the loop, batch the calls (one request for many items), or move the fan-out to a queue",
        pattern: "subrequest-budget",
        source: "https://developers.cloudflare.com/workers/platform/limits/#subrequests",
    },
    Check {
        id: "r2-read-whole",
        title: "Stream R2 bodies instead of buffering them",
        bottleneck: "Worker memory",
        severity: Severity::Medium,
        why: "the whole object is buffered in the Worker's memory (`workers.memory_mb` in scale://data/limits); the object's size is not known from the code",
        fix: "stream the body (`new Response(object.body)`) or read a range",
        pattern: "streaming",
        source: "https://developers.cloudflare.com/workers/platform/limits/#memory",
    },
    Check {
        id: "do-websocket-no-hibernation",
        title: "Accept Durable Object WebSockets with the Hibernation API",
        bottleneck: "Durable Object duration",
        severity: Severity::High,
        why: "WebSockets accepted with accept() keep the object in memory while clients are idle: duration is billed for every connected second",
        fix: "accept with `this.ctx.acceptWebSocket(ws)` and handle `webSocketMessage`, so the object hibernates between messages",
        pattern: "websocket-hibernation",
        source: "https://developers.cloudflare.com/durable-objects/best-practices/websockets/",
    },
];

/// The check with `id`.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// A SQL text normalised for matching: lower case, whitespace collapsed, no trailing `;`.
pub fn normalise_sql(sql: &str) -> String {
    sql.trim()
        .trim_end_matches(';')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// Joins `base`'s directory and a relative specifier, `None` when it climbs out of the project.
fn join(base: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for p in spec.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

const CODE_EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

fn is_code(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(stem, ext)| CODE_EXTENSIONS.contains(&ext) && !stem.ends_with(".d"))
}

/// The candidates an import specifier names (`./db` → `./db.ts`, `./db.js` → `./db.ts`, …).
fn candidates(path: &str) -> Vec<String> {
    let mut out = vec![path.to_owned()];
    let stem = path
        .strip_suffix(".js")
        .or_else(|| path.strip_suffix(".mjs"))
        .unwrap_or(path);
    for ext in ["ts", "tsx", "mts", "js", "jsx", "mjs"] {
        out.push(format!("{stem}.{ext}"));
    }
    for ext in ["ts", "js"] {
        out.push(format!("{path}/index.{ext}"));
    }
    out
}

/// The code files under `dir` (the entry point's top directory, default `src/`), without
/// tests (`*.test.*`, `*.spec.*`, `__tests__/`, `test/`).
fn source_files(tree: &dyn SourceTree, dir: &str) -> Vec<String> {
    tree.list(dir, MAX_FILES * 4)
        .into_iter()
        .filter(|p| {
            is_code(p)
                && !p.contains(".test.")
                && !p.contains(".spec.")
                && !p
                    .split('/')
                    .any(|d| d == "__tests__" || d == "test" || d == "tests")
        })
        .collect()
}

/// Whether `path` exists, without reading it: a read allowed 0 bytes fails on any file with text.
fn exists(tree: &dyn SourceTree, path: &str) -> bool {
    !matches!(tree.read(path, 0), Ok(None))
}

struct Budget {
    bytes: usize,
    warnings: Vec<String>,
}

impl Budget {
    fn read(&mut self, tree: &dyn SourceTree, path: &str) -> Option<String> {
        let room = MAX_TOTAL_BYTES.saturating_sub(self.bytes);
        match tree.read(path, MAX_FILE_BYTES.min(room)) {
            Ok(Some(text)) => {
                self.bytes += text.len();
                Some(text)
            }
            Ok(None) => None,
            Err(e) => {
                self.warnings.push(format!("`{path}` skipped: {e}"));
                None
            }
        }
    }
}

/// Scans a project: `bindings` from its config, files through `tree`, D1 costs through `pricer`.
pub fn scan(
    input: &ScanInput,
    bindings: &Bindings,
    tree: &dyn SourceTree,
    pricer: &dyn Pricer,
) -> Result<ProjectScan, InputError> {
    for (field, map) in [
        ("table_rows", &input.table_rows),
        ("calls_per_month", &input.calls_per_month),
    ] {
        for (k, v) in map {
            if !v.is_finite() || *v < 0.0 {
                return Err(InputError::new(
                    format!("{field}.{k}"),
                    format!("must be a number ≥ 0 (got {v})"),
                ));
            }
        }
    }
    let mut budget = Budget {
        bytes: 0,
        warnings: Vec::new(),
    };
    let mut assumptions = Vec::new();

    // The code: the entry point and what it imports, else every code file under src/.
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut seen: HashSet<String> = HashSet::new();
    let main = bindings
        .main
        .as_deref()
        .map(|m| m.trim_start_matches("./").to_owned());
    match &main {
        Some(m) if exists(tree, m) && !is_code(m) => {
            budget.warnings.push(format!(
                "main `{m}` is not JavaScript or TypeScript (Python Workers are not read): no code scanned"
            ));
        }
        Some(m) if exists(tree, m) => {
            queue.push_back(m.clone());
        }
        _ => {
            if let Some(m) = &main {
                budget
                    .warnings
                    .push(format!("main `{m}` not found: read src/** instead"));
            }
            queue.extend(source_files(tree, "src"));
        }
    }
    seen.extend(queue.iter().cloned());
    let mut files: Vec<(String, js::FileFacts)> = Vec::new();
    let mut skipped = 0usize;
    let mut rest_added = false;
    loop {
        // After the entry point and its imports, the rest of src/: files reached through path
        // aliases (`@/db`) or dynamic loading are read too.
        if queue.is_empty() && !rest_added {
            rest_added = true;
            // The entry point's own top directory (`worker/` beside a browser app in `src/`);
            // an entry at the root reads nothing more.
            let top = main
                .as_deref()
                .filter(|m| exists(tree, m))
                .map_or(Some("src"), |m| m.split_once('/').map(|(d, _)| d));
            for p in top.map(|d| source_files(tree, d)).unwrap_or_default() {
                if seen.insert(p.clone()) {
                    queue.push_back(p);
                }
            }
        }
        let Some(path) = queue.pop_front() else { break };
        if files.len() >= MAX_FILES {
            skipped += 1;
            continue;
        }
        let Some(text) = budget.read(tree, &path) else {
            continue;
        };
        let facts = js::read(&path, &text, bindings);
        for (line, message) in &facts.errors {
            budget.warnings.push(format!(
                "{path}:{line}: syntax error: {message} (read as far as the parser recovered)"
            ));
        }
        for spec in &facts.imports {
            if !spec.starts_with('.') {
                continue;
            }
            let Some(target) = join(&path, spec) else {
                budget.warnings.push(format!(
                    "{path}: import `{spec}` points outside the project: not read"
                ));
                continue;
            };
            if let Some(found) = candidates(&target)
                .into_iter()
                .find(|c| is_code(c) && exists(tree, c))
                && seen.insert(found.clone())
            {
                queue.push_back(found);
            }
        }
        files.push((path, facts));
    }
    if skipped > 0 {
        budget.warnings.push(format!(
            "{skipped} more code files not read: at most {MAX_FILES} are"
        ));
    }

    // The call graph: what the fetch and queue handlers reach, by function name.
    let mut by_name: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (fi, (_, f)) in files.iter().enumerate() {
        for (i, func) in f.functions.iter().enumerate() {
            by_name.entry(func.name.as_str()).or_default().push((fi, i));
        }
    }
    let reach = |entry: js::Entry| -> HashSet<(usize, usize)> {
        let mut out = HashSet::new();
        let mut todo: Vec<(usize, usize)> = Vec::new();
        for (fi, (_, f)) in files.iter().enumerate() {
            for (i, func) in f.functions.iter().enumerate() {
                if func.entry == entry {
                    todo.push((fi, i));
                }
            }
            for (name, e) in &f.entry_refs {
                if *e == entry {
                    todo.extend(by_name.get(name.as_str()).into_iter().flatten());
                }
            }
        }
        while let Some(at) = todo.pop() {
            if !out.insert(at) {
                continue;
            }
            for name in &files[at.0].1.functions[at.1].calls {
                todo.extend(by_name.get(name.as_str()).into_iter().flatten());
            }
        }
        out
    };
    let fetch_path = reach(js::Entry::Fetch);
    let queue_path = reach(js::Entry::Queue);
    // Calls per month by route (`GET /users/:id`): each statement a route's handler reaches
    // runs once per request of that route.
    let mut by_route: HashMap<(usize, usize), f64> = HashMap::new();
    let mut routes_used = Vec::new();
    for (fi, (_, f)) in files.iter().enumerate() {
        for (i, func) in f.functions.iter().enumerate() {
            let Some(route) = &func.route else { continue };
            let Some(calls) = input.calls_per_month.get(route) else {
                continue;
            };
            routes_used.push(route.clone());
            let mut seen = HashSet::new();
            let mut todo = vec![(fi, i)];
            while let Some(at) = todo.pop() {
                if !seen.insert(at) {
                    continue;
                }
                *by_route.entry(at).or_default() += calls;
                for name in &files[at.0].1.functions[at.1].calls {
                    todo.extend(by_name.get(name.as_str()).into_iter().flatten());
                }
            }
        }
    }
    if !routes_used.is_empty() {
        assumptions.push(format!(
            "calls per month of {} are counted once per request for every statement their handlers reach (a statement in a loop runs more often).",
            routes_used.join(", ")
        ));
    }

    let mut findings: Vec<Finding> = Vec::new();
    let mut push = |id: &str, at: String, detail: String, fix: Option<String>| {
        let Some(c) = check(id) else { return };
        findings.push(Finding {
            id: id.to_owned(),
            severity: c.severity,
            at,
            message: format!("{detail}: {}", c.why),
            fix: fix.unwrap_or_else(|| c.fix.to_owned()),
            pattern: format!("scale://patterns/{}", c.pattern),
            source: c.source.to_owned(),
        });
    };
    for (fi, (path, f)) in files.iter().enumerate() {
        for h in &f.hazards {
            let ok = match h.reach {
                js::Reach::Always => true,
                js::Reach::Fetch => fetch_path.contains(&(fi, h.owner)),
                js::Reach::Queue => queue_path.contains(&(fi, h.owner)),
            };
            if ok {
                push(h.id, format!("{path}:{}", h.line), h.detail.clone(), None);
            }
        }
    }

    // D1: build each database from its migrations, then plan every statement.
    let mut schemas: HashMap<&str, sql::Schema> = HashMap::new();
    let mut migrations = 0usize;
    for (binding, dir) in &bindings.d1 {
        let schema = sql::Schema::new().map_err(|e| InputError::new("", e))?;
        let dir = dir.trim_start_matches("./").trim_end_matches('/');
        let mut list: Vec<String> = tree
            .list(dir, MAX_MIGRATIONS + 1)
            .into_iter()
            // Wrangler applies the directory's own .sql files, not those of subdirectories.
            .filter(|p| {
                p.ends_with(".sql")
                    && p.strip_prefix(dir)
                        .and_then(|r| r.strip_prefix('/'))
                        .is_some_and(|r| !r.contains('/'))
            })
            .collect();
        list.sort();
        if list.len() > MAX_MIGRATIONS {
            budget.warnings.push(format!(
                "{binding}: more than {MAX_MIGRATIONS} migrations; the rest not applied"
            ));
            list.truncate(MAX_MIGRATIONS);
        }
        if list.is_empty() {
            budget.warnings.push(format!(
                "{binding}: no migrations under `{dir}/`: its statements are not planned"
            ));
            continue;
        }
        for m in &list {
            let Some(text) = budget.read(tree, m) else {
                continue;
            };
            migrations += 1;
            if let Err(e) = schema.apply(&text) {
                budget.warnings.push(format!(
                    "{m}: migration failed in SQLite: {e} (later statements may not plan)"
                ));
            }
        }
        schemas.insert(binding.as_str(), schema);
    }

    let imported: HashMap<String, &ImportedQuery> = input
        .usage
        .iter()
        .flat_map(|u| &u.queries)
        .map(|q| (normalise_sql(&q.query), q))
        .collect();
    let given: HashMap<String, f64> = input
        .calls_per_month
        .iter()
        .map(|(k, v)| {
            (
                if k.contains(' ') {
                    normalise_sql(k)
                } else {
                    k.clone()
                },
                *v,
            )
        })
        .collect();
    // Every statement, split as SQLite splits it and parsed once.
    struct Stmt<'f> {
        file: usize,
        call: &'f js::SqlCall,
        id: String,
        sql: String,
        shape: Option<sql::Shape>,
        ddl: bool,
    }
    let mut stmts: Vec<Stmt> = Vec::new();
    let mut unresolved: Vec<Unresolved> = Vec::new();
    for (fi, (path, f)) in files.iter().enumerate() {
        for call in &f.sql {
            let at = format!("{path}:{}", call.line);
            let text = match &call.sql {
                Ok(t) => t,
                Err(reason) => {
                    unresolved.push(Unresolved {
                        at,
                        reason: reason.clone(),
                    });
                    continue;
                }
            };
            let room = MAX_STATEMENTS.saturating_sub(stmts.len());
            let split = if call.exec {
                sql::statements(text, room)
            } else {
                vec![text.trim().trim_end_matches(';').to_owned()]
            };
            for (n, statement) in split.into_iter().take(room).enumerate() {
                let keyword = sql::skip_comments(&statement)
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                stmts.push(Stmt {
                    file: fi,
                    call,
                    id: if n == 0 {
                        at.clone()
                    } else {
                        format!("{at}#{}", n + 1)
                    },
                    shape: sql::shape(&statement),
                    ddl: matches!(keyword.as_str(), "CREATE" | "ALTER" | "DROP"),
                    sql: statement,
                });
            }
        }
    }
    if stmts.len() >= MAX_STATEMENTS {
        budget.warnings.push(format!(
            "more than {MAX_STATEMENTS} D1 statements: the rest not planned"
        ));
    }
    // Schema changes the code makes itself (`CREATE TABLE IF NOT EXISTS …` at start-up) join
    // the schema first, whichever file they are in; DROP is not applied.
    for s in stmts.iter().filter(|s| s.ddl) {
        if let Some(schema) = schemas.get(s.call.binding.as_str())
            && !sql::skip_comments(&s.sql)
                .to_ascii_uppercase()
                .starts_with("DROP")
            && let Err(e) = schema.apply(&s.sql)
        {
            push(
                "d1-sql-error",
                s.id.clone(),
                format!("SQLite: {e} (`{}`)", short(&s.sql)),
                None,
            );
        }
    }
    let write_tables: Vec<&str> = stmts
        .iter()
        .filter_map(|s| s.shape.as_ref()?.writes.as_deref())
        .collect();
    let writes_to = |table: &str| -> usize {
        write_tables
            .iter()
            .filter(|w| w.eq_ignore_ascii_case(table))
            .count()
    };

    let mut queries: Vec<QueryPlan> = Vec::new();
    let mut rows = (0.0f64, 0.0f64); // read before, read after
    let mut priced = 0usize;
    let mut planned = 0usize;
    let mut unknown_tables: Vec<String> = Vec::new();
    let mut writes_in: HashMap<(usize, usize), usize> = HashMap::new();
    for s in stmts.iter().filter(|s| !s.ddl) {
        let (fi, call, at, statement, shape) = (s.file, s.call, &s.id, &s.sql, s.shape.as_ref());
        // Hot: reached from the fetch or queue handler, so run per request or message.
        let on_request = fetch_path.contains(&(fi, call.owner));
        let hot = on_request || queue_path.contains(&(fi, call.owner));
        if call.in_loop {
            push(
                "d1-query-in-loop",
                at.clone(),
                format!(
                    "a D1 statement run once per item of a loop (`{}`)",
                    short(statement)
                ),
                None,
            );
        }
        if let Some(sh) = shape
            && sh.writes.is_some()
            && !call.in_batch
            && matches!(call.terminal, Some(js::Terminal::Run))
        {
            let n = writes_in.entry((fi, call.owner)).or_default();
            *n += 1;
            if *n == 2 {
                push(
                    "d1-writes-not-batched",
                    at.clone(),
                    format!(
                        "a second write in {}() outside batch()",
                        files[fi].1.functions[call.owner].name
                    ),
                    None,
                );
            }
        }
        let Some(schema) = schemas.get(call.binding.as_str()) else {
            queries.push(QueryPlan {
                id: at.clone(),
                database: call.binding.clone(),
                sql: statement.clone(),
                plan: Vec::new(),
                index: None,
                calls_per_month: None,
            });
            continue;
        };
        let plan = match schema.plan(statement) {
            Ok(p) => {
                planned += 1;
                p
            }
            Err(e) => {
                push(
                    "d1-sql-error",
                    at.clone(),
                    format!("SQLite: {e} (`{}`)", short(statement)),
                    None,
                );
                continue;
            }
        };
        if let Some(sh) = shape {
            if sh.star
                && hot
                && let Some((t, _)) = sh.tables.first()
                && let n = schema.columns(t).len()
                && n >= 8
            {
                push(
                    "d1-select-star",
                    at.clone(),
                    format!(
                        "SELECT * from `{t}` ({n} columns) on the {} path",
                        if on_request { "request" } else { "queue" }
                    ),
                    None,
                );
            }
            if sh.select
                && on_request
                && !sh.has_limit
                && !sh.aggregate_only
                && matches!(call.terminal, Some(js::Terminal::All | js::Terminal::Raw))
            {
                push(
                    "d1-no-limit",
                    at.clone(),
                    format!(
                        "a list with no LIMIT on the request path (`{}`)",
                        short(statement)
                    ),
                    None,
                );
            }
        }
        let imported = imported.get(&normalise_sql(statement)).copied();
        let calls = given
            .get(at)
            .or_else(|| given.get(&normalise_sql(statement)))
            .copied()
            .or(imported.map(|q| q.calls_per_month))
            .or_else(|| by_route.get(&(fi, call.owner)).copied());
        let problems = schema.problems(&plan, shape);
        // One index per statement: the first candidate (one per problem, in plan order) that
        // removes the problem it was built for; the others it also removes share it.
        let mut index: Option<(String, String, Vec<String>, Vec<sql::Problem>)> = None;
        let mut tried: Vec<Option<String>> = Vec::with_capacity(problems.len());
        for problem in &problems {
            let table = match problem {
                sql::Problem::FullScan { table } | sql::Problem::AutomaticIndex { table, .. } => {
                    Some(table.as_str())
                }
                sql::Problem::TempBtree { table, .. } => table.as_deref(),
            };
            let columns = table.map(|t| schema.columns(t)).unwrap_or_default();
            let candidate = sql::index_columns(problem, shape, &columns);
            tried.push(candidate.as_ref().map(|(_, c)| c.join(", ")));
            if index.is_some() {
                continue;
            }
            let Some((t, cols)) = candidate else { continue };
            let name = schema.index_name(&t, &cols);
            let quoted: Vec<String> = cols.iter().map(|c| sql::ident(c)).collect();
            let create = format!(
                "CREATE INDEX {name} ON {}({})",
                sql::ident(&t),
                quoted.join(", ")
            );
            let Ok(after) = schema.plan_with(&create, statement) else {
                continue;
            };
            let left = schema.problems(&after, shape);
            if !sql::still(problem, &left) {
                index = Some((t, create, after, left));
            }
        }
        let mut proposal = None;
        for (problem, cols) in problems.iter().zip(&tried) {
            let (id, detail) = match problem {
                sql::Problem::FullScan { table } => (
                    "d1-full-scan",
                    format!("`{}` scans `{table}`", short(statement)),
                ),
                sql::Problem::AutomaticIndex { table, .. } => (
                    "d1-automatic-index",
                    format!(
                        "`{}` builds an automatic index on `{table}`",
                        short(statement)
                    ),
                ),
                sql::Problem::TempBtree { what, .. } => (
                    "d1-temp-btree",
                    format!(
                        "`{}` sorts in a temporary B-tree for {what}",
                        short(statement)
                    ),
                ),
            };
            let fix = match &index {
                Some((t, create, after, left)) if !sql::still(problem, left) => {
                    let writes = writes_to(t);
                    format!(
                        "{create}; SQLite then plans: {}. Each write to `{t}` also writes one row to the index ({writes} write statement(s) to it in the code).",
                        after.join("; ")
                    )
                }
                _ if shape.is_none() => "the statement's columns could not be read (sqlparser), so no index was tried: check it with EXPLAIN QUERY PLAN".to_owned(),
                _ if matches!(problem, sql::Problem::FullScan { .. })
                    && shape.is_some_and(|s| !s.filtered) =>
                {
                    "nothing in the statement narrows the read: keep the result (a counter, a cached list) or add a WHERE and LIMIT".to_owned()
                }
                _ => match cols {
                    Some(cols) => format!("an index on ({cols}) did not remove it in SQLite's plan: rewrite the statement (see the pattern)"),
                    None => "no column of the table in its WHERE, JOIN or ORDER BY to index: rewrite the statement (see the pattern)".to_owned(),
                },
            };
            push(id, at.clone(), detail, Some(fix));
        }
        if let Some((t, create, after, _)) = index {
            let scan = problems
                .iter()
                .any(|p| !matches!(p, sql::Problem::TempBtree { .. }));
            // Before: the table's rows, else D1's own count of rows read per call (an import).
            let before_rows = if scan {
                input.table_rows.get(&t).copied().or_else(|| {
                    imported
                        .filter(|q| q.calls_per_month > 0.0)
                        .map(|q| q.rows_read_per_month / q.calls_per_month)
                })
            } else {
                None
            };
            if scan && before_rows.is_none() && !unknown_tables.contains(&t) {
                unknown_tables.push(t.clone());
            }
            // The table's name or alias, as the plan writes it.
            let names: Vec<&str> = std::iter::once(t.as_str())
                .chain(
                    shape
                        .into_iter()
                        .flat_map(|s| &s.tables)
                        .filter(|(n, _)| n.eq_ignore_ascii_case(&t))
                        .filter_map(|(_, a)| a.as_deref()),
                )
                .collect();
            let searched_unique = after.iter().any(|d| {
                names.iter().any(|n| d.starts_with(&format!("SEARCH {n} ")))
                    && schema.unique_search(d)
            });
            let sorted = after.iter().any(|d| d.starts_with("USE TEMP B-TREE"));
            let after_rows = if searched_unique {
                Some(1.0)
            } else if let Some(n) = shape.and_then(|s| s.limit).filter(|_| !sorted) {
                Some(n + shape.and_then(|s| s.offset).unwrap_or(0.0))
            } else {
                imported
                    .filter(|q| q.calls_per_month > 0.0 && q.rows_read_per_row_returned > 0.0)
                    .map(|q| {
                        q.rows_read_per_month / q.calls_per_month / q.rows_read_per_row_returned
                    })
            };
            if let (Some(c), Some(b), Some(a)) = (calls, before_rows, after_rows) {
                rows.0 += b * c;
                rows.1 += a.min(b) * c;
                priced += 1;
            }
            proposal = Some(IndexProposal {
                writes_to_table: writes_to(&t),
                table: t,
                create,
                plan_after: after,
                rows_read_per_call_before: before_rows,
                rows_read_per_call_after: after_rows,
            });
        }
        queries.push(QueryPlan {
            id: at.clone(),
            database: call.binding.clone(),
            sql: statement.clone(),
            plan,
            index: proposal,
            calls_per_month: calls,
        });
    }

    for table in input.table_rows.keys() {
        if !schemas.values().any(|s| !s.columns(table).is_empty()) {
            budget.warnings.push(format!(
                "table_rows.{table}: no table of that name in the migrated schema"
            ));
        }
    }
    for key in input.calls_per_month.keys() {
        let known = queries
            .iter()
            .any(|q| &q.id == key || normalise_sql(&q.sql) == normalise_sql(key))
            || routes_used.contains(key);
        if !known {
            budget.warnings.push(format!(
                "calls_per_month.{key}: no statement id (file:line), SQL text or route (`GET /path`) of the scan matches it"
            ));
        }
    }

    // Index rows written: each write with a call rate writes one more row per distinct new
    // index on its table.
    let mut indexes: BTreeMap<String, HashSet<&str>> = BTreeMap::new();
    for q in &queries {
        if let Some(i) = &q.index {
            indexes
                .entry(i.table.to_ascii_lowercase())
                .or_default()
                .insert(i.create.as_str());
        }
    }
    let mut written_added = 0.0;
    for s in stmts.iter().filter(|s| !s.ddl) {
        let calls = queries
            .iter()
            .find(|q| q.id == s.id)
            .and_then(|q| q.calls_per_month);
        if let (Some(c), Some(w)) = (calls, s.shape.as_ref().and_then(|sh| sh.writes.as_deref()))
            && let Some(n) = indexes.get(&w.to_ascii_lowercase())
        {
            written_added += c * n.len() as f64;
        }
    }
    let rows = (rows.0, rows.1, written_added);
    let index_saving = if priced > 0 {
        let plan = input.plan.unwrap_or_default();
        let profile = |read: f64, written: f64| {
            let mut p = UsageProfile {
                plan,
                ..Default::default()
            };
            p.d1.rows_read = read;
            p.d1.rows_written = written;
            p
        };
        let before = pricer.total(&profile(rows.0, 0.0))?;
        let after = pricer.total(&profile(rows.1, rows.2))?;
        assumptions.push(format!(
            "index_saving prices only the {priced} statement(s) with call rates and table sizes, alone on {} (its allowances count against them only); subscription included.",
            plan.name()
        ));
        Some(IndexSaving {
            rows_read_before: rows.0,
            rows_read_after: rows.1,
            rows_written_added: rows.2,
            usd_before: before,
            usd_after: after,
        })
    } else {
        None
    };
    if !unknown_tables.is_empty() {
        assumptions.push(format!(
            "rows per call unknown for {}: give table_rows for rows read before and after.",
            unknown_tables.join(", ")
        ));
    }
    assumptions.push("SQLite plans without table statistics (D1 runs ANALYZE only when asked): with data, it may choose differently.".to_owned());

    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| place(&a.at).cmp(&place(&b.at)))
    });
    let files_read = FilesRead {
        config: bindings.config.clone(),
        code: files.len(),
        migrations,
        bytes: budget.bytes,
    };
    let summary = summary(
        &findings,
        planned,
        &queries,
        &unresolved,
        &files_read,
        index_saving.as_ref(),
    );
    Ok(ProjectScan {
        summary,
        findings,
        queries,
        unresolved,
        index_saving,
        files: files_read,
        warnings: budget.warnings,
        assumptions,
    })
}

/// `file:line` as a sort key: by file, then by line number.
fn place(at: &str) -> (&str, u32) {
    match at.rsplit_once(':') {
        Some((file, line)) => (file, line.parse().unwrap_or(0)),
        None => (at, 0),
    }
}

/// The first 80 characters of a statement, on one line.
fn short(sql: &str) -> String {
    let one: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}

fn summary(
    findings: &[Finding],
    planned: usize,
    queries: &[QueryPlan],
    unresolved: &[Unresolved],
    files: &FilesRead,
    saving: Option<&IndexSaving>,
) -> String {
    let mut s = format!(
        "Read {} code file(s) and {} migration(s); planned {} D1 statement(s)",
        files.code, files.migrations, planned
    );
    if !unresolved.is_empty() {
        s.push_str(&format!(
            " ({} not planned: built at run time or not tied to a binding)",
            unresolved.len()
        ));
    }
    s.push_str(". ");
    if files.config.is_none() {
        s.push_str("No Wrangler config: bindings unknown, so only fetch() in loops was checked. ");
    }
    if findings.is_empty() {
        s.push_str("No findings.");
        return s;
    }
    let count = |sev: Severity| findings.iter().filter(|f| f.severity == sev).count();
    let parts: Vec<String> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .filter(|sev| count(*sev) > 0)
    .map(|sev| format!("{} {}", count(sev), sev.word()))
    .collect();
    s.push_str(&format!(
        "{} finding(s): {}. ",
        findings.len(),
        parts.join(", ")
    ));
    if let Some(f) = findings.first() {
        s.push_str(&format!("First: {} at {}. ", f.id, f.at));
    }
    let proposals = queries.iter().filter(|q| q.index.is_some()).count();
    if proposals > 0 {
        s.push_str(&format!(
            "{proposals} index proposal(s), each checked in SQLite's plan"
        ));
        if let Some(sv) = saving {
            s.push_str(&format!(
                "; rows read {} → {} a month (${} → ${})",
                count_of(sv.rows_read_before),
                count_of(sv.rows_read_after),
                sv.usd_before.round_dp(2),
                sv.usd_after.round_dp(2)
            ));
        }
        s.push('.');
    }
    s.trim_end().to_owned()
}

#[cfg(test)]
mod tests;
