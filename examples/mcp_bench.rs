//! A stdio MCP client that measures cf-scale next to a bare rmcp server, in one run, the way a
//! client meets them: cold start (exec to the `initialize` reply), warm `tools/call` latency for
//! each tool, pipelined throughput, and peak resident memory after mixed calls. Every call's
//! answer is checked, so an error cannot pass for a fast result. `scripts/bench.sh` builds both
//! servers in release mode and runs this.
//!
//! Usage: `mcp_bench <cf-scale binary> <bare_server binary> [--spawns N] [--calls N]`

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// One server under test: how to start it and the calls that exercise each of its tools.
struct Server {
    name: &'static str,
    program: PathBuf,
    args: &'static [&'static str],
    calls: Vec<(&'static str, Value)>,
}

/// A running server with its pipes.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

fn initialize(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "mcp_bench", "version": "0"}}})
}

fn call(id: u64, tool: &str, arguments: &Value) -> Vec<u8> {
    let mut line = serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments}}))
    .expect("serialisable");
    line.push(b'\n');
    line
}

impl Session {
    /// Starts the server and completes the handshake; returns the time from spawn to the
    /// `initialize` reply.
    fn start(server: &Server) -> (Self, Duration) {
        let t0 = Instant::now();
        let mut child = Command::new(&server.program)
            .args(server.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.program.display()));
        let mut session = Session {
            stdin: child.stdin.take(),
            stdout: BufReader::new(child.stdout.take().expect("piped")),
            child,
            next_id: 1,
        };
        session.send(&initialize(0));
        let reply = session.read_response(0);
        let elapsed = t0.elapsed();
        assert!(
            reply.pointer("/result/serverInfo").is_some(),
            "{}: bad initialize reply {reply}",
            server.name
        );
        session.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        (session, elapsed)
    }

    fn send(&mut self, message: &Value) {
        let mut line = serde_json::to_vec(message).expect("serialisable");
        line.push(b'\n');
        self.write(&line);
    }

    fn write(&mut self, line: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line).expect("server alive");
        stdin.flush().expect("server alive");
    }

    /// Reads lines until the response with this id (skipping notifications).
    fn read_response(&mut self, id: u64) -> Value {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.stdout.read_line(&mut line).expect("readable");
            assert!(n > 0, "the server closed stdout while a request was open");
            let value: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout is not JSON-RPC ({e}): {line}"));
            if value.get("id") == Some(&json!(id)) {
                return value;
            }
        }
    }

    /// One `tools/call`, checked to have succeeded; returns its round-trip time.
    fn call(&mut self, tool: &str, arguments: &Value) -> Duration {
        let id = self.next_id;
        self.next_id += 1;
        let line = call(id, tool, arguments);
        let t0 = Instant::now();
        self.write(&line);
        let reply = self.read_response(id);
        let elapsed = t0.elapsed();
        check(tool, &reply);
        elapsed
    }

    /// Sends `count` calls (cycling through `calls`) without waiting, then reads every answer;
    /// returns the total time.
    fn pipelined(&mut self, calls: &[(&str, Value)], count: usize) -> Duration {
        let first = self.next_id;
        let lines: Vec<u8> = (0..count)
            .flat_map(|i| {
                let (tool, arguments) = &calls[i % calls.len()];
                call(first + i as u64, tool, arguments)
            })
            .collect();
        self.next_id += count as u64;
        let mut stdin = self.stdin.take().expect("stdin open");
        let t0 = Instant::now();
        let writer = std::thread::spawn(move || {
            stdin.write_all(&lines).expect("server alive");
            stdin.flush().expect("server alive");
            stdin
        });
        let mut answered = 0;
        let mut line = String::new();
        while answered < count {
            line.clear();
            assert!(self.stdout.read_line(&mut line).expect("readable") > 0);
            let reply: Value = serde_json::from_str(&line).expect("JSON-RPC");
            if reply.get("id").is_some() {
                let id = reply["id"].as_u64().expect("numeric id");
                check(calls[(id - first) as usize % calls.len()].0, &reply);
                answered += 1;
            }
        }
        let elapsed = t0.elapsed();
        self.stdin = Some(writer.join().expect("writer"));
        elapsed
    }

    /// Peak resident set size so far, in KiB (Linux `VmHWM`).
    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("Linux /proc");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status")
    }

    fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn check(tool: &str, reply: &Value) {
    assert!(
        reply.get("result").is_some() && reply.pointer("/result/isError") != Some(&json!(true)),
        "{tool} did not succeed: {reply}"
    );
}

/// The q-quantile (nearest rank) of sorted durations, in milliseconds.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn sorted(mut samples: Vec<Duration>) -> Vec<Duration> {
    samples.sort_unstable();
    samples
}

fn cf_scale_calls() -> Vec<(&'static str, Value)> {
    let project: Value = toml::from_str(include_str!("project.toml")).expect("example project");
    let wrangler = include_str!("../tests/fixtures/wrangler/full.jsonc");
    let shard: Value = serde_json::from_str(include_str!("../tests/fixtures/shard/kv_key.json"))
        .expect("shard fixture");
    vec![
        ("estimate_cost", project["usage"].clone()),
        ("shard_plan", shard),
        ("recommend_scaling", project),
        ("analyze_config", json!({"content": wrangler})),
    ]
}

