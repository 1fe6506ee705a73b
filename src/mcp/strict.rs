//! Strict JSON-RPC in front of rmcp: every line from the client is checked before rmcp sees it,
//! so malformed input gets the error the JSON-RPC 2.0 specification prescribes instead of
//! silence or a wrong code, and one bad message never affects the next.
//!
//! - an unparseable line → `-32700 Parse error`, `id: null`;
//! - valid JSON that is not a request, notification or response → `-32600 Invalid Request`; so is
//!   a batch, unless the session negotiated protocol 2025-03-26 (then see [`super::batch`]);
//! - `params` that is not an object or array, or `tools/call` whose `name` is not a string or
//!   whose `arguments` is not an object → `-32602 Invalid params`, naming the problem;
//! - a line longer than [`MAX_MESSAGE_BYTES`] → `-32600`, and the line is discarded unbuffered;
//!   the reply carries the message's `id` when its first 64 KiB name one, so the client waiting
//!   on that id is answered.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::batch::{Batches, Split};

/// Largest message accepted on stdin, bytes.
pub const MAX_MESSAGE_BYTES: usize = 4 << 20;

/// What to do with one line from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Pass it to rmcp.
    Forward,
    /// Answer it with this error response; rmcp never sees it.
    Reply(Value),
    /// Ignore it (a blank line, or a notification before the session has started).
    Drop,
}

fn error(id: Value, code: i64, message: &str) -> Verdict {
    Verdict::Reply(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
}

/// Checks one line. `started` says whether a request has been forwarded yet: before that, rmcp
/// expects its handshake, so stray notifications and responses are dropped rather than allowed
/// to end the session.
pub fn check(line: &[u8], started: bool) -> Verdict {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Verdict::Drop;
    }
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return error(
            Value::Null,
            -32700,
            "Parse error: the line is not valid JSON",
        );
    };
    if value.is_array() {
        return error(
            Value::Null,
            -32600,
            "Invalid Request: batches are supported only in a session that negotiated protocol \
             2025-03-26 (they were removed from MCP in 2025-06-18)",
        );
    }
    check_message(&value, started)
}

/// Checks one message (a line's value, or one element of a batch).
pub fn check_message(value: &Value, started: bool) -> Verdict {
    let Value::Object(message) = value else {
        return error(
            Value::Null,
            -32600,
            "Invalid Request: a message must be a JSON object",
        );
    };
    // An id, if any, must be a string or a number to be echoed.
    let id = match message.get("id") {
        None => None,
        Some(id @ (Value::String(_) | Value::Number(_))) => Some(id.clone()),
        Some(Value::Null) => Some(Value::Null),
        Some(_) => {
            return error(
                Value::Null,
                -32600,
                "Invalid Request: id must be a string or a number",
            );
        }
    };
    let reply_id = id.clone().unwrap_or(Value::Null);
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return error(reply_id, -32600, "Invalid Request: jsonrpc must be \"2.0\"");
    }
    let method = match message.get("method") {
        Some(Value::String(m)) => m.as_str(),
        Some(_) => return error(reply_id, -32600, "Invalid Request: method must be a string"),
        None if message.contains_key("result") || message.contains_key("error") => {
            // A response to a request of ours.
            return if started && id.is_some() {
                Verdict::Forward
            } else {
                Verdict::Drop
            };
        }
        None => return error(reply_id, -32600, "Invalid Request: no method"),
    };
    let is_request = id.is_some();
    if is_request && id == Some(Value::Null) {
        return error(
            Value::Null,
            -32600,
            "Invalid Request: id must be a string or a number",
        );
    }
    match message.get("params") {
        None | Some(Value::Object(_)) => {}
        Some(Value::Array(_)) if !is_request => {}
        Some(_) => {
            return if is_request {
                error(reply_id, -32602, "Invalid params: params must be an object")
            } else {
                Verdict::Drop
            };
        }
    }
    if method == "tools/call" && is_request {
        let params = message.get("params");
        match params.and_then(|p| p.get("name")) {
            Some(Value::String(_)) => {}
            _ => {
                return error(
                    reply_id,
                    -32602,
                    "Invalid params: tools/call needs params.name, the tool's name as a string",
                );
            }
        }
        match params.and_then(|p| p.get("arguments")) {
            None | Some(Value::Object(_)) => {}
            Some(_) => {
                return error(
                    reply_id,
                    -32602,
                    "Invalid params: params.arguments must be an object of the tool's fields",
                );
            }
        }
    }
    if !is_request && !started {
        return Verdict::Drop;
    }
    Verdict::Forward
}

