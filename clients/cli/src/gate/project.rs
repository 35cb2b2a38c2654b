//! A `herald.toml` loaded from disk: its text read by
//! [`herald_core::project`], its `dir` entries expanded into one subject per
//! `.proto` file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use herald_core::SchemaType;
use herald_core::project::{self, MappedSubject, ProjectEntry, Reference, imports, subject_name};

use super::CliError;

/// Which project file, and which of its subjects.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The project file mapping schema files to subjects.
    #[arg(long, default_value = "herald.toml")]
    pub config: PathBuf,
    /// Only these subjects (repeatable).
    #[arg(long = "subject", value_name = "SUBJECT")]
    pub subjects: Vec<String>,
}

/// A loaded project: subjects with their files, relative to `root`.
#[derive(Debug)]
pub struct Project {
    /// The directory holding `herald.toml`.
    pub root: PathBuf,
    /// `registry = ...`, if set.
    pub registry: Option<String>,
    /// Every mapped subject, directory entries expanded.
    pub subjects: Vec<MappedSubject>,
}

impl Project {
    /// Reads `path` (a `herald.toml`).
    pub fn load(path: &Path) -> Result<Project, CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!(
                "cannot read {}: {e}; create it (see `herald check --help`) or pass --config",
                path.display()
            ))
        })?;
        let file = project::parse(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        // Empty for a herald.toml in the working directory, so that paths
        // print as written in it.
        let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut subjects = Vec::new();
        for entry in file.entries {
            match entry {
                ProjectEntry::File(subject) => subjects.push(subject),
                ProjectEntry::Directory { dir, naming } => {
                    subjects.extend(protobuf_directory(&root, &dir, &naming)?);
                }
            }
        }
        Ok(Project {
            root,
            registry: file.registry,
            subjects,
        })
    }

    /// The subjects named in `only` (all when empty); an unknown name is a
    /// usage error.
    pub fn select(&self, only: &[String]) -> Result<Vec<&MappedSubject>, CliError> {
        if let Some(unknown) = only
            .iter()
            .find(|name| !self.subjects.iter().any(|s| &s.name == *name))
        {
            return Err(CliError::Usage(format!(
                "subject {unknown} is not mapped in herald.toml"
            )));
        }
        Ok(self
            .subjects
            .iter()
            .filter(|s| only.is_empty() || only.contains(&s.name))
            .collect())
    }

    /// The subjects in an order where every referenced project subject
    /// comes before the subjects referencing it.
    pub fn in_dependency_order(&self) -> Vec<&MappedSubject> {
        let mut ordered: Vec<&MappedSubject> = Vec::new();
        let mut remaining: Vec<&MappedSubject> = self.subjects.iter().collect();
        while !remaining.is_empty() {
            let ready = remaining.iter().position(|subject| {
                subject.references.iter().all(|reference| {
                    !remaining
                        .iter()
                        .any(|other| other.name == reference.subject)
                })
            });
            // A cycle: keep the file order for the rest; the registry says why.
            let next = remaining.remove(ready.unwrap_or(0));
            ordered.push(next);
        }
        ordered
    }

    /// The project's directory, for running commands in it.
    pub fn dir(&self) -> &Path {
        if self.root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.root
        }
    }

    /// The mapped subject called `name`.
    pub fn subject(&self, name: &str) -> Option<&MappedSubject> {
        self.subjects.iter().find(|s| s.name == name)
    }
}

/// One subject per `.proto` file below `dir`, named by `naming`; imports of
/// other files of the directory become references to their subjects.
fn protobuf_directory(
    root: &Path,
    dir: &Path,
    naming: &str,
) -> Result<Vec<MappedSubject>, CliError> {
    let files = files_below(&root.join(dir), "proto")
        .map_err(|e| CliError::Usage(format!("{}: {e}", root.join(dir).display())))?;
    let mut names = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for (relative, text) in files {
        let name = subject_name(naming, &relative, &text);
        names.insert(relative.clone(), name);
        texts.insert(relative, text);
    }
    Ok(texts
        .iter()
        .map(|(relative, text)| MappedSubject {
            name: names[relative].clone(),
            file: dir.join(relative),
            schema_type: SchemaType::Protobuf,
            references: imports(text)
                .into_iter()
                .filter_map(|import| {
                    names.get(&import).map(|subject| Reference {
                        name: import.clone(),
                        subject: subject.clone(),
                        version: None,
                    })
                })
                .collect(),
        })
        .collect())
}

/// Every file with `extension` below `dir`, by path relative to it (with
/// `/` separators), sorted.
pub fn files_below(dir: &Path, extension: &str) -> std::io::Result<BTreeMap<String, String>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == extension) {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.insert(relative, std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(found)
}
