//! The `schemas` and `schema_references` tables.

use sqlx::Row;

use herald_core::SchemaReference;

use crate::model::{Metadata, RuleSet, Schema};

use super::{Conn, Flag, StoreError, StoreResult, now_millis};

const COLUMNS: &str =
    "context, id, schema_type, schema_text, fingerprint, guid, metadata, rule_set";

async fn from_row(conn: &mut Conn, row: &sqlx::any::AnyRow) -> StoreResult<Schema> {
    let context: String = row.try_get("context")?;
    let id: i64 = row.try_get("id")?;
    let references = references(conn, &context, id).await?;
    let metadata: Option<String> = row.try_get("metadata")?;
    let rule_set: Option<String> = row.try_get("rule_set")?;
    Ok(Schema {
        metadata: metadata.and_then(|text| serde_json::from_str(&text).ok()),
        rule_set: rule_set.and_then(|text| serde_json::from_str(&text).ok()),
        schema_type: {
            let spelled: String = row.try_get("schema_type")?;
            spelled
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("schema type {spelled:?}")))?
        },
        text: row.try_get("schema_text")?,
        fingerprint: row.try_get("fingerprint")?,
        guid: row.try_get("guid")?,
        context,
        id,
        references,
    })
}

/// The schema with `id` in `context`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_id(conn: &mut Conn, context: &str, id: i64) -> StoreResult<Option<Schema>> {
    let sql = format!("SELECT {COLUMNS} FROM schemas WHERE context = $1 AND id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(context)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(from_row(conn, &row).await?)),
        None => Ok(None),
    }
}

/// The schema with this guid, in whichever context holds it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_guid(conn: &mut Conn, guid: &str) -> StoreResult<Option<Schema>> {
    let sql = format!("SELECT {COLUMNS} FROM schemas WHERE guid = $1 ORDER BY context LIMIT 1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(guid)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(from_row(conn, &row).await?)),
        None => Ok(None),
    }
}

/// The id of the schema with this fingerprint in `context`, if any; the
/// newest when IMPORT gave the content more than one, as Confluent's lookup
/// answers with the id registered last.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn id_by_fingerprint(
    conn: &mut Conn,
    context: &str,
    fingerprint: &str,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM schemas WHERE context = $1 AND fingerprint = $2
             ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(context)
    .bind(fingerprint)
    .fetch_optional(conn)
    .await?)
}

/// The highest schema id used in `context` (0 when none).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn max_id(conn: &mut Conn, context: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM schemas WHERE context = $1")
            .bind(context)
            .fetch_one(conn)
            .await?,
    )
}

/// Takes the next schema id of `context`, creating the context when it is
/// new. Ids are never handed out twice, even after a schema is deleted for
/// good, so a cached schema can never be mistaken for a later one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn next_id(conn: &mut Conn, context: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO contexts (name, created_at, last_schema_id) VALUES ($1, $2, 1)
         ON CONFLICT (name) DO UPDATE SET last_schema_id = contexts.last_schema_id + 1
         RETURNING last_schema_id",
    )
    .bind(context)
    .bind(now_millis())
    .fetch_one(conn)
    .await?)
}

/// Records that `id`, chosen by a client (IMPORT mode), is used in
/// `context` (created when new), so [`next_id`] continues after it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim_id(conn: &mut Conn, context: &str, id: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO contexts (name, created_at, last_schema_id) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET last_schema_id =
             CASE WHEN contexts.last_schema_id < excluded.last_schema_id
                  THEN excluded.last_schema_id ELSE contexts.last_schema_id END",
    )
    .bind(context)
    .bind(now_millis())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a new schema and its references.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(conn: &mut Conn, schema: &Schema, canonical: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO schemas (context, id, schema_type, schema_text, canonical, fingerprint, guid,
             created_at, metadata, rule_set)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&schema.context)
    .bind(schema.id)
    .bind(schema.schema_type.as_str())
    .bind(&schema.text)
    .bind(canonical)
    .bind(&schema.fingerprint)
    .bind(&schema.guid)
    .bind(now_millis())
    .bind(schema.metadata.as_ref().map(Metadata::to_json))
    .bind(schema.rule_set.as_ref().map(RuleSet::to_json))
    .execute(&mut *conn)
    .await?;
    for (position, reference) in schema.references.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schema_references (context, schema_id, position, name, subject, version)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&schema.context)
        .bind(schema.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&reference.name)
        .bind(&reference.subject)
        .bind(reference.version)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deletes the schema when no version (live or soft-deleted) uses it any
/// more. Returns whether it was deleted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_if_unused(conn: &mut Conn, context: &str, id: i64) -> StoreResult<bool> {
    let result = sqlx::query(
        "DELETE FROM schemas WHERE context = $1 AND id = $2 AND NOT EXISTS (
             SELECT 1 FROM versions v JOIN subjects s ON s.id = v.subject_id
             WHERE s.context = schemas.context AND v.schema_id = schemas.id)",
    )
    .bind(context)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// A row of `schema_references`.
#[derive(sqlx::FromRow)]
struct ReferenceRow {
    name: String,
    subject: String,
    version: i32,
}

async fn references(conn: &mut Conn, context: &str, id: i64) -> StoreResult<Vec<SchemaReference>> {
    let rows: Vec<ReferenceRow> = sqlx::query_as(
        "SELECT name, subject, version FROM schema_references
         WHERE context = $1 AND schema_id = $2 ORDER BY position",
    )
    .bind(context)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| SchemaReference {
            name: row.name,
            subject: row.subject,
            version: row.version,
        })
        .collect())
}

/// Ids of schemas that reference `subject` version `version` and are used
/// by at least one version (soft-deleted ones too when `include_deleted`).
/// The versions of `subject` that a live version of some subject
/// references, in one query (what [`referencing_ids`] answers per version).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn referenced_versions(conn: &mut Conn, subject: &str) -> StoreResult<Vec<i32>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT r.version FROM schema_references r
         JOIN subjects s ON s.context = r.context
         JOIN versions v ON v.subject_id = s.id AND v.schema_id = r.schema_id
         WHERE r.subject = $1 AND v.deleted = 0
         ORDER BY r.version",
    )
    .bind(subject)
    .fetch_all(conn)
    .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn referencing_ids(
    conn: &mut Conn,
    subject: &str,
    version: i32,
    include_deleted: bool,
) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT r.schema_id FROM schema_references r
         JOIN subjects s ON s.context = r.context
         JOIN versions v ON v.subject_id = s.id AND v.schema_id = r.schema_id
         WHERE r.subject = $1 AND r.version = $2 AND (v.deleted = 0 OR $3)
         ORDER BY r.schema_id",
    )
    .bind(subject)
    .bind(version)
    .bind(include_deleted)
    .fetch_all(conn)
    .await?)
}

/// A subject-version that uses a schema.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Usage {
    /// Qualified subject name.
    #[sqlx(rename = "name")]
    pub subject: String,
    /// Version number.
    pub version: i32,
    /// Whether that version is soft-deleted.
    #[sqlx(try_from = "Flag")]
    pub deleted: bool,
}

/// Every subject-version in `context` that uses schema `id`, in the order
/// they were registered.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn usages(conn: &mut Conn, context: &str, id: i64) -> StoreResult<Vec<Usage>> {
    Ok(sqlx::query_as(
        "SELECT s.name, v.version, v.deleted FROM versions v JOIN subjects s ON s.id = v.subject_id
         WHERE s.context = $1 AND v.schema_id = $2 ORDER BY v.created_at, s.name, v.version",
    )
    .bind(context)
    .bind(id)
    .fetch_all(conn)
    .await?)
}
