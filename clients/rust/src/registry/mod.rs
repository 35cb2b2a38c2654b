//! A registry client: register, read by id, version and latest, lookup,
//! subjects, compatibility and config, over the REST API (Herald's or any
//! Confluent-compatible registry) or, with the `grpc` feature, Herald's gRPC
//! API. Ids are immutable, so schemas by id are cached for good; a subject's
//! latest version is cached briefly. Server errors (5xx) and connection
//! failures are retried with exponential backoff.

mod compatibility;
#[cfg(feature = "grpc")]
mod grpc;
pub mod raw;
mod rest;

pub use compatibility::{
    CompatibilityFinding, CompatibilityOptions, CompatibilityVerdict, FindingLocation, Registration,
};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The generated messages and tonic client of Herald's gRPC API
/// (`herald.registry.v1`), e.g. for `WatchSubjects`.
#[cfg(feature = "grpc")]
pub use grpc::pb;

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

/// Which API the calls go over.
#[derive(Clone)]
enum Backend {
    Rest(rest::Rest),
    #[cfg(feature = "grpc")]
    Grpc(grpc::Grpc),
}

/// Runs `$call` on whichever backend the client has, with the same arguments.
macro_rules! dispatch {
    ($client:expr, $method:ident ( $($arg:expr),* )) => {
        $client
            .retrying(|| async {
                let auth = $client.auth.as_ref();
                match &$client.backend {
                    Backend::Rest(api) => api.$method(auth, $($arg),*).await,
                    #[cfg(feature = "grpc")]
                    Backend::Grpc(api) => api.$method(auth, $($arg),*).await,
                }
            })
            .await
    };
}

/// A registry client; cheap to clone (the caches are shared).
#[derive(Clone)]
pub struct RegistryClient {
    backend: Backend,
    base: String,
    auth: Option<Auth>,
    retries: u32,
    by_id: Arc<Mutex<HashMap<u32, Arc<RegisteredSchema>>>>,
    latest: Arc<Mutex<LatestCache>>,
}

impl RegistryClient {
    /// A client of the REST API of the registry at `base`, e.g.
    /// `http://localhost:8081`.
    pub fn new(base: &str) -> RegistryClient {
        let base = base.trim_end_matches('/').to_owned();
        RegistryClient::over(Backend::Rest(rest::Rest::new(base.clone())), base)
    }

    /// A client of Herald's gRPC API at `base`, e.g. `http://localhost:8081`
    /// (plaintext HTTP/2; the connection is made on the first call). Fails
    /// only when `base` is not a URI.
    #[cfg(feature = "grpc")]
    pub fn grpc(base: &str) -> Result<RegistryClient, RegistryError> {
        let base = base.trim_end_matches('/').to_owned();
        Ok(RegistryClient::over(
            Backend::Grpc(grpc::Grpc::new(&base)?),
            base,
        ))
    }

