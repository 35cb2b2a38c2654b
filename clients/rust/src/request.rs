//! Request-reply over any transport. A [`Requester`] publishes a typed
//! request whose envelope names its own reply subject (`ce_replyto`) and
//! waits for the reply whose `ce_correlationid` is the request's id; a
//! [`Responder`] answers requests with a handler.
//!
//! Each requester reads its replies from a reply subject of its own (a
//! topic, stream or queue per requester), so replies never reach another
//! requester. A reply that arrives after its request timed out is dropped
//! (and counted: [`Requester::late_replies`]).

use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::oneshot;

use crate::codec::{Deserializer, Serializer};
use crate::consumer::{ConsumeError, Consumer, Event};
use crate::envelope::Envelope;
use crate::producer::{ProduceError, Producer};
use crate::transport::{Delivery, Transport, TransportError};

/// Why a request got no reply.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The request could not be published.
    #[error(transparent)]
    Produce(#[from] ProduceError),
    /// No reply within the time given (no responder, or a slow one).
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The reply could not be decoded.
    #[error("unreadable reply: {0}")]
    Reply(String),
    /// The requester stopped reading replies (its transport failed).
    #[error("the requester stopped reading replies")]
    Closed,
}

/// Replies being waited for, by request id.
type Waiting<R> = Arc<Mutex<HashMap<String, oneshot::Sender<Result<R, String>>>>>;

fn lock<R>(
    waiting: &Waiting<R>,
) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<Result<R, String>>>> {
    waiting.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends requests of `Req` and waits for replies of `Resp`.
pub struct Requester<Req, S, Resp, Tr> {
    producer: Producer<Req, S, Tr>,
    reply_subject: String,
    waiting: Waiting<Resp>,
    late: Arc<AtomicU64>,
    listener: tokio::task::JoinHandle<()>,
}

impl<Req, S, Resp, Tr> Requester<Req, S, Resp, Tr>
where
    S: Serializer<Req>,
    Resp: Send + 'static,
    Tr: Transport,
{
    /// A requester publishing with `producer` and reading replies, decoded
    /// with `replies`, from `reply_subject` — a subject no other requester
    /// uses (e.g. `<subject>.replies.<instance>`). Returns once it reads
    /// replies.
    pub async fn start<D: Deserializer<Resp> + 'static>(
        producer: Producer<Req, S, Tr>,
        replies: D,
        reply_subject: &str,
    ) -> Result<Self, TransportError> {
        let durable = format!("requester-{}", uuid::Uuid::new_v4().simple());
        let mut deliveries = producer
            .transport()
            .subscribe(reply_subject, &durable)
            .await?;
        let waiting: Waiting<Resp> = Arc::default();
        let late = Arc::new(AtomicU64::new(0));
        let (routes, late_count) = (waiting.clone(), late.clone());
        let listener = tokio::spawn(async move {
            while let Some(Ok(delivery)) = deliveries.next().await {
                let message = delivery.message();
                let request = message
                    .header(crate::envelope::header::CORRELATION_ID)
                    .unwrap_or_default();
                let waiter = lock(&routes).remove(request);
                match waiter {
                    Some(waiter) => {
                        let reply = replies
                            .deserialize(&message.payload)
                            .await
                            .map_err(|e| e.to_string());
                        let _ = waiter.send(reply);
                    }
                    None => {
                        late_count.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(request, "a reply nobody waits for (late?)");
                    }
                }
                if let Err(error) = delivery.ack().await {
                    tracing::warn!(%error, "acknowledging a reply");
                }
            }
            // Replies can no longer arrive: waiting requests fail at once.
            lock(&routes).clear();
        });
        Ok(Requester {
            producer,
            reply_subject: reply_subject.to_owned(),
            waiting,
            late,
            listener,
        })
    }

    /// Sends `value` and waits up to `timeout` for the reply.
    pub async fn request(&self, value: &Req, timeout: Duration) -> Result<Resp, RequestError> {
        let mut envelope = self.producer.envelope();
        envelope.reply_to = self.reply_subject.clone();
        let (sender, reply) = oneshot::channel();
        lock(&self.waiting).insert(envelope.id.clone(), sender);
        let id = envelope.id.clone();
        if let Err(error) = self.producer.send_with(value, envelope).await {
            lock(&self.waiting).remove(&id);
            return Err(error.into());
        }
        match tokio::time::timeout(timeout, reply).await {
            Ok(Ok(reply)) => reply.map_err(RequestError::Reply),
            Ok(Err(_)) => Err(RequestError::Closed),
            Err(_) => {
                lock(&self.waiting).remove(&id);
                Err(RequestError::Timeout(timeout))
            }
        }
    }

    /// Replies that arrived with nobody waiting (after their timeout).
    pub fn late_replies(&self) -> u64 {
        self.late.load(Ordering::Relaxed)
    }
}

impl<Req, S, Resp, Tr> Drop for Requester<Req, S, Resp, Tr> {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// Answers requests of `Req` with replies of `Resp`.
pub struct Responder<Req, D, Resp, S, Tr> {
    requests: Consumer<Req, D, Tr>,
    replies: Producer<Resp, S, Tr>,
}

impl<Req, D, Resp, S, Tr> Responder<Req, D, Resp, S, Tr>
where
    D: Deserializer<Req>,
    S: Serializer<Resp>,
    Tr: Transport,
{
    /// Reads requests with `requests` and publishes replies with `replies`
    /// (its subject is not used: each reply goes to its request's
    /// `reply_to`).
    pub fn new(requests: Consumer<Req, D, Tr>, replies: Producer<Resp, S, Tr>) -> Self {
        Responder { requests, replies }
    }

    /// Answers requests with `handler` until `shutdown` completes; the
    /// consumer's retries and dead letters apply when the handler fails
    /// (the requester then times out).
    pub async fn run<E: Display>(
        &self,
        handler: impl AsyncFn(&Event<Req>) -> Result<Resp, E>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ConsumeError> {
        let answer = async |request: &Event<Req>| -> Result<(), String> {
            let reply = handler(request).await.map_err(|e| e.to_string())?;
            if request.envelope.reply_to.is_empty() {
                tracing::debug!(id = %request.envelope.id, "a request without reply_to");
                return Ok(());
            }
            self.replies
                .send_on(
                    &request.envelope.reply_to,
                    &reply,
                    self.reply_envelope(&request.envelope),
                )
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        self.requests.run(answer, shutdown).await
    }

    /// The envelope of the reply to `request`: correlated to it, caused by
    /// it, with its key and trace.
    fn reply_envelope(&self, request: &Envelope) -> Envelope {
        let mut envelope = self.replies.envelope();
        envelope.correlation_id = request.id.clone();
        envelope.causation_id = request.id.clone();
        envelope.subject = request.subject.clone();
        envelope.traceparent = request.traceparent.clone();
        envelope.tracestate = request.tracestate.clone();
        envelope
    }
}
