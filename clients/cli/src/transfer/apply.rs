//! Writes a planned import into the target: IMPORT mode on the contexts
//! written to, the versions registered with their ids and versions
//! (references first), soft deletions, the source's configs and modes, and
//! the target's earlier modes put back.

use std::collections::HashSet;

use herald_client::registry::raw::Verb;
use serde_json::{Map, Value};

use super::plan::{Action, Plan};
use super::progress::Progress;
use super::snapshot::{Snapshot, VersionRecord, context_scope};
use crate::gate::CliError;
use herald_client::registry::raw::RawApi as Endpoint;

/// What was written.
#[derive(Debug, Default)]
pub struct Applied {
    /// Versions registered.
    pub registered: usize,
    /// Versions soft-deleted.
    pub deleted: usize,
    /// Configs set.
    pub configs: usize,
    /// Modes set.
    pub modes: usize,
}

/// The path of a scope's settings: the top level, or `/{scope}`.
fn scoped<'a>(root: &'a str, scope: &'a str) -> Vec<&'a str> {
    if scope.is_empty() {
        vec![root]
    } else {
        vec![root, scope]
    }
}

/// The versions to register, in an order where every reference exists
/// before its referrer: by id, then held back until what they reference
/// is there (a reference that never appears is left to the target).
fn registration_order(snapshot: &Snapshot, plan: &Plan) -> Vec<usize> {
    let mut pending: Vec<usize> = (0..snapshot.versions.len())
        .filter(|i| plan.actions[*i] == Action::Register)
        .collect();
    pending.sort_by_key(|i| snapshot.versions[*i].id);
    let mut present: HashSet<(String, i64)> = snapshot
        .versions
        .iter()
        .zip(&plan.actions)
        .filter(|(_, action)| **action == Action::Present)
        .map(|(v, _)| (v.subject.clone(), v.version))
        .collect();
    let copied: HashSet<(String, i64)> = snapshot
        .versions
        .iter()
        .map(|v| (v.subject.clone(), v.version))
        .collect();
    let mut order = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = |i: &usize| {
            snapshot.versions[*i]
                .references()
                .iter()
                .all(|r| present.contains(r) || !copied.contains(r))
        };
        let (now, later): (Vec<usize>, Vec<usize>) = pending.iter().partition(|i| ready(i));
        let now = if now.is_empty() { later.clone() } else { now };
        for index in &now {
            let record = &snapshot.versions[*index];
            present.insert((record.subject.clone(), record.version));
            order.push(*index);
        }
        pending.retain(|i| !now.contains(i));
    }
    order
}

/// Registers `record` on `target` (in IMPORT mode) with its id and version.
pub async fn register(target: &Endpoint, record: &VersionRecord) -> Result<(), CliError> {
    let mut body = record.schema.clone();
    body.insert("id".to_owned(), Value::from(record.id));
    body.insert("version".to_owned(), Value::from(record.version));
    let segments = ["subjects", record.subject.as_str(), "versions"];
    target
        .call(Verb::Post, &segments, &[], Some(&Value::Object(body)))
        .await?;
    Ok(())
}

/// Writes `plan` of `snapshot` into `target`.
pub async fn apply(
    target: &Endpoint,
    snapshot: &Snapshot,
    plan: &Plan,
    progress: &mut Progress,
) -> Result<Applied, CliError> {
    let mut applied = Applied::default();
    let scopes: Vec<String> = snapshot.contexts().into_iter().map(context_scope).collect();
    let mut earlier = Vec::new();
    for scope in &scopes {
        let path = scoped("mode", scope);
        let mode = target.get(&path, &[]).await?;
        earlier.push(mode.and_then(|m| m.get("mode").and_then(Value::as_str).map(str::to_owned)));
        let import = Value::from_iter([("mode", "IMPORT")]);
        target
            .call(Verb::Put, &path, &[("force", "true")], Some(&import))
            .await?;
    }
    for index in registration_order(snapshot, plan) {
        let record = &snapshot.versions[index];
        register(target, record).await?;
        applied.registered += 1;
        progress.step(&record.subject);
    }
    for index in &plan.deletes {
        let record = &snapshot.versions[*index];
        let version = record.version.to_string();
        let segments = [
            "subjects",
            record.subject.as_str(),
            "versions",
            version.as_str(),
        ];
        target.call(Verb::Delete, &segments, &[], None).await?;
        applied.deleted += 1;
    }
    for (scope, config) in &snapshot.configs {
        let body: Map<String, Value> = config
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        target
            .call(
                Verb::Put,
                &scoped("config", scope),
                &[],
                Some(&Value::Object(body)),
            )
            .await?;
        applied.configs += 1;
    }
    for (scope, mode) in scopes.iter().zip(earlier) {
        let path = scoped("mode", scope);
        match mode {
            Some(mode) => {
                let body = Value::from_iter([("mode", mode)]);
                target
                    .call(Verb::Put, &path, &[("force", "true")], Some(&body))
                    .await?;
            }
            None => {
                target.call(Verb::Delete, &path, &[], None).await?;
            }
        }
    }
    for (scope, mode) in &snapshot.modes {
        let body = Value::from_iter([("mode", mode.as_str())]);
        let path = scoped("mode", scope);
        target
            .call(Verb::Put, &path, &[("force", "true")], Some(&body))
            .await?;
        applied.modes += 1;
    }
    Ok(applied)
}
