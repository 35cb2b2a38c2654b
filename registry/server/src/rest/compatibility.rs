//! `/compatibility`: would this schema be accepted?

use serde::Deserialize;

use super::State;
use super::body::{ApiBody, ApiJson, ApiPath, ApiQuery};
use super::dto::{CompatibilityResponse, SchemaRequest};
use super::error::ApiError;
use crate::service::{CompatibilityVerdict, RuleOverrides};

/// The options of a compatibility check.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct CompatibilityQuery {
    /// Say why: `messages`, `findings` and `warnings`.
    #[serde(deserialize_with = "super::query::flag")]
    verbose: bool,
    /// Compare normalized schemas (default: the subject's config).
    #[serde(deserialize_with = "super::query::optional_flag")]
    normalize: Option<bool>,
    /// Herald extension: judge Protobuf with these rules instead.
    protobuf_rules: Option<String>,
    /// Herald extension: judge JSON Schema under this policy instead.
    compatibility_policy: Option<String>,
}

impl CompatibilityQuery {
    fn overrides(&self) -> RuleOverrides {
        RuleOverrides {
            protobuf_rules: self.protobuf_rules.clone(),
            compatibility_policy: self.compatibility_policy.clone(),
        }
    }
}

fn respond(verdict: CompatibilityVerdict, verbose: bool) -> ApiJson<CompatibilityResponse> {
    let (messages, findings, warnings) = if verbose {
        (verdict.messages, verdict.findings, verdict.warnings)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    ApiJson(CompatibilityResponse {
        is_compatible: verdict.is_compatible,
        messages,
        findings,
        warnings,
    })
}

/// `POST /compatibility/subjects/{subject}/versions`: judged as a
/// registration would be (latest, or all versions for transitive levels).
#[utoipa::path(post, path = "/compatibility/subjects/{subject}/versions", tag = "compatibility", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), CompatibilityQuery), request_body = SchemaRequest, responses((status = 200, description = "The verdict", body = CompatibilityResponse)))]
pub(super) async fn against_level(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<CompatibilityQuery>,
    ApiBody(request): ApiBody<SchemaRequest>,
) -> Result<ApiJson<CompatibilityResponse>, ApiError> {
    let verdict = state
        .0
        .check_compatibility(
            &subject,
            None,
            request.into_new_schema()?,
            query.normalize,
            query.overrides(),
        )
        .await?;
    Ok(respond(verdict, query.verbose))
}

/// `POST /compatibility/subjects/{subject}/versions/{version}`.
#[utoipa::path(post, path = "/compatibility/subjects/{subject}/versions/{version}", tag = "compatibility", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("version" = String, Path, description = "A version number (from 1), `latest`, or -1 for the latest", example = "1"), CompatibilityQuery), request_body = SchemaRequest, responses((status = 200, description = "The verdict", body = CompatibilityResponse)))]
pub(super) async fn against_version(
    state: State,
    ApiPath((subject, version)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<CompatibilityQuery>,
    ApiBody(request): ApiBody<SchemaRequest>,
) -> Result<ApiJson<CompatibilityResponse>, ApiError> {
    let request = request.into_new_schema()?;
    let verdict = state
        .0
        .check_compatibility(
            &subject,
            Some(&version),
            request,
            query.normalize,
            query.overrides(),
        )
        .await?;
    Ok(respond(verdict, query.verbose))
}
