//! The limits of regular-expression origins, tested as a downstream crate builds the library:
//! `.ci/run` runs this file with `--no-default-features --features regex` and with
//! `--no-default-features` (the `regex` feature off), besides the all-features run.
//!
//! - one expression compiles to at most 1 MiB, and the set of all of them to at most 4 MiB, so
//!   that a configuration cannot make startup or matching expensive;
//! - without the `regex` feature, regular-expression origins are a configuration error, never
//!   silently ignored.

use tower_cors::{ConfigErrorKind, ConfigErrors, CorsLayer};

fn refused(regexes: &[String]) -> ConfigErrors {
    CorsLayer::builder()
        .allow_origin_regexes(regexes.iter().map(String::as_str))
        .build()
        .expect_err("the policy must be refused")
}

#[cfg(feature = "regex")]
mod with_the_feature {
    use super::*;

    /// `https://` then a letter and `count` word characters (Unicode's `\w`, hundreds of ranges),
    /// `.example.com`: a valid origin expression whose compiled size grows with `count`.
    fn wide(letter: char, count: usize) -> String {
        format!(r"https://{letter}\w{{{count}}}\.example\.com")
    }

    #[test]
    fn a_regex_over_the_size_limit_is_refused_naming_it() {
        let pattern = wide('a', 200);
        let errors = refused(std::slice::from_ref(&pattern));
        assert_eq!(errors.len(), 1, "{errors}");
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), ConfigErrorKind::InvalidRegex);
        assert_eq!(error.location(), "allowed_origin_regexes[0]");
        assert_eq!(
            error.to_string(),
            format!(
                "allowed_origin_regexes[0]: {pattern:?}: it compiles to a program larger than \
                 1 MiB; fix the expression; it must match a whole origin, such as \
                 https://pr-[0-9]+\\.preview\\.example\\.com"
            )
        );
    }

    #[test]
    fn a_regex_under_the_size_limit_is_accepted_and_matches() {
        let layer = CorsLayer::builder()
            .allow_origin_regexes([wide('a', 20)])
            .build()
            .unwrap_or_else(|errors| panic!("{errors}"));
        let origin = |host: &str| {
            http::Request::builder()
                .header("origin", format!("https://{host}.example.com"))
                .body(())
                .unwrap()
        };
        assert!(!layer.decide(&origin(&"a".repeat(21))).is_refused());
        assert!(layer.decide(&origin(&"a".repeat(20))).is_refused());
    }

    #[test]
    fn a_regex_set_over_the_size_limit_is_refused_as_a_whole() {
        // Each expression compiles alone; together they exceed the set's limit.
        let patterns: Vec<String> = ('a'..='l').map(|letter| wide(letter, 20)).collect();
        for pattern in &patterns {
            assert!(
                CorsLayer::builder()
                    .allow_origin_regexes([pattern.as_str()])
                    .build()
                    .is_ok(),
                "{pattern} alone must compile for this test to mean anything"
            );
        }
        let errors = refused(&patterns);
        assert_eq!(errors.len(), 1, "{errors}");
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), ConfigErrorKind::InvalidRegex);
        assert_eq!(error.location(), "allowed_origin_regexes");
        assert!(
            error
                .to_string()
                .ends_with("; use fewer or simpler expressions, or origin patterns"),
            "{error}"
        );
    }
}

#[cfg(not(feature = "regex"))]
mod without_the_feature {
    use super::*;

    #[test]
    fn regex_origins_without_the_regex_feature_are_refused_saying_to_enable_it() {
        let errors = refused(&[r"https://pr-[0-9]+\.preview\.example\.com".to_owned()]);
        assert_eq!(errors.len(), 1, "{errors}");
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), ConfigErrorKind::RegexDisabled);
        assert_eq!(error.location(), "allowed_origin_regexes");
        assert_eq!(
            error.to_string(),
            "allowed_origin_regexes: regular-expression origins need the `regex` feature, \
             which is disabled; enable the `regex` feature of tower-cors, or use origin \
             patterns instead"
        );
    }

    #[cfg(feature = "env")]
    #[test]
    fn regex_origins_from_the_environment_without_the_regex_feature_are_refused() {
        let errors = CorsLayer::from_vars(
            "CORS_",
            [
                ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
                (
                    "CORS_ALLOWED_ORIGIN_REGEXES",
                    r"https://pr-[0-9]+\.preview\.example\.com",
                ),
            ],
        )
        .expect_err("the policy must be refused");
        assert_eq!(
            errors.iter().map(|error| error.kind()).collect::<Vec<_>>(),
            [ConfigErrorKind::RegexDisabled],
            "{errors}"
        );
    }
}
