//! The `changes` table: the change feed behind gRPC's WatchSubjects.

use super::{Conn, StoreResult, now_millis};

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
    kind: &str,
    scope: &str,
    version: Option<i32>,
    schema_id: Option<i64>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO changes (kind, scope, version, schema_id, at) VALUES (?, ?, ?, ?, ?)")
        .bind(kind)
        .bind(scope)
        .bind(version)
        .bind(schema_id)
        .bind(now_millis())
        .execute(conn)
        .await?;
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
         WHERE sequence > ? AND substr(scope, 1, length(?2)) = ?2
         ORDER BY sequence LIMIT ?3",
    )
    .bind(after)
    .bind(prefix)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
