//! Traces over OTLP: `herald serve` with `OTEL_EXPORTER_OTLP_ENDPOINT`
//! exports its spans to a collector (here a local OTLP/gRPC receiver):
//! each request a server span named by its route, the child of the
//! caller's W3C `traceparent`, with the service call, the store calls and
//! the schema work beneath it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_testing::TestDatabase;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::json;

use crate::support::{free_port, serve_on, terminate, wait_until_up};

/// A collector keeping every span it is sent.
#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Span>>>,
    services: Arc<Mutex<Vec<String>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        for resource in request.into_inner().resource_spans {
            if let Some(name) = resource.resource.as_ref().and_then(|r| {
                r.attributes
                    .iter()
                    .find(|a| a.key == "service.name")
                    .and_then(|a| text(a.value.as_ref()?.value.as_ref()?))
            }) {
                self.services.lock().expect("lock").push(name);
            }
            for scope in resource.scope_spans {
                self.spans.lock().expect("lock").extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::StringValue(text) => Some(text.clone()),
        _ => None,
    }
}

/// A span's attribute, as text.
fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes.iter().find(|a| a.key == key).and_then(|a| {
        match a.value.as_ref()?.value.as_ref()? {
            Value::StringValue(text) => Some(text.clone()),
            Value::IntValue(number) => Some(number.to_string()),
            _ => None,
        }
    })
}

impl Collector {
    /// Waits until a span named `name` in `trace` has arrived.
    async fn wait_for(&self, trace: &[u8], name: &str) -> Vec<Span> {
        for _ in 0..300 {
            let spans: Vec<Span> = self
                .spans
                .lock()
                .expect("lock")
                .iter()
                .filter(|span| span.trace_id == trace)
                .cloned()
                .collect();
            if spans.iter().any(|span| span.name == name) {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no span {name} arrived");
    }

    /// Waits for a span named `name`; returns its trace id.
    async fn trace_of(&self, name: &str) -> Vec<u8> {
        for _ in 0..300 {
            let found = self
                .spans
                .lock()
                .expect("lock")
                .iter()
                .find(|span| span.name == name)
                .map(|span| span.trace_id.clone());
            if let Some(trace) = found {
                return trace;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no span {name} arrived");
    }
}

/// The span named `name` among `spans`.
fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans
        .iter()
        .find(|span| span.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = spans.iter().map(|span| span.name.as_str()).collect();
            panic!("no span {name} among {names:?}")
        })
}

/// Whether `ancestor` is `span`'s parent, or its parent's, and so on.
fn descends_from(spans: &[Span], span: &Span, ancestor: &Span) -> bool {
    let mut parent = span.parent_span_id.clone();
    for _ in 0..spans.len() {
        if parent == ancestor.span_id {
            return true;
        }
        match spans.iter().find(|candidate| candidate.span_id == parent) {
            Some(next) => parent = next.parent_span_id.clone(),
            None => return false,
        }
    }
    false
}

#[tokio::test]
async fn requests_are_traced_over_otlp_under_the_callers_trace_on_sqlite() {
    let data = tempfile::tempdir().expect("temporary directory");
    traced_requests(&[
        "--data-dir".to_owned(),
        data.path().to_string_lossy().into_owned(),
    ])
    .await;
}

#[tokio::test]
async fn requests_are_traced_over_otlp_under_the_callers_trace_on_postgres() {
    let database = TestDatabase::postgres().await;
    traced_requests(&["--database-url".to_owned(), database.url()]).await;
}

/// Registers, reads and changes a config on a `herald serve` with
/// `storage` arguments, and checks the spans its collector receives.
async fn traced_requests(storage: &[String]) {
    let collector = Collector::default();
    let collector_port = free_port();
    let receiver = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve(([127, 0, 0, 1], collector_port).into()),
    );
    let port = free_port();
    let mut child = serve_on(port)
        .args(storage)
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{collector_port}"),
        )
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .spawn()
        .expect("herald serve starts");
    let http = wait_until_up(&mut child, port).await;
    let base = format!("http://127.0.0.1:{port}");

