//! JSON-RPC batches, for sessions that negotiated MCP protocol 2025-03-26: the one version whose
//! servers must accept them (added in 2025-03-26, removed in 2025-06-18). In every other session
//! a batch is answered with `-32600` by [`super::strict::check`].
//!
//! rmcp does not read batches, so they are split in front of it. Each element is checked like a
//! line of its own ([`check_message`]); requests go on to rmcp under an internal id; their
//! responses are taken out of rmcp's output, given back the client's ids and sent as one array
//! once the last has arrived, together with the errors of the elements that failed the checks. A
//! batch of notifications and responses only gets no reply, as JSON-RPC 2.0 prescribes.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::strict::{Verdict, check_message, to_line as line};

/// The protocol version in which clients may send batches.
pub const BATCH_PROTOCOL: &str = "2025-03-26";

/// Most messages accepted in one batch.
pub const MAX_BATCH_MESSAGES: usize = 1000;

/// Prefix of the ids under which batched requests are forwarded to rmcp.
const ID_PREFIX: &str = "cf-scale/batch/";

/// Batches in flight, and what the session negotiated. Shared by the task that reads the
/// client's lines and the task that copies rmcp's output.
#[derive(Debug, Default)]
pub struct Batches {
    /// The protocol version the server answered `initialize` with, once it has.
    protocol: Option<String>,
    next: u64,
    /// Internal id → the batch it belongs to and the client's own id.
    members: HashMap<String, (u64, Value)>,
    /// Batch → the replies gathered so far and how many responses are still to come.
    open: HashMap<u64, (Vec<Value>, usize)>,
}

/// What [`Batches::split`] makes of a batch.
#[derive(Debug, Default, PartialEq)]
pub struct Split {
    /// Messages to forward to rmcp, one JSON line each.
    pub forward: Vec<Vec<u8>>,
    /// The reply to send now (when no element waits for rmcp), one JSON line.
    pub reply: Option<Vec<u8>>,
}

/// What to do with one line of rmcp's output.
#[derive(Debug, PartialEq)]
pub enum FromServer {
    /// Send it to the client as it is.
    Pass,
    /// Keep it back: a response gathered into a batch that is not complete yet.
    Hold,
    /// Send this instead: the completed batch reply.
    Emit(Vec<u8>),
}

fn invalid(id: Value, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32600, "message": message}})
}

impl Batches {
    /// Whether this session accepts batches: it negotiated [`BATCH_PROTOCOL`].
    pub fn accepted(&self) -> bool {
        self.protocol.as_deref() == Some(BATCH_PROTOCOL)
    }

    /// Whether some batched request still waits for its response.
    pub fn waiting(&self) -> bool {
        !self.members.is_empty()
    }

    /// Splits a batch (the elements of a JSON array sent as one line).
    pub fn split(&mut self, elements: Vec<Value>) -> Split {
        if elements.is_empty() {
            let reply = invalid(Value::Null, "Invalid Request: an empty batch");
            return Split {
                reply: Some(line(&reply)),
                ..Split::default()
            };
        }
        if elements.len() > MAX_BATCH_MESSAGES {
            let reply = invalid(
                Value::Null,
                &format!(
                    "Invalid Request: a batch of {} messages; at most {MAX_BATCH_MESSAGES} are accepted",
                    elements.len()
                ),
            );
            return Split {
                reply: Some(line(&reply)),
                ..Split::default()
            };
        }
        let batch = self.next;
        self.next += 1;
        let mut split = Split::default();
        let mut replies = Vec::new();
        let mut left = 0;
        for (i, mut message) in elements.into_iter().enumerate() {
            if message.get("method").and_then(Value::as_str) == Some("initialize") {
                let id = message.get("id").cloned().unwrap_or(Value::Null);
                replies.push(invalid(
                    id,
                    "Invalid Request: initialize must not be part of a batch",
                ));
                continue;
            }
            match check_message(&message, true) {
                Verdict::Reply(error) => replies.push(error),
                Verdict::Drop => {}
                Verdict::Forward => {
                    let is_request = message.get("method").is_some();
                    if let (true, Some(id)) = (is_request, message.get_mut("id")) {
                        let internal = format!("{ID_PREFIX}{batch}/{i}");
                        let theirs = std::mem::replace(id, Value::String(internal.clone()));
                        self.members.insert(internal, (batch, theirs));
                        left += 1;
                    } else if let Some(done) = self.cancel(&mut message) {
                        replies.push(done);
                    }
                    split.forward.push(line(&message));
                }
            }
        }
        if left > 0 {
            self.open.insert(batch, (replies, left));
        } else if !replies.is_empty() {
            split.reply = Some(line(&Value::Array(replies)));
        }
        split
    }

