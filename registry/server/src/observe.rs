//! The outermost layer: every request (REST, UI, gRPC on the shared port)
//! gets a request id — the client's `x-request-id` when it sends a sane
//! one, else a new UUID — echoed in the answer and carried by every log
//! line of the request (a `request` span), one `herald::request` event when
//! answered (method, route template, status, latency), the HTTP or gRPC
//! metrics, and an `http` span for traces (see docs/operations.md).

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::http::header::CONTENT_TYPE;
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

/// gRPC's status codes by number.
const GRPC_CODES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// A gRPC answer's code: a refusal carries `grpc-status` in its headers
/// (a trailers-only answer); an answer without one is under way, and its
/// status comes in the trailers: counted as OK.
fn grpc_code(headers: &HeaderMap) -> &'static str {
    match headers.get("grpc-status") {
        None => GRPC_CODES[0],
        Some(value) => std::str::from_utf8(value.as_bytes())
            .ok()
            .and_then(|digits| digits.parse::<usize>().ok())
            .and_then(|code| GRPC_CODES.get(code).copied())
            .unwrap_or("UNKNOWN"),
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
        let grpc = request
            .headers()
            .get(CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"application/grpc"));
        let method = crate::metrics::method_label(request.method());
        let request_id = String::from_utf8_lossy(id.as_bytes());
        let span = tracing::info_span!("request", request_id = %request_id);
        // The same request as a trace sees it (enabled only for a tracing
        // layer that wants herald's debug spans): named by its route, the
        // child of the caller's span when it sent a W3C `traceparent`.
        let traced = span.in_scope(|| {
            tracing::debug_span!(
                "http",
                otel.name = %format_args!("{method} {route}"),
                otel.kind = "server",
                http.request.method = method,
                http.route = route,
                http.response.status_code = tracing::field::Empty,
                herald.request_id = %request_id,
            )
        });
        #[cfg(feature = "otel")]
        trace_context::adopt(&traced, request.headers());
        let answer = traced.in_scope(|| self.inner.call(request));
        let metrics = self.metrics.clone();
        Box::pin(
            async move {
                let Ok(mut response) = answer.instrument(traced.clone()).await;
                let status = response.status().as_u16();
                traced.record("http.response.status_code", status);
                let took = started.elapsed();
                if grpc {
                    metrics.grpc_call(route, grpc_code(response.headers()), took);
                } else {
                    metrics.request(route, method, status, took);
                }
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

/// W3C trace context (`traceparent`, `tracestate`) taken from a request.
#[cfg(feature = "otel")]
mod trace_context {
    use axum::http::HeaderMap;
    use opentelemetry::propagation::{Extractor, TextMapPropagator};
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    /// Request headers as the propagator reads them.
    struct Headers<'a>(&'a HeaderMap);

    impl Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|value| value.to_str().ok())
        }

        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|name| name.as_str()).collect()
        }
    }

    /// Makes the caller's span, when the request names one, the parent
    /// of `span`.
    pub(super) fn adopt(span: &tracing::Span, headers: &HeaderMap) {
        if !headers.contains_key("traceparent") {
            return;
        }
        let context = TraceContextPropagator::new().extract(&Headers(headers));
        // Refused only when no OpenTelemetry layer is installed.
        let _ = span.set_parent(context);
    }
}
