//! Reading pages: subjects, a subject, a version or schema id, the raw
//! schema, and the Rust code preview.

use crate::access::layer::Caller;
use crate::service::Visibility;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use herald_core::{CompatibilityLevel, SchemaType};
use serde::Deserialize;

use super::extract::PageQuery;
use super::highlight::highlight;
use super::pages::{
    CodePage, Link, ReferenceLink, SchemaPage, SubjectPage, SubjectQuery, SubjectRow, SubjectsPage,
    VersionNav, VersionRow, choices,
};
use super::{
    State, context_query, csrf, dates, encode, error_page, failure, readable, render, schema_link,
    subject_link, version_link,
};
use crate::model::Schema;
use crate::model::SummaryFilter;
use crate::service::{ServiceError, SubjectVersion};

/// Subjects per page.
const PAGE_SIZE: i64 = 50;

const TYPES: [&str; 3] = ["AVRO", "PROTOBUF", "JSON"];
const LEVELS: [&str; 7] = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SubjectsQuery {
    q: String,
    #[serde(rename = "type")]
    schema_type: String,
    context: String,
    deleted: String,
    page: Option<i64>,
}

impl SubjectsQuery {
    /// This query's link to another page.
    fn link(&self, page: i64) -> String {
        let mut query = vec![("page", page.to_string())];
        for (key, value) in [
            ("q", &self.q),
            ("type", &self.schema_type),
            ("context", &self.context),
            ("deleted", &self.deleted),
        ] {
            if !value.is_empty() {
                query.push((key, value.clone()));
            }
        }
        let pairs: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("/ui/?{}", pairs.join("&"))
    }
}