    // A registration under the caller's trace.
    let trace_hex = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span_hex = "00f067aa0ba902b7";
    let schema = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#;
    let registered = http
        .post(format!("{base}/subjects/orders-value/versions"))
        .header("content-type", "application/json")
        .header(
            "traceparent",
            format!("00-{trace_hex}-{caller_span_hex}-01"),
        )
        .body(json!({ "schema": schema }).to_string())
        .send()
        .await
        .expect("registered");
    assert_eq!(registered.status(), 200);
    let trace = hex(trace_hex);
    // The spans arrive while the registry runs: every one of them closed.
    let spans = collector
        .wait_for(&trace, "POST /subjects/{subject}/versions")
        .await;
    let server = named(&spans, "POST /subjects/{subject}/versions");
    assert_eq!(server.parent_span_id, hex(caller_span_hex));
    assert_eq!(server.kind, 2, "a server span"); // SPAN_KIND_SERVER
    assert_eq!(
        attribute(server, "http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(
        attribute(server, "http.route").as_deref(),
        Some("/subjects/{subject}/versions")
    );
    let service = collector.wait_for(&trace, "herald.register").await;
    let register = named(&service, "herald.register");
    assert_eq!(register.parent_span_id, server.span_id);
    assert_eq!(
        attribute(register, "subject").as_deref(),
        Some("orders-value")
    );
    let spans = collector.wait_for(&trace, "parsing the schema").await;
    let parse = named(&spans, "parsing the schema");
    assert!(
        descends_from(&spans, parse, register),
        "the parse is part of the registration"
    );
    let store: Vec<&Span> = spans
        .iter()
        .filter(|span| {
            attribute(span, "code.module.name").is_some_and(|module| module.contains("::store"))
        })
        .collect();
    let names: Vec<&str> = spans.iter().map(|span| span.name.as_str()).collect();
    println!("the registration's spans: {names:?}");
    assert!(!store.is_empty(), "store calls are traced: {names:?}");
    let server = named(&spans, "POST /subjects/{subject}/versions");
    assert!(
        store.iter().all(|span| descends_from(&spans, span, server)),
        "store calls belong to the request"
    );
    let insert = named(&spans, "insert_version");
    assert!(
        descends_from(&spans, insert, register),
        "the version is written by the registration"
    );

    // A read without a caller's trace starts one of its own.
    let read = http
        .get(format!("{base}/subjects/orders-value/versions/1"))
        .send()
        .await
        .expect("read");
    assert_eq!(read.status(), 200);
    let own = collector
        .trace_of("GET /subjects/{subject}/versions/{version}")
        .await;
    assert_ne!(own, trace);
    let spans = collector.wait_for(&own, "herald.version").await;
    let server = named(&spans, "GET /subjects/{subject}/versions/{version}");
    assert!(server.parent_span_id.is_empty(), "a root span");
    assert_eq!(
        named(&spans, "herald.version").parent_span_id,
        server.span_id
    );
    assert_eq!(
        collector
            .services
            .lock()
            .expect("lock")
            .first()
            .map(String::as_str),
        Some("herald")
    );

    // A configuration change (a write without schema work) closes too.
    let changed = http
        .put(format!("{base}/config/orders-value"))
        .header("content-type", "application/json")
        .body(json!({"compatibility": "FULL"}).to_string())
        .send()
        .await
        .expect("config set");
    assert_eq!(changed.status(), 200);
    let config = collector.trace_of("PUT /config/{subject}").await;
    let spans = collector.wait_for(&config, "herald.set_config").await;
    assert!(spans.iter().any(|span| span.name == "write"), "{spans:?}");

    assert!(terminate(child).await.success());
    receiver.abort();
}

/// Bytes from hex digits.
fn hex(digits: &str) -> Vec<u8> {
    (0..digits.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&digits[at..at + 2], 16).expect("hex"))
        .collect()
}
