//! What producers and consumers count, through the `metrics` facade: the
//! application installs the exporter it wants (Prometheus, StatsD, ...);
//! without one, counting costs next to nothing. Every series carries the
//! broker subject (a topic or stream the application chose, so a bounded
//! set).
//!
//! - `herald_client_events_sent_total{subject}`
//! - `herald_client_events_handled_total{subject, outcome}`: `ok`,
//!   `duplicate` (an id already handled), `dead_lettered`
//! - `herald_client_events_retried_total{subject}`: a failed attempt retried
//! - `herald_client_events_dead_lettered_total{subject, reason}`: `handler`
//!   (it kept failing), `undecodable`
//! - `herald_client_handler_duration_seconds{subject}`: each handler call

use std::time::Duration;

/// An event published on `subject`.
pub(crate) fn sent(subject: &str) {
    metrics::counter!("herald_client_events_sent_total", "subject" => subject.to_owned())
        .increment(1);
}

/// An event of `subject` done with (`outcome`: ok, duplicate, dead_lettered).
pub(crate) fn handled(subject: &str, outcome: &'static str) {
    metrics::counter!(
        "herald_client_events_handled_total",
        "subject" => subject.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
}

/// A failed handling of an event of `subject`, to be tried again.
pub(crate) fn retried(subject: &str) {
    metrics::counter!("herald_client_events_retried_total", "subject" => subject.to_owned())
        .increment(1);
}

/// An event of `subject` sent to the dead-letter subject, and why.
pub(crate) fn dead_lettered(subject: &str, reason: &'static str) {
    metrics::counter!(
        "herald_client_events_dead_lettered_total",
        "subject" => subject.to_owned(),
        "reason" => reason
    )
    .increment(1);
}

/// One handler call on an event of `subject` took `took`.
pub(crate) fn handler_took(subject: &str, took: Duration) {
    metrics::histogram!("herald_client_handler_duration_seconds", "subject" => subject.to_owned())
        .record(took.as_secs_f64());
}
