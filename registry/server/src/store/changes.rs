//! The `changes` table: the change feed behind gRPC's WatchSubjects.

use super::{Backend, CHANGES_CHANNEL, Conn, StoreResult, now_millis};
use crate::model::{Change, ChangeKind};

/// A row of the `changes` table.
#[derive(sqlx::FromRow)]
struct ChangeRow {
    sequence: i64,
    kind: String,
    scope: String,
    version: Option<i32>,
    schema_id: Option<i64>,
    at: i64,
}

impl From<ChangeRow> for Change {
    fn from(row: ChangeRow) -> Change {
        Change {
            sequence: row.sequence,
            kind: ChangeKind::parse(&row.kind),
            scope: row.scope,
            version: row.version,
            schema_id: row.schema_id,
            at: row.at,
        }
    }
}

/// Records a change (in the caller's transaction).
#[tracing::instrument(level = "debug", skip_all)]
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
#[tracing::instrument(level = "debug", skip_all)]
pub async fn announce(conn: &mut Conn, backend: Backend) -> StoreResult<()> {
    if backend == Backend::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!("NOTIFY {CHANGES_CHANNEL}")))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Up to `limit` changes after `after` whose scope starts with `prefix`, in order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn since(
    conn: &mut Conn,
    after: i64,
    prefix: &str,
    limit: i64,
) -> StoreResult<Vec<Change>> {
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT sequence, kind, scope, version, schema_id, at FROM changes
         WHERE sequence > $1 AND substr(scope, 1, length($2)) = $2
         ORDER BY sequence LIMIT $3",
    )
    .bind(after)
    .bind(prefix)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Change::from).collect())
}

/// The newest sequence number recorded (0 when none).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn last_sequence(conn: &mut Conn) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(sequence), 0) FROM changes")
            .fetch_one(conn)
            .await?,
    )
}
