//! Configuration from the environment and from TOML: the contract's variable names and keys,
//! errors that name their source, and one validation whichever way the policy came in.

#[path = "common/logs.rs"]
mod logs;

use std::io::Write;

use http::Request;
use tower_cors::{ConfigErrorKind as Kind, CorsConfig, CorsDecision, CorsLayer, CorsRequestKind};

const CONTRACT_TOML: &str = r#"
allowed_origins = ["https://app.example.com", "https://*.example.com", "http://localhost:*"]
allowed_origin_regexes = ['https://pr-[0-9]+\.preview\.example\.com']
allow_credentials = true
allowed_methods = ["GET", "POST", "PUT", "DELETE"]   # or "*"
allowed_headers = ["content-type", "authorization"]  # or "*"
expose_headers = ["x-request-id"]                    # or "*"
max_age = 3600
allow_private_network = false
"#;

const CONTRACT_ENV: [(&str, &str); 8] = [
    (
        "CORS_ALLOWED_ORIGINS",
        " https://app.example.com,https://*.example.com ,, http://localhost:* ",
    ),
    (
        "CORS_ALLOWED_ORIGIN_REGEXES",
        r"https://pr-[0-9]+\.preview\.example\.com",
    ),
    ("CORS_ALLOW_CREDENTIALS", "TRUE"),
    ("CORS_ALLOWED_METHODS", "GET, POST,PUT,DELETE"),
    ("CORS_ALLOWED_HEADERS", "content-type,authorization"),
    ("CORS_EXPOSE_HEADERS", "x-request-id"),
    ("CORS_MAX_AGE", "3600"),
    ("CORS_ALLOW_PRIVATE_NETWORK", "0"),
];

fn messages(errors: &tower_cors::ConfigErrors) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tower-cors-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(contents.as_bytes())
        .unwrap();
    path
}

#[test]
fn contract_toml_and_contract_env_give_the_same_configuration() {
    let from_toml = CorsConfig::from_toml_str(CONTRACT_TOML).unwrap();
    let from_env = CorsConfig::from_vars("CORS_", CONTRACT_ENV).unwrap();
    assert_eq!(from_toml, from_env);
    assert_eq!(
        from_env.allowed_origins,
        [
            "https://app.example.com",
            "https://*.example.com",
            "http://localhost:*"
        ]
    );
    assert_eq!(from_env.max_age, Some(3600));
    assert!(from_env.allow_credentials);
}

#[test]
fn builder_toml_and_env_policies_decide_alike() {
    let builder = CorsLayer::builder()
        .allow_origins([
            "https://app.example.com",
            "https://*.example.com",
            "http://localhost:*",
        ])
        .allow_origin_regexes([r"https://pr-[0-9]+\.preview\.example\.com"])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers(["x-request-id"])
        .max_age(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
    let layers = [
        ("builder", builder),
        ("toml", CorsLayer::from_toml_str(CONTRACT_TOML).unwrap()),
        ("env", CorsLayer::from_vars("CORS_", CONTRACT_ENV).unwrap()),
    ];
    // Each request with the decision all three must reach: allowed (`None`) or the refusal's
    // reason code.
    let requests = [
        ("GET", "https://app.example.com", None, None),
        (
            "GET",
            "https://evil.example",
            None,
            Some("origin_not_allowed"),
        ),
        ("OPTIONS", "https://shop.example.com", Some("PUT"), None),
        (
            "OPTIONS",
            "https://pr-7.preview.example.com",
            Some("PATCH"),
            Some("method_not_allowed"),
        ),
        ("OPTIONS", "http://localhost:5173", Some("DELETE"), None),
        (
            "OPTIONS",
            "https://a.b.example.com",
            Some("GET"),
            Some("origin_not_allowed"),
        ),
    ];
    for (method, origin, requested, expected) in requests {
        let request = || {
            let mut builder = Request::builder().method(method).header("origin", origin);
            if let Some(requested) = requested {
                builder = builder.header("access-control-request-method", requested);
            }
            builder.body(()).unwrap()
        };
        for (source, layer) in &layers {
            let decision = layer.decide(&request());
            assert_eq!(
                decision.refusal().map(|refusal| refusal.reason().code()),
                expected,
                "{source}: {method} {origin}: {decision:?}"
            );
            let kind = match &decision {
                CorsDecision::Allowed(kind) => *kind,
                CorsDecision::Refused(refusal) => refusal.kind(),
                other => panic!("{source}: {method} {origin}: {other:?}"),
            };
            let expected_kind = if requested.is_some() {
                CorsRequestKind::Preflight
            } else {
                CorsRequestKind::Actual
            };
            assert_eq!(kind, expected_kind, "{source}: {method} {origin}");
        }
    }
}

#[test]
fn env_lists_are_trimmed_and_empty_entries_ignored_and_empty_means_empty() {
    let config = CorsConfig::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", " , https://a.example , "),
            ("CORS_EXPOSE_HEADERS", ""),
            ("CORS_ALLOWED_ORIGIN_REGEXES", "  a\tb\n c "),
        ],
    )
    .unwrap();
    assert_eq!(config.allowed_origins, ["https://a.example"]);
    assert!(config.expose_headers.is_empty());
    assert_eq!(config.allowed_origin_regexes, ["a", "b", "c"]);
}

