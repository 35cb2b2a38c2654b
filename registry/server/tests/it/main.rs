//! Black-box tests of the registry: the real server on an ephemeral port
//! with a temporary SQLite file, driven over HTTP.

mod browser;
mod client_transports;
mod compatibility;
mod config_mode;
mod contexts;
mod deletion;
mod durability;
mod grpc;
mod json;
mod limits;
mod listing;
mod lookup;
mod meta;
mod protobuf;
mod references;
mod register;
mod support;
mod ui;
mod versions;
