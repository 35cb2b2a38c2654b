//! Confluent's JSON Schema difference types, the policies that decide
//! which of them are compatible, and the sentence each one reads as.

use std::fmt;
use std::str::FromStr;

macro_rules! difference_types {
    ($($name:ident),* $(,)?) => {
        /// One kind of change between two JSON Schemas, named as Confluent
        /// names it (`Difference.Type` in its JSON Schema provider).
        #[allow(non_camel_case_types, missing_docs)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum DifferenceType {
            $($name),*
        }

        impl DifferenceType {
            /// Every difference type.
            pub const ALL: &'static [DifferenceType] = &[$(DifferenceType::$name),*];

            /// The name, e.g. `TYPE_CHANGED`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(DifferenceType::$name => stringify!($name)),*
                }
            }
        }
    };
}

difference_types! {
    ID_CHANGED, DESCRIPTION_CHANGED, TITLE_CHANGED, DEFAULT_CHANGED,
    SCHEMA_ADDED, SCHEMA_REMOVED, TYPE_EXTENDED, TYPE_NARROWED, TYPE_CHANGED,
    MAX_LENGTH_ADDED, MAX_LENGTH_REMOVED, MAX_LENGTH_INCREASED, MAX_LENGTH_DECREASED,
    MIN_LENGTH_ADDED, MIN_LENGTH_REMOVED, MIN_LENGTH_INCREASED, MIN_LENGTH_DECREASED,
    PATTERN_ADDED, PATTERN_REMOVED, PATTERN_CHANGED,
    MAXIMUM_ADDED, MAXIMUM_REMOVED, MAXIMUM_INCREASED, MAXIMUM_DECREASED,
    MINIMUM_ADDED, MINIMUM_REMOVED, MINIMUM_INCREASED, MINIMUM_DECREASED,
    EXCLUSIVE_MAXIMUM_ADDED, EXCLUSIVE_MAXIMUM_REMOVED, EXCLUSIVE_MAXIMUM_INCREASED,
    EXCLUSIVE_MAXIMUM_DECREASED,
    EXCLUSIVE_MINIMUM_ADDED, EXCLUSIVE_MINIMUM_REMOVED, EXCLUSIVE_MINIMUM_INCREASED,
    EXCLUSIVE_MINIMUM_DECREASED,
    MULTIPLE_OF_ADDED, MULTIPLE_OF_REMOVED, MULTIPLE_OF_EXPANDED, MULTIPLE_OF_REDUCED,
    MULTIPLE_OF_CHANGED,
    REQUIRED_ATTRIBUTE_ADDED, REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, REQUIRED_ATTRIBUTE_REMOVED,
    MAX_PROPERTIES_ADDED, MAX_PROPERTIES_REMOVED, MAX_PROPERTIES_INCREASED,
    MAX_PROPERTIES_DECREASED,
    MIN_PROPERTIES_ADDED, MIN_PROPERTIES_REMOVED, MIN_PROPERTIES_INCREASED,
    MIN_PROPERTIES_DECREASED,
    ADDITIONAL_PROPERTIES_ADDED, ADDITIONAL_PROPERTIES_REMOVED, ADDITIONAL_PROPERTIES_EXTENDED,
    ADDITIONAL_PROPERTIES_NARROWED,
    DEPENDENCY_ARRAY_ADDED, DEPENDENCY_ARRAY_REMOVED, DEPENDENCY_ARRAY_EXTENDED,
    DEPENDENCY_ARRAY_NARROWED, DEPENDENCY_ARRAY_CHANGED,
    DEPENDENCY_SCHEMA_ADDED, DEPENDENCY_SCHEMA_REMOVED,
    REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    RESERVED_PROPERTY_REMOVED, RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY,
    UNEVALUATED_PROPERTIES_ADDED, UNEVALUATED_PROPERTIES_REMOVED,
    UNEVALUATED_PROPERTIES_EXTENDED, UNEVALUATED_PROPERTIES_NARROWED,
    MAX_ITEMS_ADDED, MAX_ITEMS_REMOVED, MAX_ITEMS_INCREASED, MAX_ITEMS_DECREASED,
    MIN_ITEMS_ADDED, MIN_ITEMS_REMOVED, MIN_ITEMS_INCREASED, MIN_ITEMS_DECREASED,
    MAX_CONTAINS_ADDED, MAX_CONTAINS_REMOVED, MAX_CONTAINS_INCREASED, MAX_CONTAINS_DECREASED,
    MIN_CONTAINS_ADDED, MIN_CONTAINS_REMOVED, MIN_CONTAINS_INCREASED, MIN_CONTAINS_DECREASED,
    UNIQUE_ITEMS_ADDED, UNIQUE_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_ADDED, ADDITIONAL_ITEMS_REMOVED, ADDITIONAL_ITEMS_EXTENDED,
    ADDITIONAL_ITEMS_NARROWED,
    UNEVALUATED_ITEMS_ADDED, UNEVALUATED_ITEMS_REMOVED, UNEVALUATED_ITEMS_EXTENDED,
    UNEVALUATED_ITEMS_NARROWED,
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL, ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ENUM_ARRAY_EXTENDED, ENUM_ARRAY_NARROWED, ENUM_ARRAY_CHANGED,
    COMBINED_TYPE_EXTENDED, COMBINED_TYPE_CHANGED,
    PRODUCT_TYPE_EXTENDED, PRODUCT_TYPE_NARROWED, SUM_TYPE_EXTENDED, SUM_TYPE_NARROWED,
    COMBINED_TYPE_SUBSCHEMAS_CHANGED,
    NOT_TYPE_EXTENDED, NOT_TYPE_NARROWED,
}