#[test]
fn env_booleans_and_numbers_are_strict_and_name_the_variable() {
    let errors = CorsConfig::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS", "https://a.example"),
            ("CORS_ALLOW_CREDENTIALS", ""),
            ("CORS_ALLOW_PRIVATE_NETWORK", "yes"),
            ("CORS_MAX_AGE", "ten"),
        ],
    )
    .unwrap_err();
    assert_eq!(
        messages(&errors),
        [
            "CORS_ALLOW_CREDENTIALS: \"\": not a boolean; write true or false (or 1 or 0)",
            "CORS_ALLOW_PRIVATE_NETWORK: \"yes\": not a boolean; write true or false (or 1 or 0)",
            "CORS_MAX_AGE: \"ten\": not a whole number of seconds; write a number from 0 to \
             86400, such as 600",
        ]
    );
    for (value, expected) in [
        ("true", true),
        ("TRUE", true),
        ("1", true),
        ("false", false),
        ("False", false),
        ("0", false),
    ] {
        let config = CorsConfig::from_vars(
            "CORS_",
            [
                ("CORS_ALLOW_CREDENTIALS", value),
                ("CORS_ALLOW_PRIVATE_NETWORK", value),
            ],
        )
        .unwrap_or_else(|errors| panic!("{value}: {errors}"));
        assert_eq!(
            (config.allow_credentials, config.allow_private_network),
            (expected, expected),
            "{value}"
        );
    }
}

#[test]
fn unset_origins_fail_saying_to_set_the_variable_unless_regexes_give_origins() {
    let errors = CorsLayer::from_vars("CORS_", [("CORS_ALLOW_CREDENTIALS", "true")]).unwrap_err();
    assert_eq!(errors.len(), 1);
    let error = errors.iter().next().unwrap();
    assert_eq!(error.kind(), Kind::NoOrigins);
    assert_eq!(error.location(), "CORS_ALLOWED_ORIGINS");
    let from_regexes = CorsLayer::from_vars(
        "CORS_",
        [(
            "CORS_ALLOWED_ORIGIN_REGEXES",
            r"https://[a-z]+\.example\.com",
        )],
    )
    .unwrap_or_else(|errors| panic!("{errors}"));
    let from = |origin: &str| {
        Request::builder()
            .header("origin", origin)
            .body(())
            .unwrap()
    };
    assert_eq!(
        from_regexes.decide(&from("https://shop.example.com")),
        CorsDecision::Allowed(CorsRequestKind::Actual)
    );
    assert!(from_regexes
        .decide(&from("https://shop.example.org"))
        .is_refused());
}

