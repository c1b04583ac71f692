//! Request classification, following Fetch ("CORS protocol", "HTTP requests"): a request without
//! `Origin` is not a CORS request; `OPTIONS` with `Origin` and `Access-Control-Request-Method` is a
//! preflight; every other request with `Origin`, `OPTIONS` without that header included, is an
//! actual CORS request that the inner service must see.

use http::header::{HeaderMap, HeaderValue, ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN};
use http::{Method, Uri};

/// What kind of request this is, with the values the layer needs from it.
#[derive(Debug)]
pub(crate) enum Classified<'a> {
    NotCors,
    Preflight {
        origin: RequestOrigin<'a>,
        method: &'a HeaderValue,
    },
    Actual {
        origin: RequestOrigin<'a>,
    },
}

/// The request's `Origin`: browsers send exactly one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RequestOrigin<'a> {
    One(&'a HeaderValue),
    /// Several `Origin` lines, which no browser sends; never allowed by a list.
    Several,
}

pub(crate) fn classify<'a>(method: &Method, headers: &'a HeaderMap) -> Classified<'a> {
    let mut origins = headers.get_all(ORIGIN).iter();
    let origin = match (origins.next(), origins.next()) {
        (None, _) => return Classified::NotCors,
        (Some(origin), None) => RequestOrigin::One(origin),
        (Some(_), Some(_)) => RequestOrigin::Several,
    };
    if method == Method::OPTIONS {
        if let Some(requested) = headers.get(ACCESS_CONTROL_REQUEST_METHOD) {
            return Classified::Preflight {
                origin,
                method: requested,
            };
        }
    }
    Classified::Actual { origin }
}

/// The server's authority as the client addressed it: `Host`, or for HTTP/2 and HTTP/3, whose
/// requests carry none, the URI's authority.
pub(crate) fn host_of(headers: &HeaderMap, uri: &Uri) -> Option<HeaderValue> {
    if let Some(host) = headers.get(HOST) {
        return Some(host.clone());
    }
    let authority = uri.authority()?;
    HeaderValue::from_str(authority.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_request_without_origin_is_not_cors_even_with_acrm() {
        let h = headers(&[("access-control-request-method", "PUT")]);
        assert!(matches!(
            classify(&Method::OPTIONS, &h),
            Classified::NotCors
        ));
    }

    #[test]
    fn options_with_origin_and_acrm_is_a_preflight() {
        let h = headers(&[
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ]);
        assert!(matches!(
            classify(&Method::OPTIONS, &h),
            Classified::Preflight { .. }
        ));
    }

    #[test]
    fn options_without_acrm_is_an_actual_request() {
        let h = headers(&[("origin", "https://a.example")]);
        assert!(matches!(
            classify(&Method::OPTIONS, &h),
            Classified::Actual { .. }
        ));
    }

    #[test]
    fn acrm_on_another_method_is_an_actual_request() {
        let h = headers(&[
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ]);
        assert!(matches!(
            classify(&Method::POST, &h),
            Classified::Actual { .. }
        ));
    }

    #[test]
    fn several_origin_lines_are_flagged() {
        let h = headers(&[
            ("origin", "https://a.example"),
            ("origin", "https://b.example"),
        ]);
        assert!(matches!(
            classify(&Method::GET, &h),
            Classified::Actual {
                origin: RequestOrigin::Several
            }
        ));
    }
}
