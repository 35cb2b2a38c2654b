//! `herald.toml` as text: which schema files are which subjects, and where
//! the registry is. Reading files and walking directories is the caller's
//! job (the `herald` command); this module only reads the text.
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

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::SchemaType;

/// A `herald.toml` that cannot be used as written; the message says why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProjectError(String);

/// A parsed `herald.toml`.
#[derive(Debug)]
pub struct ProjectFile {
    /// `registry = ...`, if set.
    pub registry: Option<String>,
    /// The `[[subject]]` entries, in file order.
    pub entries: Vec<ProjectEntry>,
}

/// One `[[subject]]` entry.
#[derive(Debug)]
pub enum ProjectEntry {
    /// `name` and `file`: one subject.
    File(MappedSubject),
    /// `dir`: one subject per `.proto` file below it.
    Directory {
        /// The directory, relative to the project root.
        dir: PathBuf,
        /// The subject name pattern (see [`subject_name`]).
        naming: String,
    },
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

/// The naming pattern of a `dir` entry that sets none.
pub const DEFAULT_NAMING: &str = "{package}.{message}-value";

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    registry: Option<String>,
    #[serde(default, rename = "subject")]
    subjects: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: Option<String>,
    file: Option<PathBuf>,
    dir: Option<PathBuf>,
    naming: Option<String>,
    #[serde(rename = "type")]
    schema_type: Option<String>,
    #[serde(default)]
    references: Vec<RawReference>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    name: String,
    subject: String,
    #[serde(default)]
    version: RawVersion,
}

/// `version = 3` or `version = "latest"` (the default).
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum RawVersion {
    #[default]
    #[serde(skip)]
    Latest,
    Number(i32),
    Word(String),
}

/// Reads the text of a `herald.toml`.
pub fn parse(text: &str) -> Result<ProjectFile, ProjectError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ProjectError(e.to_string()))?;
    Ok(ProjectFile {
        registry: raw.registry,
        entries: raw
            .subjects
            .into_iter()
            .map(entry)
            .collect::<Result<_, _>>()?,
    })
}

fn entry(raw: RawEntry) -> Result<ProjectEntry, ProjectError> {
    match (raw.file, raw.dir, raw.name) {
        (Some(file), None, Some(name)) => {
            let schema_type = match raw.schema_type {
                Some(written) => written
                    .parse()
                    .map_err(|e| ProjectError(format!("subject {name}: {e}")))?,
                None => type_of(&file).ok_or_else(|| {
                    ProjectError(format!(
                        "subject {name}: cannot tell the type of {} from its extension (.avsc, .proto, .json); set type = \"AVRO\"|\"PROTOBUF\"|\"JSON\"",
                        file.display()
                    ))
                })?,
            };
            let references = raw
                .references
                .into_iter()
                .map(reference)
                .collect::<Result<_, _>>()?;
            Ok(ProjectEntry::File(MappedSubject {
                name,
                file,
                schema_type,
                references,
            }))
        }
        (None, Some(dir), None) if raw.references.is_empty() && raw.schema_type.is_none() => {
            Ok(ProjectEntry::Directory {
                dir,
                naming: raw.naming.unwrap_or_else(|| DEFAULT_NAMING.to_owned()),
            })
        }
        (None, Some(_), None) => Err(ProjectError(
            "a `dir` entry takes no `type` or `references`: every file below it is Protobuf, and its imports of other files there become references".to_owned(),
        )),
        _ => Err(ProjectError(
            "each [[subject]] needs either `name` and `file`, or `dir` (with an optional `naming`)"
                .to_owned(),
        )),
    }
}

fn reference(raw: RawReference) -> Result<Reference, ProjectError> {
    let version = match raw.version {
        RawVersion::Latest => None,
        RawVersion::Number(n) => Some(n),
        RawVersion::Word(word) if word == "latest" => None,
        RawVersion::Word(word) => {
            return Err(ProjectError(format!(
                "reference {}: version must be a number or \"latest\", not \"{word}\"",
                raw.name
            )));
        }
    };
    Ok(Reference {
        name: raw.name,
        subject: raw.subject,
        version,
    })
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

/// `naming` with `{package}`, `{message}` (the first top-level message of
/// the `.proto` `text`), `{file}` (the stem of `relative`) and `{path}`
/// (`relative` itself) filled in.
pub fn subject_name(naming: &str, relative: &str, text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_entry_takes_its_type_from_the_extension_and_pins_references() {
        let project = parse(
            r#"
            registry = "http://localhost:8081"
            [[subject]]
            name = "orders-value"
            file = "schemas/order.avsc"
            references = [{ name = "Money", subject = "money", version = 3 },
                          { name = "Id", subject = "id" }]
            "#,
        )
        .expect("a valid project file");
        assert_eq!(project.registry.as_deref(), Some("http://localhost:8081"));
        let [ProjectEntry::File(subject)] = project.entries.as_slice() else {
            panic!("one file entry expected: {:?}", project.entries);
        };
        assert_eq!(subject.schema_type, SchemaType::Avro);
        assert_eq!(subject.references[0].version, Some(3));
        assert_eq!(subject.references[1].version, None);
    }

    #[test]
    fn a_directory_entry_gets_the_default_naming() {
        let project = parse("[[subject]]\ndir = \"proto\"\n").expect("a valid project file");
        let [ProjectEntry::Directory { dir, naming }] = project.entries.as_slice() else {
            panic!("one directory entry expected: {:?}", project.entries);
        };
        assert_eq!(dir, Path::new("proto"));
        assert_eq!(naming, DEFAULT_NAMING);
    }

    #[test]
    fn unusable_entries_say_what_is_wrong() {
        let cases = [
            ("[[subject]]\nname = \"a\"\n", "needs either"),
            (
                "[[subject]]\nname = \"a\"\nfile = \"a.txt\"\n",
                "cannot tell the type",
            ),
            (
                "[[subject]]\nname = \"a\"\nfile = \"a.avsc\"\nreferences = [{ name = \"x\", subject = \"y\", version = \"first\" }]\n",
                "must be a number or \"latest\"",
            ),
            (
                "[[subject]]\ndir = \"p\"\ntype = \"AVRO\"\n",
                "takes no `type`",
            ),
            (
                "[[subject]]\nname = \"a\"\nfile = \"a.avsc\"\ncolour = 1\n",
                "unknown field",
            ),
            ("[[subject]\n", "unclosed array table"),
        ];
        for (text, expected) in cases {
            let error = parse(text).expect_err("an unusable entry").to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_followed() {
        let arrays = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let tables = format!("a = {}1{}", "{b=".repeat(100_000), "}".repeat(100_000));
        for text in [arrays, tables] {
            let error = parse(&text).expect_err("too deep").to_string();
            assert!(error.contains("TOML parse error"), "{error}");
        }
    }

    #[test]
    fn subject_names_fill_the_pattern_from_the_proto_text() {
        let text = "syntax = \"proto3\";\npackage acme.orders;\nimport \"common/money.proto\";\nmessage OrderPlaced {\n}\n";
        assert_eq!(
            subject_name(DEFAULT_NAMING, "orders/placed.proto", text),
            "acme.orders.OrderPlaced-value"
        );
        assert_eq!(
            subject_name("{file}|{path}", "orders/placed.proto", text),
            "placed|orders/placed.proto"
        );
        // No package: the leading dot goes.
        assert_eq!(
            subject_name(DEFAULT_NAMING, "x.proto", "message M {}"),
            "M-value"
        );
        assert_eq!(imports(text), ["common/money.proto"]);
    }
}
