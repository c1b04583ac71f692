//! Starting the example servers (`cargo run --example server`, `grpc_web`, `hyper`) from the tests:
//! the built example is started on a free loopback port (`PORT=0`) with the given environment, and
//! killed when dropped. Shared by the tests that talk to a running server.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// How long the server may take to start, and a request to be answered. Both take
/// milliseconds once the binary is built (it is built before the clock starts); 20 s only turns
/// a hang into a failure with a message, with room for two cores shared with other builds.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(20);

/// The example binary, built now by cargo (a no-op when it is current), so that a test never
/// starts a binary left over from an older build. Built once per test binary and example.
///
/// The root package's examples are built with `-p tower-cors`; an example of another workspace
/// member is found by cargo among all members.
pub(crate) fn example_binary(example: &str) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    // Held during the build, so that tests starting the same example wait for one build.
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, binary)) = built.iter().find(|(name, _)| name == example) {
        return binary.clone();
    }
    let root = workspace_root();
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(&root)
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "--all-features",
        ])
        .args(["--example", example])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    if root.join("examples").join(format!("{example}.rs")).exists() {
        command.args(["-p", "tower-cors"]);
    } else {
        command.arg("--workspace");
    }
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run cargo to build example {example}: {error}"));
    assert!(
        output.status.success(),
        "cargo build --example {example} failed: {}",
        output.status
    );
    let binary = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.contains("\"reason\":\"compiler-artifact\""))
        .filter(|line| line.contains("\"kind\":[\"example\"]"))
        .filter(|line| line.contains(&format!("\"name\":\"{example}\"")))
        .find_map(|line| json_field(line, "executable"))
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("cargo built no executable for example {example}"));
    built.push((example.to_owned(), binary.clone()));
    binary
}

/// The directory of the workspace's root manifest, above this package's own.
fn workspace_root() -> PathBuf {
    let package = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    package
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
        })
        .unwrap_or(&package)
        .to_path_buf()
}

/// The string value of `"key":"..."` in one line of cargo's JSON messages.
fn json_field(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

/// A running demo server, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    pub(crate) startup: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// The server process's id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server process is still running.
    pub(crate) fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Everything the server wrote to stderr so far (read continuously, so the pipe never fills).
    pub(crate) fn stderr(&self) -> String {
        self.stderr
            .lock()
            .map(|text| text.clone())
            .unwrap_or_default()
    }

    /// Waits, at most [`TIMEOUT`], until stderr contains `needle`; whether it did.
    pub(crate) fn wait_for_stderr(&self, needle: &str) -> bool {
        let deadline = std::time::Instant::now() + TIMEOUT;
        while std::time::Instant::now() < deadline {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// `http://127.0.0.1:PORT`, the origin of this server.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The command that starts the demo server with only these variables (and `PORT=0`).
pub(crate) fn command(vars: &[(&str, &str)]) -> Command {
    example_command("server", vars)
}

/// The command that starts `example` with only these variables (and `PORT=0`).
pub(crate) fn example_command(example: &str, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(example_binary(example));
    command
        .env_clear()
        .env("PORT", "0")
        .env("RUST_LOG", "off")
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

/// Starts the demo server and waits for its `listening on` line.
pub(crate) fn start(vars: &[(&str, &str)]) -> Server {
    start_example("server", vars)
}

/// Starts `example` and waits for its `listening on` line.
pub(crate) fn start_example(example: &str, vars: &[(&str, &str)]) -> Server {
    let mut child = example_command(example, vars)
        .spawn()
        .expect("start the example server");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = Arc::new(Mutex::new(String::new()));
    let stderr_pipe = child.stderr.take().expect("stderr");
    let collected = Arc::clone(&stderr);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
            if let Ok(mut text) = collected.lock() {
                text.push_str(&line);
                text.push('\n');
            }
        }
    });
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut startup = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            startup.push_str(&line);
            startup.push('\n');
            if let Some(address) = line.strip_prefix("listening on http://127.0.0.1:") {
                let _ = sender.send((address.parse::<u16>().ok(), startup.clone()));
                return;
            }
        }
        let _ = sender.send((None, startup));
    });
    let (port, startup) = receiver.recv_timeout(TIMEOUT).expect("the server to start");
    let port = port.unwrap_or_else(|| panic!("no listening line; stdout was:\n{startup}"));
    Server {
        child,
        port,
        startup,
        stderr,
    }
}

/// Runs `example` with only these variables (and `PORT=0`) until it exits, killing it if it is
/// still running after [`TIMEOUT`]; both pipes are read while it runs, so neither can fill.
pub(crate) fn run_to_exit(example: &str, vars: &[(&str, &str)]) -> std::process::Output {
    use std::io::Read;

    let mut child = example_command(example, vars)
        .spawn()
        .expect("start the example");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = std::time::Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the example") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{example} was still running after {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

/// Sends one request to `url` over HTTP/1.1 with hyper's client and reads the whole response,
/// each step bounded by [`TIMEOUT`].
pub(crate) async fn send_http(
    method: http::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: bytes::Bytes,
) -> http::Response<bytes::Bytes> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let client = Client::builder(TokioExecutor::new()).build_http::<Full<bytes::Bytes>>();
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body)).expect("a valid request");
    let response = tokio::time::timeout(TIMEOUT, client.request(request))
        .await
        .expect("the server to answer in time")
        .expect("a response");
    let (parts, body) = response.into_parts();
    let body = tokio::time::timeout(TIMEOUT, body.collect())
        .await
        .expect("the body to arrive in time")
        .expect("a complete body")
        .to_bytes();
    http::Response::from_parts(parts, body)
}
