//! A snapshot as plain files, for `herald export` and `herald restore`:
//! `subjects/{subject}/{version}.json` per version (the subject's name
//! percent-encoded where a file name could not hold it), `config.json`,
//! `modes.json`; pretty JSON in a fixed key order, so that two exports of
//! the same registry are identical and a diff shows what changed.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::snapshot::{Snapshot, VersionRecord};
use crate::gate::CliError;

/// The keys of a version file, in order; the schema's own keys follow `deleted`.
const SCHEMA_KEYS: [&str; 5] = ["schemaType", "schema", "references", "metadata", "ruleSet"];

/// A subject name as a file name: letters, digits, `-`, `_` and `.` kept
/// (but not a leading `.`), everything else `%XX`.
fn file_name(subject: &str) -> String {
    let mut out = String::new();
    for (index, byte) in subject.bytes().enumerate() {
        let kept = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_')
            || (byte == b'.' && index > 0);
        if kept {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn io(path: &Path, error: impl std::fmt::Display) -> CliError {
    CliError::Io(format!("{}: {error}", path.display()))
}

fn write_json(path: &Path, value: &Value) -> Result<(), CliError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    let mut text = serde_json::to_string_pretty(value).map_err(|e| io(path, e))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| io(path, e))
}

fn read_json(path: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    serde_json::from_str(&text).map_err(|e| io(path, e))
}

/// Writes `snapshot` below `dir` (which must be empty or absent).
pub fn write(snapshot: &Snapshot, dir: &Path) -> Result<usize, CliError> {
    if dir
        .read_dir()
        .is_ok_and(|mut entries| entries.next().is_some())
    {
        return Err(CliError::Usage(format!("{} is not empty", dir.display())));
    }
    let mut written = 0;
    for record in &snapshot.versions {
        let mut file = Map::new();
        file.insert("subject".to_owned(), json!(record.subject));
        file.insert("version".to_owned(), json!(record.version));
        file.insert("id".to_owned(), json!(record.id));
        file.insert("deleted".to_owned(), json!(record.deleted));
        for key in SCHEMA_KEYS {
            if let Some(value) = record.schema.get(key) {
                file.insert(key.to_owned(), value.clone());
            }
        }
        let path = dir
            .join("subjects")
            .join(file_name(&record.subject))
            .join(format!("{}.json", record.version));
        write_json(&path, &Value::Object(file))?;
        written += 1;
    }
    let mut configs = snapshot.configs.clone();
    configs.sort_by(|a, b| a.0.cmp(&b.0));
    let configs: Vec<Value> = configs
        .into_iter()
        .map(|(scope, config)| json!({"scope": scope, "config": config}))
        .collect();
    write_json(&dir.join("config.json"), &Value::Array(configs))?;
    let mut modes = snapshot.modes.clone();
    modes.sort();
    let modes: Vec<Value> = modes
        .into_iter()
        .map(|(scope, mode)| json!({"scope": scope, "mode": mode}))
        .collect();
    write_json(&dir.join("modes.json"), &Value::Array(modes))?;
    Ok(written)
}

/// The files of `dir`'s directory `name`, sorted.
fn entries(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Reads a snapshot written by [`write`].
pub fn read(dir: &Path) -> Result<Snapshot, CliError> {
    let mut snapshot = Snapshot::default();
    let subjects = dir.join("subjects");
    if subjects.is_dir() {
        for subject in entries(&subjects)? {
            for path in entries(&subject)? {
                let Value::Object(mut file) = read_json(&path)? else {
                    return Err(io(&path, "not a JSON object"));
                };
                let text = |file: &Map<String, Value>, key: &str| {
                    file.get(key).and_then(Value::as_str).map(str::to_owned)
                };
                let number =
                    |file: &Map<String, Value>, key: &str| file.get(key).and_then(Value::as_i64);
                let (Some(name), Some(version), Some(id)) = (
                    text(&file, "subject"),
                    number(&file, "version"),
                    number(&file, "id"),
                ) else {
                    return Err(io(&path, "needs subject, version and id"));
                };
                let deleted = file
                    .get("deleted")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let schema: Map<String, Value> = SCHEMA_KEYS
                    .iter()
                    .filter_map(|key| file.remove(*key).map(|v| ((*key).to_owned(), v)))
                    .collect();
                snapshot.versions.push(VersionRecord {
                    subject: name,
                    version,
                    id,
                    deleted,
                    schema,
                });
            }
        }
    }
    snapshot
        .versions
        .sort_by(|a, b| (a.subject.as_str(), a.version).cmp(&(b.subject.as_str(), b.version)));
    if let Value::Array(configs) = read_json(&dir.join("config.json"))? {
        for entry in configs {
            if let (Some(scope), Some(Value::Object(config))) =
                (entry["scope"].as_str(), entry.get("config"))
            {
                snapshot.configs.push((scope.to_owned(), config.clone()));
            }
        }
    }
    if let Value::Array(modes) = read_json(&dir.join("modes.json"))? {
        for entry in modes {
            if let (Some(scope), Some(mode)) = (entry["scope"].as_str(), entry["mode"].as_str()) {
                snapshot.modes.push((scope.to_owned(), mode.to_owned()));
            }
        }
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn subject_names_become_file_names() {
        assert_eq!(file_name("orders-value"), "orders-value");
        assert_eq!(file_name(":.tenant:orders"), "%3A.tenant%3Aorders");
        assert_eq!(file_name("a/b c"), "a%2Fb%20c");
        assert_eq!(file_name(".."), "%2E.");
    }
}
