//! The scan on small in-memory projects: how SQL is found, which calls count as looped,
//! conditional or reached from a handler, and what the index proposals are.

use std::collections::BTreeSet;

use super::*;

struct NoPrice;
impl Pricer for NoPrice {
    fn total(&self, _: &UsageProfile) -> Result<rust_decimal::Decimal, InputError> {
        Ok(rust_decimal::Decimal::ZERO)
    }
}

const SCHEMA: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT);
CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER, d TEXT);
CREATE INDEX t_a ON t(a);";

fn bindings() -> Bindings {
    Bindings {
        config: Some("wrangler.jsonc".into()),
        main: Some("src/index.ts".into()),
        d1: vec![("DB".into(), "migrations".into())],
        kv: vec!["KV".into()],
        r2: vec!["FILES".into()],
        producers: vec![("JOBS".into(), "jobs".into()), ("OUT".into(), "out".into())],
        consumed: vec!["jobs".into()],
        durable_objects: vec![("ROOM".into(), "Room".into())],
        services: vec!["AUTH".into()],
    }
}

fn run_files(files: &[(&str, &str)]) -> ProjectScan {
    let mut tree = MemoryTree::default();
    tree.0.insert("migrations/0001.sql".into(), SCHEMA.into());
    for (p, t) in files {
        tree.0.insert((*p).into(), (*t).into());
    }
    scan(&ScanInput::default(), &bindings(), &tree, &NoPrice).unwrap()
}

fn run(code: &str) -> ProjectScan {
    run_files(&[("src/index.ts", code)])
}

fn ids(r: &ProjectScan) -> Vec<(String, String)> {
    r.findings
        .iter()
        .map(|f| (f.id.clone(), f.at.clone()))
        .collect()
}

#[test]
fn sql_is_read_from_literals_consts_and_concatenation_and_dynamic_sql_is_unresolved() {
    let r = run(r#"
const Q1 = "SELECT a FROM t WHERE c = ?";
const Q2 = `SELECT a FROM t WHERE b = ?`;
const Q3 = "SELECT a " + "FROM t WHERE id = ?";
export default { async fetch(req: Request, env: Env) {
  await env.DB.prepare(Q1).first();
  await env.DB.prepare(Q2).first();
  await env.DB.prepare(Q3).first();
  await env.DB.prepare(`SELECT a FROM t WHERE ${col} = ?`).first();
  await env.DB.prepare("SELECT a FROM t WHERE " + col).first();
  await env.DB.prepare(buildSql()).first();
} };
"#);
    assert_eq!(r.queries.len(), 3, "{:?}", r.queries);
    assert_eq!(r.queries[2].sql, "SELECT a FROM t WHERE id = ?");
    assert_eq!(
        r.queries[2].plan,
        vec!["SEARCH t USING INTEGER PRIMARY KEY (rowid=?)"]
    );
    let reasons: Vec<&str> = r.unresolved.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(r.unresolved.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("${"), "{reasons:?}");
    assert!(reasons[1].contains("`col`"), "{reasons:?}");
    assert!(reasons[2].contains("call"), "{reasons:?}");
    assert_eq!(r.unresolved[0].at, "src/index.ts:9");
    // c and b have no index: two scans, each with a checked proposal.
    let scans: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.id == "d1-full-scan")
        .collect();
    assert_eq!(scans.len(), 2);
    assert!(
        scans[0].fix.starts_with("CREATE INDEX idx_t_c ON t(c);"),
        "{}",
        scans[0].fix
    );
    assert!(
        scans[1].fix.starts_with("CREATE INDEX idx_t_b ON t(b);"),
        "{}",
        scans[1].fix
    );
}

