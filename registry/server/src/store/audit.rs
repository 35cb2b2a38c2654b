//! The `audit` table: who changed what, and who was refused.

use super::{Conn, StoreResult, now_millis};
use crate::model::{AuditEntry, AuditFilter};

/// A row of the `audit` table.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    principal: String,
    address: Option<String>,
    action: String,
    subject: String,
    version: Option<i32>,
    schema_id: Option<i64>,
    status: i32,
    error_code: Option<i64>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> AuditEntry {
        AuditEntry {
            id: row.id,
            at: row.at,
            principal: row.principal,
            address: row.address,
            action: row.action,
            subject: row.subject,
            version: row.version,
            schema_id: row.schema_id,
            status: u16::try_from(row.status).unwrap_or(0),
            error_code: row.error_code,
        }
    }
}

/// Records `entry` (its `id` and `at` are assigned here) in the caller's
/// transaction.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record(conn: &mut Conn, entry: &AuditEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit (at, principal, address, action, subject, version, schema_id, status, error_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now_millis())
    .bind(&entry.principal)
    .bind(entry.address.as_deref())
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(entry.version)
    .bind(entry.schema_id)
    .bind(i32::from(entry.status))
    .bind(entry.error_code)
    .execute(conn)
    .await?;
    Ok(())
}

/// Entries matching `filter`, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(conn: &mut Conn, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, at, principal, address, action, subject, version, schema_id, status, error_code
         FROM audit
         WHERE substr(subject, 1, length($1)) = $1
           AND ($2 IS NULL OR principal = $2)
           AND ($3 IS NULL OR action = $3)
           AND at >= $4 AND at <= $5
         ORDER BY id DESC LIMIT $6 OFFSET $7",
    )
    .bind(filter.subject_prefix.as_str())
    .bind(filter.principal.as_deref())
    .bind(filter.action.as_deref())
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.limit)
    .bind(filter.offset)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

/// Deletes entries older than `before` (Unix millis) and all but the
/// newest `keep`; returns how many went.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn prune(conn: &mut Conn, before: Option<i64>, keep: Option<i64>) -> StoreResult<u64> {
    let mut removed = 0;
    if let Some(before) = before {
        removed += sqlx::query("DELETE FROM audit WHERE at < $1")
            .bind(before)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    if let Some(keep) = keep {
        removed += sqlx::query(
            "DELETE FROM audit WHERE id <= (SELECT COALESCE(MAX(id), 0) FROM audit) - $1",
        )
        .bind(keep)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(removed)
}
