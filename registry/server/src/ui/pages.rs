//! The pages' templates (`ui/templates`) and the rows they show.

use askama::Template;

/// An option of a select, and whether it is selected.
pub struct Choice {
    pub value: String,
    pub selected: bool,
}

/// `values` as choices, `current` selected.
pub fn choices<'a>(values: impl IntoIterator<Item = &'a str>, current: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|value| Choice {
            selected: value == current,
            value: value.to_owned(),
        })
        .collect()
}

/// A row of the subjects page.
pub struct SubjectRow {
    pub name: String,
    pub link: String,
    pub schema_type: String,
    pub latest: String,
    pub versions: String,
    pub level: String,
    pub inherited: bool,
    pub deleted: bool,
    pub changed: String,
    pub changed_short: String,
}

/// The subjects page's current filter.
pub struct SubjectQuery {
    pub q: String,
    pub deleted: bool,
}

#[derive(Template)]
#[template(path = "subjects.html")]
pub struct SubjectsPage {
    /// Who is signed in (empty: nobody).
    pub signed_in: String,
    /// Whether to link the audit log (the caller may read it).
    pub audit_link: bool,
    pub query: SubjectQuery,
    pub types: Vec<Choice>,
    pub contexts: Vec<Choice>,
    pub rows: Vec<SubjectRow>,
    pub page: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// A version on a subject's page.
pub struct VersionRow {
    pub version: i32,
    pub link: String,
    pub schema_id: i64,
    pub schema_link: String,
    pub created: String,
    pub created_short: String,
    pub deleted: bool,
    pub diff_from_previous: Option<String>,
    pub delete_action: String,
    /// Why the server would refuse to soft-delete it (referenced, a
    /// read-only subject); `None` when it may be deleted.
    pub undeletable: Option<&'static str>,
}

/// A reference, linked.
pub struct ReferenceLink {
    pub name: String,
    pub subject: String,
    pub version: i32,
    pub link: String,
}

/// A labelled link.
pub struct Link {
    pub label: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "subject.html")]
pub struct SubjectPage {
    /// Who is signed in (empty: nobody).
    pub signed_in: String,
    pub name: String,
    pub name_encoded: String,
    pub level: String,
    pub level_inherited: bool,
    pub mode: String,
    pub policy: Option<String>,
    pub versions: Vec<VersionRow>,
    /// The live versions, which the diff form offers.
    pub live_versions: Vec<i32>,
    pub references: Vec<ReferenceLink>,
    pub referrers: Vec<Link>,
    pub admin: bool,
    pub csrf: String,
    pub levels: Vec<Choice>,
    pub config_action: String,
    pub diff_action: String,
}

#[derive(Template)]
#[template(path = "schema.html")]
pub struct SchemaPage {
    pub heading: String,
    pub id: i64,
    pub guid: String,
    pub schema_type: String,
    pub state: Option<String>,
    pub references: Vec<ReferenceLink>,
    pub usages: Vec<Link>,
    pub raw_link: String,
    pub code_link: Option<String>,
    /// What is risky but accepted in the schema (e.g. an imported Avro
    /// default that does not match its type).
    pub warnings: Vec<String>,
    /// On a version's page: its subject, and the versions before and after.
    pub nav: Option<VersionNav>,
    /// Already escaped and highlighted.
    pub highlighted: String,
}

/// Where a version's page leads: its subject, the previous and next
/// versions (soft-deleted ones included, as the subject page lists them).
pub struct VersionNav {
    pub subject: Link,
    pub previous: Option<Link>,
    pub next: Option<Link>,
}

/// A finding on the diff page, linked to its line of the new version.
pub struct DiffFinding {
    pub rule: String,
    pub path: String,
    pub message: String,
    pub line: u32,
    pub anchor: Option<String>,
}

/// One side of a row of the side-by-side diff.
#[derive(Default)]
pub struct DiffSide {
    /// `equal`, `delete`, `insert`, or `empty` (no line on this side).
    pub kind: &'static str,
    pub number: String,
    pub text: String,
}

/// A row of the side-by-side diff: the old line and the new line.
pub struct DiffLine {
    /// `equal` or `change`.
    pub kind: &'static str,
    pub old: DiffSide,
    pub new: DiffSide,
    pub anchor: Option<String>,
}

#[derive(Template)]
#[template(path = "diff.html")]
pub struct DiffPage {
    pub subject: String,
    pub subject_link: String,
    pub from: i32,
    pub to: i32,
    pub level: String,
    pub compatible: bool,
    pub findings: Vec<DiffFinding>,
    pub lines: Vec<DiffLine>,
}

/// A finding in the playground.
pub struct PlaygroundFinding {
    pub rule: String,
    pub path: String,
    pub message: String,
    pub line: Option<u32>,
}

/// The playground's verdict.
pub struct PlaygroundResult {
    pub compatible: bool,
    pub title: String,
    /// The level and the versions the verdict was judged against.
    pub judged: Option<String>,
    pub error: Option<String>,
    pub findings: Vec<PlaygroundFinding>,
}

#[derive(Template)]
#[template(path = "playground.html")]
pub struct PlaygroundPage {
    /// Who is signed in (empty: nobody).
    pub signed_in: String,
    pub csrf: String,
    pub subject: String,
    pub subjects: Vec<String>,
    pub types: Vec<Choice>,
    pub schema: String,
    /// The references, as a JSON array (editable).
    pub references: String,
    pub result: Option<PlaygroundResult>,
}

#[derive(Template)]
#[template(path = "code.html")]
pub struct CodePage {
    pub subject: String,
    pub version: i32,
    pub back: String,
    pub code: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    /// Who is signed in (empty: nobody).
    pub signed_in: String,
    /// The filters shown in the form.
    pub principal: String,
    pub subject: String,
    pub rows: Vec<AuditRow>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// An entry of the audit log page.
pub struct AuditRow {
    pub at: String,
    pub at_short: String,
    pub principal: String,
    pub address: String,
    pub action: String,
    pub subject: String,
    pub version: String,
    pub schema_id: String,
    /// The status, and the error code when refused.
    pub outcome: String,
    pub refused: bool,
}
