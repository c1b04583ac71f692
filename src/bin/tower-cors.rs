//! `tower-cors`, the CORS doctor: checks a policy, explains what browsers do with it, and probes a
//! live server the way a browser would.
//!
//! ```text
//! tower-cors check [FILE] [--deny-warnings]
//! tower-cors explain [FILE] --origin O [--method M] [--header H]... [--credentials] [--private-network]
//! tower-cors probe URL --origin O [--method M] [--header H]... [--credentials]
//! ```
//!
//! Without FILE, the policy comes from the `CORS_*` environment variables. Results go to
//! stdout, errors to stderr. Exit status: `check` 0 valid, 1 invalid; `explain` and `probe` 0
//! allowed, 1 blocked (or, for `probe`, a redirect whose target decides), 2 bad arguments, an
//! invalid policy (`explain`) or an unreachable server (`probe`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tower_cors::doctor::{explain, probe, PageRequest, RequestError};
use tower_cors::{ConfigErrors, CorsLayer};

/// The URL `explain` puts in the requests and the console message: the policy does not depend
/// on it, and `.invalid` names no real server.
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
    },
    /// Offline: what a browser sends for a request, what the policy answers, and whether the
    /// browser allows it, with the console message it would show and the fix.
    ///
    /// Exit status: 0 allowed, 1 blocked, 2 bad arguments or an invalid policy.
    Explain {
        /// A TOML policy file; without it, the CORS_* environment variables.
        file: Option<PathBuf>,
        #[command(flatten)]
        request: RequestArgs,
        /// The request goes to a more private network than the page (Private Network Access).
        #[arg(long)]
        private_network: bool,
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
}

impl RequestArgs {
    fn page_request(&self, url: &str, private_network: bool) -> Result<PageRequest, RequestError> {
        let mut request = PageRequest::new(&self.origin, url)?.with_method(&self.method)?;
        for header in &self.headers {
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            request = request.with_header(name.trim(), value)?;
        }
        Ok(request
            .with_credentials(self.credentials)
            .with_private_network(private_network))
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check {
            file,
            deny_warnings,
        } => check(file, deny_warnings),
        Command::Explain {
            file,
            request,
            private_network,
        } => explain_request(file, &request, private_network),
        Command::Probe { url, request } => probe_url(&url, &request),
    }
}

/// The policy from `file`, or from the environment; with a name for where it came from.
fn load(file: Option<&PathBuf>) -> (String, Result<CorsLayer, ConfigErrors>) {
    match file {
        Some(path) => (path.display().to_string(), CorsLayer::from_toml_file(path)),
        None => (
            "the CORS_* environment variables".to_owned(),
            CorsLayer::from_env(),
        ),
    }
}

fn check(file: Option<PathBuf>, deny_warnings: bool) -> ExitCode {
    let (source, loaded) = load(file.as_ref());
    let layer = match loaded {
        Ok(layer) => layer,
        Err(errors) => {
            for error in &errors {
                println!("error: {error}");
            }
            println!("invalid: {} in {source}", count(errors.len(), "problem"));
            return ExitCode::from(1);
        }
    };
    let warnings = layer.warnings();
    for warning in &warnings {
        println!("warning: {warning}");
    }
    let denied = deny_warnings && !warnings.is_empty();
    if denied {
        println!(
            "invalid: {} in {source}, and --deny-warnings counts them",
            count(warnings.len(), "warning")
        );
    } else {
        println!("valid");
    }
    println!("# the effective policy, from {source}");
    print!("{}", layer.config());
    if file.is_some()
        && std::env::vars_os().any(|(name, _)| {
            name.to_str().is_some_and(|name| {
                name.starts_with(tower_cors::DEFAULT_ENV_PREFIX) && name != "CORS_CONFIG"
            })
        })
    {
        println!(
            "# note: CORS_* variables are set; a server reading this file through CORS_CONFIG \
             applies them over it (run `tower-cors check` without FILE, with CORS_CONFIG set, to \
             check what it runs)"
        );
    }
    if denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn explain_request(file: Option<PathBuf>, args: &RequestArgs, private_network: bool) -> ExitCode {
    let (source, loaded) = load(file.as_ref());
    let layer = match loaded {
        Ok(layer) => layer,
        Err(errors) => {
            eprintln!("error: invalid CORS policy in {source}:");
            for error in &errors {
                eprintln!("{error}");
            }
            return ExitCode::from(2);
        }
    };
    let request = match args.page_request(STAND_IN_URL, private_network) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let report = explain(&layer, &request);
    println!("policy: {source} (the server's URL is a stand-in: {STAND_IN_URL})");
    print!("{report}");
    if report.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn probe_url(url: &str, args: &RequestArgs) -> ExitCode {
    let request = match args.page_request(url, false) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match probe(&request) {
        Ok(report) => {
            print!("{report}");
            if report.is_allowed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
