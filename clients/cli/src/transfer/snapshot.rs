//! Everything `herald import` copies, read from a Confluent-compatible
//! registry over its REST API: contexts, subjects (soft-deleted ones too)
//! with every version, and the configs and modes set on subjects and
//! contexts.

use serde_json::{Map, Value};

use crate::gate::CliError;
use herald_client::registry::raw::RawApi as Endpoint;

/// Items asked per page where a registry pages its lists.
const PAGE: usize = 500;

/// Which subjects to copy.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `--subjects`: a glob (`*`, `?`) the qualified subject name matches.
    pub pattern: Option<String>,
    /// `--context`: only this context (`.ctx`, or `.` for the default).
    pub context: Option<String>,
}

/// One version of a subject.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionRecord {
    /// The qualified subject name.
    pub subject: String,
    /// The version number.
    pub version: i64,
    /// The schema id.
    pub id: i64,
    /// Whether it is soft-deleted.
    pub deleted: bool,
    /// What registers it: `schema`, `schemaType`, `references`, and
    /// `metadata`/`ruleSet` when set.
    pub schema: Map<String, Value>,
}

impl VersionRecord {
    /// The `(subject, version)` pairs it references, qualified in its
    /// subject's context.
    pub fn references(&self) -> Vec<(String, i64)> {
        let context = context_of(&self.subject);
        let references = self.schema.get("references").and_then(Value::as_array);
        references
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let subject = r.get("subject")?.as_str()?;
                let version = r.get("version")?.as_i64()?;
                let qualified = match (subject.starts_with(":."), context) {
                    (false, Some(context)) => format!(":{context}:{subject}"),
                    _ => subject.to_owned(),
                };
                Some((qualified, version))
            })
            .collect()
    }
}

/// A registry's content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Every version of every selected subject, by subject then version.
    pub versions: Vec<VersionRecord>,
    /// Configs: the scope (`""` for the top level, `:.ctx:` for a
    /// context, or a subject) and the config as read.
    pub configs: Vec<(String, Map<String, Value>)>,
    /// Modes set on contexts (`:.ctx:`) and subjects.
    pub modes: Vec<(String, String)>,
}

impl Snapshot {
    /// The distinct subjects, in order.
    pub fn subjects(&self) -> Vec<&str> {
        let mut subjects: Vec<&str> = self.versions.iter().map(|v| v.subject.as_str()).collect();
        subjects.dedup();
        subjects
    }

    /// The contexts the versions live in (`None` for the default).
    pub fn contexts(&self) -> Vec<Option<&str>> {
        let mut contexts: Vec<Option<&str>> = self
            .versions
            .iter()
            .map(|v| context_of(&v.subject))
            .collect();
        contexts.sort_unstable();
        contexts.dedup();
        contexts
    }
}

/// The context of a qualified subject (`:.ctx:name` → `.ctx`), None for
/// the default one.
pub fn context_of(subject: &str) -> Option<&str> {
    let rest = subject.strip_prefix(':')?;
    let (context, _) = rest.split_once(':')?;
    context.starts_with('.').then_some(context)
}

/// The scope a context's settings are read and written at.
pub fn context_scope(context: Option<&str>) -> String {
    context.map_or_else(String::new, |context| format!(":{context}:"))
}

