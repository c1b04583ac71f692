//! `tower-cors`, the CORS doctor: checks a policy, explains what browsers do with it, and probes a
//! live server the way a browser would.
//!
//! ```text
//! tower-cors check [FILE] [--deny-warnings] [--format text|json]
//! tower-cors explain [FILE] --origin O [--url URL] [--method M] [--header H]... [--credentials]
//!                    [--private-network] [--read-header NAME]... [--browser B] [--format F]
//! tower-cors probe URL --origin O [--method M] [--header H]... [--credentials]
//!                  [--private-network] [--read-header NAME]... [--timeout SECONDS]
//!                  [--browser chromium|firefox] [--format text|json]
//! ```
//!
//! Without FILE, the policy comes from the `CORS_*` environment variables. Results go to
//! stdout, every error to stderr. Exit status: `check` 0 valid, 1 invalid; `explain` and `probe`
//! 0 allowed, 1 blocked (or, for `probe`, a redirect whose target decides; or a header the page
//! reads that it cannot), 2 bad arguments, an invalid policy (`explain`) or an unreachable
//! server (`probe`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod json;
mod probe;

use std::borrow::Cow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tower_cors::{escape_controls, ConfigErrors, CorsLayer};
use tower_cors_doctor::{explain, Browser, PageRequest, Report, RequestError};

/// The URL `explain` puts in the requests and the console message when `--url` is not given:
/// the policy does not depend on it, and `.invalid` names no real server.
const STAND_IN_URL: &str = "https://api.invalid/";

/// The CORS doctor: why a browser blocks a request, and what to change.
#[derive(Debug, Parser)]
#[command(name = "tower-cors", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validates a policy: prints every error and warning, then the effective policy.
    ///
    /// Exit status: 0 valid, 1 invalid.
    Check {
        /// A TOML policy file; without it, the CORS_* environment variables.
        file: Option<PathBuf>,
        /// Counts warnings as problems: exit 1 when there is any.
        #[arg(long)]
        deny_warnings: bool,
        /// `text` for people, `json` for one JSON object (see the README for its fields).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Offline: what a browser sends for a request, what the policy answers, and whether the
    /// browser allows it, with the console message it would show and the fix.
    ///
    /// Exit status: 0 allowed, 1 blocked, 2 bad arguments or an invalid policy.
    Explain {
        /// A TOML policy file; without it, the CORS_* environment variables.
        file: Option<PathBuf>,
        /// The URL the page fetches (its scheme matters for mixed content); a stand-in,
        /// https://api.invalid/, without it.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        #[command(flatten)]
        request: RequestArgs,
    },
    /// Online: sends the preflight (when a browser would) and the actual request to a live
    /// server, and judges each response as a browser would.
    ///
    /// Exit status: 0 allowed, 1 blocked, 2 unreachable or bad arguments.
    Probe {
        /// The URL the page fetches.
        url: String,
        #[command(flatten)]
        request: RequestArgs,
        /// How long to wait for each response, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = probe::DEFAULT_TIMEOUT.as_secs_f64())]
        timeout: f64,
    },
}

