//! The `contexts`, `subjects` and `versions` tables.

use super::{Backend, Conn, Flag, StoreError, StoreResult, now_millis, sql_limit};

/// One version of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct VersionRow {
    /// Version number, from 1.
    pub version: i32,
    /// The schema id it points at (in the subject's context).
    pub schema_id: i64,
    /// Soft-deleted.
    #[sqlx(try_from = "Flag")]
    pub deleted: bool,
}

/// The id of the subject with this qualified name.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn id(conn: &mut Conn, name: &str) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM subjects WHERE name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await?,
    )
}

/// Creates a subject (`name` qualified, `local_name` within `context`,
/// which exists: its schema is in it) and returns its id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    conn: &mut Conn,
    context: &str,
    local_name: &str,
    name: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO subjects (context, local_name, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(context)
    .bind(local_name)
    .bind(name)
    .bind(now_millis())
    .fetch_one(conn)
    .await?)
}

/// Every version of a subject, oldest first, soft-deleted ones included.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn versions(conn: &mut Conn, subject_id: i64) -> StoreResult<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT version, schema_id, deleted FROM versions WHERE subject_id = $1 ORDER BY version",
    )
    .bind(subject_id)
    .fetch_all(conn)
    .await?)
}

/// Adds version `version` of a subject, pointing at `schema_id`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_version(
    conn: &mut Conn,
    subject_id: i64,
    version: i32,
    schema_id: i64,
) -> StoreResult<()> {
    write_version(
        conn,
        "INSERT INTO versions (subject_id, version, schema_id, deleted, created_at)
         VALUES ($1, $2, $3, 0, $4)",
        (subject_id, version, schema_id),
    )
    .await
}

/// Points an existing version at `schema_id`, live again (IMPORT
/// replacing a version).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace_version(
    conn: &mut Conn,
    subject_id: i64,
    version: i32,
    schema_id: i64,
) -> StoreResult<()> {
    write_version(
        conn,
        "UPDATE versions SET schema_id = $3, deleted = 0, created_at = $4
         WHERE subject_id = $1 AND version = $2",
        (subject_id, version, schema_id),
    )
    .await
}

