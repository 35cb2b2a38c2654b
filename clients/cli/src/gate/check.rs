//! `herald check`: asks the registry whether each mapped subject's local
//! file may be registered, judged exactly as a registration would be.

use clap::Args;

use herald_client::registry::{CompatibilityOptions, RegistryClient, RegistryError};

use super::compat::RuleArgs;
use super::project::{Project, ProjectArgs};
use super::registry::{connect, failure, payload};
use super::report::{Format, Item, Report, SubjectResult};
use super::{CliError, Verdict, files};
use herald_core::project::MappedSubject;

/// Where the registry is: a flag, the environment, or the project file.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// The registry's URL [env: HERALD_REGISTRY_URL; else `registry` in herald.toml].
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
}

impl RegistryArgs {
    /// A client of the registry named by the flag, `HERALD_REGISTRY_URL`,
    /// or `project` (by default the working directory's `herald.toml`, if any).
    pub fn client(&self, project: Option<&Project>) -> Result<RegistryClient, CliError> {
        let local = match project {
            Some(_) => None,
            None => Project::load(std::path::Path::new("herald.toml")).ok(),
        };
        let project = project.or(local.as_ref());
        let url = self
            .registry
            .clone()
            .or_else(|| std::env::var("HERALD_REGISTRY_URL").ok().filter(|u| !u.is_empty()))
            .or_else(|| project.and_then(|p| p.registry.clone()))
            .ok_or_else(|| {
                CliError::Usage(
                    "no registry: pass --registry URL, set HERALD_REGISTRY_URL, or add `registry = \"http://...\"` to herald.toml".to_owned(),
                )
            })?;
        Ok(connect(&url))
    }
}

/// `herald check`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald check
  herald check --subject orders-value --format github
  HERALD_REGISTRY_URL=https://registry.example.com herald check --format junit > herald.xml

Each mapped subject's file is sent to POST /compatibility/subjects/{subject}/versions
and judged under the subject's level (all versions for transitive levels).
A subject the registry does not know yet passes.
Exit status: 0 compatible, 1 incompatible or invalid, 2 usage, I/O or server error.")]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs `herald check`.
pub async fn run(args: &CheckArgs) -> Result<(Report, Verdict), CliError> {
    let project = Project::load(&args.project.config)?;
    let client = args.registry.client(Some(&project))?;
    let options = args.rules.options()?;
    let mut results = Vec::new();
    for subject in project.select(&args.project.subjects)? {
        results.push(check_one(&client, &project, subject, &options).await?);
    }
    let report = Report::new(results);
    let verdict = report.verdict();
    Ok((report, verdict))
}

async fn check_one(
    client: &RegistryClient,
    project: &Project,
    subject: &MappedSubject,
    options: &CompatibilityOptions,
) -> Result<SubjectResult, CliError> {
    let path = project.root.join(&subject.file);
    let shown = path.display().to_string();
    let text = files::read(&path)?;
    let new_subject = || {
        SubjectResult::new(subject.name.clone(), Vec::new()).with_note(format!(
            "subject {} not found on {}: it will be created on register",
            subject.name,
            client.base()
        ))
    };
    let verdict = match client
        .check_compatibility(&subject.name, &payload(subject, &text), options)
        .await
    {
        Ok(verdict) => verdict,
        Err(error) if error.is_unknown_subject() => return Ok(new_subject()),
        Err(RegistryError::Api {
            error_code: 42201,
            message,
            ..
        }) => {
            let item = Item {
                rule: "INVALID_SCHEMA".to_owned(),
                message,
                file: Some(shown),
                ..Item::default()
            };
            return Ok(SubjectResult::new(subject.name.clone(), vec![item]));
        }
        Err(error) => return Err(failure(client, error)),
    };
    let warnings = verdict.warnings;
    if verdict.compatible
        && !client
            .subject_exists(&subject.name)
            .await
            .map_err(|error| failure(client, error))?
    {
        return Ok(new_subject().with_warnings(warnings));
    }
    let mut items: Vec<Item> = verdict
        .findings
        .into_iter()
        .map(|finding| Item::from_registry(finding, Some(&shown)))
        .collect();
    if !verdict.compatible && items.is_empty() {
        // A registry without structured findings: its messages.
        items = verdict
            .messages
            .into_iter()
            .map(|message| Item {
                rule: "INCOMPATIBLE".to_owned(),
                message,
                file: Some(shown.clone()),
                ..Item::default()
            })
            .collect();
    }
    Ok(SubjectResult::new(subject.name.clone(), items).with_warnings(warnings))
}