/// Whether a forwarded request ends rmcp's handshake: `initialize`, or (protocol 2026-07-28) a
/// request other than `server/discover` carrying its protocol version in `_meta`. Until then,
/// notifications and responses are dropped: rmcp's handshake would end the session on them.
fn starts_session(line: &[u8]) -> bool {
    let Ok(message) = serde_json::from_slice::<Value>(line) else {
        return false;
    };
    let method = message.get("method").and_then(Value::as_str);
    let inline = message
        .pointer("/params/_meta")
        .and_then(|m| m.get("io.modelcontextprotocol/protocolVersion"))
        .is_some();
    message.get("id").is_some()
        && (method == Some("initialize") || (inline && method != Some("server/discover")))
}

/// Reads lines from `input` (bounded to [`MAX_MESSAGE_BYTES`]), forwards the good ones to
/// `to_server`, and sends the error replies to `replies`. Returns at end of input.
/// Batches are split here when the session accepts them (see [`super::batch`]).
pub async fn filter<R, W>(
    mut input: R,
    mut to_server: W,
    replies: mpsc::Sender<Vec<u8>>,
    batches: Arc<Mutex<Batches>>,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut line = Vec::with_capacity(4096);
    let mut head = Vec::new();
    let mut started = false;
    loop {
        line.clear();
        head.clear();
        let mut too_long = false;
        // Read one line without ever holding more than the limit.
        loop {
            let chunk = input.fill_buf().await?;
            if chunk.is_empty() {
                break;
            }
            let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long && line.len() + take <= MAX_MESSAGE_BYTES + 1 {
                line.extend_from_slice(&chunk[..take]);
            } else {
                if !too_long {
                    head.extend_from_slice(&line[..line.len().min(HEAD_BYTES)]);
                }
                too_long = true;
                line.clear();
            }
            input.consume(take);
            if done {
                break;
            }
        }
        if line.is_empty() && !too_long {
            return Ok(());
        }
        let verdict = if too_long {
            error(
                leading_id(&head).unwrap_or(Value::Null),
                -32600,
                "Invalid Request: message larger than 4 MiB",
            )
        } else if let Some(split) = split_batch(&line, &batches) {
            for message in split.forward {
                to_server.write_all(&message).await?;
            }
            to_server.flush().await?;
            if let Some(reply) = split.reply
                && replies.send(reply).await.is_err()
            {
                return Ok(());
            }
            continue;
        } else {
            check(&line, started)
        };
        match verdict {
            Verdict::Forward => {
                let mut done = None;
                if lock(&batches).waiting() && contains(&line, b"notifications/cancelled") {
                    // A cancellation may name a batched request, known to rmcp by another id.
                    if let Ok(mut message) = serde_json::from_slice::<Value>(&line) {
                        done = lock(&batches).cancel(&mut message);
                        line = serde_json::to_vec(&message).unwrap_or_default();
                    }
                }
                if !line.ends_with(b"\n") {
                    line.push(b'\n');
                }
                to_server.write_all(&line).await?;
                to_server.flush().await?;
                started = started || starts_session(&line);
                if let Some(done) = done
                    && replies.send(to_line(&done)).await.is_err()
                {
                    return Ok(());
                }
            }
            Verdict::Reply(reply) => {
                if replies.send(to_line(&reply)).await.is_err() {
                    return Ok(());
                }
            }
            Verdict::Drop => {}
        }
    }
}

/// How much of an oversize line is kept to find its `id`.
const HEAD_BYTES: usize = 64 << 10;

/// The top-level `id` of a JSON-RPC message whose text may be cut short, when it appears (a
/// string or a number) before the cut. Read with serde_json: entries are visited in order and the
/// id is kept as soon as it is read, whatever error the truncated rest gives.
fn leading_id(text: &[u8]) -> Option<Value> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    use std::cell::RefCell;

    struct Find<'a>(&'a RefCell<Option<Value>>);
    impl<'de> Visitor<'de> for Find<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON-RPC message")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "id" {
                    let id: Value = map.next_value()?;
                    if id.is_string() || id.is_number() {
                        *self.0.borrow_mut() = Some(id);
                    }
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(text);
    let _ = (&mut de).deserialize_map(Find(&found));
    found.into_inner()
}

