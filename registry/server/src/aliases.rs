//! Subject aliases, as Confluent's alias filter applies them: a subject
//! whose configuration names an `alias` (`PUT /config/{s}` with
//! `{"alias": "target"}`) stands for that target in every REST path's
//! subject segment (after `subjects`: reads, registrations, lookups,
//! deletes, compatibility checks) and in the `subject` parameter of the
//! by-id routes. `/config/{s}` and `/mode/{s}` keep addressing the alias
//! itself, so it can be changed or removed. Runs before access control,
//! which therefore judges the target.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::Uri;
use axum::response::Response;
use futures_util::future::{BoxFuture, Either};
use tower::Service;

use crate::paths::{decode, encode};
use crate::service::Registry;

/// Rewrites aliased subjects, then hands the request on to `inner`.
#[derive(Clone)]
pub struct Aliases<S> {
    inner: S,
    registry: Arc<Registry>,
}

impl<S> Aliases<S> {
    /// `inner`, with the aliases `registry` holds applied first.
    pub fn new(inner: S, registry: Arc<Registry>) -> Self {
        Aliases { inner, registry }
    }
}

impl<S> Service<Request> for Aliases<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let Some(place) = subject_place(request.uri()) else {
            return Either::Left(self.inner.call(request));
        };
        let registry = self.registry.clone();
        // The clone that was made ready goes into the future.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Either::Right(Box::pin(async move {
            // A failed lookup leaves the request as it was: the handler
            // meets the same store and answers with its own error.
            if let Ok(Some(target)) = registry.alias_target(&place.subject).await
                && let Some(uri) = place.with(&target, request.uri())
            {
                *request.uri_mut() = uri;
            }
            inner.call(request).await
        }))
    }
}

/// Where a request names a subject an alias could stand for.
#[derive(Debug, PartialEq, Eq)]
struct SubjectPlace {
    /// The subject, percent-decoded.
    subject: String,
    /// In the path (segment index) or in the `subject` parameter.
    at: Place,
}

#[derive(Debug, PartialEq, Eq)]
enum Place {
    Segment(usize),
    Parameter,
}

/// The subject of a REST request: the path segment after `subjects`, or
/// the `subject` parameter of `/schemas/ids/...`; none for the UI and
/// for paths without one.
fn subject_place(uri: &Uri) -> Option<SubjectPlace> {
    let path = uri.path();
    if path.starts_with("/ui") {
        return None;
    }
    if path.starts_with("/schemas/ids/") {
        let value = parameter(uri.query()?, "subject")?;
        return Some(SubjectPlace {
            subject: decode(value),
            at: Place::Parameter,
        });
    }
    let segments: Vec<&str> = path.split('/').collect();
    let index = segments.iter().position(|s| *s == "subjects")? + 1;
    let subject = segments.get(index).filter(|s| !s.is_empty())?;
    Some(SubjectPlace {
        subject: decode(subject),
        at: Place::Segment(index),
    })
}

impl SubjectPlace {
    /// `uri` with the subject replaced by `target`.
    fn with(&self, target: &str, uri: &Uri) -> Option<Uri> {
        let encoded = encode(target);
        let path_and_query = match self.at {
            Place::Segment(index) => {
                let mut segments: Vec<&str> = uri.path().split('/').collect();
                *segments.get_mut(index)? = &encoded;
                let path = segments.join("/");
                match uri.query() {
                    Some(query) => format!("{path}?{query}"),
                    None => path,
                }
            }
            Place::Parameter => {
                let query: Vec<String> = uri
                    .query()?
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some(("subject", _)) => format!("subject={encoded}"),
                        _ => pair.to_owned(),
                    })
                    .collect();
                format!("{}?{}", uri.path(), query.join("&"))
            }
        };
        let mut parts = uri.clone().into_parts();
        parts.path_and_query = Some(path_and_query.parse().ok()?);
        Uri::from_parts(parts).ok()
    }
}

/// The first value of parameter `name` in `query`, still encoded.
fn parameter<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::{Place, SubjectPlace, subject_place};
    use axum::http::Uri;

    fn place(uri: &str) -> Option<SubjectPlace> {
        subject_place(&uri.parse::<Uri>().expect("uri"))
    }

    #[test]
    fn subjects_are_found_where_confluent_looks_for_them() {
        let found = place("/subjects/a%20b/versions/1").expect("found");
        assert_eq!(
            (found.subject.as_str(), &found.at),
            ("a b", &Place::Segment(2))
        );
        let found = place("/compatibility/subjects/s/versions").expect("found");
        assert_eq!(
            (found.subject.as_str(), &found.at),
            ("s", &Place::Segment(3))
        );
        let found = place("/schemas/ids/1/versions?deleted=true&subject=:.t:s").expect("found");
        assert_eq!(
            (found.subject.as_str(), &found.at),
            (":.t:s", &Place::Parameter)
        );
        for none in [
            "/subjects",
            "/subjects/",
            "/config/s",
            "/mode/s",
            "/schemas/ids/1",
            "/ui/subjects/s",
        ] {
            assert_eq!(place(none), None, "{none}");
        }
    }

    #[test]
    fn the_subject_is_replaced_in_place() {
        let uri: Uri = "/subjects/old/versions?deleted=true".parse().expect("uri");
        let place = subject_place(&uri).expect("found");
        assert_eq!(
            place.with(":.t:new one", &uri).map(|u| u.to_string()),
            Some("/subjects/:.t:new%20one/versions?deleted=true".to_owned())
        );
        let uri: Uri = "/schemas/ids/3?format=x&subject=old".parse().expect("uri");
        let place = subject_place(&uri).expect("found");
        assert_eq!(
            place.with("new", &uri).map(|u| u.to_string()),
            Some("/schemas/ids/3?format=x&subject=new".to_owned())
        );
    }
}
