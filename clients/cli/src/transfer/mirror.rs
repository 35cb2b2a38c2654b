//! `herald mirror`: one-way replication into a Herald target kept in IMPORT
//! mode. From a Herald source it follows the change feed (gRPC
//! `WatchSubjects`), applying each change and recording its sequence in a
//! state file, so a restart resumes after the last change applied; from
//! any other Confluent-compatible source it copies everything again at
//! each poll, skipping what is already there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use herald_client::registry::raw::Verb;
use herald_client::registry::{RegistryClient, RegistryError, pb};
use serde_json::Value;

use super::snapshot::{self, Selection, Snapshot};
use super::{SourceArgs, TargetArgs, apply, credentials, plan};
use crate::gate::{CliError, Verdict};
use herald_client::registry::raw::RawApi as Endpoint;

/// How long a feed may stay quiet before a mirror without `--follow`
/// counts itself caught up.
const CAUGHT_UP: Duration = Duration::from_millis(700);

/// `herald mirror`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald mirror --from http://primary:8081 --to http://standby:8081 --follow
  herald mirror --from https://confluent.example.com --to http://edge:8081 --follow --interval 60

A Herald source is followed through its change feed; the last change applied is kept
in --state, so a mirror stopped and started again misses nothing and repeats nothing.
Mode changes on the source are not copied: the target stays in IMPORT mode, which
refuses registrations without an id. Without --follow the mirror stops once caught up.
Exit status: 0 caught up, 1 a conflict, 2 usage or server error.")]
pub struct MirrorArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Keep following the source (otherwise stop once caught up).
    #[arg(long)]
    pub follow: bool,
    /// Where the last change applied is kept (a Herald source).
    #[arg(long, value_name = "FILE", default_value = "herald-mirror.state")]
    pub state: PathBuf,
    /// Seconds between two copies from a source without a change feed.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub interval: u64,
}

/// Runs `herald mirror`.
pub async fn run_mirror(args: &MirrorArgs) -> Result<Verdict, CliError> {
    let source = args.source.endpoint()?;
    let target = args.target.endpoint()?;
    hold_in_import(&target).await?;
    let feed = change_feed(&args.source)?;
    let after = read_state(&args.state)?;
    match feed.watch_changes(after).await {
        Ok(changes) => follow_feed(&source, &target, changes, args).await,
        Err(error) => {
            tracing::info!(%error, "no change feed at the source: copying at every poll");
            poll(&source, &target, args).await
        }
    }
}

/// A gRPC client of the source, for its change feed.
fn change_feed(source: &SourceArgs) -> Result<RegistryClient, CliError> {
    let client = RegistryClient::grpc(&source.from).map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(match credentials(&source.from_auth) {
        Some(auth) => client.with_auth(auth),
        None => client,
    })
}

/// The target in IMPORT mode, everywhere (top level and every context).
async fn hold_in_import(target: &Endpoint) -> Result<(), CliError> {
    let import = Value::from_iter([("mode", "IMPORT")]);
    for path in [&["mode"][..], &["mode", ":.__GLOBAL:"]] {
        target
            .call(Verb::Put, path, &[("force", "true")], Some(&import))
            .await?;
    }
    Ok(())
}

/// The last sequence applied, 0 when the state file is absent.
fn read_state(path: &Path) -> Result<i64, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.trim().parse().map_err(|e| {
            CliError::Usage(format!("{}: not a sequence number: {e}", path.display()))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(CliError::Io(format!("{}: {error}", path.display()))),
    }
}

/// Records `sequence` as applied (written aside, then renamed over).
fn write_state(path: &Path, sequence: i64) -> Result<(), CliError> {
    let aside = path.with_extension("tmp");
    std::fs::write(&aside, format!("{sequence}\n"))
        .and_then(|()| std::fs::rename(&aside, path))
        .map_err(|e| CliError::Io(format!("{}: {e}", path.display())))
}

/// Applies the feed's changes until caught up (or for ever with `--follow`,
/// reconnecting after the last sequence applied when the stream breaks).
async fn follow_feed(
    source: &Endpoint,
    target: &Endpoint,
    mut changes: tonic::Streaming<pb::Change>,
    args: &MirrorArgs,
) -> Result<Verdict, CliError> {
    let mut applied = 0usize;
    let mut last = read_state(&args.state)?;
    loop {
        let next = if args.follow {
            Ok(changes.message().await)
        } else {
            tokio::time::timeout(CAUGHT_UP, changes.message()).await
        };
        match next {
            Ok(Ok(Some(change))) => {
                apply_change(source, target, &change).await?;
                last = change.sequence;
                write_state(&args.state, last)?;
                applied += 1;
                let lag = now_millis().saturating_sub(change.at_millis);
                tracing::info!(
                    sequence = last,
                    kind = change.kind().as_str_name(),
                    subject = %change.subject,
                    lag_ms = lag,
                    "mirrored"
                );
            }
            Ok(Ok(None) | Err(_)) if args.follow => {
                tracing::warn!(after = last, "change feed interrupted: reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Ok(resumed) = change_feed(&args.source)?.watch_changes(last).await {
                    changes = resumed;
                }
            }
            Ok(Err(status)) => return Err(CliError::Server(format!("change feed: {status}"))),
            Ok(Ok(None)) | Err(_) => break,
        }
    }
    println!(
        "mirrored {applied} change(s) from {} into {}; last sequence {last}",
        source.base(),
        target.base()
    );
    Ok(Verdict::Fine)
}