#[test]
fn unknown_variables_are_warnings_suggesting_the_closest_name() {
    let vars = [
        ("CORS_ALLOWED_ORIGINS", "https://a.example"),
        ("CORS_ALLOWED_ORIGIN_LIST", "https://b.example"),
        ("CORS_WHATEVER", "1"),
        ("CORSALLOWED_ORIGINS", "ignored: not under the prefix"),
        (
            "cors_whatever",
            "ignored: another program's, in another case",
        ),
    ];
    let layer = CorsLayer::from_vars("CORS_", vars).expect("unknown variables are not errors");
    assert_eq!(layer.config().allowed_origins, ["https://a.example"]);
    let warnings: Vec<String> = layer.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert_eq!(
        warnings[0],
        "CORS_ALLOWED_ORIGIN_LIST: unknown variable, ignored; did you mean CORS_ALLOWED_ORIGINS?"
    );
    assert!(warnings[1].starts_with(
        "CORS_WHATEVER: unknown variable, ignored; the variables are CORS_ALLOWED_ORIGINS"
    ));
    assert_eq!(layer.warnings()[0].location(), "CORS_ALLOWED_ORIGIN_LIST");

    // Read into a configuration first, the warnings come with the layer built from it.
    let config = CorsConfig::from_vars("CORS_", vars).expect("unknown variables are not errors");
    let layer = CorsLayer::try_from(config).unwrap();
    assert_eq!(layer.warnings().len(), 2);

    // Other CORS libraries' names, too far from ours for a typo, still get the one they mean.
    for (theirs, ours) in [
        ("CORS_ORIGIN", "CORS_ALLOWED_ORIGINS"),
        ("CORS_ORIGINS", "CORS_ALLOWED_ORIGINS"),
        ("CORS_METHODS", "CORS_ALLOWED_METHODS"),
        ("CORS_HEADERS", "CORS_ALLOWED_HEADERS"),
        ("CORS_CREDENTIALS", "CORS_ALLOW_CREDENTIALS"),
    ] {
        let layer = CorsLayer::from_vars(
            "CORS_",
            [("CORS_ALLOWED_ORIGINS", "https://a.example"), (theirs, "x")],
        )
        .unwrap();
        assert_eq!(
            layer.warnings()[0].to_string(),
            format!("{theirs}: unknown variable, ignored; did you mean {ours}?")
        );
    }

    // Beside real errors, an unknown variable is still not one of them.
    let errors =
        CorsLayer::from_vars("CORS_", [("CORS_ORIGIN", "*"), ("CORS_MAX_AGE", "1h")]).unwrap_err();
    let messages = messages(&errors);
    assert!(
        messages
            .iter()
            .all(|message| !message.contains("CORS_ORIGIN:")),
        "{messages:#?}"
    );
    assert!(
        messages[0].starts_with("CORS_MAX_AGE: \"1h\""),
        "{messages:#?}"
    );
}

/// The layer's errors for these variables beside a valid, credentialed policy.
fn errors_beside_a_valid_policy(prefix: &str, extra: (&str, &str)) -> Vec<String> {
    let vars = [
        (
            format!("{prefix}ALLOWED_ORIGINS"),
            "https://app.example.com",
        ),
        (format!("{prefix}ALLOW_CREDENTIALS"), "true"),
        (extra.0.to_owned(), extra.1),
    ];
    let errors = CorsLayer::from_vars(prefix, vars.clone())
        .expect_err("a likely typo is an error, and no layer is built");
    for error in &errors {
        assert_eq!(error.kind(), Kind::UnknownKey, "{error}");
        assert_eq!(error.location(), extra.0);
        assert_eq!(error.key(), extra.0);
    }
    // Read into a configuration alone, too.
    let config_errors = CorsConfig::from_vars(prefix, vars).unwrap_err();
    assert_eq!(messages(&config_errors), messages(&errors));
    messages(&errors)
}

