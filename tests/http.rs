//! `cf-scale serve --http`: Streamable HTTP on loopback, DNS-rebinding protection, bearer tokens,
//! the refusal to expose itself without one, and graceful shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_cf-scale");

struct Server {
    child: Child,
    addr: String,
    /// Kept open: the server logs to stderr, and a closed pipe would fail its writes.
    _stderr: BufReader<std::process::ChildStderr>,
}

impl Server {
    fn start(token: Option<&str>) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--http", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match token {
            Some(t) => cmd.env("CF_SCALE_TOKEN", t),
            None => cmd.env_remove("CF_SCALE_TOKEN"),
        };
        let mut child = cmd.spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("cf-scale: serving MCP at http://")
            .and_then(|a| a.strip_suffix("/mcp"))
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        Self {
            child,
            addr,
            _stderr: stderr,
        }
    }

    /// POSTs a JSON-RPC body; returns the status code and the body.
    fn post(&self, body: &str, headers: &[(&str, &str)]) -> (u16, String) {
        self.request("POST", body, headers)
    }

    /// Sends one request. A refusal may come before the server reads the body; send no body
    /// then, so the connection closes cleanly and the response is not lost to a reset.
    fn request(&self, method: &str, body: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut request = format!(
            "{method} /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
const COST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"estimate_cost","arguments":{"workers":{"requests":15000000,"cpu_ms_per_request":7}}}}"#;

#[test]
fn serves_mcp_over_http_and_shuts_down_on_sigterm() {
    let server = Server::start(None);
    let (status, body) = server.post(INITIALIZE, &[]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"name\":\"cf-scale\""), "{body}");
    // Stateless: a tool call needs no session.
    let (status, body) = server.post(COST, &[]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"total_usd\":8.0"), "{body}");
    let status = server.stop();
    assert!(status.success(), "graceful exit on SIGTERM: {status}");
}

#[test]
fn a_foreign_origin_is_forbidden() {
    let server = Server::start(None);
    assert_eq!(
        server
            .request("POST", "", &[("Origin", "https://evil.example")])
            .0,
        403
    );
    assert_eq!(
        server
            .post(INITIALIZE, &[("Origin", "http://localhost:3000")])
            .0,
        200
    );
    server.stop();
}

#[test]
fn a_token_is_required_when_set() {
    let server = Server::start(Some("s3cret-token"));
    assert_eq!(server.request("POST", "", &[]).0, 401);
    assert_eq!(
        server
            .request("POST", "", &[("Authorization", "Bearer wrong")])
            .0,
        401
    );
    assert_eq!(
        server
            .post(INITIALIZE, &[("Authorization", "Bearer s3cret-token")])
            .0,
        200
    );
    server.stop();
}

#[test]
fn refuses_a_non_loopback_address_without_a_token() {
    let out = Command::new(BIN)
        .args(["serve", "--http", "0.0.0.0:0"])
        .env_remove("CF_SCALE_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not a loopback address") && err.contains("CF_SCALE_TOKEN"),
        "{err}"
    );
}

/// Regression: with the server's stderr closed, a log line used to panic the request's task and
/// the response was lost.
#[test]
fn answers_when_stderr_is_closed() {
    let server = Server::start(None);
    let Server {
        child,
        addr,
        _stderr,
    } = server;
    drop(_stderr);
    let server = Server {
        child,
        addr,
        _stderr: BufReader::new(
            Command::new("true")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
                .stderr
                .take()
                .unwrap(),
        ),
    };
    assert_eq!(
        server
            .request("POST", "", &[("Origin", "https://evil.example")])
            .0,
        403
    );
    assert_eq!(server.post(INITIALIZE, &[]).0, 200);
    server.stop();
}
