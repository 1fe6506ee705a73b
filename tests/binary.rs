//! The built `cf-scale` binary: raw JSON-RPC over its stdio (as Claude Code speaks it), an rmcp
//! client spawning it, and the CLI commands.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_cf-scale");

/// A `cf-scale serve` process with line-oriented access to its stdio.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(BIN)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn cf-scale serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.expect("stdout is UTF-8")).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self {
            child,
            stdin,
            lines,
        }
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next line of stdout, which must be a JSON-RPC 2.0 message.
    fn recv(&self) -> Value {
        // A guard against a hung server, not a timing assertion.
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a reply on stdout");
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["jsonrpc"], "2.0", "{line}");
        v
    }

    /// Closes stdin and returns the exit status and any stdout lines written after that.
    fn close(mut self) -> (std::process::ExitStatus, Vec<String>) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        (status, self.lines.iter().collect())
    }
}

fn initialize(id: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"}}})
}

/// What Claude Code 2.1.332 sends first, captured from a real session.
fn claude_discover() -> Value {
    json!({"jsonrpc": "2.0", "id": "server-discover-probe-1", "method": "server/discover",
        "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "claude-code", "version": "2.1.332"},
            "io.modelcontextprotocol/clientCapabilities": {"roots": {"listChanged": true}}}}})
}

