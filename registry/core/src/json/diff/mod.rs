//! Confluent's JSON Schema compatibility diff, over the typed [`Model`].
//!
//! Comparing an original schema with its update yields typed differences at
//! JSON paths (`TYPE_CHANGED #/properties/age`); the update is compatible
//! when every difference is one the [`CompatibilityPolicy`] accepts. For a
//! backward check the original is the old schema and the update the new one.
//!
//! Recursive schemas are walked once per pair of nodes: a pair met again
//! while it is being compared is a cycle and counts as compatible, and each
//! finished pair's differences are remembered.

mod array;
mod combined;
mod content;
mod object;
mod scalar;
mod types;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

pub use types::{CompatibilityPolicy, DifferenceType, InvalidPolicy};

use super::model::{Criterion, Kind, Model, Node, NodeId};
use DifferenceType::*;

/// One change between two schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// What changed.
    pub kind: DifferenceType,
    /// Where, relative to the compared root, without the leading `#/`.
    path: String,
}

impl Difference {
    /// The JSON path Confluent prints, e.g. `#/properties/age`.
    pub fn json_path(&self) -> String {
        format!("#/{}", self.path)
    }

    /// The path's segments, e.g. `["properties", "age"]`.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }
}

impl std::fmt::Display for Difference {
    /// `TYPE #/path`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} #/{}", self.kind, self.path)
    }
}

/// Deepest the comparison descends (pairs of subschemas being compared at
/// once); deeper schemas cannot be judged and are refused.
pub const MAX_DIFF_DEPTH: usize = 256;

/// The schemas nest (through subschemas and `$ref`s) deeper than
/// [`MAX_DIFF_DEPTH`]: they were not compared to the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeepToCompare;

/// Every difference between `original` and `update`, compatible or not.
pub(crate) fn differences(
    original: &Model,
    update: &Model,
    policy: CompatibilityPolicy,
) -> Result<Vec<Difference>, TooDeepToCompare> {
    let mut differ = Differ {
        models: [original, update],
        policy,
        memo: HashMap::new(),
        in_progress: HashSet::new(),
        too_deep: false,
    };
    let root = differ.compare(
        Some(At::new(Side::Original, original.root)),
        Some(At::new(Side::Update, update.root)),
    );
    if differ.too_deep {
        return Err(TooDeepToCompare);
    }
    Ok(root.0)
}

/// Confluent's schema-metadata property listing reserved property names,
/// comma-separated.
pub const RESERVED_PROPERTIES: &str = "confluent:reserved";

/// Differences in reserved properties (metadata `confluent:reserved`): a
/// reservation the update drops, and an update root property that uses a
/// reserved name. Both are incompatible under either policy.
pub(crate) fn reserved_differences(
    original_reserved: &str,
    update_reserved: &str,
    update: &Model,
) -> Vec<Difference> {
    let names = |list: &'_ str| -> Vec<String> {
        list.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (before, after) = (names(original_reserved), names(update_reserved));
    let mut found: Vec<Difference> = before
        .iter()
        .filter(|name| !after.contains(name))
        .map(|name| Difference {
            kind: RESERVED_PROPERTY_REMOVED,
            path: name.clone(),
        })
        .collect();
    if let Kind::Object(rules) = &update.node(update.resolve(update.root)).kind {
        found.extend(
            rules
                .properties
                .iter()
                .filter(|(name, _)| after.contains(name))
                .map(|(name, _)| Difference {
                    kind: RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY,
                    path: format!("properties/{name}"),
                }),
        );
    }
    found
}

/// Differences relative to the pair being compared.
#[derive(Clone, Debug, Default)]
pub(super) struct Diffs(Vec<Difference>);

impl Diffs {
    fn of(kind: DifferenceType) -> Diffs {
        let mut diffs = Diffs::default();
        diffs.add(kind);
        diffs
    }

    /// A difference at the compared pair itself.
    fn add(&mut self, kind: DifferenceType) {
        self.0.push(Difference {
            kind,
            path: String::new(),
        });
    }

