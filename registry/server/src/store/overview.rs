//! Queries for the web UI: a page of subjects with their summary in one
//! query, and a subject's versions with their dates.

use super::{Conn, Flag, StoreError, StoreResult};
use crate::model::{DatedVersion, SubjectSummary, SummaryFilter};

/// One row of the subjects page as stored; [`SubjectSummary`] once decoded.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    name: String,
    context: String,
    schema_type: Option<String>,
    latest: Option<i32>,
    live_versions: i64,
    versions: i64,
    changed_at: i64,
    own_level: Option<String>,
}

impl TryFrom<SummaryRow> for SubjectSummary {
    type Error = StoreError;

    fn try_from(row: SummaryRow) -> StoreResult<SubjectSummary> {
        let schema_type = match row.schema_type {
            Some(spelled) => Some(
                spelled
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("schema type {spelled:?}")))?,
            ),
            None => None,
        };
        Ok(SubjectSummary {
            name: row.name,
            context: row.context,
            schema_type,
            latest: row.latest,
            live_versions: row.live_versions,
            versions: row.versions,
            changed_at: row.changed_at,
            own_level: row.own_level,
        })
    }
}

/// A page of subjects, sorted by name, in one query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn subject_page(
    conn: &mut Conn,
    filter: &SummaryFilter<'_>,
) -> StoreResult<Vec<SubjectSummary>> {
    // Page over the subjects first (in name order, by the name index), then
    // summarise only the page's subjects.
    // LIMIT/OFFSET inside the subquery are integers we computed, written into
    // the SQL (SQLite refuses bound parameters there with this driver).
    let sql = format!(
        "SELECT p.name, p.context,
             (SELECT sc.schema_type FROM versions w
                JOIN schemas sc ON sc.context = p.context AND sc.id = w.schema_id
               WHERE w.subject_id = p.id ORDER BY w.deleted, w.version DESC LIMIT 1) AS schema_type,
             MAX(CASE WHEN v.deleted = 0 THEN v.version END) AS latest,
             COUNT(CASE WHEN v.deleted = 0 THEN 1 END) AS live_versions,
             COUNT(*) AS versions,
             MAX(v.created_at) AS changed_at,
             c.compatibility AS own_level
         FROM (
             SELECT s.id, s.name, s.context FROM subjects s
             WHERE lower(s.name) LIKE $1 ESCAPE '!' AND ($2 IS NULL OR s.context = $2)
               AND EXISTS (SELECT 1 FROM versions v WHERE v.subject_id = s.id AND ($3 OR v.deleted = 0))
               AND ($4 IS NULL OR (SELECT sc.schema_type FROM versions w
                      JOIN schemas sc ON sc.context = s.context AND sc.id = w.schema_id
                     WHERE w.subject_id = s.id ORDER BY w.deleted, w.version DESC LIMIT 1) = $4)
             ORDER BY s.name LIMIT {} OFFSET {}) p
         JOIN versions v ON v.subject_id = p.id
         LEFT JOIN config c ON c.scope = p.name
         GROUP BY p.id, p.name, p.context, c.compatibility
         ORDER BY p.name",
        filter.limit.max(0),
        filter.offset.max(0)
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(contains_pattern(filter.search))
        .bind(filter.context)
        .bind(filter.include_deleted)
        .bind(filter.schema_type)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(SubjectSummary::try_from).collect()
}

/// Every version of the subject `name`, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn dated_versions(conn: &mut Conn, name: &str) -> StoreResult<Vec<DatedVersion>> {
    let rows: Vec<(i32, i64, Flag, i64)> = sqlx::query_as(
        "SELECT v.version, v.schema_id, v.deleted, v.created_at
         FROM versions v JOIN subjects s ON s.id = v.subject_id
         WHERE s.name = $1 ORDER BY v.version",
    )
    .bind(name)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, schema_id, deleted, created_at)| DatedVersion {
            version,
            schema_id,
            deleted: deleted.into(),
            created_at,
        })
        .collect())
}

/// A LIKE pattern (escape character `!`) matching names that contain
/// `search`, ignoring ASCII case (as `lower()` does under both databases' "C" rules); the caller lowers the name.
fn contains_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.to_ascii_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
