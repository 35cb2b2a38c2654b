//! The Confluent error envelope: `{"error_code": N, "message": "..."}`,
//! with the HTTP status taken from the first three digits of the code.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::body::ApiJson;
use crate::service::ServiceError;

/// An error as the REST API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Confluent error code, e.g. 40401 (or a bare HTTP status, e.g. 415).
    pub code: u32,
    /// What went wrong.
    pub message: String,
}

/// The error body: Confluent's `ErrorMessage`.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct ErrorMessage<'a> {
    /// The Confluent error code; its first three digits are the HTTP status.
    error_code: u32,
    /// What went wrong.
    message: &'a str,
}

impl ApiError {
    /// An error whose code is a bare HTTP status.
    pub fn status(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code: u32::from(status.as_u16()),
            message: message.into(),
        }
    }

    fn http_status(&self) -> StatusCode {
        let mut status = self.code;
        while status >= 1000 {
            status /= 10;
        }
        u16::try_from(status)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.code >= 50000 {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorMessage {
            error_code: self.code,
            message: &self.message,
        };
        (self.http_status(), ApiJson(body)).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        ApiError {
            code: error.code(),
            message: error.public_message(),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        let text = rejection.body_text();
        if text.contains(crate::connections::BODY_TIMED_OUT) {
            return ApiError::status(StatusCode::REQUEST_TIMEOUT, text);
        }
        ApiError::status(rejection.status(), text)
    }
}

/// A path parameter of the wrong type (`/schemas/ids/abc`) matches no
/// route, as in Confluent's Jersey: 404.
impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(_) => super::not_found(),
            other => ApiError::status(other.status(), other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::status(StatusCode::BAD_REQUEST, rejection.body_text())
    }
}

/// A malformed JSON body, or one whose fields have the wrong types, is
/// 400 with `error_code` 400, as Confluent's Jackson mappers answer.
impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        ApiError::status(
            StatusCode::BAD_REQUEST,
            format!("Invalid JSON body: {error}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_the_first_three_digits() {
        let cases = [
            (40401, 404),
            (42201, 422),
            (40901, 409),
            (50001, 500),
            (415, 415),
            (413, 413),
        ];
        for (code, status) in cases {
            let error = ApiError {
                code,
                message: String::new(),
            };
            assert_eq!(error.http_status().as_u16(), status, "{code}");
        }
    }
}
