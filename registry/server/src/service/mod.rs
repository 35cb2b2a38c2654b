//! The registry's rules: modes, ids, versions, deletion, references and the
//! compatibility policy. REST (and later gRPC and UI) handlers call these
//! functions and hold no rules of their own; the store is only told what
//! to read and write, and every write is one transaction.

mod audit;
mod cache;
mod changes;
mod compatibility;
mod delete;
mod error;
mod java_order;
pub mod names;
mod overview;
mod read;
mod references;
mod register;
mod settings;
mod tags;
mod work;
mod writer;

use std::sync::Arc;

use herald_core::ParseLimits;

pub use audit::{Actor, acting_as};
pub use compatibility::{CompatibilityVerdict, RuleOverrides, VersionFinding};
pub use error::ServiceError;
pub use read::{SchemaListing, SubjectListing, SubjectVersion, VersionFilter, Visibility, page};
pub use register::{NewSchema, Registered};
pub use settings::ConfigUpdate;
pub use tags::TagRequest;

use crate::config::Limits;
use crate::store::Store;
use cache::SchemaCache;

/// Stack of each schema thread: parsers and checkers recurse as deep as
/// the depth limits allow, and some dependencies deeper (only the touched
/// part of it takes memory).
const SCHEMA_THREAD_STACK: usize = 256 * 1024 * 1024;

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
    /// Request texts already parsed, by everything their parse depends on.
    texts: cache::Bounded<String, register::ParsedText>,
    /// The hot reads' answers, while fresh.
    answers: cache::answers::Answers,
    /// Where schemas are parsed and judged.
    work: work::SchemaWork,
    /// Woken after every committed change (for change-feed watchers).
    changed: tokio::sync::Notify,
    /// Set when the server stops: change-feed watches end.
    stopping: std::sync::atomic::AtomicBool,
    /// The server's Prometheus metrics.
    metrics: Arc<crate::metrics::Metrics>,
}

impl Registry {
    /// A registry over `store`, enforcing `limits` (on PostgreSQL, also
    /// following other replicas' changes; needs a Tokio runtime).
    pub fn new(store: Store, limits: Limits) -> Arc<Registry> {
        let metrics = crate::metrics::Metrics::new(store.clone());
        let registry = Arc::new(Registry {
            batch: writer::counted_batch(metrics.clone()),
            metrics,
            store,
            limits,
            cache: SchemaCache::new(limits.cache_bytes),
            texts: cache::bounded(
                cache::share(limits.cache_bytes, cache::TEXTS_SHARE),
                4096 * cache::PARSED_BYTES_PER_TEXT_BYTE,
            ),
            answers: cache::answers::Answers::new(cache::share(
                limits.cache_bytes,
                cache::ANSWERS_SHARE,
            )),
            work: work::SchemaWork::start(
                limits.schema_threads,
                SCHEMA_THREAD_STACK,
                limits.schema_work_budget,
            ),
            changed: tokio::sync::Notify::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
        });
        registry.follow_other_replicas();
        registry
    }

    /// Whether the store answers (for `/readyz`).
    #[tracing::instrument(level = "debug", name = "herald.is_ready", skip_all)]
    pub async fn is_ready(&self) -> bool {
        self.store.is_reachable().await
    }

    /// The limits it enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The server's Prometheus metrics.
    pub fn metrics(&self) -> Arc<crate::metrics::Metrics> {
        self.metrics.clone()
    }

    /// The store, for shutdown.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Refuses a schema text larger than the limit, or holding a NUL
    /// character (which no database stores alike), with 42201.
    fn check_schema_text(&self, text: &str) -> ServiceResult<()> {
        if text.contains('\0') {
            return Err(ServiceError::InvalidSchema(
                "Invalid schema: the schema holds a NUL character".to_owned(),
            ));
        }
        if text.len() > self.limits.max_schema_bytes {
            return Err(ServiceError::InvalidSchema(format!(
                "Invalid schema: {} bytes is more than the limit of {} bytes (--max-schema-bytes)",
                text.len(),
                self.limits.max_schema_bytes
            )));
        }
        Ok(())
    }

    fn parse_limits(&self) -> ParseLimits {
        ParseLimits {
            max_depth: self.limits.max_schema_depth,
        }
    }
}
