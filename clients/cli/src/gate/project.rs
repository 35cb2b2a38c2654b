//! `herald.toml`: which schema files are which subjects, and where the
//! registry is.
//!
//! ```toml
//! registry = "http://localhost:8081"
//! [[subject]]
//! name = "orders-value"
//! file = "schemas/orders/order_placed.avsc"
//! references = [{ name = "com.acme.Money", subject = "money", version = "latest" }]
//! [[subject]]
//! dir = "proto/"                       # every .proto below, one subject each
//! naming = "{package}.{message}-value" # also {file} (stem) and {path}
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use herald_core::SchemaType;
use serde::Deserialize;

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

/// The project file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    registry: Option<String>,
    #[serde(default, rename = "subject")]
    subjects: Vec<SubjectEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectEntry {
    name: Option<String>,
    file: Option<PathBuf>,
    dir: Option<PathBuf>,
    naming: Option<String>,
    #[serde(rename = "type")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<ReferenceEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceEntry {
    name: String,
    subject: String,
    #[serde(default)]
    version: VersionEntry,
}

/// `version = 3` or `version = "latest"` (the default).
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum VersionEntry {
    #[default]
    #[serde(skip)]
    Latest,
    Number(i32),
    Word(String),
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

/// One subject and the file that defines it.
#[derive(Clone, Debug)]
pub struct MappedSubject {
    /// The subject name.
    pub name: String,
    /// The schema file, relative to the project root.
    pub file: PathBuf,
    /// Its format.
    pub schema_type: SchemaType,
    /// The subjects it references.
    pub references: Vec<Reference>,
}

/// A reference to another subject; `version` `None` is the latest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The name the schema uses (type name, import path or `$ref`).
    pub name: String,
    /// The referenced subject.
    pub subject: String,
    /// A pinned version, or the latest.
    pub version: Option<i32>,
}

const DEFAULT_NAMING: &str = "{package}.{message}-value";

impl Project {
    /// Reads `path` (a `herald.toml`).
    pub fn load(path: &Path) -> Result<Project, CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!(
                "cannot read {}: {e}; create it (see `herald check --help`) or pass --config",
                path.display()
            ))
        })?;
        let file: ProjectFile = toml::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        // Empty for a herald.toml in the working directory, so that paths
        // print as written in it.
        let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut subjects = Vec::new();
        for entry in file.subjects {
            subjects.extend(expand(&root, entry)?);
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

fn expand(root: &Path, entry: SubjectEntry) -> Result<Vec<MappedSubject>, CliError> {
    let references = entry
        .references
        .into_iter()
        .map(|r| {
            let version = match r.version {
                VersionEntry::Latest => None,
                VersionEntry::Number(n) => Some(n),
                VersionEntry::Word(word) if word == "latest" => None,
                VersionEntry::Word(word) => {
                    return Err(CliError::Usage(format!(
                        "reference {}: version must be a number or \"latest\", not \"{word}\"",
                        r.name
                    )));
                }
            };
            Ok(Reference {
                name: r.name,
                subject: r.subject,
                version,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    match (entry.file, entry.dir, entry.name) {
        (Some(file), None, Some(name)) => {
            let schema_type = match entry.schema_type {
                Some(raw) => raw
                    .parse()
                    .map_err(|e| CliError::Usage(format!("subject {name}: {e}")))?,
                None => type_of(&file).ok_or_else(|| {
                    CliError::Usage(format!(
                        "subject {name}: cannot tell the type of {} from its extension (.avsc, .proto, .json); set type = \"AVRO\"|\"PROTOBUF\"|\"JSON\"",
                        file.display()
                    ))
                })?,
            };
            Ok(vec![MappedSubject {
                name,
                file,
                schema_type,
                references,
            }])
        }
        (None, Some(dir), None) => protobuf_directory(
            root,
            &dir,
            entry.naming.as_deref().unwrap_or(DEFAULT_NAMING),
        ),
        _ => Err(CliError::Usage(
            "each [[subject]] needs either `name` and `file`, or `dir` (with an optional `naming`)"
                .to_owned(),
        )),
    }
}

/// The format a file's extension names.
pub fn type_of(file: &Path) -> Option<SchemaType> {
    match file.extension()?.to_str()? {
        "avsc" => Some(SchemaType::Avro),
        "proto" => Some(SchemaType::Protobuf),
        "json" => Some(SchemaType::Json),
        _ => None,
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

/// `naming` with `{package}`, `{message}` (the first top-level message),
/// `{file}` (the file's stem) and `{path}` filled in.
fn subject_name(naming: &str, relative: &str, text: &str) -> String {
    let statement = |keyword: &str| {
        text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix(keyword)?;
            let word = rest.split_whitespace().next()?;
            rest.starts_with(char::is_whitespace)
                .then(|| word.trim_end_matches(['{', ';']).to_owned())
        })
    };
    let stem = Path::new(relative)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    naming
        .replace("{package}", &statement("package").unwrap_or_default())
        .replace("{message}", &statement("message").unwrap_or_default())
        .replace("{file}", &stem)
        .replace("{path}", relative)
        .replace("..", ".")
        .trim_start_matches('.')
        .to_owned()
}

/// The paths a `.proto` text imports.
pub fn imports(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("import")?;
            let start = rest.find('"')? + 1;
            let end = start + rest[start..].find('"')?;
            Some(rest[start..end].to_owned())
        })
        .collect()
}
