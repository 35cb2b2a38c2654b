//! The servers a benchmark drives, each on a runtime of its own (two worker
//! threads, as `herald serve` has on this machine) in a thread of its own:
//! the real registry, and the ceiling — a bare axum handler answering with
//! a fixed byte string of the same size, started the same way.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::{Router, ServiceExt};
use herald_server::Server;
use herald_server::config::{ServerConfig, Storage};
use tokio::sync::oneshot;

/// A server running until stopped (or dropped).
pub struct Running {
    /// Where it listens.
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops it and waits until it has.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The runtime every server gets: two workers, like `herald serve` here.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Starts `serve` (given the stop signal) on its own runtime and thread;
/// returns once it listens.
fn spawn<F, Fut>(serve: F) -> Running
where
    F: FnOnce(std::sync::mpsc::Sender<SocketAddr>, oneshot::Receiver<()>) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (address_tx, address_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = oneshot::channel();
    let thread = std::thread::spawn(move || runtime().block_on(serve(address_tx, stopped)));
    let address = address_rx.recv().expect("the server starts");
    Running {
        address,
        stop: Some(stop),
        thread: Some(thread),
    }
}

/// The registry on `storage`, on 127.0.0.1.
pub fn herald(storage: Storage) -> Running {
    herald_configured(ServerConfig {
        storage,
        ..ServerConfig::default()
    })
}

/// The registry as `config` says, on 127.0.0.1 (a free port).
pub fn herald_configured(config: ServerConfig) -> Running {
    spawn(move |address, stopped| async move {
        let config = ServerConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            ..config
        };
        let server = Server::bind(&config).await.expect("the registry starts");
        let _ = address.send(server.local_addr().expect("address"));
        server
            .run(async {
                let _ = stopped.await;
            })
            .await
            .expect("the registry runs");
    })
}

/// A stricter ceiling: a bare tower service (no router at all) answering
/// every request 200 with `body`, served the same way.
pub fn bare_service(body: Vec<u8>) -> Running {
    let body = Bytes::from(body);
    spawn(move |address, stopped| async move {
        let service = tower::service_fn(move |_: axum::extract::Request| {
            let answer = answer(body.clone());
            async move { Ok::<_, std::convert::Infallible>(answer) }
        });
        serve(service, address, stopped).await;
    })
}

/// The ceiling: a bare axum handler; every GET or POST (whose body is
/// read) is answered 200 with `body` as the registry's media type.
pub fn ceiling(body: Vec<u8>) -> Running {
    let body = Bytes::from(body);
    spawn(move |address, stopped| async move {
        let handler = move |_: Bytes| {
            let answer = answer(body.clone());
            async move { answer }
        };
        serve(Router::new().fallback(handler), address, stopped).await;
    })
}

/// `body` as the registry's media type.
fn answer(body: Bytes) -> axum::response::Response {
    (
        [(CONTENT_TYPE, "application/vnd.schemaregistry.v1+json")],
        body,
    )
        .into_response()
}

/// Serves `service` on a free loopback port (sent to `address`) until
/// `stopped`.
async fn serve<S>(
    service: S,
    address: std::sync::mpsc::Sender<SocketAddr>,
    stopped: oneshot::Receiver<()>,
) where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the ceiling binds");
    let _ = address.send(listener.local_addr().expect("address"));
    axum::serve(listener, service.into_make_service())
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
        .expect("the ceiling runs");
}