#[test]
fn a_misspelt_variable_within_two_edits_is_an_error() {
    for (typo, meant) in [
        (
            "CORS_CROSS_ORIGIN_PROTECTON",
            "CORS_CROSS_ORIGIN_PROTECTION",
        ),
        ("CORS_CROSS_ORIGN_PROTECTON", "CORS_CROSS_ORIGIN_PROTECTION"),
        ("CORS_ALLOWED_ORIGIN", "CORS_ALLOWED_ORIGINS"),
        ("CORS_ALLOW_HEADERS", "CORS_ALLOWED_HEADERS"),
        ("CORS_MAXAGE", "CORS_MAX_AGE"),
        ("CORS_DEBGU", "CORS_DEBUG"),
        ("CORS_CONFIGS", "CORS_CONFIG"),
        // Case and one edit.
        ("CORS_Max_Ages", "CORS_MAX_AGE"),
    ] {
        assert_eq!(
            errors_beside_a_valid_policy("CORS_", (typo, "true")),
            [format!(
                "{typo}: unknown variable, too close to a known name to be ignored; did you \
                 mean {meant}?"
            )]
        );
    }
    // The same under another prefix, whose names are compared after it.
    assert_eq!(
        errors_beside_a_valid_policy("MYAPP_CORS_", ("MYAPP_CORS_CROSS_ORIGIN_PROTECTON", "true")),
        [
            "MYAPP_CORS_CROSS_ORIGIN_PROTECTON: unknown variable, too close to a known name to \
             be ignored; did you mean MYAPP_CORS_CROSS_ORIGIN_PROTECTION?"
        ]
    );

    // Names three edits or more from every known one may be another program's: warnings.
    for theirs in [
        "CORS_PROXY_URL",
        "CORS_ORIGIN",
        "CORS_ENABLED",
        "CORS_ALLOW_ORIGIN",
        "CORS_CREDENTIALS",
        "CORS_DEBUGGER",
    ] {
        let layer = CorsLayer::from_vars(
            "CORS_",
            [
                ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
                (theirs, "1"),
            ],
        )
        .unwrap_or_else(|errors| panic!("{theirs}: {errors}"));
        assert_eq!(layer.warnings().len(), 1, "{theirs}");
        assert_eq!(layer.warnings()[0].location(), theirs);
    }
}

#[test]
fn a_variable_differing_only_in_case_is_an_error() {
    for (name, meant) in [
        (
            "CORS_Cross_Origin_Protection",
            "CORS_CROSS_ORIGIN_PROTECTION",
        ),
        (
            "cors_cross_origin_protection",
            "CORS_CROSS_ORIGIN_PROTECTION",
        ),
        ("Cors_Allowed_Origins", "CORS_ALLOWED_ORIGINS"),
        ("CORS_config", "CORS_CONFIG"),
    ] {
        assert_eq!(
            errors_beside_a_valid_policy("CORS_", (name, "true")),
            [format!(
                "{name}: unknown variable: names are case-sensitive; write {meant}"
            )]
        );
    }
    assert_eq!(
        errors_beside_a_valid_policy("MyApp_Cors_", ("MYAPP_CORS_STRICT", "true")),
        ["MYAPP_CORS_STRICT: unknown variable: names are case-sensitive; write MyApp_Cors_STRICT"]
    );
}

#[test]
fn a_value_that_fails_to_parse_computes_no_warning() {
    // Credentials with cross-origin protection off is a warning, but "yes" is not a boolean:
    // the protection was not read, so nothing may be said of the default it was left at.
    let captured =
        logs::events(|| {
            let errors = CorsLayer::from_vars(
                "CORS_",
                [
                    ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
                    ("CORS_ALLOW_CREDENTIALS", "true"),
                    ("CORS_CROSS_ORIGIN_PROTECTION", "yes"),
                    ("CORS_MAX_AGE", "9000"),
                ],
            )
            .unwrap_err();
            assert_eq!(
            messages(&errors),
            ["CORS_CROSS_ORIGIN_PROTECTION: \"yes\": not a boolean; write true or false (or 1 \
              or 0)"]
        );
        });
    // Nor of the values that were read: no layer is built to carry a warning.
    assert!(captured.is_empty(), "{captured:#?}");

    // The same from TOML.
    let captured = logs::events(|| {
        let errors = CorsLayer::from_toml_str(
            "allowed_origins = [\"https://app.example.com\"]\nallow_credentials = true\n\
             cross_origin_protection = \"yes\"\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors}");
        assert_eq!(
            errors.iter().next().unwrap().key(),
            "cross_origin_protection"
        );
    });
    assert!(captured.is_empty(), "{captured:#?}");
}

