//! Any request of a Confluent-compatible REST API, answered as JSON: what
//! tools that copy whole registries (`herald import`, `export`, `mirror`)
//! need beyond the typed calls of [`super::RegistryClient`].

use reqwest::{Method, Url};
use serde_json::Value;

use super::{Auth, RegistryError};

/// The HTTP methods a registry's REST API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

impl Verb {
    fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Delete => Method::DELETE,
        }
    }
}

/// One registry's REST API, by base URL, with optional credentials.
#[derive(Clone, Debug)]
pub struct RawApi {
    base: Url,
    auth: Option<Auth>,
    http: reqwest::Client,
}

impl RawApi {
    /// The registry at `base` (`http://host:port`, perhaps with a path).
    pub fn new(base: &str, auth: Option<Auth>) -> Result<RawApi, RegistryError> {
        let mut base = Url::parse(base)
            .map_err(|e| RegistryError::Unreachable(format!("{base} is not a URL: {e}")))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        // reqwest's rustls needs a crypto provider: ring, as elsewhere.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(RawApi {
            base,
            auth,
            http: reqwest::Client::new(),
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// Sends `verb` to the path of `segments` (each percent-encoded) with
    /// `query` and a JSON `body`. An answer other than 2xx is
    /// [`RegistryError::Api`], its message prefixed with the method and URL.
    pub async fn call(
        &self,
        verb: Verb,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, RegistryError> {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self
            .http
            .request(verb.method(), url.clone())
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
        let unreachable = |e: reqwest::Error| RegistryError::Unreachable(format!("{url}: {e}"));
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(unreachable)?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let message = value["message"]
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        Err(RegistryError::Api {
            status,
            error_code: value["error_code"].as_i64().unwrap_or(0),
            message: format!("{} {url}: {message}", verb.method()),
        })
    }

    /// GET `segments`: the answer, or `None` for a 404.
    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Option<Value>, RegistryError> {
        match self.call(Verb::Get, segments, query, None).await {
            Ok(value) => Ok(Some(value)),
            Err(RegistryError::Api { status: 404, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
