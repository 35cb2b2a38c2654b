//! Herald's benchmark tooling: an HTTP/1.1 load driver with fixed request
//! counts and concurrency, the servers it drives (the real registry and a
//! bare axum ceiling, started the same way), and realistic schemas.
//!
//! Not for: asserting speed in tests (figures go to docs/benchmarks.md).

pub mod drive;
pub mod process;
pub mod schemas;
pub mod servers;
