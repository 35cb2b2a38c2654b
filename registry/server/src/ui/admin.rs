//! Admin forms: change a subject's compatibility level, soft-delete a
//! version. Both need the CSRF token; both redirect back to the subject.
//! Shown to everyone while the server runs without authentication.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::extract::PageForm;
use super::{State, csrf, error_page, failure, subject_link};
use crate::service::ConfigUpdate;

#[derive(Deserialize)]
pub(super) struct LevelForm {
    /// Missing: refused as a wrong token is (403).
    #[serde(default)]
    csrf: String,
    compatibility: String,
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    /// Missing: refused as a wrong token is (403).
    #[serde(default)]
    csrf: String,
}

fn forbidden() -> Response {
    failure(
        StatusCode::FORBIDDEN,
        "Refused",
        "The form's token does not match this browser's: reload the page and try again.",
    )
}

pub(super) async fn set_level(
    state: State,
    Path(subject): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<LevelForm>,
) -> Response {
    if !csrf::valid(&headers, &form.csrf) {
        return forbidden();
    }
    let update = ConfigUpdate {
        compatibility: Some(form.compatibility),
        ..ConfigUpdate::default()
    };
    match state.0.set_config(Some(&subject), update).await {
        Ok(_) => Redirect::to(&subject_link(&subject)).into_response(),
        Err(error) => error_page(error),
    }
}

pub(super) async fn delete_version(
    state: State,
    Path((subject, version)): Path<(String, String)>,
    headers: HeaderMap,
    PageForm(form): PageForm<TokenForm>,
) -> Response {
    if !csrf::valid(&headers, &form.csrf) {
        return forbidden();
    }
    match state.0.delete_version(&subject, &version, false).await {
        Ok(_) => Redirect::to(&subject_link(&subject)).into_response(),
        Err(error) => error_page(error),
    }
}