/// A batch the session accepts, split; `None` for anything else (which [`check`] answers).
fn split_batch(line: &[u8], batches: &Mutex<Batches>) -> Option<Split> {
    let first = line.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'[' || !lock(batches).accepted() {
        return None;
    }
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Array(elements)) => Some(lock(batches).split(elements)),
        _ => None,
    }
}

/// The batch state; a panic elsewhere never makes it unusable.
pub fn lock(batches: &Mutex<Batches>) -> MutexGuard<'_, Batches> {
    batches.lock().unwrap_or_else(PoisonError::into_inner)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(super) fn to_line(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_of_a_cut_message_is_read_from_its_head() {
        assert_eq!(
            leading_id(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":{"a":"tru"#),
            Some(json!(7))
        );
        assert_eq!(
            leading_id(br#"{"method":"x","params":{"a":[1,2,{"b":"}"}]},"id":"s"}"#),
            Some(json!("s"))
        );
        assert_eq!(
            leading_id(br#"{"jsonrpc":"2.0","method":"x","params":{"a":"cut"#),
            None
        );
        assert_eq!(leading_id(br#"{"id":null,"method":"x"}"#), None);
        assert_eq!(leading_id(b"not json"), None);
    }

    fn reply(line: &str, started: bool) -> (Value, i64) {
        match check(line.as_bytes(), started) {
            Verdict::Reply(v) => (v["id"].clone(), v["error"]["code"].as_i64().unwrap()),
            other => panic!("{line}: expected an error reply, got {other:?}"),
        }
    }

    #[test]
    fn malformed_lines_get_the_prescribed_errors() {
        assert_eq!(reply("not json", true), (Value::Null, -32700));
        assert_eq!(
            reply("{\"jsonrpc\":\"2.0\",\"id\":1,", true),
            (Value::Null, -32700)
        );
        assert_eq!(reply("[1,2]", true), (Value::Null, -32600));
        assert_eq!(reply("42", true), (Value::Null, -32600));
        assert_eq!(reply("{}", true), (Value::Null, -32600));
        assert_eq!(
            reply(r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#, true),
            (json!(7), -32600)
        );
        assert_eq!(
            reply(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, true),
            (Value::Null, -32600)
        );
        assert_eq!(
            reply(r#"{"jsonrpc":"2.0","id":8,"method":5}"#, true),
            (json!(8), -32600)
        );
        assert_eq!(
            reply(
                r#"{"jsonrpc":"2.0","id":"x","method":"ping","params":"p"}"#,
                true
            ),
            (json!("x"), -32602)
        );
        assert_eq!(
            reply(
                r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"estimate_cost","arguments":"text"}}"#,
                true
            ),
            (json!(3), -32602)
        );
        assert_eq!(
            reply(
                r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"arguments":{}}}"#,
                true
            ),
            (json!(4), -32602)
        );
    }

    #[test]
    fn good_messages_pass_and_stray_ones_are_dropped() {
        let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        assert_eq!(check(ping.as_bytes(), false), Verdict::Forward);
        let call = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":{"a":1}}}"#;
        assert_eq!(check(call.as_bytes(), true), Verdict::Forward);
        let note = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        assert_eq!(
            check(note.as_bytes(), false),
            Verdict::Drop,
            "before the session starts"
        );
        assert_eq!(check(note.as_bytes(), true), Verdict::Forward);
        let response = r#"{"jsonrpc":"2.0","id":9,"result":{}}"#;
        assert_eq!(check(response.as_bytes(), false), Verdict::Drop);
        assert_eq!(check(response.as_bytes(), true), Verdict::Forward);
        assert_eq!(check(b"   \r\n", true), Verdict::Drop);
        assert!(starts_session(
            br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#
        ));
        assert!(
            !starts_session(ping.as_bytes()),
            "a ping before initialize keeps the handshake open"
        );
        let discover = r#"{"jsonrpc":"2.0","id":"d","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
        assert!(!starts_session(discover.as_bytes()));
        let inline = r#"{"jsonrpc":"2.0","id":0,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
        assert!(starts_session(inline.as_bytes()));
    }
}
