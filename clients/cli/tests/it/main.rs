//! Tests of the `herald` binary as a user runs it.

mod serve;
