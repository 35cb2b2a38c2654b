//! Trace propagation (the `otel` feature): the consumer's handling span
//! continues the trace of the span the producer sent the event in, checked
//! on the spans an in-memory OpenTelemetry exporter received.

use herald_client::transport::memory::MemoryTransport;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

use crate::conformance::scenarios;

#[tokio::test]
async fn the_handler_continues_the_producers_trace() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("herald-test")));
    let _default = tracing::subscriber::set_default(subscriber);

    let transport = MemoryTransport::new();
    let producer = scenarios::producer(&transport, "orders");
    let sent = producer
        .send(&scenarios::order("traced"), "customer-1")
        .instrument(tracing::info_span!("checkout"))
        .await
        .expect("sent");
    let published = transport.published("orders");
    assert_eq!(
        published[0].header("traceparent"),
        Some(sent.traceparent.as_str())
    );
    let handled = scenarios::consume_until(&transport, "orders", "billing", "traced").await;
    assert_eq!(handled, ["traced"]);

    let spans = exporter.get_finished_spans().expect("spans");
    let named = |name: &str| {
        spans
            .iter()
            .find(|span| span.name == name)
            .unwrap_or_else(|| panic!("a span {name} in {spans:?}"))
    };
    let (checkout, handle) = (named("checkout"), named("herald.handle"));
    assert_eq!(
        handle.span_context.trace_id(),
        checkout.span_context.trace_id(),
        "one trace"
    );
    assert_eq!(
        handle.parent_span_id,
        checkout.span_context.span_id(),
        "the handling span's parent is the producer's span"
    );
    assert_eq!(
        sent.traceparent,
        format!(
            "00-{}-{}-01",
            checkout.span_context.trace_id(),
            checkout.span_context.span_id()
        )
    );
}
