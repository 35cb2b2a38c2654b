//! Herald's registry server: the store (sqlx on SQLite or PostgreSQL), the
//! service layer that holds the registry's rules, the Confluent-compatible
//! REST API (axum), the gRPC API (tonic) and the web UI.
//!
//! Not for: parsing or judging schemas (that is `herald-core`), or command
//! line handling (that is `herald-cli`).

pub mod access;
pub(crate) mod aliases;
pub mod config;
pub(crate) mod connections;
pub mod grpc;
pub(crate) mod guard;
pub mod metrics;
pub(crate) mod model;
pub mod observe;
pub(crate) mod paths;
pub(crate) mod rest;
pub(crate) mod service;
pub mod store;
pub(crate) mod tls;
pub(crate) mod ui;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use access::AccessControl;
use access::layer::Access;
use aliases::Aliases;
use config::{ServerConfig, Storage};
use connections::ConnectionLimits;
use guard::{RequestGuard, Rules};
use observe::Observe;
use rest::hot_path::SchemaByIdHotPath;
use service::Registry;
use store::{Store, StoreError};

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The access configuration (or its credentials file) is not valid.
    #[error("access control: {0}")]
    Access(String),
    /// The TLS certificate or key cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The data directory or the listening socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: io::Error,
    },
}

/// What `herald serve` answers over HTTP, in the order a request meets it:
/// the request guard (Host, Origin, CORS), access control (who calls, and
/// may they), the by-id fast path (cached schemas answered before any
/// routing), then the router — REST, the UI and, on a shared port, gRPC —
/// with its layers. A layer meant for every request wraps this service,
/// never the router alone: the fast path answers before the router.
pub type HttpApp = Observe<RequestGuard<Aliases<Access<SchemaByIdHotPath<axum::Router>>>>>;

/// A registry bound to its socket(s), ready to serve.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    /// gRPC's own socket and routes, when it does not share `listener`.
    grpc: Option<(tokio::net::TcpListener, axum::Router)>,
    /// `/metrics` alone, on a socket of its own, when asked for.
    metrics: Option<tokio::net::TcpListener>,
    registry: Arc<Registry>,
    access: Arc<AccessControl>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    config: ServerConfig,
}

impl Server {
    /// Opens the store (applying migrations) and binds the listening socket.
    pub async fn bind(config: &ServerConfig) -> Result<Server, StartError> {
        let store = match &config.storage {
            Storage::DataDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StartError::Io {
                    context: format!("creating data directory {}", dir.display()),
                    source,
                })?;
                Store::open_file(&dir.join("herald.db")).await?
            }
            Storage::Url(url) => Store::open_url(url).await?,
        };
        let access = AccessControl::new(&config.access, config.limits.max_body_bytes)
            .map_err(StartError::Access)?;
        let tls = config
            .tls
            .as_ref()
            .map(tls::acceptor)
            .transpose()
            .map_err(StartError::Tls)?;
        let listener = bind(config.listen).await?;
        let registry = Registry::new(store, config.limits);
        let http =
            ui::router(registry.clone()).merge(rest::router(registry.clone(), &config.limits));
        let (router, grpc) = match config.grpc_listen {
            None => (grpc::routes(http, registry.clone()), None),
            Some(address) => {
                let routes = grpc::routes(axum::Router::new(), registry.clone());
                (http, Some((bind(address).await?, routes)))
            }
        };
        let metrics = match config.metrics_listen {
            Some(address) => Some(bind(address).await?),
            None => None,
        };
        Ok(Server {
            listener,
            router,
            grpc,
            metrics,
            registry,
            access: Arc::new(access),
            tls,
            config: config.clone(),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The address gRPC is served on: its own, or the HTTP one.
    pub fn grpc_addr(&self) -> io::Result<SocketAddr> {
        match &self.grpc {
            Some((listener, _)) => listener.local_addr(),
            None => self.local_addr(),
        }
    }

    /// The address `/metrics` is served on alone, if one was asked for.
    pub fn metrics_addr(&self) -> Option<io::Result<SocketAddr>> {
        self.metrics
            .as_ref()
            .map(tokio::net::TcpListener::local_addr)
    }

    /// The HTTP service [`Server::run`] serves on the listener, for driving
    /// it in-process (e.g. with `tower::ServiceExt::oneshot`).
    pub fn app(&self) -> io::Result<HttpApp> {
        let rules = Rules::new(&self.config.browsers, self.listener.local_addr()?);
        let fast = SchemaByIdHotPath::new(self.router.clone(), self.registry.clone());
        let access = Access::new(fast, self.access.clone(), self.registry.clone());
        let aliases = Aliases::new(access, self.registry.clone());
        let guarded = RequestGuard::new(aliases, rules);
        Ok(Observe::new(guarded, self.registry.metrics()))
    }

    /// Serves until `shutdown` completes, ends the change-feed watches, lets
    /// requests in flight finish, then closes the store.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        prune_audit_log(
            self.registry.clone(),
            self.config.audit_retention,
            stopped.clone(),
        );
        let registry = self.registry.clone();
        tokio::spawn(async move {
            shutdown.await;
            registry.end_watches();
            let _ = stop.send(true);
        });
        let limits = ConnectionLimits {
            max_connections: self.config.limits.max_connections,
            read_timeout: self.config.limits.request_read_timeout,
        };
        let app = self.app()?;
        if let Some(listener) = self.metrics {
            let scrapes = rest::metrics_only(self.registry.clone());
            tokio::spawn(connections::serve(
                listener,
                scrapes,
                limits,
                None,
                stopped.clone(),
            ));
        }
        let http = connections::serve(
            self.listener,
            app,
            limits,
            self.tls.clone(),
            stopped.clone(),
        );
        match self.grpc {
            None => http.await,
            Some((listener, routes)) => {
                let routes = Access::new(routes, self.access.clone(), self.registry.clone());
                let routes = Observe::new(routes, self.registry.metrics());
                let grpc = connections::serve(listener, routes, limits, self.tls, stopped);
                tokio::join!(http, grpc);
            }
        }
        self.registry.store().close().await;
        Ok(())
    }
}

/// Applies `retention` to the audit log now and every ten minutes until
/// `stopped`.
fn prune_audit_log(
    registry: Arc<Registry>,
    retention: config::AuditRetention,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    if retention == config::AuditRetention::default() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            match registry.prune_audit(retention).await {
                Ok(0) => {}
                Ok(removed) => {
                    tracing::info!(removed, "audit log entries past their retention removed")
                }
                Err(error) => tracing::warn!(%error, "pruning the audit log failed"),
            }
        }
    });
}

async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| StartError::Io {
            context: format!("listening on {address}"),
            source,
        })
}
