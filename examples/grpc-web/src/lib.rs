//! The gRPC-web example of tower-cors lives in `examples/grpc_web.rs` and its tests in `tests/`;
//! this package exists so that tonic and prost are compiled for them alone. Run it with
//!
//! ```not_rust
//! cargo run -p tower-cors-example-grpc-web --example grpc_web
//! ```
