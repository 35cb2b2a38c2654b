//! The JSON Schema drafts, read from `$schema`.

use serde_json::Value;

use crate::SchemaError;

/// A JSON Schema draft, ordered oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Draft {
    /// Draft 4.
    Draft4,
    /// Draft 6.
    Draft6,
    /// Draft 7 (the default without `$schema`).
    Draft7,
    /// Draft 2019-09.
    Draft201909,
    /// Draft 2020-12.
    Draft202012,
}

/// The meta-schema URIs of each draft (`http`/`https` and a trailing `#`
/// are accepted either way).
const URIS: &[(&str, Draft)] = &[
    ("json-schema.org/draft-04/schema", Draft::Draft4),
    ("json-schema.org/draft-06/schema", Draft::Draft6),
    ("json-schema.org/draft-07/schema", Draft::Draft7),
    ("json-schema.org/draft/2019-09/schema", Draft::Draft201909),
    ("json-schema.org/draft/2020-12/schema", Draft::Draft202012),
];

impl Draft {
    /// The draft `$schema` names; draft 7 when there is none.
    pub fn of(schema: &Value) -> Result<Draft, SchemaError> {
        let Some(declared) = schema.get("$schema") else {
            return Ok(Draft::Draft7);
        };
        let uri = declared
            .as_str()
            .ok_or_else(|| SchemaError::Invalid("$schema must be a string".to_owned()))?;
        let bare = uri
            .trim_end_matches('#')
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        URIS.iter()
            .find(|(known, _)| *known == bare)
            .map(|(_, draft)| *draft)
            .ok_or_else(|| {
                SchemaError::Invalid(format!(
                    "unsupported $schema '{uri}': use draft 4, 6, 7, 2019-09 or 2020-12"
                ))
            })
    }

    pub(super) fn as_jsonschema(self) -> jsonschema::Draft {
        match self {
            Draft::Draft4 => jsonschema::Draft::Draft4,
            Draft::Draft6 => jsonschema::Draft::Draft6,
            Draft::Draft7 => jsonschema::Draft::Draft7,
            Draft::Draft201909 => jsonschema::Draft::Draft201909,
            Draft::Draft202012 => jsonschema::Draft::Draft202012,
        }
    }

    /// Validates `schema` against this draft's meta-schema.
    pub(super) fn check_meta_schema(self, schema: &Value) -> Result<(), SchemaError> {
        let result = match self {
            Draft::Draft4 => jsonschema::draft4::meta::validate(schema),
            Draft::Draft6 => jsonschema::draft6::meta::validate(schema),
            Draft::Draft7 => jsonschema::draft7::meta::validate(schema),
            Draft::Draft201909 => jsonschema::draft201909::meta::validate(schema),
            Draft::Draft202012 => jsonschema::draft202012::meta::validate(schema),
        };
        result.map_err(|error| {
            SchemaError::Invalid(format!(
                "{error} (at '{}' in the schema)",
                error.instance_path()
            ))
        })
    }
}
