//! Herald's registry server: the store (sqlx), the service layer that holds
//! the registry's rules, and the Confluent-compatible REST API (axum).
//!
//! Not for: parsing or judging schemas (that is `herald-core`), or command
//! line handling (that is `herald-cli`).

pub mod config;
pub mod grpc;
pub mod rest;
pub mod service;
pub mod store;
pub mod ui;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use config::{ServerConfig, Storage};
use service::Registry;
use store::{Store, StoreError};

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data directory or the listening socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: io::Error,
    },
}

/// A registry bound to its socket, ready to serve.
pub struct Server {
    listener: tokio::net::TcpListener,
    registry: Arc<Registry>,
    router: axum::Router,
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
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Io {
                context: format!("listening on {}", config.listen),
                source,
            })?;
        let registry = Registry::new(store, config.limits);
        let http =
            ui::router(registry.clone()).merge(rest::router(registry.clone(), &config.limits));
        let router = grpc::routes(http, registry.clone());
        Ok(Server {
            listener,
            registry,
            router,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, ends the change-feed watches, lets
    /// requests in flight finish, then closes the store.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let registry = self.registry.clone();
        let stopping = async move {
            shutdown.await;
            registry.end_watches();
        };
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stopping)
            .await?;
        self.registry.store().close().await;
        Ok(())
    }
}