fn now_millis() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A deletion on the target that may already have happened (404 is fine).
async fn delete(target: &Endpoint, segments: &[&str], permanent: bool) -> Result<(), CliError> {
    let query: &[(&str, &str)] = if permanent {
        &[("permanent", "true")]
    } else {
        &[]
    };
    match target.call(Verb::Delete, segments, query, None).await {
        Ok(_) | Err(RegistryError::Api { status: 404, .. }) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// Applies one change of the source's feed to the target.
async fn apply_change(
    source: &Endpoint,
    target: &Endpoint,
    change: &pb::Change,
) -> Result<(), CliError> {
    let subject = change.subject.as_str();
    let version = change.version.to_string();
    let version_path = ["subjects", subject, "versions", version.as_str()];
    match change.kind() {
        pb::ChangeKind::Registered => {
            let Some(Value::Object(found)) =
                source.get(&version_path, &[("deleted", "true")]).await?
            else {
                return Ok(()); // deleted for good since; a later change says so
            };
            let record = snapshot::record(subject, i64::from(change.version), &found, false);
            let one = Snapshot {
                versions: vec![record],
                ..Snapshot::default()
            };
            let plan = plan::plan(target, &one).await?;
            if let Some(conflict) = plan.conflicts().first() {
                return Err(CliError::Invalid(format!("conflict: {conflict}")));
            }
            if plan.actions.first() == Some(&plan::Action::Register) {
                apply::register(target, &one.versions[0]).await?;
            }
        }
        pb::ChangeKind::VersionDeleted => delete(target, &version_path, false).await?,
        pb::ChangeKind::VersionDeletedPermanently => {
            delete(target, &version_path, false).await?;
            delete(target, &version_path, true).await?;
        }
        pb::ChangeKind::SubjectDeleted => delete(target, &["subjects", subject], false).await?,
        pb::ChangeKind::SubjectDeletedPermanently => {
            delete(target, &["subjects", subject], false).await?;
            delete(target, &["subjects", subject], true).await?;
        }
        pb::ChangeKind::ConfigChanged => {
            let scope = if subject == "__GLOBAL" { "" } else { subject };
            let path: Vec<&str> = if scope.is_empty() {
                vec!["config"]
            } else {
                vec!["config", scope]
            };
            match source.get(&path, &[]).await? {
                Some(config) => {
                    let config: serde_json::Map<String, Value> = config
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    target
                        .call(Verb::Put, &path, &[], Some(&Value::Object(config)))
                        .await?;
                }
                None => delete(target, &path, false).await?,
            }
        }
        // The target stays in IMPORT mode; the source's modes are its own.
        pb::ChangeKind::ModeChanged | pb::ChangeKind::Unspecified => {}
    }
    Ok(())
}

/// Copies everything at each poll (a source without a change feed).
async fn poll(
    source: &Endpoint,
    target: &Endpoint,
    args: &MirrorArgs,
) -> Result<Verdict, CliError> {
    loop {
        let mut snapshot = snapshot::read(source, &Selection::default()).await?;
        snapshot.modes.clear();
        let plan = plan::plan(target, &snapshot).await?;
        if let Some(conflict) = plan.conflicts().first() {
            println!("conflict: {conflict}");
            return Ok(Verdict::Incompatible);
        }
        let mut progress =
            super::progress::Progress::new(plan.count(|a| *a == plan::Action::Register));
        let applied = apply::apply(target, &snapshot, &plan, &mut progress).await;
        progress.finish();
        let applied = applied?;
        tracing::info!(
            registered = applied.registered,
            deleted = applied.deleted,
            "copied"
        );
        if !args.follow {
            println!(
                "mirrored {} version(s) from {} into {}: {} registered",
                snapshot.versions.len(),
                source.base(),
                target.base(),
                applied.registered
            );
            return Ok(Verdict::Fine);
        }
        tokio::time::sleep(Duration::from_secs(args.interval)).await;
    }
}
