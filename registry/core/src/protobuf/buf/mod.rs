//! buf's breaking-change rules (`buf breaking`), applied to a whole module
//! (a tree of `.proto` files) against its previous version.
//!
//! Each rule is data — its ID, purpose and categories (FILE, PACKAGE,
//! WIRE_JSON, WIRE) — plus one function. A finding is an [`Annotation`]
//! naming the rule, the file and the source path of the element in the
//! current tree; its [`Span`] is read from the file's source info, 1-based,
//! as buf reports it.

mod config;
mod module;
mod rules;

pub use config::{BreakingConfig, BufConfig};
pub use module::Module;
pub use rules::{Category, RULES, Rule};

/// A 1-based span `start_line:start_col-end_line:end_col` (end exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// First line, from 1.
    pub start_line: u32,
    /// First column, from 1.
    pub start_col: u32,
    /// Last line.
    pub end_line: u32,
    /// Column just past the end.
    pub end_col: u32,
}

/// One finding of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The rule's ID, e.g. `FIELD_SAME_TYPE`.
    pub rule: &'static str,
    /// The file in the current tree, when the finding has one.
    pub file: Option<String>,
    /// Where in that file, when the element has a location.
    pub span: Option<Span>,
    /// The file in the previous tree the finding relates to.
    pub against_file: Option<String>,
    /// What changed, in a sentence.
    pub message: String,
}

/// Runs `rules` on `current` against `previous`, honouring `config`'s
/// ignores. Findings come sorted by file, span and rule.
pub fn breaking(
    previous: &Module,
    current: &Module,
    rules: &[&Rule],
    config: &BreakingConfig,
) -> Vec<Annotation> {
    let mut annotations = Vec::new();
    for rule in rules {
        let mut found = Vec::new();
        (rule.check)(&rules::Pair { previous, current }, &mut found);
        annotations.extend(
            found
                .into_iter()
                .map(|finding| finding.into_annotation(rule.id, current)),
        );
    }
    annotations.retain(|annotation| !config.ignores(annotation, previous, current));
    annotations.sort_by(|a, b| (&a.file, a.span, a.rule).cmp(&(&b.file, b.span, b.rule)));
    annotations
}
