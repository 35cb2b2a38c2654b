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

/// Media types a request body may declare; all are read as JSON. A body
/// without a content type is refused (415, as Confluent's Jersey answers),
/// so that no web page can send one with a plain form or `no-cors` fetch.
const ACCEPTED: &[&str] = &[
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// A JSON request body, with Confluent's errors for a missing or wrong
/// media type (415), an oversized body (413), one not sent in time (408),
/// malformed JSON, wrongly typed fields or NUL characters (400), or no
/// body at all (empty or `null`: 422).
pub struct ApiBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let essence = request
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| {
                value
                    .to_str()
                    .unwrap_or_default()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default();
        if !ACCEPTED
            .iter()
            .any(|accepted| essence.eq_ignore_ascii_case(accepted))
        {
            return Err(ApiError::status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "HTTP 415 Unsupported Media Type: '{essence}'; send Content-Type: {MEDIA_TYPE} or application/json"
                ),
            ));
        }
        let bytes = Bytes::from_request(request, state).await?;
        if escapes_nul(&bytes) {
            return Err(ApiError::status(
                StatusCode::BAD_REQUEST,
                "NUL characters are not accepted in a request body",
            ));
        }
        if is_absent(&bytes) {
            // Confluent's `@NotNull` on every request body.
            return Err(ApiError::status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The request body must not be empty or null",
            ));
        }
        Ok(ApiBody(serde_json::from_slice(&bytes)?))
    }
}

/// Whether a body is empty, blank or the JSON `null`.
fn is_absent(body: &[u8]) -> bool {
    let text = body.trim_ascii();
    text.is_empty() || text == b"null"
}

/// Whether JSON text holds the escape `\u0000` (a raw NUL is not valid
/// JSON): an odd run of backslashes before `u0000`.
fn escapes_nul(json: &[u8]) -> bool {
    let mut backslashes = 0;
    for (i, byte) in json.iter().enumerate() {
        if *byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && json[i..].starts_with(b"u0000") {
            return true;
        }
        backslashes = 0;
    }
    false
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

#[cfg(test)]
mod tests {
    use super::escapes_nul;

    #[test]
    fn nul_escapes_are_found_and_escaped_backslashes_are_not() {
        assert!(escapes_nul(br#"{"schema":"a\u0000b"}"#));
        assert!(escapes_nul(br#"{"a\u0000":1}"#));
        assert!(!escapes_nul(br#"{"schema":"a\\u0000b"}"#));
        assert!(escapes_nul(br#"{"schema":"a\\\u0000b"}"#));
        assert!(!escapes_nul(br#"{"schema":"u0000"}"#));
    }
}
