//! Where the `herald` binary's diagnostics go: log lines on stderr, as
//! text or JSON (`HERALD_LOG` filters them), and — with the `otel` feature,
//! when `OTEL_EXPORTER_OTLP_ENDPOINT` is set — the registry's spans to an
//! OpenTelemetry collector over OTLP ([`traces`]).

#[cfg(feature = "otel")]
pub mod traces;

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// The log line format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal).
    #[default]
    Text,
    /// One JSON object per line, the request's span fields (its
    /// `request_id`) included.
    Json,
}

/// What is logged without `HERALD_LOG`: Herald's own events at info;
/// typify (the UI's JSON Schema code previews) logs every schema it reads
/// at info, so only its warnings.
const DEFAULT_LOG: &str = "info,typify=warn,typify_impl=warn";

/// Installs the process's subscriber: log lines in `format`, and spans to
/// `traces` when given. Each has its own filter, so the spans traced (the
/// registry's debug spans included) do not change what is logged.
pub fn init(format: LogFormat, #[cfg(feature = "otel")] traces: Option<&traces::Traces>) {
    let filter =
        EnvFilter::try_from_env("HERALD_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG));
    let lines = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let lines: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Text => lines
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => lines
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(filter)
            .boxed(),
    };
    let subscriber = tracing_subscriber::registry().with(lines);
    #[cfg(feature = "otel")]
    let subscriber = subscriber.with(traces.map(traces::Traces::layer));
    subscriber.init();
}
