//! Tests of the `herald` binary as a user runs it.

mod access;
mod agreement;
mod compat;
mod confluent_python;
mod gate;
mod import;
mod migrate;
mod openapi;
mod replicas;
mod scripted;
mod serve;
mod support;
mod traces;
mod twins;
