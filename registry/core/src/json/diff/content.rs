//! What objects and arrays share: a content model that is open, closed or
//! partially open, and the keywords that change it (`additionalProperties`,
//! `additionalItems`, `unevaluatedProperties`, `unevaluatedItems`).

use super::{At, Differ, DifferenceType, Diffs};
use crate::json::model::{Additional, Kind, NodeId};

/// The four difference types of one content-model keyword.
pub(super) struct ContentKeyword {
    pub(super) added: DifferenceType,
    pub(super) removed: DifferenceType,
    pub(super) extended: DifferenceType,
    pub(super) narrowed: DifferenceType,
}

impl Differ<'_> {
    /// Differences of an `additional*` keyword, relative to it.
    pub(super) fn additional(
        &mut self,
        original: At,
        (permitted, before): Additional,
        update: At,
        (permits, after): Additional,
        keyword: ContentKeyword,
    ) -> Diffs {
        let mut diffs = Diffs::default();
        match (before, after) {
            _ if permitted != permits => diffs.add(if permits {
                keyword.added
            } else {
                keyword.removed
            }),
            (None, Some(_)) => diffs.add(keyword.narrowed),
            (Some(_), None) => diffs.add(keyword.extended),
            (before, after) => {
                diffs = self.compare(
                    before.map(|id| original.to(id)),
                    after.map(|id| update.to(id)),
                )
            }
        }
        diffs
    }

    /// Differences of an `unevaluated*` keyword, relative to it.
    pub(super) fn unevaluated(
        &mut self,
        original: At,
        before: Option<NodeId>,
        update: At,
        after: Option<NodeId>,
        keyword: ContentKeyword,
    ) -> Diffs {
        let is = |differ: &Self, at: At, id: NodeId, want: fn(&Kind) -> bool| {
            want(&differ.node(at.to(id)).kind)
        };
        let is_false = |kind: &Kind| matches!(kind, Kind::False);
        let is_true = |kind: &Kind| matches!(kind, Kind::Empty);
        let kind = match (before, after) {
            (None, None) => return Diffs::default(),
            (None, Some(new)) if is(self, update, new, is_false) => keyword.removed,
            (None, Some(_)) => keyword.narrowed,
            (Some(old), None) if is(self, original, old, is_false) => keyword.added,
            (Some(_), None) => keyword.extended,
            (Some(old), Some(new)) => {
                let (old_false, new_false) = (
                    is(self, original, old, is_false),
                    is(self, update, new, is_false),
                );
                let (old_true, new_true) = (
                    is(self, original, old, is_true),
                    is(self, update, new, is_true),
                );
                if old_false && !new_false {
                    keyword.added
                } else if !old_false && new_false {
                    keyword.removed
                } else if old_true && !new_true {
                    keyword.narrowed
                } else if !old_true && new_true {
                    keyword.extended
                } else {
                    return self.compare(Some(original.to(old)), Some(update.to(new)));
                }
            }
        };
        let mut diffs = Diffs::default();
        diffs.add(kind);
        diffs
    }

    /// Fully open: the `additional*` keyword absent or `true`, and the
    /// `unevaluated*` one absent or `true`.
    pub(super) fn open_content(
        &self,
        at: At,
        (permits, schema): Additional,
        unevaluated: Option<NodeId>,
    ) -> bool {
        permits
            && schema.is_none()
            && unevaluated.is_none_or(|id| matches!(self.node(at.to(id)).kind, Kind::Empty))
    }

    /// The `unevaluated*` schema that covers extra members when the
    /// `additional*` keyword is absent and it is neither `true` nor `false`.
    pub(super) fn unevaluated_cover(
        &self,
        at: At,
        permits: bool,
        unevaluated: Option<NodeId>,
    ) -> Option<NodeId> {
        let id = unevaluated?;
        let kind = &self.node(at.to(id)).kind;
        (permits && !matches!(kind, Kind::False | Kind::Empty)).then_some(id)
    }
}