pub(super) async fn subjects(
    state: State,
    caller: Caller,
    PageQuery(query): PageQuery<SubjectsQuery>,
) -> Response {
    let page = query.page.unwrap_or(1).max(1);
    let none_if_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let (schema_type, context) = (
        none_if_empty(&query.schema_type),
        none_if_empty(&query.context),
    );
    let filter = SummaryFilter {
        search: &query.q,
        schema_type: schema_type.as_deref(),
        context: context.as_deref(),
        include_deleted: query.deleted == "on",
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let (rows, more) = match state.0.subject_page(&filter).await {
        Ok(found) => found,
        Err(error) => return error_page(error),
    };
    let contexts = state.0.contexts().await.unwrap_or_default();
    // Only what the caller may read (a page may then show fewer rows).
    let rows = rows
        .into_iter()
        .filter(|row| caller.shows(&row.summary.name))
        .map(|row| {
            let (changed, changed_short) = dates(row.summary.changed_at);
            SubjectRow {
                link: subject_link(&row.summary.name),
                schema_type: row
                    .summary
                    .schema_type
                    .unwrap_or(SchemaType::Avro)
                    .as_str()
                    .to_owned(),
                latest: row
                    .summary
                    .latest
                    .map_or_else(|| "—".to_owned(), |v| v.to_string()),
                versions: row.summary.live_versions.to_string(),
                level: row.level.to_string(),
                inherited: row.inherited,
                deleted: row.summary.live_versions == 0,
                name: row.summary.name,
                changed,
                changed_short,
            }
        })
        .collect();
    render(&SubjectsPage {
        signed_in: caller.signed_in().unwrap_or_default().to_owned(),
        audit_link: caller.audits(),
        types: choices(TYPES, &query.schema_type),
        contexts: choices(contexts.iter().map(String::as_str), &query.context),
        rows,
        page,
        previous: (page > 1).then(|| query.link(page - 1)),
        next: more.then(|| query.link(page + 1)),
        query: SubjectQuery {
            deleted: query.deleted == "on",
            q: query.q,
        },
    })
}

pub(super) async fn subject(
    state: State,
    caller: Caller,
    Path(subject): Path<String>,
    headers: HeaderMap,
) -> Response {
    let registry = &state.0;
    let versions = match registry.dated_versions(&subject).await {
        Ok(versions) => versions,
        Err(error) => return error_page(error),
    };
    let own_level = registry
        .config(Some(&subject), false)
        .await
        .ok()
        .and_then(|c| c.compatibility);
    let effective = registry.config(Some(&subject), true).await.ok();
    let level = effective
        .as_ref()
        .and_then(|c| c.compatibility.clone())
        .unwrap_or_else(|| CompatibilityLevel::Backward.to_string());
    let policy = effective.and_then(|c| c.compatibility_policy);
    let mode = registry.mode(Some(&subject), true).await.ok();
    let read_only = mode.is_some_and(|mode| mode.is_read_only());
    let mode = mode.map(|m| m.as_str().to_owned()).unwrap_or_default();
    let latest = versions
        .iter()
        .rev()
        .find(|v| !v.deleted)
        .map(|v| v.version);
    let (references, referrers) = match latest {
        Some(latest) => {
            let references = match registry.version(&subject, &latest.to_string(), false).await {
                Ok(found) => reference_links(&found.schema),
                Err(_) => Vec::new(),
            };
            let referrers = registry
                .referrers(&subject, latest)
                .await
                .unwrap_or_default()
                .into_iter()
                .flat_map(|r| {
                    let id = r.id;
                    r.usages.into_iter().map(move |(s, v)| Link {
                        label: format!("{s} version {v} (schema {id})"),
                        link: version_link(&s, v),
                    })
                })
                .collect();
            (references, referrers)
        }
        None => (Vec::new(), Vec::new()),
    };
    let referenced = registry
        .referenced_versions(&subject)
        .await
        .unwrap_or_default();
    let token = csrf::token(&headers);
    let mut previous_live: Option<i32> = None;
    let rows = versions
        .iter()
        .map(|v| {
            let undeletable = if read_only {
                Some("read-only subject")
            } else if referenced.contains(&v.version) {
                Some("referenced: cannot be deleted")
            } else {
                None
            };
            let (created, created_short) = dates(v.created_at);
            let diff = (!v.deleted).then_some(previous_live).flatten().map(|from| {
                format!(
                    "{}/diff?from={from}&to={}",
                    subject_link(&subject),
                    v.version
                )
            });
            if !v.deleted {
                previous_live = Some(v.version);
            }
            VersionRow {
                version: v.version,
                link: version_link(&subject, v.version),
                schema_id: v.schema_id,
                schema_link: schema_link(v.schema_id, &subject),
                created,
                created_short,
                deleted: v.deleted,
                diff_from_previous: diff,
                delete_action: format!("{}/delete", version_link(&subject, v.version)),
                undeletable,
            }
        })
        .collect();
    let level_for_choice = level.clone();
    let page = SubjectPage {
        signed_in: caller.signed_in().unwrap_or_default().to_owned(),
        admin: caller.administers(&subject),
        name_encoded: encode(&subject),
        config_action: format!("{}/config", subject_link(&subject)),
        diff_action: format!("{}/diff", subject_link(&subject)),
        name: subject,
        level,
        level_inherited: own_level.is_none(),
        mode,
        policy,
        versions: rows,
        live_versions: versions
            .iter()
            .filter(|v| !v.deleted)
            .map(|v| v.version)
            .collect(),
        references,
        referrers,
        csrf: token.form.clone(),
        levels: choices(LEVELS, &level_for_choice),
    };
    csrf::remember(render(&page), &token)
}

fn reference_links(schema: &Schema) -> Vec<ReferenceLink> {
    schema
        .references
        .iter()
        .map(|r| ReferenceLink {
            name: r.name.clone(),
            subject: r.subject.clone(),
            version: r.version,
            link: version_link(&r.subject, r.version),
        })
        .collect()
}

/// The schema page for `schema`, with who uses it.
/// `subject` (qualified) is the one the schema was reached through, which
/// names its context.
async fn schema_page(
    state: &State,
    schema: &Schema,
    heading: String,
    subject: &str,
    found: Option<&SubjectVersion>,
) -> Response {
    let nav = match found {
        Some(found) => Some(version_nav(state, found).await),
        None => None,
    };
    let usages = state
        .0
        .schema_usages(&schema.id.to_string(), Some(subject), false)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(subject, version)| Link {
            label: format!("{subject} version {version}"),
            link: version_link(&subject, version),
        })
        .collect();
    render(&SchemaPage {
        heading,
        id: schema.id,
        guid: schema.guid.clone(),
        schema_type: schema.schema_type.as_str().to_owned(),
        state: found.map(|f| {
            if f.deleted {
                "soft-deleted".to_owned()
            } else {
                "live".to_owned()
            }
        }),
        references: reference_links(schema),
        usages,
        raw_link: format!("/ui/schemas/{}/raw{}", schema.id, context_query(subject)),
        nav,
        code_link: found.map(|f| format!("{}/code", version_link(&f.subject, f.version))),
        warnings: state.0.schema_warnings(schema).await.unwrap_or_default(),
        highlighted: highlight(
            &readable(schema.schema_type, &schema.text),
            schema.schema_type == SchemaType::Protobuf,
        ),
    })
}

