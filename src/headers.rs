//! Header syntax shared by validation and request handling: HTTP tokens, the comma-separated
//! lists of RFC 9110 §5.6.1, and appending to `Vary`.

use http::header::{Entry, HeaderMap, HeaderValue, VARY};

/// Combined length of all `Access-Control-Request-Headers` lines beyond which a preflight is
/// refused without looking at the names. Browsers send a sorted, de-duplicated list of the
/// request's non-safelisted names on one line, which stays far below this.
pub(crate) const MAX_REQUEST_HEADERS_LEN: usize = 4096;

/// Number of `Access-Control-Request-Headers` lines beyond which a preflight is refused.
/// Browsers send one; proxies that split lists make a few. Walking the lines costs a step
/// each, so the bound is kept low.
pub(crate) const MAX_REQUEST_HEADERS_LINES: usize = 16;

/// `tchar` from RFC 9110 §5.6.2, as a table: checking a name costs one load per byte.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
            | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
        b += 1;
    }
    table
};

/// Whether `s` is an HTTP token (a valid method or field name).
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| TCHAR[usize::from(b)])
}

/// Trims optional whitespace (spaces and tabs) from both ends of a list element.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// The non-empty, trimmed elements of a comma-separated list spread over several field lines.
pub(crate) fn list_elements<'a>(
    lines: impl Iterator<Item = &'a HeaderValue> + 'a,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    lines
        .flat_map(|line| line.as_bytes().split(|&b| b == b','))
        .map(trim_ows)
        .filter(|element| !element.is_empty())
}

/// Appends `value` (a lowercase field name such as `origin`) to `Vary`, unless `Vary` already
/// names it or is `*`. Existing `Vary` lines are left as they are, so nothing the inner service
/// wrote is lost.
pub(crate) fn append_vary(headers: &mut HeaderMap, name: &'static str, value: &HeaderValue) {
    // One lookup whether or not the inner service wrote a `Vary`.
    match headers.entry(VARY) {
        Entry::Vacant(entry) => {
            entry.insert(value.clone());
        }
        Entry::Occupied(mut entry) => {
            let present = list_elements(entry.iter())
                .any(|element| element == b"*" || element.eq_ignore_ascii_case(name.as_bytes()));
            if !present {
                entry.append(value.clone());
            }
        }
    }
}

/// Joins names into one `HeaderValue` separated by `", "`; `None` for an empty list.
pub(crate) fn join<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<HeaderValue> {
    let joined = names.into_iter().collect::<Vec<_>>().join(", ");
    if joined.is_empty() {
        return None;
    }
    HeaderValue::from_str(&joined).ok()
}

/// Request headers browsers never let scripts set (Fetch, "forbidden request-header"); allowing
/// them has no effect. `name` is lowercase.
pub(crate) fn is_forbidden_request_header(name: &str) -> bool {
    const NAMES: [&str; 22] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    NAMES.contains(&name) || name.starts_with("proxy-") || name.starts_with("sec-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_elements_cope_with_odd_spacing_and_empty_elements() {
        let lines = [
            HeaderValue::from_static(" ,x-a ,\t X-B,,"),
            HeaderValue::from_static(""),
            HeaderValue::from_static("x-c"),
        ];
        let elements: Vec<&[u8]> = list_elements(lines.iter()).collect();
        assert_eq!(elements, [&b"x-a"[..], b"X-B", b"x-c"]);
    }

    #[test]
    fn tokens_follow_rfc_9110() {
        assert!(is_token(b"x-custom_header.v2"));
        assert!(is_token(b"PATCH"));
        assert!(!is_token(b""));
        assert!(!is_token(b"bad value"));
        assert!(!is_token(b"x:y"));
        assert!(!is_token("é".as_bytes()));
    }

    #[test]
    fn append_vary_keeps_existing_values_and_never_duplicates() {
        let origin = HeaderValue::from_static("origin");
        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        append_vary(&mut headers, "origin", &origin);
        append_vary(&mut headers, "origin", &origin);
        let vary: Vec<_> = headers.get_all(VARY).iter().collect();
        assert_eq!(vary, ["accept-encoding", "origin"]);

        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("Accept, ORIGIN"));
        append_vary(&mut headers, "origin", &origin);
        assert_eq!(headers.get_all(VARY).iter().count(), 1);

        let mut headers = HeaderMap::new();
        headers.insert(VARY, HeaderValue::from_static("*"));
        append_vary(&mut headers, "origin", &origin);
        assert_eq!(headers.get_all(VARY).iter().collect::<Vec<_>>(), ["*"]);
    }
}
