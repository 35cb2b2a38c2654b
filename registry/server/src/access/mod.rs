//! Access control: who is calling (HTTP Basic against a credentials file,
//! a bearer JWT, or anonymous), what each route needs (one table for REST, the UI and
//! gRPC), and whether the caller holds it. Off by default: then everyone
//! may do everything, as on a laptop.
//!
//! Every request passes through [`layer::Access`], which [`crate::Server`]
//! puts in front of the by-id fast path, the router and gRPC's own
//! listener; nothing reaches the service around it.

mod credentials;
mod failures;
pub(crate) mod grants;
pub(crate) mod layer;
pub(crate) mod rules;
mod tokens;

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use axum::http::HeaderMap;
use axum::http::header;
use base64::Engine as _;

pub use credentials::{UserEntry, UsersFile, hash_password};
pub use grants::{Grant, Role};
pub use rules::{GRPC_METHODS, HTTP_ROUTES, Need, Rule};

use crate::config::AccessConfig;
use credentials::Credentials;
use failures::Failures;
use grants::Principal;
use tokens::TokenVerifier;

/// The name of callers without credentials.
pub const ANONYMOUS: &str = "anonymous";

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No usable credentials (401, 40101).
    Unauthenticated(String),
    /// Credentials without the rights (403, 40301).
    Forbidden(String),
}

/// The access rules of one server.
pub struct AccessControl {
    /// `None`: access control is off.
    authenticator: Option<Arc<Authenticator>>,
    /// Who requests run as when it is off.
    unrestricted: Arc<Principal>,
    /// `WWW-Authenticate` of a 401.
    challenge: axum::http::HeaderValue,
    /// Largest gRPC message read to find its subject.
    max_body: usize,
}

impl AccessControl {
    /// The rules `config` describes (its credentials file read now).
    pub fn new(config: &AccessConfig, max_body: usize) -> Result<AccessControl, String> {
        let unrestricted = Arc::new(Principal {
            name: ANONYMOUS.to_owned(),
            grants: vec![Grant::everywhere(Role::Admin)],
        });
        let authenticator = if config.enabled {
            Some(Arc::new(Authenticator::new(config)?))
        } else {
            None
        };
        let challenge = if config.jwt.is_some() {
            "Basic realm=\"herald\", charset=\"UTF-8\", Bearer realm=\"herald\""
        } else {
            "Basic realm=\"herald\", charset=\"UTF-8\""
        };
        Ok(AccessControl {
            authenticator,
            unrestricted,
            challenge: axum::http::HeaderValue::from_static(challenge),
            max_body,
        })
    }
}

/// Turns a request's credentials into a principal.
pub(crate) struct Authenticator {
    credentials: Option<Arc<Credentials>>,
    tokens: Option<TokenVerifier>,
    anonymous: Arc<Principal>,
    failures: Failures,
    /// argon2 verifications at once (each takes ~19 MiB and a core).
    hashing: tokio::sync::Semaphore,
}

impl Authenticator {
    fn new(config: &AccessConfig) -> Result<Authenticator, String> {
        let credentials = match &config.users {
            Some(path) => Some(Arc::new(Credentials::new(UsersFile::load(path)?)?)),
            None => None,
        };
        let anonymous_grants = match &config.anonymous {
            Some(role) => vec![Grant::everywhere(role.parse()?)],
            None => Vec::new(),
        };
        let tokens = config.jwt.as_ref().map(TokenVerifier::new).transpose()?;
        Ok(Authenticator {
            credentials,
            tokens,
            anonymous: Arc::new(Principal {
                name: ANONYMOUS.to_owned(),
                grants: anonymous_grants,
            }),
            failures: Failures::default(),
            hashing: tokio::sync::Semaphore::new(2),
        })
    }

    /// The caller of a request with `headers`, from `peer`, over a
    /// connection whose client certificate named `certified` (if any). An
    /// `Authorization` header wins over the certificate.
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        peer: Option<IpAddr>,
        certified: Option<&str>,
    ) -> Result<Arc<Principal>, Refusal> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return match certified {
                Some(name) => self.certified(name),
                None => Ok(self.anonymous.clone()),
            };
        };
        let value = value.to_str().unwrap_or_default();
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        let outcome = if scheme.eq_ignore_ascii_case("basic") {
            self.basic(token.trim()).await
        } else if scheme.eq_ignore_ascii_case("bearer") {
            match &self.tokens {
                Some(tokens) => tokens.verify(token.trim()),
                None => Err("bearer tokens are not accepted by this registry".to_owned()),
            }
        } else {
            Err(format!("unsupported authorization scheme {scheme:?}"))
        };
        match outcome {
            Ok(principal) => {
                self.failures.forget(peer);
                Ok(Arc::new(principal))
            }
            Err(reason) => {
                let delay = self.failures.record(peer);
                tokio::time::sleep(delay).await;
                Err(Refusal::Unauthenticated(reason))
            }
        }
    }

    /// The principal of a client certificate naming `name`: the user of
    /// that name in the credentials file, with its grants.
    fn certified(&self, name: &str) -> Result<Arc<Principal>, Refusal> {
        let grants = self
            .credentials
            .as_ref()
            .and_then(|credentials| credentials.grants_of(name))
            .ok_or_else(|| {
                Refusal::Unauthenticated(format!(
                    "the client certificate's name {name:?} is no user of this registry"
                ))
            })?;
        Ok(Arc::new(Principal {
            name: name.to_owned(),
            grants,
        }))
    }

    /// The principal of Basic credentials `encoded` (`base64(user:password)`).
    async fn basic(&self, encoded: &str) -> Result<Principal, String> {
        let invalid = || "invalid user name or password".to_owned();
        let Some(credentials) = &self.credentials else {
            return Err("basic authentication is not configured".to_owned());
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| invalid())?;
        let decoded = String::from_utf8(decoded).map_err(|_| invalid())?;
        let (user, password) = decoded.split_once(':').ok_or_else(invalid)?;
        if credentials.is_remembered(user, password) {
            return credentials.verify(user, password).ok_or_else(invalid);
        }
        let _slot = self.hashing.acquire().await.map_err(|_| invalid())?;
        let (credentials, user, password) =
            (credentials.clone(), user.to_owned(), password.to_owned());
        let found = tokio::task::spawn_blocking(move || credentials.verify(&user, &password)).await;
        found.ok().flatten().ok_or_else(invalid)
    }
}

/// Reads an access configuration file (TOML: `users`, `anonymous`);
/// relative paths are relative to the file.
pub fn load_config(path: &Path) -> Result<AccessConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut config: AccessConfig =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    config.enabled = true;
    if let Some(dir) = path.parent() {
        config.users = config.users.map(|users| dir.join(users));
        if let Some(jwt) = &mut config.jwt {
            jwt.jwks = jwt.jwks.take().map(|jwks| dir.join(jwks));
            for key in &mut jwt.public_keys {
                *key = dir.join(&*key);
            }
        }
    }
    if let Some(role) = &config.anonymous {
        role.parse::<Role>()?;
    }
    Ok(config)
}