#[test]
fn configuration_names_are_escaped_in_errors_and_warnings() {
    // A key that would set the terminal's title, in a file whose name would clear the screen.
    let key = "x\u{1b}]0;PWN\u{7}";
    let path = temp_file(
        "names-\u{1b}[2J.toml",
        "allowed_origins = [\"https://app.example.com\"]\n\"x\\u001b]0;PWN\\u0007\" = 1\n",
    );
    let errors = CorsLayer::from_toml_file(&path).unwrap_err();
    let message = messages(&errors).remove(0);
    let shown = path.display().to_string().replace('\u{1b}', "\\u{1b}");
    assert!(
        message.starts_with(&format!("{shown}: x\\u{{1b}}]0;PWN\\u{{7}}: unknown key; ")),
        "{message}"
    );
    // The accessors give the text as written.
    assert_eq!(errors.iter().next().unwrap().key(), key);

    // A variable's name, in the warning and in its event; the bidirectional controls too.
    let captured = logs::events(|| {
        let layer = CorsLayer::from_vars(
            "CORS_",
            [
                ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
                ("CORS_X\u{1b}[2J\u{202e}", "1"),
            ],
        )
        .unwrap();
        let warning = &layer.warnings()[0];
        assert!(
            warning
                .to_string()
                .starts_with("CORS_X\\u{1b}[2J\\u{202e}: unknown variable, ignored; "),
            "{warning}"
        );
        assert_eq!(warning.location(), "CORS_X\u{1b}[2J\u{202e}");
    });
    assert_eq!(captured.len(), 1, "{captured:#?}");
    assert_eq!(
        captured[0].field("location"),
        Some("CORS_X\\u{1b}[2J\\u{202e}")
    );
    let message = captured[0].field("message").unwrap();
    assert!(!message.contains(['\u{1b}', '\u{202e}']), "{message}");

    // And values, as they were already.
    let errors = CorsLayer::from_vars(
        "CORS_",
        [("CORS_ALLOWED_ORIGINS", "https://app.example.com\u{2066}")],
    )
    .unwrap_err();
    assert!(
        messages(&errors)[0]
            .starts_with("CORS_ALLOWED_ORIGINS: \"https://app.example.com\\u{2066}\": "),
        "{errors}"
    );
}

#[test]
fn another_prefix_reads_its_own_variables_and_names_them_in_errors() {
    let vars = [
        ("MYAPP_CORS_ALLOWED_ORIGINS", "https://app.example.com/"),
        ("CORS_ALLOWED_ORIGINS", "https://other.example"),
    ];
    let errors = CorsLayer::from_vars("MYAPP_CORS_", vars).unwrap_err();
    assert_eq!(
        messages(&errors),
        [
            "MYAPP_CORS_ALLOWED_ORIGINS: \"https://app.example.com/\": an origin has no path; \
          write \"https://app.example.com\""
        ]
    );
}

#[test]
fn variables_override_the_file_named_by_cors_config() {
    let path = temp_file(
        "override.toml",
        "allowed_origins = [\"https://file.example\"]\nmax_age = 10\nallow_credentials = true\n",
    );
    let path = path.to_str().unwrap();
    let config =
        CorsConfig::from_vars("CORS_", [("CORS_CONFIG", path), ("CORS_MAX_AGE", "20")]).unwrap();
    assert_eq!(config.allowed_origins, ["https://file.example"]);
    assert_eq!(config.max_age, Some(20));
    assert!(config.allow_credentials);

    // A problem in a value from the file names the file and key; from a variable, the variable.
    let errors = CorsLayer::from_vars(
        "CORS_",
        [
            ("CORS_CONFIG", path),
            ("CORS_MAX_AGE", "-1"),
            ("CORS_EXPOSE_HEADERS", "set-cookie"),
        ],
    )
    .unwrap_err();
    let lines = messages(&errors);
    assert!(
        lines[0].starts_with("CORS_EXPOSE_HEADERS: \"set-cookie\""),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("CORS_MAX_AGE: \"-1\""), "{lines:?}");

    let bad = temp_file(
        "bad-origin.toml",
        "allowed_origins = [\"https://a.example\", \"https://B.example\"]\n",
    );
    let errors =
        CorsLayer::from_vars("CORS_", [("CORS_CONFIG", bad.to_str().unwrap())]).unwrap_err();
    assert_eq!(
        messages(&errors),
        [format!(
            "{}: allowed_origins[1]: \"https://B.example\": browsers send the host in lowercase; \
             write \"https://b.example\"",
            bad.display()
        )]
    );
}

