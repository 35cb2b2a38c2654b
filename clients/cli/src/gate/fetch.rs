//! `herald fetch`: downloads subjects' schemas, with everything they
//! reference, into a directory.

use std::path::{Path, PathBuf};

use clap::Args;
use herald_client::registry::{RegistryClient, SubjectVersion};

use super::check::RegistryArgs;
use super::registry::{failure, version};
use super::{CliError, Verdict};

/// `herald fetch`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald fetch --subject orders-value --out schemas/
  herald fetch --subject 'orders-*' --subject money@2 --out vendor/schemas

PATTERN is a subject name, `*` matching any run of characters, optionally
followed by @VERSION to pin a version (default: the latest). Each schema is
written as SUBJECT.avsc/.proto/.json; referenced Protobuf and JSON schemas are
written under their reference names (the import paths and $refs that use
them), referenced Avro schemas as SUBJECT.avsc.")]
pub struct FetchArgs {
    /// Subjects to download (repeatable).
    #[arg(long = "subject", value_name = "PATTERN", required = true)]
    pub subjects: Vec<String>,
    /// Where to write the files.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `herald fetch`, printing one line per file written.
pub async fn run(args: &FetchArgs) -> Result<Verdict, CliError> {
    let client = args.registry.client(None)?;
    let known = client
        .subjects()
        .await
        .map_err(|error| failure(&client, error))?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::Io(format!("cannot create {}: {e}", args.out.display())))?;
    let mut written: Vec<(String, i32)> = Vec::new();
    for pattern in &args.subjects {
        let (pattern, spec) = pattern.rsplit_once('@').unwrap_or((pattern, "latest"));
        let matching: Vec<&String> = known.iter().filter(|s| matches(pattern, s)).collect();
        if matching.is_empty() {
            return Err(CliError::Usage(format!(
                "no subject on {} matches {pattern}",
                client.base()
            )));
        }
        for subject in matching {
            let found = version(&client, subject, spec).await?;
            let file = format!("{}.{}", safe(subject), extension(&found));
            save(&client, &args.out, &found, &file, &mut written).await?;
        }
    }
    Ok(Verdict::Fine)
}

/// Writes `found` as `file`, then its references (once each).
async fn save(
    client: &RegistryClient,
    out: &Path,
    found: &SubjectVersion,
    file: &str,
    written: &mut Vec<(String, i32)>,
) -> Result<(), CliError> {
    let key = (found.subject.clone(), found.version);
    if written.contains(&key) {
        return Ok(());
    }
    written.push(key);
    let path = out.join(file);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::Io(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(&path, &found.schema.schema)
        .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    println!(
        "{} ({} version {}, id {})",
        path.display(),
        found.subject,
        found.version,
        found.id
    );
    for reference in &found.schema.references {
        let target = client
            .version(&reference.subject, reference.version)
            .await
            .map_err(|error| failure(client, error))?;
        let name = if extension(&target) == "avsc" || reference.name.contains("..") {
            format!("{}.avsc", safe(&target.subject))
        } else {
            reference.name.trim_start_matches('/').to_owned()
        };
        Box::pin(save(client, out, &target, &name, written)).await?;
    }
    Ok(())
}

fn extension(version: &SubjectVersion) -> &'static str {
    match version.schema.schema_type.as_str() {
        "PROTOBUF" => "proto",
        "JSON" => "json",
        _ => "avsc",
    }
}

/// A subject name usable as a file name.
fn safe(subject: &str) -> String {
    subject.replace(['/', '\\', ':'], "_")
}

/// Whether `name` matches `pattern`, where `*` matches any run of characters.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            let Some(tail) = name.strip_prefix(prefix) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| matches(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards_match_any_run() {
        assert!(matches("orders-*", "orders-value"));
        assert!(matches("*-value", "orders-value"));
        assert!(matches("o*s-*e", "orders-value"));
        assert!(matches("orders-value", "orders-value"));
        assert!(!matches("orders-*", "payments-value"));
        assert!(!matches("orders", "orders-value"));
    }
}
