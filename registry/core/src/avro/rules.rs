//! The Avro schema-resolution rules, as data: an ID (Apache Avro's and
//! Confluent's name for the incompatibility), a one-line purpose, and the
//! sentence a finding prints. `{path}`, `{detail}`, `{reader}` and
//! `{writer}` in the sentence are filled in per finding ("new"/"old").

/// One resolution rule of the Avro specification.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier, e.g. `READER_FIELD_MISSING_DEFAULT_VALUE`.
    pub id: &'static str,
    /// What the rule protects, in one line.
    pub purpose: &'static str,
    /// Template of the finding's message.
    pub message: &'static str,
}

/// Named types (record, enum, fixed) must agree on their name, or the
/// reader must list the writer's full name among its aliases.
pub const NAME_MISMATCH: Rule = Rule {
    id: "NAME_MISMATCH",
    purpose: "a named type keeps its name, or the reader lists the writer's name as an alias",
    message: "The name of the schema has changed (path '{path}'); the {reader} schema needs the {writer} schema's name '{detail}' as its name or an alias",
};

/// Fixed types must keep their size.
pub const FIXED_SIZE_MISMATCH: Rule = Rule {
    id: "FIXED_SIZE_MISMATCH",
    purpose: "a fixed type keeps its size",
    message: "The size of FIXED type field at path '{path}' in the {reader} schema does not match with the {writer} schema ({detail})",
};

/// Every symbol the writer may send must be known to the reader, unless the
/// reader's enum has a default symbol.
pub const MISSING_ENUM_SYMBOLS: Rule = Rule {
    id: "MISSING_ENUM_SYMBOLS",
    purpose: "the reader knows every enum symbol the writer can send, or has an enum default",
    message: "The {reader} schema is missing enum symbols '{detail}' at path '{path}' in the {writer} schema",
};

/// A reader field absent from the writer needs a default value.
pub const READER_FIELD_MISSING_DEFAULT_VALUE: Rule = Rule {
    id: "READER_FIELD_MISSING_DEFAULT_VALUE",
    purpose: "a field the writer does not send has a default in the reader",
    message: "The field '{detail}' at path '{path}' in the {reader} schema has no default value and is missing in the {writer} schema",
};

/// The writer's type must be the reader's or promotable to it (int to
/// long/float/double, long to float/double, float to double, string and
/// bytes either way). Logical types resolve as their underlying type.
pub const TYPE_MISMATCH: Rule = Rule {
    id: "TYPE_MISMATCH",
    purpose: "the writer's type is the reader's or promotes to it",
    message: "The type (path '{path}') of a field in the {reader} schema does not match with the {writer} schema ({detail})",
};

/// Every branch the writer's union may send must be readable by a branch
/// of the reader's union (or by the reader's single type).
pub const MISSING_UNION_BRANCH: Rule = Rule {
    id: "MISSING_UNION_BRANCH",
    purpose: "every writer union branch has a reader branch that can read it",
    message: "The {reader} schema is missing a type inside a union field at path '{path}' in the {writer} schema ({detail})",
};

/// Every Avro rule, for listings and documentation.
pub const ALL: &[&Rule] = &[
    &NAME_MISMATCH,
    &FIXED_SIZE_MISMATCH,
    &MISSING_ENUM_SYMBOLS,
    &READER_FIELD_MISSING_DEFAULT_VALUE,
    &TYPE_MISMATCH,
    &MISSING_UNION_BRANCH,
];

impl Rule {
    /// Fills the message template for one finding.
    pub fn render(&self, path: &str, detail: &str, roles: (&str, &str)) -> String {
        self.message
            .replace("{path}", path)
            .replace("{detail}", detail)
            .replace("{reader}", roles.0)
            .replace("{writer}", roles.1)
    }
}
