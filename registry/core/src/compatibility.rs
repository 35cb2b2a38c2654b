//! Compatibility levels and the policy that applies them to a subject's history.

use std::fmt;
use std::str::FromStr;

use crate::json::CompatibilityPolicy;
use crate::protobuf::buf::Category;
use crate::{Finding, ParsedSchema};

/// The format-specific settings a compatibility check applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckRules {
    /// How Protobuf schemas are judged.
    pub protobuf: ProtobufRules,
    /// Which JSON Schema changes count as compatible.
    pub json: CompatibilityPolicy,
}

/// Which side must be able to read the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The new schema (reader) must read data written with the old one.
    Backward,
    /// The old schema (reader) must read data written with the new one.
    Forward,
}

/// A subject's compatibility level, as the Confluent API spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompatibilityLevel {
    /// No check.
    None,
    /// New reads the latest.
    Backward,
    /// New reads every earlier version.
    BackwardTransitive,
    /// The latest reads new.
    Forward,
    /// Every earlier version reads new.
    ForwardTransitive,
    /// Backward and forward against the latest.
    Full,
    /// Backward and forward against every earlier version.
    FullTransitive,
}

/// How Protobuf schemas are judged: Confluent's diff (the default, so a
/// migration from Confluent changes no verdict), or one of buf's rule
/// categories, whose findings carry buf's rule IDs and line:col.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProtobufRules {
    /// Confluent's protobuf diff.
    #[default]
    Confluent,
    /// buf's breaking rules of one category.
    Buf(Category),
}

impl ProtobufRules {
    /// The spelling of the `protobufRules` setting.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtobufRules::Confluent => "CONFLUENT",
            ProtobufRules::Buf(category) => category.as_str(),
        }
    }
}

impl FromStr for ProtobufRules {
    type Err = InvalidRules;

    /// Parses `CONFLUENT`, `FILE`, `PACKAGE`, `WIRE_JSON` or `WIRE`, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.to_ascii_uppercase();
        if upper == "CONFLUENT" {
            return Ok(ProtobufRules::Confluent);
        }
        Category::ALL
            .into_iter()
            .find(|category| category.as_str() == upper)
            .map(ProtobufRules::Buf)
            .ok_or_else(|| InvalidRules(s.to_owned()))
    }
}

/// The `protobufRules` string was none of the accepted values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "Invalid protobufRules '{0}'. Valid values are CONFLUENT, FILE, PACKAGE, WIRE_JSON and WIRE"
)]
pub struct InvalidRules(pub String);

/// The level string was none of the seven levels.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "Invalid compatibility level '{0}'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
)]
pub struct InvalidLevel(pub String);

impl CompatibilityLevel {
    /// The API spelling, e.g. `BACKWARD_TRANSITIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Whether every earlier version is checked, not just the latest.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }

    /// The earlier versions (oldest first) a new version is judged against
    /// under this level: all of them for a transitive level, else the
    /// latest only.
    pub fn compared<T>(self, earlier: &[T]) -> &[T] {
        if self.is_transitive() {
            earlier
        } else {
            &earlier[earlier.len().saturating_sub(1)..]
        }
    }

