//! `herald import --from URL`: copies a Confluent-compatible registry
//! (Confluent, Karapace, Redpanda, Apicurio's compatibility API, another
//! Herald) into a Herald registry over both REST APIs, keeping schema ids,
//! versions (gaps included), soft-deleted versions, references, metadata,
//! rule sets, and the configs and modes set on subjects and contexts.

mod apply;
mod http;
mod plan;
mod progress;
mod snapshot;
mod verify;

use clap::Args;
use herald_client::registry::auth_from;

use crate::gate::{CliError, Verdict};
use http::Endpoint;
use plan::Action;
use progress::Progress;
use snapshot::Selection;

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
    /// The registry to copy from.
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The registry to copy into [env: HERALD_REGISTRY_URL].
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// The source's credentials: USER:PASSWORD (basic) or a bearer token.
    #[arg(
        long,
        value_name = "CREDENTIALS",
        env = "HERALD_FROM_AUTH",
        hide_env_values = true
    )]
    pub from_auth: Option<String>,
    /// The target's credentials: USER:PASSWORD (basic) or a bearer token.
    #[arg(
        long,
        value_name = "CREDENTIALS",
        env = "HERALD_REGISTRY_AUTH",
        hide_env_values = true
    )]
    pub auth: Option<String>,
    /// Only subjects whose (qualified) name matches this glob (`*`, `?`).
    #[arg(long, value_name = "PATTERN")]
    pub subjects: Option<String>,
    /// Only this context (`.tenant`; `.` is the default context).
    #[arg(long, value_name = "CTX")]
    pub context: Option<String>,
    /// Print the plan (counts per subject, conflicts) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Afterwards compare every id, version, config and mode; exit 1 on any difference.
    #[arg(long)]
    pub verify: bool,
}

/// Runs `herald import`, printing the plan or the summary on stdout.
pub async fn run(args: &ImportArgs) -> Result<Verdict, CliError> {
    let credentials =
        |text: &Option<String>| text.as_deref().filter(|t| !t.is_empty()).map(auth_from);
    let source = Endpoint::new(&args.from, credentials(&args.from_auth))?;
    let to = args
        .to
        .clone()
        .or_else(|| {
            std::env::var("HERALD_REGISTRY_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .ok_or_else(|| {
            CliError::Usage("no target: pass --to URL or set HERALD_REGISTRY_URL".to_owned())
        })?;
    let target = Endpoint::new(&to, credentials(&args.auth))?;
    let selection = Selection {
        pattern: args.subjects.clone(),
        context: args.context.clone(),
    };
    let snapshot = snapshot::read(&source, &selection).await?;
    let plan = plan::plan(&target, &snapshot).await?;
    let conflicts = plan.conflicts();
    if args.dry_run || !conflicts.is_empty() {
        print!("{}", describe(&snapshot, &plan));
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
    let applied = apply::apply(&target, &snapshot, &plan, &mut progress).await;
    progress.finish();
    let applied = applied?;
    println!(
        "imported {} version(s) of {} subject(s) from {} into {}: {} registered, {} already there, {} soft-deleted, {} config(s), {} mode(s)",
        snapshot.versions.len(),
        snapshot.subjects().len(),
        source.base(),
        target.base(),
        applied.registered,
        plan.count(|a| *a == Action::Present),
        applied.deleted,
        applied.configs,
        applied.modes
    );
    if !args.verify {
        return Ok(Verdict::Fine);
    }
    let differences = verify::differences(&target, &snapshot).await?;
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
