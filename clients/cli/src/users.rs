//! `herald users add`: writes a user (an argon2id hash of the password and
//! the user's grants) to the credentials file that `herald serve --auth`
//! reads. The password comes from a prompt, or from standard input when it
//! is not a terminal — never from the command line.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use herald_server::access::{Grant, Role, UsersFile};

use crate::gate::{CliError, Verdict};

/// `herald users ...`.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user, or replace its password and grants.
    Add(AddArgs),
}

/// `herald users add`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  herald users add alice --role admin
  herald users add payments-ci --grant writer:payments. --grant reader
  printf '%s\\n' \"$PASSWORD\" | herald users add ci --role writer --file /etc/herald/users.toml

A grant is ROLE[:PREFIX][@CONTEXT]: the role over subjects whose name starts
with PREFIX, in CONTEXT (`.` is the default context; none: every context).
Roles: reader (reads), writer (plus registrations, lookups and checks),
admin (plus config, mode, deletes and IMPORT).")]
pub struct AddArgs {
    /// The user name (what clients send as the Basic user).
    pub name: String,
    /// A role over every subject.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<Role>,
    /// A scoped grant, ROLE[:PREFIX][@CONTEXT] (repeatable).
    #[arg(long = "grant", value_name = "GRANT")]
    pub grants: Vec<Grant>,
    /// The credentials file (created if missing).
    #[arg(long, default_value = "users.toml", value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs a `herald users` command.
pub fn run(command: &UsersCommand) -> Result<Verdict, CliError> {
    match command {
        UsersCommand::Add(args) => add(args),
    }
}

fn add(args: &AddArgs) -> Result<Verdict, CliError> {
    let mut grants = args.grants.clone();
    if let Some(role) = args.role {
        grants.insert(0, Grant::everywhere(role));
    }
    let password = read_password(&args.name)?;
    let mut file = UsersFile::load(&args.file).map_err(CliError::Usage)?;
    file.set_user(&args.name, &password, &grants)
        .map_err(CliError::Usage)?;
    file.save(&args.file).map_err(CliError::Io)?;
    let listed: Vec<String> = grants.iter().map(Grant::to_string).collect();
    println!(
        "{}: {} in {}",
        args.name,
        listed.join(", "),
        args.file.display()
    );
    Ok(Verdict::Fine)
}

/// The password: prompted for twice on a terminal, else the first line of
/// standard input.
fn read_password(name: &str) -> Result<String, CliError> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {name}: "))
            .map_err(|e| CliError::Io(e.to_string()))?;
        let again =
            rpassword::prompt_password("Again: ").map_err(|e| CliError::Io(e.to_string()))?;
        if first != again {
            return Err(CliError::Usage("the passwords differ".to_owned()));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::Io(e.to_string()))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        return Err(CliError::Usage("the password is empty".to_owned()));
    }
    Ok(password)
}
