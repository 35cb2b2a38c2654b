//! The `config` and `modes` tables, keyed by scope: `__GLOBAL`, a context
//! (`:.ctx:`) or a qualified subject name.

use super::{Conn, NullableFlag, StoreResult};
use crate::model::{Config, Metadata, RuleSet};

/// A row of the `config` table.
#[derive(sqlx::FromRow)]
struct ConfigRow {
    /// Compatibility level, as spelled in the API.
    compatibility: Option<String>,
    /// Whether registrations normalize by default.
    #[sqlx(try_from = "NullableFlag")]
    normalize: Option<bool>,
    /// Metadata property that groups versions for checks.
    compatibility_group: Option<String>,
    /// Rule set for Protobuf checks (`CONFLUENT` or a buf category).
    protobuf_rules: Option<String>,
    /// Policy for JSON Schema checks (`STRICT` or `LENIENT`).
    compatibility_policy: Option<String>,
    /// The subject this one is an alias of.
    alias: Option<String>,
    /// Whether field names are validated strictly (Confluent's `validateFields`).
    #[sqlx(try_from = "NullableFlag")]
    validate_fields: Option<bool>,
    /// Contract defaults and overrides, as JSON.
    default_metadata: Option<String>,
    override_metadata: Option<String>,
    default_rule_set: Option<String>,
    override_rule_set: Option<String>,
}

/// A JSON column read back (unreadable JSON, which Herald never writes,
/// reads as unset).
fn parsed<T: serde::de::DeserializeOwned>(json: Option<String>) -> Option<T> {
    json.and_then(|text| serde_json::from_str(&text).ok())
}

impl From<ConfigRow> for Config {
    fn from(row: ConfigRow) -> Config {
        Config {
            compatibility: row.compatibility,
            normalize: row.normalize,
            compatibility_group: row.compatibility_group,
            protobuf_rules: row.protobuf_rules,
            compatibility_policy: row.compatibility_policy,
            alias: row.alias,
            validate_fields: row.validate_fields,
            default_metadata: parsed(row.default_metadata),
            override_metadata: parsed(row.override_metadata),
            default_rule_set: parsed(row.default_rule_set),
            override_rule_set: parsed(row.override_rule_set),
        }
    }
}

/// The configuration set on `scope`, if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn config(conn: &mut Conn, scope: &str) -> StoreResult<Option<Config>> {
    let row: Option<ConfigRow> = sqlx::query_as(
        "SELECT compatibility, normalize, compatibility_group, protobuf_rules, compatibility_policy,
             alias, validate_fields, default_metadata, override_metadata, default_rule_set,
             override_rule_set
         FROM config WHERE scope = $1",
    )
    .bind(scope)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Config::from))
}

/// A configuration or a mode set on one scope of a lineage.
#[derive(sqlx::FromRow)]
struct LineageRow {
    scope: String,
    #[sqlx(flatten)]
    config: ConfigRow,
    /// The mode, for a row of `modes`; `None` for a row of `config`.
    mode: Option<String>,
}

/// The modes set along a lineage, each with the index of the key it is set on.
pub type ModesAlong = Vec<(usize, String)>;

/// What is set along `keys` (at most three: a lineage), in the order of
/// `keys`: the configurations, and the modes with the index of the key
/// each is set on. One query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn settings_along(
    conn: &mut Conn,
    keys: &[String],
) -> StoreResult<(Vec<Config>, ModesAlong)> {
    let rows: Vec<LineageRow> = sqlx::query_as(
        "SELECT scope, compatibility, normalize, compatibility_group, protobuf_rules,
             compatibility_policy, alias, validate_fields, default_metadata, override_metadata,
             default_rule_set, override_rule_set, NULL AS mode
         FROM config WHERE scope IN ($1, $2, $3)
         UNION ALL
         SELECT scope, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, mode
         FROM modes WHERE scope IN ($1, $2, $3)",
    )
    .bind(lineage_key(keys, 0))
    .bind(lineage_key(keys, 1))
    .bind(lineage_key(keys, 2))
    .fetch_all(conn)
    .await?;
    let (mut configs, mut modes) = (Vec::new(), Vec::new());
    for (rank, row) in ranked(keys, rows, |row| &row.scope) {
        match row.mode {
            Some(mode) => modes.push((rank, mode)),
            None => configs.push(Config::from(row.config)),
        }
    }
    Ok((configs, modes))
}

/// Key `index` of a lineage, or its last key again (the query always
/// binds three).
fn lineage_key(keys: &[String], index: usize) -> &str {
    keys.get(index).or(keys.last()).map_or("", String::as_str)
}

/// `rows` with the position of their scope in `keys`, in that order.
fn ranked<T>(keys: &[String], rows: Vec<T>, scope: impl Fn(&T) -> &String) -> Vec<(usize, T)> {
    let mut ranked: Vec<(usize, T)> = rows
        .into_iter()
        .filter_map(|row| Some((keys.iter().position(|k| k == scope(&row))?, row)))
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked
}

/// Sets the configuration of `scope`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn put_config(conn: &mut Conn, scope: &str, config: &Config) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO config (scope, compatibility, normalize, compatibility_group, protobuf_rules,
             compatibility_policy, alias, validate_fields, default_metadata, override_metadata,
             default_rule_set, override_rule_set)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (scope) DO UPDATE SET compatibility = excluded.compatibility,
             normalize = excluded.normalize, compatibility_group = excluded.compatibility_group,
             protobuf_rules = excluded.protobuf_rules,
             compatibility_policy = excluded.compatibility_policy, alias = excluded.alias,
             validate_fields = excluded.validate_fields,
             default_metadata = excluded.default_metadata,
             override_metadata = excluded.override_metadata,
             default_rule_set = excluded.default_rule_set,
             override_rule_set = excluded.override_rule_set",
    )
    .bind(scope)
    .bind(&config.compatibility)
    .bind(config.normalize)
    .bind(&config.compatibility_group)
    .bind(&config.protobuf_rules)
    .bind(&config.compatibility_policy)
    .bind(&config.alias)
    .bind(config.validate_fields)
    .bind(config.default_metadata.as_ref().map(Metadata::to_json))
    .bind(config.override_metadata.as_ref().map(Metadata::to_json))
    .bind(config.default_rule_set.as_ref().map(RuleSet::to_json))
    .bind(config.override_rule_set.as_ref().map(RuleSet::to_json))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the configuration of `scope`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_config(conn: &mut Conn, scope: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM config WHERE scope = $1")
        .bind(scope)
        .execute(conn)
        .await?;
    Ok(())
}

/// The mode set on `scope`, if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mode(conn: &mut Conn, scope: &str) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT mode FROM modes WHERE scope = $1")
            .bind(scope)
            .fetch_optional(conn)
            .await?,
    )
}

/// Sets the mode of `scope`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn put_mode(conn: &mut Conn, scope: &str, mode: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO modes (scope, mode) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET mode = excluded.mode")
        .bind(scope)
        .bind(mode)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the mode of `scope`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_mode(conn: &mut Conn, scope: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM modes WHERE scope = $1")
        .bind(scope)
        .execute(conn)
        .await?;
    Ok(())
}
