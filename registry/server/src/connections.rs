//! Serving HTTP connections (HTTP/1.1 and h2c, or both over TLS): a cap on the connections
//! served at once, a time limit for a request's headers and another for its
//! body (a slow or short body is cut off and the connection freed), and a
//! graceful shutdown that lets requests in flight finish.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use bytes::Bytes;
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;
use tower::{Service, ServiceExt};

/// What a body that was not received in time fails with (and what the
/// REST API recognises to answer 408).
pub const BODY_TIMED_OUT: &str = "request body not received in time";

/// Limits on each connection.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Time to send the headers, and then the body, of a request.
    pub read_timeout: Duration,
}

/// Serves `service` on `listener` until `stopped` turns true, then waits
/// for the open connections to finish their requests.
pub async fn serve<S>(
    listener: TcpListener,
    service: S,
    limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    mut stopped: watch::Receiver<bool>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let slots = Arc::new(Semaphore::new(usable_connections(limits.max_connections)));
    let (closing, _) = watch::channel(false);
    let (done, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of descriptors or similar: wait, do not spin.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let mut closing = closing.subscribe();
        let done = done.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let timeout = limits.read_timeout;
            match tls {
                None => {
                    let connection = Connection { peer, client: None };
                    serve_one(stream, service, connection, timeout, &mut closing).await;
                }
                Some(acceptor) => {
                    // The handshake gets the same time as a request's headers.
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(timeout, acceptor.accept(stream)).await
                    else {
                        drop((slot, done));
                        return;
                    };
                    let client = crate::tls::client_name(stream.get_ref().1);
                    let connection = Connection { peer, client };
                    serve_one(stream, service, connection, timeout, &mut closing).await;
                }
            }
            drop((slot, done));
        });
    }
    drop(listener);
    closing.send_replace(true);
    drop(done);
    let _ = all_done.recv().await;
}

/// Who is at the other end of a connection.
#[derive(Clone, Debug)]
struct Connection {
    peer: SocketAddr,
    /// The subject (common name) of the client's certificate, when it
    /// presented one the configured CA signed.
    client: Option<String>,
}

/// The name in a client certificate that the CA signed, on every request
/// of that connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertificate(pub String);

/// Serves one connection's requests until it closes, or finishes them
/// gracefully once `closing` turns true.
async fn serve_one<I, S>(
    io: I,
    service: S,
    connection: Connection,
    timeout: Duration,
    closing: &mut watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let hyper_service =
        TowerToHyperService::new(service.map_request(move |request: Request<Incoming>| {
            let mut request = request.map(|body| Body::new(TimedBody::new(body, timeout)));
            request
                .extensions_mut()
                .insert(ConnectInfo(connection.peer));
            if let Some(client) = &connection.client {
                request
                    .extensions_mut()
                    .insert(ClientCertificate(client.clone()));
            }
            request
        }));
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout);
    builder.http2().timer(TokioTimer::new());
    let mut connection =
        pin!(builder.serve_connection_with_upgrades(TokioIo::new(io), hyper_service));
    let mut shutting_down = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            _ = closing.wait_for(|closing| *closing), if !shutting_down => {
                shutting_down = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// `configured`, kept below this process's open-file limit (with room for
/// the database and listeners), so that reaching the cap never leaves the
/// registry without a descriptor for `/healthz` or the store.
fn usable_connections(configured: usize) -> usize {
    const RESERVED: usize = 64;
    let open_files = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|line| line.starts_with("Max open files"))
                .and_then(|line| line.split_whitespace().nth(3))
                .and_then(|soft| soft.parse::<usize>().ok())
        });
    match open_files {
        Some(limit) => configured.min(limit.saturating_sub(RESERVED)).max(1),
        None => configured.max(1),
    }
}

pin_project_lite::pin_project! {
    /// A request body that fails once its deadline passes before it ends.
    struct TimedBody {
        #[pin]
        inner: Incoming,
        #[pin]
        deadline: Sleep,
    }
}

impl TimedBody {
    fn new(inner: Incoming, timeout: Duration) -> TimedBody {
        TimedBody {
            inner,
            deadline: tokio::time::sleep_until(Instant::now() + timeout),
        }
    }
}

impl http_body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match this.deadline.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BODY_TIMED_OUT.into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_open_file_limit() {
        assert_eq!(usable_connections(1), 1);
        assert_eq!(usable_connections(0), 1);
        let huge = usable_connections(usize::MAX);
        assert!(huge < usize::MAX, "the open-file limit applies: {huge}");
    }
}
