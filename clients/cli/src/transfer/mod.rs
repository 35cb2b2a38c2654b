//! Moving a registry's content: `herald import --from URL` copies a
//! Confluent-compatible registry (Confluent, Karapace, Redpanda, Apicurio's
//! compatibility API, another Herald) into a Herald registry over both REST
//! APIs, keeping schema ids, versions (gaps included), soft-deleted
//! versions, references, metadata, rule sets, and the configs and modes set
//! on subjects and contexts; `herald export DIR` writes the same content as
//! files and `herald restore DIR` writes them into a registry; `herald
//! mirror` keeps a target in step with a source.

mod apply;
mod files;
mod mirror;
mod plan;
mod progress;
mod snapshot;
mod verify;

use clap::Args;
use herald_client::registry::auth_from;

use crate::gate::{CliError, Verdict};
use herald_client::registry::raw::RawApi as Endpoint;
use plan::Action;
use progress::Progress;
use snapshot::Selection;

pub use mirror::{MirrorArgs, run_mirror};

/// The registry copied from: `--from URL` and its credentials.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The registry to copy from.
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The source's credentials: USER:PASSWORD (basic) or a bearer token.
    #[arg(
        long,
        value_name = "CREDENTIALS",
        env = "HERALD_FROM_AUTH",
        hide_env_values = true
    )]
    pub from_auth: Option<String>,
}

impl SourceArgs {
    /// The source registry.
    fn endpoint(&self) -> Result<Endpoint, CliError> {
        Ok(Endpoint::new(&self.from, credentials(&self.from_auth))?)
    }
}

/// The registry written to: `--to URL` (or `HERALD_REGISTRY_URL`) and its
/// credentials.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The registry to write to [env: HERALD_REGISTRY_URL].
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// The target's credentials: USER:PASSWORD (basic) or a bearer token.
    #[arg(
        long,
        value_name = "CREDENTIALS",
        env = "HERALD_REGISTRY_AUTH",
        hide_env_values = true
    )]
    pub auth: Option<String>,
}

impl TargetArgs {
    /// The target registry.
    fn endpoint(&self) -> Result<Endpoint, CliError> {
        endpoint(&self.to, "--to", &self.auth)
    }
}

/// What a copy does besides writing: `--dry-run`, `--verify`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Print the plan (counts per subject, conflicts) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Afterwards compare every id, version, config and mode; exit 1 on any difference.
    #[arg(long)]
    pub verify: bool,
}

/// `herald import`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald import --from https://confluent.example.com:8081 --to http://127.0.0.1:8081 --dry-run
  herald import --from https://confluent.example.com:8081 --from-auth KEY:SECRET --verify
  herald import --from http://old:8081 --subjects 'orders-*' --context .tenant

The target is put in IMPORT mode (per context written to) while the versions are
registered with their ids and versions, references first; its earlier modes are put
back afterwards, then the source's subject and context modes are copied. Running it
again resumes: what is already there and identical is skipped. A version or id that
holds other content on the target is a conflict: nothing is written.
Exit status: 0 done (and verified), 1 conflicts or differences, 2 usage or server error.")]
pub struct ImportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only subjects whose (qualified) name matches this glob (`*`, `?`).
    #[arg(long, value_name = "PATTERN")]
    pub subjects: Option<String>,
    /// Only this context (`.tenant`; `.` is the default context).
    #[arg(long, value_name = "CTX")]
    pub context: Option<String>,
    #[command(flatten)]
    pub copy: CopyArgs,
}

/// The credentials of a flag or environment variable.
fn credentials(text: &Option<String>) -> Option<herald_client::registry::Auth> {
    text.as_deref().filter(|t| !t.is_empty()).map(auth_from)
}

