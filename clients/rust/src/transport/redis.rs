//! Redis Streams: one stream per subject (`XADD`, optionally trimmed with
//! `MAXLEN ~`), one consumer group per durable consumer (`XREADGROUP`),
//! `XACK` once handled. Entries a crashed consumer left pending are claimed
//! after an idle timeout (`XAUTOCLAIM`), with their delivery count.
//!
//! An entry holds the payload in the field `payload` and the headers, in
//! order, in the field `headers` as a JSON array of `[name, value]` pairs
//! (two fields per entry: each field is a separate bulk string to Redis).

use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use redis::streams::{StreamId, StreamRangeReply, StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, Value};

use super::{Deliveries, Delivery, Message, Transport, TransportError};

/// Entries read per round trip.
const BATCH: usize = 16;
/// How long one `XREADGROUP` waits for new entries.
const BLOCK: Duration = Duration::from_millis(500);
/// How long an entry stays pending before another consumer claims it.
pub const CLAIM_AFTER: Duration = Duration::from_secs(30);

fn failed(action: &str) -> impl Fn(redis::RedisError) -> TransportError + '_ {
    move |error| TransportError(format!("{action}: {error}"))
}

/// A Redis server holding the streams; clones share the connection.
#[derive(Clone)]
pub struct RedisTransport {
    connection: ConnectionManager,
    /// Prefix of every stream key (e.g. a namespace per application).
    prefix: String,
    /// `MAXLEN ~` of each stream on publish (`None`: untrimmed).
    max_len: Option<usize>,
    /// Idle time after which pending entries are claimed.
    claim_after: Duration,
}

impl RedisTransport {
    /// Connects to Redis at `url` (`redis://127.0.0.1:6379`); streams are
    /// named `{prefix}{subject}`.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisTransport, TransportError> {
        let client = redis::Client::open(url).map_err(failed("opening the Redis client"))?;
        let connection = ConnectionManager::new(client)
            .await
            .map_err(failed("connecting to Redis"))?;
        Ok(RedisTransport {
            connection,
            prefix: prefix.to_owned(),
            max_len: None,
            claim_after: CLAIM_AFTER,
        })
    }

    /// The same transport, trimming each stream to about `max_len` entries.
    pub fn with_max_len(mut self, max_len: usize) -> RedisTransport {
        self.max_len = Some(max_len);
        self
    }

    /// The same transport, claiming entries left pending this long.
    pub fn with_claim_after(mut self, idle: Duration) -> RedisTransport {
        self.claim_after = idle;
        self
    }

    /// Deletes the streams of `subjects` (and their consumer groups).
    pub async fn delete(&self, subjects: &[&str]) -> Result<(), TransportError> {
        let keys: Vec<String> = subjects.iter().map(|s| self.key(s)).collect();
        let mut connection = self.connection.clone();
        let _: i64 = connection
            .del(keys)
            .await
            .map_err(failed("deleting the streams"))?;
        Ok(())
    }

    fn key(&self, subject: &str) -> String {
        format!("{}{subject}", self.prefix)
    }
}

impl Transport for RedisTransport {
    type Delivery = RedisDelivery;

    async fn publish(&self, message: Message) -> Result<(), TransportError> {
        let headers = serde_json::to_vec(&message.headers)
            .map_err(|e| TransportError(format!("encoding the headers: {e}")))?;
        let fields = [("payload", message.payload), ("headers", headers)];
        let key = self.key(&message.subject);
        let mut connection = self.connection.clone();
        let _: String = match self.max_len {
            Some(max_len) => {
                connection
                    .xadd_maxlen(
                        &key,
                        redis::streams::StreamMaxlen::Approx(max_len),
                        "*",
                        &fields,
                    )
                    .await
            }
            None => connection.xadd(&key, "*", &fields).await,
        }
        .map_err(failed("publishing"))?;
        Ok(())
    }

    async fn subscribe(
        &self,
        subject: &str,
        durable: &str,
    ) -> Result<Deliveries<RedisDelivery>, TransportError> {
        let key = self.key(subject);
        let mut connection = self.connection.clone();
        let created: Result<(), redis::RedisError> =
            connection.xgroup_create_mkstream(&key, durable, "0").await;
        if let Err(error) = created
            && error.code() != Some("BUSYGROUP")
        {
            return Err(failed("creating the consumer group")(error));
        }
        let reader = Reader {
            connection,
            key,
            subject: subject.to_owned(),
            group: durable.to_owned(),
            consumer: format!("{durable}-{}", uuid::Uuid::new_v4()),
            claim_after: self.claim_after,
            claim_cursor: "0-0".to_owned(),
        };
        let entries = futures_util::stream::unfold(reader, |mut reader| async move {
            let batch = reader.next_batch().await;
            Some((batch, reader))
        });
        Ok(Box::pin(
            entries
                .map(|batch| match batch {
                    Ok(deliveries) => deliveries.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(error) => vec![Err(error)],
                })
                .flat_map(futures_util::stream::iter),
        ))
    }
}

