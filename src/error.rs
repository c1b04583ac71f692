//! Configuration errors: every problem found in a configuration, each naming where the value came
//! from, the value, what is wrong with it and how to fix it.

use std::borrow::Cow;
use std::fmt;

/// What kind of problem a [`ConfigError`] reports.
///
/// Useful for programs that turn configuration errors into their own messages or API responses;
/// people read the [`Display`](fmt::Display) of the [`ConfigError`] instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// No origin is allowed at all.
    NoOrigins,
    /// An origin entry that cannot be read as an origin or origin pattern.
    InvalidOrigin,
    /// An origin entry that is an origin, but not spelled the way browsers send it.
    NonCanonicalOrigin,
    /// `*` together with other origin entries.
    WildcardInList,
    /// `null` without the dedicated opt-in.
    NullOrigin,
    /// A `file://` origin, which browsers serialize as `null`.
    FileOrigin,
    /// Every origin allowed (`*`) together with credentials.
    AnyOriginWithCredentials,
    /// A plain `http://` origin other than loopback, together with credentials.
    InsecureOriginWithCredentials,
    /// A subdomain wildcard over a public suffix (`https://*.github.io`), together with credentials.
    PublicSuffixWildcardWithCredentials,
    /// A regular expression that does not compile, is too large, or matches origins it must not.
    InvalidRegex,
    /// Regular-expression origins were configured but the `regex` feature is disabled.
    RegexDisabled,
    /// A method that is not a valid HTTP token.
    InvalidMethod,
    /// `CONNECT`, `TRACE` or `TRACK`, which browsers never send.
    ForbiddenMethod,
    /// A header name that is not a valid HTTP token.
    InvalidHeaderName,
    /// A request header browsers never let scripts set (`cookie`, `host`, `sec-*`, ...).
    ForbiddenRequestHeader,
    /// A response-only CORS header listed as a request header, or a request-only one as exposed.
    MisplacedHeader,
    /// `set-cookie` in the exposed headers: browsers never expose it.
    ForbiddenExposedHeader,
    /// Every response header exposed (`*`) together with credentials.
    AnyExposedHeaderWithCredentials,
    /// A max age outside 0 to 86400 seconds.
    MaxAgeOutOfRange,
    /// A value of the wrong type or shape (a word where a boolean was expected, for example).
    InvalidValue,
    /// A key that configuration does not know, or an environment variable under the prefix so
    /// close to a known one that it is taken for a typo (`CORS_MAXAGE`, `CORS_Max_Age`).
    UnknownKey,
    /// A configuration file that could not be read or parsed.
    Source,
    /// An origin predicate together with every origin allowed (`*`), which leaves the predicate
    /// nothing to decide.
    PredicateWithAnyOrigin,
    /// Cross-origin protection together with every origin allowed (`*`), which leaves it
    /// nothing to protect.
    CrossOriginProtectionWithAnyOrigin,
    /// A cross-origin exempt path that is not a path prefix (`/hooks`).
    InvalidExemptPath,
}

/// Where in a configuration a value sits: a key, and the index of a list entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At {
    pub(crate) key: &'static str,
    pub(crate) index: Option<usize>,
}

impl At {
    pub(crate) fn entry(key: &'static str, index: usize) -> Self {
        Self {
            key,
            index: Some(index),
        }
    }
}

impl From<&'static str> for At {
    fn from(key: &'static str) -> Self {
        Self { key, index: None }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)?;
        if let Some(index) = self.index {
            write!(f, "[{index}]")?;
        }
        Ok(())
    }
}

impl Source {
    /// How a value at `key` (and `index`) from this source is named: the variable, or the file
    /// and key.
    pub(crate) fn locate(&self, key: &str, index: Option<usize>) -> String {
        match self {
            Source::Env(variable) => variable.clone(),
            Source::File(path) if key.is_empty() => path.clone(),
            Source::File(path) => match index {
                Some(index) => format!("{path}: {key}[{index}]"),
                None => format!("{path}: {key}"),
            },
        }
    }
}

/// Where a configuration value came from, when not from code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// An environment variable, by name.
    #[cfg_attr(not(feature = "env"), allow(dead_code))]
    Env(String),
    /// A TOML file, by path.
    #[cfg_attr(not(feature = "toml"), allow(dead_code))]
    File(String),
}

