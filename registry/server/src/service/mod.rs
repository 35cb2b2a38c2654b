//! The registry's rules: modes, ids, versions, deletion, references and the
//! compatibility policy. REST (and later gRPC and UI) handlers call these
//! functions and hold no rules of their own; the store is only told what
//! to read and write, and every write is one transaction.

mod cache;
mod changes;
mod compatibility;
mod delete;
mod error;
pub mod names;
mod overview;
mod read;
mod references;
mod register;
mod settings;
mod writer;

use std::sync::Arc;

use herald_core::ParseLimits;

pub use changes::WATCH_POLL;
pub use compatibility::{CompatibilityVerdict, RuleOverrides, VersionFinding};
pub use error::ServiceError;
pub use overview::{Referrer, SubjectOverview};
pub use read::{SchemaListing, SubjectListing, SubjectVersion};
pub use register::{NewSchema, Registered};
pub use settings::{ConfigUpdate, Mode};

use crate::config::Limits;
use crate::store::Store;
use cache::SchemaCache;

/// Result of a registry operation.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// The registry: one per process, shared by every front end.
#[derive(Debug)]
pub struct Registry {
    store: Store,
    limits: Limits,
    /// The writes being committed together; one write at a time within
    /// this process, while the store serialises them across processes
    /// (SQLite's `BEGIN IMMEDIATE`, a PostgreSQL advisory lock).
    batch: writer::SharedBatch,
    cache: SchemaCache,
    /// Woken after every committed change (for change-feed watchers).
    changed: tokio::sync::Notify,
    /// Set when the server stops: change-feed watches end.
    stopping: std::sync::atomic::AtomicBool,
}

impl Registry {
    /// A registry over `store`, enforcing `limits` (on PostgreSQL, also
    /// following other replicas' changes; needs a Tokio runtime).
    pub fn new(store: Store, limits: Limits) -> Arc<Registry> {
        let registry = Arc::new(Registry {
            store,
            limits,
            batch: writer::SharedBatch::default(),
            cache: SchemaCache::default(),
            changed: tokio::sync::Notify::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
        });
        registry.follow_other_replicas();
        registry
    }

    /// Whether the store answers (for `/readyz`).
    pub async fn is_ready(&self) -> bool {
        self.store.is_reachable().await
    }

    /// The store, for shutdown.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn parse_limits(&self) -> ParseLimits {
        ParseLimits {
            max_depth: self.limits.max_schema_depth,
        }
    }
}