#[test]
fn an_unreadable_cors_config_names_the_variable() {
    let errors =
        CorsLayer::from_vars("CORS_", [("CORS_CONFIG", "/nonexistent/cors.toml")]).unwrap_err();
    let messages = messages(&errors);
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].starts_with("CORS_CONFIG: \"/nonexistent/cors.toml\": cannot read the file"),
        "{messages:?}"
    );
}

#[test]
fn toml_reports_every_unknown_key_and_wrong_type_at_once() {
    let errors = CorsConfig::from_toml_str(
        "allowed_origin = [\"https://a.example\"]\n\
         allow_credential = true\n\
         max_age = \"1h\"\n\
         allow_credentials = \"yes\"\n\
         allowed_methods = [1, 2]\n",
    )
    .unwrap_err();
    let kinds: Vec<Kind> = errors.iter().map(|e| e.kind()).collect();
    // Reported in key order, one per key.
    assert_eq!(
        kinds,
        [
            Kind::UnknownKey,
            Kind::InvalidValue,
            Kind::InvalidValue,
            Kind::UnknownKey,
            Kind::InvalidValue
        ]
    );
    let messages = messages(&errors);
    assert_eq!(
        messages[0],
        "allow_credential: unknown key; did you mean allow_credentials?"
    );
    assert_eq!(
        messages[3],
        "allowed_origin: unknown key; did you mean allowed_origins?"
    );
    assert!(messages[1].starts_with("allow_credentials: invalid type: string \"yes\", expected a boolean; write true or false"), "{messages:?}");
    assert!(
        messages[2].starts_with("allowed_methods: invalid type: integer `1`"),
        "{messages:?}"
    );
    assert!(
        messages[4].starts_with("max_age: invalid type: string \"1h\""),
        "{messages:?}"
    );
}

#[test]
fn toml_syntax_errors_give_the_line_and_column() {
    let path = temp_file(
        "syntax.toml",
        "allowed_origins = [\"https://a.example\"\nmax_age = 3\n",
    );
    let errors = CorsLayer::from_toml_file(&path).unwrap_err();
    let message = errors.iter().next().unwrap().to_string();
    assert!(
        message.starts_with(&format!("{}: line ", path.display()))
            && message.contains("not valid TOML"),
        "{message}"
    );
}

#[test]
fn toml_file_errors_name_the_file_and_the_key() {
    let path = temp_file(
        "credentials.toml",
        "allowed_origins = [\"*\"]\nallow_credentials = true\n",
    );
    let errors = CorsLayer::from_toml_file(&path).unwrap_err();
    assert_eq!(
        errors.iter().next().unwrap().location(),
        format!("{}: allowed_origins[0]", path.display())
    );
}

#[test]
fn cors_config_nests_in_an_application_config_and_suggests_keys() {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct App {
        name: String,
        cors: CorsConfig,
    }
    let app: App = toml::from_str(&format!("name = \"app\"\n[cors]\n{CONTRACT_TOML}")).unwrap();
    assert!(CorsLayer::try_from(app.cors).is_ok());
    let error = toml::from_str::<App>("name = \"app\"\n[cors]\nallowed_origin = []\n")
        .err()
        .unwrap();
    assert!(
        error
            .message()
            .contains("unknown key `allowed_origin`; did you mean `allowed_origins`?"),
        "{error}"
    );
}

#[test]
fn display_round_trips_through_toml() {
    let config = CorsConfig::from_toml_str(CONTRACT_TOML).unwrap();
    let again = CorsConfig::from_toml_str(&config.to_string()).unwrap();
    assert_eq!(config, again);
}

#[test]
fn a_key_that_cannot_be_read_is_reported_once() {
    let errors = CorsLayer::from_toml_str("allowed_origins = 5").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors}");
    assert_eq!(errors.iter().next().unwrap().kind(), Kind::InvalidValue);
}

#[test]
fn values_changed_in_code_are_not_blamed_on_the_environment() {
    let config =
        CorsConfig::from_vars("CORS_", [("CORS_ALLOWED_ORIGINS", "https://a.example")]).unwrap();
    let errors = tower_cors::CorsBuilder::from(config)
        .allow_origins(["https://b.example/"])
        .build()
        .unwrap_err();
    assert_eq!(
        errors.iter().next().unwrap().location(),
        "allowed_origins[1]"
    );
}