    /// Points a `notifications/cancelled` for a batched request at its internal id and takes the
    /// request out of its batch (a cancelled request gets no response). Returns the batch reply
    /// if that completes it. Any other message is left alone.
    pub fn cancel(&mut self, message: &mut Value) -> Option<Value> {
        if message.get("method").and_then(Value::as_str) != Some("notifications/cancelled") {
            return None;
        }
        let target = message.pointer_mut("/params/requestId")?;
        let internal = self
            .members
            .iter()
            .find(|(_, (_, theirs))| theirs == target)
            .map(|(internal, _)| internal.clone())?;
        let (batch, _) = self.members.remove(&internal)?;
        *target = Value::String(internal);
        self.settle(batch, None)
    }

    /// Counts one response (or cancellation) of `batch`; returns the batch reply once complete.
    fn settle(&mut self, batch: u64, reply: Option<Value>) -> Option<Value> {
        let (replies, left) = self.open.get_mut(&batch)?;
        replies.extend(reply);
        *left -= 1;
        if *left > 0 {
            return None;
        }
        let (replies, _) = self.open.remove(&batch)?;
        // Every request of the batch cancelled and no error to report: nothing to send.
        (!replies.is_empty()).then_some(Value::Array(replies))
    }

    /// Looks at one line of rmcp's output: learns the negotiated protocol from the `initialize`
    /// result, and gathers the responses to batched requests.
    pub fn from_server(&mut self, output: &[u8]) -> FromServer {
        if self.protocol.is_none() {
            if let Ok(message) = serde_json::from_slice::<Value>(output)
                && message.pointer("/result/serverInfo").is_some()
                && let Some(version) = message
                    .pointer("/result/protocolVersion")
                    .and_then(Value::as_str)
            {
                self.protocol = Some(version.to_owned());
            }
            return FromServer::Pass;
        }
        let prefix = ID_PREFIX.as_bytes();
        // No batch yet: nothing to look for (the usual case, at the cost of one comparison).
        if self.next == 0 || !output.windows(prefix.len()).any(|w| w == prefix) {
            return FromServer::Pass;
        }
        let Ok(mut message) = serde_json::from_slice::<Value>(output) else {
            return FromServer::Pass;
        };
        let Some(Value::String(internal)) = message.get("id") else {
            return FromServer::Pass;
        };
        if !internal.starts_with(ID_PREFIX) || message.get("method").is_some() {
            return FromServer::Pass;
        }
        let Some((batch, theirs)) = self.members.remove(internal.as_str()) else {
            // The response to a request the client cancelled.
            return FromServer::Hold;
        };
        message["id"] = theirs;
        match self.settle(batch, Some(message)) {
            Some(reply) => FromServer::Emit(line(&reply)),
            None => FromServer::Hold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiated(version: &str) -> Batches {
        let mut batches = Batches::default();
        let init = json!({"jsonrpc": "2.0", "id": 0, "result": {
            "protocolVersion": version, "serverInfo": {"name": "s", "version": "1"}}});
        assert_eq!(batches.from_server(&line(&init)), FromServer::Pass);
        batches
    }

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn only_a_2025_03_26_session_accepts_batches() {
        assert!(!Batches::default().accepted());
        assert!(negotiated("2025-03-26").accepted());
        assert!(!negotiated("2025-06-18").accepted());
    }

    #[test]
    fn responses_are_gathered_under_the_clients_ids() {
        let mut batches = negotiated(BATCH_PROTOCOL);
        let split = batches.split(vec![
            json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}),
            json!(7),
            json!({"jsonrpc": "2.0", "id": "a", "method": "tools/list"}),
        ]);
        assert_eq!(split.reply, None, "two requests are still out");
        assert_eq!(split.forward.len(), 3);
        let ids: Vec<Value> = split
            .forward
            .iter()
            .map(|f| parse(f)["id"].clone())
            .collect();
        assert_eq!(
            ids,
            [
                json!("cf-scale/batch/0/0"),
                Value::Null,
                json!("cf-scale/batch/0/3")
            ]
        );
        let unrelated = br#"{"jsonrpc":"2.0","id":5,"result":{}}"#;
        assert_eq!(batches.from_server(unrelated), FromServer::Pass);
        let first = br#"{"jsonrpc":"2.0","id":"cf-scale/batch/0/3","result":{"tools":[]}}"#;
        assert_eq!(batches.from_server(first), FromServer::Hold);
        let last = br#"{"jsonrpc":"2.0","id":"cf-scale/batch/0/0","result":{}}"#;
        let FromServer::Emit(reply) = batches.from_server(last) else {
            panic!("the batch is complete");
        };
        let reply = parse(&reply);
        let ids: Vec<&Value> = reply.as_array().unwrap().iter().map(|r| &r["id"]).collect();
        assert_eq!(ids, [&Value::Null, &json!("a"), &json!(1)]);
        assert_eq!(reply[0]["error"]["code"], -32600, "the element 7");
        assert!(!batches.waiting());
    }

