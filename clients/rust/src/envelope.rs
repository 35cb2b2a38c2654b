//! The event envelope (`proto/herald/envelope/v1/envelope.proto`): an
//! event's CloudEvents attributes, carried as message headers (`ce_id`,
//! `ce_type`, ...) on brokers that have them.

use std::time::{SystemTime, UNIX_EPOCH};

use herald_core::time::{parse_rfc3339, rfc3339};
use prost_types::Timestamp;

/// The generated `herald.envelope.v1` types.
pub mod v1 {
    #![allow(missing_docs)]
    include!(concat!(env!("OUT_DIR"), "/herald.envelope.v1.rs"));
}

pub use v1::Envelope;

/// Message headers: name and value pairs, in order.
pub type Headers = Vec<(String, String)>;

/// Why headers do not form an envelope.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// A required attribute is missing.
    #[error("missing header {0}")]
    Missing(&'static str),
    /// An attribute's value cannot be read.
    #[error("header {name} has an unreadable value '{value}'")]
    Unreadable {
        /// The header.
        name: &'static str,
        /// Its value.
        value: String,
    },
}

/// Header names, as CloudEvents' Kafka binding spells the attributes.
pub mod header {
    /// CloudEvents spec version (always `1.0`).
    pub const SPEC_VERSION: &str = "ce_specversion";
    /// Event id.
    pub const ID: &str = "ce_id";
    /// Producing service.
    pub const SOURCE: &str = "ce_source";
    /// Event type.
    pub const TYPE: &str = "ce_type";
    /// Event time, RFC 3339.
    pub const TIME: &str = "ce_time";
    /// Partition key.
    pub const SUBJECT: &str = "ce_subject";
    /// Correlation id.
    pub const CORRELATION_ID: &str = "ce_correlationid";
    /// Causation id.
    pub const CAUSATION_ID: &str = "ce_causationid";
    /// Registry schema id.
    pub const SCHEMA_ID: &str = "ce_schemaid";
    /// W3C trace context.
    pub const TRACEPARENT: &str = "traceparent";
    /// W3C trace state.
    pub const TRACESTATE: &str = "tracestate";
    /// Where a reply goes (request-reply).
    pub const REPLY_TO: &str = "ce_replyto";
    /// The payload's media type.
    pub const CONTENT_TYPE: &str = "content-type";
}

impl Envelope {
    /// A new event from `source` of `event_type`: a fresh id, the current time.
    pub fn new(source: &str, event_type: &str) -> Envelope {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Envelope {
            id: uuid::Uuid::new_v4().to_string(),
            source: source.to_owned(),
            r#type: event_type.to_owned(),
            time: Some(Timestamp {
                seconds: i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
                nanos: i32::try_from(now.subsec_nanos()).unwrap_or_default(),
            }),
            ..Envelope::default()
        }
    }

    /// The attributes as headers (empty ones left out); the payload is the body.
    pub fn headers(&self) -> Headers {
        let mut headers = vec![(header::SPEC_VERSION.to_owned(), "1.0".to_owned())];
        let mut put = |name: &str, value: String| {
            if !value.is_empty() {
                headers.push((name.to_owned(), value));
            }
        };
        put(header::ID, self.id.clone());
        put(header::SOURCE, self.source.clone());
        put(header::TYPE, self.r#type.clone());
        put(
            header::TIME,
            self.time
                .map(|t| rfc3339(t.seconds, u32::try_from(t.nanos).unwrap_or_default()))
                .unwrap_or_default(),
        );
        put(header::SUBJECT, self.subject.clone());
        put(header::CORRELATION_ID, self.correlation_id.clone());
        put(header::CAUSATION_ID, self.causation_id.clone());
        put(header::TRACEPARENT, self.traceparent.clone());
        put(header::TRACESTATE, self.tracestate.clone());
        put(header::REPLY_TO, self.reply_to.clone());
        put(header::SCHEMA_ID, self.schema_id.to_string());
        put(header::CONTENT_TYPE, self.content_type.clone());
        headers
    }

    /// The envelope of a message with `headers` and body `data`; `ce_id`
    /// is required.
    pub fn from_headers(
        headers: &[(String, String)],
        data: Vec<u8>,
    ) -> Result<Envelope, EnvelopeError> {
        let get = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
        };
        let id = get(header::ID).ok_or(EnvelopeError::Missing(header::ID))?;
        let time = match get(header::TIME) {
            Some(value) => {
                let (seconds, nanos) = parse_rfc3339(&value).ok_or(EnvelopeError::Unreadable {
                    name: header::TIME,
                    value,
                })?;
                Some(Timestamp {
                    seconds,
                    nanos: i32::try_from(nanos).unwrap_or_default(),
                })
            }
            None => None,
        };
        let schema_id = match get(header::SCHEMA_ID) {
            Some(value) => value.parse().map_err(|_| EnvelopeError::Unreadable {
                name: header::SCHEMA_ID,
                value,
            })?,
            None => 0,
        };
        Ok(Envelope {
            id,
            source: get(header::SOURCE).unwrap_or_default(),
            r#type: get(header::TYPE).unwrap_or_default(),
            time,
            subject: get(header::SUBJECT).unwrap_or_default(),
            correlation_id: get(header::CORRELATION_ID).unwrap_or_default(),
            causation_id: get(header::CAUSATION_ID).unwrap_or_default(),
            traceparent: get(header::TRACEPARENT).unwrap_or_default(),
            tracestate: get(header::TRACESTATE).unwrap_or_default(),
            reply_to: get(header::REPLY_TO).unwrap_or_default(),
            schema_id,
            content_type: get(header::CONTENT_TYPE).unwrap_or_default(),
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_round_trip_through_headers() {
        let mut envelope = Envelope::new("/orders-service", "orders-value");
        envelope.subject = "customer-42".to_owned();
        envelope.correlation_id = "checkout-7".to_owned();
        envelope.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned();
        envelope.tracestate = "vendor=1".to_owned();
        envelope.reply_to = "orders.replies.7".to_owned();
        envelope.schema_id = 12;
        envelope.content_type = "application/avro".to_owned();
        let headers = envelope.headers();
        assert!(headers.contains(&("ce_id".to_owned(), envelope.id.clone())));
        assert!(headers.contains(&("ce_specversion".to_owned(), "1.0".to_owned())));
        assert!(
            !headers.iter().any(|(name, _)| name == "ce_causationid"),
            "empty attributes are left out"
        );
        let back = Envelope::from_headers(&headers, vec![1, 2]).expect("envelope");
        assert_eq!(back.data, vec![1, 2]);
        assert_eq!(
            Envelope {
                data: Vec::new(),
                ..back
            },
            envelope
        );
        assert_eq!(
            Envelope::from_headers(&[], Vec::new()),
            Err(EnvelopeError::Missing("ce_id"))
        );
    }
}
