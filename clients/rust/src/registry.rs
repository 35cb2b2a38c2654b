//! A client of the registry's REST API (Herald's or any Confluent-compatible
//! one): register, read by id, version and latest, lookup, compatibility and
//! config. Ids are immutable, so schemas by id are cached for good; a
//! subject's latest version is cached briefly. Server errors (5xx) and
//! connection failures are retried with exponential backoff.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The registry's media type.
const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// A registry call that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The registry answered with an error (`error_code` is Confluent's).
    #[error("registry error {error_code} ({status}): {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Confluent error code, e.g. 40401.
        error_code: i64,
        /// The registry's message.
        message: String,
    },
    /// The registry could not be reached (after the retries).
    #[error("registry unreachable: {0}")]
    Unreachable(String),
    /// The answer was not what the API promises.
    #[error("unexpected registry answer: {0}")]
    Unexpected(String),
}

/// How to authenticate.
#[derive(Clone, Debug)]
pub enum Auth {
    /// HTTP basic authentication.
    Basic {
        /// User name (or API key).
        user: String,
        /// Password (or API secret).
        password: String,
    },
    /// A bearer token.
    Bearer(String),
}

/// A schema as the registry stores it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredSchema {
    /// The schema text.
    pub schema: String,
    /// `AVRO` (also when absent), `PROTOBUF` or `JSON`.
    #[serde(default = "avro")]
    pub schema_type: String,
    /// Its references.
    #[serde(default)]
    pub references: Vec<Reference>,
}

fn avro() -> String {
    "AVRO".to_owned()
}

/// A reference to another subject's version.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Reference {
    /// The name the schema uses for it.
    pub name: String,
    /// The subject.
    pub subject: String,
    /// The version.
    pub version: i32,
}

/// A subject's version.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The version number.
    pub version: i32,
    /// The schema id.
    pub id: u32,
    /// The schema.
    #[serde(flatten)]
    pub schema: RegisteredSchema,
}

/// Latest versions by subject, with when they were fetched.
type LatestCache = HashMap<String, (Instant, Arc<SubjectVersion>)>;

/// How long a subject's latest version is trusted before asking again.
const LATEST_TTL: Duration = Duration::from_secs(30);

/// A registry client; cheap to clone (the caches are shared).
#[derive(Clone)]
pub struct RegistryClient {
    http: reqwest::Client,
    base: String,
    auth: Option<Auth>,
    retries: u32,
    by_id: Arc<Mutex<HashMap<u32, Arc<RegisteredSchema>>>>,
    latest: Arc<Mutex<LatestCache>>,
}

