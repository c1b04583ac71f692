//! Punycode (RFC 3492) encoding, used only to show the ASCII spelling of an internationalized host
//! in a configuration error. Matching never depends on it: hosts with non-ASCII characters are
//! refused, so a full IDNA implementation (and its dependency tree) is not needed.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

/// The ASCII spelling of a host name: each label lowercased and, when it is not ASCII,
/// punycode-encoded with the `xn--` prefix. `None` only on arithmetic overflow, which needs
/// labels far longer than any host.
pub(crate) fn to_ascii_host(host: &str) -> Option<String> {
    let mut out = String::with_capacity(host.len() + 8);
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let label = label.to_lowercase();
        if label.is_ascii() {
            out.push_str(&label);
        } else {
            out.push_str("xn--");
            out.push_str(&encode(&label)?);
        }
    }
    Some(out)
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
    use super::to_ascii_host;

    #[test]
    fn encodes_known_hosts() {
        let cases = [
            ("münchen.de", "xn--mnchen-3ya.de"),
            ("résumé.example", "xn--rsum-bpad.example"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("Bücher.Example", "xn--bcher-kva.example"),
            ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
            ("ascii.example", "ascii.example"),
        ];
        for (input, expected) in cases {
            assert_eq!(to_ascii_host(input).as_deref(), Some(expected), "{input}");
        }
    }
}
