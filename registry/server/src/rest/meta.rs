//! `/`, `/schemas/types`, `/v1/metadata/*`, `/contexts`, health probes and
//! `/metrics`.

use axum::Json;
use axum::http::StatusCode;
use herald_core::SchemaType;
use serde_json::{Value, json};

use super::State;
use super::body::{ApiBody, ApiJson};
use super::error::ApiError;

/// The answer of the health probes.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct Health {
    /// `ok`, or what is wrong.
    status: &'static str,
}

/// `GET /`: `{}`.
#[utoipa::path(get, path = "/", tag = "server", responses((status = 200, description = "`{}`", body = Object)))]
pub(super) async fn root() -> ApiJson<Value> {
    ApiJson(json!({}))
}

/// `POST /`: `{}` for any JSON object, as Confluent's root resource
/// answers (a way to test that bodies reach the server).
#[utoipa::path(post, path = "/", tag = "server", request_body(content = Object, description = "Any JSON object"), responses((status = 200, description = "`{}`", body = Object)))]
pub(super) async fn root_post(
    ApiBody(_): ApiBody<serde_json::Map<String, Value>>,
) -> ApiJson<Value> {
    ApiJson(json!({}))
}

/// `GET /schemas/types`: the formats this build accepts.
#[utoipa::path(get, path = "/schemas/types", tag = "schemas", responses((status = 200, description = "The schema formats accepted", body = Vec<String>, example = json!(["JSON", "PROTOBUF", "AVRO"]))))]
pub(super) async fn types() -> ApiJson<Vec<&'static str>> {
    ApiJson(SchemaType::ALL.iter().map(|t| t.as_str()).collect())
}

/// `GET /v1/metadata/id`.
#[utoipa::path(get, path = "/v1/metadata/id", tag = "server", responses((status = 200, description = "The cluster id, as Confluent reports it", body = Object)))]
pub(super) async fn cluster_id() -> ApiJson<Value> {
    ApiJson(json!({"id": "herald", "scope": {"clusters": {"schema-registry-cluster": "herald"}}}))
}

/// `GET /v1/metadata/version`.
#[utoipa::path(get, path = "/v1/metadata/version", operation_id = "server_version", tag = "server", responses((status = 200, description = "The server's version", body = Object)))]
pub(super) async fn version() -> ApiJson<Value> {
    let mut body = json!({"version": env!("CARGO_PKG_VERSION")});
    if let Some(commit) = option_env!("HERALD_COMMIT_ID") {
        body["commitId"] = Value::from(commit);
    }
    ApiJson(body)
}

/// `GET /contexts`.
#[utoipa::path(get, path = "/contexts", tag = "contexts", responses((status = 200, description = "Every context, the default one (`.`) first", body = Vec<String>)))]
pub(super) async fn contexts(state: State) -> Result<ApiJson<Vec<String>>, ApiError> {
    Ok(ApiJson(state.0.contexts().await?))
}

/// `GET /healthz`: the process is alive.
#[utoipa::path(get, path = "/healthz", tag = "server", responses((status = 200, description = "The process is alive", body = Health)))]
pub(super) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// `GET /metrics`: the Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "server", responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain")))]
pub(super) async fn metrics(state: State) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.0.metrics().render(),
    )
}

/// `GET /readyz`: the store answers.
#[utoipa::path(get, path = "/readyz", tag = "server", responses((status = 200, description = "The store answers", body = Health), (status = 503, description = "The store does not answer", body = Health)))]
pub(super) async fn readyz(state: State) -> (StatusCode, Json<Health>) {
    if state.0.is_ready().await {
        (StatusCode::OK, Json(Health { status: "ok" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "store unreachable",
            }),
        )
    }
}