/// The registry named by `given`, else by `HERALD_REGISTRY_URL`.
fn endpoint(
    given: &Option<String>,
    flag: &str,
    auth: &Option<String>,
) -> Result<Endpoint, CliError> {
    let url = given
        .clone()
        .or_else(|| {
            std::env::var("HERALD_REGISTRY_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .ok_or_else(|| {
            CliError::Usage(format!(
                "no registry: pass {flag} URL or set HERALD_REGISTRY_URL"
            ))
        })?;
    Ok(Endpoint::new(&url, credentials(auth))?)
}

/// Runs `herald import`, printing the plan or the summary on stdout.
pub async fn run_import(args: &ImportArgs) -> Result<Verdict, CliError> {
    let source = args.source.endpoint()?;
    let target = args.target.endpoint()?;
    let selection = Selection {
        pattern: args.subjects.clone(),
        context: args.context.clone(),
    };
    let snapshot = snapshot::read(&source, &selection).await?;
    copy_into(&target, &snapshot, source.base(), &args.copy).await
}

/// Writes `snapshot` (read from `origin`) into `target`: the plan only
/// with `dry_run`, and compared afterwards with `verify`.
async fn copy_into(
    target: &Endpoint,
    snapshot: &snapshot::Snapshot,
    origin: &str,
    &CopyArgs { dry_run, verify }: &CopyArgs,
) -> Result<Verdict, CliError> {
    let plan = plan::plan(target, snapshot).await?;
    let conflicts = plan.conflicts();
    if dry_run || !conflicts.is_empty() {
        print!("{}", describe(snapshot, &plan));
        for conflict in &conflicts {
            println!("conflict: {conflict}");
        }
        if !conflicts.is_empty() {
            println!("{} conflict(s): nothing was written", conflicts.len());
            return Ok(Verdict::Incompatible);
        }
        return Ok(Verdict::Fine);
    }
    let mut progress = Progress::new(plan.count(|a| *a == Action::Register));
    let applied = apply::apply(target, snapshot, &plan, &mut progress).await;
    progress.finish();
    let applied = applied?;
    println!(
        "imported {} version(s) of {} subject(s) from {origin} into {}: {} registered, {} already there, {} soft-deleted, {} config(s), {} mode(s)",
        snapshot.versions.len(),
        snapshot.subjects().len(),
        target.base(),
        applied.registered,
        plan.count(|a| *a == Action::Present),
        applied.deleted,
        applied.configs,
        applied.modes
    );
    if !verify {
        return Ok(Verdict::Fine);
    }
    let differences = verify::differences(target, snapshot).await?;
    for difference in &differences {
        println!("difference: {difference}");
    }
    if differences.is_empty() {
        println!("verified: every version, id, config and mode reads back the same");
        Ok(Verdict::Fine)
    } else {
        println!("{} difference(s)", differences.len());
        Ok(Verdict::Incompatible)
    }
}

/// `herald export`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald export backup/ --from http://127.0.0.1:8081
  HERALD_REGISTRY_URL=https://registry.example.com herald export backup-$(date +%F)/

Writes subjects/{subject}/{version}.json per version (soft-deleted ones marked),
config.json and modes.json, in a stable order. The registry is read twice and the
two reads compared: a registry written to meanwhile is reported, not exported.
Exit status: 0 written, 2 usage, I/O or server error.")]
pub struct ExportArgs {
    /// The directory to write (absent or empty).
    pub dir: std::path::PathBuf,
    /// The registry to export [env: HERALD_REGISTRY_URL].
    #[arg(long, value_name = "URL")]
    pub from: Option<String>,
    /// Its credentials: USER:PASSWORD (basic) or a bearer token.
    #[arg(
        long,
        value_name = "CREDENTIALS",
        env = "HERALD_REGISTRY_AUTH",
        hide_env_values = true
    )]
    pub auth: Option<String>,
}

/// Runs `herald export`.
pub async fn run_export(args: &ExportArgs) -> Result<Verdict, CliError> {
    let source = endpoint(&args.from, "--from", &args.auth)?;
    let everything = Selection::default();
    let snapshot = snapshot::read(&source, &everything).await?;
    let again = snapshot::read(&source, &everything).await?;
    if again != snapshot {
        return Err(CliError::Server(format!(
            "{} changed while it was read; stop writes (PUT /mode READONLY) and export again",
            source.base()
        )));
    }
    let written = files::write(&snapshot, &args.dir)?;
    println!(
        "exported {written} version(s) of {} subject(s), {} config(s) and {} mode(s) from {} into {}",
        snapshot.subjects().len(),
        snapshot.configs.len(),
        snapshot.modes.len(),
        source.base(),
        args.dir.display()
    );
    Ok(Verdict::Fine)
}

/// `herald restore`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald restore backup/ --to http://127.0.0.1:8081 --verify
  herald restore backup/ --to http://127.0.0.1:8081 --dry-run

Writes an export into a registry as `herald import` would: ids and versions kept,
IMPORT mode meanwhile, conflicts stop it before anything is written.
Exit status: 0 done (and verified), 1 conflicts or differences, 2 usage, I/O or server error.")]
pub struct RestoreArgs {
    /// The directory `herald export` wrote.
    pub dir: std::path::PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub copy: CopyArgs,
}

/// Runs `herald restore`.
pub async fn run_restore(args: &RestoreArgs) -> Result<Verdict, CliError> {
    let target = args.target.endpoint()?;
    let snapshot = files::read(&args.dir)?;
    let origin = args.dir.display().to_string();
    copy_into(&target, &snapshot, &origin, &args.copy).await
}

/// The plan, one line per subject, then the settings.
fn describe(snapshot: &snapshot::Snapshot, plan: &plan::Plan) -> String {
    let mut out = String::new();
    for subject in snapshot.subjects() {
        let mut counts = [0usize; 4];
        for (record, action) in snapshot.versions.iter().zip(&plan.actions) {
            if record.subject != subject {
                continue;
            }
            let slot = match action {
                Action::Register => 0,
                Action::Present => 1,
                Action::Conflict(_) => 2,
            };
            counts[slot] += 1;
            counts[3] += usize::from(record.deleted);
        }
        out.push_str(&format!(
            "{subject}: {} to register, {} already there, {} conflict(s), {} soft-deleted\n",
            counts[0], counts[1], counts[2], counts[3]
        ));
    }
    out.push_str(&format!(
        "{} version(s) of {} subject(s); {} config(s) and {} mode(s) to set\n",
        snapshot.versions.len(),
        snapshot.subjects().len(),
        snapshot.configs.len(),
        snapshot.modes.len()
    ));
    out
}