/// Whether `name` matches the glob `pattern` (`*` any run, `?` one char).
fn matches(pattern: &str, name: &str) -> bool {
    let (pattern, name): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), name.chars().collect());
    let (mut p, mut n, mut star, mut mark) = (0, 0, None, 0);
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            (p, n) = (p + 1, n + 1);
        } else if p < pattern.len() && pattern[p] == '*' {
            (star, mark, p) = (Some(p), n, p + 1);
        } else if let Some(at) = star {
            (p, mark) = (at + 1, mark + 1);
            n = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A list the registry may page (`offset`/`limit`, as Confluent 8 does):
/// asked page by page until an empty page or one holding nothing new (a
/// registry that ignores paging answers the whole list each time). A short
/// page is not the end: Confluent answers a `limit` above its maximum with
/// its default page size.
async fn paged(
    source: &Endpoint,
    segments: &[&str],
    query: &[(&str, &str)],
) -> Result<Vec<Value>, CliError> {
    let mut items: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    loop {
        let offset = items.len().to_string();
        let limit = PAGE.to_string();
        let mut asked = query.to_vec();
        asked.extend([("offset", offset.as_str()), ("limit", limit.as_str())]);
        let page = match source.get(segments, &asked).await? {
            Some(Value::Array(page)) => page,
            Some(other) => {
                return Err(CliError::Server(format!(
                    "{}/{}: expected a list, got {other}",
                    source.base(),
                    segments.join("/")
                )));
            }
            None => Vec::new(),
        };
        let fresh: Vec<Value> = page
            .into_iter()
            .filter(|i| seen.insert(i.to_string()))
            .collect();
        if fresh.is_empty() {
            return Ok(items);
        }
        items.extend(fresh);
    }
}

/// Reads `selection` of the registry at `source`.
pub async fn read(source: &Endpoint, selection: &Selection) -> Result<Snapshot, CliError> {
    let contexts = match source.get(&["contexts"], &[]).await? {
        Some(Value::Array(contexts)) => contexts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => vec![".".to_owned()],
    };
    let wanted = selection.context.as_deref().map(|c| {
        if c.starts_with('.') {
            c.to_owned()
        } else {
            format!(".{c}")
        }
    });
    let mut snapshot = Snapshot::default();
    let mut subjects: Vec<String> = Vec::new();
    for context in contexts
        .iter()
        .filter(|c| wanted.as_ref().is_none_or(|w| w == *c))
    {
        let named = (context != ".").then_some(context.as_str());
        let prefix = context_scope(named);
        let mut query = vec![("deleted", "true")];
        if named.is_some() {
            query.push(("subjectPrefix", prefix.as_str()));
        }
        for subject in paged(source, &["subjects"], &query).await? {
            let Some(subject) = subject.as_str() else {
                continue;
            };
            let in_context = context_of(subject) == named;
            let selected = selection
                .pattern
                .as_deref()
                .is_none_or(|p| matches(p, subject));
            if in_context && selected && !subjects.iter().any(|s| s == subject) {
                subjects.push(subject.to_owned());
            }
        }
        if let Some(named) = named {
            read_settings(source, &context_scope(Some(named)), &mut snapshot).await?;
        }
    }
    if wanted.as_deref().is_none_or(|w| w == ".")
        && let Some(Value::Object(config)) = source.get(&["config"], &[]).await?
    {
        snapshot.configs.push((String::new(), config));
    }
    for subject in &subjects {
        read_subject(source, subject, &mut snapshot).await?;
        read_settings(source, subject, &mut snapshot).await?;
    }
    Ok(snapshot)
}

/// Every version of `subject`, soft-deleted ones marked.
async fn read_subject(
    source: &Endpoint,
    subject: &str,
    snapshot: &mut Snapshot,
) -> Result<(), CliError> {
    let versions = ["subjects", subject, "versions"];
    let all = paged(source, &versions, &[("deleted", "true")]).await?;
    let live = paged(source, &versions, &[]).await?;
    for number in all.iter().filter_map(Value::as_i64) {
        let text = number.to_string();
        let segments = ["subjects", subject, "versions", text.as_str()];
        let Some(Value::Object(found)) = source.get(&segments, &[("deleted", "true")]).await?
        else {
            continue;
        };
        let deleted = !live.contains(&Value::from(number));
        snapshot
            .versions
            .push(record(subject, number, &found, deleted));
    }
    Ok(())
}

/// The version `number` of `subject` as a registry answered it (`found`).
pub fn record(
    subject: &str,
    number: i64,
    found: &Map<String, Value>,
    deleted: bool,
) -> VersionRecord {
    let mut schema = Map::new();
    let text = found.get("schema").cloned().unwrap_or_default();
    schema.insert("schema".to_owned(), text);
    let schema_type = found.get("schemaType").and_then(Value::as_str);
    schema.insert(
        "schemaType".to_owned(),
        Value::from(schema_type.unwrap_or("AVRO")),
    );
    let references = found.get("references").filter(|r| !r.is_null());
    let references = references.cloned().unwrap_or(Value::Array(Vec::new()));
    schema.insert("references".to_owned(), references);
    for key in ["metadata", "ruleSet"] {
        if let Some(value) = found.get(key).filter(|v| !v.is_null()) {
            schema.insert(key.to_owned(), value.clone());
        }
    }
    VersionRecord {
        subject: subject.to_owned(),
        version: number,
        id: found.get("id").and_then(Value::as_i64).unwrap_or(-1),
        deleted,
        schema,
    }
}

/// The config and mode set at `scope` itself (not inherited), if any.
async fn read_settings(
    source: &Endpoint,
    scope: &str,
    snapshot: &mut Snapshot,
) -> Result<(), CliError> {
    if let Some(Value::Object(config)) = source.get(&["config", scope], &[]).await? {
        snapshot.configs.push((scope.to_owned(), config));
    }
    let mode = source.get(&["mode", scope], &[]).await?;
    if let Some(mode) = mode
        .as_ref()
        .and_then(|m| m.get("mode"))
        .and_then(Value::as_str)
    {
        snapshot.modes.push((scope.to_owned(), mode.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{context_of, matches};

    #[test]
    fn globs_and_contexts() {
        assert!(matches("orders-*", "orders-value"));
        assert!(matches("*-value", "orders-value"));
        assert!(matches("o?ders*", "orders"));
        assert!(!matches("orders-*", "payments-value"));
        assert!(matches("*", ""));
        assert!(!matches("a*b", "ac"));
        assert_eq!(context_of(":.tenant:orders"), Some(".tenant"));
        assert_eq!(context_of("orders"), None);
        assert_eq!(context_of(":abc:x"), None);
    }
}
