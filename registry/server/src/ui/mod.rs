//! The web UI at `/ui/`: subjects, versions, diffs, references, a
//! compatibility playground and code previews, rendered on the server with
//! askama (templates and CSS in `ui/` at the repository root, embedded in
//! the binary). No inline script; a strict Content-Security-Policy.

mod admin;
mod audit;
mod browse;
mod compare;
mod csrf;
mod extract;
mod highlight;
mod pages;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_core::SchemaType;

use crate::service::{Registry, ServiceError};

type State = axum::extract::State<Arc<Registry>>;

const STYLE: &str = include_str!("../../../../ui/static/style.css");
const SCRIPT: &str = include_str!("../../../../ui/static/app.js");
const ICON: &str = include_str!("../../../../ui/static/favicon.svg");

/// The headers every UI response carries.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
];

/// The UI's routes, to be merged into the server's router.
pub fn router(registry: Arc<Registry>) -> Router {
    Router::new()
        .route("/ui", get(|| async { Redirect::permanent("/ui/") }))
        .route("/ui/", get(browse::subjects))
        .route("/ui/subjects/{subject}", get(browse::subject))
        .route("/ui/subjects/{subject}/config", post(admin::set_level))
        .route("/ui/subjects/{subject}/diff", get(compare::diff))
        .route(
            "/ui/subjects/{subject}/versions/{version}",
            get(browse::version),
        )
        .route(
            "/ui/subjects/{subject}/versions/{version}/code",
            get(browse::code),
        )
        .route(
            "/ui/subjects/{subject}/versions/{version}/delete",
            post(admin::delete_version),
        )
        .route("/ui/schemas/{id}", get(browse::schema))
        .route("/ui/schemas/{id}/raw", get(browse::raw))
        .route("/ui/audit", get(audit::log))
        .route(
            "/ui/playground",
            get(compare::playground).post(compare::check),
        )
        .route(
            "/ui/static/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/ui/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/ui/static/favicon.svg",
            get(|| async { asset("image/svg+xml", ICON) }),
        )
        .route("/ui/{*path}", get(no_page).post(no_page))
        .layer(axum::middleware::map_response(secure))
        .with_state(registry)
}

/// Any other path under `/ui/`: a page saying so, not the REST API's
/// JSON error.
async fn no_page(uri: axum::http::Uri) -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("There is no page at {}.", uri.path()),
    )
}

async fn secure(mut response: Response) -> Response {
    for (name, value) in SECURITY_HEADERS {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// A rendered page, or an error page.
fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Page failed",
            &error.to_string(),
        ),
    }
}

fn failure(status: StatusCode, title: &str, message: &str) -> Response {
    let page = pages::ErrorPage {
        title: title.to_owned(),
        message: message.to_owned(),
    };
    let html = page.render().unwrap_or_else(|_| message.to_owned());
    (status, Html(html)).into_response()
}

/// A service error as a page with the REST API's status.
fn error_page(error: ServiceError) -> Response {
    let status = StatusCode::from_u16(u16::try_from(error.code() / 100).unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let title = if status == StatusCode::NOT_FOUND {
        "Not found"
    } else {
        "Error"
    };
    failure(status, title, &error.to_string())
}

/// Percent-encodes a path segment or query value for a link, leaving
/// the unreserved characters readable (`orders-value`, not `orders%2Dvalue`).
fn encode(segment: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(segment, UNRESERVED).to_string()
}

/// The link to a subject's page.
fn subject_link(subject: &str) -> String {
    format!("/ui/subjects/{}", encode(subject))
}

/// The link to schema `id`'s page as `subject` (qualified) uses it: a
/// schema id names a schema within the subject's context.
fn schema_link(id: i64, subject: &str) -> String {
    format!("/ui/schemas/{id}{}", context_query(subject))
}

/// `?subject=...` for a subject outside the default context, so that a
/// schema page stays in that context; empty otherwise.
fn context_query(subject: &str) -> String {
    if subject.starts_with(':') {
        format!("?subject={}", encode(subject))
    } else {
        String::new()
    }
}

/// The link to a version's page.
fn version_link(subject: &str, version: i32) -> String {
    format!("{}/versions/{version}", subject_link(subject))
}

/// Unix milliseconds as RFC 3339 and as a short `YYYY-MM-DD hh:mm` UTC.
fn dates(millis: i64) -> (String, String) {
    let full = herald_core::time::rfc3339(millis.div_euclid(1000), 0);
    let short = format!("{} {} UTC", &full[..10], &full[11..16]);
    (full, short)
}

/// Pretty-printed JSON for Avro and JSON Schema (so lines mean
/// something); `.proto` text as is.
fn readable(schema_type: SchemaType, text: &str) -> String {
    if schema_type == SchemaType::Protobuf {
        return text.to_owned();
    }
    serde_json::from_str::<serde_json::Value>(text)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| text.to_owned())
}
