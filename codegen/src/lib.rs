//! herald-codegen: Rust types and typed producers/consumers for registered
//! schemas, generated in `build.rs`.
//!
//! ```no_run
//! // build.rs
//! use herald_codegen::{Builder, Version};
//! Builder::new()
//!     .registry_from_env()                 // HERALD_REGISTRY_URL, else the lock file
//!     .subject("orders-value").version(Version::Latest)
//!     .produce().consume()
//!     .lock_file("herald.lock")            // pins subject -> version, id, fingerprint
//!     .compile()
//!     .expect("schemas generated");
//! ```
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/herald.rs"));`,
//! which declares one module per subject (`orders_value`) with the
//! schema's types, `SUBJECT`, `VERSION`, `SCHEMA_ID`, `codec()` and
//! `OrdersValueProducer` / `OrdersValueConsumer`.
//!
//! Builds are reproducible: `herald.lock` pins each subject's version and
//! content, and `herald.lock.d/` caches the schemas, so a build without a
//! registry (CI, docs.rs) uses them. With a registry the pinned content is
//! verified; a changed schema behind a pinned version fails the build.
//! `HERALD_CODEGEN_UPDATE=1` re-resolves and rewrites the lock.
//!
//! Not for: turning a schema text into Rust on its own (that is
//! `herald-generator`, which this crate calls), or the generated code's
//! runtime (that is `herald-client`).

mod lock;
mod resolve;

use std::path::{Path, PathBuf};

use herald_client::registry::{RegistryClient, auth_from};

pub use herald_generator::{Roles, preview};

/// Why code generation failed.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The registry could not give a schema.
    #[error("herald-codegen: {0}")]
    Registry(String),
    /// The lock file or its cache is wrong or unreadable.
    #[error("herald-codegen: {0}")]
    Lock(String),
    /// A schema cannot be turned into Rust.
    #[error("herald-codegen: {0}")]
    Schema(String),
    /// Files could not be written.
    #[error("herald-codegen: {0}")]
    Io(String),
}

impl From<herald_generator::GenerateError> for CodegenError {
    fn from(error: herald_generator::GenerateError) -> Self {
        CodegenError::Schema(error.to_string())
    }
}

/// Which version of a subject to generate from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Version {
    /// The latest when first locked, then the pinned one.
    #[default]
    Latest,
    /// A version number.
    Number(i32),
    /// The version holding this schema id.
    Id(u32),
}

impl From<i32> for Version {
    fn from(number: i32) -> Version {
        Version::Number(number)
    }
}

#[derive(Clone, Debug)]
struct Wanted {
    subject: String,
    version: Version,
    roles: Roles,
}

/// Configures and runs code generation.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    registry: Option<String>,
    auth: Option<String>,
    subjects: Vec<Wanted>,
    lock_file: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    update: Option<bool>,
}

impl Builder {
    /// A builder with no subjects; the lock file defaults to `herald.lock`
    /// in the crate's directory.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Uses the registry at `url`.
    pub fn registry(mut self, url: &str) -> Builder {
        self.registry = Some(url.to_owned());
        self
    }

    /// Uses `HERALD_REGISTRY_URL` (and `HERALD_REGISTRY_AUTH`, `user:password`
    /// or a bearer token) when set; otherwise builds from the lock file.
    pub fn registry_from_env(mut self) -> Builder {
        self.registry = std::env::var("HERALD_REGISTRY_URL")
            .ok()
            .filter(|u| !u.is_empty());
        self.auth = std::env::var("HERALD_REGISTRY_AUTH")
            .ok()
            .filter(|a| !a.is_empty());
        self
    }

    /// Adds `subject` (latest version, no producer or consumer until asked).
    pub fn subject(mut self, subject: &str) -> Builder {
        self.subjects.push(Wanted {
            subject: subject.to_owned(),
            version: Version::Latest,
            roles: Roles::default(),
        });
        self
    }

    /// Pins the last added subject to `version`.
    pub fn version(mut self, version: impl Into<Version>) -> Builder {
        if let Some(last) = self.subjects.last_mut() {
            last.version = version.into();
        }
        self
    }

