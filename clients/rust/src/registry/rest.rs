//! The registry's REST API (Herald's or any Confluent-compatible one): one
//! attempt per call; [`super::RegistryClient`] retries.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    Auth, CompatibilityOptions, CompatibilityVerdict, RegisteredSchema, RegistryError,
    SubjectVersion,
};

/// The registry's media type.
const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// Calls over HTTP with reqwest.
#[derive(Clone)]
pub(super) struct Rest {
    http: reqwest::Client,
    base: String,
}

impl Rest {
    /// A REST backend for the registry at `base` (no trailing slash).
    pub(super) fn new(base: String) -> Rest {
        // reqwest's rustls needs a crypto provider: ring, as async-nats uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Rest {
            http: reqwest::Client::new(),
            base,
        }
    }

    async fn call(
        &self,
        auth: Option<&Auth>,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, RegistryError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .header("Accept", MEDIA_TYPE);
        request = match auth {
            Some(Auth::Basic { user, password }) => request.basic_auth(user, Some(password)),
            Some(Auth::Bearer(token)) => request.bearer_auth(token),
            None => request,
        };
        if let Some(body) = body {
            request = request
                .header("Content-Type", MEDIA_TYPE)
                .body(body.to_string());
        }
        let response = request
            .send()
            .await
            .map_err(|error| RegistryError::Unreachable(format!("{method} {url}: {error}")))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(api_error(status, &text));
        }
        serde_json::from_str(&text)
            .map_err(|e| RegistryError::Unexpected(format!("{method} {path}: {e}")))
    }

    pub(super) async fn register(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<(u32, Option<i32>), RegistryError> {
        let path = format!("/subjects/{}/versions", encode(subject));
        let answer = self
            .call(auth, Method::POST, &path, Some(&json!(schema)))
            .await?;
        // Confluent answers the id alone; Herald adds the version.
        let version = answer["version"]
            .as_i64()
            .and_then(|v| i32::try_from(v).ok());
        Ok((number(&answer, "id")?, version))
    }

    pub(super) async fn schema_by_id(
        &self,
        auth: Option<&Auth>,
        id: u32,
    ) -> Result<RegisteredSchema, RegistryError> {
        let answer = self
            .call(auth, Method::GET, &format!("/schemas/ids/{id}"), None)
            .await?;
        parse(answer)
    }

    /// `version` is a number or `latest`.
    pub(super) async fn version(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        version: Option<i32>,
    ) -> Result<SubjectVersion, RegistryError> {
        let version = version.map_or_else(|| "latest".to_owned(), |v| v.to_string());
        let path = format!("/subjects/{}/versions/{version}", encode(subject));
        parse(self.call(auth, Method::GET, &path, None).await?)
    }

    pub(super) async fn lookup(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<SubjectVersion, RegistryError> {
        let path = format!("/subjects/{}", encode(subject));
        parse(
            self.call(auth, Method::POST, &path, Some(&json!(schema)))
                .await?,
        )
    }

    pub(super) async fn compatibility(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        schema: &RegisteredSchema,
        options: &CompatibilityOptions,
    ) -> Result<CompatibilityVerdict, RegistryError> {
        let against = options
            .version
            .map_or_else(String::new, |version| format!("/{version}"));
        let mut path = format!(
            "/compatibility/subjects/{}/versions{against}?verbose=true",
            encode(subject)
        );
        let overrides = [
            ("protobufRules", &options.protobuf_rules),
            ("compatibilityPolicy", &options.compatibility_policy),
        ];
        for (key, value) in overrides {
            if let Some(value) = value {
                path.push_str(&format!("&{key}={}", encode(value)));
            }
        }
        let answer = self
            .call(auth, Method::POST, &path, Some(&json!(schema)))
            .await?;
        Ok(CompatibilityVerdict {
            compatible: answer["is_compatible"].as_bool().unwrap_or(false),
            findings: serde_json::from_value(answer["findings"].clone()).unwrap_or_default(),
            messages: serde_json::from_value(answer["messages"].clone()).unwrap_or_default(),
            warnings: serde_json::from_value(answer["warnings"].clone()).unwrap_or_default(),
        })
    }

    pub(super) async fn subjects(&self, auth: Option<&Auth>) -> Result<Vec<String>, RegistryError> {
        parse(self.call(auth, Method::GET, "/subjects", None).await?)
    }

    pub(super) async fn versions(
        &self,
        auth: Option<&Auth>,
        subject: &str,
    ) -> Result<Vec<i32>, RegistryError> {
        let path = format!("/subjects/{}/versions", encode(subject));
        parse(self.call(auth, Method::GET, &path, None).await?)
    }

    pub(super) async fn compatibility_level(
        &self,
        auth: Option<&Auth>,
        subject: Option<&str>,
    ) -> Result<String, RegistryError> {
        let path = match subject {
            Some(subject) => format!("/config/{}?defaultToGlobal=true", encode(subject)),
            None => "/config".to_owned(),
        };
        let answer = self.call(auth, Method::GET, &path, None).await?;
        answer["compatibilityLevel"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| RegistryError::Unexpected(format!("GET {path}: no compatibilityLevel")))
    }

    pub(super) async fn set_compatibility_level(
        &self,
        auth: Option<&Auth>,
        subject: &str,
        level: &str,
    ) -> Result<(), RegistryError> {
        let path = format!("/config/{}", encode(subject));
        self.call(
            auth,
            Method::PUT,
            &path,
            Some(&json!({"compatibility": level})),
        )
        .await?;
        Ok(())
    }
}

fn parse<T: serde::de::DeserializeOwned>(answer: Value) -> Result<T, RegistryError> {
    serde_json::from_value(answer).map_err(|e| RegistryError::Unexpected(e.to_string()))
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
