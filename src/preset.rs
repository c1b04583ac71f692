//! Presets: the methods and headers a protocol needs, added to a policy's lists. A preset never
//! adds origins or credentials, so it cannot widen who may call.

use std::fmt;
use std::str::FromStr;

/// A named set of methods, request headers and exposed headers for a protocol that browsers
/// speak over CORS.
///
/// | preset | methods | request headers | exposed headers |
/// |---|---|---|---|
/// | `grpc-web` | POST | content-type, x-grpc-web, x-user-agent, grpc-timeout | grpc-status, grpc-message, grpc-status-details-bin |
/// | `connect` | GET, POST | content-type, connect-protocol-version, connect-timeout-ms, connect-accept-encoding, connect-content-encoding, accept-encoding, content-encoding, grpc-timeout, x-grpc-web, x-user-agent | grpc-status, grpc-message, grpc-status-details-bin, content-encoding, connect-content-encoding |
///
/// `accept-encoding` is one of the request headers browsers never let scripts set; it is listed
/// for completeness and, like any such name, has no effect.
///
/// ```
/// use tower_cors::{CorsLayer, Preset};
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .preset(Preset::GrpcWeb)
///     .build()?;
/// let preflight = http::Request::options("/helloworld.Greeter/SayHello")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "POST")
///     .header("access-control-request-headers", "content-type,x-grpc-web,x-user-agent")
///     .body(())?;
/// assert!(!layer.decide(&preflight).is_refused());
/// assert_eq!("connect".parse::<Preset>(), Ok(Preset::Connect));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// gRPC-web, as tonic-web and grpc-web clients speak it.
    GrpcWeb,
    /// The Connect protocol (connectrpc.com), which also carries gRPC-web.
    Connect,
}

const GRPC_STATUS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

impl Preset {
    /// Every preset. A slice, not an array, so that adding a preset changes no type.
    ///
    /// ```
    /// use tower_cors::Preset;
    ///
    /// let names: Vec<&str> = Preset::ALL.iter().map(|preset| preset.name()).collect();
    /// assert_eq!(names, ["grpc-web", "connect"]);
    /// ```
    pub const ALL: &'static [Preset] = &[Preset::GrpcWeb, Preset::Connect];

    /// The preset's name in configuration: `grpc-web` or `connect`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::GrpcWeb => "grpc-web",
            Preset::Connect => "connect",
        }
    }

    /// The methods it adds.
    pub fn methods(self) -> &'static [&'static str] {
        match self {
            Preset::GrpcWeb => &["POST"],
            Preset::Connect => &["GET", "POST"],
        }
    }

    /// The request headers it adds.
    pub fn request_headers(self) -> &'static [&'static str] {
        match self {
            Preset::GrpcWeb => &["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"],
            Preset::Connect => &[
                "content-type",
                "connect-protocol-version",
                "connect-timeout-ms",
                "connect-accept-encoding",
                "connect-content-encoding",
                "accept-encoding",
                "content-encoding",
                "grpc-timeout",
                "x-grpc-web",
                "x-user-agent",
            ],
        }
    }

    /// The response headers it exposes.
    pub fn exposed_headers(self) -> &'static [&'static str] {
        match self {
            Preset::GrpcWeb => &GRPC_STATUS,
            Preset::Connect => &[
                GRPC_STATUS[0],
                GRPC_STATUS[1],
                GRPC_STATUS[2],
                "content-encoding",
                "connect-content-encoding",
            ],
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown preset name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPreset(String);

impl fmt::Display for UnknownPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown preset {}; the presets are grpc-web, connect",
            crate::error::quoted(&self.0)
        )
    }
}

impl std::error::Error for UnknownPreset {}

impl FromStr for Preset {
    type Err = UnknownPreset;

    /// Parses `grpc-web` or `connect` (ASCII case ignored, surrounding spaces trimmed).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let trimmed = name.trim();
        Preset::ALL
            .iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| UnknownPreset(name.to_owned()))
    }
}
