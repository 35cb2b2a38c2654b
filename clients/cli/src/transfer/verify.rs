//! `--verify`: after an import, every source version, config and mode read
//! back from the target and compared; each difference is reported.

use serde_json::Value;

use super::plan::same;
use super::snapshot::Snapshot;
use crate::gate::CliError;
use herald_client::registry::raw::RawApi as Endpoint;

/// The differences between `snapshot` and `target`, one sentence each.
pub async fn differences(target: &Endpoint, snapshot: &Snapshot) -> Result<Vec<String>, CliError> {
    let mut differences = Vec::new();
    let mut live: Option<(&str, Vec<Value>)> = None;
    for record in &snapshot.versions {
        let subject = record.subject.as_str();
        if live.as_ref().is_none_or(|(s, _)| *s != subject) {
            let versions = target.get(&["subjects", subject, "versions"], &[]).await?;
            let versions = versions
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default();
            live = Some((subject, versions));
        }
        let version = record.version.to_string();
        let segments = ["subjects", subject, "versions", version.as_str()];
        let name = format!("{subject} version {}", record.version);
        match target.get(&segments, &[("deleted", "true")]).await? {
            None => differences.push(format!("{name} is missing")),
            Some(found) if !same(&found, record) => {
                differences.push(format!(
                    "{name} differs (id {} there, {} here)",
                    found["id"], record.id
                ));
            }
            Some(_) => {
                let deleted_there = live
                    .as_ref()
                    .is_some_and(|(_, versions)| !versions.contains(&Value::from(record.version)));
                if deleted_there != record.deleted {
                    differences.push(format!(
                        "{name} is {} there",
                        if deleted_there {
                            "soft-deleted"
                        } else {
                            "live"
                        }
                    ));
                }
            }
        }
        let id = record.id.to_string();
        let by_id = target
            .get(&["schemas", "ids", id.as_str()], &[("subject", subject)])
            .await?;
        let text = by_id.as_ref().and_then(|b| b.get("schema"));
        if text != record.schema.get("schema") {
            differences.push(format!("id {} does not read back as {name}", record.id));
        }
    }
    for (scope, config) in &snapshot.configs {
        let path: Vec<&str> = if scope.is_empty() {
            vec!["config"]
        } else {
            vec!["config", scope]
        };
        let found = target.get(&path, &[]).await?.unwrap_or_default();
        for (key, value) in config.iter().filter(|(_, v)| !v.is_null()) {
            if found.get(key) != Some(value) {
                let shown = if scope.is_empty() {
                    "the top level"
                } else {
                    scope
                };
                differences.push(format!("config {key} of {shown} is {} there", found[key]));
            }
        }
    }
    for (scope, mode) in &snapshot.modes {
        let found = target.get(&["mode", scope], &[]).await?.unwrap_or_default();
        if found.get("mode").and_then(Value::as_str) != Some(mode.as_str()) {
            differences.push(format!("mode of {scope} is {} there", found["mode"]));
        }
    }
    Ok(differences)
}
