//! Copying a whole registry from one store to another (`herald
//! migrate-store`), ids, versions, sequence numbers and all.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, NullableFlag, Store, StoreError, StoreResult};

/// How a column is read and written.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bool,
}

/// A column's value in flight.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

/// The tables in an order that satisfies their foreign keys, with their
/// columns. `contexts` already holds "." in a fresh store: it is upserted.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "contexts",
        &[
            ("name", Kind::Text),
            ("created_at", Kind::Int),
            ("last_schema_id", Kind::Int),
        ],
    ),
    (
        "schemas",
        &[
            ("context", Kind::Text),
            ("id", Kind::Int),
            ("schema_type", Kind::Text),
            ("schema_text", Kind::Text),
            ("canonical", Kind::Text),
            ("fingerprint", Kind::Text),
            ("guid", Kind::Text),
            ("created_at", Kind::Int),
            ("metadata", Kind::Text),
            ("rule_set", Kind::Text),
        ],
    ),
    (
        "schema_references",
        &[
            ("context", Kind::Text),
            ("schema_id", Kind::Int),
            ("position", Kind::Int),
            ("name", Kind::Text),
            ("subject", Kind::Text),
            ("version", Kind::Int),
        ],
    ),
    (
        "subjects",
        &[
            ("id", Kind::Int),
            ("context", Kind::Text),
            ("local_name", Kind::Text),
            ("name", Kind::Text),
            ("created_at", Kind::Int),
        ],
    ),
    (
        "versions",
        &[
            ("subject_id", Kind::Int),
            ("version", Kind::Int),
            ("schema_id", Kind::Int),
            ("deleted", Kind::Int),
            ("created_at", Kind::Int),
        ],
    ),
    (
        "config",
        &[
            ("scope", Kind::Text),
            ("compatibility", Kind::Text),
            ("normalize", Kind::Bool),
            ("compatibility_group", Kind::Text),
            ("protobuf_rules", Kind::Text),
            ("compatibility_policy", Kind::Text),
            ("alias", Kind::Text),
            ("validate_fields", Kind::Bool),
            ("default_metadata", Kind::Text),
            ("override_metadata", Kind::Text),
            ("default_rule_set", Kind::Text),
            ("override_rule_set", Kind::Text),
        ],
    ),
    ("modes", &[("scope", Kind::Text), ("mode", Kind::Text)]),
    (
        "changes",
        &[
            ("sequence", Kind::Int),
            ("kind", Kind::Text),
            ("scope", Kind::Text),
            ("version", Kind::Int),
            ("schema_id", Kind::Int),
            ("at", Kind::Int),
        ],
    ),
];

/// Identity columns whose PostgreSQL sequence must continue after the
/// copied rows.
const IDENTITIES: &[(&str, &str)] = &[("subjects", "id"), ("changes", "sequence")];

/// Rows copied, per table.
pub type CopyReport = Vec<(&'static str, u64)>;

/// Copies everything in `from` into `to`, which must hold no registry data
/// yet; one transaction on `to`, so a failed copy leaves it empty.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn copy_registry(from: &Store, to: &Store) -> StoreResult<CopyReport> {
    let mut tx = to.write().await?;
    let existing: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM schemas) + (SELECT COUNT(*) FROM subjects)
              + (SELECT COUNT(*) FROM config) + (SELECT COUNT(*) FROM modes)
              + (SELECT COUNT(*) FROM changes)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if existing > 0 {
        return Err(StoreError::NotEmpty);
    }
    let mut source = from.read().await?;
    let mut report = CopyReport::new();
    for (table, columns) in TABLES {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let select = format!("SELECT {} FROM {table}", names.join(", "));
        let rows = sqlx::query(sqlx::AssertSqlSafe(select))
            .fetch_all(&mut *source)
            .await?;
        let insert = insert_sql(table, &names);
        for row in &rows {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
            for (index, (_, kind)) in columns.iter().enumerate() {
                query = match read(row, index, *kind)? {
                    Value::Int(value) => query.bind(value),
                    Value::Text(value) => query.bind(value),
                    Value::Bool(value) => query.bind(value),
                };
            }
            query.execute(&mut *tx).await?;
        }
        report.push((*table, u64::try_from(rows.len()).unwrap_or(u64::MAX)));
    }
    if to.backend() == Backend::Postgres {
        for (table, column) in IDENTITIES {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                     (SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(report)
}

fn insert_sql(table: &str, names: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=names.len()).map(|n| format!("${n}")).collect();
    let mut sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        placeholders.join(", ")
    );
    if table == "contexts" {
        sql.push_str(
            " ON CONFLICT (name) DO UPDATE SET created_at = excluded.created_at,
                 last_schema_id = excluded.last_schema_id",
        );
    }
    sql
}

fn read(row: &AnyRow, index: usize, kind: Kind) -> StoreResult<Value> {
    Ok(match kind {
        Kind::Int => Value::Int(row.try_get(index)?),
        Kind::Text => Value::Text(row.try_get(index)?),
        Kind::Bool => Value::Bool(row.try_get::<NullableFlag, _>(index)?.0),
    })
}