    /// A difference at `segment` below the compared pair.
    fn add_at(&mut self, segment: &str, kind: DifferenceType) {
        self.0.push(Difference {
            kind,
            path: segment.to_owned(),
        });
    }

    /// `nested`'s differences, moved below `segment`.
    fn extend_under(&mut self, segment: &str, nested: &Diffs) {
        self.0.extend(nested.0.iter().map(|difference| Difference {
            kind: difference.kind,
            path: if difference.path.is_empty() {
                segment.to_owned()
            } else {
                format!("{segment}/{}", difference.path)
            },
        }));
    }

    fn extend(&mut self, nested: Diffs) {
        self.0.extend(nested.0);
    }
}

/// Which of the two compared schemas a node belongs to. The `not` rule
/// compares in reverse, so either side can stand in either role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Original,
    Update,
}

/// A node of one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct At {
    side: Side,
    id: NodeId,
}

impl At {
    fn new(side: Side, id: NodeId) -> At {
        At { side, id }
    }

    /// Another node of the same side.
    fn to(self, id: NodeId) -> At {
        At {
            side: self.side,
            id,
        }
    }
}

pub(super) struct Differ<'m> {
    models: [&'m Model; 2],
    policy: CompatibilityPolicy,
    memo: HashMap<(At, At), Rc<Diffs>>,
    /// The pairs being compared: one per level of the recursion.
    in_progress: HashSet<(At, At)>,
    /// The recursion reached [`MAX_DIFF_DEPTH`] somewhere.
    too_deep: bool,
}