impl RegistryClient {
    /// A client of the registry at `base`, e.g. `http://localhost:8081`.
    pub fn new(base: &str) -> RegistryClient {
        // reqwest's rustls needs a crypto provider: ring, as async-nats uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        RegistryClient {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
            auth: None,
            retries: 3,
            by_id: Arc::default(),
            latest: Arc::default(),
        }
    }

    /// The same client, authenticating with `auth`.
    pub fn with_auth(mut self, auth: Auth) -> RegistryClient {
        self.auth = Some(auth);
        self
    }

    /// The same client, retrying failed calls `retries` times (default 3).
    pub fn with_retries(mut self, retries: u32) -> RegistryClient {
        self.retries = retries;
        self
    }

    /// The registry's URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, RegistryError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)
                .header("Accept", MEDIA_TYPE);
            request = match &self.auth {
                Some(Auth::Basic { user, password }) => request.basic_auth(user, Some(password)),
                Some(Auth::Bearer(token)) => request.bearer_auth(token),
                None => request,
            };
            if let Some(body) = body {
                request = request
                    .header("Content-Type", MEDIA_TYPE)
                    .body(body.to_string());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    if status.is_success() {
                        return serde_json::from_str(&text).map_err(|e| {
                            RegistryError::Unexpected(format!("{method} {path}: {e}"))
                        });
                    }
                    let error = api_error(status, &text);
                    if !status.is_server_error() {
                        return Err(error);
                    }
                    error
                }
                Err(error) => RegistryError::Unreachable(format!("{method} {url}: {error}")),
            };
            if attempt >= self.retries {
                return Err(outcome);
            }
            attempt += 1;
            tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
        }
    }

    /// Registers `schema` under `subject`; returns its id.
    pub async fn register(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<u32, RegistryError> {
        let path = format!("/subjects/{}/versions", encode(subject));
        let answer = self.call(Method::POST, &path, Some(&json!(schema))).await?;
        let id = number(&answer, "id")?;
        self.remember(id, schema.clone());
        Ok(id)
    }

    /// The schema with `id` (cached: ids never change).
    pub async fn schema_by_id(&self, id: u32) -> Result<Arc<RegisteredSchema>, RegistryError> {
        if let Some(found) = self.lock_by_id().get(&id) {
            return Ok(found.clone());
        }
        let answer = self
            .call(Method::GET, &format!("/schemas/ids/{id}"), None)
            .await?;
        let schema: RegisteredSchema =
            serde_json::from_value(answer).map_err(|e| RegistryError::Unexpected(e.to_string()))?;
        Ok(self.remember(id, schema))
    }

    /// Version `version` of `subject`.
    pub async fn version(
        &self,
        subject: &str,
        version: i32,
    ) -> Result<SubjectVersion, RegistryError> {
        self.fetch_version(subject, &version.to_string()).await
    }

    /// The latest version of `subject` (cached for 30 seconds).
    pub async fn latest(&self, subject: &str) -> Result<Arc<SubjectVersion>, RegistryError> {
        if let Some((at, found)) = self.lock_latest().get(subject)
            && at.elapsed() < LATEST_TTL
        {
            return Ok(found.clone());
        }
        let found = Arc::new(self.fetch_version(subject, "latest").await?);
        self.lock_latest()
            .insert(subject.to_owned(), (Instant::now(), found.clone()));
        Ok(found)
    }

    async fn fetch_version(
        &self,
        subject: &str,
        version: &str,
    ) -> Result<SubjectVersion, RegistryError> {
        let path = format!("/subjects/{}/versions/{version}", encode(subject));
        let answer = self.call(Method::GET, &path, None).await?;
        let found: SubjectVersion =
            serde_json::from_value(answer).map_err(|e| RegistryError::Unexpected(e.to_string()))?;
        self.remember(found.id, found.schema.clone());
        Ok(found)
    }

    /// The version of `subject` that holds `schema`, if any.
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<SubjectVersion, RegistryError> {
        let path = format!("/subjects/{}", encode(subject));
        let answer = self.call(Method::POST, &path, Some(&json!(schema))).await?;
        serde_json::from_value(answer).map_err(|e| RegistryError::Unexpected(e.to_string()))
    }

    /// Whether `schema` may be registered under `subject`; the messages
    /// say why not.
    pub async fn compatibility(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<(bool, Vec<String>), RegistryError> {
        let path = format!(
            "/compatibility/subjects/{}/versions?verbose=true",
            encode(subject)
        );
        let answer = self.call(Method::POST, &path, Some(&json!(schema))).await?;
        let messages = serde_json::from_value(answer["messages"].clone()).unwrap_or_default();
        Ok((answer["is_compatible"].as_bool().unwrap_or(false), messages))
    }

    /// The compatibility level in force for `subject` (or the global one).
    pub async fn compatibility_level(
        &self,
        subject: Option<&str>,
    ) -> Result<String, RegistryError> {
        let path = match subject {
            Some(subject) => format!("/config/{}?defaultToGlobal=true", encode(subject)),
            None => "/config".to_owned(),
        };
        let answer = self.call(Method::GET, &path, None).await?;
        answer["compatibilityLevel"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| RegistryError::Unexpected(format!("GET {path}: no compatibilityLevel")))
    }

    /// Sets `subject`'s compatibility level.
    pub async fn set_compatibility_level(
        &self,
        subject: &str,
        level: &str,
    ) -> Result<(), RegistryError> {
        let path = format!("/config/{}", encode(subject));
        self.call(Method::PUT, &path, Some(&json!({"compatibility": level})))
            .await?;
        Ok(())
    }

    fn remember(&self, id: u32, schema: RegisteredSchema) -> Arc<RegisteredSchema> {
        let schema = Arc::new(schema);
        self.lock_by_id().insert(id, schema.clone());
        schema
    }

    fn lock_by_id(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Arc<RegisteredSchema>>> {
        self.by_id
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_latest(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<SubjectVersion>)>> {
        self.latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn api_error(status: StatusCode, text: &str) -> RegistryError {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    RegistryError::Api {
        status: status.as_u16(),
        error_code: body["error_code"]
            .as_i64()
            .unwrap_or(i64::from(status.as_u16())),
        message: body["message"]
            .as_str()
            .map_or_else(|| text.to_owned(), str::to_owned),
    }
}

fn number(answer: &Value, field: &str) -> Result<u32, RegistryError> {
    answer[field]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| RegistryError::Unexpected(format!("no {field} in {answer}")))
}

/// Percent-encodes a path segment or query value.
fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Basic-auth credentials from `user:password`, else a bearer token.
pub fn auth_from(text: &str) -> Auth {
    match text.split_once(':') {
        Some((user, password)) => Auth::Basic {
            user: user.to_owned(),
            password: password.to_owned(),
        },
        None => Auth::Bearer(text.to_owned()),
    }
}
