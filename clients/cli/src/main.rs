//! `herald`: the command line of the Herald schema registry.
//!
//! `herald serve` runs the registry. Settings come from flags, then
//! `HERALD_*` environment variables, then an optional TOML file
//! (`--config`), then defaults that need no set-up.
//!
//! `check`, `compat`, `register`, `fetch` and `diff` are the compatibility
//! gate a CI pipeline runs (see `docs/ci.md`).
//!
//! Not for: rules of its own — the registry (`herald-server`) and the
//! schema model (`herald-core`) decide; this crate parses arguments and
//! prints.

mod gate;
mod logging;
mod migrate;
mod serve;
mod transfer;
mod users;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use gate::{CliError, Verdict};

/// Herald: a schema registry and code generator for event-driven Rust systems.
#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about,
    after_help = "Examples:
  herald serve                                   run the registry on 127.0.0.1:8081
  herald check                                   gate a pull request against the registry
  herald compat --old v1.avsc --new v2.avsc      judge two files offline
  herald compat --against-git origin/main        judge the working tree against a branch
  herald register                                register every mapped subject
  herald fetch --subject 'orders-*' --out dir/   download schemas and their references
  herald diff orders-value 1 2                   diff two versions, with findings
  herald migrate-store --from sqlite://herald-data/herald.db --to postgres://db/herald
  herald import --from https://confluent:8081 --to http://127.0.0.1:8081 --verify
  herald serve --log-format json                 one JSON object per log line

Exit status: 0 fine, 1 incompatible or invalid schema, 2 usage, I/O or server error."
)]
struct Cli {
    /// How log lines (on stderr) are written.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        env = "HERALD_LOG_FORMAT"
    )]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the registry (Confluent-compatible REST API).
    Serve(Box<serve::ServeArgs>),
    /// Ask the registry whether herald.toml's schema files may be registered.
    Check(gate::check::CheckArgs),
    /// Judge schema files or directories against earlier versions, offline.
    Compat(gate::compat::CompatArgs),
    /// Register every subject mapped in herald.toml, references first.
    Register(gate::register::RegisterArgs),
    /// Download subjects' schemas and their references into a directory.
    Fetch(gate::fetch::FetchArgs),
    /// Show two versions of a subject as a diff, with the findings between them.
    Diff(gate::diff::DiffArgs),
    /// Copy a Confluent-compatible registry into this one over REST, keeping ids and versions.
    Import(transfer::ImportArgs),
    /// Write a registry's subjects, versions, configs and modes into a directory of JSON files.
    Export(transfer::ExportArgs),
    /// Write a directory made by `herald export` into a registry, keeping ids and versions.
    Restore(transfer::RestoreArgs),
    /// Keep a Herald registry in step with another registry (one way; IMPORT mode on the target).
    Mirror(transfer::MirrorArgs),
    /// Copy a whole registry into another database, keeping ids (e.g. SQLite to PostgreSQL).
    MigrateStore(migrate::MigrateStoreArgs),
    /// Manage the users of the registry's credentials file.
    #[command(subcommand)]
    Users(users::UsersCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        // `serve` installs its own, with traces, inside its runtime.
        logging::init(
            cli.log_format,
            #[cfg(feature = "otel")]
            None,
        );
    }
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(*args, cli.log_format)
            .map(|()| Verdict::Fine)
            .map_err(|e| CliError::Server(e.to_string())),
        Command::Check(args) => {
            block_on(async |color| Ok(printed(gate::check::run(&args).await?, args.format, color)))
        }
        Command::Compat(args) => {
            block_on(async |color| Ok(printed(gate::compat::run(&args)?, args.format, color)))
        }
        Command::Register(args) => block_on(async |_| gate::register::run(&args).await),
        Command::Fetch(args) => block_on(async |_| gate::fetch::run(&args).await),
        Command::Diff(args) => block_on(async |color| gate::diff::run(&args, color).await),
        Command::Import(args) => block_on(async |_| transfer::run_import(&args).await),
        Command::Export(args) => block_on(async |_| transfer::run_export(&args).await),
        Command::Restore(args) => block_on(async |_| transfer::run_restore(&args).await),
        Command::Mirror(args) => block_on(async |_| transfer::run_mirror(&args).await),
        Command::MigrateStore(args) => block_on(async |_| migrate::run(&args).await),
        Command::Users(command) => users::run(&command),
    };
    match outcome {
        Ok(verdict) => verdict.exit_code(),
        Err(error) => {
            eprintln!("herald: {error}");
            error.exit_code()
        }
    }
}

/// Runs a gate command on a single-threaded runtime; it is told whether
/// to colour its output (a terminal, and no `NO_COLOR`).
fn block_on(
    command: impl AsyncFnOnce(bool) -> Result<Verdict, CliError>,
) -> Result<Verdict, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("cannot start the runtime: {e}")))?;
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    runtime.block_on(command(color))
}

/// Prints a report in `format`; returns its verdict.
fn printed(
    (report, verdict): (gate::report::Report, Verdict),
    format: gate::report::Format,
    color: bool,
) -> Verdict {
    print!("{}", report.render(format, color));
    verdict
}
