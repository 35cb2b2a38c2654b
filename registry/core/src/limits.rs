//! Limits that keep hostile or accidental input from exhausting the process.

use crate::SchemaError;

/// Bounds applied while parsing a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Deepest nesting of JSON values (objects and arrays) a schema may have.
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { max_depth: 64 }
    }
}

/// Parses `text` as JSON, refusing it when it nests deeper than `limits` allow.
pub(crate) fn parse_json(
    text: &str,
    limits: ParseLimits,
) -> Result<serde_json::Value, SchemaError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| SchemaError::Invalid(format!("not valid JSON: {e}")))?;
    if json_depth_within(&value, limits.max_depth) {
        Ok(value)
    } else {
        Err(SchemaError::TooDeep {
            limit: limits.max_depth,
        })
    }
}

/// Whether `value` nests no deeper than `max_depth` objects and arrays.
pub fn json_depth_within(value: &serde_json::Value, max_depth: usize) -> bool {
    let children: Box<dyn Iterator<Item = &serde_json::Value>> = match value {
        serde_json::Value::Array(items) => Box::new(items.iter()),
        serde_json::Value::Object(map) => Box::new(map.values()),
        _ => return true,
    };
    max_depth > 0
        && children
            .into_iter()
            .all(|child| json_depth_within(child, max_depth - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_objects_and_arrays() {
        let value: serde_json::Value =
            serde_json::from_str(r#"{"a":[{"b":1}]}"#).unwrap_or_default();
        assert!(json_depth_within(&value, 3));
        assert!(!json_depth_within(&value, 2));
        assert!(json_depth_within(&serde_json::Value::from(1), 0));
    }
}
