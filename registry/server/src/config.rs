//! Server configuration: where to listen, where the data lives, and limits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Limits on what a request may make the server do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Largest schema text accepted, in bytes (larger: 42201); parsing and
    /// checking cost grows with it, so it is kept below the body limit.
    pub max_schema_bytes: usize,
    /// Deepest nesting a schema may have (deeper: 42201).
    pub max_schema_depth: usize,
    /// Longest chain of references a schema may have (longer: 42201).
    pub max_reference_depth: usize,
    /// Threads that parse and check schemas: at most this many run at once.
    pub schema_threads: usize,
    /// Time a request's parsing and checking may take, its wait for a
    /// schema thread included (longer: 503, error code 50301).
    pub schema_work_budget: Duration,
    /// Time a client has to send a request's headers, and then its body
    /// (slower: the connection is closed, or 408).
    pub request_read_timeout: Duration,
    /// Open connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
    /// Memory the caches may hold in all, in bytes (schemas by id, parsed
    /// schemas, rendered answers, remembered reads).
    pub cache_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            max_schema_bytes: 1024 * 1024,
            max_schema_depth: 64,
            max_reference_depth: 32,
            schema_threads: 4,
            schema_work_budget: Duration::from_secs(10),
            request_read_timeout: Duration::from_secs(15),
            max_connections: 4096,
            cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Where the registry keeps its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// A directory holding the SQLite file `herald.db` (created if missing).
    DataDir(PathBuf),
    /// A database URL (`sqlite:...`).
    Url(String),
}

impl Storage {
    /// Where the data lives, for logs: a database URL's password is
    /// replaced by `***`.
    pub fn describe(&self) -> String {
        match self {
            Storage::DataDir(dir) => format!("SQLite in {}", dir.display()),
            Storage::Url(url) => redact_password(url),
        }
    }
}

/// `url` with the password of its user info (`scheme://user:password@host`)
/// replaced by `***`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_kept_out_of_descriptions() {
        let described = |url: &str| Storage::Url(url.to_owned()).describe();
        assert_eq!(
            described("postgres://herald:s3cret@db.internal:5432/herald"),
            "postgres://herald:***@db.internal:5432/herald"
        );
        assert_eq!(
            described("postgres://herald@db/herald"),
            "postgres://herald@db/herald"
        );
        assert_eq!(
            described("sqlite:///var/lib/herald/h.db"),
            "sqlite:///var/lib/herald/h.db"
        );
        assert_eq!(
            Storage::DataDir(PathBuf::from("data")).describe(),
            "SQLite in data"
        );
    }
}

/// Everything `herald serve` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Where to serve gRPC on its own; `None` serves it on `listen`
    /// next to REST and the UI.
    pub grpc_listen: Option<SocketAddr>,
    /// Where to serve `GET /metrics` on its own as well (plain HTTP, no
    /// credentials: for a scraper on an internal network).
    pub metrics_listen: Option<SocketAddr>,
    /// Where the data lives.
    pub storage: Storage,
    /// Request limits.
    pub limits: Limits,
    /// What web pages may do.
    pub browsers: BrowserPolicy,
    /// Who may do what (off by default).
    pub access: AccessConfig,
    /// How long the audit log keeps its entries.
    pub audit_retention: AuditRetention,
    /// Serve over TLS (REST, the UI and gRPC); `None`: plain HTTP.
    pub tls: Option<TlsConfig>,
}

/// The files TLS is served with (PEM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// The server's certificate chain.
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
    /// The CA that signs client certificates; a client presenting one is
    /// known by its common name (which names a user of the credentials
    /// file, whose grants it gets). `None`: no client certificates.
    pub client_ca: Option<PathBuf>,
}

/// How long the audit log keeps its entries (checked at start and every
/// ten minutes); by default, for good.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditRetention {
    /// Entries older than this go.
    pub max_age: Option<Duration>,
    /// At most this many entries stay (the newest).
    pub max_entries: Option<u64>,
}

/// Who may use the registry. Off (the default): everyone may do
/// everything. See docs/security.md.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// Turns access control on (set when a configuration file is given).
    #[serde(skip)]
    pub enabled: bool,
    /// The credentials file for HTTP Basic (written by `herald users add`).
    pub users: Option<PathBuf>,
    /// The role of callers without credentials (`reader`, say); none:
    /// they are refused (401).
    pub anonymous: Option<String>,
    /// Bearer tokens (JWTs) accepted, and how they are checked.
    pub jwt: Option<JwtConfig>,
}

/// How bearer tokens (JWTs) are verified: offline, against configured
/// public keys; who the caller is and what it may do come from the claims.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// A JWKS file (`{"keys": [...]}`): RSA (RS256), EC P-256 (ES256) and
    /// Ed25519 (EdDSA) keys, chosen by the token's `kid`.
    pub jwks: Option<PathBuf>,
    /// PEM public keys (RSA, EC P-256 or Ed25519), tried in turn.
    #[serde(default)]
    pub public_keys: Vec<PathBuf>,
    /// The `iss` a token must carry (none: not checked).
    pub issuer: Option<String>,
    /// An `aud` a token must carry (none: not checked).
    pub audience: Option<String>,
    /// The claim holding the grants (`ROLE[:PREFIX][@CONTEXT]` strings, an
    /// array or one space-separated string); a dotted path reaches into
    /// objects (`realm_access.roles`). Values that are not grants are
    /// ignored.
    #[serde(default = "default_grants_claim")]
    pub grants_claim: String,
    /// The claim naming the caller.
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
}

fn default_grants_claim() -> String {
    "herald_grants".to_owned()
}

fn default_name_claim() -> String {
    "sub".to_owned()
}

fn default_leeway() -> u64 {
    60
}

/// What web pages may do with the registry: the `Host` names it answers
/// to (against DNS rebinding) and the origins allowed to call the API from
/// a browser (CORS).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrowserPolicy {
    /// Accepted `Host` header values (a name, or name:port); `None`: the
    /// listener's own address, plus `localhost` when bound to loopback;
    /// `*` accepts any.
    pub allowed_hosts: Option<Vec<String>>,
    /// Origins (`https://ui.example.com`) allowed to call the API from a
    /// browser; empty: none (no CORS headers are sent).
    pub cors_origins: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            grpc_listen: None,
            metrics_listen: None,
            storage: Storage::DataDir(PathBuf::from("herald-data")),
            limits: Limits::default(),
            browsers: BrowserPolicy::default(),
            access: AccessConfig::default(),
            audit_retention: AuditRetention::default(),
            tls: None,
        }
    }
}