/// One problem in a CORS configuration.
///
/// Its [`Display`](fmt::Display) is one line: where the value came from, the value, what is
/// wrong and the fix, for example
/// `allowed_origins[0]: "https://app.example.com/": an origin has no path; write "https://app.example.com"`.
///
/// Its [`Debug`](fmt::Debug) is the same line, so that an error returned from `main` or shown
/// by `unwrap` reads the same as a printed one; the parts are in the accessors. Control
/// characters in the line (from a key name, a file path, a variable name or a value) are
/// escaped, so that printing it cannot drive the terminal; the accessors give the text as
/// written.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    key: Cow<'static, str>,
    index: Option<usize>,
    location: String,
    value: Option<String>,
    problem: Cow<'static, str>,
    fix: Cow<'static, str>,
}

impl ConfigError {
    pub(crate) fn new(
        kind: ConfigErrorKind,
        at: impl Into<At>,
        value: Option<&str>,
        problem: impl Into<Cow<'static, str>>,
        fix: impl Into<Cow<'static, str>>,
    ) -> Self {
        let at = at.into();
        Self {
            kind,
            key: Cow::Borrowed(at.key),
            index: at.index,
            location: at.to_string(),
            value: value.map(str::to_owned),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }

    /// Where the value came from: a configuration key such as `allowed_origins[2]`, an
    /// environment variable such as `CORS_ALLOWED_ORIGINS`, or a file and key such as
    /// `cors.toml: allowed_origins[2]`.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The configuration key the problem is about (`allowed_origins`, `max_age`, ...), whatever
    /// the source; empty for problems with a whole source, such as an unreadable file; for an
    /// [`UnknownKey`](ConfigErrorKind::UnknownKey), the unknown key or variable as written.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// A problem with a name the configuration does not know (a key, or a variable), located at
    /// that name, which is also its [`key`](Self::key).
    #[cfg(any(feature = "toml", feature = "env"))]
    pub(crate) fn unknown(name: &str, problem: &'static str, fix: String) -> Self {
        Self {
            kind: ConfigErrorKind::UnknownKey,
            key: Cow::Owned(name.to_owned()),
            index: None,
            location: name.to_owned(),
            value: None,
            problem: Cow::Borrowed(problem),
            fix: Cow::Owned(fix),
        }
    }

    /// Restates the location for a value that came from an environment variable or a file.
    pub(crate) fn locate(mut self, source: &Source) -> Self {
        self.location = source.locate(&self.key, self.index);
        self
    }

    /// The index of the list entry it is about, if any.
    pub(crate) fn index(&self) -> Option<usize> {
        self.index
    }

    /// The same error about the entry at `index` of its list, for an error from code (located
    /// as `key[index]`).
    pub(crate) fn at_index(mut self, index: usize) -> Self {
        if self.index.is_some_and(|old| old != index) {
            self.index = Some(index);
            self.location = format!("{}[{index}]", self.key);
        }
        self
    }

    /// The offending value, when the problem is about one value.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// What is wrong.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// How to fix it.
    pub fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problem(
            f,
            &self.location,
            self.value.as_deref(),
            &self.problem,
            &self.fix,
        )
    }
}

/// One line about a configuration value, errors and warnings alike:
/// `location: "value": problem; fix`. The line is escaped as a whole ([`escape_controls`]): the
/// location holds key names, file paths and variable names as written, and the problem and fix
/// may quote them too.
pub(crate) fn write_problem(
    f: &mut fmt::Formatter<'_>,
    location: &str,
    value: Option<&str>,
    problem: &str,
    fix: &str,
) -> fmt::Result {
    let mut line = String::from(location);
    if let Some(value) = value {
        line.push_str(": ");
        line.push_str(&quoted(value));
    }
    line.push_str(": ");
    line.push_str(problem);
    if !fix.is_empty() {
        line.push_str("; ");
        line.push_str(fix);
    }
    f.write_str(&escape_controls(&line))
}

/// Whether `c` is written as an escape wherever text from a configuration (or from a server, in
/// the reports of the `tower-cors-doctor` package) is shown: the C0 controls, DEL and the C1
/// controls (U+0080 to U+009F, among them U+009B, a terminal's control sequence introducer),
/// which can drive the terminal the text is printed on; and Unicode's bidirectional controls
/// (the `Bidi_Control` property: the embeddings, overrides and isolates U+202A to U+202E and
/// U+2066 to U+2069, which reorder how the rest of the line is shown, as in CVE-2021-42574,
/// "Trojan Source"; and the marks U+061C, U+200E and U+200F).
///
/// ```
/// use tower_cors::needs_escape;
///
/// assert!(needs_escape('\u{1b}') && needs_escape('\u{9b}') && needs_escape('\u{202e}'));
/// assert!(!needs_escape('é') && !needs_escape('\\'));
/// ```
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}' | '\u{200e}' | '\u{200f}'
        )
}

