//! CSRF protection for the UI's forms: a random token in a `SameSite=Strict`
//! cookie, repeated in each form; a POST whose form token does not equal
//! the cookie's is refused (double-submit cookie).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

const COOKIE: &str = "herald_csrf";

/// The request's token, or a new one to set.
pub fn token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers) {
        Some(token) => (token, false),
        None => (uuid::Uuid::new_v4().simple().to_string(), true),
    }
}

/// Sets the token cookie on `response` when it is new.
pub fn remember(mut response: Response, token: &str, new: bool) -> Response {
    if new
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{COOKIE}={token}; Path=/ui; HttpOnly; SameSite=Strict"
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Whether a form's `sent` token matches the request's cookie.
pub fn valid(headers: &HeaderMap, sent: &str) -> bool {
    cookie(headers).is_some_and(|token| !sent.is_empty() && token == sent)
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| value.to_owned())
        })
}
