//! A typed producer: serializes a value, wraps it in an envelope and
//! publishes it on one subject.

use std::marker::PhantomData;

use crate::codec::{CodecError, Serializer};
use crate::envelope::Envelope;
use crate::transport::{Message, Transport, TransportError};

/// Why an event was not published.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProduceError {
    /// The value could not be serialized.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The broker did not take it.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Publishes values of `T` on one broker subject.
pub struct Producer<T, S, Tr> {
    transport: Tr,
    serializer: S,
    subject: String,
    source: String,
    event_type: String,
    value: PhantomData<fn(&T)>,
}

impl<T, S: Serializer<T>, Tr: Transport> Producer<T, S, Tr> {
    /// A producer of `event_type` events from `source`, published on
    /// `subject` through `transport`.
    pub fn new(
        transport: Tr,
        serializer: S,
        subject: &str,
        source: &str,
        event_type: &str,
    ) -> Self {
        Producer {
            transport,
            serializer,
            subject: subject.to_owned(),
            source: source.to_owned(),
            event_type: event_type.to_owned(),
            value: PhantomData,
        }
    }

    /// The transport this producer publishes through.
    pub fn transport(&self) -> &Tr {
        &self.transport
    }

    /// A fresh envelope for this producer's events (new id, current time).
    pub fn envelope(&self) -> Envelope {
        Envelope::new(&self.source, &self.event_type)
    }

    /// Publishes `value` with partition key `key`; returns its envelope.
    pub async fn send(&self, value: &T, key: &str) -> Result<Envelope, ProduceError> {
        let mut envelope = self.envelope();
        envelope.subject = key.to_owned();
        self.send_with(value, envelope).await
    }

    /// Publishes `value` in `envelope` (its id, key, correlation and
    /// causation ids and trace context are kept — without one, the current
    /// span's is used with the `otel` feature; the schema id and content
    /// type are this producer's).
    pub async fn send_with(&self, value: &T, envelope: Envelope) -> Result<Envelope, ProduceError> {
        self.send_on(&self.subject, value, envelope).await
    }

    /// Publishes `value` in `envelope` on broker subject `subject` instead
    /// of this producer's (a reply to a request's `reply_to`).
    pub async fn send_on(
        &self,
        subject: &str,
        value: &T,
        mut envelope: Envelope,
    ) -> Result<Envelope, ProduceError> {
        let payload = self.serializer.serialize(value)?;
        if envelope.traceparent.is_empty()
            && let Some((traceparent, tracestate)) = crate::trace::current()
        {
            envelope.traceparent = traceparent;
            envelope.tracestate = tracestate;
        }
        envelope.schema_id = i32::try_from(self.serializer.schema_id()).unwrap_or(i32::MAX);
        envelope.content_type = self.serializer.content_type().to_owned();
        envelope.data = Vec::new();
        self.transport
            .publish(Message {
                subject: subject.to_owned(),
                headers: envelope.headers(),
                payload,
            })
            .await?;
        crate::counts::sent(subject);
        Ok(envelope)
    }
}
