//! The outermost layer: every request (REST, UI, gRPC on the shared port)
//! gets a request id — the client's `x-request-id` when it sends a sane
//! one, else a new UUID — echoed in the answer and carried by every log
//! line of the request (a `request` span), one `herald::request` event when
//! answered (method, route template, status, latency), and the HTTP
//! metrics.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue};
use futures_util::future::BoxFuture;
use tower::Service;
use tracing::Instrument;

use crate::access::rules::RouteTable;
use crate::metrics::Metrics;

/// The header carrying a request's id.
pub const REQUEST_ID: &str = "x-request-id";

/// Longest client-chosen request id kept.
const MAX_REQUEST_ID: usize = 128;

type Request = axum::extract::Request;
type Response = axum::response::Response;

/// `inner` observed.
#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
    metrics: Arc<Metrics>,
    routes: Arc<RouteTable>,
}

impl<S> Observe<S> {
    /// Observes `inner`, counting into `metrics`.
    pub fn new(inner: S, metrics: Arc<Metrics>) -> Observe<S> {
        Observe {
            inner,
            metrics,
            routes: Arc::new(RouteTable::new()),
        }
    }
}

/// The client's request id when it is 1 to 128 visible ASCII characters,
/// else a new one.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    let given = headers.get(REQUEST_ID).filter(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID && bytes.iter().all(u8::is_ascii_graphic)
    });
    match given {
        Some(value) => value.clone(),
        None => HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("-")),
    }
}

impl<S> Service<Request> for Observe<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let id = request_id(request.headers());
        request.headers_mut().insert(REQUEST_ID, id.clone());
        let route = self.routes.template(request.uri().path());
        let method = crate::metrics::method_label(request.method());
        let span =
            tracing::info_span!("request", request_id = %String::from_utf8_lossy(id.as_bytes()));
        let answer = span.in_scope(|| self.inner.call(request));
        let metrics = self.metrics.clone();
        Box::pin(
            async move {
                let Ok(mut response) = answer.await;
                let status = response.status().as_u16();
                let took = started.elapsed();
                metrics.request(route, method, status, took);
                response.headers_mut().insert(REQUEST_ID, id);
                tracing::info!(
                    target: "herald::request",
                    method,
                    route,
                    status,
                    latency_ms = took.as_secs_f64() * 1000.0,
                    "answered"
                );
                Ok(response)
            }
            .instrument(span),
        )
    }
}
