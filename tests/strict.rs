//! The server over newline-delimited JSON-RPC, driven in memory with random sequences of valid and
//! invalid messages: it never panics, answers every request exactly once (malformed lines with
//! `id: null`), and writes nothing but JSON-RPC.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone)]
enum Msg {
    Ping,
    Cost,
    BadArguments,
    UnknownMethod,
    Garbage,
    Batch,
    Notification,
    StrayResponse,
}

fn msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        Just(Msg::Ping),
        Just(Msg::Cost),
        Just(Msg::BadArguments),
        Just(Msg::UnknownMethod),
        Just(Msg::Garbage),
        Just(Msg::Batch),
        Just(Msg::Notification),
        Just(Msg::StrayResponse),
    ]
}

/// The line for a message and the id a response must carry (`Some(Null)` for id-less errors).
fn line(m: &Msg, id: u64) -> (String, Option<Value>) {
    let request = |method: &str, params: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
    };
    match m {
        Msg::Ping => (request("ping", json!({})), Some(json!(id))),
        Msg::Cost => (
            request(
                "tools/call",
                json!({"name": "estimate_cost", "arguments": {"kv": {"reads": id}}}),
            ),
            Some(json!(id)),
        ),
        Msg::BadArguments => (
            request(
                "tools/call",
                json!({"name": "estimate_cost", "arguments": "text"}),
            ),
            Some(json!(id)),
        ),
        Msg::UnknownMethod => (request("no/such", json!({})), Some(json!(id))),
        Msg::Garbage => (format!("{{not json {id}"), Some(Value::Null)),
        Msg::Batch => (
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]".to_owned(),
            Some(Value::Null),
        ),
        Msg::Notification => (
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
            None,
        ),
        Msg::StrayResponse => (
            json!({"jsonrpc": "2.0", "id": "stray", "result": {}}).to_string(),
            None,
        ),
    }
}

async fn session(lines: Vec<String>) -> Vec<Value> {
    let (mut client_in, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, mut client_out) = tokio::io::duplex(1 << 20);
    let server = tokio::spawn(cf_scale::mcp::serve_lines(
        tokio::io::BufReader::new(server_in),
        server_out,
    ));
    for l in lines {
        client_in.write_all(l.as_bytes()).await.unwrap();
        client_in.write_all(b"\n").await.unwrap();
    }
    drop(client_in);
    let mut out = String::new();
    client_out.read_to_string(&mut out).await.unwrap();
    server.await.expect("no panic").expect("serves to the end");
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_request_is_answered_exactly_once(messages in prop::collection::vec(msg(), 0..24), initialize_first in any::<bool>()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut lines = Vec::new();
        let mut expected: HashMap<String, usize> = HashMap::new();
        if initialize_first {
            lines.push(json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "prop", "version": "0"}}}).to_string());
            *expected.entry("\"init\"".to_owned()).or_default() += 1;
        }
        for (i, m) in messages.iter().enumerate() {
            let (l, id) = line(m, 1000 + i as u64);
            lines.push(l);
            if let Some(id) = id {
                *expected.entry(id.to_string()).or_default() += 1;
            }
        }
        let replies = runtime.block_on(session(lines));
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &replies {
            prop_assert_eq!(&r["jsonrpc"], "2.0");
            prop_assert!(r.get("result").is_some() != r.get("error").is_some(), "{}", r);
            *seen.entry(r["id"].to_string()).or_default() += 1;
        }
        prop_assert_eq!(seen, expected);
    }
}

#[test]
fn a_bad_message_does_not_affect_the_next() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    let replies = runtime.block_on(session(vec![
        "{\"jsonrpc\":".to_owned(),
        init.to_string(),
        "x".repeat(5 << 20),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "estimate_cost", "arguments": {}}}).to_string(),
    ]));
    let by_id = |id: Value| replies.iter().find(|r| r["id"] == id).cloned().unwrap();
    let codes: Vec<i64> = replies
        .iter()
        .filter(|r| r["id"].is_null())
        .map(|r| r["error"]["code"].as_i64().unwrap())
        .collect();
    assert_eq!(
        codes,
        [-32700, -32600],
        "parse error, then the oversized line"
    );
    assert_eq!(by_id(json!(1))["result"]["serverInfo"]["name"], "cf-scale");
    assert_eq!(
        by_id(json!(2))["result"]["structuredContent"]["total_usd"],
        5.0
    );
}