#[test]
fn discover_with_string_id_then_initialize() {
    let mut s = Server::start();
    s.send(&claude_discover());
    let discover = s.recv();
    assert_eq!(discover["id"], "server-discover-probe-1");
    assert!(
        discover.get("result").is_some() || discover["error"]["code"] == -32601,
        "{discover}"
    );

    s.send(&initialize(json!("init-1")));
    let init = s.recv();
    assert_eq!(init["id"], "init-1");
    assert_eq!(init["result"]["serverInfo"]["name"], "cf-scale");
    assert_eq!(
        init["result"]["serverInfo"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    s.send(&json!({"jsonrpc": "2.0", "id": 7, "method": "no/such_method", "params": {}}));
    let unknown = s.recv();
    assert_eq!(unknown["id"], 7);
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    s.send(
        &json!({"jsonrpc": "2.0", "id": 8, "method": "resources/read",
        "params": {"uri": "skill://scale/SKILL.md"}}),
    );
    let read = s.recv();
    assert_eq!(read["id"], 8);
    let text = read["result"]["contents"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("---\n"),
        "SKILL.md starts with frontmatter"
    );

    let (status, rest) = s.close();
    assert!(status.success(), "exit status {status} when stdin closes");
    assert!(rest.is_empty(), "nothing after the last reply: {rest:?}");
}

#[test]
fn discover_lifecycle_as_claude_code_uses_it() {
    let mut s = Server::start();
    s.send(&claude_discover());
    let discover = s.recv();
    assert!(
        discover["result"]["supportedVersions"].is_array(),
        "{discover}"
    );
    let meta = discover_meta();
    s.send(
        &json!({"jsonrpc": "2.0", "id": 0, "method": "resources/list", "params": {"_meta": meta}}),
    );
    let list = s.recv();
    assert_eq!(
        list["result"]["resources"][0]["uri"], "skill://scale/SKILL.md",
        "{list}"
    );
    let (status, _) = s.close();
    assert!(status.success());
}

fn discover_meta() -> Value {
    claude_discover()["params"]["_meta"].clone()
}

#[test]
fn number_and_string_ids_are_echoed() {
    let mut s = Server::start();
    s.send(&initialize(json!(1)));
    assert_eq!(s.recv()["id"], 1);
    s.send(&json!({"jsonrpc": "2.0", "id": "abc", "method": "ping"}));
    assert_eq!(s.recv()["id"], "abc");
    s.send(
        &json!({"jsonrpc": "2.0", "id": 99, "method": "resources/read",
        "params": {"uri": "scale://patterns/nope"}}),
    );
    let err = s.recv();
    assert_eq!(err["id"], 99);
    assert_eq!(err["error"]["code"], -32002);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("scale://patterns/nope")
    );
    assert!(s.close().0.success());
}

#[test]
fn closing_stdin_before_initialize_exits_zero_silently() {
    let (status, out) = Server::start().close();
    assert!(status.success(), "exit status {status}");
    assert!(out.is_empty(), "{out:?}");
}

#[tokio::test]
async fn rmcp_client_spawns_the_binary() {
    use rmcp::{ServiceExt, transport::TokioChildProcess};
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("serve");
    let transport = TokioChildProcess::new(cmd).unwrap();
    let client = ().serve(transport).await.unwrap();
    let resources = client.list_all_resources().await.unwrap();
    assert!(resources.len() >= 10, "{}", resources.len());
    assert_eq!(client.list_all_prompts().await.unwrap().len(), 3);
    client.cancel().await.unwrap();
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("run cf-scale")
}

#[test]
fn cli_version() {
    let out = cli(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("cf-scale {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn cli_resources_lists_skill_first_and_json_parses() {
    let out = cli(&["resources"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("skill://scale/SKILL.md"),
        "{text}"
    );
    assert!(text.contains("scale://data/limits"));
    assert!(text.contains("scale://patterns/{id}"));

    let out = cli(&["resources", "--format", "json"]);
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        list.iter()
            .all(|e| e["uri"].is_string() && e["size"].is_u64())
    );
}

#[test]
fn cli_read_prints_the_resource_or_fails_naming_it() {
    let out = cli(&["read", "skill://scale/SKILL.md"]);
    assert!(out.status.success());
    let on_disk = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/skills/scale/SKILL.md"
    ))
    .unwrap();
    assert_eq!(out.stdout, on_disk);

    let out = cli(&["read", "scale://patterns/no-such-thing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("scale://patterns/no-such-thing"), "{err}");

    let out = cli(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2), "bad usage exits 2");
}

fn cli_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn cli_cost_prices_the_example_profile() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/saas.toml");
    let out = cli(&["cost", example]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Monthly cost on Workers Paid: $"),
        "{text}"
    );
    assert!(
        text.contains("TOTAL") && text.contains("workers.requests"),
        "{text}"
    );

    let out = cli(&["cost", example, "--format", "json", "--curve", "1,10"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let total = report["total_usd"].as_f64().unwrap();
    assert_eq!(report["curve"][0]["total_usd"].as_f64(), Some(total));
    assert!(report["curve"][1]["total_usd"].as_f64().unwrap() > total);
}

#[test]
fn cli_cost_reads_stdin_compares_and_formats_markdown() {
    let out = cli_stdin(
        &["cost", "-", "--format", "markdown"],
        r#"{"workers": {"requests": 15000000, "cpu_ms_per_request": 7}}"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("$8.00/month on Workers Paid"), "{text}");
    assert!(text.contains("\n**$8.00/month** on Workers Paid"), "{text}");

    let dir = std::env::temp_dir().join(format!("cf-scale-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let other = dir.join("cached.json");
    std::fs::write(
        &other,
        r#"{"workers": {"requests": 15000000, "cpu_ms_per_request": 1}}"#,
    )
    .unwrap();
    let out = cli_stdin(
        &[
            "cost",
            "-",
            "--format",
            "json",
            "--compare",
            other.to_str().unwrap(),
        ],
        r#"{"workers": {"requests": 15000000, "cpu_ms_per_request": 7}}"#,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["delta"]["difference_usd"], -1.5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_cost_bad_input_names_the_file_and_field() {
    let out = cli_stdin(&["cost", "-"], r#"{"kv": {"reads": -1}}"#);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("stdin") && err.contains("kv.reads") && err.contains("0 to 1e15"),
        "{err}"
    );

    let out = cli_stdin(&["cost", "-"], "[queues]\nmesages = 3\n");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `messages`"), "{err}");

    let out = cli(&["cost", "/no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("/no/such/file.toml")
    );
}

#[test]
fn cli_cost_draws_the_curve_as_svg() {
    let dir = std::env::temp_dir().join(format!("cf-scale-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("curve.svg");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/saas.toml");
    let out = cli(&[
        "cost",
        example,
        "--curve",
        "0.1,1,10",
        "--chart",
        svg.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.contains("<polyline"),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(text.contains("Monthly cost on Workers Paid"));

    let out = cli(&["cost", example, "--chart", svg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a chart needs a curve");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_cost_uses_a_replacement_price_table() {
    let dir = std::env::temp_dir().join(format!("cf-scale-price-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/skills/scale/data/pricing.toml"
    ))
    .unwrap();
    let table = dir.join("contract.toml");
    std::fs::write(&table, builtin.replace("usd = \"0.30\"", "usd = \"0.25\"")).unwrap();
    let out = cli_stdin(
        &[
            "cost",
            "-",
            "--format",
            "json",
            "--pricing",
            table.to_str().unwrap(),
        ],
        r#"{"workers": {"requests": 110000000, "cpu_ms_per_request": 1}}"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["total_usd"], 31.6,
        "5 + 100 M × $0.25/M + 80 M CPU ms × $0.02/M"
    );
    assert_eq!(report["price_table"]["source"], table.display().to_string());

    std::fs::write(&table, "[[price]]\nid = \"x\"\n").unwrap();
    let out = cli_stdin(&["cost", "-", "--pricing", table.to_str().unwrap()], "{}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("contract.toml")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_shard_from_flags_and_from_a_file() {
    let out = cli(&[
        "shard",
        "kv_key",
        "--key",
        "views:home",
        "--peak-writes-per-second",
        "20",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["plan"]["shard_count"], 40);

    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/shard/d1_time_tables.json"
    );
    let out = cli(&["shard", "--input", fixture]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("**shard_plan `d1_time`**") && text.contains("```sql"),
        "{text}"
    );

    let out = cli(&[
        "shard",
        "d1_tenant",
        "--tenants",
        "6",
        "--avg-tenant-gb",
        "2.9",
        "--largest-tenant-gb",
        "5",
        "--tenant-sizes-gb",
        "2,5,3,1,3.9,2.5",
        "--format",
        "json",
    ]);
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["plan"]["shared_databases"], 2);
}

#[test]
fn cli_shard_bad_input_names_the_field() {
    let out = cli(&["shard", "durable_object", "--peak-requests-per-second", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("peak_requests_per_second") && err.contains("above 0"),
        "{err}"
    );
    let out = cli(&["shard", "queue", "--mesages-per-second", "3"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `messages_per_second`"), "{err}");
    let out = cli(&["shard"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn cli_review_without_arguments_reviews_the_example_project() {
    let out = cli(&["review"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("cf-scale review of examples/project.toml"),
        "{text}"
    );
    assert!(
        text.contains("[critical]")
            && text.contains("| limit |")
            && text.contains("## Monthly cost"),
        "{text}"
    );

    let out = cli(&["review", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["review"]["recommendations"].as_array().unwrap().len() >= 5);
    assert_eq!(v["review"]["monthly_cost_usd"], v["cost"]["total_usd"]);
}

#[test]
fn cli_recommend_and_review_take_a_context_file() {
    let out = cli_stdin(
        &["recommend", "-", "--format", "json"],
        r#"{"observations": {"worker_memory_mb": 120}}"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recommendations"][0]["id"], "worker-streaming");
    assert_eq!(v["recommendations"][0]["severity"], "high");

    let usage = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/saas.toml");
    let out = cli_stdin(
        &[
            "review",
            "--context",
            "-",
            "--usage",
            usage,
            "--month",
            "2026-11",
        ],
        r#"{"requests_per_day": 3000000}"#,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Stage: 1M requests/day") && text.contains("$129.59"),
        "{text}"
    );

    let out = cli_stdin(&["recommend", "-"], r#"{"observations": {"tenants": -1}}"#);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("observations.tenants")
    );
}

fn wrangler(name: &str) -> String {
    format!(
        "{}/tests/fixtures/wrangler/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn cli_check_exit_codes() {
    // full.jsonc has critical findings: exit 1 at the default --fail-on high.
    let out = cli(&["check", &wrangler("full.jsonc")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("queue-batch-size-over-max")
    );
    // minimal.json has nothing at or above high: exit 0; at --fail-on low it has one finding.
    let out = cli(&["check", &wrangler("minimal.json")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = cli(&["check", &wrangler("basic.toml"), "--fail-on", "medium"]);
    assert_eq!(out.status.code(), Some(1));
    // Invalid or missing config: exit 2 with the position.
    let out = cli(&["check", &wrangler("bad/syntax.toml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("line 2, column 13")
    );
    let out = Command::new(BIN)
        .arg("check")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // JSON output for tools.
    let out = cli(&[
        "check",
        &wrangler("envs.toml"),
        "--env",
        "production",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "app-production");
}

#[test]
fn cli_usage_template_lists_bound_products() {
    let out = cli(&["usage-template", &wrangler("basic.toml")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("[kv]")
            && text.contains("[d1]")
            && text.contains("[r2]")
            && !text.contains("[queues]"),
        "{text}"
    );
    assert!(text.contains("reads = 0  # to fill in"));
    // The template is itself a valid (all-zero) usage profile.
    let out = cli_stdin(
        &["cost", "-", "--format", "json"],
        &text.replace("  # to fill in", "  #"),
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(report["total_usd"], 5.0);
}

#[test]
fn cli_cost_prices_the_month_asked_and_pricing_diff_lists_rows() {
    let profile = r#"{"workers_logs": {"events": 60000000}}"#;
    let out = cli_stdin(
        &["cost", "-", "--format", "json", "--month", "2026-11"],
        profile,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let nov: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(nov["month"], "2026-11");
    assert_eq!(nov["total_usd"], 29.0);
    let out = cli_stdin(
        &["cost", "-", "--format", "json", "--month", "2026-12"],
        profile,
    );
    let dec: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dec["total_usd"], 70.68);
    assert_eq!(dec["products"][0]["product"], "observability");
    // Without --month the front end prices the current month (the engine reads no clock).
    let out = cli_stdin(&["cost", "-", "--format", "json"], profile);
    let now: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(now["month"].as_str().map(str::len), Some(7), "{now}");

    let dir = std::env::temp_dir().join(format!("cf-scale-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/skills/scale/data/pricing.toml"
    ))
    .unwrap();
    let contract = builtin.replacen("usd = \"5.00\"\nper = 1\n", "usd = \"7.00\"\nper = 1\n", 1);
    let path = dir.join("contract.toml");
    std::fs::write(&path, contract).unwrap();
    let out = cli(&["pricing", "diff", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("0 row(s) added, 0 removed, 1 changed"),
        "{text}"
    );
    assert!(
        text.contains("~ platform.subscription") && text.contains("usd: 5 → 7"),
        "{text}"
    );
    let out = cli(&[
        "pricing",
        "diff",
        "--format",
        "json",
        path.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["changed"], serde_json::json!([]), "{d}");
    std::fs::write(&path, "[[price]]\nid = 1\n").unwrap();
    let out = cli(&["pricing", "diff", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("contract.toml"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_usage_import_writes_what_cost_and_review_read() {
    let root = env!("CARGO_MANIFEST_DIR");
    let files: Vec<String> = [
        "workers",
        "kv",
        "d1",
        "d1-queries",
        "r2",
        "durable-objects",
        "queues",
        "billable",
    ]
    .iter()
    .map(|n| format!("{root}/examples/usage/{n}.json"))
    .collect();
    let dir = std::env::temp_dir().join(format!("cf-scale-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (format, name) in [("toml", "usage.toml"), ("json", "usage.json")] {
        let mut args = vec!["usage", "import"];
        args.extend(files.iter().map(String::as_str));
        args.extend([
            "--start",
            "2026-11-24",
            "--end",
            "2026-11-30",
            "--format",
            format,
        ]);
        let out = cli(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.starts_with("7 days (2026-11-24 to 2026-11-30"),
            "{stderr}"
        );
        let path = dir.join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        let path = path.to_str().unwrap();
        // cost prices the imported profile and says what is missing.
        let cost = cli(&["cost", path, "--format", "json"]);
        assert!(
            cost.status.success(),
            "{}",
            String::from_utf8_lossy(&cost.stderr)
        );
        let report: Value = serde_json::from_slice(&cost.stdout).unwrap();
        assert_eq!(report["month"], "2026-11");
        assert!(
            report["summary"]
                .as_str()
                .unwrap()
                .contains("missing, not in the total: workers_logs"),
            "{report}"
        );
        // review takes it as usage: the bill, and the D1 size it observed.
        let review = cli(&["review", "--usage", path, "--format", "json"]);
        assert!(
            review.status.success(),
            "{}",
            String::from_utf8_lossy(&review.stderr)
        );
        let review: Value = serde_json::from_slice(&review.stdout).unwrap();
        assert_eq!(review["cost"]["total_usd"], report["total_usd"]);
    }
    // A file nested past JSON's recursion limit, and a directory of the wrong kind, fail by name.
    let deep = dir.join("deep.json");
    std::fs::write(&deep, "[".repeat(10_000) + &"]".repeat(10_000)).unwrap();
    let out = cli(&["usage", "import", deep.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("deep.json") && err.contains("recursion limit"),
        "{err}"
    );
    let wrong = dir.join("wrong.json");
    std::fs::write(&wrong, r#"{"name": "my-worker", "main": "src/index.ts"}"#).unwrap();
    let out = cli(&["usage", "import", wrong.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("wrong.json") && err.contains("neither a GraphQL"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
