//! A small client of the registry's REST API, for the gate commands.
//!
//! The URL comes from `--registry`, `HERALD_REGISTRY_URL` or `registry` in
//! `herald.toml`; `HERALD_REGISTRY_AUTH` holds `user:password` (basic auth)
//! or a bearer token.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::CliError;
use herald_core::project::{MappedSubject, Reference};

/// The registry's media type.
const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// A connection to one registry.
pub struct RegistryClient {
    http: reqwest::Client,
    base: String,
    authorization: Option<String>,
}

/// The registry's answer to a compatibility question.
#[derive(Debug)]
pub enum Judgement {
    /// The subject does not exist yet: anything may be registered.
    NewSubject,
    /// The verdict and, when incompatible, the findings.
    Judged {
        /// Whether the schema may be registered.
        compatible: bool,
        /// Structured findings (Herald's extension of the verbose response).
        findings: Vec<RemoteFinding>,
        /// Confluent's messages, for registries without structured findings.
        messages: Vec<String>,
    },
}

/// A finding as the registry reports it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteFinding {
    /// The rule or difference type.
    pub rule: String,
    /// The path within the schema.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Where in the schema text, when known.
    pub location: Option<RemoteLocation>,
}

/// A 1-based position.
#[derive(Debug, Deserialize)]
pub struct RemoteLocation {
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

/// A registered version.
#[derive(Debug, Deserialize)]
pub struct RemoteVersion {
    /// Subject.
    pub subject: String,
    /// Version number.
    pub version: i32,
    /// Schema id.
    pub id: i64,
    /// `AVRO` when absent.
    #[serde(rename = "schemaType", default)]
    pub schema_type: Option<String>,
    /// The schema text.
    pub schema: String,
    /// Its references.
    #[serde(default)]
    pub references: Vec<RemoteReference>,
}

/// A reference as the registry lists it.
#[derive(Debug, Deserialize)]
pub struct RemoteReference {
    /// Name used in the schema.
    pub name: String,
    /// Referenced subject.
    pub subject: String,
    /// Referenced version.
    pub version: i32,
}

impl RegistryClient {
    /// A client of the registry at `base` (e.g. `http://localhost:8081`).
    pub fn new(base: &str) -> RegistryClient {
        let authorization = std::env::var("HERALD_REGISTRY_AUTH")
            .ok()
            .filter(|auth| !auth.is_empty())
            .map(|auth| {
                if auth.contains(':') {
                    let encoded = base64::engine::general_purpose::STANDARD.encode(auth);
                    format!("Basic {encoded}")
                } else {
                    format!("Bearer {auth}")
                }
            });
        RegistryClient {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
            authorization,
        }
    }

    /// The registry's URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), CliError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .header("Accept", MEDIA_TYPE);
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", MEDIA_TYPE)
                .body(body.to_string());
        }
        let response = request.send().await.map_err(|e| {
            CliError::Server(format!(
                "cannot reach the registry at {}: {e}. Is it running (`herald serve`)? Set its URL with --registry, HERALD_REGISTRY_URL or `registry` in herald.toml",
                self.base
            ))
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| {
            CliError::Server(format!("{method} {url}: reading the answer failed: {e}"))
        })?;
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    }

    /// The error for an unexpected answer; 42201 (invalid schema) is [`CliError::Invalid`].
    fn failure(&self, method: &str, path: &str, status: StatusCode, body: &Value) -> CliError {
        let code = body["error_code"].as_i64().unwrap_or_default();
        let message = body["message"]
            .as_str()
            .map_or_else(|| body.to_string(), str::to_owned);
        if code == 42201 {
            return CliError::Invalid(message);
        }
        CliError::Server(format!(
            "registry {} answered {status} (error {code}) to {method} {path}: {message}",
            self.base
        ))
    }

    /// Asks whether `payload` may be registered under `subject`, judged as
    /// a registration would be; `overrides` are extra query parameters.
    pub async fn compatibility(
        &self,
        subject: &str,
        payload: &Value,
        overrides: &[(&str, String)],
    ) -> Result<Judgement, CliError> {
        let mut path = format!(
            "/compatibility/subjects/{}/versions?verbose=true",
            encode(subject)
        );
        for (key, value) in overrides {
            path.push_str(&format!("&{key}={}", encode(value)));
        }
        let (status, body) = self.send(Method::POST, &path, Some(payload)).await?;
        if status == StatusCode::NOT_FOUND && body["error_code"] == 40401 {
            return Ok(Judgement::NewSubject);
        }
        if !status.is_success() {
            return Err(self.failure("POST", &path, status, &body));
        }
        Ok(Judgement::Judged {
            compatible: body["is_compatible"].as_bool().unwrap_or(false),
            findings: serde_json::from_value(body["findings"].clone()).unwrap_or_default(),
            messages: serde_json::from_value(body["messages"].clone()).unwrap_or_default(),
        })
    }

