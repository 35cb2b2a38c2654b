//! Judging pages: the diff between two versions of a subject, with the
//! verdict and its findings linked into the diff, and the playground.

use crate::access::layer::Caller;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use herald_core::{SchemaReference, SchemaType, names_referenced};
use serde::Deserialize;
use similar::{ChangeTag, TextDiff};

use super::extract::{PageForm, PageQuery};
use super::pages::{
    DiffFinding, DiffLine, DiffPage, DiffSide, PlaygroundFinding, PlaygroundPage, PlaygroundResult,
    choices,
};
use super::{State, csrf, error_page, readable, render, subject_link};
use crate::service::{
    CompatibilityVerdict, NewSchema, RuleOverrides, ServiceError, SubjectListing,
};

#[derive(Deserialize)]
pub(super) struct DiffQuery {
    from: String,
    to: String,
}

/// The two versions side by side (a line diff of their readable forms), and
/// the newer judged against the older under the subject's level.
pub(super) async fn diff(
    state: State,
    Path(subject): Path<String>,
    PageQuery(query): PageQuery<DiffQuery>,
) -> Response {
    let registry = &state.0;
    let (old, new) = match (
        registry.version(&subject, &query.from, true).await,
        registry.version(&subject, &query.to, true).await,
    ) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(error), _) | (_, Err(error)) => return error_page(error),
    };
    let schema_type = new.schema.schema_type;
    let (before, after) = (
        readable(old.schema.schema_type, &old.schema.text),
        readable(schema_type, &new.schema.text),
    );
    // Judge the readable text, so that finding lines are lines of the diff.
    let request = NewSchema {
        schema: after.clone(),
        schema_type,
        references: new.schema.references.clone(),
        id: None,
        version: None,
        metadata: new.schema.metadata.clone(),
        rule_set: new.schema.rule_set.clone(),
    };
    let verdict = match registry
        .check_compatibility(
            &subject,
            Some(&old.version.to_string()),
            request,
            Some(false),
            RuleOverrides::default(),
        )
        .await
    {
        Ok(verdict) => verdict,
        Err(error) => return error_page(error),
    };
    let level = registry
        .config(Some(&subject), true)
        .await
        .ok()
        .and_then(|c| c.compatibility)
        .unwrap_or_default();
    let flagged: Vec<u32> = verdict
        .findings
        .iter()
        .filter_map(|f| f.finding.location.map(|l| l.line))
        .collect();
    let lines = side_by_side(&before, &after, &flagged);
    let findings = verdict
        .findings
        .iter()
        .map(|f| {
            let line = f.finding.location.map_or(0, |l| l.line);
            DiffFinding {
                rule: f.finding.rule.to_owned(),
                path: f.finding.path.clone(),
                message: f.finding.message.clone(),
                line,
                anchor: (line > 0).then(|| format!("new-{line}")),
            }
        })
        .collect();
    render(&DiffPage {
        subject_link: subject_link(&subject),
        subject,
        from: old.version,
        to: new.version,
        level,
        compatible: verdict.is_compatible,
        findings,
        lines,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PlaygroundQuery {
    subject: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PlaygroundForm {
    csrf: String,
    subject: String,
    schema_type: String,
    schema: String,
    /// A JSON array of references.
    references: String,
}

const TYPES: [&str; 3] = ["AVRO", "PROTOBUF", "JSON"];

/// Subjects listed with the playground page itself.
const FIRST_SUGGESTIONS: i64 = 100;

async fn playground_page(
    state: &State,
    caller: &Caller,
    headers: &HeaderMap,
    form: PlaygroundForm,
    result: Option<PlaygroundResult>,
) -> Response {
    let token = csrf::token(headers);
    // The first subjects; the page's script suggests the others by prefix
    // as the user types (`GET /subjects?subjectPrefix=`).
    let listing = SubjectListing {
        limit: FIRST_SUGGESTIONS,
        ..SubjectListing::default()
    };
    let subjects = state.0.subjects(&listing, caller).await.unwrap_or_default();
    let page = PlaygroundPage {
        signed_in: caller.signed_in().unwrap_or_default().to_owned(),
        csrf: token.form.clone(),
        subject: form.subject,
        subjects,
        types: choices(
            TYPES,
            if form.schema_type.is_empty() {
                "AVRO"
            } else {
                &form.schema_type
            },
        ),
        schema: form.schema,
        references: form.references,
        result,
    };
    csrf::remember(render(&page), &token)
}

pub(super) async fn playground(
    state: State,
    caller: Caller,
    headers: HeaderMap,
    PageQuery(query): PageQuery<PlaygroundQuery>,
) -> Response {
    let mut form = PlaygroundForm {
        subject: query.subject,
        ..PlaygroundForm::default()
    };
    // Start from the subject's latest schema: its type, text and references.
    if let Ok(latest) = state.0.version(&form.subject, "latest", false).await {
        form.schema_type = latest.schema.schema_type.as_str().to_owned();
        form.schema = latest.schema.text.clone();
        form.references = references_text(&latest.schema.references);
    }
    playground_page(&state, &caller, &headers, form, None).await
}

/// Judges the pasted schema as a registration would be; stores nothing.
pub(super) async fn check(
    state: State,
    caller: Caller,
    headers: HeaderMap,
    PageForm(form): PageForm<PlaygroundForm>,
) -> Response {
    let references: Result<Vec<SchemaReference>, _> = if form.references.trim().is_empty() {
        Ok(Vec::new())
    } else {
        serde_json::from_str(&form.references)
    };
    let result = match references {
        _ if !csrf::valid(&headers, &form.csrf) => refused(
            "Refused",
            "The form's token does not match this browser's: reload the page.".to_owned(),
        ),
        Err(error) => refused("Not valid references", error.to_string()),
        Ok(references) => judge_in_playground(&state, &form, references).await,
    };
    playground_page(&state, &caller, &headers, form, Some(result)).await
}

/// The verdict a registration of the form's schema, with `references`,
/// would get.
async fn judge_in_playground(
    state: &State,
    form: &PlaygroundForm,
    references: Vec<SchemaReference>,
) -> PlaygroundResult {
    let schema_type = form.schema_type.parse().unwrap_or(SchemaType::Avro);
    let given: Vec<String> = references.iter().map(|r| r.name.clone()).collect();
    let request = NewSchema {
        schema: form.schema.clone(),
        schema_type,
        references,
        id: None,
        version: None,
        metadata: None,
        rule_set: None,
    };
    match state
        .0
        .check_compatibility(&form.subject, None, request, None, RuleOverrides::default())
        .await
    {
        Ok(verdict) => PlaygroundResult {
            compatible: verdict.is_compatible,
            title: if verdict.is_compatible {
                "Compatible".to_owned()
            } else {
                "Incompatible".to_owned()
            },
            judged: Some(judged(&verdict)),
            error: None,
            findings: verdict
                .findings
                .iter()
                .map(|f| PlaygroundFinding {
                    rule: f.finding.rule.to_owned(),
                    path: f.finding.path.clone(),
                    message: f.finding.message.clone(),
                    line: f.finding.location.map(|l| l.line),
                })
                .collect(),
        },
        Err(error) => refused(
            "Not a valid schema",
            unreferenced_hint(schema_type, &form.schema, &given, error),
        ),
    }
}

/// `error`'s message, and the names `schema` refers to that the `given`
/// references do not name, when there are some: the likely cause.
fn unreferenced_hint(
    schema_type: SchemaType,
    schema: &str,
    given: &[String],
    error: ServiceError,
) -> String {
    let missing: Vec<String> = names_referenced(schema_type, schema)
        .into_iter()
        .filter(|name| !given.contains(name))
        .filter(|name| !herald_core::protobuf::is_builtin(name))
        .collect();
    if missing.is_empty() {
        error.to_string()
    } else {
        format!(
            "{error} (the schema refers to {}, which the references do not give)",
            missing.join(", ")
        )
    }
}

/// A verdict that could not be reached, and why.
fn refused(title: &str, why: String) -> PlaygroundResult {
    PlaygroundResult {
        compatible: false,
        title: title.to_owned(),
        judged: None,
        error: Some(why),
        findings: Vec::new(),
    }
}

/// What a verdict was judged against, in words.
fn judged(verdict: &CompatibilityVerdict) -> String {
    let versions: Vec<String> = verdict.judged_against.iter().map(i32::to_string).collect();
    match versions.as_slice() {
        [] => format!(
            "Judged under {}: the subject has no live version to compare with, so any valid schema is accepted.",
            verdict.level
        ),
        [one] => format!("Judged under {} against version {one}.", verdict.level),
        many => format!(
            "Judged under {} against versions {}.",
            verdict.level,
            many.join(", ")
        ),
    }
}

/// References as the playground's editable JSON text (empty for none).
fn references_text(references: &[SchemaReference]) -> String {
    if references.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(references).unwrap_or_default()
    }
}

/// The two texts as rows of a side-by-side diff: equal lines side by side,
/// removed and added lines paired up in the order they come; rows whose new
/// line carries a finding get the anchor `new-{line}`.
fn side_by_side(before: &str, after: &str, flagged: &[u32]) -> Vec<DiffLine> {
    let side = |kind: &'static str, index: Option<usize>, text: &str| DiffSide {
        kind,
        number: index.map(|i| (i + 1).to_string()).unwrap_or_default(),
        text: text.trim_end_matches('\n').to_owned(),
    };
    let empty = || DiffSide {
        kind: "empty",
        ..DiffSide::default()
    };
    let mut rows: Vec<DiffLine> = Vec::new();
    let (mut removed, mut added): (Vec<DiffSide>, Vec<DiffSide>) = (Vec::new(), Vec::new());
    let flush =
        |rows: &mut Vec<DiffLine>, removed: &mut Vec<DiffSide>, added: &mut Vec<DiffSide>| {
            let count = removed.len().max(added.len());
            let (mut old, mut new) = (removed.drain(..), added.drain(..));
            for _ in 0..count {
                let new_side = new.next().unwrap_or_else(empty);
                let anchor = new_side
                    .number
                    .parse::<u32>()
                    .ok()
                    .filter(|n| flagged.contains(n))
                    .map(|n| format!("new-{n}"));
                rows.push(DiffLine {
                    kind: "change",
                    old: old.next().unwrap_or_else(empty),
                    new: new_side,
                    anchor,
                });
            }
        };
    for change in TextDiff::from_lines(before, after).iter_all_changes() {
        match change.tag() {
            ChangeTag::Delete => removed.push(side("delete", change.old_index(), change.value())),
            ChangeTag::Insert => added.push(side("insert", change.new_index(), change.value())),
            ChangeTag::Equal => {
                flush(&mut rows, &mut removed, &mut added);
                rows.push(DiffLine {
                    kind: "equal",
                    old: side("equal", change.old_index(), change.value()),
                    new: side("equal", change.new_index(), change.value()),
                    anchor: None,
                });
            }
        }
    }
    flush(&mut rows, &mut removed, &mut added);
    rows
}
