//! The hottest read of a schema registry — `GET /schemas/ids/{id}`, which
//! every deserializer makes for every schema id it meets — answered in
//! front of the router when the schema's answer is already in memory:
//! no routing, extraction or middleware, just the cached bytes. Anything
//! else (a query string, another context, a schema not yet rendered) goes
//! through the router as usual, which renders and caches it.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use futures_util::future::{Either, Ready, ready};
use tower::Service;

use super::body::ApiJson;
use crate::service::Registry;

/// `inner` (the whole router) with cached schemas by id answered first.
#[derive(Clone)]
pub struct SchemaByIdHotPath<S> {
    inner: S,
    registry: Arc<Registry>,
}

impl<S> SchemaByIdHotPath<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, registry: Arc<Registry>) -> Self {
        SchemaByIdHotPath { inner, registry }
    }

    /// The cached answer for `request`, if it is a plain schema-by-id read
    /// whose answer is cached.
    fn cached(&self, request: &Request) -> Option<Response> {
        if request.method() != Method::GET || request.uri().query().is_some() {
            return None;
        }
        let id = request.uri().path().strip_prefix("/schemas/ids/")?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let body = self.registry.cached_rendering(id.parse().ok()?)?;
        Some(ApiJson::from_bytes(body))
    }
}

impl<S> Service<Request> for SchemaByIdHotPath<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.cached(&request) {
            Some(answer) => Either::Left(ready(Ok(answer))),
            None => Either::Right(self.inner.call(request)),
        }
    }
}
