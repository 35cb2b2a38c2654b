//! The order service ([`publish_sample`]) and the billing service
//! ([`consume`]), over NATS JetStream with the generated types.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use herald_client::consumer::{ConsumerConfig, Event};
use herald_client::producer::ProduceError;
use herald_client::transport::TransportError;
use herald_client::transport::nats::JetStreamTransport;
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

/// Where the services find NATS, and the names they use there.
#[derive(Clone, Debug)]
pub struct Settings {
    /// NATS URL (`HERALD_EXAMPLE_NATS_URL`, default `nats://127.0.0.1:4222`).
    pub nats_url: String,
    /// JetStream stream (`HERALD_EXAMPLE_STREAM`, default `SHOP`).
    pub stream: String,
    /// Broker subject prefix (`HERALD_EXAMPLE_PREFIX`, default `shop`).
    pub prefix: String,
}

impl Settings {
    /// The settings from the environment, with defaults.
    pub fn from_env() -> Settings {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        Settings {
            nats_url: var("HERALD_EXAMPLE_NATS_URL", "nats://127.0.0.1:4222"),
            stream: var("HERALD_EXAMPLE_STREAM", "SHOP"),
            prefix: var("HERALD_EXAMPLE_PREFIX", "shop"),
        }
    }

    /// The broker subject of one kind of event, e.g. `shop.orders`.
    pub fn subject(&self, kind: &str) -> String {
        format!("{}.{kind}", self.prefix)
    }

    /// Connects, creating the stream for the events and their dead letters.
    pub async fn connect(&self) -> Result<JetStreamTransport, TransportError> {
        let events = format!("{}.>", self.prefix);
        let dead_letters = format!("dead-letter.{}.>", self.prefix);
        JetStreamTransport::connect(&self.nats_url, &self.stream, &[&events, &dead_letters]).await
    }
}

/// The order service: places orders `o-1`, `o-2`, `o-broken` and
/// `o-flaky` (in that order, so that once `o-flaky` is handled `o-broken`
/// has been dead-lettered), sends `o-1` a second time (same event id),
/// ships and bills `o-1`. Returns the ids of the events sent.
pub async fn publish_sample(
    transport: &JetStreamTransport,
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
        let order = Order {
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
        };
        let envelope = orders.send(&order, "c-7").await?;
        sent.push(envelope.id.clone());
        first.get_or_insert((order, envelope));
    }
    if let Some((order, envelope)) = first {
        // A redelivery from the producer's side: same event id.
        sent.push(orders.send_with(&order, envelope).await?.id);
    }
    let shipment = Shipment {
        order_id: "o-1".to_owned(),
        carrier: "dhl".to_owned(),
        shipped_at: None,
        parcels: vec!["p-1".to_owned()],
    };
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
pub async fn consume(
    transport: &JetStreamTransport,
    settings: &Settings,
    expected: usize,
    limit: Duration,
) -> Result<Vec<String>, TransportError> {
    let config = |kind: &str| ConsumerConfig {
        backoff: Duration::from_millis(20),
        max_deliveries: 3,
        ..ConsumerConfig::new(&format!("billing-{kind}"))
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
