//! Any line a client may send: the strict filter never panics, and every reply it makes is a
//! JSON-RPC 2.0 error.
#![no_main]

use cf_scale::mcp::strict::{Verdict, check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for started in [false, true] {
        if let Verdict::Reply(reply) = check(data, started) {
            assert_eq!(reply["jsonrpc"], "2.0");
            assert!(reply["error"]["code"].is_i64());
            assert!(reply.get("id").is_some());
        }
    }
});
