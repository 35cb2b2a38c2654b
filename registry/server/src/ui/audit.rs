//! The audit log page (admins only, as `GET /v1/audit`).

use axum::response::Response;
use serde::Deserialize;

use super::extract::PageQuery;
use super::pages::{AuditPage, AuditRow};
use super::{State, dates, encode, error_page, render};
use crate::access::layer::Caller;
use crate::model::AuditFilter;

/// Entries per page.
const PAGE_SIZE: i64 = 50;

/// `?principal=&subject=&page=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AuditQuery {
    principal: String,
    subject: String,
    page: i64,
}

/// `GET /ui/audit`: newest first.
pub(super) async fn log(
    state: State,
    caller: Caller,
    PageQuery(query): PageQuery<AuditQuery>,
) -> Response {
    let page = query.page.max(1);
    let filter = AuditFilter {
        subject_prefix: query.subject.clone(),
        principal: (!query.principal.is_empty()).then(|| query.principal.clone()),
        action: None,
        from: 0,
        to: i64::MAX,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE + 1,
    };
    let mut entries = match state.0.audit_log(&filter).await {
        Ok(entries) => entries,
        Err(error) => return error_page(error),
    };
    let more = entries.len() > usize::try_from(PAGE_SIZE).unwrap_or(0);
    entries.truncate(usize::try_from(PAGE_SIZE).unwrap_or(0));
    let link = |page: i64| {
        format!(
            "/ui/audit?principal={}&subject={}&page={page}",
            encode(&query.principal),
            encode(&query.subject)
        )
    };
    let rows = entries
        .into_iter()
        .map(|entry| {
            let (at, at_short) = dates(entry.at);
            AuditRow {
                at,
                at_short,
                principal: entry.principal,
                address: entry.address.unwrap_or_default(),
                action: entry.action,
                subject: entry.subject,
                version: entry.version.map(|v| v.to_string()).unwrap_or_default(),
                schema_id: entry.schema_id.map(|v| v.to_string()).unwrap_or_default(),
                outcome: match entry.error_code {
                    Some(code) => format!("{} ({code})", entry.status),
                    None => entry.status.to_string(),
                },
                refused: entry.status >= 300,
            }
        })
        .collect();
    render(&AuditPage {
        signed_in: caller.signed_in().unwrap_or_default().to_owned(),
        principal: query.principal.clone(),
        subject: query.subject.clone(),
        rows,
        previous: (page > 1).then(|| link(page - 1)),
        next: more.then(|| link(page + 1)),
    })
}
