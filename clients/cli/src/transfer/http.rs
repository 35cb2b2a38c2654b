//! A Confluent-compatible registry spoken to in JSON: what `herald import`
//! reads from its source and writes into its target.

use herald_client::registry::Auth;
use reqwest::{Method, Url};
use serde_json::Value;

use crate::gate::CliError;

/// One registry, by base URL, with optional credentials.
pub struct Endpoint {
    base: Url,
    auth: Option<Auth>,
    http: reqwest::Client,
}

/// A registry's answer that is not a success.
#[derive(Debug)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// Confluent's `error_code` (0 when absent).
    pub code: i64,
    /// Its message.
    pub message: String,
}

impl Endpoint {
    /// The registry at `base` (`http://host:port`, perhaps with a path).
    pub fn new(base: &str, auth: Option<Auth>) -> Result<Endpoint, CliError> {
        let mut base =
            Url::parse(base).map_err(|e| CliError::Usage(format!("{base} is not a URL: {e}")))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        // TLS through rustls with ring, as herald-client's REST client.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Endpoint {
            base,
            auth,
            http: reqwest::Client::new(),
        })
    }

    /// The base URL, as given.
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// The URL of `segments` (each percent-encoded) with `query`.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends a request; `Ok(Err(..))` is the registry's refusal.
    pub async fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Result<Value, Refusal>, CliError> {
        let url = self.url(segments, query);
        let mut request = self
            .http
            .request(method, url.clone())
            .header("Accept", "application/vnd.schemaregistry.v1+json");
        request = match &self.auth {
            Some(Auth::Basic { user, password }) => request.basic_auth(user, Some(password)),
            Some(Auth::Bearer(token)) => request.bearer_auth(token),
            None => request,
        };
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .body(body.to_string());
        }
        let response = request
            .send()
            .await
            .map_err(|e| CliError::Server(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| CliError::Server(format!("{url}: {e}")))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if (200..300).contains(&status) {
            return Ok(Ok(value));
        }
        Ok(Err(Refusal {
            status,
            code: value["error_code"].as_i64().unwrap_or(0),
            message: value["message"]
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
        }))
    }

    /// GET `segments`: the answer, or None for a 404.
    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Option<Value>, CliError> {
        match self.call(Method::GET, segments, query, None).await? {
            Ok(value) => Ok(Some(value)),
            Err(refusal) if refusal.status == 404 => Ok(None),
            Err(refusal) => Err(self.failed(segments, &refusal)),
        }
    }

    /// A write that must succeed.
    pub async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, CliError> {
        self.call(method, segments, query, body)
            .await?
            .map_err(|refusal| self.failed(segments, &refusal))
    }

    /// The error for a refused request.
    pub fn failed(&self, segments: &[&str], refusal: &Refusal) -> CliError {
        CliError::Server(format!(
            "{}/{}: {} {} {}",
            self.base(),
            segments.join("/"),
            refusal.status,
            refusal.code,
            refusal.message
        ))
    }
}
