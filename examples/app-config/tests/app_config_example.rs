//! Black-box tests of `cargo run -p tower-cors-example-app-config --example app_config`: a
//! `CorsConfig` nested under `[cors]` in an application's configuration, loaded with figment from
//! `examples/app.toml` (or `APP_CONFIG`) and `APP_*` variables. Every error must name the key, and
//! the file or variable its value came from, so that an operator knows what to edit.

#[path = "../../../tests/common/demo.rs"]
mod demo;

use std::path::PathBuf;

/// What the example printed, and how it exited.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The stderr line about `key` (`cors.max_age`, ...); panics, showing stderr, when none is.
    fn line(&self, key: &str) -> &str {
        self.stderr
            .lines()
            .find(|line| {
                line.starts_with(&format!("{key} ")) || line.starts_with(&format!("{key}:"))
            })
            .unwrap_or_else(|| panic!("no line about {key} in:\n{}", self.stderr))
    }
}

/// Runs the example with only these variables, to its exit.
fn run(vars: &[(&str, &str)]) -> Run {
    let output = demo::run_to_exit("app_config", vars);
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    Run {
        code: output.status.code(),
        stdout: text(output.stdout),
        stderr: text(output.stderr),
    }
}

/// A configuration file with `text`, in a directory of its own, removed when dropped.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tower-cors-app-config-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write the configuration file");
        Self { dir, path }
    }

    fn path(&self) -> &str {
        self.path.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn shipped_file_alone_is_valid_and_prints_a_one_line_summary() {
    let run = run(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("postgres://localhost/app")
            && run.stdout.contains("https://app.example.com"),
        "{}",
        run.stdout
    );
}

#[test]
fn variables_override_the_file() {
    let run = run(&[
        ("APP_CORS__ALLOWED_ORIGINS", r#"["https://other.example"]"#),
        ("APP_DATABASE_URL", "postgres://db.internal/app"),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("postgres://db.internal/app")
            && run.stdout.contains("[\"https://other.example\"]"),
        "{}",
        run.stdout
    );
}

#[test]
fn invalid_value_from_a_variable_names_the_key_the_variable_the_value_and_the_fix() {
    let run = run(&[(
        "APP_CORS__ALLOWED_ORIGINS",
        r#"["https://app.example.com/"]"#,
    )]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let line = run.line("cors.allowed_origins[0]");
    for expected in [
        "environment variable APP_CORS__ALLOWED_ORIGINS",
        "\"https://app.example.com/\"",
        "an origin has no path",
        "write \"https://app.example.com\"",
    ] {
        assert!(line.contains(expected), "{expected} missing from: {line}");
    }
}

#[test]
fn invalid_values_from_the_file_name_the_file_and_every_problem() {
    let file = TempFile::new(
        "invalid-values.toml",
        "database_url = \"postgres://localhost/app\"\n\n[cors]\n\
         allowed_origins = [\"https://app.example.com/\", \"*\"]\nmax_age = 100000\n",
    );
    let run = run(&[("APP_CONFIG", file.path())]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    for key in [
        "cors.allowed_origins[0]",
        "cors.allowed_origins[1]",
        "cors.max_age",
    ] {
        let line = run.line(key);
        assert!(
            line.contains("TOML file") && line.contains("invalid-values.toml"),
            "{line}"
        );
    }
    assert!(run.line("cors.max_age").contains("\"100000\""));
}

#[test]
fn unknown_key_in_the_file_suggests_the_closest_and_names_the_key_path_and_file() {
    let file = TempFile::new(
        "unknown-key.toml",
        "database_url = \"postgres://localhost/app\"\n\n[cors]\n\
         allowed_origin = [\"https://app.example.com\"]\n",
    );
    // A variable adding a key to `[cors]` as well: the unknown key is still the file's.
    let run = run(&[("APP_CONFIG", file.path()), ("APP_CORS__MAX_AGE", "60")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let line = run.line("cors.allowed_origin");
    for expected in [
        "did you mean `allowed_origins`?",
        "TOML file",
        "unknown-key.toml",
    ] {
        assert!(line.contains(expected), "{expected} missing from: {line}");
    }
    assert!(!line.contains("environment variable"), "{line}");
}

#[test]
fn unknown_key_in_a_variable_names_the_variable() {
    let run = run(&[("APP_CORS__ALLOWED_ORIGIN", "https://app.example.com")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let line = run.line("cors.allowed_origin");
    assert!(
        line.contains("environment variable APP_CORS__ALLOWED_ORIGIN")
            && line.contains("did you mean `allowed_origins`?"),
        "{line}"
    );
}

#[test]
fn wrong_type_in_a_variable_names_the_key_and_the_variable() {
    let run = run(&[("APP_CORS__MAX_AGE", "soon")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let line = run.line("cors.max_age");
    assert!(
        line.contains("environment variable APP_CORS__MAX_AGE") && line.contains("\"soon\""),
        "{line}"
    );
}

#[test]
fn missing_config_file_is_an_error_naming_it() {
    let run = run(&[("APP_CONFIG", "examples/no-such-app.toml")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("no-such-app.toml"), "{}", run.stderr);
}