/// One consumer of a group, reading its stream.
struct Reader {
    connection: ConnectionManager,
    key: String,
    subject: String,
    group: String,
    consumer: String,
    claim_after: Duration,
    /// Where the next `XAUTOCLAIM` scan starts.
    claim_cursor: String,
}

impl Reader {
    /// Entries left pending by others (claimed), else new ones; waits at
    /// most [`BLOCK`] when there is nothing.
    async fn next_batch(&mut self) -> Result<Vec<RedisDelivery>, TransportError> {
        let claimed = self.claim().await?;
        if !claimed.is_empty() {
            return Ok(claimed);
        }
        let options = StreamReadOptions::default()
            .group(&self.group, &self.consumer)
            .count(BATCH)
            .block(usize::try_from(BLOCK.as_millis()).unwrap_or(500));
        let reply: Option<StreamReadReply> = self
            .connection
            .xread_options(&[&self.key], &[">"], &options)
            .await
            .map_err(failed("reading the stream"))?;
        let entries = reply
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|key| key.ids);
        Ok(entries.map(|entry| self.delivery(&entry, 1)).collect())
    }

    /// Entries pending longer than the claim timeout, now this consumer's,
    /// with how often they were delivered.
    async fn claim(&mut self) -> Result<Vec<RedisDelivery>, TransportError> {
        let idle = u64::try_from(self.claim_after.as_millis()).unwrap_or(u64::MAX);
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(&self.key)
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(idle)
            .arg(&self.claim_cursor)
            .arg("COUNT")
            .arg(BATCH)
            .query_async(&mut self.connection)
            .await
            .map_err(failed("claiming pending entries"))?;
        let Value::Array(parts) = reply else {
            return Ok(Vec::new());
        };
        let mut parts = parts.into_iter();
        if let Some(cursor) = parts.next() {
            self.claim_cursor =
                redis::from_redis_value(&cursor).unwrap_or_else(|_| "0-0".to_owned());
        }
        let entries: Vec<StreamId> = parts
            .next()
            .and_then(|entries| redis::from_redis_value::<StreamRangeReply>(&entries).ok())
            .map(|range| range.ids)
            .unwrap_or_default();
        let mut claimed = Vec::with_capacity(entries.len());
        for entry in entries {
            let count = self.times_delivered(&entry.id).await?;
            claimed.push(self.delivery(&entry, count));
        }
        Ok(claimed)
    }

    /// How many times the group has delivered entry `id` (`XPENDING`).
    async fn times_delivered(&mut self, id: &str) -> Result<u64, TransportError> {
        let reply: Value = redis::cmd("XPENDING")
            .arg(&self.key)
            .arg(&self.group)
            .arg(id)
            .arg(id)
            .arg(1)
            .query_async(&mut self.connection)
            .await
            .map_err(failed("reading the delivery count"))?;
        let count = match reply {
            Value::Array(rows) => rows.into_iter().next().and_then(|row| match row {
                Value::Array(fields) => fields
                    .get(3)
                    .and_then(|count| redis::from_redis_value::<u64>(count).ok()),
                _ => None,
            }),
            _ => None,
        };
        Ok(count.unwrap_or(1))
    }

    fn delivery(&self, entry: &StreamId, count: u64) -> RedisDelivery {
        let mut payload = Vec::new();
        let mut headers = Vec::new();
        for (field, value) in &entry.map {
            let bytes: Vec<u8> = redis::from_redis_value(value).unwrap_or_default();
            if field == "payload" {
                payload = bytes;
            } else if field == "headers" {
                headers = serde_json::from_slice(&bytes).unwrap_or_default();
            }
        }
        RedisDelivery {
            connection: self.connection.clone(),
            key: self.key.clone(),
            group: self.group.clone(),
            consumer: self.consumer.clone(),
            id: entry.id.clone(),
            count,
            message: Message {
                subject: self.subject.clone(),
                headers,
                payload,
            },
        }
    }
}

/// A delivery from a Redis stream.
pub struct RedisDelivery {
    connection: ConnectionManager,
    key: String,
    group: String,
    consumer: String,
    id: String,
    count: u64,
    message: Message,
}

impl Delivery for RedisDelivery {
    fn message(&self) -> &Message {
        &self.message
    }

    fn delivery_count(&self) -> u64 {
        self.count
    }

    async fn ack(mut self) -> Result<(), TransportError> {
        let _: i64 = self
            .connection
            .xack(&self.key, &self.group, &[&self.id])
            .await
            .map_err(failed("acknowledging"))?;
        Ok(())
    }

    /// Resets the entry's idle time, so no other consumer claims it yet.
    async fn in_progress(&self) -> Result<(), TransportError> {
        let mut connection = self.connection.clone();
        let _: Value = redis::cmd("XCLAIM")
            .arg(&self.key)
            .arg(&self.group)
            .arg(&self.consumer)
            .arg(0)
            .arg(&self.id)
            .arg("JUSTID")
            .query_async(&mut connection)
            .await
            .map_err(failed("extending the claim"))?;
        Ok(())
    }
}
