//! The values the builder's list methods take: text, and the `http` crate's typed values, so that
//! a setup written with `Method::PUT` or `header::CONTENT_TYPE` carries over unchanged.

use std::borrow::Cow;

use http::{HeaderName, HeaderValue, Method};

/// A value the builder's list methods take: text, or one of the `http` crate's typed values.
///
/// The [`CorsBuilder`](crate::CorsBuilder)'s list methods accept `&str`, `String`, `Cow<str>`,
/// [`http::Method`], [`http::HeaderName`] and [`http::HeaderValue`] (owned or borrowed).
///
/// Every value becomes text in the [`CorsConfig`](crate::CorsConfig) and goes through the same
/// validation as a string from a file. A `HeaderValue` that is not UTF-8 cannot be an origin, a
/// method, a header name or a path: [`build`](crate::CorsBuilder::build) reports it as an error
/// naming the value. Every error is located at the position the caller passed the value at, in
/// the whole list the builder's calls made, values that could not become text counted.
///
/// This trait is sealed: the builder knows how to read each of these types, and no other.
///
/// ```
/// use http::{header, HeaderValue, Method};
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder()
///     .allow_origins([HeaderValue::from_static("https://app.example.com")])
///     .allow_methods([Method::GET, Method::PUT])
///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
///     .expose_headers([header::ETAG])
///     .build()?;
/// assert_eq!(layer.config().allowed_methods, ["GET", "PUT"]);
/// assert_eq!(layer.config().allowed_headers, ["content-type", "authorization"]);
/// # Ok::<(), tower_cors::ConfigErrors>(())
/// ```
pub trait ConfigValue: sealed::Sealed {}

#[allow(unreachable_pub)]
mod sealed {
    pub trait Sealed {
        /// The value as text, or, for bytes that are not UTF-8, the error: the bytes shown with
        /// U+FFFD for the invalid ones.
        fn into_text(self) -> Result<String, String>;
    }
}

pub(crate) fn into_text(value: impl ConfigValue) -> Result<String, String> {
    sealed::Sealed::into_text(value)
}

macro_rules! text {
    ($($ty:ty => $convert:expr),* $(,)?) => {
        $(
            impl ConfigValue for $ty {}
            impl sealed::Sealed for $ty {
                fn into_text(self) -> Result<String, String> {
                    let convert: fn($ty) -> Result<String, String> = $convert;
                    convert(self)
                }
            }
        )*
    };
}

fn header_value(value: &HeaderValue) -> Result<String, String> {
    std::str::from_utf8(value.as_bytes())
        .map(str::to_owned)
        .map_err(|_| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

text! {
    &str => |s| Ok(s.to_owned()),
    String => Ok,
    &String => |s| Ok(s.clone()),
    Cow<'_, str> => |s| Ok(s.into_owned()),
    Box<str> => |s| Ok(s.into()),
    Method => |m| Ok(m.as_str().to_owned()),
    &Method => |m| Ok(m.as_str().to_owned()),
    HeaderName => |h| Ok(h.as_str().to_owned()),
    &HeaderName => |h| Ok(h.as_str().to_owned()),
    HeaderValue => |v| header_value(&v),
    &HeaderValue => header_value,
}
