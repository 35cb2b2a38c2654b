//! Compiles Herald's envelope proto with protox (no `protoc`) and
//! prost-build; with the `grpc` feature, also the registry's gRPC API
//! (client side) with tonic's prost builder.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../proto");
    let envelope = "herald/envelope/v1/envelope.proto";
    println!("cargo:rerun-if-changed={root}/{envelope}");
    prost_build::Config::new().compile_fds(protox::compile([envelope], [root])?)?;
    #[cfg(feature = "grpc")]
    {
        let registry = "herald/registry/v1/registry.proto";
        println!("cargo:rerun-if-changed={root}/{registry}");
        tonic_prost_build::configure()
            .build_server(false)
            .compile_fds(protox::compile([registry], [root])?)?;
    }
    Ok(())
}
