//! Herald's schema model: the schema formats, references, canonical forms,
//! fingerprints and the compatibility engine.
//!
//! This crate is a pure library. It performs no I/O, spawns nothing and knows
//! nothing of storage or transport: the registry server resolves references
//! (by reading other subjects) and hands this crate plain texts.
//!
//! Not for: HTTP, databases, ids, versions or modes (see `herald-server`).

pub mod avro;
pub mod compatibility;
pub mod error;
pub mod finding;
pub mod fuzzing;
pub mod json;
pub mod json_position;
pub mod limits;
pub mod parsed;
pub mod project;
pub mod protobuf;
pub mod reference;
pub mod schema_type;
pub mod tags;
pub mod time;

pub use compatibility::{CheckRules, CompatibilityLevel, Direction, ProtobufRules};
pub use error::SchemaError;
pub use finding::{Finding, Location};
pub use json::CompatibilityPolicy;
pub use limits::ParseLimits;
pub use parsed::{ParsedSchema, Validation};
pub use reference::{ReferencedSchema, SchemaReference, names_defined, names_referenced};
pub use schema_type::SchemaType;
