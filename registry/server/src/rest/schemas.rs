//! `/schemas`: schemas by id or guid, and the versions listing. An `{id}`
//! is a Java `int`, as in Confluent: anything else matches no route (404).

use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::State;
use super::body::{ApiJson, ApiPath, ApiQuery, RawSchema};
use super::dto::{SchemaById, SubjectVersionRef, VersionBody};
use super::error::ApiError;
use crate::access::layer::Caller;
use crate::service::{SchemaListing, Visibility};

/// `format`: `serialized` or `ignore_extensions` for Protobuf; other
/// values (and every value for Avro) serve the stored text.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct ByIdQuery {
    /// The subject to look in first (its context's ids).
    subject: Option<String>,
    /// `serialized` or `ignore_extensions` (Protobuf).
    format: Option<String>,
    /// Add `maxId`, the highest id of the context.
    #[serde(deserialize_with = "super::query::flag")]
    fetch_max_id: bool,
}

/// `subject`, `deleted` of the subjects and versions holding an id.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct UsageQuery {
    /// Only this subject.
    subject: Option<String>,
    /// Soft-deleted versions too.
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
}

/// The filters and page of `GET /schemas`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only subjects starting with this.
    subject_prefix: Option<String>,
    /// Soft-deleted versions too.
    #[serde(deserialize_with = "super::query::flag")]
    deleted: bool,
    /// Only each subject's latest version.
    #[serde(deserialize_with = "super::query::flag")]
    latest_only: bool,
    /// Rows to skip.
    offset: i64,
    /// Rows to return at most (0 or less: all).
    limit: i64,
    /// Only schemas with a rule of this type.
    rule_type: Option<String>,
}

/// `GET /schemas/ids/{id}`. The plain form (stored text, no `maxId`) of
/// each schema is serialized once and served from memory after that.
#[utoipa::path(get, path = "/schemas/ids/{id}", tag = "schemas", params(("id" = i32, Path, description = "A schema id (a Java int)", example = 1), ByIdQuery), responses((status = 200, description = "The schema with this id", body = SchemaById)))]
pub(super) async fn by_id(
    state: State,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ByIdQuery>,
) -> Result<Response, ApiError> {
    let subject = query.subject.as_deref();
    let plain = !query.fetch_max_id
        && query
            .format
            .as_deref()
            .is_none_or(|f| f.is_empty() || f == "default");
    if plain {
        let body = state
            .0
            .rendered_schema_by_id(&id.to_string(), subject, |row| {
                ApiJson(SchemaById::new(row, row.text.clone(), None)).to_bytes()
            })
            .await?;
        return Ok(ApiJson::from_bytes(body));
    }
    let row = state.0.schema_by_id(&id.to_string(), subject).await?;
    let max_id = match query.fetch_max_id {
        true => Some(state.0.max_schema_id(subject).await?),
        false => None,
    };
    let text = state.0.schema_text(&row, query.format.as_deref()).await?;
    Ok(ApiJson(SchemaById::new(&row, text, max_id)).into_response())
}

/// `GET /schemas/ids/{id}/schema`: the raw schema text.
#[utoipa::path(get, path = "/schemas/ids/{id}/schema", tag = "schemas", params(("id" = i32, Path, description = "A schema id (a Java int)", example = 1), ByIdQuery), responses((status = 200, description = "The schema's text verbatim: JSON for Avro and JSON Schema, `.proto` text for Protobuf (under the same media type, as Confluent serves it)", body = serde_json::Value)))]
pub(super) async fn raw_by_id(
    state: State,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ByIdQuery>,
) -> Result<RawSchema, ApiError> {
    let row = state
        .0
        .schema_by_id(&id.to_string(), query.subject.as_deref())
        .await?;
    Ok(RawSchema(
        state.0.schema_text(&row, query.format.as_deref()).await?,
    ))
}

/// `GET /schemas/guids/{guid}`.
#[utoipa::path(get, path = "/schemas/guids/{guid}", tag = "schemas", params(("guid" = String, Path, description = "A schema's GUID")), responses((status = 200, description = "The schema with this GUID", body = SchemaById)))]
pub(super) async fn by_guid(
    state: State,
    ApiPath(guid): ApiPath<String>,
) -> Result<ApiJson<SchemaById>, ApiError> {
    let row = state.0.schema_by_guid(&guid).await?;
    Ok(ApiJson(SchemaById::new(&row, row.text.clone(), None)))
}

/// `GET /schemas/ids/{id}/subjects`.
#[utoipa::path(get, path = "/schemas/ids/{id}/subjects", tag = "schemas", params(("id" = i32, Path, description = "A schema id (a Java int)", example = 1), UsageQuery), responses((status = 200, description = "The subjects holding the schema", body = Vec<String>)))]
pub(super) async fn subjects_of(
    state: State,
    caller: Caller,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<UsageQuery>,
) -> Result<ApiJson<Vec<String>>, ApiError> {
    let usages = state
        .0
        .schema_usages(&id.to_string(), query.subject.as_deref(), query.deleted)
        .await?;
    let subjects: Vec<String> = usages
        .into_iter()
        .map(|(subject, _)| subject)
        .filter(|subject| caller.shows(subject))
        .collect();
    Ok(ApiJson(subjects))
}

/// `GET /schemas/ids/{id}/versions`.
#[utoipa::path(get, path = "/schemas/ids/{id}/versions", tag = "schemas", params(("id" = i32, Path, description = "A schema id (a Java int)", example = 1), UsageQuery), responses((status = 200, description = "The subject-versions holding the schema", body = Vec<SubjectVersionRef>)))]
pub(super) async fn versions_of(
    state: State,
    caller: Caller,
    ApiPath(id): ApiPath<i32>,
    ApiQuery(query): ApiQuery<UsageQuery>,
) -> Result<ApiJson<Vec<SubjectVersionRef>>, ApiError> {
    let usages = state
        .0
        .schema_usages(&id.to_string(), query.subject.as_deref(), query.deleted)
        .await?;
    Ok(ApiJson(
        usages
            .into_iter()
            .filter(|(subject, _)| caller.shows(subject))
            .map(|(subject, version)| SubjectVersionRef { subject, version })
            .collect(),
    ))
}

/// `GET /schemas`.
#[utoipa::path(get, path = "/schemas", operation_id = "list_schemas", tag = "schemas", params(ListQuery), responses((status = 200, description = "Subject-versions with their schemas", body = Vec<VersionBody>)))]
pub(super) async fn list(
    state: State,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<ApiJson<Vec<VersionBody>>, ApiError> {
    let listing = SchemaListing {
        prefix: query.subject_prefix,
        deleted: query.deleted,
        latest_only: query.latest_only,
        offset: query.offset,
        limit: query.limit,
        rule_type: query.rule_type.filter(|t| !t.is_empty()),
    };
    let versions = state.0.schemas(&listing, &caller).await?;
    Ok(ApiJson(versions.iter().map(VersionBody::from).collect()))
}
