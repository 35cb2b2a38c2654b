//! Apache Kafka, through librdkafka (built from its bundled source): an
//! idempotent producer (`acks=all`) that sends the envelope as record
//! headers and the partition key (`ce_subject`) as the record key, so one
//! key stays in one partition and in order; a consumer group per durable
//! consumer, which commits an offset only once every record before it in
//! its partition has been handled.
//!
//! Topics are created on first use (3 partitions, replication factor 1
//! unless set with [`KafkaTransport::with_new_topics`]); topics that exist
//! are used as they are.
//!
//! Kafka does not count deliveries: a record delivered again after a
//! restart or a rebalance counts from 1 again, so `max_deliveries` counts
//! the attempts one process makes. Dead letters go to `<topic>.dlq`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer as _, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Header, Headers as _, Message as _, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientContext, TopicPartitionList};

use super::{Deliveries, Delivery, Message, Transport, TransportError};
use crate::envelope::header;

/// How long a publish may wait in the producer's queue.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(30);

fn failed(action: &str) -> impl Fn(&dyn std::fmt::Display) -> TransportError + '_ {
    move |error| TransportError(format!("{action}: {error}"))
}

/// A Kafka cluster: an idempotent producer, and consumers made on
/// subscription; clones share the producer.
#[derive(Clone)]
pub struct KafkaTransport {
    bootstrap: String,
    producer: FutureProducer,
    admin: Arc<AdminClient<DefaultClientContext>>,
    known_topics: Arc<Mutex<HashSet<String>>>,
    new_topics: (i32, i32),
    session_timeout: Duration,
}

impl KafkaTransport {
    /// Connects to the cluster whose brokers are `bootstrap`
    /// (`host:port[,host:port...]`).
    pub fn connect(bootstrap: &str) -> Result<Self, TransportError> {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "1")
            .create()
            .map_err(|e| failed("creating the Kafka producer")(&e))?;
        let admin = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .map_err(|e| failed("creating the Kafka admin client")(&e))?;
        Ok(KafkaTransport {
            bootstrap: bootstrap.to_owned(),
            producer,
            admin: Arc::new(admin),
            known_topics: Arc::default(),
            new_topics: (3, 1),
            session_timeout: Duration::from_secs(10),
        })
    }

    /// How topics this transport creates are made: `partitions`
    /// partitions, each on `replication` brokers (default 3 and 1).
    pub fn with_new_topics(mut self, partitions: i32, replication: i32) -> Self {
        self.new_topics = (partitions, replication);
        self
    }

    /// Creates `topic` unless it exists (checked once per transport).
    async fn ensure_topic(&self, topic: &str) -> Result<(), TransportError> {
        if self
            .known_topics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(topic)
        {
            return Ok(());
        }
        let (partitions, replication) = self.new_topics;
        let created = self
            .admin
            .create_topics(
                &[NewTopic::new(
                    topic,
                    partitions,
                    TopicReplication::Fixed(replication),
                )],
                &AdminOptions::new(),
            )
            .await
            .map_err(|e| failed("creating the topic")(&e))?;
        for result in created {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((name, code)) => {
                    return Err(TransportError(format!("creating topic {name}: {code}")));
                }
            }
        }
        self.known_topics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(topic.to_owned());
        Ok(())
    }

    /// How long the group waits for a silent consumer before giving its
    /// partitions to another (default 10 s; the broker bounds it).
    pub fn with_session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    fn consumer(
        &self,
        group: &str,
        context: GroupContext,
    ) -> Result<StreamConsumer<GroupContext>, TransportError> {
        ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .set("group.id", group)
            .set("auto.offset.reset", "earliest")
            // Offsets are stored by `ack` only, and committed from there.
            .set("enable.auto.offset.store", "false")
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "500")
            .set(
                "session.timeout.ms",
                self.session_timeout.as_millis().to_string(),
            )
            .create_with_context(context)
            .map_err(|e| failed("creating the Kafka consumer")(&e))
    }
}

impl Transport for KafkaTransport {
    type Delivery = KafkaDelivery;

    async fn publish(&self, message: Message) -> Result<(), TransportError> {
        self.ensure_topic(&message.subject).await?;
        let mut headers = OwnedHeaders::new_with_capacity(message.headers.len());
        for (name, value) in &message.headers {
            headers = headers.insert(Header {
                key: name,
                value: Some(value),
            });
        }
        let key = message.header(header::SUBJECT).map(str::to_owned);
        let mut record = FutureRecord::<str, [u8]>::to(&message.subject)
            .payload(&message.payload)
            .headers(headers);
        if let Some(key) = &key {
            record = record.key(key);
        }
        self.producer
            .send(record, QUEUE_TIMEOUT)
            .await
            .map(|_| ())
            .map_err(|(error, _)| failed("publishing to Kafka")(&error))
    }