/// The links around version `found`.
async fn version_nav(state: &State, found: &SubjectVersion) -> VersionNav {
    let versions = state
        .0
        .versions(&found.subject, true)
        .await
        .unwrap_or_default();
    let link = |version: &i32| Link {
        label: format!("version {version}"),
        link: version_link(&found.subject, *version),
    };
    VersionNav {
        subject: Link {
            label: found.subject.clone(),
            link: subject_link(&found.subject),
        },
        previous: versions
            .iter()
            .rev()
            .find(|v| **v < found.version)
            .map(link),
        next: versions.iter().find(|v| **v > found.version).map(link),
    }
}

pub(super) async fn version(
    state: State,
    Path((subject, version)): Path<(String, String)>,
) -> Response {
    match state.0.version(&subject, &version, true).await {
        Ok(found) => {
            let heading = format!("{} version {}", found.subject, found.version);
            let schema = found.schema.clone();
            schema_page(&state, &schema, heading, &found.subject, Some(&found)).await
        }
        Err(error) => error_page(error),
    }
}

/// `?subject=`: the subject whose context the schema id is read in.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(super) struct SchemaQuery {
    subject: String,
}

impl SchemaQuery {
    /// Schema `id` in the context of the asked subject.
    async fn read(&self, state: &State, id: &str) -> Result<std::sync::Arc<Schema>, ServiceError> {
        state.0.schema_by_id(id, Some(&self.subject)).await
    }
}

pub(super) async fn schema(
    state: State,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<SchemaQuery>,
) -> Response {
    match query.read(&state, &id).await {
        Ok(schema) => {
            let heading = format!("Schema {id}");
            schema_page(&state, &schema, heading, &query.subject, None).await
        }
        Err(error) => error_page(error),
    }
}

pub(super) async fn raw(
    state: State,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<SchemaQuery>,
) -> Response {
    match query.read(&state, &id).await {
        Ok(schema) => {
            let extension = match schema.schema_type {
                SchemaType::Protobuf => "proto",
                SchemaType::Json => "json",
                SchemaType::Avro => "avsc",
            };
            let disposition = format!("attachment; filename=\"schema-{id}.{extension}\"");
            (
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                schema.text.clone(),
            )
                .into_response()
        }
        Err(error) => error_page(error),
    }
}

pub(super) async fn code(
    state: State,
    Path((subject, version)): Path<(String, String)>,
) -> Response {
    let found = match state.0.version(&subject, &version, true).await {
        Ok(found) => found,
        Err(error) => return error_page(error),
    };
    let references = match state.0.referenced_texts(&found.schema).await {
        Ok(references) => references,
        Err(error) => return error_page(error),
    };
    let (schema_type, text, name) = (
        found.schema.schema_type,
        found.schema.text.clone(),
        found.subject.clone(),
    );
    let generated = tokio::task::spawn_blocking(move || {
        herald_generator::preview(schema_type.as_str(), &name, &text, &references)
    })
    .await;
    match generated {
        Ok(Ok(code)) => render(&CodePage {
            back: version_link(&found.subject, found.version),
            subject: found.subject,
            version: found.version,
            code,
        }),
        Ok(Err(error)) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "No code for this schema",
            &error.to_string(),
        ),
        Err(error) => failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Code generation failed",
            &error.to_string(),
        ),
    }
}
