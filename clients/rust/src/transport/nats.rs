//! NATS JetStream: a stream stores the subjects; each consumer is a
//! durable pull consumer with explicit acknowledgement.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, AckKind, consumer, stream};
use futures_util::StreamExt;

use super::{Deliveries, Delivery, Message, Transport, TransportError};

/// How long JetStream waits for an acknowledgement before redelivering,
/// unless set with [`JetStreamTransport::with_ack_wait`].
const ACK_WAIT: Duration = Duration::from_secs(30);

/// A JetStream stream and the client that reaches it; clones share the
/// connection.
#[derive(Clone)]
pub struct JetStreamTransport {
    context: jetstream::Context,
    stream: stream::Stream,
    ack_wait: Duration,
}

fn failed(action: &str) -> impl Fn(&dyn std::fmt::Display) -> TransportError + '_ {
    move |error| TransportError(format!("{action}: {error}"))
}

impl JetStreamTransport {
    /// Connects to NATS at `url` and uses (creating it if needed) the
    /// stream `name` holding `subjects` (wildcards allowed).
    pub async fn connect(url: &str, name: &str, subjects: &[&str]) -> Result<Self, TransportError> {
        let client = async_nats::connect(url)
            .await
            .map_err(|e| failed("connecting to NATS")(&e))?;
        let context = jetstream::new(client);
        let stream = context
            .get_or_create_stream(stream::Config {
                name: name.to_owned(),
                subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
                ..stream::Config::default()
            })
            .await
            .map_err(|e| failed("creating the stream")(&e))?;
        Ok(JetStreamTransport {
            context,
            stream,
            ack_wait: ACK_WAIT,
        })
    }

    /// How long JetStream waits for a consumer created from now on to
    /// acknowledge a message (or report progress) before delivering it
    /// again: how soon a crashed consumer's message comes back (30 s).
    pub fn with_ack_wait(mut self, ack_wait: Duration) -> Self {
        self.ack_wait = ack_wait;
        self
    }

    /// Deletes the stream and everything in it.
    pub async fn delete_stream(self) -> Result<(), TransportError> {
        let name = self.stream.cached_info().config.name.clone();
        self.context
            .delete_stream(&name)
            .await
            .map(|_| ())
            .map_err(|e| failed("deleting the stream")(&e))
    }
}

impl Transport for JetStreamTransport {
    type Delivery = JetStreamDelivery;

    async fn publish(&self, message: Message) -> Result<(), TransportError> {
        let mut headers = HeaderMap::new();
        for (name, value) in &message.headers {
            headers.insert(name.as_str(), value.as_str());
        }
        self.context
            .publish_with_headers(message.subject, headers, message.payload.into())
            .await
            .map_err(|e| failed("publishing")(&e))?
            .await
            .map_err(|e| failed("waiting for the publish acknowledgement")(&e))?;
        Ok(())
    }

    async fn subscribe(
        &self,
        subject: &str,
        durable: &str,
    ) -> Result<Deliveries<JetStreamDelivery>, TransportError> {
        let consumer = self
            .stream
            .get_or_create_consumer(
                durable,
                consumer::pull::Config {
                    durable_name: Some(durable.to_owned()),
                    filter_subject: subject.to_owned(),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: self.ack_wait,
                    ..consumer::pull::Config::default()
                },
            )
            .await
            .map_err(|e| failed("creating the consumer")(&e))?;
        let messages = consumer
            .messages()
            .await
            .map_err(|e| failed("pulling messages")(&e))?;
        Ok(Box::pin(messages.map(|next| {
            let inner = next.map_err(|e| failed("receiving")(&e))?;
            let count = inner
                .info()
                .map(|info| u64::try_from(info.delivered).unwrap_or(1))
                .unwrap_or(1);
            let headers = inner
                .headers
                .iter()
                .flat_map(|map| map.iter())
                .flat_map(|(name, values)| {
                    values
                        .iter()
                        .map(move |value| (name.to_string(), value.as_str().to_owned()))
                })
                .collect();
            let message = Message {
                subject: inner.subject.to_string(),
                headers,
                payload: inner.payload.to_vec(),
            };
            Ok(JetStreamDelivery {
                inner,
                count,
                message,
            })
        })))
    }
}

/// A delivery from JetStream.
pub struct JetStreamDelivery {
    inner: jetstream::Message,
    count: u64,
    message: Message,
}

impl Delivery for JetStreamDelivery {
    fn message(&self) -> &Message {
        &self.message
    }

    fn delivery_count(&self) -> u64 {
        self.count
    }

    async fn ack(self) -> Result<(), TransportError> {
        self.inner
            .double_ack()
            .await
            .map_err(|e| failed("acknowledging")(&e))
    }

    async fn in_progress(&self) -> Result<(), TransportError> {
        self.inner
            .ack_with(AckKind::Progress)
            .await
            .map_err(|e| failed("extending the acknowledgement deadline")(&e))
    }
}
