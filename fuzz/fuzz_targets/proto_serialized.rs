//! Serialized `FileDescriptorProto`s, as Confluent's serializers register them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    herald_core::fuzzing::serialized_descriptor(data);
});
