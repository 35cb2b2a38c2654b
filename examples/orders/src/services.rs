//! The order service ([`publish_sample`]) and the billing service
//! ([`consume`]), with the generated types, over the broker the settings
//! choose: NATS JetStream, Kafka, Redis Streams or RabbitMQ.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use herald_client::consumer::{ConsumerConfig, Event};
use herald_client::producer::ProduceError;
use herald_client::transport::kafka::KafkaTransport;
use herald_client::transport::nats::JetStreamTransport;
use herald_client::transport::rabbitmq::RabbitTransport;
use herald_client::transport::redis::RedisTransport;
use herald_client::transport::{Transport, TransportError};
use herald_client::types::{TimestampMillis, Uuid};
use tokio::sync::mpsc;

use crate::orders_value::{
    Line, Order, OrderPriority, OrdersValueConsumer, OrdersValueProducer, State,
};
use crate::payments_value::{
    Payment, PaymentCurrency, PaymentsValueConsumer, PaymentsValueProducer,
};
use crate::shipments_value::shop::shipping::Shipment;
use crate::shipments_value::{ShipmentsValueConsumer, ShipmentsValueProducer};

/// The broker the services talk through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broker {
    /// NATS JetStream.
    Nats,
    /// Apache Kafka (or a Kafka-compatible broker).
    Kafka,
    /// Redis Streams.
    Redis,
    /// RabbitMQ.
    RabbitMq,
}

/// Where the services find their broker, and the names they use there.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `HERALD_EXAMPLE_BROKER`: `nats` (default), `kafka`, `redis` or `rabbitmq`.
    pub broker: Broker,
    /// `HERALD_EXAMPLE_BROKER_URL`, default the broker's on this machine:
    /// `nats://127.0.0.1:4222`, `127.0.0.1:9092`, `redis://127.0.0.1:6379`,
    /// `amqp://guest:guest@127.0.0.1:5672/%2f`.
    pub url: String,
    /// `HERALD_EXAMPLE_STREAM` (default `SHOP`): the JetStream stream, the
    /// Redis key prefix or the RabbitMQ exchange (unused on Kafka).
    pub stream: String,
    /// Broker subject prefix (`HERALD_EXAMPLE_PREFIX`, default `shop`).
    pub prefix: String,
}

impl Broker {
    /// The broker called `name`.
    pub fn named(name: &str) -> Option<Broker> {
        match name {
            "nats" => Some(Broker::Nats),
            "kafka" => Some(Broker::Kafka),
            "redis" => Some(Broker::Redis),
            "rabbitmq" => Some(Broker::RabbitMq),
            _ => None,
        }
    }

    /// Its address on this machine.
    pub fn default_url(self) -> &'static str {
        match self {
            Broker::Nats => "nats://127.0.0.1:4222",
            Broker::Kafka => "127.0.0.1:9092",
            Broker::Redis => "redis://127.0.0.1:6379",
            Broker::RabbitMq => "amqp://guest:guest@127.0.0.1:5672/%2f",
        }
    }
}

impl Settings {
    /// The settings from the environment, with defaults.
    pub fn from_env() -> Result<Settings, TransportError> {
        let var = |name: &str| std::env::var(name).ok();
        let broker = match var("HERALD_EXAMPLE_BROKER") {
            Some(name) => Broker::named(&name)
                .ok_or_else(|| TransportError(format!("unknown broker '{name}'")))?,
            None => Broker::Nats,
        };
        Ok(Settings {
            broker,
            url: var("HERALD_EXAMPLE_BROKER_URL")
                .unwrap_or_else(|| broker.default_url().to_owned()),
            stream: var("HERALD_EXAMPLE_STREAM").unwrap_or_else(|| "SHOP".to_owned()),
            prefix: var("HERALD_EXAMPLE_PREFIX").unwrap_or_else(|| "shop".to_owned()),
        })
    }

    /// The broker subject of one kind of event, e.g. `shop.orders`.
    pub fn subject(&self, kind: &str) -> String {
        format!("{}.{kind}", self.prefix)
    }

    /// Connects to the broker and runs `work` with the transport.
    pub async fn with_transport<W: Work>(&self, work: W) -> Result<W::Output, TransportError> {
        match self.broker {
            Broker::Nats => work.run(self.jetstream().await?).await,
            Broker::Kafka => work.run(KafkaTransport::connect(&self.url)?).await,
            Broker::Redis => work.run(self.redis().await?).await,
            Broker::RabbitMq => work.run(self.rabbitmq().await?).await,
        }
    }