#[derive(Debug, Args)]
struct RequestArgs {
    /// The page's origin, as the browser sends it: https://app.example.com.
    #[arg(long, value_name = "ORIGIN")]
    origin: String,
    /// The method the page uses (fetch() uppercases only delete, get, head, options, post, put).
    #[arg(long, value_name = "METHOD", default_value = "GET")]
    method: String,
    /// A header the page's script sets: `name: value`, or `name` for an empty value. Repeat it
    /// for more headers.
    #[arg(long = "header", value_name = "NAME[: VALUE]")]
    headers: Vec<String>,
    /// The page fetches with credentials (credentials: 'include').
    #[arg(long)]
    credentials: bool,
    /// The request goes to a more private network than the page (Private Network Access).
    #[arg(long)]
    private_network: bool,
    /// A response header the page's script reads: the doctor says when the browser hides it,
    /// and exits 1. Repeat it for more headers.
    #[arg(long = "read-header", value_name = "NAME")]
    read_headers: Vec<String>,
    /// The browser whose console message to show: chromium (also Chrome, Edge) or firefox.
    #[arg(long, value_name = "BROWSER", default_value = "chromium")]
    browser: Browser,
    /// `text` for people, `json` for one JSON object (see the README for its fields).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

impl RequestArgs {
    fn page_request(&self, url: &str) -> Result<PageRequest, RequestError> {
        let mut request = PageRequest::new(&self.origin, url)?.with_method(&self.method)?;
        for header in &self.headers {
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            request = request.with_header(name.trim(), value)?;
        }
        for name in &self.read_headers {
            request = request.with_read_header(name.trim())?;
        }
        Ok(request
            .with_credentials(self.credentials)
            .with_private_network(self.private_network))
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check {
            file,
            deny_warnings,
            format,
        } => check(file, deny_warnings, format),
        Command::Explain { file, url, request } => explain_request(file, url.as_deref(), &request),
        Command::Probe {
            url,
            request,
            timeout,
        } => probe_url(&url, &request, timeout),
    }
}

/// The policy from `file`, or from the environment; with a name for where it came from, its
/// control characters escaped as in the errors that name it.
fn load(file: Option<&PathBuf>) -> (String, Result<CorsLayer, ConfigErrors>) {
    match file {
        Some(path) => (
            escape_controls(&path.display().to_string()).into_owned(),
            CorsLayer::from_toml_file(path),
        ),
        None => (
            "the CORS_* environment variables".to_owned(),
            CorsLayer::from_env(),
        ),
    }
}

fn check(file: Option<PathBuf>, deny_warnings: bool, format: Format) -> ExitCode {
    let (source, loaded) = load(file.as_ref());
    let overridden = file.is_some()
        && std::env::vars_os().any(|(name, _)| {
            name.to_str().is_some_and(|name| {
                name.starts_with(tower_cors::DEFAULT_ENV_PREFIX) && name != "CORS_CONFIG"
            })
        });
    let note = overridden.then_some(
        "CORS_* variables are set; a server reading this file through CORS_CONFIG applies them \
         over it (run `tower-cors check` without FILE, with CORS_CONFIG set, to check what it \
         runs)",
    );
    let layer = match loaded {
        Ok(layer) => layer,
        Err(errors) => {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            for error in &errors {
                eprintln!("error: {error}");
            }
            let summary = format!("invalid: {} in {source}", count(errors.len(), "problem"));
            match format {
                Format::Text => println!("{summary}"),
                Format::Json => println!(
                    "{}",
                    json::check(&source, &summary, &errors, &[], None, note)
                ),
            }
            return ExitCode::from(1);
        }
    };
    let warnings: Vec<String> = layer.warnings().iter().map(ToString::to_string).collect();
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let denied = deny_warnings && !warnings.is_empty();
    let summary = if denied {
        format!(
            "invalid: {} in {source}, and --deny-warnings counts them",
            count(warnings.len(), "warning")
        )
    } else {
        "valid".to_owned()
    };
    let policy = layer.config().to_string();
    match format {
        Format::Text => {
            println!("{summary}");
            println!("# the effective policy, from {source}");
            print!("{policy}");
            if let Some(note) = note {
                println!("# note: {note}");
            }
        }
        Format::Json => println!(
            "{}",
            json::check(&source, &summary, &[], &warnings, Some(&policy), note)
        ),
    }
    if denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn explain_request(file: Option<PathBuf>, url: Option<&str>, args: &RequestArgs) -> ExitCode {
    let (source, loaded) = load(file.as_ref());
    let layer = match loaded {
        Ok(layer) => layer,
        Err(errors) => {
            let mut message = format!("invalid CORS policy in {source}:");
            for error in &errors {
                message.push('\n');
                message.push_str(&error.to_string());
            }
            return failure(args.format, "explain", &message);
        }
    };
    let request = match args.page_request(url.unwrap_or(STAND_IN_URL)) {
        Ok(request) => request,
        Err(error) => return failure(args.format, "explain", &error.to_string()),
    };
    let report = explain(&layer, &request).for_browser(args.browser);
    let header = match url {
        Some(_) => format!("policy: {source}"),
        None => format!("policy: {source} (the server's URL is a stand-in: {STAND_IN_URL})"),
    };
    finish(args.format, "explain", Some(&header), &report)
}

fn probe_url(url: &str, args: &RequestArgs, timeout: f64) -> ExitCode {
    let timeout = match Duration::try_from_secs_f64(timeout) {
        Ok(timeout) if !timeout.is_zero() => timeout,
        _ => {
            return failure(
                args.format,
                "probe",
                &format!("--timeout {timeout}: write a positive number of seconds, such as 10"),
            )
        }
    };
    let request = match args.page_request(url) {
        Ok(request) => request,
        Err(error) => return failure(args.format, "probe", &error.to_string()),
    };
    match probe::probe(&request, timeout) {
        Ok(report) => finish(
            args.format,
            "probe",
            None,
            &report.for_browser(args.browser),
        ),
        Err(error) => failure(args.format, "probe", &error.to_string()),
    }
}

/// Prints the report and turns its verdict into the exit status.
fn finish(format: Format, command: &str, header: Option<&str>, report: &Report) -> ExitCode {
    match format {
        Format::Text => {
            if let Some(header) = header {
                println!("{header}");
            }
            print!("{report}");
        }
        Format::Json => println!("{}", json::report(command, report)),
    }
    if report.is_allowed() && report.unreadable_headers().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// An error that ends the run: to stderr, and in JSON also as the run's one object. It may
/// quote what a server sent (an HTTP client's error), so each line is escaped.
fn failure(format: Format, command: &str, message: &str) -> ExitCode {
    let lines: Vec<Cow<'_, str>> = message.split('\n').map(escape_controls).collect();
    let message = lines.join("\n");
    let message = message.as_str();
    eprintln!("error: {message}");
    if format == Format::Json {
        println!("{}", json::error(command, message));
    }
    ExitCode::from(2)
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
