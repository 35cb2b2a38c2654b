//! One case or more per difference type: the differences found (as
//! `TYPE #/path`) and the verdict under STRICT and LENIENT.

use std::collections::HashSet;

use super::{CompatibilityPolicy, DifferenceType};
use crate::json::JsonSchema;
use crate::{Direction, ParseLimits};

use CompatibilityPolicy::{Lenient, Strict};

fn schema(text: &str) -> JsonSchema {
    JsonSchema::parse(text, &[], ParseLimits::default()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The differences from `old` to `new`, rendered and sorted.
fn differences(old: &str, new: &str, policy: CompatibilityPolicy) -> Vec<String> {
    let mut found: Vec<String> = schema(new)
        .differences(&schema(old), policy)
        .iter()
        .map(ToString::to_string)
        .collect();
    found.sort();
    found
}

fn backward_compatible(old: &str, new: &str, policy: CompatibilityPolicy) -> bool {
    schema(new)
        .compatibility_findings(&schema(old), Direction::Backward, policy)
        .is_empty()
}

/// (old, new, expected differences, compatible under STRICT, under LENIENT)
type Case = (
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    bool,
);

const CASES: &[Case] = &[
    // Annotations and the schema itself.
    (
        r#"{"$id":"urn:a","type":"string"}"#,
        r#"{"$id":"urn:b","type":"string"}"#,
        &["ID_CHANGED #/"],
        true,
        true,
    ),
    (
        r#"{"description":"a"}"#,
        r#"{"description":"b"}"#,
        &["DESCRIPTION_CHANGED #/"],
        true,
        true,
    ),
    (
        r#"{"title":"a","type":"string"}"#,
        r#"{"title":"b","type":"string"}"#,
        &["TITLE_CHANGED #/"],
        true,
        true,
    ),
    (
        r#"{"type":"string","default":"a"}"#,
        r#"{"type":"string","default":"b"}"#,
        &["DEFAULT_CHANGED #/"],
        true,
        true,
    ),
    (
        r#"{"type":"array"}"#,
        r#"{"type":"array","items":{"type":"string"}}"#,
        &["SCHEMA_ADDED #/items"],
        false,
        false,
    ),
    (
        r#"{"type":"array","items":{"type":"string"}}"#,
        r#"{"type":"array"}"#,
        &["SCHEMA_REMOVED #/items"],
        true,
        true,
    ),
    (
        r#"{"type":"integer"}"#,
        r#"{"type":"number"}"#,
        &["TYPE_EXTENDED #/"],
        true,
        true,
    ),
    (
        r#"{"type":"number"}"#,
        r#"{"type":"integer"}"#,
        &["TYPE_NARROWED #/"],
        false,
        false,
    ),
    (
        r#"{"type":"string"}"#,
        r#"{"type":"integer"}"#,
        &["TYPE_CHANGED #/"],
        false,
        false,
    ),
    (r#"{"type":"string"}"#, r#"true"#, &[], true, true),
    (r#"false"#, r#"{"type":"string"}"#, &[], true, true),
    // Strings.
    (
        r#"{"type":"string"}"#,
        r#"{"type":"string","maxLength":5}"#,
        &["MAX_LENGTH_ADDED #/maxLength"],
        false,
        false,
    ),
    (
        r#"{"type":"string","maxLength":5}"#,
        r#"{"type":"string"}"#,
        &["MAX_LENGTH_REMOVED #/maxLength"],
        true,
        true,
    ),
    (
        r#"{"type":"string","maxLength":5}"#,
        r#"{"type":"string","maxLength":6}"#,
        &["MAX_LENGTH_INCREASED #/maxLength"],
        true,
        true,
    ),
    (
        r#"{"type":"string","maxLength":5}"#,
        r#"{"type":"string","maxLength":4}"#,
        &["MAX_LENGTH_DECREASED #/maxLength"],
        false,
        false,
    ),
    (
        r#"{"type":"string"}"#,
        r#"{"type":"string","minLength":5}"#,
        &["MIN_LENGTH_ADDED #/minLength"],
        false,
        false,
    ),
    (
        r#"{"type":"string","minLength":5}"#,
        r#"{"type":"string"}"#,
        &["MIN_LENGTH_REMOVED #/minLength"],
        true,
        true,
    ),
    (
        r#"{"type":"string","minLength":5}"#,
        r#"{"type":"string","minLength":6}"#,
        &["MIN_LENGTH_INCREASED #/minLength"],
        false,
        false,
    ),
    (
        r#"{"type":"string","minLength":5}"#,
        r#"{"type":"string","minLength":4}"#,
        &["MIN_LENGTH_DECREASED #/minLength"],
        true,
        true,
    ),
    (
        r#"{"type":"string"}"#,
        r#"{"type":"string","pattern":"^a"}"#,
        &["PATTERN_ADDED #/pattern"],
        false,
        false,
    ),
    (
        r#"{"type":"string","pattern":"^a"}"#,
        r#"{"type":"string"}"#,
        &["PATTERN_REMOVED #/pattern"],
        true,
        true,
    ),
    (
        r#"{"type":"string","pattern":"^a"}"#,
        r#"{"type":"string","pattern":"^b"}"#,
        &["PATTERN_CHANGED #/pattern"],
        false,
        false,
    ),
    // Numbers.
    (
        r#"{"type":"number"}"#,
        r#"{"type":"number","maximum":5}"#,
        &["MAXIMUM_ADDED #/maximum"],
        false,
        false,
    ),
    (
        r#"{"type":"number","maximum":5}"#,
        r#"{"type":"number"}"#,
        &["MAXIMUM_REMOVED #/maximum"],
        true,
        true,
    ),
    (
        r#"{"type":"number","maximum":5}"#,
        r#"{"type":"number","maximum":6}"#,
        &["MAXIMUM_INCREASED #/maximum"],
        true,
        true,
    ),
    (
        r#"{"type":"number","maximum":5}"#,
        r#"{"type":"number","maximum":4.5}"#,
        &["MAXIMUM_DECREASED #/maximum"],
        false,
        false,
    ),
    (
        r#"{"type":"number"}"#,
        r#"{"type":"number","minimum":5}"#,
        &["MINIMUM_ADDED #/minimum"],
        false,
        false,
    ),
    (
        r#"{"type":"number","minimum":5}"#,
        r#"{"type":"number"}"#,
        &["MINIMUM_REMOVED #/minimum"],
        true,
        true,
    ),
    (
        r#"{"type":"number","minimum":5}"#,
        r#"{"type":"number","minimum":6}"#,
        &["MINIMUM_INCREASED #/minimum"],
        false,
        false,
    ),
    (
        r#"{"type":"number","minimum":5}"#,
        r#"{"type":"number","minimum":-1}"#,
        &["MINIMUM_DECREASED #/minimum"],
        true,
        true,
    ),
    (
        r#"{"type":"number"}"#,
        r#"{"type":"number","exclusiveMaximum":5}"#,
        &["EXCLUSIVE_MAXIMUM_ADDED #/exclusiveMaximum"],
        false,
        false,
    ),
    (
        r#"{"type":"number","exclusiveMaximum":5}"#,
        r#"{"type":"number"}"#,
        &["EXCLUSIVE_MAXIMUM_REMOVED #/exclusiveMaximum"],
        true,
        true,
    ),
    (
        r#"{"type":"number","exclusiveMaximum":5}"#,
        r#"{"type":"number","exclusiveMaximum":7}"#,
        &["EXCLUSIVE_MAXIMUM_INCREASED #/exclusiveMaximum"],
        true,
        true,
    ),
    (
        r#"{"type":"number","exclusiveMaximum":5}"#,
        r#"{"type":"number","exclusiveMaximum":3}"#,
        &["EXCLUSIVE_MAXIMUM_DECREASED #/exclusiveMaximum"],
        false,
        false,
    ),
    (
        r#"{"type":"number"}"#,
        r#"{"type":"number","exclusiveMinimum":5}"#,
        &["EXCLUSIVE_MINIMUM_ADDED #/exclusiveMinimum"],
        false,
        false,
    ),
    (
        r#"{"type":"number","exclusiveMinimum":5}"#,
        r#"{"type":"number"}"#,
        &["EXCLUSIVE_MINIMUM_REMOVED #/exclusiveMinimum"],
        true,
        true,
    ),
    (
        r#"{"type":"number","exclusiveMinimum":5}"#,
        r#"{"type":"number","exclusiveMinimum":7}"#,
        &["EXCLUSIVE_MINIMUM_INCREASED #/exclusiveMinimum"],
        false,
        false,
    ),
    (
        r#"{"type":"number","exclusiveMinimum":5}"#,
        r#"{"type":"number","exclusiveMinimum":3}"#,
        &["EXCLUSIVE_MINIMUM_DECREASED #/exclusiveMinimum"],
        true,
        true,
    ),
    (
        r#"{"type":"number"}"#,
        r#"{"type":"number","multipleOf":2}"#,
        &["MULTIPLE_OF_ADDED #/multipleOf"],
        false,
        false,
    ),
    (
        r#"{"type":"number","multipleOf":2}"#,
        r#"{"type":"number"}"#,
        &["MULTIPLE_OF_REMOVED #/multipleOf"],
        true,
        true,
    ),
    (
        r#"{"type":"number","multipleOf":2}"#,
        r#"{"type":"number","multipleOf":4}"#,
        &["MULTIPLE_OF_EXPANDED #/multipleOf"],
        false,
        false,
    ),
    (
        r#"{"type":"number","multipleOf":4}"#,
        r#"{"type":"number","multipleOf":0.5}"#,
        &["MULTIPLE_OF_REDUCED #/multipleOf"],
        true,
        true,
    ),
    (
        r#"{"type":"number","multipleOf":2}"#,
        r#"{"type":"number","multipleOf":3}"#,
        &["MULTIPLE_OF_CHANGED #/multipleOf"],
        false,
        false,
    ),
    // Required attributes of properties on both sides.
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
        &["REQUIRED_ATTRIBUTE_ADDED #/required/a"],
        false,
        false,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string","default":"x"}},"required":["a"]}"#,
        &[
            "DEFAULT_CHANGED #/properties/a",
            "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED #/required/a",
        ],
        true,
        true,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        &["REQUIRED_ATTRIBUTE_REMOVED #/required/a"],
        true,
        true,
    ),
    // Property counts.
    (
        r#"{"type":"object"}"#,
        r#"{"type":"object","maxProperties":3}"#,
        &["MAX_PROPERTIES_ADDED #/maxProperties"],
        false,
        false,
    ),
    (
        r#"{"type":"object","maxProperties":3}"#,
        r#"{"type":"object"}"#,
        &["MAX_PROPERTIES_REMOVED #/maxProperties"],
        true,
        true,
    ),
    (
        r#"{"type":"object","maxProperties":3}"#,
        r#"{"type":"object","maxProperties":4}"#,
        &["MAX_PROPERTIES_INCREASED #/maxProperties"],
        true,
        true,
    ),
    (
        r#"{"type":"object","maxProperties":3}"#,
        r#"{"type":"object","maxProperties":2}"#,
        &["MAX_PROPERTIES_DECREASED #/maxProperties"],
        false,
        false,
    ),
    (
        r#"{"type":"object"}"#,
        r#"{"type":"object","minProperties":3}"#,
        &["MIN_PROPERTIES_ADDED #/minProperties"],
        false,
        false,
    ),
    (
        r#"{"type":"object","minProperties":3}"#,
        r#"{"type":"object"}"#,
        &["MIN_PROPERTIES_REMOVED #/minProperties"],
        true,
        true,
    ),
    (
        r#"{"type":"object","minProperties":3}"#,
        r#"{"type":"object","minProperties":4}"#,
        &["MIN_PROPERTIES_INCREASED #/minProperties"],
        false,
        false,
    ),
    (
        r#"{"type":"object","minProperties":3}"#,
        r#"{"type":"object","minProperties":2}"#,
        &["MIN_PROPERTIES_DECREASED #/minProperties"],
        true,
        true,
    ),
    // additionalProperties.
    (
        r#"{"type":"object","additionalProperties":false}"#,
        r#"{"type":"object"}"#,
        &["ADDITIONAL_PROPERTIES_ADDED #/additionalProperties"],
        true,
        true,
    ),
    (
        r#"{"type":"object"}"#,
        r#"{"type":"object","additionalProperties":false}"#,
        &["ADDITIONAL_PROPERTIES_REMOVED #/additionalProperties"],
        false,
        true,
    ),
    (
        r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        r#"{"type":"object"}"#,
        &["ADDITIONAL_PROPERTIES_EXTENDED #/additionalProperties"],
        true,
        true,
    ),
    (
        r#"{"type":"object"}"#,
        r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        &["ADDITIONAL_PROPERTIES_NARROWED #/additionalProperties"],
        false,
        true,
    ),
    (
        r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        r#"{"type":"object","additionalProperties":{"type":"string","maxLength":3}}"#,
        &["MAX_LENGTH_ADDED #/additionalProperties/maxLength"],
        false,
        false,
    ),
    // Dependencies (draft 7 `dependencies`, 2019-09+ `dependentRequired`/`dependentSchemas`).
    (
        r#"{"type":"object"}"#,
        r#"{"type":"object","dependencies":{"a":["b"]}}"#,
        &["DEPENDENCY_ARRAY_ADDED #/dependencies/a"],
        false,
        false,
    ),
    (
        r#"{"type":"object","dependencies":{"a":["b"]}}"#,
        r#"{"type":"object"}"#,
        &["DEPENDENCY_ARRAY_REMOVED #/dependencies/a"],
        true,
        true,
    ),
    (
        r#"{"type":"object","dependencies":{"a":["b"]}}"#,
        r#"{"type":"object","dependencies":{"a":["b","c"]}}"#,
        &["DEPENDENCY_ARRAY_EXTENDED #/dependencies/a"],
        false,
        false,
    ),
    (
        r#"{"type":"object","dependencies":{"a":["b","c"]}}"#,
        r#"{"type":"object","dependencies":{"a":["c"]}}"#,
        &["DEPENDENCY_ARRAY_NARROWED #/dependencies/a"],
        true,
        true,
    ),
    (
        r#"{"type":"object","dependencies":{"a":["b"]}}"#,
        r#"{"type":"object","dependencies":{"a":["c"]}}"#,
        &["DEPENDENCY_ARRAY_CHANGED #/dependencies/a"],
        false,
        false,
    ),
    (
        r#"{"type":"object"}"#,
        r#"{"type":"object","dependencies":{"a":{"required":["b"]}}}"#,
        &["DEPENDENCY_SCHEMA_ADDED #/dependencies/a"],
        false,
        false,
    ),
    (
        r#"{"type":"object","dependencies":{"a":{"required":["b"]}}}"#,
        r#"{"type":"object"}"#,
        &["DEPENDENCY_SCHEMA_REMOVED #/dependencies/a"],
        true,
        true,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","dependentRequired":{"a":["b"]}}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","dependentRequired":{"a":["b","c"]}}"#,
        &["DEPENDENCY_ARRAY_EXTENDED #/dependencies/a"],
        false,
        false,
    ),
    // Properties added to an open content model.
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"]}"#,
        &["REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"],
        false,
        false,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string","default":"x"}},"required":["b"]}"#,
        &["REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"],
        false,
        true,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}"#,
        &["OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"],
        false,
        true,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{}}}"#,
        &["PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b"],
        true,
        true,
    ),
    // Properties added to a closed or partially open one.
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"],"additionalProperties":false}"#,
        &["REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"],
        false,
        false,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string","default":"x"}},"required":["b"],"additionalProperties":false}"#,
        &["REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"],
        true,
        true,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#,
        &["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b"],
        true,
        true,
    ),
    (
        r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        r#"{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":{"type":"string"}}"#,
        &[
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b",
            "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
        ],
        true,
        true,
    ),
    (
        r#"{"type":"object","patternProperties":{"^b":{"type":"string"}},"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"b":{"type":"integer"}},"patternProperties":{"^b":{"type":"string"}},"additionalProperties":false}"#,
        &[
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b",
            "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
            "TYPE_CHANGED #/properties/b",
        ],
        false,
        false,
    ),
    // Properties removed.
    (
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}}}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
        &["PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL #/properties/b"],
        true,
        true,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":false},"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
        &["PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b"],
        true,
        true,
    ),
    (
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false}"#,
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#,
        &["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL #/properties/b"],
        false,
        true,
    ),
    (
        r#"{"type":"object","properties":{"b":{"type":"string","maxLength":3}},"additionalProperties":{"type":"string"}}"#,
        r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        &[
            "MAX_LENGTH_REMOVED #/properties/b/maxLength",
            "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
        ],
        true,
        true,
    ),
    (
        r#"{"type":"object","properties":{"b":{"type":"integer"}},"additionalProperties":{"type":"string"}}"#,
        r#"{"type":"object","additionalProperties":{"type":"string"}}"#,
        &[
            "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/b",
            "TYPE_CHANGED #/properties/b",
        ],
        false,
        false,
    ),
    // unevaluatedProperties (2019-09 and later).
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","unevaluatedProperties":false}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}"#,
        &["UNEVALUATED_PROPERTIES_ADDED #/unevaluatedProperties"],
        true,
        true,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","unevaluatedProperties":false}"#,
        &["UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties"],
        false,
        true,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","unevaluatedProperties":{"type":"string"}}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}"#,
        &["UNEVALUATED_PROPERTIES_EXTENDED #/unevaluatedProperties"],
        true,
        true,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","unevaluatedProperties":{"type":"string"}}"#,
        &["UNEVALUATED_PROPERTIES_NARROWED #/unevaluatedProperties"],
        false,
        true,
    ),
    // Item counts, contains counts, uniqueness.
    (
        r#"{"type":"array"}"#,
        r#"{"type":"array","maxItems":3}"#,
        &["MAX_ITEMS_ADDED #/maxItems"],
        false,
        false,
    ),
    (
        r#"{"type":"array","maxItems":3}"#,
        r#"{"type":"array"}"#,
        &["MAX_ITEMS_REMOVED #/maxItems"],
        true,
        true,
    ),
    (
        r#"{"type":"array","maxItems":3}"#,
        r#"{"type":"array","maxItems":4}"#,
        &["MAX_ITEMS_INCREASED #/maxItems"],
        true,
        true,
    ),
    (
        r#"{"type":"array","maxItems":3}"#,
        r#"{"type":"array","maxItems":2}"#,
        &["MAX_ITEMS_DECREASED #/maxItems"],
        false,
        false,
    ),
    (
        r#"{"type":"array"}"#,
        r#"{"type":"array","minItems":3}"#,
        &["MIN_ITEMS_ADDED #/minItems"],
        false,
        false,
    ),
    (
        r#"{"type":"array","minItems":3}"#,
        r#"{"type":"array"}"#,
        &["MIN_ITEMS_REMOVED #/minItems"],
        true,
        true,
    ),
    (
        r#"{"type":"array","minItems":3}"#,
        r#"{"type":"array","minItems":4}"#,
        &["MIN_ITEMS_INCREASED #/minItems"],
        false,
        false,
    ),
    (
        r#"{"type":"array","minItems":3}"#,
        r#"{"type":"array","minItems":2}"#,
        &["MIN_ITEMS_DECREASED #/minItems"],
        true,
        true,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"}}"#,
        r#"{"type":"array","contains":{"type":"string"},"maxContains":3}"#,
        &["MAX_CONTAINS_ADDED #/maxContains"],
        false,
        false,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"},"maxContains":3}"#,
        r#"{"type":"array","contains":{"type":"string"}}"#,
        &["MAX_CONTAINS_REMOVED #/maxContains"],
        true,
        true,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"},"maxContains":3}"#,
        r#"{"type":"array","contains":{"type":"string"},"maxContains":4}"#,
        &["MAX_CONTAINS_INCREASED #/maxContains"],
        true,
        true,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"},"maxContains":3}"#,
        r#"{"type":"array","contains":{"type":"string"},"maxContains":2}"#,
        &["MAX_CONTAINS_DECREASED #/maxContains"],
        false,
        false,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"}}"#,
        r#"{"type":"array","contains":{"type":"string"},"minContains":3}"#,
        &["MIN_CONTAINS_ADDED #/minContains"],
        false,
        false,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"},"minContains":3}"#,
        r#"{"type":"array","contains":{"type":"string"}}"#,
        &["MIN_CONTAINS_REMOVED #/minContains"],
        true,
        true,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"},"minContains":3}"#,
        r#"{"type":"array","contains":{"type":"string"},"minContains":4}"#,
        &["MIN_CONTAINS_INCREASED #/minContains"],
        false,
        false,
    ),
    (
        r#"{"type":"array","contains":{"type":"string"},"minContains":3}"#,
        r#"{"type":"array","contains":{"type":"string"},"minContains":2}"#,
        &["MIN_CONTAINS_DECREASED #/minContains"],
        true,
        true,
    ),
    (
        r#"{"type":"array"}"#,
        r#"{"type":"array","uniqueItems":true}"#,
        &["UNIQUE_ITEMS_ADDED #/uniqueItems"],
        false,
        false,
    ),
    (
        r#"{"type":"array","uniqueItems":true}"#,
        r#"{"type":"array"}"#,
        &["UNIQUE_ITEMS_REMOVED #/uniqueItems"],
        true,
        true,
    ),
    // additionalItems beside tuple items.
    (
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        &["ADDITIONAL_ITEMS_ADDED #/additionalItems"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
        &["ADDITIONAL_ITEMS_REMOVED #/additionalItems"],
        false,
        false,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"string"}}"#,
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        &["ADDITIONAL_ITEMS_EXTENDED #/additionalItems"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"string"}}"#,
        &["ADDITIONAL_ITEMS_NARROWED #/additionalItems"],
        false,
        false,
    ),
    // unevaluatedItems.
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","unevaluatedItems":false}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array"}"#,
        &["UNEVALUATED_ITEMS_ADDED #/unevaluatedItems"],
        true,
        true,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array"}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","unevaluatedItems":false}"#,
        &["UNEVALUATED_ITEMS_REMOVED #/unevaluatedItems"],
        false,
        false,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","unevaluatedItems":{"type":"string"}}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array"}"#,
        &["UNEVALUATED_ITEMS_EXTENDED #/unevaluatedItems"],
        true,
        true,
    ),
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array"}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","unevaluatedItems":{"type":"string"}}"#,
        &["UNEVALUATED_ITEMS_NARROWED #/unevaluatedItems"],
        false,
        false,
    ),
    // Tuple items against the content model.
    (
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}]}"#,
        &["ITEM_ADDED_TO_OPEN_CONTENT_MODEL #/items/1"],
        false,
        false,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        r#"{"type":"array","items":[{"type":"string"},true]}"#,
        &["ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL #/items/1"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
        r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}"#,
        &["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}]}"#,
        r#"{"type":"array","items":[{"type":"string"}]}"#,
        &["ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL #/items/1"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"},false],"additionalItems":false}"#,
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
        &["ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL #/items/1"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}"#,
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":false}"#,
        &["ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL #/items/1"],
        false,
        false,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"},{"type":"integer","maximum":3}],"additionalItems":{"type":"integer"}}"#,
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"#,
        &[
            "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1",
            "MAXIMUM_REMOVED #/items/1/maximum",
        ],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"},{"type":"string"}],"additionalItems":{"type":"integer"}}"#,
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"#,
        &[
            "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1",
            "TYPE_CHANGED #/items/1",
        ],
        false,
        false,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"#,
        r#"{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":{"type":"integer"}}"#,
        &["ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1"],
        true,
        true,
    ),
    (
        r#"{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"#,
        r#"{"type":"array","items":[{"type":"string"},{"type":"boolean"}],"additionalItems":{"type":"integer"}}"#,
        &[
            "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/items/1",
            "TYPE_CHANGED #/items/1",
        ],
        false,
        false,
    ),
    // 2020-12 prefixItems and items.
    (
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","prefixItems":[{"type":"string"}],"items":false}"#,
        r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false}"#,
        &["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL #/items/1"],
        true,
        true,
    ),
    // Enums and consts.
    (
        r#"{"enum":["a","b"]}"#,
        r#"{"enum":["b","a","c"]}"#,
        &["ENUM_ARRAY_EXTENDED #/enum"],
        true,
        true,
    ),
    (
        r#"{"enum":["a","b"]}"#,
        r#"{"enum":["a"]}"#,
        &["ENUM_ARRAY_NARROWED #/enum"],
        false,
        false,
    ),
    (
        r#"{"enum":["a","b"]}"#,
        r#"{"enum":["a","c"]}"#,
        &["ENUM_ARRAY_CHANGED #/enum"],
        false,
        false,
    ),
    (
        r#"{"const":"a"}"#,
        r#"{"const":"b"}"#,
        &["ENUM_ARRAY_CHANGED #/const"],
        false,
        false,
    ),
    // Combined types.
    (
        r#"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#,
        r#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
        &["COMBINED_TYPE_EXTENDED #/"],
        true,
        true,
    ),
    (
        r#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
        r#"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#,
        &["COMBINED_TYPE_CHANGED #/"],
        false,
        false,
    ),
    (
        r#"{"allOf":[{"type":"string"}]}"#,
        r#"{"allOf":[{"type":"string"},{"maxLength":3}]}"#,
        &["PRODUCT_TYPE_EXTENDED #/"],
        false,
        false,
    ),
    (
        r#"{"allOf":[{"type":"string"},{"maxLength":3}]}"#,
        r#"{"allOf":[{"type":"string"}]}"#,
        &["PRODUCT_TYPE_NARROWED #/"],
        true,
        true,
    ),
    (
        r#"{"oneOf":[{"type":"string"}]}"#,
        r#"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#,
        &["SUM_TYPE_EXTENDED #/"],
        true,
        true,
    ),
    (
        r#"{"oneOf":[{"type":"string"},{"type":"integer"}]}"#,
        r#"{"oneOf":[{"type":"string"}]}"#,
        &["SUM_TYPE_NARROWED #/"],
        false,
        false,
    ),
    (
        r#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
        r#"{"anyOf":[{"type":"boolean"},{"type":"null"}]}"#,
        &["COMBINED_TYPE_SUBSCHEMAS_CHANGED #/"],
        false,
        false,
    ),
    (
        r#"{"anyOf":[{"type":"string","maxLength":3},{"type":"integer"}]}"#,
        r#"{"anyOf":[{"type":"integer"},{"type":"string"}]}"#,
        &["MAX_LENGTH_REMOVED #/anyOf/0/maxLength"],
        true,
        true,
    ),
    (
        r#"{"type":"string"}"#,
        r#"{"type":["string","null"]}"#,
        &["SUM_TYPE_EXTENDED #/"],
        true,
        true,
    ),
    (
        r#"{"type":["string","null"]}"#,
        r#"{"type":"string"}"#,
        &["TYPE_CHANGED #/"],
        false,
        false,
    ),
    (
        r#"{"allOf":[{"type":"string"},{"maxLength":3}]}"#,
        r#"{"type":"string"}"#,
        &["PRODUCT_TYPE_NARROWED #/"],
        true,
        true,
    ),
    // not.
    (
        r#"{"not":{"type":"string"}}"#,
        r#"{"not":{"type":"string","maxLength":5}}"#,
        &["NOT_TYPE_NARROWED #/not"],
        true,
        true,
    ),
    (
        r#"{"not":{"type":"string","maxLength":5}}"#,
        r#"{"not":{"type":"string"}}"#,
        &["NOT_TYPE_EXTENDED #/not"],
        false,
        false,
    ),
];

