//! The heap traffic of tool calls, measured with dhat over a whole in-memory session (filter,
//! rmcp, tool, engine, rendering, serialisation): each tool's calls stay under a fixed budget of
//! allocations and bytes, and a session that has made hundreds of calls holds no more memory than
//! after its first few (nothing accumulates per call).
//!
//! One test in its own binary: dhat counts every allocation of the process.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const CALLS: u64 = 200;

/// Tool, arguments, and the budget per call: allocations, bytes allocated. Measured on
/// 2026-12-01 at 952 / 118 kB (estimate_cost), 649 / 112 kB (shard_plan, whose generated
/// Durable Object counter is the largest code block), 13,735 / 1,321 kB (recommend_scaling,
/// which since the cost levers and runaway loops prices about twenty alternative bills through
/// the cost engine: 2,927 / 337 kB before) and 886 / 99 kB (analyze_config), with the compact
/// answers, the summaries and the dated price rows; the budgets leave about 20 % for change, so a real regression (an
/// allocation per item in a loop, a clone of the knowledge) fails here.
fn calls() -> Vec<(&'static str, serde_json::Value, u64, u64)> {
    let project: serde_json::Value =
        toml::from_str(include_str!("../examples/project.toml")).unwrap();
    let shard: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/shard/kv_key.json")).unwrap();
    let wrangler = include_str!("fixtures/wrangler/full.jsonc");
    vec![
        ("estimate_cost", project["usage"].clone(), 1_150, 142_000),
        ("shard_plan", shard, 780, 135_000),
        ("recommend_scaling", project, 16_500, 1_600_000),
        (
            "analyze_config",
            serde_json::json!({"content": wrangler}),
            1_070,
            118_000,
        ),
    ]
}

fn line(value: serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(&value).unwrap();
    bytes.push(b'\n');
    bytes
}

#[test]
fn tool_calls_allocate_within_budget_and_hold_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (mut to_server, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, from_server) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(cf_scale::mcp::serve_lines(
            BufReader::new(server_in),
            server_out,
        ));
        let mut replies = BufReader::new(from_server);
        let mut reply = String::with_capacity(64 << 10);
        let mut roundtrip = async |request: &[u8]| {
            to_server.write_all(request).await.unwrap();
            reply.clear();
            replies.read_line(&mut reply).await.unwrap();
            assert!(
                !reply.contains("\"isError\":true") && !reply.contains("\"error\""),
                "{reply}"
            );
        };
        roundtrip(&line(
            serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "alloc", "version": "0"}}}),
        ))
        .await;
        let requests: Vec<_> = calls()
            .into_iter()
            .enumerate()
            .map(|(i, (tool, arguments, blocks, bytes))| {
                let request = line(serde_json::json!({"jsonrpc": "2.0", "id": i + 1,
                    "method": "tools/call", "params": {"name": tool, "arguments": arguments}}));
                (tool, request, blocks, bytes)
            })
            .collect();
        // Warm up: knowledge, routers and buffers are built once.
        for _ in 0..3 {
            for (_, request, _, _) in &requests {
                roundtrip(request).await;
            }
        }
        let held = dhat::HeapStats::get().curr_bytes;
        for (tool, request, max_blocks, max_bytes) in &requests {
            let before = dhat::HeapStats::get();
            for _ in 0..CALLS {
                roundtrip(request).await;
            }
            let after = dhat::HeapStats::get();
            let blocks = (after.total_blocks - before.total_blocks) / CALLS;
            let bytes = (after.total_bytes - before.total_bytes) / CALLS;
            eprintln!("{tool}: {blocks} allocations, {bytes} bytes per call");
            assert!(
                blocks <= *max_blocks && bytes <= *max_bytes,
                "{tool}: {blocks} allocations and {bytes} bytes per call; the budget is \
                 {max_blocks} and {max_bytes}"
            );
        }
        let grown = dhat::HeapStats::get().curr_bytes as i64 - held as i64;
        eprintln!("held after warm-up {held} bytes; grown since {grown} bytes");
        assert!(
            grown < 64 << 10,
            "the heap grew by {grown} bytes over {} calls",
            4 * CALLS
        );
        drop(to_server);
        server.await.unwrap().unwrap();
    });
}
