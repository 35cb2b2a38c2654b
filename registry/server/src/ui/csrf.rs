//! CSRF protection for the UI's forms: a random session id in a
//! `SameSite=Strict`, `HttpOnly` cookie, and in each form a token that is
//! the id signed with this process's secret (HMAC-SHA-256). A POST whose
//! form token is not the signature of its cookie's id is refused, so a
//! cookie and token pair chosen by an attacker (who may be able to set
//! cookies, but does not know the secret) never passes.

use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const COOKIE: &str = "herald_csrf";

/// A page's CSRF session: the cookie's id and the token its forms carry.
pub struct CsrfToken {
    /// The session id in the cookie.
    cookie: String,
    /// The token the page's forms send back.
    pub form: String,
    /// The cookie must be set (the request had none).
    new: bool,
}

/// The request's session (or a new one) and its form token.
pub fn token(headers: &HeaderMap) -> CsrfToken {
    let (cookie, new) = match cookie(headers) {
        Some(id) => (id, false),
        None => (uuid::Uuid::new_v4().simple().to_string(), true),
    };
    CsrfToken {
        form: sign(&cookie),
        cookie,
        new,
    }
}

/// Sets the session cookie on `response` when it is new.
pub fn remember(mut response: Response, token: &CsrfToken) -> Response {
    if token.new
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{COOKIE}={}; Path=/ui; HttpOnly; SameSite=Strict",
            token.cookie
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Whether a form's `sent` token is the signature of the request's
/// session id (compared in constant time).
pub fn valid(headers: &HeaderMap, sent: &str) -> bool {
    let Some(id) = cookie(headers) else {
        return false;
    };
    let Ok(sent) = decode_hex(sent) else {
        return false;
    };
    mac(&id).verify_slice(&sent).is_ok()
}

/// This process's signing key, made at first use.
fn secret() -> &'static [u8; 32] {
    static SECRET: OnceLock<[u8; 32]> = OnceLock::new();
    SECRET.get_or_init(|| {
        let mut key = [0; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key
    })
}

fn mac(id: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(id.as_bytes());
    mac
}

fn sign(id: &str) -> String {
    mac(id)
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn decode_hex(text: &str) -> Result<Vec<u8>, ()> {
    if !text.len().is_multiple_of(2) {
        return Err(());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or(())
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(id: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&format!("{COOKIE}={id}")) {
            headers.insert(header::COOKIE, value);
        }
        headers
    }

    #[test]
    fn only_the_signature_of_the_cookie_passes() {
        let id = "0123456789abcdef0123456789abcdef";
        let headers = with_cookie(id);
        let issued = token(&headers);
        assert!(!issued.new);
        assert!(valid(&headers, &issued.form));
        // An attacker's chosen pair: the cookie's id repeated as the token
        // (the old double-submit check), or any other guess.
        assert!(!valid(&headers, id));
        assert!(!valid(&headers, &"0".repeat(64)));
        assert!(!valid(&headers, ""));
        // Another session's token does not carry over.
        let other = with_cookie("fedcba9876543210fedcba9876543210");
        assert!(!valid(&other, &issued.form));
        assert!(!valid(&HeaderMap::new(), &issued.form));
    }
}
