//! `herald register`: registers every mapped subject, referenced subjects
//! first. Registering the same content again is a no-op that prints the
//! same id and version.

use clap::Args;
use herald_client::registry::{Registration, RegistryError};

use super::check::RegistryArgs;
use super::project::{Project, ProjectArgs};
use super::registry::{failure, payload};
use super::{CliError, Verdict, files};

/// `herald register`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald register
  herald register --subject orders-value --registry http://localhost:8081

Prints `subject: id N, version V` for each subject.
Exit status: 0 registered, 1 incompatible or invalid, 2 usage, I/O or server error.")]
pub struct RegisterArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `herald register`, printing one line per subject.
pub async fn run(args: &RegisterArgs) -> Result<Verdict, CliError> {
    let project = Project::load(&args.project.config)?;
    let client = args.registry.client(Some(&project))?;
    let chosen: Vec<String> = project
        .select(&args.project.subjects)?
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let mut verdict = Verdict::Fine;
    for subject in project.in_dependency_order() {
        if !chosen.contains(&subject.name) {
            continue;
        }
        let text = files::read(&project.root.join(&subject.file))?;
        match client
            .register_version(&subject.name, &payload(subject, &text))
            .await
        {
            Ok(Registration { id, version }) => {
                println!("{}: id {id}, version {version}", subject.name);
            }
            Err(RegistryError::Api {
                error_code: 40901,
                message,
                ..
            }) => {
                verdict = Verdict::Incompatible;
                println!("{}: incompatible: {message}", subject.name);
            }
            Err(error) => return Err(failure(&client, error)),
        }
    }
    Ok(verdict)
}
