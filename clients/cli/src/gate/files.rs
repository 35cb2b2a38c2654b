//! Reading schema files offline: the format from the extension, and the
//! neighbouring files a schema imports (`.proto` imports, JSON `$ref`s).

use std::path::{Path, PathBuf};

use herald_core::{
    ParseLimits, ParsedSchema, ReferencedSchema, SchemaType, names_defined, names_referenced,
};

use super::CliError;
use herald_core::project::type_of;

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))
}

/// The format of `path`: `given`, else its extension's.
pub fn schema_type(path: &Path, given: Option<SchemaType>) -> Result<SchemaType, CliError> {
    given.or_else(|| type_of(path)).ok_or_else(|| {
        CliError::Usage(format!(
            "cannot tell the type of {} from its extension (.avsc, .proto, .json); pass --type",
            path.display()
        ))
    })
}

/// Parses `text` (the content of `path`) with the files it imports, found
/// next to it.
pub fn parse(
    path: &Path,
    schema_type: SchemaType,
    text: &str,
    given: &[(String, PathBuf)],
) -> Result<ParsedSchema, CliError> {
    let references = local_references(path, schema_type, text, given)?;
    ParsedSchema::parse(schema_type, text, &references, ParseLimits::default())
        .map_err(|e| CliError::Invalid(format!("{}: {e}", path.display())))
}

/// The files `text` imports, transitively: the file `given` for a name
/// (`--ref NAME=FILE`), else resolved against `path`'s directory and its
/// ancestors (the include roots a `.proto` import may be relative to), or
/// for an Avro named type the file of the directory defining it. Imports
/// that are not files (well-known types, URLs) are left to the parser.
pub fn local_references(
    path: &Path,
    schema_type: SchemaType,
    text: &str,
    given: &[(String, PathBuf)],
) -> Result<Vec<ReferencedSchema>, CliError> {
    let mut found: Vec<ReferencedSchema> = Vec::new();
    let mut pending: Vec<(PathBuf, String)> = vec![(path.to_path_buf(), text.to_owned())];
    while let Some((from, text)) = pending.pop() {
        for name in names_referenced(schema_type, &text) {
            if found.iter().any(|r| r.name == name) {
                continue;
            }
            let named = given.iter().find(|(given, _)| *given == name);
            let Some(file) = named
                .map(|(_, file)| file.clone())
                .or_else(|| resolve(&from, &name))
                .or_else(|| defining(&from, schema_type, &name))
            else {
                continue;
            };
            let text = read(&file)?;
            pending.push((file, text.clone()));
            found.push(ReferencedSchema {
                name,
                schema_type,
                text,
            });
        }
    }
    Ok(found)
}

/// The other `.avsc` file of `from`'s directory that defines the Avro
/// named type `name` (a reference between files works without a
/// registry, as proto imports and JSON `$ref`s do).
fn defining(from: &Path, schema_type: SchemaType, name: &str) -> Option<PathBuf> {
    if schema_type != SchemaType::Avro {
        return None;
    }
    let dir = from
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "avsc") && path != from)
        .collect();
    candidates.sort();
    candidates.into_iter().find(|path| {
        std::fs::read_to_string(path)
            .is_ok_and(|text| names_defined(schema_type, &text).iter().any(|n| n == name))
    })
}

/// `name` relative to `from`'s directory or one of its ancestors.
fn resolve(from: &Path, name: &str) -> Option<PathBuf> {
    let mut dir = from.parent();
    while let Some(current) = dir {
        let candidate = current.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = current.parent();
    }
    None
}