    /// Removes what the services left on the broker: the JetStream stream,
    /// the Redis streams, or the RabbitMQ exchange and its queues (Kafka
    /// keeps its topics).
    pub async fn clean_up(&self) -> Result<(), TransportError> {
        match self.broker {
            Broker::Nats => self.jetstream().await?.delete_stream().await,
            Broker::Kafka => Ok(()),
            Broker::Redis => {
                let redis = self.redis().await?;
                let mut subjects: Vec<String> =
                    KINDS.iter().map(|kind| self.subject(kind)).collect();
                subjects.push(redis.dead_letter_subject(&self.subject("orders")));
                let names: Vec<&str> = subjects.iter().map(String::as_str).collect();
                redis.delete(&names).await
            }
            Broker::RabbitMq => {
                // The transport deletes the queues it declared.
                let rabbit = self.rabbitmq().await?;
                declare(&rabbit, self).await?;
                rabbit.delete().await
            }
        }
    }

    /// The JetStream stream holding the events and their dead letters.
    async fn jetstream(&self) -> Result<JetStreamTransport, TransportError> {
        let events = format!("{}.>", self.prefix);
        let dead_letters = format!("dead-letter.{}.>", self.prefix);
        JetStreamTransport::connect(&self.url, &self.stream, &[&events, &dead_letters]).await
    }

    /// Redis, the stream keys prefixed with the stream name.
    async fn redis(&self) -> Result<RedisTransport, TransportError> {
        RedisTransport::connect(&self.url, &self.stream).await
    }

    /// RabbitMQ, the exchange named after the stream.
    async fn rabbitmq(&self) -> Result<RabbitTransport, TransportError> {
        RabbitTransport::connect(&self.url, &self.stream).await
    }
}

/// Something a service does with whichever transport it is given.
pub trait Work {
    /// What it returns.
    type Output;

    /// Does it through `transport`.
    fn run<Tr: Transport>(
        self,
        transport: Tr,
    ) -> impl Future<Output = Result<Self::Output, TransportError>>;
}

/// The billing service's consumers, one per kind of event.
pub const KINDS: [&str; 3] = ["orders", "shipments", "payments"];

/// The durable consumer of one kind of event.
pub fn durable(kind: &str) -> String {
    format!("billing-{kind}")
}

/// Declares the billing service's consumers and the dead-letter reader, so
/// that a broker without replay (RabbitMQ) keeps what is published before
/// they first run.
pub async fn declare<Tr: Transport>(
    transport: &Tr,
    settings: &Settings,
) -> Result<(), TransportError> {
    for kind in KINDS {
        transport
            .declare(&settings.subject(kind), &durable(kind))
            .await?;
    }
    let dead_letters = transport.dead_letter_subject(&settings.subject("orders"));
    transport.declare(&dead_letters, DEAD_LETTER_READER).await
}

/// The durable consumer that reads the order dead letters.
pub const DEAD_LETTER_READER: &str = "dead-letter-check";

/// The sample order `id` customer c-7 places (order o-2 is an express
/// order with a signature).
pub fn sample_order(id: &str) -> Order {
    Order {
        id: id.to_owned(),
        customer_id: "c-7".to_owned(),
        placed_at: TimestampMillis::now(),
        lines: vec![Line {
            sku: "sku-1".to_owned(),
            quantity: 2,
        }],
        state: State::Placed,
        note: None,
        reference: Uuid::new_v4(),
        signature: (id == "o-2").then(|| vec![0xde, 0xad]),
        priority: if id == "o-2" {
            OrderPriority::String("express".to_owned())
        } else {
            OrderPriority::Int(1)
        },
    }
}

/// The sample shipment of order o-1.
pub fn sample_shipment() -> Shipment {
    Shipment {
        order_id: "o-1".to_owned(),
        carrier: "dhl".to_owned(),
        shipped_at: None,
        parcels: vec!["p-1".to_owned()],
    }
}

