//! Server configuration: where to listen, where the data lives, and limits.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Limits on what a request may make the server do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Deepest nesting a schema may have (deeper: 42201).
    pub max_schema_depth: usize,
    /// Longest chain of references a schema may have (longer: 42201).
    pub max_reference_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 * 1024 * 1024,
            max_schema_depth: 64,
            max_reference_depth: 32,
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
    /// Where the data lives.
    pub storage: Storage,
    /// Request limits.
    pub limits: Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            grpc_listen: None,
            storage: Storage::DataDir(PathBuf::from("herald-data")),
            limits: Limits::default(),
        }
    }
}
