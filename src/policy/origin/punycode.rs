//! The ASCII spelling of an internationalized host, used only to show it in a configuration
//! error. Matching never depends on it: hosts with non-ASCII characters are refused.
//!
//! Browsers turn a host into ASCII with UTS #46: characters are first mapped (full-width forms
//! to ASCII, uppercase to lowercase, compatibility characters to their canonical form, some
//! removed), then each label is punycode-encoded (RFC 3492). The full mapping table is large, so
//! only the part of it that can be stated exactly is applied here: full-width ASCII and the
//! ideographic full stops, and case for ASCII and Latin-1. A host with any other character the
//! mapping could change gets no spelling at all, rather than a wrong one.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// How a host's ASCII spelling was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AsciiHost {
    /// The mapping made every character ASCII (full-width letters, for one).
    Mapped(String),
    /// Some labels stay non-ASCII and are punycode-encoded.
    Punycode(String),
    /// The host has a character whose mapping is not known here: no spelling is given.
    Unknown,
}

/// The host as browsers send it: mapped as UTS #46 maps it, each label that is still not ASCII
/// punycode-encoded with the `xn--` prefix.
pub(crate) fn to_ascii_host(host: &str) -> AsciiHost {
    let Some(mapped) = host.chars().map(map).collect::<Option<String>>() else {
        return AsciiHost::Unknown;
    };
    if mapped.is_ascii() {
        return AsciiHost::Mapped(mapped);
    }
    let mut out = String::with_capacity(mapped.len() + 8);
    for (i, label) in mapped.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.push_str(label);
        } else {
            match encode(label) {
                Some(encoded) => {
                    out.push_str("xn--");
                    out.push_str(&encoded);
                }
                None => return AsciiHost::Unknown,
            }
        }
    }
    AsciiHost::Punycode(out)
}

/// One character as UTS #46 maps it, when that is known here: `None` otherwise.
fn map(c: char) -> Option<char> {
    let code = u32::from(c);
    Some(match code {
        0..=0x7f => c.to_ascii_lowercase(),
        // Full-width ASCII (`ａ`, `Ａ`, `．`), then case.
        0xff01..=0xff5e => char::from_u32(code - 0xfee0)?.to_ascii_lowercase(),
        // The ideographic full stops separate labels like `.`.
        0x3002 | 0xff61 => '.',
        // Latin-1 capitals but the multiplication sign map to their small letters.
        0xc0..=0xde if code != 0xd7 => char::from_u32(code + 0x20)?,
        // Characters the mapping leaves as they are: Latin-1 small letters (but the
        // division sign and `ß`, which browsers have spelled two ways), Greek small letters
        // (but final sigma, likewise), Cyrillic small letters, kana, CJK ideographs, Hangul.
        0xe0..=0xff if code != 0xf7 => c,
        0x3ac..=0x3ce if code != 0x3c2 => c,
        0x430..=0x45f => c,
        0x3041..=0x3096 | 0x30a1..=0x30fa => c,
        0x4e00..=0x9fff | 0xac00..=0xd7a3 => c,
        _ => return None,
    })
}

fn encode(label: &str) -> Option<String> {
    let input: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic = output.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        output.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    while (handled as usize) < input.len() {
        let m = input.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n += 1;
    }
    Some(output)
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(d: u32) -> char {
    match d {
        0..=25 => char::from(b'a' + d as u8),
        _ => char::from(b'0' + (d - 26) as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::{to_ascii_host, AsciiHost};

    #[test]
    fn encodes_known_hosts() {
        let cases = [
            ("münchen.de", "xn--mnchen-3ya.de"),
            ("résumé.example", "xn--rsum-bpad.example"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("Bücher.Example", "xn--bcher-kva.example"),
            ("BÜCHER.example", "xn--bcher-kva.example"),
            ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
            ("пример.испытание", "xn--e1afmkfd.xn--80akhbyknj4f"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                to_ascii_host(input),
                AsciiHost::Punycode(expected.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn full_width_forms_map_to_ascii_as_browsers_map_them() {
        for (input, expected) in [
            ("ａpp.example.com", "app.example.com"),
            ("ＡＰＰ．ｅｘａｍｐｌｅ。com", "app.example.com"),
            ("１２７.０.０.１", "127.0.0.1"),
        ] {
            assert_eq!(
                to_ascii_host(input),
                AsciiHost::Mapped(expected.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn hosts_the_mapping_could_change_get_no_spelling() {
        for input in [
            "straße.example",
            "ς.example",
            "ｱ.example",
            "a\u{200d}b.example",
            "a\u{00ad}b.example",
            "e\u{0301}.example",
            "ﬁle.example",
            "ǅ.example",
            "ℌ.example",
            "①.example",
        ] {
            assert_eq!(to_ascii_host(input), AsciiHost::Unknown, "{input:?}");
        }
    }
}
