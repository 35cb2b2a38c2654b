//! The `changes` table: the change feed behind gRPC's WatchSubjects.

use super::{Backend, CHANGES_CHANNEL, Conn, StoreResult, now_millis};

/// What a change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A version was registered.
    Registered,
    /// A version was soft-deleted.
    VersionDeleted,
    /// A soft-deleted version was removed.
    VersionDeletedPermanently,
    /// Every version of a subject was soft-deleted.
    SubjectDeleted,
    /// A soft-deleted subject was removed.
    SubjectDeletedPermanently,
    /// A compatibility configuration was set or removed.
    ConfigChanged,
    /// A mode was set or removed.
    ModeChanged,
}

impl ChangeKind {
    const ALL: [ChangeKind; 7] = [
        ChangeKind::Registered,
        ChangeKind::VersionDeleted,
        ChangeKind::VersionDeletedPermanently,
        ChangeKind::SubjectDeleted,
        ChangeKind::SubjectDeletedPermanently,
        ChangeKind::ConfigChanged,
        ChangeKind::ModeChanged,
    ];

    /// The stored spelling, e.g. `REGISTERED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Registered => "REGISTERED",
            ChangeKind::VersionDeleted => "VERSION_DELETED",
            ChangeKind::VersionDeletedPermanently => "VERSION_DELETED_PERMANENTLY",
            ChangeKind::SubjectDeleted => "SUBJECT_DELETED",
            ChangeKind::SubjectDeletedPermanently => "SUBJECT_DELETED_PERMANENTLY",
            ChangeKind::ConfigChanged => "CONFIG_CHANGED",
            ChangeKind::ModeChanged => "MODE_CHANGED",
        }
    }

    /// The kind a stored spelling names.
    pub fn parse(stored: &str) -> Option<ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == stored)
    }
}

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeRow {
    /// Its position in the feed, increasing.
    pub sequence: i64,
    /// `REGISTERED`, `VERSION_DELETED`, `SUBJECT_DELETED`, `CONFIG_CHANGED`, `MODE_CHANGED`.
    pub kind: String,
    /// The subject, or the scope of a config or mode change.
    pub scope: String,
    /// The version concerned, if one.
    pub version: Option<i32>,
    /// The schema id concerned, if one.
    pub schema_id: Option<i64>,
    /// When (Unix millis).
    pub at: i64,
}

/// Records a change (in the caller's transaction).
pub async fn record(
    conn: &mut Conn,
    kind: ChangeKind,
    scope: &str,
    version: Option<i32>,
    schema_id: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO changes (kind, scope, version, schema_id, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind.as_str())
    .bind(scope)
    .bind(version)
    .bind(schema_id)
    .bind(now_millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells the other replicas that a change is committing: on PostgreSQL a
/// `NOTIFY` on [`CHANGES_CHANNEL`], delivered when the transaction commits
/// (SQLite has one process, which wakes its watchers itself).
pub async fn announce(conn: &mut Conn, backend: Backend) -> StoreResult<()> {
    if backend == Backend::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!("NOTIFY {CHANGES_CHANNEL}")))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Up to `limit` changes after `after` whose scope starts with `prefix`, in order.
pub async fn since(
    conn: &mut Conn,
    after: i64,
    prefix: &str,
    limit: i64,
) -> StoreResult<Vec<ChangeRow>> {
    Ok(sqlx::query_as(
        "SELECT sequence, kind, scope, version, schema_id, at FROM changes
         WHERE sequence > $1 AND substr(scope, 1, length($2)) = $2
         ORDER BY sequence LIMIT $3",
    )
    .bind(after)
    .bind(prefix)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// The newest sequence number recorded (0 when none).
pub async fn last_sequence(conn: &mut Conn) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(sequence), 0) FROM changes")
            .fetch_one(conn)
            .await?,
    )
}
