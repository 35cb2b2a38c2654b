//! A typed consumer: reads one subject through a durable consumer, hands
//! each event to a handler, and acknowledges it once the handler succeeds.
//!
//! - A failing handler is called again after a growing pause, up to
//!   `max_deliveries` attempts in all (counting deliveries before a crash);
//!   then the message goes to the dead-letter subject with the reason in
//!   the `herald_error` header, and is acknowledged.
//! - A message that cannot be decoded (no envelope, bad frame, unknown
//!   schema id) goes to the dead-letter subject at once.
//! - An event id handled within the idempotency window is acknowledged
//!   without calling the handler again.
//! - Events with the same partition key are handled one at a time in the
//!   broker's order (a retried event holds back the ones after it rather
//!   than being overtaken); with `concurrency` above 1, events of
//!   different keys are handled in parallel.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tracing::Instrument;

use crate::codec::Deserializer;
use crate::counts;
use crate::envelope::Envelope;
use crate::transport::{Delivery, Message, Transport, TransportError};

/// Header with the reason a message was dead-lettered.
pub const ERROR_HEADER: &str = "herald_error";
/// Header with how many times a dead-lettered message was delivered.
pub const DELIVERIES_HEADER: &str = "herald_deliveries";
/// Header with the subject a dead-lettered message came from.
pub const ORIGINAL_SUBJECT_HEADER: &str = "herald_original_subject";

/// An event: its envelope (without the payload) and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<T> {
    /// The CloudEvents attributes.
    pub envelope: Envelope,
    /// The decoded value.
    pub value: T,
}

/// How a consumer retries, dead-letters, deduplicates and spreads work.
#[derive(Clone, Debug)]
pub struct ConsumerConfig {
    /// The durable consumer's name: it resumes where it stopped.
    pub durable: String,
    /// Attempts before a failing event is dead-lettered.
    pub max_deliveries: u64,
    /// The pause after the first failure; doubled after each next one.
    pub backoff: Duration,
    /// The longest pause.
    pub max_backoff: Duration,
    /// Where failed and undecodable messages go; `None` for the
    /// transport's default (`dead-letter.<subject>`, Kafka `<subject>.dlq`).
    pub dead_letter_subject: Option<String>,
    /// How long a handled event id is remembered.
    pub idempotency_window: Duration,
    /// How many events are handled at once: events with different
    /// partition keys (`ce_subject`) in parallel, those with the same key
    /// one after the other, in order.
    pub concurrency: usize,
}

impl ConsumerConfig {
    /// Defaults for durable consumer `durable`: 5 attempts, backoff from
    /// 100 ms to 10 s, the transport's dead-letter subject, ids remembered
    /// for 10 minutes, one event at a time.
    pub fn new(durable: &str) -> ConsumerConfig {
        ConsumerConfig {
            durable: durable.to_owned(),
            max_deliveries: 5,
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            dead_letter_subject: None,
            idempotency_window: Duration::from_secs(600),
            concurrency: 1,
        }
    }

    fn pause(&self, attempt: u64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).min(20)).unwrap_or(20);
        self.backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }
}

/// Why a consumer stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct ConsumeError(#[from] pub TransportError);

/// Event ids handled recently.
struct Seen {
    window: Duration,
    order: VecDeque<(Instant, String)>,
    ids: HashMap<String, Instant>,
}

impl Seen {
    fn new(window: Duration) -> Seen {
        Seen {
            window,
            order: VecDeque::new(),
            ids: HashMap::new(),
        }
    }

    fn contains(&mut self, id: &str) -> bool {
        while let Some((at, _)) = self.order.front()
            && at.elapsed() > self.window
        {
            if let Some((at, id)) = self.order.pop_front()
                && self.ids.get(&id) == Some(&at)
            {
                self.ids.remove(&id);
            }
        }
        self.ids.contains_key(id)
    }

    fn insert(&mut self, id: &str) {
        let now = Instant::now();
        self.ids.insert(id.to_owned(), now);
        self.order.push_back((now, id.to_owned()));
    }
}

fn lock(seen: &Mutex<Seen>) -> std::sync::MutexGuard<'_, Seen> {
    seen.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Deliveries taken from the broker and not yet being handled, in the
/// broker's order, and the partition keys being handled.
struct Schedule<D> {
    waiting: VecDeque<D>,
    busy: HashSet<String>,
}

impl<D> Default for Schedule<D> {
    fn default() -> Self {
        Schedule {
            waiting: VecDeque::new(),
            busy: HashSet::new(),
        }
    }
}

impl<D: Delivery> Schedule<D> {
    /// Up to `free` waiting deliveries that may start now, with their
    /// keys (marked busy): the first of each key not being handled, so
    /// one key's events start in the broker's order.
    fn startable(&mut self, free: usize) -> Vec<(String, D)> {
        let mut started = Vec::new();
        let mut blocked = HashSet::new();
        let mut position = 0;
        while started.len() < free && position < self.waiting.len() {
            let key = partition_key(self.waiting[position].message());
            if self.busy.contains(&key) || !blocked.insert(key.clone()) {
                position += 1;
                continue;
            }
            if let Some(delivery) = self.waiting.remove(position) {
                self.busy.insert(key.clone());
                started.push((key, delivery));
            }
        }
        started
    }
}

