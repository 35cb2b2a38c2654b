//! The orders example: generated event types (see build.rs) and the two
//! services, [`services::publish_sample`] (the order service) and
//! [`services::consume`] (the billing service).

include!(concat!(env!("OUT_DIR"), "/herald.rs"));

pub mod services;
