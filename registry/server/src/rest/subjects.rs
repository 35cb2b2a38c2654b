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

/// The filters and page of `GET /subjects`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only subjects starting with this.
    subject_prefix: Option<String>,
    /// Soft-deleted subjects too.
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    /// Only soft-deleted subjects.
    #[serde(deserialize_with = "super::query::flag")]
    deleted_only: bool,
    /// Subjects to skip.
    offset: i64,
    /// Subjects to return at most (0 or less: all).
    limit: i64,
}

/// `deleted`, `deletedOnly`, `deletedAsNegative`, `offset`, `limit` of a
/// subject's versions (and `deleted`, `offset`, `limit` of `referencedby`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct VersionsQuery {
    /// Soft-deleted versions too.
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    /// Only soft-deleted versions.
    #[serde(deserialize_with = "super::query::flag")]
    deleted_only: bool,
    /// Soft-deleted versions too, as negative numbers.
    #[serde(deserialize_with = "super::query::flag")]
    deleted_as_negative: bool,
    /// Entries to skip.
    offset: i64,
    /// Entries to return at most (0 or less: all).
    limit: i64,
}

/// `normalize`, `deleted` of a lookup.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct LookupQuery {
    /// Compare normalized schemas (default: the subject's config).
    #[serde(deserialize_with = "super::query::optional_flag")]
    normalize: Option<bool>,
    /// Soft-deleted versions too.
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
}

/// `deleted`, and `format` as for `GET /schemas/ids/{id}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct VersionQuery {
    /// A soft-deleted version too.
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    /// `serialized` or `ignore_extensions` (Protobuf).
    format: Option<String>,
}

/// `permanent` of a delete.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct PermanentQuery {
    /// Remove what was soft-deleted, for good.
    #[serde(deserialize_with = "super::query::flag")]
    permanent: bool,
}

/// `GET /subjects`.
#[utoipa::path(get, path = "/subjects", operation_id = "list_subjects", tag = "subjects", params(ListQuery), responses((status = 200, description = "Subject names", body = Vec<String>)))]
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
#[utoipa::path(post, path = "/subjects/{subject}", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), LookupQuery), request_body = SchemaRequest, responses((status = 200, description = "The version holding this schema", body = VersionBody)))]
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
#[utoipa::path(delete, path = "/subjects/{subject}", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), PermanentQuery), responses((status = 200, description = "The versions deleted", body = Vec<i32>)))]
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
#[utoipa::path(get, path = "/subjects/{subject}/versions", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), VersionsQuery), responses((status = 200, description = "The subject's version numbers", body = Vec<i32>)))]
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
#[utoipa::path(post, path = "/subjects/{subject}/versions", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), NormalizeQuery), request_body = SchemaRequest, responses((status = 200, description = "The schema's id and version", body = RegisterResponse), (status = 409, description = "Incompatible with the versions the subject's level judges it against", body = super::error::ErrorMessage)))]
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
#[utoipa::path(post, path = "/subjects/{subject}/versions/{version}/tags", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("version" = String, Path, description = "A version number (from 1), `latest`, or -1 for the latest", example = "1")), request_body = TagSchemaRequest, responses((status = 200, description = "The new version, tagged", body = RegisterResponse), (status = 409, description = "The tagged schema is incompatible", body = super::error::ErrorMessage)))]
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
#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}", operation_id = "get_version", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("version" = String, Path, description = "A version number (from 1), `latest`, or -1 for the latest", example = "1"), VersionQuery), responses((status = 200, description = "The version with its schema", body = VersionBody)))]
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
#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/schema", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("version" = String, Path, description = "A version number (from 1), `latest`, or -1 for the latest", example = "1"), VersionQuery), responses((status = 200, description = "The version's schema text verbatim: JSON for Avro and JSON Schema, `.proto` text for Protobuf (under the same media type, as Confluent serves it)", body = serde_json::Value)))]
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
#[utoipa::path(get, path = "/subjects/{subject}/versions/{version}/referencedby", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("version" = String, Path, description = "A version number (from 1), `latest`, or -1 for the latest", example = "1"), VersionsQuery), responses((status = 200, description = "Ids of the schemas referring to this version", body = Vec<i64>)))]
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
#[utoipa::path(delete, path = "/subjects/{subject}/versions/{version}", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("version" = String, Path, description = "A version number (from 1), `latest`, or -1 for the latest", example = "1"), PermanentQuery), responses((status = 200, description = "The version deleted", body = i32)))]
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
#[utoipa::path(get, path = "/subjects/{subject}/metadata", tag = "subjects", params(("subject" = String, Path, description = "A subject name, qualified by a context as `:.ctx:name`", example = "orders-value"), ("key" = Option<Vec<String>>, Query, description = "A metadata property name, paired in order with `value`"), ("value" = Option<Vec<String>>, Query, description = "The value the property must have"), ("deleted" = Option<bool>, Query, description = "Soft-deleted versions too"), ("format" = Option<String>, Query, description = "`serialized` or `ignore_extensions` (Protobuf)")), responses((status = 200, description = "The newest version with every property asked", body = VersionBody)))]
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
