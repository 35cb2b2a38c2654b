//! Request bodies and responses in the registry's media types.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The media type of every response.
pub const MEDIA_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// Media types a request body may declare; all are read as JSON, and so
/// is a body without a content type.
const ACCEPTED: &[&str] = &[
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// A JSON request body, with Confluent's errors for a wrong media type
/// (415), an oversized body (413), malformed JSON (400) or a wrong shape (422).
pub struct ApiBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(content_type) = request.headers().get(CONTENT_TYPE) {
            let essence = content_type
                .to_str()
                .unwrap_or_default()
                .split(';')
                .next()
                .unwrap_or_default();
            if !ACCEPTED
                .iter()
                .any(|accepted| essence.trim().eq_ignore_ascii_case(accepted))
            {
                return Err(ApiError::status(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!(
                        "Unsupported media type '{essence}'; send {MEDIA_TYPE} or application/json"
                    ),
                ));
            }
        }
        let bytes = Bytes::from_request(request, state).await?;
        Ok(ApiBody(serde_json::from_slice(&bytes)?))
    }
}

/// Query parameters, with rejections in the Confluent error envelope.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(ApiQuery(
            Query::<T>::from_request_parts(parts, state).await?.0,
        ))
    }
}

/// Path parameters, with rejections in the Confluent error envelope.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(ApiPath(
            Path::<T>::from_request_parts(parts, state).await?.0,
        ))
    }
}

/// A JSON response in the registry's media type.
pub struct ApiJson<T>(pub T);

impl<T: Serialize> ApiJson<T> {
    /// The body, serialized (empty if it cannot be, which our types cannot).
    pub fn to_bytes(&self) -> Bytes {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Bytes::from(body),
            Err(error) => {
                tracing::error!(%error, "response serialization failed");
                Bytes::new()
            }
        }
    }
}

impl ApiJson<()> {
    /// A response with an already serialized body.
    pub fn from_bytes(body: Bytes) -> Response {
        ([(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))], body).into_response()
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => ApiJson::from_bytes(Bytes::from(body)),
            Err(error) => {
                tracing::error!(%error, "response serialization failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// A schema's raw text as the response body.
pub struct RawSchema(pub String);

impl IntoResponse for RawSchema {
    fn into_response(self) -> Response {
        (
            [(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
            self.0,
        )
            .into_response()
    }
}