/// `text` with every character [`needs_escape`] names written as Rust writes it in a string
/// literal (`\u{1b}`, `\n`, `\u{202e}`), so that it cannot drive or reorder the terminal it is
/// printed on. Every other character, backslashes included, is kept, so escaped text can be
/// escaped again without change.
///
/// The one escaping for configuration errors and warnings (their key names, file paths,
/// variable names and values, as [`ConfigError`] and
/// [`ConfigWarning`](crate::ConfigWarning) display them), for the reports of the
/// `tower-cors-doctor` package, and for the `tower-cors` tool's output: a program that prints
/// other text beside them (a file's path, a server's answer) escapes it with this.
///
/// ```
/// use tower_cors::escape_controls;
///
/// assert_eq!(escape_controls("cors.toml"), "cors.toml");
/// assert_eq!(escape_controls("x\u{1b}]0;title\u{7}"), "x\\u{1b}]0;title\\u{7}");
/// assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` in double quotes as `{:?}` writes it (`\"` and `\\` escaped, and other characters
/// Rust deems unprintable), with [`escape_controls`] applied after: what `Debug` escapes is not
/// a documented guarantee, this is.
pub(crate) fn quoted(value: &str) -> String {
    escape_controls(&format!("{value:?}")).into_owned()
}

/// The same line as [`Display`](fmt::Display).
impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in a CORS configuration; never empty.
///
/// Its [`Display`](fmt::Display) shows one problem per line, so printing it at startup tells the
/// operator everything to fix in one go. Its [`Debug`](fmt::Debug) shows the same lines, so
/// `fn main() -> Result<(), Box<dyn std::error::Error>>` with `build()?` prints every problem
/// with its fix, not a struct dump.
///
/// ```
/// use tower_cors::{ConfigErrorKind, CorsLayer};
///
/// let errors = CorsLayer::builder()
///     .allow_origins(["https://app.example.com/", "*"])
///     .allow_credentials(true)
///     .build()
///     .unwrap_err();
/// let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
/// assert!(kinds.contains(&ConfigErrorKind::NonCanonicalOrigin));
/// assert!(kinds.contains(&ConfigErrorKind::WildcardInList));
/// assert_eq!(errors.to_string().lines().count(), errors.len());
/// assert_eq!(format!("{errors:?}"), errors.to_string());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// Wraps a list of errors; `None` when the list is empty.
    pub(crate) fn from_vec(errors: Vec<ConfigError>) -> Option<Self> {
        (!errors.is_empty()).then_some(Self { errors })
    }

    /// These problems, each passed through `f`.
    pub(crate) fn map(mut self, f: impl FnMut(ConfigError) -> ConfigError) -> Self {
        self.errors = self.errors.into_iter().map(f).collect();
        self
    }

    /// These problems, after `first`.
    pub(crate) fn after(mut self, mut first: Vec<ConfigError>) -> Self {
        first.append(&mut self.errors);
        self.errors = first;
        self
    }

    /// The number of problems (at least one).
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always `false`: a `ConfigErrors` holds at least one problem.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The problems, in the order of the configuration's keys.
    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// The same lines as [`Display`](fmt::Display).
impl fmt::Debug for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character that must be escaped: C0, DEL, C1, and the bidirectional controls.
    fn escaped_characters() -> impl Iterator<Item = char> {
        ('\0'..='\u{1f}')
            .chain('\u{7f}'..='\u{9f}')
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{61c}', '\u{200e}', '\u{200f}'])
    }

    #[test]
    fn every_control_and_bidirectional_control_is_escaped() {
        for c in escaped_characters() {
            assert!(needs_escape(c), "{c:?}");
            let text = format!("a{c}b");
            let escaped = escape_controls(&text);
            assert!(!escaped.contains(c), "{c:?}: {escaped}");
            assert_eq!(escaped, format!("a{}b", c.escape_default()));
            assert!(!quoted(&text).contains(c), "{c:?}");
            // Escaping is idempotent: an escape has no character left to escape.
            assert_eq!(escape_controls(&escaped), escaped);
        }
        // Text without them is kept as it is, borrowed.
        for text in [
            "cors.toml",
            "CORS_MAX_AGE",
            "https://bücher.example",
            "a\\u{1b}b",
            "\u{200b}",
        ] {
            assert!(matches!(escape_controls(text), Cow::Borrowed(t) if t == text));
        }
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
    }
}
