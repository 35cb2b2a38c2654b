//! `herald register`: registers every mapped subject, referenced subjects
//! first. Registering the same content again is a no-op that prints the
//! same id and version.

use std::path::PathBuf;

use clap::Args;

use super::check::RegistryArgs;
use super::client::payload;
use super::project::Project;
use super::{CliError, Verdict, files};

/// `herald register`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald register
  herald register --subject orders-value --registry http://localhost:8081

Prints `subject: id N, version V` for each subject.
Exit status: 0 registered, 1 incompatible or invalid, 2 usage, I/O or server error.")]
pub struct RegisterArgs {
    /// The project file mapping schema files to subjects.
    #[arg(long, default_value = "herald.toml")]
    pub config: PathBuf,
    /// Only these subjects (repeatable).
    #[arg(long = "subject", value_name = "SUBJECT")]
    pub subjects: Vec<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `herald register`, printing one line per subject.
pub async fn run(args: &RegisterArgs) -> Result<Verdict, CliError> {
    let project = Project::load(&args.config)?;
    let client = args.registry.client(Some(&project))?;
    let chosen: Vec<String> = project
        .select(&args.subjects)?
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
            .register(&subject.name, &payload(subject, &text))
            .await?
        {
            Ok((id, version)) => println!("{}: id {id}, version {version}", subject.name),
            Err(message) => {
                verdict = Verdict::Incompatible;
                println!("{}: incompatible: {message}", subject.name);
            }
        }
    }
    Ok(verdict)
}
