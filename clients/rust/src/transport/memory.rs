//! An in-process broker with JetStream's delivery semantics: an ordered
//! log, durable consumers that resume after their last acknowledged
//! message, and redelivery of what was delivered but not acknowledged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::{Deliveries, Delivery, Message, Transport, TransportError, subject_matches};

/// An in-memory broker; clones share it.
#[derive(Clone, Default)]
pub struct MemoryTransport {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    published: Notify,
}

#[derive(Default)]
struct State {
    log: Vec<Message>,
    /// Per durable consumer: acknowledged positions and delivery counts.
    consumers: HashMap<String, Progress>,
}

#[derive(Default)]
struct Progress {
    acked: Vec<bool>,
    deliveries: HashMap<usize, u64>,
}

impl MemoryTransport {
    /// An empty broker.
    pub fn new() -> MemoryTransport {
        MemoryTransport::default()
    }

    /// Every message published on a subject `pattern` matches, in order.
    pub fn published(&self, pattern: &str) -> Vec<Message> {
        self.lock()
            .log
            .iter()
            .filter(|m| subject_matches(pattern, &m.subject))
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The next message for `durable` at or after `from`, delivered.
    fn next(&self, subject: &str, durable: &str, from: usize) -> Option<MemoryDelivery> {
        let mut state = self.lock();
        let State { log, consumers } = &mut *state;
        let progress = consumers.entry(durable.to_owned()).or_default();
        let position = (from..log.len()).find(|&position| {
            subject_matches(subject, &log[position].subject)
                && !progress.acked.get(position).copied().unwrap_or(false)
        })?;
        let count = progress.deliveries.entry(position).or_insert(0);
        *count += 1;
        Some(MemoryDelivery {
            broker: self.clone(),
            durable: durable.to_owned(),
            position,
            count: *count,
            message: log[position].clone(),
        })
    }
}

impl Transport for MemoryTransport {
    type Delivery = MemoryDelivery;

    async fn publish(&self, message: Message) -> Result<(), TransportError> {
        self.lock().log.push(message);
        self.inner.published.notify_waiters();
        Ok(())
    }

    async fn subscribe(
        &self,
        subject: &str,
        durable: &str,
    ) -> Result<Deliveries<MemoryDelivery>, TransportError> {
        let (broker, subject, durable) = (self.clone(), subject.to_owned(), durable.to_owned());
        let stream = futures_util::stream::unfold(0usize, move |from| {
            let (broker, subject, durable) = (broker.clone(), subject.clone(), durable.clone());
            async move {
                loop {
                    let published = broker.inner.published.notified();
                    if let Some(delivery) = broker.next(&subject, &durable, from) {
                        let next = delivery.position + 1;
                        return Some((Ok(delivery), next));
                    }
                    published.await;
                }
            }
        });
        Ok(Box::pin(stream))
    }
}

/// A delivery from [`MemoryTransport`].
pub struct MemoryDelivery {
    broker: MemoryTransport,
    durable: String,
    position: usize,
    count: u64,
    message: Message,
}

impl Delivery for MemoryDelivery {
    fn message(&self) -> &Message {
        &self.message
    }

    fn delivery_count(&self) -> u64 {
        self.count
    }

    async fn ack(self) -> Result<(), TransportError> {
        let mut state = self.broker.lock();
        let progress = state.consumers.entry(self.durable).or_default();
        if progress.acked.len() <= self.position {
            progress.acked.resize(self.position + 1, false);
        }
        progress.acked[self.position] = true;
        Ok(())
    }

    async fn in_progress(&self) -> Result<(), TransportError> {
        Ok(())
    }
}