/// Runs `sql` with the subject id, version, schema id and the time.
async fn write_version(
    conn: &mut Conn,
    sql: &'static str,
    (subject_id, version, schema_id): (i64, i32, i64),
) -> StoreResult<()> {
    sqlx::query(sql)
        .bind(subject_id)
        .bind(version)
        .bind(schema_id)
        .bind(now_millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// Soft-deletes a version.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_deleted(conn: &mut Conn, subject_id: i64, version: i32) -> StoreResult<()> {
    sqlx::query("UPDATE versions SET deleted = 1 WHERE subject_id = $1 AND version = $2")
        .bind(subject_id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a version for good.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_version(conn: &mut Conn, subject_id: i64, version: i32) -> StoreResult<()> {
    sqlx::query("DELETE FROM versions WHERE subject_id = $1 AND version = $2")
        .bind(subject_id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a subject that has no versions left.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_if_empty(conn: &mut Conn, subject_id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM subjects WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM versions WHERE subject_id = $2)")
        .bind(subject_id)
        .bind(subject_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which subjects a listing wants.
#[derive(Clone, Debug, Default)]
pub struct SubjectFilter<'a> {
    /// Only this context (`None`: every context).
    pub context: Option<&'a str>,
    /// Names (within their context) starting with this.
    pub local_prefix: &'a str,
    /// Subjects with live versions.
    pub live: bool,
    /// Subjects whose versions are all soft-deleted.
    pub deleted: bool,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return at most (negative: all).
    pub limit: i64,
}

/// Qualified subject names matching `filter`, sorted. The names come back
/// as one JSON array (SQLite's `json_group_array`, PostgreSQL's
/// `json_agg`): one row instead of thousands, each of which would cross
/// from the database driver's thread on its own.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(conn: &mut Conn, filter: &SubjectFilter<'_>) -> StoreResult<Vec<String>> {
    let aggregate = match Backend::of_connection(conn) {
        Backend::Sqlite => "json_group_array(name ORDER BY name)",
        Backend::Postgres => "json_agg(name ORDER BY name)::text",
    };
    let sql = format!(
        "SELECT {aggregate} FROM (
             SELECT s.name FROM subjects s JOIN versions v ON v.subject_id = s.id
             WHERE ($1 IS NULL OR s.context = $1) AND substr(s.local_name, 1, length($2)) = $2
             GROUP BY s.id, s.name
             HAVING CASE WHEN COUNT(CASE WHEN v.deleted = 0 THEN 1 END) > 0 THEN $3 ELSE $4 END
             ORDER BY s.name LIMIT $5 OFFSET $6) page"
    );
    let names: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(filter.context)
        .bind(filter.local_prefix)
        .bind(filter.live)
        .bind(filter.deleted)
        .bind(sql_limit(filter.limit))
        .bind(filter.offset)
        .fetch_one(conn)
        .await?;
    match names {
        Some(names) => serde_json::from_str(&names).map_err(|e| StoreError::Corrupt(e.to_string())),
        None => Ok(Vec::new()),
    }
}

/// A version in a listing of schemas.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedVersion {
    /// Qualified subject name.
    #[sqlx(rename = "name")]
    pub subject: String,
    /// The subject's context.
    pub context: String,
    /// Version number.
    pub version: i32,
    /// Schema id.
    pub schema_id: i64,
}

/// Versions (live, or all with `include_deleted`) of subjects matching
/// `filter`'s context and prefix, by subject then version; with
/// `latest_only`, just the newest such version of each subject.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list_versions(
    conn: &mut Conn,
    filter: &SubjectFilter<'_>,
    include_deleted: bool,
    latest_only: bool,
) -> StoreResult<Vec<ListedVersion>> {
    Ok(sqlx::query_as(
        "SELECT s.name, s.context, v.version, v.schema_id FROM subjects s JOIN versions v ON v.subject_id = s.id
         WHERE ($1 IS NULL OR s.context = $1) AND substr(s.local_name, 1, length($2)) = $2 AND (v.deleted = 0 OR $3)
           AND (NOT $4 OR v.version = (SELECT MAX(w.version) FROM versions w
                                       WHERE w.subject_id = s.id AND (w.deleted = 0 OR $3)))
         ORDER BY s.name, v.version LIMIT $5 OFFSET $6",
    )
    .bind(filter.context)
    .bind(filter.local_prefix)
    .bind(include_deleted)
    .bind(latest_only)
    .bind(sql_limit(filter.limit))
    .bind(filter.offset)
    .fetch_all(conn)
    .await?)
}

/// Whether any subject (in `context`, or named `subject`, when given) has
/// live versions.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn any_live(
    conn: &mut Conn,
    context: Option<&str>,
    subject: Option<&str>,
) -> StoreResult<bool> {
    let live: Flag = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM subjects s JOIN versions v ON v.subject_id = s.id
         WHERE v.deleted = 0 AND ($1 IS NULL OR s.context = $1) AND ($2 IS NULL OR s.name = $2))",
    )
    .bind(context)
    .bind(subject)
    .fetch_one(conn)
    .await?;
    Ok(live.0)
}

/// A soft-deleted version, with its subject.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeletedVersion {
    /// The subject's row id.
    pub subject_id: i64,
    /// The subject's qualified name.
    pub name: String,
    /// The subject's context.
    pub context: String,
    /// The version number.
    pub version: i32,
    /// The schema it pointed at.
    pub schema_id: i64,
}

/// The soft-deleted versions of one context (or all) and one subject (or
/// all), by subject and version.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn soft_deleted_versions(
    conn: &mut Conn,
    context: Option<&str>,
    subject: Option<&str>,
) -> StoreResult<Vec<DeletedVersion>> {
    Ok(sqlx::query_as(
        "SELECT s.id AS subject_id, s.name, s.context, v.version, v.schema_id
         FROM subjects s JOIN versions v ON v.subject_id = s.id
         WHERE v.deleted = 1 AND ($1 IS NULL OR s.context = $1) AND ($2 IS NULL OR s.name = $2)
         ORDER BY s.name, v.version",
    )
    .bind(context)
    .bind(subject)
    .fetch_all(conn)
    .await?)
}

/// Every context name, sorted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn contexts(conn: &mut Conn) -> StoreResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM contexts ORDER BY name")
            .fetch_all(conn)
            .await?,
    )
}