    #[test]
    fn bad_batches_get_one_error_and_notifications_none() {
        let mut batches = negotiated(BATCH_PROTOCOL);
        let empty = batches.split(vec![]);
        assert!(empty.forward.is_empty());
        assert_eq!(parse(&empty.reply.unwrap())["error"]["code"], -32600);
        let huge = batches.split(vec![json!(1); MAX_BATCH_MESSAGES + 1]);
        assert!(huge.forward.is_empty());
        assert!(
            parse(&huge.reply.unwrap())["error"]["message"]
                .as_str()
                .unwrap()
                .contains("at most 1000")
        );
        let quiet = batches.split(vec![
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        ]);
        assert_eq!(quiet.forward.len(), 1);
        assert_eq!(quiet.reply, None);
        let init = batches.split(vec![
            json!({"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": {}}),
        ]);
        assert!(init.forward.is_empty());
        let reply = parse(&init.reply.unwrap());
        assert_eq!(reply[0]["id"], 9);
        assert_eq!(reply[0]["error"]["code"], -32600);
    }

    #[test]
    fn a_cancelled_member_leaves_its_batch() {
        let mut batches = negotiated(BATCH_PROTOCOL);
        let split = batches.split(vec![
            json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}),
        ]);
        assert_eq!(split.forward.len(), 2);
        let mut cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": 2}});
        assert_eq!(batches.cancel(&mut cancel), None);
        assert_eq!(cancel["params"]["requestId"], "cf-scale/batch/0/1");
        let late = br#"{"jsonrpc":"2.0","id":"cf-scale/batch/0/1","result":{}}"#;
        let done = br#"{"jsonrpc":"2.0","id":"cf-scale/batch/0/0","result":{}}"#;
        let FromServer::Emit(reply) = batches.from_server(done) else {
            panic!("only the cancelled request was left");
        };
        assert_eq!(
            parse(&reply),
            json!([{"jsonrpc": "2.0", "id": 1, "result": {}}])
        );
        assert_eq!(batches.from_server(late), FromServer::Hold, "dropped");
    }
}
