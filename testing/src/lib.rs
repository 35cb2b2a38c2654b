//! Test support shared by Herald's suites: the database a test registry
//! runs on. A temporary SQLite file by default; with
//! `HERALD_TEST_BACKEND=postgres`, a freshly created PostgreSQL database of
//! its own, dropped when the test ends, on the server `HERALD_TEST_POSTGRES`
//! names (default: the machine's, `postgres://postgres@127.0.0.1:5432`).
//! `scripts/test` runs the server suite both ways.
//!
//! [`tansu::Tansu`] is a Kafka-compatible broker for one test. The
//! database part is the `database` feature.
//!
//! Not for: production code (no crate depends on it outside its tests).

pub mod tansu;

#[cfg(feature = "database")]
mod database;
#[cfg(feature = "database")]
pub use database::TestDatabase;
