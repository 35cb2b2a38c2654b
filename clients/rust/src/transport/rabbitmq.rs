//! RabbitMQ over AMQP 0.9.1 (lapin): a durable topic exchange routes each
//! message by its subject (the routing key) to one durable quorum queue per
//! durable consumer (`<exchange>/<subject>/<durable>`), with publisher confirms and manual acknowledgement.
//!
//! - A queue receives what is published after it was declared: declare a
//!   consumer's queue up front ([`Transport::declare`]) when it must not
//!   miss what is published before it first runs.
//! - Queues have a single active consumer, so several instances of a
//!   service keep one queue's order.
//! - Redeliveries carry RabbitMQ's `x-delivery-count`; a message
//!   delivered more than the delivery limit is dead-lettered by RabbitMQ
//!   itself, through the dead-letter exchange to `dead-letter.<subject>`,
//!   where the consumer's own dead letters go too.

use std::sync::{Arc, Mutex, PoisonError};

use futures_util::StreamExt;
use lapin::message::Delivery as AmqpDelivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};

use super::{Deliveries, Delivery, Message, Transport, TransportError};

/// How many unacknowledged messages a consumer holds at most.
const PREFETCH: u16 = 64;
/// Deliveries after which RabbitMQ dead-letters a message itself (one that
/// keeps crashing its consumer before the consumer can give up on it).
const DELIVERY_LIMIT: i64 = 20;

fn failed(action: &str) -> impl Fn(&dyn std::fmt::Display) -> TransportError + '_ {
    move |error| TransportError(format!("{action}: {error}"))
}

/// A RabbitMQ topic exchange and the connection that reaches it; clones
/// share the connection.
#[derive(Clone)]
pub struct RabbitTransport {
    connection: Arc<Connection>,
    publisher: Channel,
    exchange: String,
    queues: Arc<Mutex<Vec<String>>>,
    /// Consumers being cancelled (see [`Subscription`]).
    stopping: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl RabbitTransport {
    /// Connects to RabbitMQ at `url` (`amqp://user:password@host:port/vhost`)
    /// and uses (declaring it if needed) the durable topic exchange
    /// `exchange`.
    pub async fn connect(url: &str, exchange: &str) -> Result<Self, TransportError> {
        let properties = ConnectionProperties::default()
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio::current());
        let connection = Connection::connect(url, properties)
            .await
            .map_err(|e| failed("connecting to RabbitMQ")(&e))?;
        let publisher = connection
            .create_channel()
            .await
            .map_err(|e| failed("opening a channel")(&e))?;
        publisher
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| failed("asking for publisher confirms")(&e))?;
        publisher
            .exchange_declare(
                exchange,
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| failed("declaring the exchange")(&e))?;
        Ok(RabbitTransport {
            connection: Arc::new(connection),
            publisher,
            exchange: exchange.to_owned(),
            queues: Arc::default(),
            stopping: Arc::default(),
        })
    }

    /// The queue of durable consumer `durable` of `subject`:
    /// `<exchange>/<subject>/<durable>`.
    fn queue(&self, subject: &str, durable: &str) -> String {
        format!("{}/{subject}/{durable}", self.exchange)
    }

    async fn declare_queue(&self, subject: &str, durable: &str) -> Result<String, TransportError> {
        let queue = self.queue(subject, durable);
        let mut arguments = FieldTable::default();
        let mut put = |name: &str, value: AMQPValue| {
            arguments.insert(ShortString::from(name), value);
        };
        put("x-queue-type", AMQPValue::LongString("quorum".into()));
        put("x-single-active-consumer", AMQPValue::Boolean(true));
        put("x-delivery-limit", AMQPValue::LongLongInt(DELIVERY_LIMIT));
        put(
            "x-dead-letter-exchange",
            AMQPValue::LongString(self.exchange.as_str().into()),
        );
        put(
            "x-dead-letter-routing-key",
            AMQPValue::LongString(self.dead_letter_subject(subject).into()),
        );
        self.publisher
            .queue_declare(
                &queue,
                QueueDeclareOptions {
                    durable: true,
                    ..QueueDeclareOptions::default()
                },
                arguments,
            )
            .await
            .map_err(|e| failed("declaring the queue")(&e))?;
        self.publisher
            .queue_bind(
                &queue,
                &self.exchange,
                &routing_pattern(subject),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| failed("binding the queue")(&e))?;
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        if !queues.contains(&queue) {
            queues.push(queue.clone());
        }
        Ok(queue)
    }

    /// Deletes the queues this transport declared, and the exchange (once
    /// the consumers that were dropped are cancelled).
    pub async fn delete(self) -> Result<(), TransportError> {
        let stopping =
            std::mem::take(&mut *self.stopping.lock().unwrap_or_else(PoisonError::into_inner));
        for stop in stopping {
            let _ = stop.await;
        }
        let queues =
            std::mem::take(&mut *self.queues.lock().unwrap_or_else(PoisonError::into_inner));
        for queue in queues {
            self.publisher
                .queue_delete(&queue, QueueDeleteOptions::default())
                .await
                .map_err(|e| failed("deleting a queue")(&e))?;
        }
        self.publisher
            .exchange_delete(&self.exchange, ExchangeDeleteOptions::default())
            .await
            .map_err(|e| failed("deleting the exchange")(&e))
    }
}

/// A NATS-style subject pattern as an AMQP topic binding (`>` is `#`).
fn routing_pattern(subject: &str) -> String {
    subject
        .split('.')
        .map(|token| if token == ">" { "#" } else { token })
        .collect::<Vec<_>>()
        .join(".")
}

