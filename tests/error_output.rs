//! Configuration errors read the same wherever they surface: returned from `main`, Rust prints
//! their `Debug`, which must be the lines of their `Display`, not a struct dump.

use std::path::PathBuf;
use std::process::{Command, Output};

use tower_cors::CorsLayer;

/// Builds the `startup` example now (never a leftover binary) and runs it with `origins`.
fn run_startup(origins: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--all-features", "--example", "startup"])
        .args(["--manifest-path", manifest])
        .status()
        .expect("run cargo build --example startup");
    assert!(status.success(), "cargo build --example startup failed");
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir: PathBuf = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile dir")
        .to_path_buf();
    Command::new(profile_dir.join("examples").join("startup"))
        .args(origins)
        .output()
        .expect("run the startup example")
}

#[test]
fn errors_returned_from_main_print_one_line_per_problem_with_its_fix() {
    let bad = ["https://app.example.com/", "*"];
    let expected = CorsLayer::builder()
        .allow_origins(bad)
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert!(expected.len() >= 2, "the arguments hold several problems");

    let output = run_startup(&bad);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert_eq!(stderr, format!("Error: {expected}\n"));
    assert!(stderr.contains("an origin has no path; write \"https://app.example.com\""));
    assert!(!stderr.contains("ConfigError {"), "a struct dump: {stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_valid_policy_from_main_prints_it_and_exits_zero() {
    let output = run_startup(&["https://app.example.com"]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    assert!(stdout.contains("allowed_origins = [\"https://app.example.com\"]"));
    assert!(output.stderr.is_empty());
}

#[test]
fn debug_of_errors_is_their_display() {
    let errors = CorsLayer::builder()
        .allow_origins(["https://app.example.com/"])
        .allow_methods(["TRACE"])
        .build()
        .unwrap_err();
    assert_eq!(format!("{errors:?}"), errors.to_string());
    assert_eq!(format!("{errors:#?}"), errors.to_string());
    for error in &errors {
        assert_eq!(format!("{error:?}"), error.to_string());
    }
    let shown = errors.to_string();
    let boxed: Box<dyn std::error::Error> = errors.into();
    assert_eq!(format!("{boxed:?}"), shown);
}