use DifferenceType::*;

/// Compatible under both policies.
const STRICT: &[DifferenceType] = &[
    ID_CHANGED,
    DESCRIPTION_CHANGED,
    TITLE_CHANGED,
    DEFAULT_CHANGED,
    SCHEMA_REMOVED,
    TYPE_EXTENDED,
    MAX_LENGTH_INCREASED,
    MAX_LENGTH_REMOVED,
    MIN_LENGTH_DECREASED,
    MIN_LENGTH_REMOVED,
    PATTERN_REMOVED,
    MAXIMUM_INCREASED,
    MAXIMUM_REMOVED,
    MINIMUM_DECREASED,
    MINIMUM_REMOVED,
    EXCLUSIVE_MAXIMUM_INCREASED,
    EXCLUSIVE_MAXIMUM_REMOVED,
    EXCLUSIVE_MINIMUM_DECREASED,
    EXCLUSIVE_MINIMUM_REMOVED,
    MULTIPLE_OF_REDUCED,
    MULTIPLE_OF_REMOVED,
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED,
    REQUIRED_ATTRIBUTE_REMOVED,
    DEPENDENCY_ARRAY_NARROWED,
    DEPENDENCY_ARRAY_REMOVED,
    DEPENDENCY_SCHEMA_REMOVED,
    MAX_PROPERTIES_INCREASED,
    MAX_PROPERTIES_REMOVED,
    MIN_PROPERTIES_DECREASED,
    MIN_PROPERTIES_REMOVED,
    ADDITIONAL_PROPERTIES_ADDED,
    ADDITIONAL_PROPERTIES_EXTENDED,
    UNEVALUATED_PROPERTIES_ADDED,
    UNEVALUATED_PROPERTIES_EXTENDED,
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    MAX_ITEMS_INCREASED,
    MAX_ITEMS_REMOVED,
    MIN_ITEMS_DECREASED,
    MIN_ITEMS_REMOVED,
    MAX_CONTAINS_INCREASED,
    MAX_CONTAINS_REMOVED,
    MIN_CONTAINS_DECREASED,
    MIN_CONTAINS_REMOVED,
    UNIQUE_ITEMS_REMOVED,
    ADDITIONAL_ITEMS_ADDED,
    ADDITIONAL_ITEMS_EXTENDED,
    UNEVALUATED_ITEMS_ADDED,
    UNEVALUATED_ITEMS_EXTENDED,
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    ENUM_ARRAY_EXTENDED,
    COMBINED_TYPE_EXTENDED,
    PRODUCT_TYPE_NARROWED,
    SUM_TYPE_EXTENDED,
    NOT_TYPE_NARROWED,
];

/// Compatible under LENIENT only: closing an open object, and adding an
/// optional property to an open one.
const LENIENT_ONLY: &[DifferenceType] = &[
    ADDITIONAL_PROPERTIES_NARROWED,
    ADDITIONAL_PROPERTIES_REMOVED,
    UNEVALUATED_PROPERTIES_NARROWED,
    UNEVALUATED_PROPERTIES_REMOVED,
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL,
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
];

