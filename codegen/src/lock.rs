//! `herald.lock`: which version (and id) of each subject a build uses, with
//! a fingerprint of its content, and the schema cache next to it
//! (`herald.lock.d/`) that lets builds run without a registry.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::CodegenError;
pub use herald_generator::{CachedSchema, LockedReference};

/// SHA-256 over `schema`'s type, text and references: changes when the
/// content does.
pub fn fingerprint(schema: &CachedSchema) -> String {
    let mut hasher = Sha256::new();
    hasher.update(&schema.schema_type);
    hasher.update([0]);
    hasher.update(&schema.schema);
    for reference in &schema.references {
        hasher.update([0]);
        hasher.update(format!(
            "{}={}@{}",
            reference.name, reference.subject, reference.version
        ));
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One pinned subject in the lock file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedSubject {
    /// Subject.
    pub name: String,
    /// Version.
    pub version: i32,
    /// Schema id.
    pub id: u32,
    /// Content fingerprint (see [`CachedSchema::fingerprint`]).
    pub fingerprint: String,
}

/// The lock file and its cache directory.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LockFile {
    #[serde(default, rename = "subject")]
    subjects: Vec<LockedSubject>,
    #[serde(skip)]
    path: PathBuf,
}

const HEADER: &str = "# herald.lock: the schema versions this crate's generated code was built from.\n# Written by herald-codegen; commit it (and herald.lock.d/). HERALD_CODEGEN_UPDATE=1 refreshes it.\n\n";

impl LockFile {
    /// Reads `path`, or starts an empty lock if there is none.
    pub fn open(path: &Path) -> Result<LockFile, CodegenError> {
        let mut lock: LockFile = match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| CodegenError::Lock(format!("{}: {e}", path.display())))?,
            Err(_) => LockFile::default(),
        };
        lock.path = path.to_path_buf();
        Ok(lock)
    }

    /// The pinned entry of `subject`.
    pub fn subject(&self, subject: &str) -> Option<&LockedSubject> {
        self.subjects.iter().find(|s| s.name == subject)
    }

    /// Pins `schema` for its subject.
    pub fn pin(&mut self, schema: &CachedSchema) {
        let entry = LockedSubject {
            name: schema.subject.clone(),
            version: schema.version,
            id: schema.id,
            fingerprint: fingerprint(schema),
        };
        match self.subjects.iter_mut().find(|s| s.name == entry.name) {
            Some(existing) => *existing = entry,
            None => self.subjects.push(entry),
        }
        self.subjects.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Writes the lock file if its content changed.
    pub fn save(&self) -> Result<(), CodegenError> {
        #[derive(Serialize)]
        struct Out<'a> {
            subject: &'a [LockedSubject],
        }
        let text = format!(
            "{HEADER}{}",
            toml::to_string(&Out {
                subject: &self.subjects
            })
            .map_err(|e| CodegenError::Lock(e.to_string()))?
        );
        write_if_changed(&self.path, &text)
    }

    /// The cache directory: `herald.lock.d` next to the lock file.
    pub fn cache_dir(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".d");
        self.path.with_file_name(name)
    }

    /// A cached schema version.
    pub fn cached(&self, subject: &str, version: i32) -> Option<CachedSchema> {
        let text = std::fs::read_to_string(self.cache_file(subject, version)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Stores a schema version in the cache.
    pub fn store(&self, schema: &CachedSchema) -> Result<(), CodegenError> {
        let dir = self.cache_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| CodegenError::Lock(format!("{}: {e}", dir.display())))?;
        let text =
            serde_json::to_string_pretty(schema).map_err(|e| CodegenError::Lock(e.to_string()))?;
        write_if_changed(
            &self.cache_file(&schema.subject, schema.version),
            &format!("{text}\n"),
        )
    }

    fn cache_file(&self, subject: &str, version: i32) -> PathBuf {
        let safe: String = subject
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.cache_dir().join(format!("{safe}@{version}.json"))
    }
}

/// Writes `text` to `path` unless it already holds it (so that builds do
/// not trigger themselves again).
fn write_if_changed(path: &Path, text: &str) -> Result<(), CodegenError> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| CodegenError::Lock(format!("{}: {e}", path.display())))
}