    /// Judges `payload` against one version of `subject`.
    pub async fn compatibility_with_version(
        &self,
        subject: &str,
        version: i32,
        payload: &Value,
    ) -> Result<(bool, Vec<RemoteFinding>), CliError> {
        let path = format!(
            "/compatibility/subjects/{}/versions/{version}?verbose=true",
            encode(subject)
        );
        let (status, body) = self.send(Method::POST, &path, Some(payload)).await?;
        if !status.is_success() {
            return Err(self.failure("POST", &path, status, &body));
        }
        Ok((
            body["is_compatible"].as_bool().unwrap_or(false),
            serde_json::from_value(body["findings"].clone()).unwrap_or_default(),
        ))
    }

    /// Registers `payload` under `subject`: `Ok((id, version))`, or
    /// `Err(messages)` inside `Ok` when it is incompatible.
    pub async fn register(
        &self,
        subject: &str,
        payload: &Value,
    ) -> Result<Result<(i64, i32), String>, CliError> {
        let path = format!("/subjects/{}/versions", encode(subject));
        let (status, body) = self.send(Method::POST, &path, Some(payload)).await?;
        if status == StatusCode::CONFLICT && body["error_code"] == 40901 {
            return Ok(Err(body["message"].as_str().unwrap_or_default().to_owned()));
        }
        if !status.is_success() {
            return Err(self.failure("POST", &path, status, &body));
        }
        let id = body["id"].as_i64().unwrap_or_default();
        let version = match body["version"].as_i64() {
            Some(version) => i32::try_from(version).unwrap_or_default(),
            // Registries that answer only the id: look the version up.
            None => self.lookup_version(subject, payload).await?,
        };
        Ok(Ok((id, version)))
    }

    async fn lookup_version(&self, subject: &str, payload: &Value) -> Result<i32, CliError> {
        let path = format!("/subjects/{}", encode(subject));
        let (status, body) = self.send(Method::POST, &path, Some(payload)).await?;
        if !status.is_success() {
            return Err(self.failure("POST", &path, status, &body));
        }
        Ok(body["version"]
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .unwrap_or_default())
    }

    /// Whether `subject` has any live version.
    pub async fn subject_exists(&self, subject: &str) -> Result<bool, CliError> {
        let path = format!("/subjects/{}/versions", encode(subject));
        let (status, body) = self.send(Method::GET, &path, None).await?;
        match status {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND if body["error_code"] == 40401 => Ok(false),
            _ => Err(self.failure("GET", &path, status, &body)),
        }
    }

    /// Every live subject.
    pub async fn subjects(&self) -> Result<Vec<String>, CliError> {
        let (status, body) = self.send(Method::GET, "/subjects", None).await?;
        if !status.is_success() {
            return Err(self.failure("GET", "/subjects", status, &body));
        }
        Ok(serde_json::from_value(body).unwrap_or_default())
    }

    /// One version (`"latest"` or a number) of `subject`.
    pub async fn version(&self, subject: &str, version: &str) -> Result<RemoteVersion, CliError> {
        let path = format!("/subjects/{}/versions/{version}", encode(subject));
        let (status, body) = self.send(Method::GET, &path, None).await?;
        if !status.is_success() {
            return Err(self.failure("GET", &path, status, &body));
        }
        serde_json::from_value(body)
            .map_err(|e| CliError::Server(format!("GET {path}: unexpected answer: {e}")))
    }
}

/// The request body for `subject`'s schema `text`.
pub fn payload(subject: &MappedSubject, text: &str) -> Value {
    let references: Vec<Value> = subject.references.iter().map(reference_json).collect();
    json!({
        "schema": text,
        "schemaType": subject.schema_type.as_str(),
        "references": references,
    })
}

fn reference_json(reference: &Reference) -> Value {
    json!({
        "name": reference.name,
        "subject": reference.subject,
        "version": reference.version.unwrap_or(-1),
    })
}

/// Percent-encodes a path segment or query value.
fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}
