//! The Protobuf message indexes of Confluent's wire format.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    herald_core::fuzzing::message_indexes(data);
});
