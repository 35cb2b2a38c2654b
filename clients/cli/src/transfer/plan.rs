//! What an import would do, judged against the target before anything is
//! written: each source version is to register, already there (identical),
//! or a conflict that stops the import.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::snapshot::{Snapshot, VersionRecord};
use crate::gate::CliError;
use herald_client::registry::raw::RawApi as Endpoint;

/// What happens to one source version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Registered with its id and version.
    Register,
    /// Already on the target, identical: skipped.
    Present,
    /// Already on the target with other content, or its id holds another
    /// schema there: the import stops before writing.
    Conflict(String),
}

/// The plan: one action per source version, and which versions are to be
/// soft-deleted on the target afterwards.
#[derive(Debug, Default)]
pub struct Plan {
    /// By index of [`Snapshot::versions`].
    pub actions: Vec<Action>,
    /// Indexes of versions deleted on the source but not on the target.
    pub deletes: Vec<usize>,
}

impl Plan {
    /// The conflicts, as messages.
    pub fn conflicts(&self) -> Vec<&str> {
        self.actions
            .iter()
            .filter_map(|action| match action {
                Action::Conflict(message) => Some(message.as_str()),
                _ => None,
            })
            .collect()
    }

    /// How many versions take `action`'s kind.
    pub fn count(&self, wanted: fn(&Action) -> bool) -> usize {
        self.actions.iter().filter(|a| wanted(a)).count()
    }
}

/// Whether a version as `found` on a registry is `record`: same id, text,
/// type, references, metadata and rules (compared as registries write
/// them: empty lists and maps are absent, a rule's `disabled` is false
/// unless set).
pub fn same(found: &Value, record: &VersionRecord) -> bool {
    let field = |key: &str| -> Value {
        match (found.get(key), key) {
            (Some(Value::Null) | None, "schemaType") => Value::from("AVRO"),
            (Some(Value::Null) | None, "references") => Value::Array(Vec::new()),
            (Some(value), _) => comparable(value),
            (None, _) => Value::Null,
        }
    };
    let expected = |key: &str| record.schema.get(key).map_or(Value::Null, comparable);
    found.get("id").and_then(Value::as_i64) == Some(record.id)
        && ["schema", "schemaType", "references", "metadata", "ruleSet"]
            .iter()
            .all(|key| field(key) == expected(key))
}

/// `value` without empty lists, empty maps and nulls, and with
/// `"disabled": false` in every rule-like object (one with a `kind`).
fn comparable(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut kept: Map<String, Value> = object
                .iter()
                .map(|(key, value)| (key.clone(), comparable(value)))
                .filter(|(_, value)| !is_empty(value))
                .collect();
            if kept.contains_key("kind") && !kept.contains_key("disabled") {
                kept.insert("disabled".to_owned(), Value::Bool(false));
            }
            Value::Object(kept)
        }
        Value::Array(items) => Value::Array(items.iter().map(comparable).collect()),
        other => other.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        _ => false,
    }
}

/// The target's versions of `subject`: all, and the live ones.
async fn target_versions(
    target: &Endpoint,
    subject: &str,
) -> Result<(Vec<i64>, Vec<i64>), CliError> {
    let numbers = |value: Option<Value>| -> Vec<i64> {
        value
            .and_then(|v| {
                v.as_array()
                    .map(|a| a.iter().filter_map(Value::as_i64).collect())
            })
            .unwrap_or_default()
    };
    let versions = ["subjects", subject, "versions"];
    let all = numbers(target.get(&versions, &[("deleted", "true")]).await?);
    let live = numbers(target.get(&versions, &[]).await?);
    Ok((all, live))
}

/// Judges every version of `snapshot` against `target`.
pub async fn plan(target: &Endpoint, snapshot: &Snapshot) -> Result<Plan, CliError> {
    let mut plan = Plan::default();
    let mut known: HashMap<&str, (Vec<i64>, Vec<i64>)> = HashMap::new();
    for (index, record) in snapshot.versions.iter().enumerate() {
        if !known.contains_key(record.subject.as_str()) {
            let versions = target_versions(target, &record.subject).await?;
            known.insert(&record.subject, versions);
        }
        let (all, live) = &known[record.subject.as_str()];
        let action = if all.contains(&record.version) {
            let text = record.version.to_string();
            let segments = [
                "subjects",
                record.subject.as_str(),
                "versions",
                text.as_str(),
            ];
            match target.get(&segments, &[("deleted", "true")]).await? {
                Some(found) if same(&found, record) => Action::Present,
                Some(found) => Action::Conflict(format!(
                    "{} version {} is on the target with other content (id {} there, {} here)",
                    record.subject, record.version, found["id"], record.id
                )),
                None => Action::Register,
            }
        } else {
            id_action(target, record).await?
        };
        let deleted_there = all.contains(&record.version) && !live.contains(&record.version);
        if record.deleted && !deleted_there && !matches!(action, Action::Conflict(_)) {
            plan.deletes.push(index);
        }
        plan.actions.push(action);
    }
    Ok(plan)
}

/// Register, unless the version's id holds another schema on the target.
async fn id_action(target: &Endpoint, record: &VersionRecord) -> Result<Action, CliError> {
    let id = record.id.to_string();
    let query = [("subject", record.subject.as_str())];
    let Some(found) = target.get(&["schemas", "ids", id.as_str()], &query).await? else {
        return Ok(Action::Register);
    };
    let text_and_type = |value: &Value| -> (Value, Value) {
        let schema_type = value.get("schemaType").cloned().filter(|t| !t.is_null());
        (
            value.get("schema").cloned().unwrap_or_default(),
            schema_type.unwrap_or_else(|| Value::from("AVRO")),
        )
    };
    let record_value = Value::Object(Map::clone(&record.schema));
    if text_and_type(&found) == text_and_type(&record_value) {
        return Ok(Action::Register);
    }
    Ok(Action::Conflict(format!(
        "id {} of {} version {} holds another schema on the target",
        record.id, record.subject, record.version
    )))
}
