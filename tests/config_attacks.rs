//! Dangerous configurations (the README's "What is refused at startup") are refused with
//! their specific error whichever way they come in: builder, TOML or environment. The opt-ins
//! that allow some of them are named to be impossible to enable by accident, and using one is
//! logged at warn level when the layer is built.

#[path = "common/logs.rs"]
mod logs;

use logs::log_lines;
use tower_cors::{ConfigErrorKind as Kind, CorsConfig, CorsLayer};

/// One dangerous configuration, spelled three ways.
struct Attack {
    name: &'static str,
    toml: &'static str,
    env: &'static [(&'static str, &'static str)],
    kind: Kind,
    /// The environment variable the error must name.
    variable: &'static str,
}

const ATTACKS: &[Attack] = &[
    Attack {
        name: "every origin with credentials",
        toml: "allowed_origins = [\"*\"]\nallow_credentials = true",
        env: &[("CORS_ALLOWED_ORIGINS", "*"), ("CORS_ALLOW_CREDENTIALS", "true")],
        kind: Kind::AnyOriginWithCredentials,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "* inside a list",
        toml: "allowed_origins = [\"https://app.example.com\", \"*\"]",
        env: &[("CORS_ALLOWED_ORIGINS", "https://app.example.com,*")],
        kind: Kind::WildcardInList,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "null",
        toml: "allowed_origins = [\"null\"]",
        env: &[("CORS_ALLOWED_ORIGINS", "null")],
        kind: Kind::NullOrigin,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "file origin",
        toml: "allowed_origins = [\"file://\"]",
        env: &[("CORS_ALLOWED_ORIGINS", "file://")],
        kind: Kind::FileOrigin,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "plain http with credentials",
        toml: "allowed_origins = [\"http://app.example.com\"]\nallow_credentials = true",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "http://app.example.com"),
            ("CORS_ALLOW_CREDENTIALS", "1"),
        ],
        kind: Kind::InsecureOriginWithCredentials,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "public-suffix wildcard with credentials",
        toml: "allowed_origins = [\"https://*.github.io\"]\nallow_credentials = true",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "https://*.github.io"),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ],
        kind: Kind::PublicSuffixWildcardWithCredentials,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "regex matching any domain with credentials",
        toml: "allowed_origin_regexes = ['https://.*']\nallow_credentials = true",
        env: &[
            ("CORS_ALLOWED_ORIGIN_REGEXES", "https://.*"),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ],
        kind: Kind::AnyOriginWithCredentials,
        variable: "CORS_ALLOWED_ORIGIN_REGEXES",
    },
    Attack {
        name: "regex escaping its anchors",
        toml: "allowed_origin_regexes = ['https://a\\.example)|(x']",
        env: &[("CORS_ALLOWED_ORIGIN_REGEXES", r"https://a\.example)|(x")],
        kind: Kind::InvalidRegex,
        variable: "CORS_ALLOWED_ORIGIN_REGEXES",
    },
    Attack {
        name: "non-canonical origin that would never match",
        toml: "allowed_origins = [\"https://app.example.com/\"]",
        env: &[("CORS_ALLOWED_ORIGINS", "https://app.example.com/")],
        kind: Kind::NonCanonicalOrigin,
        variable: "CORS_ALLOWED_ORIGINS",
    },
    Attack {
        name: "every exposed header with credentials",
        toml: "allowed_origins = [\"https://a.example\"]\nexpose_headers = \"*\"\nallow_credentials = true",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "https://a.example"),
            ("CORS_EXPOSE_HEADERS", "*"),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ],
        kind: Kind::AnyExposedHeaderWithCredentials,
        variable: "CORS_EXPOSE_HEADERS",
    },
    Attack {
        name: "set-cookie exposed",
        toml: "allowed_origins = [\"https://a.example\"]\nexpose_headers = [\"set-cookie\"]",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "https://a.example"),
            ("CORS_EXPOSE_HEADERS", "set-cookie"),
        ],
        kind: Kind::ForbiddenExposedHeader,
        variable: "CORS_EXPOSE_HEADERS",
    },
    Attack {
        name: "forbidden method",
        toml: "allowed_origins = [\"https://a.example\"]\nallowed_methods = [\"TRACE\"]",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "https://a.example"),
            ("CORS_ALLOWED_METHODS", "TRACE"),
        ],
        kind: Kind::ForbiddenMethod,
        variable: "CORS_ALLOWED_METHODS",
    },
    Attack {
        name: "forbidden request header",
        toml: "allowed_origins = [\"https://a.example\"]\nallowed_headers = [\"cookie\"]",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "https://a.example"),
            ("CORS_ALLOWED_HEADERS", "cookie"),
        ],
        kind: Kind::ForbiddenRequestHeader,
        variable: "CORS_ALLOWED_HEADERS",
    },
    Attack {
        name: "max age beyond a day",
        toml: "allowed_origins = [\"https://a.example\"]\nmax_age = 31536000",
        env: &[
            ("CORS_ALLOWED_ORIGINS", "https://a.example"),
            ("CORS_MAX_AGE", "31536000"),
        ],
        kind: Kind::MaxAgeOutOfRange,
        variable: "CORS_MAX_AGE",
    },
    Attack {
        name: "no origin at all",
        toml: "allow_credentials = true",
        env: &[("CORS_ALLOW_CREDENTIALS", "true")],
        kind: Kind::NoOrigins,
        variable: "CORS_ALLOWED_ORIGINS",
    },
];