    async fn subscribe(
        &self,
        subject: &str,
        durable: &str,
    ) -> Result<Deliveries<KafkaDelivery>, TransportError> {
        self.ensure_topic(subject).await?;
        let progress = Arc::new(Progress::default());
        let consumer = Arc::new(self.consumer(
            durable,
            GroupContext {
                progress: progress.clone(),
            },
        )?);
        consumer
            .subscribe(&[subject])
            .map_err(|e| failed("subscribing")(&e))?;
        let stream = futures_util::stream::unfold(consumer, move |consumer| {
            let progress = progress.clone();
            async move {
                let next = match consumer.recv().await {
                    Ok(record) => Ok(KafkaDelivery::taken(&record, &consumer, progress)),
                    Err(error) => Err(failed("receiving from Kafka")(&error)),
                };
                Some((next, consumer))
            }
        });
        Ok(Box::pin(stream))
    }

    fn dead_letter_subject(&self, subject: &str) -> String {
        format!("{subject}.dlq")
    }
}

/// Per partition: the offsets delivered and not yet handled, and the
/// offset after the last one delivered.
#[derive(Default)]
struct Progress {
    partitions: Mutex<HashMap<(String, i32), InFlight>>,
}

#[derive(Default)]
struct InFlight {
    pending: BTreeSet<i64>,
    next: i64,
}

impl Progress {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, i32), InFlight>> {
        self.partitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn delivered(&self, topic: &str, partition: i32, offset: i64) {
        let mut partitions = self.lock();
        let in_flight = partitions.entry((topic.to_owned(), partition)).or_default();
        in_flight.pending.insert(offset);
        in_flight.next = in_flight.next.max(offset + 1);
    }

    /// Marks `offset` handled; returns the last offset of the partition
    /// whose every predecessor is handled too (what may be committed).
    fn handled(&self, topic: &str, partition: i32, offset: i64) -> Option<i64> {
        let mut partitions = self.lock();
        let in_flight = partitions.get_mut(&(topic.to_owned(), partition))?;
        in_flight.pending.remove(&offset);
        let first_unhandled = in_flight.pending.first().copied().unwrap_or(in_flight.next);
        Some(first_unhandled - 1)
    }

    /// Forgets revoked partitions: what is still in flight there is
    /// abandoned, and the partition's next owner receives it again.
    fn revoked(&self, partitions: &TopicPartitionList) {
        let mut progress = self.lock();
        for element in partitions.elements() {
            progress.remove(&(element.topic().to_owned(), element.partition()));
        }
    }
}

/// The consumer's context: commits what was handled before partitions are
/// taken away.
struct GroupContext {
    progress: Arc<Progress>,
}

impl ClientContext for GroupContext {}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(partitions) = rebalance {
            match consumer.commit_consumer_state(CommitMode::Sync) {
                Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
                Err(error) => tracing::warn!(%error, "committing before a rebalance"),
            }
            self.progress.revoked(partitions);
        }
    }
}

/// A record delivered by Kafka.
pub struct KafkaDelivery {
    consumer: Arc<StreamConsumer<GroupContext>>,
    progress: Arc<Progress>,
    partition: i32,
    offset: i64,
    message: Message,
}

impl KafkaDelivery {
    fn taken(
        record: &BorrowedMessage<'_>,
        consumer: &Arc<StreamConsumer<GroupContext>>,
        progress: Arc<Progress>,
    ) -> KafkaDelivery {
        let headers = record
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .map(|header| {
                        let value = header.value.unwrap_or_default();
                        (
                            header.key.to_owned(),
                            String::from_utf8_lossy(value).into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        progress.delivered(record.topic(), record.partition(), record.offset());
        KafkaDelivery {
            consumer: consumer.clone(),
            progress,
            partition: record.partition(),
            offset: record.offset(),
            message: Message {
                subject: record.topic().to_owned(),
                headers,
                payload: record.payload().unwrap_or_default().to_vec(),
            },
        }
    }
}

impl Delivery for KafkaDelivery {
    fn message(&self) -> &Message {
        &self.message
    }

    fn delivery_count(&self) -> u64 {
        1
    }

    async fn ack(self) -> Result<(), TransportError> {
        let topic = &self.message.subject;
        let Some(handled) = self.progress.handled(topic, self.partition, self.offset) else {
            // The partition was revoked meanwhile: its new owner has it.
            return Ok(());
        };
        if handled < 0 {
            return Ok(());
        }
        match self.consumer.store_offset(topic, self.partition, handled) {
            Ok(()) => Ok(()),
            Err(KafkaError::StoreOffset(RDKafkaErrorCode::State)) => Ok(()),
            Err(error) => Err(failed("storing the offset")(&error)),
        }
    }

    async fn in_progress(&self) -> Result<(), TransportError> {
        Ok(())
    }
}