impl<'m> Differ<'m> {
    fn model(&self, at: At) -> &'m Model {
        match at.side {
            Side::Original => self.models[0],
            Side::Update => self.models[1],
        }
    }

    fn node(&self, at: At) -> &'m Node {
        self.model(at).node(at.id)
    }

    fn compatible(&self, diffs: &Diffs) -> bool {
        diffs.0.iter().all(|d| self.policy.accepts(d.kind))
    }

    /// Compares two optional subschemas (`SchemaDiff.compare`).
    fn compare(&mut self, original: Option<At>, update: Option<At>) -> Diffs {
        let (original, update) = match (original, update) {
            (None, None) => return Diffs::default(),
            (None, Some(_)) => return Diffs::of(SCHEMA_ADDED),
            (Some(_), None) => return Diffs::of(SCHEMA_REMOVED),
            (Some(original), Some(update)) => (
                original.to(self.model(original).resolve(original.id)),
                update.to(self.model(update).resolve(update.id)),
            ),
        };
        if let Some(diffs) = self.across_combined(original, update) {
            return diffs;
        }
        let (before, after) = (self.node(original), self.node(update));
        if std::mem::discriminant(&before.kind) != std::mem::discriminant(&after.kind) {
            let both_bytes = before.connect_type.as_deref() == Some("bytes")
                && after.connect_type.as_deref() == Some("bytes");
            // `false` became anything, or anything became `true`/`{}`.
            if matches!(before.kind, Kind::False) || matches!(after.kind, Kind::Empty) || both_bytes
            {
                return Diffs::default();
            }
            return Diffs::of(TYPE_CHANGED);
        }
        let key = (original, update);
        if let Some(known) = self.memo.get(&key) {
            return known.as_ref().clone();
        }
        if self.in_progress.len() >= MAX_DIFF_DEPTH {
            self.too_deep = true;
            return Diffs::default();
        }
        if !self.in_progress.insert(key) {
            return Diffs::default();
        }
        let diffs = self.same_kind(original, update);
        self.in_progress.remove(&key);
        self.memo.insert(key, Rc::new(diffs.clone()));
        diffs
    }

    /// A combined schema on one side only: a singleton union matches its
    /// member, a sum type may gain the original as one of its branches, and
    /// a product type may lose all members but one.
    fn across_combined(&mut self, original: At, update: At) -> Option<Diffs> {
        match (&self.node(original).kind, &self.node(update).kind) {
            (Kind::Combined(_, _), Kind::Combined(_, _)) => None,
            (_, Kind::Combined(criterion, members)) => {
                let widened = if members.len() == 1 {
                    None
                } else if *criterion != Criterion::All {
                    Some(SUM_TYPE_EXTENDED)
                } else {
                    return None;
                };
                members.iter().find_map(|member| {
                    let mut diffs = self.compare(Some(original), Some(update.to(*member)));
                    self.compatible(&diffs).then(|| {
                        if let Some(kind) = widened {
                            diffs.add(kind);
                        }
                        diffs
                    })
                })
            }
            (Kind::Combined(criterion, members), _) => {
                let narrowed = if members.len() == 1 {
                    None
                } else if *criterion == Criterion::All {
                    Some(PRODUCT_TYPE_NARROWED)
                } else {
                    return None;
                };
                members.iter().find_map(|member| {
                    let mut diffs = self.compare(Some(original.to(*member)), Some(update));
                    self.compatible(&diffs).then(|| {
                        if let Some(kind) = narrowed {
                            diffs.add(kind);
                        }
                        diffs
                    })
                })
            }
            _ => None,
        }
    }

    /// Two subschemas of the same kind: their annotations, then the rules
    /// of that kind.
    fn same_kind(&mut self, original: At, update: At) -> Diffs {
        let (before, after) = (self.node(original), self.node(update));
        let mut diffs = Diffs::default();
        for (changed, kind) in [
            (before.id != after.id, ID_CHANGED),
            (before.title != after.title, TITLE_CHANGED),
            (before.description != after.description, DESCRIPTION_CHANGED),
            (before.default != after.default, DEFAULT_CHANGED),
        ] {
            if changed {
                diffs.add(kind);
            }
        }
        match (&before.kind, &after.kind) {
            (Kind::String(old), Kind::String(new)) => scalar::strings(&mut diffs, old, new),
            (Kind::Number(old), Kind::Number(new)) => scalar::numbers(&mut diffs, old, new),
            (Kind::Enum(old), Kind::Enum(new)) => scalar::enums(&mut diffs, old, new),
            (Kind::Const(old), Kind::Const(new)) if old != new => {
                diffs.add_at("const", ENUM_ARRAY_CHANGED)
            }
            (Kind::Unresolved(old), Kind::Unresolved(new)) if old != new => diffs.add(TYPE_CHANGED),
            (Kind::Combined(..), Kind::Combined(..)) => {
                diffs.extend(self.combined(original, update))
            }
            (Kind::Not(old), Kind::Not(new)) => {
                // The update's `not` must exclude no more than the original's did.
                let reversed = self.compare(Some(update.to(*new)), Some(original.to(*old)));
                let kind = if self.compatible(&reversed) {
                    NOT_TYPE_NARROWED
                } else {
                    NOT_TYPE_EXTENDED
                };
                diffs.add_at("not", kind);
            }
            (Kind::Object(old), Kind::Object(new)) => {
                diffs.extend(self.objects(original, old, update, new))
            }
            (Kind::Array(old), Kind::Array(new)) => {
                diffs.extend(self.arrays(original, old, update, new))
            }
            _ => {}
        }
        diffs
    }

    /// The update's subschema that covers a member the original lacks, or
    /// the reverse: compares them and says whether the cover holds.
    fn covered(
        &mut self,
        diffs: &mut Diffs,
        segment: &str,
        original: At,
        update: At,
        verdicts: (DifferenceType, DifferenceType),
    ) {
        let nested = self.compare(Some(original), Some(update));
        let kind = if self.compatible(&nested) {
            verdicts.0
        } else {
            verdicts.1
        };
        diffs.extend_under(segment, &nested);
        diffs.add_at(segment, kind);
    }
}

/// `Some(added)`, `Some(removed)`, ... for a numeric keyword that changed.
fn bound<T: PartialOrd>(
    diffs: &mut Diffs,
    keyword: &str,
    original: Option<T>,
    update: Option<T>,
    [added, removed, increased, decreased]: [DifferenceType; 4],
) {
    let kind = match (original, update) {
        (None, Some(_)) => added,
        (Some(_), None) => removed,
        (Some(before), Some(after)) if before < after => increased,
        (Some(before), Some(after)) if before > after => decreased,
        _ => return,
    };
    diffs.add_at(keyword, kind);
}

#[cfg(test)]
mod tests;
