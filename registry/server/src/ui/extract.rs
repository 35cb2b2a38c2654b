//! The UI's query and form extractors: what axum's own would take, with a
//! request that does not fit answered by an HTML page rather than the
//! plain-text rejection.

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Form, http::StatusCode};
use serde::de::DeserializeOwned;

use super::failure;

/// A page's query parameters.
pub(super) struct PageQuery<T>(pub T);

/// A submitted form.
pub(super) struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(query)) => Ok(PageQuery(query)),
            Err(rejection) => Err(refused(rejection.status(), &rejection.body_text())),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(form)) => Ok(PageForm(form)),
            Err(rejection) => Err(refused(rejection.status(), &rejection.body_text())),
        }
    }
}

fn refused(status: StatusCode, why: &str) -> Response {
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    failure(status, "Bad request", why)
}
