//! The registry as the gate commands reach it: through herald-client's
//! [`RegistryClient`], over the REST API of Herald or any
//! Confluent-compatible registry.
//!
//! The URL comes from `--registry`, `HERALD_REGISTRY_URL` or `registry` in
//! `herald.toml`; `HERALD_REGISTRY_AUTH` holds `user:password` (basic auth)
//! or a bearer token.

use herald_client::registry::{
    Reference, RegisteredSchema, RegistryClient, RegistryError, SubjectVersion, auth_from,
};

use super::CliError;
use herald_core::project::MappedSubject;

/// A client of the registry at `url`, with the credentials of
/// `HERALD_REGISTRY_AUTH` when set.
pub fn connect(url: &str) -> RegistryClient {
    let client = RegistryClient::new(url);
    match std::env::var("HERALD_REGISTRY_AUTH") {
        Ok(auth) if !auth.is_empty() => client.with_auth(auth_from(&auth)),
        _ => client,
    }
}

/// What registering or judging `subject`'s schema `text` sends.
pub fn payload(subject: &MappedSubject, text: &str) -> RegisteredSchema {
    RegisteredSchema {
        schema: text.to_owned(),
        schema_type: subject.schema_type.as_str().to_owned(),
        references: subject
            .references
            .iter()
            .map(|reference| Reference {
                name: reference.name.clone(),
                subject: reference.subject.clone(),
                version: reference.version.unwrap_or(-1),
            })
            .collect(),
    }
}

/// Version `spec` (`latest` or a number) of `subject`.
pub async fn version(
    client: &RegistryClient,
    subject: &str,
    spec: &str,
) -> Result<SubjectVersion, CliError> {
    let found = match spec {
        "latest" | "-1" => client.latest(subject).await.map(|v| (*v).clone()),
        number => {
            let number = number.parse().map_err(|_| {
                CliError::Usage(format!("version {number:?}: a number or `latest`"))
            })?;
            client.version(subject, number).await
        }
    };
    found.map_err(|error| failure(client, error))
}

/// The command's error for a failed registry call: an invalid schema
/// (42201) is [`CliError::Invalid`], everything else a server error that
/// names the registry.
pub fn failure(client: &RegistryClient, error: RegistryError) -> CliError {
    let base = client.base();
    match error {
        RegistryError::Api {
            error_code: 42201,
            message,
            ..
        } => CliError::Invalid(message),
        RegistryError::Api {
            status,
            error_code,
            message,
        } => CliError::Server(format!(
            "registry {base} answered {status} (error {error_code}): {message}"
        )),
        RegistryError::Unreachable(reason) => CliError::Server(format!(
            "cannot reach the registry at {base}: {reason}. Is it running (`herald serve`)? Set its URL with --registry, HERALD_REGISTRY_URL or `registry` in herald.toml"
        )),
        RegistryError::Unexpected(reason) => {
            CliError::Server(format!("registry {base}: unexpected answer: {reason}"))
        }
    }
}
