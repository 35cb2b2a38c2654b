//! Persistence (sqlx on SQLite). Knows tables and rows, not schema formats
//! or registry rules: the service decides what to read and write, and
//! every write it makes runs inside one [`Store::write`] transaction.

pub mod changes;
pub mod overview;
pub mod schemas;
pub mod settings;
pub mod subjects;

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// A connection, inside a transaction or not.
pub type Conn = sqlx::SqliteConnection;

/// The store could not be reached or refused a statement.
#[derive(Debug, thiserror::Error)]
#[error("store error: {0}")]
pub struct StoreError(#[from] sqlx::Error);

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Handle to the registry database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the SQLite database file at `path` and
    /// applies pending migrations.
    pub async fn open_file(path: &Path) -> StoreResult<Store> {
        Self::open(SqliteConnectOptions::new().filename(path)).await
    }

    /// Opens the database named by a `sqlite:` URL and applies migrations.
    pub async fn open_url(url: &str) -> StoreResult<Store> {
        Self::open(SqliteConnectOptions::from_str(url)?).await
    }

    async fn open(options: SqliteConnectOptions) -> StoreResult<Store> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../../migrations/sqlite")
            .run(&pool)
            .await
            .map_err(sqlx::Error::from)?;
        Ok(Store { pool })
    }

    /// A connection for reads.
    pub async fn read(&self) -> StoreResult<PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    /// A write transaction. It takes SQLite's write lock at once
    /// (`BEGIN IMMEDIATE`), so what it reads stays true until it commits.
    pub async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Whether the database answers a trivial query.
    pub async fn is_reachable(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch, for `created_at` columns.
fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
