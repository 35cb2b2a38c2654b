//! Black-box tests of the registry: the real server on an ephemeral port,
//! driven over HTTP and gRPC, on a temporary SQLite file or (with
//! `HERALD_TEST_BACKEND=postgres`) a fresh PostgreSQL database.

mod access;
mod aliases;
mod app;
mod browser;
mod client_transports;
mod compatibility;
mod config_mode;
mod contexts;
mod contracts;
mod deletion;
mod durability;
mod grpc;
mod hostile;
mod json;
mod limits;
mod listing;
mod lookup;
mod meta;
mod observe;
mod protobuf;
mod references;
mod register;
mod replicas;
mod support;
mod tags;
mod tls;
mod ui;
mod versions;
mod warnings;
