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
mod openapi;
mod panics;
mod query;
mod schemas;
mod settings;
mod subjects;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::config::Limits;
use crate::service::Registry;
use error::ApiError;

/// Shared state of every handler.
type State = axum::extract::State<Arc<Registry>>;

/// Builds the API's router over `registry`, with `/openapi.json`
/// describing every route of it.
pub fn router(registry: Arc<Registry>, limits: &Limits) -> Router {
    let (router, mut description) = described_routes().split_for_parts();
    openapi::complete(&mut description);
    let description = Bytes::from(description.to_json().unwrap_or_default());
    let router = router
        .route(
            "/openapi.json",
            get(async move || openapi::serve(description)),
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

/// `GET /metrics` alone, for a listener of its own.
pub fn metrics_only(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/metrics", get(meta::metrics))
        .fallback(async || not_found())
        .with_state(registry)
}

/// Every route of the API, each with its description.
fn described_routes() -> OpenApiRouter<Arc<Registry>> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(meta::root, meta::root_post))
        .routes(routes!(meta::types))
        .routes(routes!(meta::cluster_id))
        .routes(routes!(meta::version))
        .routes(routes!(meta::healthz))
        .routes(routes!(meta::readyz))
        .routes(routes!(meta::metrics))
        .routes(routes!(meta::contexts))
        .routes(routes!(audit::list))
        .routes(routes!(schemas::list))
        .routes(routes!(schemas::by_id))
        .routes(routes!(schemas::raw_by_id))
        .routes(routes!(schemas::subjects_of))
        .routes(routes!(schemas::versions_of))
        .routes(routes!(schemas::by_guid))
        .routes(routes!(subjects::list))
        .routes(routes!(subjects::lookup, subjects::delete_subject))
        .routes(routes!(subjects::versions, subjects::register))
        .routes(routes!(subjects::latest_with_metadata))
        .routes(routes!(subjects::version, subjects::delete_version))
        .routes(routes!(subjects::raw_version))
        .routes(routes!(subjects::referenced_by))
        .routes(routes!(subjects::modify_tags))
        .routes(routes!(compatibility::against_level))
        .routes(routes!(compatibility::against_version))
        .routes(routes!(
            settings::global_config,
            settings::set_global_config,
            settings::delete_global_config
        ))
        .routes(routes!(
            settings::config,
            settings::set_config,
            settings::delete_config
        ))
        .routes(routes!(settings::global_mode, settings::set_global_mode))
        .routes(routes!(
            settings::mode,
            settings::set_mode,
            settings::delete_mode
        ))
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
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
struct NormalizeQuery {
    /// Normalize the schema first (default: the subject's config).
    #[serde(deserialize_with = "query::optional_flag")]
    normalize: Option<bool>,
}
