//! A Confluent-compatible registry spoken to in JSON, through
//! herald-client's [`RawApi`]: what `herald import` reads from its source
//! and writes into its target, with failures as the CLI reports them.

use herald_client::registry::Auth;
pub use herald_client::registry::raw::Verb;
use herald_client::registry::raw::{RawApi, Refusal};
use serde_json::Value;

use crate::gate::CliError;

/// One registry, by base URL, with optional credentials.
pub struct Endpoint(RawApi);

impl Endpoint {
    /// The registry at `base` (`http://host:port`, perhaps with a path).
    pub fn new(base: &str, auth: Option<Auth>) -> Result<Endpoint, CliError> {
        RawApi::new(base, auth)
            .map(Endpoint)
            .map_err(|e| CliError::Usage(e.to_string()))
    }

    /// The base URL, as given.
    pub fn base(&self) -> &str {
        self.0.base()
    }

    /// Sends a request; `Ok(Err(..))` is the registry's refusal.
    pub async fn call(
        &self,
        verb: Verb,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Result<Value, Refusal>, CliError> {
        self.0
            .call(verb, segments, query, body)
            .await
            .map_err(|e| CliError::Server(e.to_string()))
    }

    /// GET `segments`: the answer, or None for a 404.
    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Option<Value>, CliError> {
        match self.call(Verb::Get, segments, query, None).await? {
            Ok(value) => Ok(Some(value)),
            Err(refusal) if refusal.status == 404 => Ok(None),
            Err(refusal) => Err(self.failed(segments, &refusal)),
        }
    }

    /// A write that must succeed.
    pub async fn send(
        &self,
        verb: Verb,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, CliError> {
        self.call(verb, segments, query, body)
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
