//! `herald migrate-store`: copies a whole registry from one database to
//! another (e.g. SQLite to PostgreSQL), keeping every id, version and
//! setting, so clients and serialized data see no difference.

use clap::Args;
use herald_server::store::Store;
use herald_server::store::copy::copy_registry;

use crate::gate::{CliError, Verdict};

/// Flags of `herald migrate-store`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald migrate-store --from sqlite://herald-data/herald.db --to postgres://herald@db/herald
  herald migrate-store --from postgres://herald@old/herald --to postgres://herald@new/herald

The target is migrated to the current schema first and must hold no registry
data yet; the copy is one transaction. Stop the registries writing to the
source while it runs.")]
pub struct MigrateStoreArgs {
    /// Database URL to copy from (sqlite://PATH or postgres://...)
    #[arg(long)]
    from: String,
    /// Database URL to copy into (created if SQLite; PostgreSQL databases must exist)
    #[arg(long)]
    to: String,
}

/// Copies the registry; prints the rows copied per table.
pub async fn run(args: &MigrateStoreArgs) -> Result<Verdict, CliError> {
    let open = async |url: &str, role: &str| {
        Store::open_url(url)
            .await
            .map_err(|e| CliError::Server(format!("opening the {role} database: {e}")))
    };
    let from = open(&args.from, "source").await?;
    let to = open(&args.to, "target").await?;
    let report = copy_registry(&from, &to)
        .await
        .map_err(|e| CliError::Server(format!("copying: {e}")))?;
    for (table, rows) in report {
        println!("{table}: {rows} rows");
    }
    from.close().await;
    to.close().await;
    Ok(Verdict::Fine)
}