/// The key whose events are handled in order: the envelope's partition
/// key, or (without one) the event id, so unkeyed events run freely.
fn partition_key(message: &Message) -> String {
    message
        .header(crate::envelope::header::SUBJECT)
        .or_else(|| message.header(crate::envelope::header::ID))
        .unwrap_or_default()
        .to_owned()
}

/// Reads values of `T` from one broker subject.
pub struct Consumer<T, D, Tr> {
    transport: Tr,
    deserializer: D,
    subject: String,
    config: ConsumerConfig,
    value: PhantomData<fn() -> T>,
}

impl<T, D: Deserializer<T>, Tr: Transport> Consumer<T, D, Tr> {
    /// A consumer of `subject` through `transport`.
    pub fn new(transport: Tr, deserializer: D, subject: &str, config: ConsumerConfig) -> Self {
        Consumer {
            transport,
            deserializer,
            subject: subject.to_owned(),
            config,
            value: PhantomData,
        }
    }

    /// Handles events with `handler` until `shutdown` completes (or the
    /// broker ends the stream), then lets the events being handled finish.
    /// An `Err` from the handler means "not handled": the event is
    /// retried, then dead-lettered. Up to `concurrency` events are handled
    /// at once, never two with the same partition key.
    pub async fn run<E: Display>(
        &self,
        handler: impl AsyncFn(&Event<T>) -> Result<(), E>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ConsumeError> {
        let mut deliveries = self
            .transport
            .subscribe(&self.subject, &self.config.durable)
            .await?;
        let seen = Mutex::new(Seen::new(self.config.idempotency_window));
        let concurrency = self.config.concurrency.max(1);
        let mut schedule = Schedule::default();
        let mut running = FuturesUnordered::new();
        let start = |key: String, delivery: Tr::Delivery| {
            let (handler, seen) = (&handler, &seen);
            async move { (key, self.handle(delivery, handler, seen).await) }
        };
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            for (key, delivery) in schedule.startable(concurrency - running.len()) {
                running.push(start(key, delivery));
            }
            let pull = schedule.waiting.len() + running.len() < 2 * concurrency;
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some((key, handled)) = running.next() => {
                    handled?;
                    schedule.busy.remove(&key);
                }
                next = deliveries.next(), if pull => match next {
                    Some(delivery) => schedule.waiting.push_back(delivery?),
                    None => break,
                },
            }
        }
        // Graceful shutdown: what is being handled finishes; what waits is
        // left unacknowledged, for the broker to deliver again.
        while let Some((_, handled)) = running.next().await {
            handled?;
        }
        Ok(())
    }

    async fn handle<E: Display>(
        &self,
        delivery: Tr::Delivery,
        handler: &impl AsyncFn(&Event<T>) -> Result<(), E>,
        seen: &Mutex<Seen>,
    ) -> Result<(), ConsumeError> {
        let event = match self.decode(delivery.message()).await {
            Ok(event) => event,
            Err(reason) => {
                let poison = format!("undecodable: {reason}");
                self.dead_letter(delivery.message(), &poison, delivery.delivery_count())
                    .await?;
                counts::dead_lettered(&self.subject, "undecodable");
                return Ok(delivery.ack().await?);
            }
        };
        if lock(seen).contains(&event.envelope.id) {
            counts::handled(&self.subject, "duplicate");
            return Ok(delivery.ack().await?);
        }
        let span = crate::trace::handling_span(&event.envelope, &self.subject);
        let mut attempt = delivery.delivery_count().max(1);
        loop {
            let started = std::time::Instant::now();
            let outcome = handler(&event).instrument(span.clone()).await;
            counts::handler_took(&self.subject, started.elapsed());
            match outcome {
                Ok(()) => {
                    counts::handled(&self.subject, "ok");
                    break;
                }
                Err(error) if attempt >= self.config.max_deliveries => {
                    tracing::warn!(id = %event.envelope.id, %error, attempt, "dead-lettering");
                    self.dead_letter(delivery.message(), &error.to_string(), attempt)
                        .await?;
                    counts::dead_lettered(&self.subject, "handler");
                    counts::handled(&self.subject, "dead_lettered");
                    break;
                }
                Err(error) => {
                    counts::retried(&self.subject);
                    tracing::debug!(id = %event.envelope.id, %error, attempt, "retrying");
                    tokio::time::sleep(self.config.pause(attempt)).await;
                    delivery.in_progress().await?;
                    attempt += 1;
                }
            }
        }
        lock(seen).insert(&event.envelope.id);
        Ok(delivery.ack().await?)
    }

    async fn decode(&self, message: &Message) -> Result<Event<T>, String> {
        let envelope =
            Envelope::from_headers(&message.headers, Vec::new()).map_err(|e| e.to_string())?;
        let value = self
            .deserializer
            .deserialize(&message.payload)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Event { envelope, value })
    }

    async fn dead_letter(
        &self,
        message: &Message,
        reason: &str,
        deliveries: u64,
    ) -> Result<(), TransportError> {
        let mut headers = message.headers.clone();
        headers.push((ERROR_HEADER.to_owned(), reason.to_owned()));
        headers.push((DELIVERIES_HEADER.to_owned(), deliveries.to_string()));
        headers.push((ORIGINAL_SUBJECT_HEADER.to_owned(), message.subject.clone()));
        self.transport
            .publish(Message {
                subject: self
                    .config
                    .dead_letter_subject
                    .clone()
                    .unwrap_or_else(|| self.transport.dead_letter_subject(&self.subject)),
                headers,
                payload: message.payload.clone(),
            })
            .await
    }
}