    fn over(backend: Backend, base: String) -> RegistryClient {
        RegistryClient {
            backend,
            base,
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

    /// Herald's change feed (gRPC only): every registration, deletion,
    /// config and mode change after `after_sequence` (0: from the first),
    /// then each as it commits. A REST client gets `Unexpected`.
    #[cfg(feature = "grpc")]
    pub async fn watch_changes(
        &self,
        after_sequence: i64,
    ) -> Result<tonic::Streaming<pb::Change>, RegistryError> {
        match &self.backend {
            Backend::Grpc(api) => api.watch(self.auth.as_ref(), after_sequence).await,
            Backend::Rest(_) => Err(RegistryError::Unexpected(
                "the change feed is served over gRPC only".to_owned(),
            )),
        }
    }

    /// The registry's URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Runs `call` until it succeeds, fails for a reason retrying cannot
    /// fix (a 4xx answer), or has been retried `retries` times.
    async fn retrying<T, F, Fut>(&self, call: F) -> Result<T, RegistryError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, RegistryError>>,
    {
        let mut attempt = 0;
        loop {
            match call().await {
                Err(error) if error.is_transient() && attempt < self.retries => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// Registers `schema` under `subject`; returns its id.
    pub async fn register(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<u32, RegistryError> {
        let (id, _) = dispatch!(self, register(subject, schema))?;
        self.remember(id, schema.clone());
        Ok(id)
    }

    /// Registers `schema` under `subject`; returns its id and the version
    /// that holds it (looked up when the registry answers the id alone, as
    /// Confluent's does).
    pub async fn register_version(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<Registration, RegistryError> {
        let (id, version) = dispatch!(self, register(subject, schema))?;
        self.remember(id, schema.clone());
        let version = match version {
            Some(version) => version,
            None => self.lookup(subject, schema).await?.version,
        };
        Ok(Registration { id, version })
    }

    /// The schema with `id` (cached: ids never change).
    pub async fn schema_by_id(&self, id: u32) -> Result<Arc<RegisteredSchema>, RegistryError> {
        if let Some(found) = self.lock_by_id().get(&id) {
            return Ok(found.clone());
        }
        let schema = dispatch!(self, schema_by_id(id))?;
        Ok(self.remember(id, schema))
    }

    /// Version `version` of `subject`.
    pub async fn version(
        &self,
        subject: &str,
        version: i32,
    ) -> Result<SubjectVersion, RegistryError> {
        self.fetch_version(subject, Some(version)).await
    }

    /// The latest version of `subject` (cached for 30 seconds).
    pub async fn latest(&self, subject: &str) -> Result<Arc<SubjectVersion>, RegistryError> {
        if let Some((at, found)) = self.lock_latest().get(subject)
            && at.elapsed() < LATEST_TTL
        {
            return Ok(found.clone());
        }
        let found = Arc::new(self.fetch_version(subject, None).await?);
        self.lock_latest()
            .insert(subject.to_owned(), (Instant::now(), found.clone()));
        Ok(found)
    }

    /// `version` `None` is the latest.
    async fn fetch_version(
        &self,
        subject: &str,
        version: Option<i32>,
    ) -> Result<SubjectVersion, RegistryError> {
        let found = dispatch!(self, version(subject, version))?;
        self.remember(found.id, found.schema.clone());
        Ok(found)
    }

    /// The version of `subject` that holds `schema`, if any.
    pub async fn lookup(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<SubjectVersion, RegistryError> {
        dispatch!(self, lookup(subject, schema))
    }

    /// Whether `schema` may be registered under `subject`, judged as a
    /// registration would be under the subject's own rules.
    pub async fn compatibility(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
    ) -> Result<CompatibilityVerdict, RegistryError> {
        self.check_compatibility(subject, schema, &CompatibilityOptions::default())
            .await
    }

    /// Whether `schema` may be registered under `subject`, asked as
    /// `options` say (one version, other rules). An unknown subject is the
    /// error 40401.
    pub async fn check_compatibility(
        &self,
        subject: &str,
        schema: &RegisteredSchema,
        options: &CompatibilityOptions,
    ) -> Result<CompatibilityVerdict, RegistryError> {
        dispatch!(self, compatibility(subject, schema, options))
    }

    /// Every subject with a live version.
    pub async fn subjects(&self) -> Result<Vec<String>, RegistryError> {
        dispatch!(self, subjects())
    }

    /// Whether `subject` has a live version.
    pub async fn subject_exists(&self, subject: &str) -> Result<bool, RegistryError> {
        match dispatch!(self, versions(subject)) {
            Ok(versions) => Ok(!versions.is_empty()),
            Err(error) if error.is_unknown_subject() => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// The compatibility level in force for `subject` (or the global one).
    pub async fn compatibility_level(
        &self,
        subject: Option<&str>,
    ) -> Result<String, RegistryError> {
        dispatch!(self, compatibility_level(subject))
    }

    /// Sets `subject`'s compatibility level.
    pub async fn set_compatibility_level(
        &self,
        subject: &str,
        level: &str,
    ) -> Result<(), RegistryError> {
        dispatch!(self, set_compatibility_level(subject, level))
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

impl RegistryError {
    /// Whether the registry answered that the subject does not exist
    /// (40401).
    pub fn is_unknown_subject(&self) -> bool {
        matches!(
            self,
            RegistryError::Api {
                error_code: 40401,
                ..
            }
        )
    }

    /// Whether trying again may help: the registry was unreachable or
    /// answered with a server error.
    fn is_transient(&self) -> bool {
        match self {
            RegistryError::Unreachable(_) => true,
            RegistryError::Api { status, .. } => *status >= 500,
            RegistryError::Unexpected(_) => false,
        }
    }
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