    /// Pins the last added subject to the version holding schema `id`.
    pub fn id(self, id: u32) -> Builder {
        self.version(Version::Id(id))
    }

    /// Generates a producer for the last added subject.
    pub fn produce(mut self) -> Builder {
        if let Some(last) = self.subjects.last_mut() {
            last.roles.produce = true;
        }
        self
    }

    /// Generates a consumer for the last added subject.
    pub fn consume(mut self) -> Builder {
        if let Some(last) = self.subjects.last_mut() {
            last.roles.consume = true;
        }
        self
    }

    /// The lock file (relative paths are from the crate's directory).
    pub fn lock_file(mut self, path: impl Into<PathBuf>) -> Builder {
        self.lock_file = Some(path.into());
        self
    }

    /// Re-resolves every subject from the registry and rewrites the lock
    /// (default: when `HERALD_CODEGEN_UPDATE=1`).
    pub fn update(mut self, update: bool) -> Builder {
        self.update = Some(update);
        self
    }

    /// Where to write the code (default `OUT_DIR`).
    pub fn out_dir(mut self, path: impl Into<PathBuf>) -> Builder {
        self.out_dir = Some(path.into());
        self
    }

    /// Resolves the subjects, updates the lock, and writes `herald.rs`.
    pub fn compile(self) -> Result<(), CodegenError> {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        let lock_path = manifest_dir.join(
            self.lock_file
                .clone()
                .unwrap_or_else(|| PathBuf::from("herald.lock")),
        );
        let out_dir = match self
            .out_dir
            .clone()
            .or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from))
        {
            Some(dir) => dir,
            None => {
                return Err(CodegenError::Io(
                    "OUT_DIR is not set: run from build.rs or call out_dir()".to_owned(),
                ));
            }
        };
        let mut lock = lock::LockFile::open(&lock_path)?;
        println!("cargo:rerun-if-changed={}", lock_path.display());
        println!("cargo:rerun-if-changed={}", lock.cache_dir().display());
        for variable in [
            "HERALD_REGISTRY_URL",
            "HERALD_REGISTRY_AUTH",
            "HERALD_CODEGEN_UPDATE",
        ] {
            println!("cargo:rerun-if-env-changed={variable}");
        }
        let update = self
            .update
            .unwrap_or_else(|| std::env::var("HERALD_CODEGEN_UPDATE").is_ok_and(|v| v == "1"));
        let registry = self.registry.as_deref().map(|url| {
            let client = RegistryClient::new(url).with_retries(1);
            match self.auth.as_deref() {
                Some(auth) => client.with_auth(auth_from(auth)),
                None => client,
            }
        });
        let generated_dir = out_dir.join("herald");
        let mut modules = String::from("// Generated by herald-codegen: one module per subject.\n");
        {
            let mut resolver = resolve::Resolver::new(&mut lock, registry, update)?;
            for wanted in &self.subjects {
                let schema = resolver.subject(&wanted.subject, wanted.version)?;
                let references = resolver.references(&schema)?;
                let source = herald_generator::subject_module(&schema, &references, wanted.roles)?;
                let module = herald_generator::module_name(&wanted.subject);
                let path = generated_dir.join(format!("{module}.rs"));
                write(&path, &source)?;
                modules.push_str(&format!(
                    "#[doc = {:?}]\n#[allow(clippy::all, clippy::pedantic, missing_docs, non_camel_case_types, dead_code)]\npub mod {module} {{\n    include!({:?});\n}}\n",
                    format!("Subject `{}`, version {}, schema id {}.", schema.subject, schema.version, schema.id),
                    path.display().to_string()
                ));
            }
        }
        lock.save()?;
        write(&out_dir.join("herald.rs"), &modules)
    }
}

fn write(path: &Path, text: &str) -> Result<(), CodegenError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CodegenError::Io(format!("{}: {e}", parent.display())))?;
    }
    std::fs::write(path, text).map_err(|e| CodegenError::Io(format!("{}: {e}", path.display())))
}
