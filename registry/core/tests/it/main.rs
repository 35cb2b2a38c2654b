//! Integration tests of herald-core against external test data.

mod buf_breaking;
mod corpus;
