//! The server over newline-delimited JSON-RPC, driven in memory with random sequences of valid and
//! invalid messages: it never panics, answers every request exactly once (malformed lines with
//! `id: null`), and writes nothing but JSON-RPC.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

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
        // Answered as a whole with -32600 (id null), or, in a session that negotiated 2025-03-26,
        // with an array holding the ping's response and the element 7's error.
        Msg::Batch => (
            json!([{"jsonrpc": "2.0", "id": id, "method": "ping"}, 7,
                {"jsonrpc": "2.0", "method": "notifications/initialized"}])
            .to_string(),
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

/// Runs a session: `init` (if any) first, waiting for its reply as a client does, then `lines`
/// all at once. Returns every line the server wrote, parsed.
async fn session(init: Option<Value>, lines: Vec<String>) -> Vec<Value> {
    let (mut client_in, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, client_out) = tokio::io::duplex(1 << 20);
    let mut client_out = tokio::io::BufReader::new(client_out);
    let server = tokio::spawn(cf_scale::mcp::serve_lines(
        tokio::io::BufReader::new(server_in),
        server_out,
    ));
    let mut out = String::new();
    if let Some(init) = init {
        client_in
            .write_all(format!("{init}\n").as_bytes())
            .await
            .unwrap();
        client_out.read_line(&mut out).await.unwrap();
    }
    for l in lines {
        client_in.write_all(l.as_bytes()).await.unwrap();
        client_in.write_all(b"\n").await.unwrap();
    }
    drop(client_in);
    client_out.read_to_string(&mut out).await.unwrap();
    server.await.expect("no panic").expect("serves to the end");
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn initialize(id: Value, version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_request_is_answered_exactly_once(
        messages in prop::collection::vec(msg(), 0..24),
        initialize_first in any::<bool>(),
        version in prop_oneof![Just("2025-11-25"), Just("2025-03-26")],
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let batching = initialize_first && version == "2025-03-26";
        let mut lines = Vec::new();
        let mut expected: HashMap<String, usize> = HashMap::new();
        let init = initialize_first.then(|| initialize(json!("init"), version));
        if initialize_first {
            *expected.entry("\"init\"".to_owned()).or_default() += 1;
        }
        for (i, m) in messages.iter().enumerate() {
            let n = 1000 + i as u64;
            let (l, id) = line(m, n);
            lines.push(l);
            if let Some(id) = id {
                *expected.entry(id.to_string()).or_default() += 1;
            }
            if batching && matches!(m, Msg::Batch) {
                *expected.entry(n.to_string()).or_default() += 1;
            }
        }
        let replies = runtime.block_on(session(init, lines));
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &replies {
            let members = match r.as_array() {
                Some(members) => {
                    prop_assert!(batching, "an array reply in a session without batches: {}", r);
                    members.iter().collect()
                }
                None => vec![r],
            };
            for r in members {
                prop_assert_eq!(&r["jsonrpc"], "2.0");
                prop_assert!(r.get("result").is_some() != r.get("error").is_some(), "{}", r);
                *seen.entry(r["id"].to_string()).or_default() += 1;
            }
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
    let init = initialize(json!(1), "2025-11-25");
    let replies = runtime.block_on(session(
        None,
        vec![
        "{\"jsonrpc\":".to_owned(),
        init.to_string(),
        "x".repeat(5 << 20),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "estimate_cost", "arguments": {}}}).to_string(),
    ],
    ));
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

#[test]
fn an_oversized_request_is_answered_under_its_own_id() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let init = initialize(json!(1), "2025-11-25");
    let big = "1".repeat(5 << 20);
    let oversized = format!(
        r#"{{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{{"name":"estimate_cost","arguments":{{"workers":{{"requests":{big}}}}}}}}}"#
    );
    let oversized_string_id = format!(
        r#"{{"jsonrpc":"2.0","method":"tools/call","id":"big-1","params":{{"pad":"{big}"}}}}"#
    );
    let replies = runtime.block_on(session(
        None,
        vec![init.to_string(), oversized, oversized_string_id],
    ));
    for id in [json!(10), json!("big-1")] {
        let r = replies
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no reply for id {id}: {replies:?}"));
        assert_eq!(r["error"]["code"], -32600, "{r}");
        assert!(
            r["error"]["message"].as_str().unwrap().contains("4 MiB"),
            "{r}"
        );
    }
}

#[test]
fn batches_follow_the_negotiated_protocol() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let call = |id: u64, arguments: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "estimate_cost", "arguments": arguments}})
    };
    let batch = json!([
        call(2, json!({"kv": {"reads": 20_000_000}})),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        call(3, json!({"kv": {"reads": -1}})),
        {"jsonrpc": "2.0", "id": 4, "method": "ping"},
        {"jsonrpc": "1.0", "id": 5, "method": "ping"},
    ])
    .to_string();

    // 2025-03-26: one array answers the batch, under the client's own ids.
    let replies = runtime.block_on(session(
        Some(initialize(json!(1), "2025-03-26")),
        vec![batch.clone(), "[]".to_owned()],
    ));
    assert_eq!(replies[0]["result"]["protocolVersion"], "2025-03-26");
    let arrays: Vec<_> = replies.iter().filter_map(Value::as_array).collect();
    assert_eq!(arrays.len(), 1, "one array for the batch: {replies:?}");
    let array = arrays[0];
    let by_id = |id: u64| array.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(array.len(), 4, "no reply to the notification: {array:?}");
    // $5 Workers Paid base + 10 M reads over the included 10 M at $0.50 per million.
    assert_eq!(by_id(2)["result"]["structuredContent"]["total_usd"], 10.0);
    assert_eq!(by_id(3)["result"]["isError"], true, "{}", by_id(3));
    assert_eq!(by_id(4)["result"], json!({}));
    assert_eq!(by_id(5)["error"]["code"], -32600);
    let empty = replies.iter().find(|r| r.is_object() && r["id"].is_null());
    assert_eq!(empty.unwrap()["error"]["code"], -32600, "an empty batch");
    assert_eq!(replies.len(), 3);

    // Later versions removed batches: the whole array gets one -32600.
    let replies = runtime.block_on(session(
        Some(initialize(json!(1), "2025-06-18")),
        vec![batch],
    ));
    assert_eq!(replies[0]["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(replies[1]["error"]["code"], -32600);
    assert!(replies[1]["id"].is_null());
    assert_eq!(replies.len(), 2);
}