    /// The directions this level checks.
    pub fn directions(self) -> &'static [Direction] {
        match self {
            CompatibilityLevel::None => &[],
            CompatibilityLevel::Backward | CompatibilityLevel::BackwardTransitive => {
                &[Direction::Backward]
            }
            CompatibilityLevel::Forward | CompatibilityLevel::ForwardTransitive => {
                &[Direction::Forward]
            }
            CompatibilityLevel::Full | CompatibilityLevel::FullTransitive => {
                &[Direction::Backward, Direction::Forward]
            }
        }
    }

    /// Judges `new` against `previous` (oldest first) as a registration would:
    /// the latest only, or all of them for transitive levels. Returns the
    /// findings per checked index of `previous`; only incompatible ones appear.
    pub fn check(
        self,
        new: &ParsedSchema,
        previous: &[&ParsedSchema],
        rules: CheckRules,
    ) -> Vec<(usize, Vec<Finding>)> {
        let first = if self.is_transitive() {
            0
        } else {
            previous.len().saturating_sub(1)
        };
        (first..previous.len())
            .rev()
            .filter_map(|index| {
                let findings = self.check_pair(new, previous[index], rules);
                (!findings.is_empty()).then_some((index, findings))
            })
            .collect()
    }

    /// Judges `new` against one `old` schema in every direction of this level.
    pub fn check_pair(
        self,
        new: &ParsedSchema,
        old: &ParsedSchema,
        rules: CheckRules,
    ) -> Vec<Finding> {
        self.directions()
            .iter()
            .flat_map(|direction| new.compatibility_findings(old, *direction, rules))
            .collect()
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompatibilityLevel {
    type Err = InvalidLevel;

    /// Parses the API spelling, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "NONE" => CompatibilityLevel::None,
            "BACKWARD" => CompatibilityLevel::Backward,
            "BACKWARD_TRANSITIVE" => CompatibilityLevel::BackwardTransitive,
            "FORWARD" => CompatibilityLevel::Forward,
            "FORWARD_TRANSITIVE" => CompatibilityLevel::ForwardTransitive,
            "FULL" => CompatibilityLevel::Full,
            "FULL_TRANSITIVE" => CompatibilityLevel::FullTransitive,
            _ => return Err(InvalidLevel(s.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParseLimits, SchemaType};

    fn avro(text: &str) -> ParsedSchema {
        ParsedSchema::parse(SchemaType::Avro, text, &[], ParseLimits::default())
            .unwrap_or_else(|e| panic!("test schema must parse: {e}"))
    }

    fn record(fields: &str) -> ParsedSchema {
        avro(&format!(
            r#"{{"type":"record","name":"R","fields":[{fields}]}}"#
        ))
    }

    #[test]
    fn transitive_levels_compare_every_earlier_version_others_the_latest() {
        let earlier = [1, 2, 3];
        assert_eq!(
            CompatibilityLevel::BackwardTransitive.compared(&earlier),
            [1, 2, 3]
        );
        assert_eq!(
            CompatibilityLevel::FullTransitive.compared(&earlier),
            [1, 2, 3]
        );
        assert_eq!(CompatibilityLevel::Backward.compared(&earlier), [3]);
        assert_eq!(CompatibilityLevel::Forward.compared(&earlier), [3]);
        assert!(CompatibilityLevel::Full.compared::<i32>(&[]).is_empty());
    }

    #[test]
    fn levels_parse_ignoring_case_and_reject_others() {
        assert_eq!(
            "full_transitive".parse(),
            Ok(CompatibilityLevel::FullTransitive)
        );
        assert_eq!("BACKWARD".parse(), Ok(CompatibilityLevel::Backward));
        assert!("SIDEWAYS".parse::<CompatibilityLevel>().is_err());
    }

    #[test]
    fn non_transitive_checks_only_the_latest() {
        // Forward: the old schema reads the new one. v1 needs `c`, v2 only `a`.
        let v1 = record(r#"{"name":"c","type":"int"}"#);
        let v2 = record(r#"{"name":"a","type":"int"}"#);
        let new = record(r#"{"name":"a","type":"int"},{"name":"b","type":"int"}"#);
        assert!(
            CompatibilityLevel::Forward
                .check(&new, &[&v1, &v2], CheckRules::default())
                .is_empty()
        );
        let transitive =
            CompatibilityLevel::ForwardTransitive.check(&new, &[&v1, &v2], CheckRules::default());
        assert_eq!(transitive.len(), 1);
        assert_eq!(transitive[0].0, 0);
        assert!(
            CompatibilityLevel::None
                .check(&new, &[&v1], CheckRules::default())
                .is_empty()
        );
    }

    #[test]
    fn full_checks_both_directions() {
        let old = record(r#"{"name":"a","type":"int"}"#);
        let added_without_default =
            record(r#"{"name":"a","type":"int"},{"name":"b","type":"int"}"#);
        assert!(
            CompatibilityLevel::Forward
                .check_pair(&added_without_default, &old, CheckRules::default())
                .is_empty()
        );
        assert!(
            !CompatibilityLevel::Backward
                .check_pair(&added_without_default, &old, CheckRules::default())
                .is_empty()
        );
        assert!(
            !CompatibilityLevel::Full
                .check_pair(&added_without_default, &old, CheckRules::default())
                .is_empty()
        );
    }
}
