//! The example end to end, as CI runs it, on each broker: a registry
//! started by the test holds the three subjects (the ids the generated
//! code was locked to), the billing service (binary) consumes while the
//! order service (binary) publishes, through NATS JetStream, Kafka (a Tansu
//! broker the test starts), Redis Streams or RabbitMQ; every event is
//! handled once, the flaky one after a retry, the broken one ends in the
//! dead letters.

mod kafka_python;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use futures_util::StreamExt;
use herald_client::registry::{RegisteredSchema, RegistryClient};
use herald_client::transport::{Delivery, Message, Transport, TransportError};
use herald_example_orders::services::{Broker, DEAD_LETTER_READER, Settings, Work};
use herald_example_orders::{orders_value, payments_value, shipments_value};
use herald_server::Server;
use herald_server::config::{ServerConfig, Storage};

async fn start_registry(data: &Path) -> String {
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        storage: Storage::DataDir(data.to_path_buf()),
        ..ServerConfig::default()
    };
    let server = Server::bind(&config).await.expect("registry binds");
    let url = format!("http://{}", server.local_addr().expect("address"));
    tokio::spawn(server.run(std::future::pending()));
    url
}

async fn register(registry: &RegistryClient, subject: &str, schema_type: &str, file: &str) -> u32 {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(file),
    )
    .expect("schema file");
    let schema = RegisteredSchema {
        schema: text,
        schema_type: schema_type.to_owned(),
        references: Vec::new(),
    };
    registry
        .register(subject, &schema)
        .await
        .expect("registered")
}

fn service(binary: &str, settings: &Settings) -> Command {
    let mut command = Command::new(binary);
    command
        .env("HERALD_EXAMPLE_BROKER", broker_name(settings.broker))
        .env("HERALD_EXAMPLE_BROKER_URL", &settings.url)
        .env("HERALD_EXAMPLE_STREAM", &settings.stream)
        .env("HERALD_EXAMPLE_PREFIX", &settings.prefix)
        .stdout(Stdio::piped());
    command
}

fn broker_name(broker: Broker) -> &'static str {
    match broker {
        Broker::Nats => "nats",
        Broker::Kafka => "kafka",
        Broker::Redis => "redis",
        Broker::RabbitMq => "rabbitmq",
    }
}

/// Reads the first order dead letter.
struct FirstDeadLetter(Settings);

impl Work for FirstDeadLetter {
    type Output = Message;

    async fn run<Tr: Transport>(self, transport: Tr) -> Result<Message, TransportError> {
        let subject = transport.dead_letter_subject(&self.0.subject("orders"));
        let mut dead = transport.subscribe(&subject, DEAD_LETTER_READER).await?;
        let letter = tokio::time::timeout(Duration::from_secs(30), dead.next())
            .await
            .map_err(|_| TransportError("no dead letter in time".to_owned()))?
            .ok_or_else(|| TransportError("stream ended".to_owned()))??;
        let message = letter.message().clone();
        letter.ack().await?;
        Ok(message)
    }
}

/// The example on `broker` at `url`.
async fn services_exchange_events(broker: Broker, url: &str) {
    let data = tempfile::tempdir().expect("temporary directory");
    let registry = RegistryClient::new(&start_registry(data.path()).await);
    // The generated code carries the ids herald.lock pinned; a fresh
    // registry given the same schemas in the same order agrees.
    assert_eq!(
        register(&registry, "orders-value", "AVRO", "orders.avsc").await,
        orders_value::SCHEMA_ID
    );
    assert_eq!(
        register(&registry, "shipments-value", "PROTOBUF", "shipments.proto").await,
        shipments_value::SCHEMA_ID
    );
    assert_eq!(
        register(&registry, "payments-value", "JSON", "payments.json").await,
        payments_value::SCHEMA_ID
    );
    assert_eq!(
        registry
            .latest("orders-value")
            .await
            .expect("latest")
            .schema
            .schema,
        orders_value::SCHEMA
    );

    let unique = format!(
        "{}x{}",
        std::process::id(),
        std::time::UNIX_EPOCH
            .elapsed()
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );
    let settings = Settings {
        broker,
        url: url.to_owned(),
        stream: format!("HERALD_EXAMPLE_{unique}"),
        prefix: format!("herald-example-{unique}"),
    };

    let mut consumer = service(env!("CARGO_BIN_EXE_consumer"), &settings)
        .spawn()
        .expect("consumer starts");
    let mut out = BufReader::new(consumer.stdout.take().expect("stdout")).lines();
    assert_eq!(out.next().and_then(Result::ok).as_deref(), Some("ready"));
    let producer = service(env!("CARGO_BIN_EXE_producer"), &settings)
        .output()
        .expect("producer runs");
    assert!(producer.status.success(), "{producer:?}");
    let sent = String::from_utf8_lossy(&producer.stdout).lines().count();
    assert_eq!(sent, 7, "4 orders, 1 duplicate, 1 shipment, 1 payment");

    let status = tokio::task::spawn_blocking(move || consumer.wait().expect("consumer exits"))
        .await
        .expect("joined");
    assert!(status.success());
    let mut handled: Vec<String> = out.map_while(Result::ok).collect();
    handled.sort();
    assert_eq!(
        handled,
        [
            "order o-1 Placed x1 priority 1 signature 0",
            "order o-2 Placed x1 priority express signature 2",
            "order o-flaky Placed x1 priority 1 signature 0",
            "payment o-1 1250 EUR",
            "shipment o-1 dhl",
        ],
        "each event once: the duplicate skipped, the flaky one retried, the broken one not handled"
    );

    let letter = settings
        .with_transport(FirstDeadLetter(settings.clone()))
        .await
        .expect("the dead letter is read");
    settings.clean_up().await.expect("cleaned up");
    assert_eq!(letter.header("herald_error"), Some("o-broken is broken"));
    assert_eq!(letter.header("herald_deliveries"), Some("3"));
}

#[tokio::test(flavor = "multi_thread")]
async fn services_exchange_events_through_nats_jetstream() {
    services_exchange_events(Broker::Nats, Broker::Nats.default_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn services_exchange_events_through_kafka() {
    let tansu = herald_testing::tansu::Tansu::start().await;
    services_exchange_events(Broker::Kafka, &tansu.bootstrap()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn services_exchange_events_through_redis_streams() {
    services_exchange_events(Broker::Redis, Broker::Redis.default_url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn services_exchange_events_through_rabbitmq() {
    services_exchange_events(Broker::RabbitMq, Broker::RabbitMq.default_url()).await;
}
