//! Spans to an OpenTelemetry collector over OTLP (gRPC), configured by the
//! standard variables: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns it on, `OTEL_SERVICE_NAME`
//! names the service (default `herald`), `OTEL_BSP_*` tune the batches.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::registry::LookupSpan;

/// The exporter of a process that traces.
pub struct Traces {
    provider: SdkTracerProvider,
}

impl Traces {
    /// Traces as the environment asks for them: `None` when no OTLP
    /// endpoint is set. Call it inside the Tokio runtime that will carry
    /// the exports.
    pub fn from_env() -> Result<Option<Traces>, String> {
        let configured = [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
        if !configured {
            return Ok(None);
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .build()
            .map_err(|error| format!("the OTLP exporter: {error}"))?;
        let mut resource = Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name("herald");
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        Ok(Some(Traces { provider }))
    }

    /// The layer turning spans into OpenTelemetry spans: herald's own down
    /// to debug (requests, service calls, store calls, schema work), other
    /// crates' from info. The `request` span of the log lines is left out:
    /// its `http` twin, named by route, is the trace's server span.
    pub fn layer<S>(&self) -> impl Layer<S> + use<S>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        let wanted = filter_fn(|metadata| {
            let level = if metadata.target().starts_with("herald") {
                Level::DEBUG
            } else {
                Level::INFO
            };
            *metadata.level() <= level && !(metadata.is_span() && metadata.name() == "request")
        });
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("herald"))
            .with_filter(wanted)
    }

    /// Exports what is still batched and stops (at the end of the process).
    pub fn shutdown(self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(%error, "the last spans could not be exported");
        }
    }
}
