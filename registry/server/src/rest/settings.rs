//! `/config` and `/mode`, globally and per subject or context.

use serde::Deserialize;

use super::State;
use super::body::{ApiBody, ApiJson, ApiPath, ApiQuery};
use super::dto::{ConfigRequest, ConfigResponse, ConfigUpdateResponse, ModeBody};
use super::error::ApiError;
use crate::service::ConfigUpdate;

/// `defaultToGlobal` of a config or mode read.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(super) struct DefaultToGlobalQuery {
    /// Fall back to the context's and the global setting.
    #[serde(deserialize_with = "super::query::flag")]
    default_to_global: bool,
}

/// `force` of a mode change.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ForceQuery {
    /// Enter IMPORT even when the scope holds schemas.
    #[serde(deserialize_with = "super::query::flag")]
    force: bool,
}

type Reply<T> = Result<ApiJson<T>, ApiError>;

async fn read_config(
    state: State,
    scope: Option<&str>,
    default_to_global: bool,
) -> Reply<ConfigResponse> {
    Ok(ApiJson(
        state.0.config(scope, default_to_global).await?.into(),
    ))
}

async fn write_config(
    state: State,
    scope: Option<&str>,
    body: ConfigRequest,
) -> Reply<ConfigUpdateResponse> {
    let update = ConfigUpdate {
        compatibility: body.compatibility,
        normalize: body.normalize,
        compatibility_group: body.compatibility_group,
        protobuf_rules: body.protobuf_rules,
        compatibility_policy: body.compatibility_policy,
        alias: body.alias,
        validate_fields: body.validate_fields,
        default_metadata: body.default_metadata,
        override_metadata: body.override_metadata,
        default_rule_set: body.default_rule_set,
        override_rule_set: body.override_rule_set,
    };
    Ok(ApiJson(state.0.set_config(scope, update).await?.into()))
}

async fn remove_config(state: State, scope: Option<&str>) -> Reply<ConfigResponse> {
    Ok(ApiJson(state.0.delete_config(scope).await?.into()))
}

async fn read_mode(state: State, scope: Option<&str>, default_to_global: bool) -> Reply<ModeBody> {
    let mode = state.0.mode(scope, default_to_global).await?;
    Ok(ApiJson(ModeBody {
        mode: mode.as_str().to_owned(),
    }))
}

async fn write_mode(
    state: State,
    scope: Option<&str>,
    body: ModeBody,
    force: bool,
) -> Reply<ModeBody> {
    let mode = state.0.set_mode(scope, &body.mode, force).await?;
    Ok(ApiJson(ModeBody {
        mode: mode.as_str().to_owned(),
    }))
}

async fn remove_mode(state: State, scope: &str) -> Reply<ModeBody> {
    let mode = state.0.delete_mode(Some(scope)).await?;
    Ok(ApiJson(ModeBody {
        mode: mode.as_str().to_owned(),
    }))
}

/// `GET /config`.
#[utoipa::path(get, path = "/config", tag = "config", responses((status = 200, description = "The global configuration", body = ConfigResponse)))]
pub(super) async fn global_config(state: State) -> Reply<ConfigResponse> {
    read_config(state, None, true).await
}

/// `PUT /config`.
#[utoipa::path(put, path = "/config", tag = "config", request_body = ConfigRequest, responses((status = 200, description = "The update", body = ConfigUpdateResponse)))]
pub(super) async fn set_global_config(
    state: State,
    ApiBody(body): ApiBody<ConfigRequest>,
) -> Reply<ConfigUpdateResponse> {
    write_config(state, None, body).await
}

/// `DELETE /config`.
#[utoipa::path(delete, path = "/config", tag = "config", responses((status = 200, description = "The configuration removed", body = ConfigResponse)))]
pub(super) async fn delete_global_config(state: State) -> Reply<ConfigResponse> {
    remove_config(state, None).await
}

/// `GET /config/{subject}`.
#[utoipa::path(get, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "A subject, or a context as `:.ctx:`", example = "orders-value"), DefaultToGlobalQuery), responses((status = 200, description = "The configuration", body = ConfigResponse)))]
pub(super) async fn config(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<DefaultToGlobalQuery>,
) -> Reply<ConfigResponse> {
    read_config(state, Some(&subject), query.default_to_global).await
}

/// `PUT /config/{subject}`.
#[utoipa::path(put, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "A subject, or a context as `:.ctx:`", example = "orders-value")), request_body = ConfigRequest, responses((status = 200, description = "The update", body = ConfigUpdateResponse)))]
pub(super) async fn set_config(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiBody(body): ApiBody<ConfigRequest>,
) -> Reply<ConfigUpdateResponse> {
    write_config(state, Some(&subject), body).await
}

/// `DELETE /config/{subject}`.
#[utoipa::path(delete, path = "/config/{subject}", tag = "config", params(("subject" = String, Path, description = "A subject, or a context as `:.ctx:`", example = "orders-value")), responses((status = 200, description = "The configuration removed", body = ConfigResponse)))]
pub(super) async fn delete_config(
    state: State,
    ApiPath(subject): ApiPath<String>,
) -> Reply<ConfigResponse> {
    remove_config(state, Some(&subject)).await
}

/// `GET /mode`.
#[utoipa::path(get, path = "/mode", tag = "mode", responses((status = 200, description = "The global mode", body = ModeBody)))]
pub(super) async fn global_mode(state: State) -> Reply<ModeBody> {
    read_mode(state, None, true).await
}

/// `PUT /mode`.
#[utoipa::path(put, path = "/mode", tag = "mode", params(ForceQuery), request_body = ModeBody, responses((status = 200, description = "The mode set", body = ModeBody)))]
pub(super) async fn set_global_mode(
    state: State,
    ApiQuery(query): ApiQuery<ForceQuery>,
    ApiBody(body): ApiBody<ModeBody>,
) -> Reply<ModeBody> {
    write_mode(state, None, body, query.force).await
}

/// `GET /mode/{subject}`.
#[utoipa::path(get, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "A subject, or a context as `:.ctx:`", example = "orders-value"), DefaultToGlobalQuery), responses((status = 200, description = "The mode", body = ModeBody)))]
pub(super) async fn mode(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<DefaultToGlobalQuery>,
) -> Reply<ModeBody> {
    read_mode(state, Some(&subject), query.default_to_global).await
}

/// `PUT /mode/{subject}`.
#[utoipa::path(put, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "A subject, or a context as `:.ctx:`", example = "orders-value"), ForceQuery), request_body = ModeBody, responses((status = 200, description = "The mode set", body = ModeBody)))]
pub(super) async fn set_mode(
    state: State,
    ApiPath(subject): ApiPath<String>,
    ApiQuery(query): ApiQuery<ForceQuery>,
    ApiBody(body): ApiBody<ModeBody>,
) -> Reply<ModeBody> {
    write_mode(state, Some(&subject), body, query.force).await
}

/// `DELETE /mode/{subject}`.
#[utoipa::path(delete, path = "/mode/{subject}", tag = "mode", params(("subject" = String, Path, description = "A subject, or a context as `:.ctx:`", example = "orders-value")), responses((status = 200, description = "The mode that applies now", body = ModeBody)))]
pub(super) async fn delete_mode(
    state: State,
    ApiPath(subject): ApiPath<String>,
) -> Reply<ModeBody> {
    remove_mode(state, &subject).await
}
