//! `herald diff`: two versions of a subject side by side as a unified line
//! diff, then the compatibility findings between them.

use clap::Args;
use herald_client::registry::{CompatibilityOptions, SubjectVersion};
use serde_json::Value;
use similar::TextDiff;

use super::check::RegistryArgs;
use super::registry::{failure, version};
use super::report::{Format, Item, Report, SubjectResult};
use super::{CliError, Verdict};

/// `herald diff`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald diff orders-value 1 2
  herald diff orders-value 3 latest

The newer version is judged against the older one under the subject's level.
Exit status: 0 compatible, 1 incompatible, 2 usage or server error.")]
pub struct DiffArgs {
    /// The subject.
    pub subject: String,
    /// The older version (a number or `latest`).
    pub old: String,
    /// The newer version (a number or `latest`).
    pub new: String,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Runs `herald diff`: prints the diff and the findings.
pub async fn run(args: &DiffArgs, color: bool) -> Result<Verdict, CliError> {
    let client = args.registry.client(None)?;
    let old = version(&client, &args.subject, &args.old).await?;
    let new = version(&client, &args.subject, &args.new).await?;
    let (before, after) = (readable(&old), readable(&new));
    let diff = TextDiff::from_lines(&before, &after);
    print!(
        "{}",
        diff.unified_diff().context_radius(3).header(
            &format!("{} version {} (id {})", old.subject, old.version, old.id),
            &format!("{} version {} (id {})", new.subject, new.version, new.id),
        )
    );
    let against = CompatibilityOptions {
        version: Some(old.version),
        ..CompatibilityOptions::default()
    };
    let verdict = client
        .check_compatibility(&args.subject, &new.schema, &against)
        .await
        .map_err(|error| failure(&client, error))?;
    let compatible = verdict.compatible;
    let items: Vec<Item> = verdict
        .findings
        .into_iter()
        .map(|finding| Item::from_registry(finding, None))
        .collect();
    let mut result = SubjectResult::new(
        format!("{} {} -> {}", args.subject, old.version, new.version),
        items,
    );
    result.compatible = compatible;
    print!("{}", Report::new(vec![result]).render(Format::Text, color));
    Ok(if compatible {
        Verdict::Fine
    } else {
        Verdict::Incompatible
    })
}

/// The schema text laid out for reading: JSON (Avro, JSON Schema) pretty-printed.
fn readable(version: &SubjectVersion) -> String {
    let schema = &version.schema;
    let text = match schema.schema_type.as_str() {
        "PROTOBUF" => schema.schema.clone(),
        _ => serde_json::from_str::<Value>(&schema.schema)
            .and_then(|value| serde_json::to_string_pretty(&value))
            .unwrap_or_else(|_| schema.schema.clone()),
    };
    if text.ends_with('\n') {
        text
    } else {
        format!("{text}\n")
    }
}
