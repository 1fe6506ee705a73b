//! Any line a client may send: the strict filter never panics, every reply it makes is a
//! JSON-RPC 2.0 error, and a batch (in a 2025-03-26 session) is answered once all its forwarded
//! requests are.
#![no_main]

use cf_scale::mcp::batch::{Batches, FromServer};
use cf_scale::mcp::strict::{Verdict, check};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    for started in [false, true] {
        if let Verdict::Reply(reply) = check(data, started) {
            assert_eq!(reply["jsonrpc"], "2.0");
            assert!(reply["error"]["code"].is_i64());
            assert!(reply.get("id").is_some());
        }
    }
    if let Ok(Value::Array(elements)) = serde_json::from_slice::<Value>(data) {
        let mut batches = Batches::default();
        let init = json!({"jsonrpc": "2.0", "id": 0,
            "result": {"protocolVersion": "2025-03-26", "serverInfo": {"name": "s", "version": "1"}}});
        batches.from_server(init.to_string().as_bytes());
        let split = batches.split(elements);
        for line in &split.forward {
            let message: Value = serde_json::from_slice(line).expect("forwarded lines are JSON");
            if message.get("method").is_some() && message.get("id").is_some() {
                let response = json!({"jsonrpc": "2.0", "id": message["id"], "result": {}});
                let answer = batches.from_server(response.to_string().as_bytes());
                if let FromServer::Emit(reply) = answer {
                    assert!(serde_json::from_slice::<Value>(&reply).unwrap().is_array());
                }
            }
        }
        assert!(!batches.waiting(), "every batched request answered");
    }
});
