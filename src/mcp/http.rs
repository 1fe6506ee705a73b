//! `cf-scale serve --http ADDR`: MCP over Streamable HTTP at `/mcp` (rmcp's server on axum).
//!
//! Safe by default: it binds loopback; `Host` and `Origin` are validated against loopback names
//! (DNS-rebinding protection: a foreign `Origin` gets 403); a non-loopback address is refused at
//! once unless `CF_SCALE_TOKEN` is set, and with a token every request needs
//! `Authorization: Bearer <token>` (compared in constant time). Requests are served statelessly,
//! so replicas can sit behind a load balancer. SIGTERM and Ctrl-C shut down gracefully.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::{
    Router,
    extract::Request,
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
};
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;

use super::CfScale;
use super::strict::MAX_MESSAGE_BYTES;

/// How the HTTP server is exposed.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Bearer token every request must carry (from `CF_SCALE_TOKEN`); required off loopback.
    pub token: Option<String>,
    /// Extra host names accepted in `Host` (from `CF_SCALE_ALLOWED_HOSTS`, comma-separated), for
    /// deployments behind a load balancer.
    pub allowed_hosts: Vec<String>,
}

/// Why the HTTP server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// A non-loopback address without a token.
    #[error(
        "refusing to serve on {0}: it is not a loopback address. Set CF_SCALE_TOKEN to require `Authorization: Bearer <token>` on every request, or bind 127.0.0.1"
    )]
    Exposed(SocketAddr),
    /// The address could not be bound, or the server failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

async fn require_token(token: Arc<String>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "missing or wrong bearer token\n",
        )
            .into_response()
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Serves MCP over Streamable HTTP until SIGTERM or Ctrl-C.
pub async fn serve_http(addr: SocketAddr, options: HttpOptions) -> Result<(), HttpError> {
    if !addr.ip().is_loopback() && options.token.is_none() {
        return Err(HttpError::Exposed(addr));
    }
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]
        .map(String::from)
        .to_vec();
    if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
        hosts.push(addr.ip().to_string());
    }
    hosts.extend(options.allowed_hosts.iter().cloned());
    let cancel = CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"])
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_max_request_body_bytes(MAX_MESSAGE_BYTES)
        .with_cancellation_token(cancel.child_token());
    let handler = CfScale::new();
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let mut router = Router::new().nest_service("/mcp", service);
    if let Some(token) = options.token {
        let token = Arc::new(token);
        router = router.layer(middleware::from_fn(move |request, next| {
            require_token(token.clone(), request, next)
        }));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!(
        "cf-scale: serving MCP at http://{}/mcp",
        listener.local_addr()?
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            cancel.cancel();
        })
        .await?;
    Ok(())
}
