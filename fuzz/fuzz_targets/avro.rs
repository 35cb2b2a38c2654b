//! Avro schemas: parse, render, and judge two of them under FULL.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    herald_core::fuzzing::schemas(herald_core::SchemaType::Avro, data);
});