#[test]
fn every_dangerous_configuration_is_refused_through_builder_toml_and_env_alike() {
    for attack in ATTACKS {
        let config = CorsConfig::from_toml_str(attack.toml).unwrap();
        let through_builder = tower_cors::CorsBuilder::from(config).build();
        let through_toml = CorsLayer::from_toml_str(attack.toml);
        let through_env = CorsLayer::from_vars("CORS_", attack.env.iter().copied());
        for (source, result) in [
            ("builder", through_builder),
            ("toml", through_toml),
            ("env", through_env),
        ] {
            let errors = match result {
                Ok(_) => panic!("{}: accepted through {source}", attack.name),
                Err(errors) => errors,
            };
            let kinds: Vec<Kind> = errors.iter().map(|e| e.kind()).collect();
            assert!(
                kinds.contains(&attack.kind),
                "{} through {source}: {errors}",
                attack.name
            );
            if source == "env" {
                let error = errors.iter().find(|e| e.kind() == attack.kind).unwrap();
                assert_eq!(error.location(), attack.variable, "{}", attack.name);
            }
        }
    }
}

fn warnings_while(build: impl FnOnce()) -> Vec<String> {
    log_lines(tracing::Level::WARN, build)
}

#[test]
fn opt_ins_are_logged_at_warn_level_when_they_allow_something() {
    let cases = [
        (
            "TOML null",
            "allowed_origins = [\"null\"]\ndangerously_allow_null_origin = true",
            "dangerously_allow_null_origin",
        ),
        (
            "TOML insecure",
            // Protection on, so that the opt-in's is the only warning.
            "allowed_origins = [\"http://app.example.com\"]\nallow_credentials = true\n\
             dangerously_allow_insecure_origins = true\ncross_origin_protection = true",
            "dangerously_allow_insecure_origins",
        ),
        (
            "TOML public suffix",
            "allowed_origins = [\"https://*.github.io\"]\nallow_credentials = true\n\
             dangerously_allow_public_suffix_wildcards = true\ncross_origin_protection = true",
            "dangerously_allow_public_suffix_wildcards",
        ),
    ];
    for (case, toml, opt_in) in cases {
        let lines = warnings_while(|| {
            let _layer = CorsLayer::from_toml_str(toml).unwrap();
        });
        assert_eq!(lines.len(), 1, "{case}: {lines:#?}");
        assert!(
            lines[0].contains("WARN") && lines[0].contains(opt_in),
            "{case}: {}",
            lines[0]
        );
    }
    let env = warnings_while(|| {
        let _layer = CorsLayer::from_vars(
            "CORS_",
            [
                ("CORS_ALLOWED_ORIGINS", "null"),
                ("CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN", "true"),
            ],
        )
        .unwrap();
    });
    assert_eq!(env.len(), 1, "{env:#?}");
    // An opt-in that allows nothing says nothing.
    let unused = warnings_while(|| {
        let _layer = CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .dangerously_allow_null_origin(true)
            .dangerously_allow_insecure_origins(true)
            .build()
            .unwrap();
    });
    assert!(unused.is_empty(), "{unused:#?}");
}
