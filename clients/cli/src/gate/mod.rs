//! The compatibility gate: `herald check`, `compat`, `register`, `fetch`
//! and `diff`, their project file, registry client and reports.
//!
//! Exit codes: 0 fine, 1 incompatible or invalid schema, 2 usage, I/O or
//! server error.

pub mod check;
pub mod compat;
pub mod diff;
pub mod fetch;
pub mod files;
pub mod project;
pub mod register;
pub mod registry;
pub mod report;

use std::process::ExitCode;

/// Why a command could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments or project file (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written (exit 2).
    #[error("{0}")]
    Io(String),
    /// The registry could not be reached or failed (exit 2).
    #[error("{0}")]
    Server(String),
    /// A schema is not valid (exit 1).
    #[error("{0}")]
    Invalid(String),
}

impl From<herald_client::registry::RegistryError> for CliError {
    /// A registry that refused or could not be reached (exit 2).
    fn from(error: herald_client::registry::RegistryError) -> Self {
        CliError::Server(error.to_string())
    }
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Invalid(_) => ExitCode::from(1),
            _ => ExitCode::from(2),
        }
    }
}

/// What a command found: all fine (exit 0) or something incompatible (exit 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Everything is compatible / done.
    Fine,
    /// At least one schema is incompatible.
    Incompatible,
}

impl Verdict {
    /// The process exit code.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Verdict::Fine => ExitCode::SUCCESS,
            Verdict::Incompatible => ExitCode::from(1),
        }
    }
}