#[test]
fn bindings_are_found_through_aliases_destructuring_this_env_and_router_contexts() {
    let r = run(r#"
import { Hono } from "hono";
const app = new Hono();
app.get("/a", async (c) => c.env.DB.prepare("SELECT a FROM t WHERE c = ?").first());
class Api { env: Env; async fetch() { return this.env.DB.prepare("SELECT a FROM t WHERE c = ?").first(); } }
export default { async fetch(req: Request, env: Env) {
  const db = env.DB;
  const { KV } = env;
  await db.prepare("SELECT a FROM t WHERE c = ?").first();
  await env["DB"].prepare("SELECT a FROM t WHERE c = ?").first();
  await KV.list();
} };
"#);
    let scans: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.id == "d1-full-scan")
        .map(|f| f.at.as_str())
        .collect();
    assert_eq!(
        scans,
        [
            "src/index.ts:4",
            "src/index.ts:5",
            "src/index.ts:9",
            "src/index.ts:10"
        ]
    );
    assert!(ids(&r).contains(&("kv-list-request-path".into(), "src/index.ts:11".into())));
}

#[test]
fn a_statement_in_a_variable_keeps_its_terminal_and_batches_are_not_loops() {
    let r = run(r#"
export default { async fetch(req: Request, env: Env) {
  const stmt = env.DB.prepare("SELECT a FROM t WHERE a = ?");
  const { results } = await stmt.bind(1).all();
  const ins = env.DB.prepare("INSERT INTO u (t_id, d) VALUES (?, ?)");
  await env.DB.batch(results.map((row) => ins.bind(row.a, "x")));
  await env.DB.batch([
    env.DB.prepare("UPDATE t SET b = 1 WHERE id = ?").bind(1),
    env.DB.prepare("DELETE FROM u WHERE id = ?").bind(2),
  ]);
} };
"#);
    assert_eq!(
        ids(&r),
        vec![("d1-no-limit".to_owned(), "src/index.ts:3".to_owned())]
    );
}

#[test]
fn separate_writes_and_writes_in_a_loop_are_flagged() {
    let r = run(r#"
export async function save(env: Env, rows: number[]) {
  await env.DB.prepare("UPDATE t SET b = 1 WHERE id = ?").bind(1).run();
  await env.DB.prepare("DELETE FROM u WHERE id = ?").bind(2).run();
  for (const id of rows) {
    await env.DB.prepare("SELECT a FROM t WHERE id = ?").bind(id).first();
  }
  rows.forEach(async (id) => { await env.DB.prepare("SELECT a FROM t WHERE id = ?").bind(id).first(); });
}
"#);
    assert_eq!(
        ids(&r),
        vec![
            ("d1-query-in-loop".to_owned(), "src/index.ts:6".to_owned()),
            ("d1-query-in-loop".to_owned(), "src/index.ts:8".to_owned()),
            (
                "d1-writes-not-batched".to_owned(),
                "src/index.ts:4".to_owned()
            ),
        ]
    );
}

#[test]
fn loops_bounded_by_a_small_literal_do_not_count() {
    let r = run(r#"
export async function f(env: Env, urls: string[]) {
  for (let i = 0; i < 3; i++) await fetch("https://a");
  for (let i = 0; i < 100; i++) await fetch("https://b");
  while (true) { await env.AUTH.fetch("https://c"); break; }
  await Promise.all(urls.map((u) => env.KV.get(u)));
  for (const u of urls) { await env.ROOM.get(env.ROOM.idFromName(u)).fetch("https://d"); env.ROOM.idFromName(u); }
}
"#);
    let at: Vec<&str> = r.findings.iter().map(|f| f.at.as_str()).collect();
    assert_eq!(
        at,
        [
            "src/index.ts:4",
            "src/index.ts:5",
            "src/index.ts:6",
            "src/index.ts:7"
        ],
        "{:?}",
        ids(&r)
    );
    assert!(r.findings.iter().all(|f| f.id == "subrequest-in-loop"));
}

#[test]
fn alarms_count_only_when_unconditional() {
    let r = run(r#"
import { DurableObject } from "cloudflare:workers";
export class A extends DurableObject {
  async alarm() { await this.ctx.storage.setAlarm(Date.now() + 1000); }
}
export class B extends DurableObject {
  async alarm() { if (await this.more()) await this.ctx.storage.setAlarm(Date.now() + 1000); }
}
export class C extends DurableObject {
  async alarm() { const n = await this.count(); if (n === 0) return; await this.ctx.storage.setAlarm(Date.now() + 1000); }
  async fetch(r: Request) { await this.ctx.storage.setAlarm(Date.now() + 5000); return new Response(); }
}
export class D extends DurableObject {
  async fetch(r: Request) { if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(1); return new Response(); }
}
"#);
    assert_eq!(
        ids(&r),
        vec![
            (
                "alarm-rearm-unconditional".to_owned(),
                "src/index.ts:4".to_owned()
            ),
            (
                "alarm-set-every-request".to_owned(),
                "src/index.ts:11".to_owned()
            ),
        ]
    );
}

#[test]
fn request_path_hazards_need_a_path_from_fetch_across_files() {
    let r = run_files(&[
        (
            "src/index.ts",
            r#"
import { outer } from "./helpers.js";
export default {
  async fetch(req: Request, env: Env) { await outer(env); return new Response(); },
  async scheduled(c: unknown, env: Env) { await env.KV.list(); await env.KV.put("last-run", "1"); },
  async queue(batch: MessageBatch, env: Env) { await env.JOBS.send({}); await env.OUT.send({}); },
};
export async function unused(env: Env) { await env.KV.list(); }
"#,
        ),
        (
            "src/helpers.ts",
            r#"
export async function outer(env: Env) { await inner(env); await env.JOBS.send({}); }
async function inner(env: Env) { await env.KV.list(); await env.KV.put(`key:${env.x}`, "1"); await env.KV.put("hot", "1"); }
"#,
        ),
    ]);
    assert_eq!(r.files.code, 2);
    assert_eq!(
        ids(&r),
        vec![
            ("queue-self-enqueue".to_owned(), "src/index.ts:6".to_owned()),
            (
                "kv-list-request-path".to_owned(),
                "src/helpers.ts:3".to_owned()
            ),
            ("kv-hot-key-put".to_owned(), "src/helpers.ts:3".to_owned()),
        ]
    );
    let hot = r
        .findings
        .iter()
        .find(|f| f.id == "kv-hot-key-put")
        .unwrap();
    assert!(hot.message.contains("\"hot\""), "{}", hot.message);
}

#[test]
fn r2_bodies_and_websockets() {
    let r = run(r#"
import { DurableObject } from "cloudflare:workers";
export async function get(env: Env, key: string) {
  const obj = await env.FILES.get(key);
  const streamed = new Response(obj.body);
  const text = await (await env.FILES.get(key)).text();
  const res = await fetch("https://x"); await res.json();
  return obj.arrayBuffer();
}
export class Room extends DurableObject {
  async fetch() { const [client, server] = Object.values(new WebSocketPair()); server.accept(); return new Response(null, { webSocket: client }); }
}
export class Refuse extends DurableObject {
  async fetch() { const pair = new WebSocketPair(); const [client, server] = Object.values(pair); server.accept(); server.close(1011, "full"); return new Response(null, { webSocket: client }); }
  async proxy() { const res = await fetch("https://up", { headers: { Upgrade: "websocket" } }); res.webSocket.accept(); }
}
"#);
    assert_eq!(
        ids(&r),
        vec![
            (
                "do-websocket-no-hibernation".to_owned(),
                "src/index.ts:11".to_owned()
            ),
            ("r2-read-whole".to_owned(), "src/index.ts:6".to_owned()),
            ("r2-read-whole".to_owned(), "src/index.ts:8".to_owned()),
        ]
    );
}

#[test]
fn a_file_that_hibernates_elsewhere_is_not_flagged() {
    let r = run(r#"
import { DurableObject } from "cloudflare:workers";
export class Room extends DurableObject {
  async fetch() { const [client, server] = Object.values(new WebSocketPair()); this.hibernate(server); return new Response(null, { webSocket: client }); }
}
function hibernate(ctx: DurableObjectState, ws: WebSocket) { ctx.acceptWebSocket(ws); }
"#);
    assert!(r.findings.is_empty(), "{:?}", ids(&r));
}

#[test]
fn plans_sorts_joins_counts_and_bounded_reads() {
    let r = run(r#"
export default { async fetch(req: Request, env: Env) {
  await env.DB.prepare("SELECT id FROM t WHERE a = ? ORDER BY b DESC LIMIT 20").all();
  await env.DB.prepare("SELECT count(*) AS n FROM t").first();
  await env.DB.prepare("SELECT id FROM t LIMIT 10").all();
  await env.DB.prepare("SELECT t.a, u.d FROM t JOIN u ON u.t_id = t.id WHERE t.a = ?").all();
  await env.DB.exec("CREATE TABLE IF NOT EXISTS v (x); SELECT x FROM v WHERE x = 1");
  await env.DB.prepare("SELECT missing FROM t").first();
} };
"#);
    let find = |id: &str| {
        r.findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{id}: {:?}", ids(&r)))
    };
    let sort = find("d1-temp-btree");
    assert_eq!(sort.at, "src/index.ts:3");
    assert!(
        sort.fix.starts_with("CREATE INDEX idx_t_a_b ON t(a, b);"),
        "{}",
        sort.fix
    );
    let count = r
        .findings
        .iter()
        .find(|f| f.at == "src/index.ts:4")
        .unwrap();
    assert_eq!(count.id, "d1-full-scan");
    assert!(
        count.fix.contains("nothing in the statement narrows"),
        "{}",
        count.fix
    );
    assert!(
        !r.findings.iter().any(|f| f.at == "src/index.ts:5"),
        "LIMIT without filter reads 10 rows"
    );
    let join = r
        .findings
        .iter()
        .find(|f| f.at == "src/index.ts:6")
        .unwrap();
    assert!(join.fix.contains("ON u(t_id)"), "{}", join.fix);
    // exec: the statements run in order; the second is planned.
    assert!(
        r.queries
            .iter()
            .any(|q| q.sql == "SELECT x FROM v WHERE x = 1"),
        "{:?}",
        r.queries
    );
    let error = find("d1-sql-error");
    assert!(
        error.message.contains("no such column: missing"),
        "{}",
        error.message
    );
    assert!(!error.message.contains("EXPLAIN"), "{}", error.message);
}

#[test]
fn imports_outside_the_project_and_bounds_are_said() {
    let r = run_files(&[(
        "src/index.ts",
        "import '../../outside';\nimport './missing';\nexport default {};\n",
    )]);
    assert!(
        r.warnings.iter().any(|w| w.contains("outside the project")),
        "{:?}",
        r.warnings
    );
    let mut tree = MemoryTree::default();
    tree.0
        .insert("src/index.ts".into(), "x".repeat(MAX_FILE_BYTES + 1));
    let r = scan(&ScanInput::default(), &bindings(), &tree, &NoPrice).unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("src/index.ts") && w.contains("bytes")),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("no migrations")),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.files.code, 0);
}

#[test]
fn call_rates_by_route_reach_the_statements_of_the_handler() {
    let code = r#"
import { Hono } from "hono";
const app = new Hono();
app.get("/users/:email", async (c) => c.json(await byEmail(c.env, c.req.param("email"))));
async function byEmail(env: Env, email: string) { return env.DB.prepare("SELECT id FROM t WHERE c = ?").bind(email).first(); }
export default {
  fetch: app.fetch,
  async scheduled(e: unknown, env: Env) { await env.DB.prepare("SELECT id FROM t WHERE b = ?").first(); },
};
"#;
    let mut tree = MemoryTree::default();
    tree.0.insert("migrations/0001.sql".into(), SCHEMA.into());
    tree.0.insert("src/index.ts".into(), code.into());
    let mut input = ScanInput::default();
    input
        .calls_per_month
        .insert("GET /users/:email".into(), 3e6);
    input.calls_per_month.insert("POST /nowhere".into(), 1.0);
    input.table_rows.insert("t".into(), 1e5);
    let r = scan(&input, &bindings(), &tree, &NoPrice).unwrap();
    let q = |line: u32| {
        r.queries
            .iter()
            .find(|q| q.id == format!("src/index.ts:{line}"))
            .unwrap()
    };
    assert_eq!(q(5).calls_per_month, Some(3e6));
    assert_eq!(q(8).calls_per_month, None);
    assert!(
        r.assumptions
            .iter()
            .any(|a| a.contains("GET /users/:email")),
        "{:?}",
        r.assumptions
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("calls_per_month.POST /nowhere")),
        "{:?}",
        r.warnings
    );
    // A list without LIMIT off the request path is not a list endpoint.
    assert!(!r.findings.iter().any(|f| f.id == "d1-no-limit"));
}

#[test]
fn bindings_reach_classes_and_helpers_through_types_this_and_consts() {
    let r = run(r#"
const DB_BINDING = "DB";
class Users {
  constructor(private db: D1Database) {}
  byC(c: string) { return this.db.prepare("SELECT a FROM t WHERE c = ?").bind(c).first(); }
}
class Orders {
  db: D1Database;
  constructor(env: Env) { this.db = env.DB; }
  byB(b: number) { return this.db.prepare("SELECT a FROM t WHERE b = ?").bind(b).first(); }
}
async function list(db: D1Database) { return db.prepare("SELECT a FROM t WHERE c = ?").first(); }
async function viaConst(env: Env) { return env[DB_BINDING].prepare("SELECT a FROM t WHERE b = ?").first(); }
async function unknown(conn: any) { return conn.prepare("SELECT a FROM t WHERE c = ?").first(); }
export default { async fetch(req: Request, env: Env) { const users = new Users(env.DB); await users.byC("x"); return new Response(); } };
"#);
    let scans: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.id == "d1-full-scan")
        .map(|f| f.at.as_str())
        .collect();
    assert_eq!(
        scans,
        [
            "src/index.ts:5",
            "src/index.ts:10",
            "src/index.ts:12",
            "src/index.ts:13"
        ],
        "{:?}",
        ids(&r)
    );
    assert_eq!(r.unresolved.len(), 1, "{:?}", r.unresolved);
    assert_eq!(r.unresolved[0].at, "src/index.ts:14");
    assert!(
        r.unresolved[0].reason.contains("`conn`"),
        "{}",
        r.unresolved[0].reason
    );
}

#[test]
fn aliases_end_with_their_function_and_a_redeclared_name() {
    let r = run(r#"
async function a(env: Env) { const store = env.FILES; return store.get("k"); }
async function b(keys: string[]) { const store = new Map<string, string>(); for (const k of keys) store.get(k); }
async function c(env: Env, keys: string[]) { let kv = env.KV; for (const k of keys) await kv.get(k); }
"#);
    assert_eq!(
        ids(&r),
        vec![("subrequest-in-loop".to_owned(), "src/index.ts:4".to_owned())]
    );
}

#[test]
fn method_calls_on_the_projects_objects_join_the_call_graph() {
    let r = run_files(&[
        (
            "src/index.ts",
            "import * as sessions from './sessions';\nexport default { async fetch(r: Request, env: Env) { await sessions.all(env); return new Response(); } };\n",
        ),
        (
            "src/sessions.ts",
            "export async function all(env: Env) { return env.KV.list(); }\n",
        ),
    ]);
    assert_eq!(
        ids(&r),
        vec![(
            "kv-list-request-path".to_owned(),
            "src/sessions.ts:1".to_owned()
        )]
    );
}

#[test]
fn a_python_worker_is_said_not_read() {
    let mut tree = MemoryTree::default();
    tree.0.insert(
        "src/entry.py".into(),
        "from workers import WorkerEntrypoint\n".into(),
    );
    let b = Bindings {
        main: Some("src/entry.py".into()),
        ..Default::default()
    };
    let r = scan(&ScanInput::default(), &b, &tree, &NoPrice).unwrap();
    assert_eq!(r.files.code, 0);
    assert!(
        r.warnings.iter().any(|w| w.contains("Python")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn consts_are_scoped_to_their_function_and_chains_of_consts_resolve() {
    let r = run(r#"
const BASE = "SELECT a FROM t";
const BY_C = BASE + " WHERE c = ?";
function one(env: Env) { const sql = "SELECT a FROM t WHERE id = ?"; return env.DB.prepare(sql).first(); }
function two(env: Env) { const sql = "SELECT a FROM t WHERE b = ?"; return env.DB.prepare(sql).first(); }
function three(env: Env) { return env.DB.prepare(BY_C).first(); }
"#);
    let sql: Vec<&str> = r.queries.iter().map(|q| q.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            "SELECT a FROM t WHERE id = ?",
            "SELECT a FROM t WHERE b = ?",
            "SELECT a FROM t WHERE c = ?"
        ]
    );
    assert!(
        !r.findings.iter().any(|f| f.at == "src/index.ts:4"),
        "{:?}",
        ids(&r)
    );
}

#[test]
fn optional_chains_keep_the_statement_and_its_terminal() {
    let r = run(r#"
export default { async fetch(req: Request, env: Env) {
  const s = env.DB?.prepare("SELECT a FROM t WHERE a = ?");
  for (const x of [1, 2]) await s.bind(x).all();
  return new Response();
} };
"#);
    let at: BTreeSet<(String, String)> = ids(&r).into_iter().collect();
    assert!(
        at.contains(&("d1-query-in-loop".to_owned(), "src/index.ts:3".to_owned())),
        "{at:?}"
    );
    assert!(
        at.contains(&("d1-no-limit".to_owned(), "src/index.ts:3".to_owned())),
        "{at:?}"
    );
}

#[test]
fn exec_splits_where_sqlite_does_and_code_ddl_is_applied_first() {
    let r = run_files(&[
        (
            "src/index.ts",
            r#"import { init } from "./init";
export default { async fetch(req: Request, env: Env) { await init(env); return env.DB.prepare("SELECT k FROM sessions WHERE k = ?").first(); } };
"#,
        ),
        (
            "src/init.ts",
            r#"export async function init(env: Env) {
  await env.DB.exec(`-- the code's own tables
CREATE TABLE IF NOT EXISTS sessions (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS log (m TEXT);
CREATE TRIGGER IF NOT EXISTS trim AFTER INSERT ON log BEGIN DELETE FROM log WHERE rowid < new.rowid - 100; END;
INSERT INTO log (m) VALUES ('a;b');`);
}
"#,
        ),
    ]);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let ids: Vec<&str> = r.queries.iter().map(|q| q.id.as_str()).collect();
    // The comment rides with the first CREATE; the trigger is one statement; the INSERT is the
    // fourth (its `;` is inside a string).
    assert_eq!(
        ids,
        ["src/index.ts:2", "src/init.ts:2#4"],
        "{:?}",
        r.queries
    );
    assert_eq!(r.queries[1].sql, "INSERT INTO log (m) VALUES ('a;b')");
    assert_eq!(
        r.queries[0].plan,
        vec!["SEARCH sessions USING COVERING INDEX sqlite_autoindex_sessions_1 (k=?)"]
    );
}

#[test]
fn virtual_tables_are_not_scans_and_proposals_survive_names_and_keywords() {
    let mut tree = MemoryTree::default();
    tree.0.insert(
        "migrations/0001.sql".into(),
        "CREATE TABLE \"order\" (id INTEGER PRIMARY KEY, status TEXT, created INTEGER, tags TEXT);
         CREATE INDEX idx_order_status_created ON \"order\"(created);"
            .into(),
    );
    tree.0.insert(
        "src/index.ts".into(),
        r#"export default { async fetch(r: Request, env: Env) {
  await env.DB.prepare('SELECT o.id FROM "order" o, json_each(o.tags) j WHERE o.id = ? AND j.value = ?').all();
  await env.DB.prepare('SELECT id FROM "order" WHERE status = ? ORDER BY created LIMIT 10 OFFSET 40').all();
} };
"#
        .into(),
    );
    let r = scan(&ScanInput::default(), &bindings(), &tree, &NoPrice).unwrap();
    assert!(
        !r.findings
            .iter()
            .any(|f| f.at == "src/index.ts:2" && f.id == "d1-full-scan"),
        "{:?}",
        ids(&r)
    );
    let q = r.queries.iter().find(|q| q.id == "src/index.ts:3").unwrap();
    let index = q.index.as_ref().expect("a proposal");
    assert_eq!(
        index.create,
        "CREATE INDEX idx_order_status_created_2 ON \"order\"(status, created)"
    );
    assert_eq!(index.table, "order");
    // LIMIT 10 OFFSET 40 reads 50 rows once the index serves the order.
    assert_eq!(index.rows_read_per_call_after, Some(50.0));
    assert!(
        r.findings.iter().any(|f| f.at == "src/index.ts:3"
            && f.fix.starts_with("CREATE INDEX idx_order_status_created_2")),
        "{:?}",
        r.findings
    );
    // A scan and a sort that one index removes both name it.
    let r = run(
        r#"export default { async fetch(r: Request, env: Env) { return env.DB.prepare("SELECT id FROM t WHERE c = ? ORDER BY b LIMIT 20").all(); } };"#,
    );
    let fixes: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.fix.as_str()))
        .collect();
    assert_eq!(fixes.len(), 2, "{fixes:?}");
    assert!(
        fixes
            .iter()
            .all(|(_, f)| f.starts_with("CREATE INDEX idx_t_c_b ON t(c, b)")),
        "{fixes:?}"
    );
}

#[test]
fn generated_code_neither_overflows_the_stack_nor_explodes() {
    let long = format!("const Q = {};\n", vec!["\"a\""; 50_000].join(" + "));
    let r = run(&long);
    assert!(r.findings.is_empty());
    let mut doubling = String::from("const A0 = \"SELECT 1 \";\n");
    for i in 1..40 {
        doubling.push_str(&format!("const A{i} = A{} + A{};\n", i - 1, i - 1));
    }
    doubling.push_str(
        "export default { fetch(r: Request, env: Env) { return env.DB.prepare(A39).first(); } };\n",
    );
    let r = run(&doubling);
    assert_eq!(r.unresolved.len(), 1);
    assert!(
        r.unresolved[0].reason.contains("bytes"),
        "{}",
        r.unresolved[0].reason
    );
}

#[test]
fn a_browser_app_beside_the_worker_is_not_read() {
    let mut tree = MemoryTree::default();
    tree.0.insert(
        "worker/index.ts".into(),
        "export default { fetch() { return new Response(); } };\n".into(),
    );
    tree.0
        .insert("worker/extra.ts".into(), "export const x = 1;\n".into());
    tree.0.insert(
        "src/App.tsx".into(),
        "export function App(urls: string[]) { for (const u of urls) fetch(u); }\n".into(),
    );
    let b = Bindings {
        main: Some("worker/index.ts".into()),
        ..bindings()
    };
    let r = scan(&ScanInput::default(), &b, &tree, &NoPrice).unwrap();
    assert_eq!(r.files.code, 2, "{:?}", r.warnings);
    assert!(r.findings.is_empty(), "{:?}", ids(&r));
}

#[test]
fn method_names_join_the_graph_only_on_project_objects() {
    let r = run(r#"
class Admin { async get(env: Env) { return env.KV.list(); } }
class Users { async find(env: Env) { return env.KV.list({ prefix: "u:" }); } }
const memo = new Map<string, string>();
export default {
  async fetch(req: Request, env: Env) { memo.get("x"); const users = new Users(); await users.find(env); return new Response(); },
  async scheduled(e: unknown, env: Env) { await new Admin().get(env); },
};
"#);
    assert_eq!(
        ids(&r),
        vec![(
            "kv-list-request-path".to_owned(),
            "src/index.ts:3".to_owned()
        )]
    );
}

#[test]
fn durable_object_sql_is_not_d1_and_websocket_evidence_is_per_class() {
    let r = run(r#"
import { DurableObject } from "cloudflare:workers";
export class Store extends DurableObject {
  sql = this.ctx.storage.sql;
  read() { this.sql.exec("SELECT * FROM kv WHERE k = ?", 1); return this.ctx.storage.sql.exec("SELECT 1"); }
}
export class Chat extends DurableObject {
  async fetch() { const [c, s] = Object.values(new WebSocketPair()); s.accept(); if (Math.random() > 2) s.close(); return new Response(null, { webSocket: c }); }
}
export class Calm extends DurableObject {
  async fetch() { const [c, s] = Object.values(new WebSocketPair()); this.ctx.acceptWebSocket(s); return new Response(null, { webSocket: c }); }
}
"#);
    assert!(r.unresolved.is_empty(), "{:?}", r.unresolved);
    assert_eq!(
        ids(&r),
        vec![(
            "do-websocket-no-hibernation".to_owned(),
            "src/index.ts:8".to_owned()
        )]
    );
}
