//! `herald`: the command line of the Herald schema registry.
//!
//! `herald serve` runs the registry. Settings come from flags, then
//! `HERALD_*` environment variables, then an optional TOML file
//! (`--config`), then defaults that need no set-up.

mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Herald: a schema registry and code generator for event-driven Rust systems.
#[derive(Debug, Parser)]
#[command(name = "herald", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the registry (Confluent-compatible REST API).
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HERALD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("herald: {error}");
            ExitCode::from(2)
        }
    }
}
