//! `/`, `/schemas/types`, `/v1/metadata/*`, `/contexts`, health probes and
//! `/metrics`.

use axum::Json;
use axum::http::StatusCode;
use herald_core::SchemaType;
use serde_json::{Value, json};

use super::State;
use super::body::{ApiBody, ApiJson};
use super::error::ApiError;

/// `GET /`: `{}`.
pub(super) async fn root() -> ApiJson<Value> {
    ApiJson(json!({}))
}

/// `POST /`: `{}` for any JSON object, as Confluent's root resource
/// answers (a way to test that bodies reach the server).
pub(super) async fn root_post(
    ApiBody(_): ApiBody<serde_json::Map<String, Value>>,
) -> ApiJson<Value> {
    ApiJson(json!({}))
}

/// `GET /schemas/types`: the formats this build accepts.
pub(super) async fn types() -> ApiJson<Vec<&'static str>> {
    ApiJson(SchemaType::ALL.iter().map(|t| t.as_str()).collect())
}

/// `GET /v1/metadata/id`.
pub(super) async fn cluster_id() -> ApiJson<Value> {
    ApiJson(json!({"id": "herald", "scope": {"clusters": {"schema-registry-cluster": "herald"}}}))
}

/// `GET /v1/metadata/version`.
pub(super) async fn version() -> ApiJson<Value> {
    let mut body = json!({"version": env!("CARGO_PKG_VERSION")});
    if let Some(commit) = option_env!("HERALD_COMMIT_ID") {
        body["commitId"] = Value::from(commit);
    }
    ApiJson(body)
}

/// `GET /contexts`.
pub(super) async fn contexts(state: State) -> Result<ApiJson<Vec<String>>, ApiError> {
    Ok(ApiJson(state.0.contexts().await?))
}

/// `GET /healthz`: the process is alive.
pub(super) async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /metrics`: the Prometheus text exposition.
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
pub(super) async fn readyz(state: State) -> (StatusCode, Json<Value>) {
    if state.0.is_ready().await {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "store unreachable"})),
        )
    }
}
