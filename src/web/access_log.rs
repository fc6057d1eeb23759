//! One log line per request, at `info`: its method, target, HTTP version and peer, the
//! status answered and how long the answer took. It runs inside the guard's `request` span,
//! so the line (like every other logged while answering) carries the request's id.
//!
//! Written here rather than with poem's `Tracing` middleware, which opens a second span per
//! request (its fields formatted and kept in the subscriber's registry) and then logs the
//! same line inside it: a share of a small request's time for no more information.

use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use std::time::Instant;

pub struct AccessLog;

impl<E: Endpoint> Middleware<E> for AccessLog {
    type Output = AccessLogEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        AccessLogEndpoint { inner }
    }
}

pub struct AccessLogEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for AccessLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if !tracing::enabled!(tracing::Level::INFO) {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let started = Instant::now();
        let method = req.method().clone();
        let uri = req.original_uri().clone();
        let version = req.version();
        let remote_addr = Peer(req.remote_addr().clone());
        let result = self.inner.call(req).await;
        let duration = started.elapsed();
        match result {
            Ok(resp) => {
                let resp = resp.into_response();
                tracing::info!(
                    %method, %uri, ?version, %remote_addr,
                    status = resp.status().as_u16(), ?duration,
                    "response"
                );
                Ok(resp)
            }
            Err(err) => {
                tracing::info!(
                    %method, %uri, ?version, %remote_addr,
                    status = err.status().as_u16(), error = %err, ?duration,
                    "error"
                );
                Err(err)
            }
        }
    }
}

/// The peer's address as `address:port` (poem's own form prefixes a scheme, `socket://`).
struct Peer(poem::web::RemoteAddr);

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_socket_addr() {
            Some(addr) => addr.fmt(f),
            None => self.0.fmt(f),
        }
    }
}
