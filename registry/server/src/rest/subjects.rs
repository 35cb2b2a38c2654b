//! `/subjects`: listing, registration, lookup, versions and deletion.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use serde::Deserialize;

use super::body::{ApiBody, ApiJson, ApiPath, ApiQuery, RawSchema};
use super::dto::{RegisterResponse, SchemaRequest, TagSchemaRequest, VersionBody};
use super::error::ApiError;
use super::{NormalizeQuery, State};
use crate::access::layer::Caller;
use crate::service::{SubjectListing, VersionFilter, page};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct ListQuery {
    subject_prefix: Option<String>,
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    #[serde(deserialize_with = "super::query::flag")]
    deleted_only: bool,
    offset: i64,
    limit: i64,
}

/// `deleted`, `deletedOnly`, `deletedAsNegative`, `offset`, `limit` of a
/// subject's versions (and `deleted`, `offset`, `limit` of `referencedby`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct VersionsQuery {
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    #[serde(deserialize_with = "super::query::flag")]
    deleted_only: bool,
    #[serde(deserialize_with = "super::query::flag")]
    deleted_as_negative: bool,
    offset: i64,
    limit: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LookupQuery {
    #[serde(deserialize_with = "super::query::optional_flag")]
    normalize: Option<bool>,
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
}

/// `deleted`, and `format` as for `GET /schemas/ids/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct VersionQuery {
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PermanentQuery {
    #[serde(deserialize_with = "super::query::flag")]
    permanent: bool,
}

/// `GET /subjects`.
pub(super) async fn list(
    state: State,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<ApiJson<Vec<String>>, ApiError> {
    let listing = SubjectListing {
        prefix: query.subject_prefix,
        deleted: query.deleted,
        deleted_only: query.deleted_only,
        offset: query.offset,
        limit: query.limit,
    };
    Ok(ApiJson(state.0.subjects(&listing, &caller).await?))
}

/// `POST /subjects/{subject}`: is this schema registered under the subject?
pub(super) async fn lookup(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<LookupQuery>,
    ApiBody(request): ApiBody<SchemaRequest>,
) -> Result<ApiJson<VersionBody>, ApiError> {
    let found = state
        .0
        .lookup(
            &subject,
            request.into_new_schema()?,
            query.normalize,
            query.deleted,
        )
        .await?;
    Ok(ApiJson(VersionBody::from(&found)))
}

/// `DELETE /subjects/{subject}`.
pub(super) async fn delete_subject(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<PermanentQuery>,
) -> Result<ApiJson<Vec<i32>>, ApiError> {
    Ok(ApiJson(
        state.0.delete_subject(&subject, query.permanent).await?,
    ))
}

/// `GET /subjects/{subject}/versions`.
pub(super) async fn versions(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<VersionsQuery>,
) -> Result<ApiJson<Vec<i32>>, ApiError> {
    // The precedence of Confluent's `listVersions`.
    let filter = if query.deleted_as_negative {
        VersionFilter::DeletedAsNegative
    } else if query.deleted_only {
        VersionFilter::DeletedOnly
    } else if query.deleted {
        VersionFilter::IncludeDeleted
    } else {
        VersionFilter::Live
    };
    let versions = state.0.versions_where(&subject, filter).await?;
    Ok(ApiJson(page(versions, query.offset, query.limit)))
}

/// `POST /subjects/{subject}/versions`: register.
pub(super) async fn register(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<NormalizeQuery>,
    ApiBody(request): ApiBody<SchemaRequest>,
) -> Result<ApiJson<RegisterResponse>, ApiError> {
    let registered = state
        .0
        .register(&subject, request.into_new_schema()?, query.normalize)
        .await?;
    Ok(ApiJson(RegisterResponse::from(registered)))
}

/// `POST /subjects/{subject}/versions/{version}/tags`: a new version with
/// tags added to or removed from the schema's records and fields.
pub(super) async fn modify_tags(
    state: State,
    ApiPath((subject, version)): ApiPath<(String, String)>,
    ApiBody(request): ApiBody<TagSchemaRequest>,
) -> Result<ApiJson<RegisterResponse>, ApiError> {
    let registered = state
        .0
        .modify_tags(&subject, &version, request.into())
        .await?;
    Ok(ApiJson(RegisterResponse::from(registered)))
}

/// `GET /subjects/{subject}/versions/{version}`.
pub(super) async fn version(
    state: State,
    ApiPath((subject, version)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> Result<ApiJson<VersionBody>, ApiError> {
    let found = state.0.version(&subject, &version, query.deleted).await?;
    let text = state
        .0
        .schema_text(&found.schema, query.format.as_deref())
        .await?;
    Ok(ApiJson(VersionBody::new(&found, text)))
}

/// `GET /subjects/{subject}/versions/{version}/schema`: the raw text.
pub(super) async fn raw_version(
    state: State,
    ApiPath((subject, version)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> Result<RawSchema, ApiError> {
    let found = state.0.version(&subject, &version, query.deleted).await?;
    Ok(RawSchema(
        state
            .0
            .schema_text(&found.schema, query.format.as_deref())
            .await?,
    ))
}

/// `GET /subjects/{subject}/versions/{version}/referencedby`.
pub(super) async fn referenced_by(
    state: State,
    ApiPath((subject, version)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<VersionsQuery>,
) -> Result<ApiJson<Vec<i64>>, ApiError> {
    let ids = state
        .0
        .referenced_by(&subject, &version, query.deleted)
        .await?;
    Ok(ApiJson(page(ids, query.offset, query.limit)))
}

/// `DELETE /subjects/{subject}/versions/{version}`.
pub(super) async fn delete_version(
    state: State,
    ApiPath((subject, version)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<PermanentQuery>,
) -> Result<ApiJson<i32>, ApiError> {
    Ok(ApiJson(
        state
            .0
            .delete_version(&subject, &version, query.permanent)
            .await?,
    ))
}

/// `GET /subjects/{subject}/metadata?key=K&value=V...`: the newest version
/// whose metadata properties hold every `key`/`value` pair (paired in
/// order); `deleted`, `format`.
pub(super) async fn latest_with_metadata(
    state: State,
    ApiPath(subject): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Result<ApiJson<VersionBody>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default())
            .map_err(|error| ApiError::status(StatusCode::BAD_REQUEST, error.to_string()))?;
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    };
    let properties: Vec<(String, String)> = all("key").into_iter().zip(all("value")).collect();
    let deleted = all("deleted")
        .iter()
        .any(|v| v.eq_ignore_ascii_case("true"));
    let found = state
        .0
        .latest_with_metadata(&subject, &properties, deleted)
        .await?;
    let format = all("format").into_iter().next();
    let text = state
        .0
        .schema_text(&found.schema, format.as_deref())
        .await?;
    Ok(ApiJson(VersionBody::new(&found, text)))
}
