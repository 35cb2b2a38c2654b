//! Starting a registry for a test and talking to it.

use herald_server::Server;
use herald_server::config::{Limits, ServerConfig};
use serde_json::{Value, json};

use herald_testing::TestDatabase;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The media type the API answers with.
pub const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// A running registry.
pub struct TestServer {
    pub base: String,
    /// Where gRPC is served (the HTTP address unless it has its own port).
    pub grpc_base: String,
    client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The database it owns (dropped after the server).
    database: Option<TestDatabase>,
}

/// A response: status, content type and JSON body (`Value::Null` when the
/// body is not JSON; `text` always holds it).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The Confluent `error_code`, or 0.
    pub fn code(&self) -> i64 {
        self.body["error_code"].as_i64().unwrap_or(0)
    }

    /// The `id` field.
    pub fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or(-1)
    }

    /// Asserts an error reply with `code` and the status its first three digits give.
    #[track_caller]
    pub fn assert_error(&self, code: i64) {
        let status = code.to_string()[..3].parse::<u16>().unwrap_or(0);
        assert_eq!((self.status, self.code()), (status, code), "{self:?}");
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{self:?}"
        );
        assert_eq!(self.content_type, MEDIA_TYPE);
    }
}

impl TestServer {
    /// A registry on a fresh database.
    pub async fn start() -> TestServer {
        Self::start_with_limits(Limits::default()).await
    }

    /// A registry on a fresh database with custom limits.
    pub async fn start_with_limits(limits: Limits) -> TestServer {
        let database = TestDatabase::create().await;
        let mut server = Self::start_on(&database, limits).await;
        server.database = Some(database);
        server
    }

    /// A registry on `database` (which outlives it, for restarts).
    pub async fn start_on(database: &TestDatabase, limits: Limits) -> TestServer {
        Self::start_with(ServerConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            storage: database.storage(),
            limits,
            ..ServerConfig::default()
        })
        .await
    }

    /// A registry serving gRPC on its own port.
    pub async fn start_with_grpc_port() -> TestServer {
        Self::start_configured(|config| {
            config.grpc_listen = Some("127.0.0.1:0".parse().expect("address"));
        })
        .await
    }

    /// A registry on a fresh database, its configuration changed by `change`.
    pub async fn start_configured(change: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let database = TestDatabase::create().await;
        let mut config = ServerConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            storage: database.storage(),
            ..ServerConfig::default()
        };
        change(&mut config);
        let mut server = Self::start_with(config).await;
        server.database = Some(database);
        server
    }

    async fn start_with(config: ServerConfig) -> TestServer {
        let server = Server::bind(&config).await.expect("server starts");
        let address = server.local_addr().expect("bound address");
        let grpc_address = server.grpc_addr().expect("bound address");
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .expect("server runs");
        });
        TestServer {
            base: format!("http://{address}"),
            grpc_base: format!("http://{grpc_address}"),
            client: {
                // reqwest's rustls takes its crypto from the process-wide provider.
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::Client::new()
            },
            shutdown: Some(shutdown),
            task: Some(task),
            database: None,
        }
    }

    /// Shuts the server down gracefully and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task ends cleanly");
        }
    }

    /// Sends a request with an optional raw body and content type.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some((content_type, bytes)) = body {
            if !content_type.is_empty() {
                request = request.header("Content-Type", content_type);
            }
            request = request.body(bytes);
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body reads");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            content_type,
            body,
            text,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.raw(reqwest::Method::GET, path, None).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Reply {
        self.raw(reqwest::Method::DELETE, path, None).await
    }

    /// `POST path` with a JSON body in the registry's media type.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.raw(
            reqwest::Method::POST,
            path,
            Some((MEDIA_TYPE, body.to_string().into_bytes())),
        )
        .await
    }

    /// `PUT path` with a JSON body in the registry's media type.
    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.raw(
            reqwest::Method::PUT,
            path,
            Some((MEDIA_TYPE, body.to_string().into_bytes())),
        )
        .await
    }

    /// Registers an Avro schema text under `subject`.
    pub async fn register(&self, subject: &str, schema: &str) -> Reply {
        self.post(
            &format!("/subjects/{subject}/versions"),
            json!({ "schema": schema }),
        )
        .await
    }

    /// Registers a schema of `schema_type` (`AVRO`, `PROTOBUF`, `JSON`)
    /// with its `references` under `subject`.
    pub async fn register_typed(
        &self,
        subject: &str,
        schema_type: &str,
        schema: &str,
        references: Value,
    ) -> Reply {
        let body = json!({"schemaType": schema_type, "schema": schema, "references": references});
        self.post(&format!("/subjects/{subject}/versions"), body)
            .await
    }

    /// Asserts that schema `referrer` lists `references`, that the first
    /// reference's target names it as a referrer, and that the target cannot
    /// be deleted while it does (42206).
    pub async fn assert_references_protect(&self, referrer: i64, references: &Value) {
        let listed = self.get(&format!("/schemas/ids/{referrer}")).await;
        assert_eq!(&listed.body["references"], references);
        let target = format!(
            "/subjects/{}/versions/{}",
            references[0]["subject"].as_str().unwrap_or_default(),
            references[0]["version"]
        );
        let referrers = self.get(&format!("{target}/referencedby")).await;
        assert_eq!(referrers.body, json!([referrer]));
        self.delete(&target).await.assert_error(42206);
    }

    /// Registers and asserts success; returns the id.
    pub async fn register_ok(&self, subject: &str, schema: &str) -> i64 {
        let reply = self.register(subject, schema).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.id()
    }
}

/// An Avro record `name` with `fields` (a JSON array's inside).
pub fn record(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","fields":[{fields}]}}"#)
}

/// An Avro record `name` of `count` fields, field `i` written by `field(i)`.
pub fn record_of(name: &str, count: usize, field: impl Fn(usize) -> String) -> String {
    let fields: Vec<String> = (0..count).map(field).collect();
    record(name, &fields.join(","))
}

/// A sequence of distinct, mutually compatible (BACKWARD) records: each
/// adds an optional field to the previous one.
pub fn evolving(name: &str, step: usize) -> String {
    let mut fields = vec![r#"{"name":"id","type":"long"}"#.to_owned()];
    for i in 0..step {
        fields.push(format!(
            r#"{{"name":"f{i}","type":["null","string"],"default":null}}"#
        ));
    }
    record(name, &fields.join(","))
}