/// Which JSON Schema changes count as compatible (`compatibilityPolicy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompatibilityPolicy {
    /// Confluent's verdicts exactly.
    #[default]
    Strict,
    /// STRICT plus closing an open content model and adding an optional
    /// (or defaulted) property to one.
    Lenient,
}

impl CompatibilityPolicy {
    /// The setting's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityPolicy::Strict => "STRICT",
            CompatibilityPolicy::Lenient => "LENIENT",
        }
    }

    /// Whether a change of `kind` keeps the schemas compatible.
    pub fn accepts(self, kind: DifferenceType) -> bool {
        STRICT.contains(&kind)
            || (self == CompatibilityPolicy::Lenient && LENIENT_ONLY.contains(&kind))
    }
}

impl FromStr for CompatibilityPolicy {
    type Err = InvalidPolicy;

    /// Parses `STRICT` or `LENIENT`, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "STRICT" => Ok(CompatibilityPolicy::Strict),
            "LENIENT" => Ok(CompatibilityPolicy::Lenient),
            _ => Err(InvalidPolicy(s.to_owned())),
        }
    }
}

/// The `compatibilityPolicy` string was neither STRICT nor LENIENT.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("Invalid compatibilityPolicy '{0}'. Valid values are STRICT and LENIENT")]
pub struct InvalidPolicy(pub String);

impl fmt::Display for DifferenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DifferenceType {
    /// The sentence for this change at `path`; `update` and `original`
    /// name the two schemas ("new" and "old" for a backward check).
    pub fn describe(self, path: &str, update: &str, original: &str) -> String {
        let name = self.as_str();
        let has = |part: &str| name.contains(part);
        if self == RESERVED_PROPERTY_REMOVED {
            format!(
                "The {update} schema has reserved property '{path}' removed from its metadata which is present in the {original} schema."
            )
        } else if self == RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY {
            format!(
                "The {update} schema has property at path '{path}' that conflicts with the reserved properties which is missing in the {original} schema."
            )
        } else if has("_ADDED_TO_OPEN_CONTENT_MODEL") {
            format!(
                "The {update} schema has an open content model and has a property or item at path '{path}' which is missing in the {original} schema"
            )
        } else if self == REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL {
            format!(
                "The {update} schema has an unopen content model and has a required property at path '{path}' which is missing in the {original} schema"
            )
        } else if has("_REMOVED_FROM_CLOSED_CONTENT_MODEL") {
            format!(
                "The {update} schema has a closed content model and is missing a property or item present at path '{path}' in the {original} schema"
            )
        } else if has("_REMOVED_NOT_COVERED") {
            format!(
                "A property or item is missing in the {update} schema but present at path '{path}' in the {original} schema and is not covered by its partially open content model"
            )
        } else if has("_ADDED_NOT_COVERED") {
            format!(
                "The {update} schema has a property or item at path '{path}' which is missing in the {original} schema and is not covered by its partially open content model"
            )
        } else if self == SCHEMA_ADDED {
            format!(
                "The {update} schema has a schema at path '{path}' which is missing in the {original} schema"
            )
        } else if matches!(
            self,
            TYPE_CHANGED
                | TYPE_NARROWED
                | COMBINED_TYPE_CHANGED
                | COMBINED_TYPE_SUBSCHEMAS_CHANGED
                | ENUM_ARRAY_CHANGED
        ) {
            format!(
                "A type at path '{path}' is different between the {update} schema and the {original} schema"
            )
        } else if has("_CHANGED") {
            format!(
                "The value at path '{path}' is different between the {update} and {original} schema"
            )
        } else if has("_NARROWED") {
            format!(
                "An array or combined type at path '{path}' has fewer elements in the {update} schema than the {original} schema"
            )
        } else if has("_EXTENDED") {
            format!(
                "An array or combined type at path '{path}' has more elements in the {update} schema than the {original} schema"
            )
        } else if has("_INCREASED") || self == MULTIPLE_OF_EXPANDED {
            format!(
                "The value at path '{path}' in the {update} schema is more than its value in the {original} schema"
            )
        } else if has("_DECREASED") {
            format!(
                "The value at path '{path}' in the {update} schema is less than its value in the {original} schema"
            )
        } else {
            // Keywords added (or, for additional/unevaluated, closed off).
            format!(
                "The keyword at path '{path}' in the {update} schema is not present in the {original} schema"
            )
        }
    }
}
