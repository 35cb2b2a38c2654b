//! The Confluent Schema Registry REST API over axum. Handlers translate
//! HTTP to service calls and back; they hold no registry rules.

mod audit;
pub mod body;
mod compatibility;
pub mod dto;
pub mod error;
pub mod hot_path;
mod lenient;
mod meta;
mod panics;
mod query;
mod schemas;
mod settings;
mod subjects;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_http::trace::TraceLayer;

use crate::config::Limits;
use crate::service::Registry;
use error::ApiError;

/// Shared state of every handler.
type State = axum::extract::State<Arc<Registry>>;

/// Builds the API's router over `registry`.
pub fn router(registry: Arc<Registry>, limits: &Limits) -> Router {
    let router = Router::new()
        .route("/", get(meta::root).post(meta::root_post))
        .route("/schemas/types", get(meta::types))
        .route("/v1/metadata/id", get(meta::cluster_id))
        .route("/v1/metadata/version", get(meta::version))
        .route("/healthz", get(meta::healthz))
        .route("/readyz", get(meta::readyz))
        .route("/metrics", get(meta::metrics))
        .route("/contexts", get(meta::contexts))
        .route("/v1/audit", get(audit::list))
        .route("/schemas", get(schemas::list))
        .route("/schemas/ids/{id}", get(schemas::by_id))
        .route("/schemas/ids/{id}/schema", get(schemas::raw_by_id))
        .route("/schemas/ids/{id}/subjects", get(schemas::subjects_of))
        .route("/schemas/ids/{id}/versions", get(schemas::versions_of))
        .route("/schemas/guids/{guid}", get(schemas::by_guid))
        .route("/subjects", get(subjects::list))
        .route(
            "/subjects/{subject}",
            post(subjects::lookup).delete(subjects::delete_subject),
        )
        .route(
            "/subjects/{subject}/versions",
            get(subjects::versions).post(subjects::register),
        )
        .route(
            "/subjects/{subject}/metadata",
            get(subjects::latest_with_metadata),
        )
        .route(
            "/subjects/{subject}/versions/{version}",
            get(subjects::version).delete(subjects::delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(subjects::raw_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(subjects::referenced_by),
        )
        .route(
            "/subjects/{subject}/versions/{version}/tags",
            post(subjects::modify_tags),
        )
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(compatibility::against_level),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(compatibility::against_version),
        )
        .route(
            "/config",
            get(settings::global_config)
                .put(settings::set_global_config)
                .delete(settings::delete_global_config),
        )
        .route(
            "/config/{subject}",
            get(settings::config)
                .put(settings::set_config)
                .delete(settings::delete_config),
        )
        .route(
            "/mode",
            get(settings::global_mode).put(settings::set_global_mode),
        )
        .route(
            "/mode/{subject}",
            get(settings::mode)
                .put(settings::set_mode)
                .delete(settings::delete_mode),
        )
        .fallback(async || not_found())
        .method_not_allowed_fallback(async || method_not_allowed())
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(panics::CatchPanics(internal_error));
    // Request spans cost ~7% of a cached read: only when they would be
    // logged (HERALD_LOG=tower_http=debug, or debug for everything).
    let router = if tracing::enabled!(target: "tower_http::trace", tracing::Level::DEBUG) {
        router.layer(TraceLayer::new_for_http())
    } else {
        router
    };
    router.with_state(registry)
}

/// The answer to a path no route has.
pub(crate) fn not_found() -> ApiError {
    ApiError::status(StatusCode::NOT_FOUND, "HTTP 404 Not Found")
}

/// The answer to a method a route does not have.
pub(crate) fn method_not_allowed() -> ApiError {
    ApiError::status(
        StatusCode::METHOD_NOT_ALLOWED,
        "HTTP 405 Method Not Allowed",
    )
}

fn internal_error() -> Response {
    ApiError {
        code: 50000,
        message: "Internal server error".to_owned(),
    }
    .into_response()
}

/// `?normalize=` alone.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NormalizeQuery {
    #[serde(deserialize_with = "query::optional_flag")]
    normalize: Option<bool>,
}
