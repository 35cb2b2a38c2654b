//! `GET /v1/audit`: the audit log (Herald's own endpoint; admins only).

use serde::Deserialize;

use super::State;
use super::body::{ApiJson, ApiQuery};
use super::error::ApiError;
use crate::model::{AuditEntry, AuditFilter};

/// Entries per page when `limit` is not given, and at most.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// `?subjectPrefix=&principal=&action=&from=&to=&offset=&limit=`; times in
/// Unix milliseconds.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// Only subjects starting with this.
    subject_prefix: String,
    /// Only this principal's entries.
    principal: Option<String>,
    /// Only this action.
    action: Option<String>,
    /// From this time (Unix ms).
    from: Option<i64>,
    /// Until this time (Unix ms).
    to: Option<i64>,
    /// Entries to skip.
    offset: i64,
    /// Entries to return (default 100, at most 1000).
    limit: i64,
}

impl AuditQuery {
    /// The filter it asks for.
    pub(super) fn filter(self) -> AuditFilter {
        AuditFilter {
            subject_prefix: self.subject_prefix,
            principal: self.principal.filter(|p| !p.is_empty()),
            action: self.action.filter(|a| !a.is_empty()),
            from: self.from.unwrap_or(0),
            to: self.to.unwrap_or(i64::MAX),
            offset: self.offset.max(0),
            limit: if self.limit > 0 {
                self.limit.min(MAX_LIMIT)
            } else {
                DEFAULT_LIMIT
            },
        }
    }
}

/// `GET /v1/audit`: newest first.
#[utoipa::path(get, path = "/v1/audit", operation_id = "list_audit_entries", tag = "audit", params(AuditQuery), responses((status = 200, description = "Audit entries, newest first", body = Vec<AuditEntry>)))]
pub(super) async fn list(
    state: State,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<ApiJson<Vec<AuditEntry>>, ApiError> {
    Ok(ApiJson(state.0.audit_log(&query.filter()).await?))
}
