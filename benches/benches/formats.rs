//! Criterion micro-benchmarks (filled in next).

fn main() {}