#[test]
fn every_case_finds_its_differences_and_verdicts() {
    for (old, new, expected, strict, lenient) in CASES {
        let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(differences(old, new, Strict), expected, "{old} -> {new}");
        assert_eq!(
            backward_compatible(old, new, Strict),
            *strict,
            "STRICT {old} -> {new}"
        );
        assert_eq!(
            backward_compatible(old, new, Lenient),
            *lenient,
            "LENIENT {old} -> {new}"
        );
    }
}

#[test]
fn every_difference_type_has_a_case() {
    let covered: HashSet<&str> = CASES
        .iter()
        .flat_map(|(_, _, expected, _, _)| expected.iter())
        .filter_map(|rendered| rendered.split(' ').next())
        .chain(RESERVED_TYPES.iter().copied())
        .collect();
    let missing: Vec<&str> = DifferenceType::ALL
        .iter()
        .map(|kind| kind.as_str())
        .filter(|name| !covered.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "difference types without a case: {missing:?}"
    );
}

/// Reserved-property differences come from schema metadata, tested apart.
const RESERVED_TYPES: &[&str] = &[
    "RESERVED_PROPERTY_REMOVED",
    "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
];

#[test]
fn reserved_properties_may_not_be_dropped_or_used() {
    let old = schema(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#)
        .with_reserved_properties("x, y");
    let keeps = schema(r#"{"type":"object","properties":{"a":{"type":"string"}}}"#)
        .with_reserved_properties("y,x,z");
    assert!(
        keeps
            .compatibility_findings(&old, Direction::Backward, Strict)
            .is_empty()
    );
    let drops_and_uses = schema(r#"{"type":"object","properties":{"a":{"type":"string"},"z":{}}}"#)
        .with_reserved_properties("y,z");
    let findings: Vec<String> = drops_and_uses
        .compatibility_findings(&old, Direction::Backward, Lenient)
        .iter()
        .map(|f| f.detail.clone())
        .collect();
    assert_eq!(
        findings,
        vec![
            "RESERVED_PROPERTY_REMOVED #/x",
            "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY #/properties/z"
        ]
    );
}

#[test]
fn findings_carry_message_and_line_in_the_new_schema() {
    let old = schema(r#"{"type":"object","properties":{"age":{"type":"integer"}}}"#);
    let new = schema(
        "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"age\": {\"type\": \"string\"}\n  }\n}",
    );
    let findings = new.compatibility_findings(&old, Direction::Backward, Strict);
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(finding.rule, "TYPE_CHANGED");
    assert_eq!(finding.path, "#/properties/age");
    assert_eq!(
        finding.message,
        "A type at path '#/properties/age' is different between the new schema and the old schema"
    );
    let location = finding.location.expect("a location in the new text");
    assert_eq!((location.line, location.column), (4, 12));
}

#[test]
fn forward_runs_the_diff_the_other_way() {
    let old =
        r#"{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}"#;
    let new = r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"],"additionalProperties":false}"#;
    let (old, new) = (schema(old), schema(new));
    let backward = new.compatibility_findings(&old, Direction::Backward, Strict);
    assert_eq!(
        backward[0].rule,
        "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    );
    // Old readers ignore nothing they do not know: b is simply gone for them.
    let forward = new.compatibility_findings(&old, Direction::Forward, Strict);
    assert_eq!(
        forward.iter().map(|f| f.rule).collect::<Vec<_>>(),
        vec!["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"]
    );
    assert!(
        forward[0]
            .message
            .contains("The old schema has a closed content model")
    );
}

#[test]
fn recursive_schemas_terminate_and_see_deep_changes() {
    let tree = |leaf: &str| {
        format!(
            r##"{{"$ref":"#/definitions/node","definitions":{{"node":{{"type":"object","properties":{{"value":{leaf},"children":{{"type":"array","items":{{"$ref":"#/definitions/node"}}}}}}}}}}}}"##
        )
    };
    let old = tree(r#"{"type":"integer"}"#);
    let same = differences(&old, &old, Strict);
    assert!(same.is_empty(), "{same:?}");
    let widened = differences(&old, &tree(r#"{"type":"number"}"#), Strict);
    assert_eq!(widened, vec!["TYPE_EXTENDED #/properties/value"]);
    let changed = differences(&old, &tree(r#"{"type":"string"}"#), Strict);
    assert_eq!(changed, vec!["TYPE_CHANGED #/properties/value"]);
}

#[test]
fn references_to_other_documents_are_compared_by_content() {
    let parse = |money: &str| {
        let reference = crate::ReferencedSchema {
            name: "money.json".to_owned(),
            schema_type: crate::SchemaType::Json,
            text: money.to_owned(),
        };
        JsonSchema::parse(
            r#"{"type":"object","properties":{"price":{"$ref":"money.json"}}}"#,
            &[reference],
            ParseLimits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let old = parse(
        r#"{"type":"object","properties":{"cents":{"type":"integer"}},"additionalProperties":false}"#,
    );
    let new = parse(
        r#"{"type":"object","properties":{"cents":{"type":"integer"}},"required":["cents"],"additionalProperties":false}"#,
    );
    let rendered: Vec<String> = new
        .differences(&old, Strict)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        rendered,
        vec!["REQUIRED_ATTRIBUTE_ADDED #/properties/price/required/cents"]
    );
}