impl Transport for RabbitTransport {
    type Delivery = RabbitDelivery;

    async fn publish(&self, message: Message) -> Result<(), TransportError> {
        let mut headers = FieldTable::default();
        for (name, value) in &message.headers {
            headers.insert(
                ShortString::from(name.as_str()),
                AMQPValue::LongString(value.as_str().into()),
            );
        }
        let mut properties = BasicProperties::default()
            .with_headers(headers)
            .with_delivery_mode(2);
        if let Some(id) = message.header(crate::envelope::header::ID) {
            properties = properties.with_message_id(id.into());
        }
        let confirmation = self
            .publisher
            .basic_publish(
                &self.exchange,
                &message.subject,
                BasicPublishOptions::default(),
                &message.payload,
                properties,
            )
            .await
            .map_err(|e| failed("publishing to RabbitMQ")(&e))?
            .await
            .map_err(|e| failed("waiting for the publisher confirm")(&e))?;
        if confirmation.is_nack() {
            return Err(TransportError(
                "RabbitMQ refused the message (negative publisher confirm)".to_owned(),
            ));
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        subject: &str,
        durable: &str,
    ) -> Result<Deliveries<RabbitDelivery>, TransportError> {
        let queue = self.declare_queue(subject, durable).await?;
        let channel = self
            .connection
            .create_channel()
            .await
            .map_err(|e| failed("opening a channel")(&e))?;
        channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await
            .map_err(|e| failed("setting the prefetch")(&e))?;
        let consumer = channel
            .basic_consume(
                &queue,
                "",
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| failed("consuming")(&e))?;
        let consumer = Subscription {
            consumer: Some(consumer),
            channel,
            stopping: self.stopping.clone(),
        };
        Ok(Box::pin(consumer.map(|next| {
            next.map(RabbitDelivery::new)
                .map_err(|e| failed("receiving from RabbitMQ")(&e))
        })))
    }

    async fn declare(&self, subject: &str, durable: &str) -> Result<(), TransportError> {
        self.declare_queue(subject, durable).await.map(|_| ())
    }
}

/// A consumer on a channel of its own. Dropped, it cancels the consumer
/// and then closes the channel, one after the other (lapin's own drop does
/// both at once, and the broker's answers can then arrive out of turn and
/// close the whole connection).
struct Subscription {
    consumer: Option<lapin::Consumer>,
    channel: Channel,
    stopping: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl futures_util::Stream for Subscription {
    type Item = lapin::Result<AmqpDelivery>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.consumer.as_mut() {
            Some(consumer) => consumer.poll_next_unpin(context),
            None => std::task::Poll::Ready(None),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let (Some(consumer), Ok(runtime)) =
            (self.consumer.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let channel = self.channel.clone();
        let stop = runtime.spawn(async move {
            let cancelled = channel
                .basic_cancel(consumer.tag().as_str(), BasicCancelOptions::default())
                .await;
            if let Err(error) = cancelled.and(channel.close(200, "consumer stopped").await) {
                tracing::debug!(%error, "closing a consumer's channel");
            }
            drop(consumer);
        });
        let mut stopping = self.stopping.lock().unwrap_or_else(PoisonError::into_inner);
        stopping.retain(|stop| !stop.is_finished());
        stopping.push(stop);
    }
}

/// A message delivered by RabbitMQ.
pub struct RabbitDelivery {
    inner: AmqpDelivery,
    message: Message,
    count: u64,
}

impl RabbitDelivery {
    fn new(inner: AmqpDelivery) -> RabbitDelivery {
        let mut count = 1;
        let mut headers = Vec::new();
        if let Some(table) = inner.properties.headers() {
            for (name, value) in table {
                if name.as_str() == "x-delivery-count" {
                    count += integer(value).unwrap_or_default();
                } else if let Some(text) = value.as_long_string() {
                    headers.push((name.to_string(), text.to_string()));
                }
            }
        }
        let message = Message {
            subject: inner.routing_key.to_string(),
            headers,
            payload: inner.data.clone(),
        };
        RabbitDelivery {
            inner,
            message,
            count,
        }
    }
}

fn integer(value: &AMQPValue) -> Option<u64> {
    let signed = match value {
        AMQPValue::LongLongInt(n) => *n,
        AMQPValue::LongInt(n) => i64::from(*n),
        AMQPValue::LongUInt(n) => i64::from(*n),
        AMQPValue::ShortInt(n) => i64::from(*n),
        AMQPValue::ShortUInt(n) => i64::from(*n),
        AMQPValue::ShortShortInt(n) => i64::from(*n),
        AMQPValue::ShortShortUInt(n) => i64::from(*n),
        _ => return None,
    };
    u64::try_from(signed).ok()
}

impl Delivery for RabbitDelivery {
    fn message(&self) -> &Message {
        &self.message
    }

    fn delivery_count(&self) -> u64 {
        self.count
    }

    async fn ack(self) -> Result<(), TransportError> {
        self.inner
            .acker
            .ack(BasicAckOptions::default())
            .await
            .map(|_| ())
            .map_err(|e| failed("acknowledging")(&e))
    }

    async fn in_progress(&self) -> Result<(), TransportError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::routing_pattern;

    #[test]
    fn nats_wildcards_become_amqp_bindings() {
        assert_eq!(routing_pattern("orders.created"), "orders.created");
        assert_eq!(routing_pattern("orders.*"), "orders.*");
        assert_eq!(routing_pattern("orders.>"), "orders.#");
    }
}
