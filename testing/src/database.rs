//! A database for one test registry: SQLite or a fresh PostgreSQL database.

use herald_server::config::Storage;
use sqlx::Connection;
use tempfile::TempDir;

/// The variable naming the PostgreSQL server to test against.
const POSTGRES_VAR: &str = "HERALD_TEST_POSTGRES";

/// The variable choosing the backend of [`TestDatabase::create`].
const BACKEND_VAR: &str = "HERALD_TEST_BACKEND";

/// The machine's PostgreSQL, for tests that always need one.
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";

/// A database for one test, removed when dropped.
pub struct TestDatabase {
    storage: Storage,
    /// The server URL and database name to drop afterwards (PostgreSQL).
    postgres: Option<(String, String)>,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// A fresh, empty database on the backend this run tests: PostgreSQL
    /// when `HERALD_TEST_BACKEND=postgres`, else SQLite.
    pub async fn create() -> TestDatabase {
        match std::env::var(BACKEND_VAR).as_deref() {
            Ok("postgres") => Self::postgres().await,
            _ => {
                let dir = tempfile::tempdir().expect("temporary directory");
                TestDatabase {
                    storage: Storage::DataDir(dir.path().to_path_buf()),
                    postgres: None,
                    _dir: Some(dir),
                }
            }
        }
    }

    /// A fresh PostgreSQL database on `HERALD_TEST_POSTGRES`, or on the
    /// machine's server (127.0.0.1:5432, user postgres) when unset.
    pub async fn postgres() -> TestDatabase {
        let server = std::env::var(POSTGRES_VAR)
            .ok()
            .filter(|server| !server.is_empty())
            .unwrap_or_else(|| DEFAULT_POSTGRES.to_owned());
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("herald_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .expect("the PostgreSQL server answers");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("database created");
        let _ = admin.close().await;
        TestDatabase {
            storage: Storage::Url(format!("{server}/{name}")),
            postgres: Some((server, name)),
            _dir: None,
        }
    }

    /// Where a server keeps its data.
    pub fn storage(&self) -> Storage {
        self.storage.clone()
    }

    /// The database URL (`sqlite://...` or `postgres://...`).
    pub fn url(&self) -> String {
        match &self.storage {
            Storage::Url(url) => url.clone(),
            Storage::DataDir(dir) => format!("sqlite://{}/herald.db", dir.display()),
        }
    }

    /// The PostgreSQL database's name (`None` on SQLite).
    pub fn postgres_name(&self) -> Option<&str> {
        self.postgres.as_ref().map(|(_, name)| name.as_str())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime: drop the database from a
        // thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop a test database: {dropped:?}");
        }
    }
}