/// The order service: places orders `o-1`, `o-2`, `o-broken` and
/// `o-flaky` (in that order, so that once `o-flaky` is handled `o-broken`
/// has been dead-lettered), sends `o-1` a second time (same event id),
/// ships and bills `o-1`. Returns the ids of the events sent.
pub async fn publish_sample<Tr: Transport>(
    transport: &Tr,
    settings: &Settings,
) -> Result<Vec<String>, ProduceError> {
    let orders = OrdersValueProducer::new(
        transport.clone(),
        &settings.subject("orders"),
        "/order-service",
    );
    let shipments = ShipmentsValueProducer::new(
        transport.clone(),
        &settings.subject("shipments"),
        "/warehouse",
    );
    let payments = PaymentsValueProducer::new(
        transport.clone(),
        &settings.subject("payments"),
        "/checkout",
    );
    let mut sent = Vec::new();
    let mut first = None;
    for id in ["o-1", "o-2", "o-broken", "o-flaky"] {
        let order = sample_order(id);
        let envelope = orders.send(&order, "c-7").await?;
        sent.push(envelope.id.clone());
        first.get_or_insert((order, envelope));
    }
    if let Some((order, envelope)) = first {
        // A redelivery from the producer's side: same event id.
        sent.push(orders.send_with(&order, envelope).await?.id);
    }
    let shipment = sample_shipment();
    sent.push(shipments.send(&shipment, "c-7").await?.id);
    let payment = Payment {
        order_id: "o-1".to_owned(),
        cents: 1250,
        currency: PaymentCurrency::Eur,
    };
    sent.push(payments.send(&payment, "c-7").await?.id);
    Ok(sent)
}

/// The billing service: consumes the three subjects until `expected`
/// events were handled (or `limit` passed) and returns one line per event
/// handled. Order `o-flaky` fails once and is retried; `o-broken` always
/// fails and ends in the dead letters.
pub async fn consume<Tr: Transport>(
    transport: &Tr,
    settings: &Settings,
    expected: usize,
    limit: Duration,
) -> Result<Vec<String>, TransportError> {
    let config = |kind: &str| ConsumerConfig {
        backoff: Duration::from_millis(20),
        max_deliveries: 3,
        ..ConsumerConfig::new(&durable(kind))
    };
    let orders = OrdersValueConsumer::new(
        transport.clone(),
        &settings.subject("orders"),
        config("orders"),
    );
    let shipments = ShipmentsValueConsumer::new(
        transport.clone(),
        &settings.subject("shipments"),
        config("shipments"),
    );
    let payments = PaymentsValueConsumer::new(
        transport.clone(),
        &settings.subject("payments"),
        config("payments"),
    );
    let (lines, mut received) = mpsc::unbounded_channel::<String>();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let shutdown = || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };
    let flaky = AtomicU32::new(0);
    let order_lines = lines.clone();
    let handle_order = async |event: &Event<Order>| {
        let id = event.value.id.as_str();
        if id == "o-broken" {
            return Err(format!("{id} is broken"));
        }
        if id == "o-flaky" && flaky.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(format!("{id} failed once"));
        }
        let priority = match &event.value.priority {
            OrderPriority::Int(rank) => rank.to_string(),
            OrderPriority::String(level) => level.clone(),
        };
        let signed = event.value.signature.as_ref().map_or(0, Vec::len);
        let _ = order_lines.send(format!(
            "order {id} {:?} x{} priority {priority} signature {signed}",
            event.value.state,
            event.value.lines.len()
        ));
        Ok(())
    };
    let shipment_lines = lines.clone();
    let handle_shipment = async |event: &Event<Shipment>| -> Result<(), String> {
        let _ = shipment_lines.send(format!(
            "shipment {} {}",
            event.value.order_id, event.value.carrier
        ));
        Ok(())
    };
    let handle_payment = async |event: &Event<Payment>| -> Result<(), String> {
        let _ = lines.send(format!(
            "payment {} {} {}",
            event.value.order_id, event.value.cents, event.value.currency
        ));
        Ok(())
    };
    let collect = async {
        let mut handled = Vec::new();
        let deadline = tokio::time::sleep(limit);
        tokio::pin!(deadline);
        while handled.len() < expected {
            tokio::select! {
                () = &mut deadline => break,
                line = received.recv() => match line {
                    Some(line) => handled.push(line),
                    None => break,
                },
            }
        }
        let _ = stop.send(true);
        handled
    };
    let (handled, orders, shipments, payments) = tokio::join!(
        collect,
        orders.run(handle_order, shutdown()),
        shipments.run(handle_shipment, shutdown()),
        payments.run(handle_payment, shutdown()),
    );
    for result in [orders, shipments, payments] {
        result.map_err(|e| e.0)?;
    }
    Ok(handled)
}
