//! `herald.toml`, the project file of `herald check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    herald_core::fuzzing::project_file(data);
});
