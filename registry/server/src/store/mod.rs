//! Persistence (sqlx's `Any` driver over SQLite or PostgreSQL). Knows tables
//! and rows, not schema formats or registry rules: the service decides what
//! to read and write, and every write it makes runs inside one
//! [`Store::write`] transaction. The SQL is written once for both databases
//! (`$N` parameters, portable functions only).

pub(crate) mod audit;
pub(crate) mod changes;
pub mod copy;
mod flag;
pub(crate) mod overview;
pub(crate) mod schemas;
pub(crate) mod settings;
pub(crate) mod subjects;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::metrics::histogram::Histogram;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use flag::{Flag, NullableFlag};

/// A connection, inside a transaction or not.
pub(crate) type Conn = sqlx::AnyConnection;

/// A write transaction.
pub(crate) type WriteTx = Transaction<'static, Any>;

/// The store could not be reached or refused a statement.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or refused a statement.
    #[error("store error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database answered something it cannot have stored.
    #[error("store error: unexpected data: {0}")]
    Corrupt(String),
    /// The transaction a write was committed with failed.
    #[error("store error: the write's transaction failed: {0}")]
    Batch(String),
    /// The database URL names no supported database.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// A copy's target already holds registry data.
    #[error("the target database already holds registry data: copy into a fresh database")]
    NotEmpty,
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Which database holds the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (one process).
    Sqlite,
    /// A PostgreSQL database (any number of replicas).
    Postgres,
}

impl Backend {
    /// The backend a connection talks to (for the few statements whose
    /// spelling differs).
    pub fn of_connection(conn: &Conn) -> Backend {
        match conn.backend_name() {
            "PostgreSQL" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The backend a database URL names.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The key of the PostgreSQL advisory lock every write transaction holds:
/// writes are serialised across replicas as SQLite's `BEGIN IMMEDIATE`
/// serialises them across connections.
const WRITE_LOCK_KEY: i64 = 0x4845_5241_4c44; // "HERALD"

/// The PostgreSQL channel a committed change is announced on.
pub(crate) const CHANGES_CHANNEL: &str = "herald_changes";

/// Characters a file path must escape inside a `sqlite://` URL.
const PATH_RESERVED: &percent_encoding::AsciiSet = &percent_encoding::AsciiSet::EMPTY
    .add(b'%')
    .add(b'?')
    .add(b'#');

/// Handle to the registry database.
#[derive(Clone, Debug)]
pub struct Store {
    /// Connections for reads.
    pool: AnyPool,
    /// The connection for writes.
    writer: AnyPool,
    backend: Backend,
    url: String,
    /// How long reads waited for a pooled connection (seconds; metrics).
    acquire_waits: Histogram,
}

/// Buckets of connection waits, in seconds: 10 µs to 5 s.
const WAIT_BUCKETS: [f64; 10] = [
    0.00001, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1.0, 5.0,
];

impl Store {
    /// How long reads waited for a pooled connection (to register in a
    /// metrics registry; clones share the counts).
    pub fn acquire_waits(&self) -> Histogram {
        self.acquire_waits.clone()
    }

    /// Each pool's name, connections open and connections idle (metrics).
    pub fn pool_stats(&self) -> [(&'static str, u32, usize); 2] {
        [
            ("read", self.pool.size(), self.pool.num_idle()),
            ("write", self.writer.size(), self.writer.num_idle()),
        ]
    }

    /// Opens (creating if needed) the SQLite database file at `path` and
    /// applies pending migrations.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn open_file(path: &Path) -> StoreResult<Store> {
        let encoded = percent_encoding::utf8_percent_encode(&path.to_string_lossy(), PATH_RESERVED)
            .to_string();
        Self::open_url(&format!("sqlite://{encoded}?mode=rwc")).await
    }

    /// Opens the database a URL names (`sqlite:` creates the file when
    /// missing; `postgres://` needs the database to exist) and applies
    /// pending migrations; on PostgreSQL under sqlx's advisory lock, so
    /// replicas starting together do not race.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn open_url(url: &str) -> StoreResult<Store> {
        install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.into()))?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        // Reads share a pool; writes (one at a time, under the write lock)
        // have a connection of their own, so a writer never waits for a
        // connection behind the readers.
        let pool = connect(backend, &url, READ_CONNECTIONS).await?;
        let writer = connect(backend, &url, 1).await?;
        let migrations = match backend {
            Backend::Sqlite => sqlx::migrate!("../../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../../migrations/postgres"),
        };
        migrations.run(&writer).await.map_err(sqlx::Error::from)?;
        Ok(Store {
            pool,
            writer,
            backend,
            url,
            acquire_waits: Histogram::new(WAIT_BUCKETS),
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection for reads.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn read(&self) -> StoreResult<PoolConnection<Any>> {
        let started = std::time::Instant::now();
        let connection = self.pool.acquire().await?;
        self.acquire_waits.observe(started.elapsed().as_secs_f64());
        Ok(connection)
    }

    /// A write transaction. It holds the registry's write lock from the
    /// start (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped
    /// advisory lock), so what it reads stays true until it commits, and
    /// writes commit in the order they took the lock.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn write(&self) -> StoreResult<WriteTx> {
        match self.backend {
            Backend::Sqlite => Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.writer.begin().await?;
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Whether the database answers a trivial query.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn is_reachable(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes every connection (on shutdown).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Connections in the read pool.
const READ_CONNECTIONS: u32 = 8;

/// A pool of at most `connections` to `url`. SQLite connections are set
/// up for WAL with group commit, and not pinged before use (a local file
/// cannot go stale; PostgreSQL's are, to recover after a restart).
async fn connect(backend: Backend, url: &str, connections: u32) -> StoreResult<AnyPool> {
    let options = AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(5));
    Ok(match backend {
        Backend::Sqlite => {
            options
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // FULL: a commit is on disk when it returns (the
                        // service commits writes in batches, so one fsync
                        // serves many).
                        conn.execute(
                            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;
                             PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?
        }
        Backend::Postgres => options.connect(url).await?,
    })
}

/// Milliseconds since the Unix epoch, for `created_at` columns.
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A row limit for SQL: negative means none (`LIMIT -1` is SQLite-only).
fn sql_limit(limit: i64) -> i64 {
    if limit < 0 { i64::MAX } else { limit }
}