struct Options {
    cf_scale: PathBuf,
    bare: PathBuf,
    spawns: usize,
    calls: usize,
}

fn options() -> Result<Options, String> {
    let usage = "usage: mcp_bench <cf-scale binary> <bare_server binary> [--spawns N] [--calls N]";
    let mut paths = Vec::new();
    let (mut spawns, mut calls) = (30, 1000);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or(format!("{name} needs a positive whole number; {usage}"))
        };
        match arg.as_str() {
            "--spawns" => spawns = number("--spawns")?,
            "--calls" => calls = number("--calls")?,
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}; {usage}")),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let [cf_scale, bare] = <[PathBuf; 2]>::try_from(paths).map_err(|_| usage.to_owned())?;
    Ok(Options {
        cf_scale,
        bare,
        spawns,
        calls,
    })
}

fn size_mib(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(f64::NAN, |m| m.len() as f64 / (1 << 20) as f64)
}

fn main() {
    let options = options().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let servers = [
        Server {
            name: "cf-scale",
            program: options.cf_scale.clone(),
            args: &["serve"],
            calls: cf_scale_calls(),
        },
        Server {
            name: "bare rmcp",
            program: options.bare.clone(),
            args: &[],
            calls: vec![
                ("add", json!({"a": 1, "b": 2})),
                ("echo", json!({"text": "hello"})),
            ],
        },
    ];

    // Cold start, alternating the servers so drift in the machine's load hits both alike.
    let mut starts = [Vec::new(), Vec::new()];
    for _ in 0..options.spawns {
        for (server, samples) in servers.iter().zip(&mut starts) {
            let (session, elapsed) = Session::start(server);
            samples.push(elapsed);
            session.stop();
        }
    }
    let starts = starts.map(sorted);

    let mut latency = Vec::new(); // (server, tool, sorted samples)
    let mut throughput = Vec::new();
    let mut rss = Vec::new();
    for server in &servers {
        // Peak memory of a fresh session after `calls` mixed calls.
        let (mut session, _) = Session::start(server);
        for i in 0..options.calls {
            let (tool, arguments) = &server.calls[i % server.calls.len()];
            session.call(tool, arguments);
        }
        rss.push(session.peak_rss_kib());
        // Warm latency per tool, after a warm-up.
        for (tool, arguments) in &server.calls {
            for _ in 0..50 {
                session.call(tool, arguments);
            }
            let samples = (0..options.calls)
                .map(|_| session.call(tool, arguments))
                .collect();
            latency.push((server.name, *tool, sorted(samples)));
        }
        let count = options.calls * 5;
        let elapsed = session.pipelined(&server.calls, count);
        throughput.push(count as f64 / elapsed.as_secs_f64());
        session.stop();
    }

    let ratio = |a: f64, b: f64| format!("{:.2}×", a / b);
    println!(
        "cf-scale vs bare rmcp, {} spawns, {} calls per tool\n",
        options.spawns, options.calls
    );
    println!("| measure | cf-scale | bare rmcp | ratio |");
    println!("|---|---:|---:|---:|");
    for (label, q) in [("cold start, median", 0.5), ("cold start, p90", 0.9)] {
        let (a, b) = (quantile(&starts[0], q), quantile(&starts[1], q));
        println!("| {label} (ms) | {a:.2} | {b:.2} | {} |", ratio(a, b));
    }
    let bare_tools: Vec<_> = latency.iter().filter(|l| l.0 == "bare rmcp").collect();
    let bare_p50 = bare_tools
        .iter()
        .map(|l| quantile(&l.2, 0.5))
        .fold(0.0, f64::max);
    let bare_p99 = bare_tools
        .iter()
        .map(|l| quantile(&l.2, 0.99))
        .fold(0.0, f64::max);
    for (_, tool, samples) in latency.iter().filter(|l| l.0 == "cf-scale") {
        let (p50, p99) = (quantile(samples, 0.5), quantile(samples, 0.99));
        println!(
            "| `{tool}` p50 / p99 (ms) | {p50:.3} / {p99:.3} | {bare_p50:.3} / {bare_p99:.3} | {} / {} |",
            ratio(p50, bare_p50),
            ratio(p99, bare_p99)
        );
    }
    println!(
        "| pipelined tools/call (calls/s) | {:.0} | {:.0} | {} |",
        throughput[0],
        throughput[1],
        ratio(throughput[0], throughput[1])
    );
    let (a, b) = (rss[0] as f64 / 1024.0, rss[1] as f64 / 1024.0);
    println!(
        "| peak RSS after {} mixed calls (MiB) | {a:.1} | {b:.1} | {} |",
        options.calls,
        ratio(a, b)
    );
    let (a, b) = (size_mib(&options.cf_scale), size_mib(&options.bare));
    println!("| binary size (MiB) | {a:.2} | {b:.2} | {} |", ratio(a, b));
    println!(
        "\nbare rmcp column for tools/call: the slower of its two tools (add, echo), per quantile."
    );
}
