//! Trace context across brokers. With the `otel` feature, a producer puts
//! the current `tracing` span's OpenTelemetry context in the envelope (W3C
//! `traceparent` and `tracestate`, as tracing-opentelemetry records it),
//! and a consumer handles each event in a `herald.handle` span whose parent
//! is that context, so the handler continues the producer's trace. Without
//! the feature the handling span is still there, without a remote parent.

use crate::envelope::Envelope;

/// The current span's trace context as `(traceparent, tracestate)`, when
/// it belongs to a sampled or recorded OpenTelemetry trace.
#[cfg(feature = "otel")]
pub(crate) fn current() -> Option<(String, String)> {
    use std::collections::HashMap;

    use opentelemetry::propagation::TextMapPropagator;
    use opentelemetry::trace::TraceContextExt;
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    let traceparent = carrier.remove("traceparent")?;
    Some((
        traceparent,
        carrier.remove("tracestate").unwrap_or_default(),
    ))
}

/// Without the `otel` feature there is no trace context to carry.
#[cfg(not(feature = "otel"))]
pub(crate) fn current() -> Option<(String, String)> {
    None
}

/// The span an event from `subject` is handled in, continuing the trace
/// its envelope carries.
pub(crate) fn handling_span(envelope: &Envelope, subject: &str) -> tracing::Span {
    let span = tracing::info_span!(
        "herald.handle",
        event.id = %envelope.id,
        messaging.destination = %subject,
    );
    #[cfg(feature = "otel")]
    if !envelope.traceparent.is_empty() {
        use std::collections::HashMap;

        use opentelemetry::propagation::TextMapPropagator;
        use opentelemetry_sdk::propagation::TraceContextPropagator;
        use tracing_opentelemetry::OpenTelemetrySpanExt;

        let carrier = HashMap::from([
            ("traceparent".to_owned(), envelope.traceparent.clone()),
            ("tracestate".to_owned(), envelope.tracestate.clone()),
        ]);
        let parent = TraceContextPropagator::new().extract(&carrier);
        if let Err(error) = span.set_parent(parent) {
            tracing::debug!(%error, "continuing the producer's trace");
        }
    }
    span
}
