//! What the binary's tests share: running `tower-cors` as a user runs it, the demo server (the
//! root package's `server` example, built for the run), and small misbehaving HTTP servers on
//! loopback, each answering with what a test gives it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a run of the binary, a server's start-up or one request may take before the test
/// fails: generous, only to turn a hang into a failure.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// The repository's root, where the library and its examples are.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ is inside the repository")
        .to_path_buf()
}

/// Runs `tower-cors ARGS` with only `vars` in its environment, from the repository's root.
pub(crate) fn tower_cors(args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tower-cors"))
        .args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tower-cors");
    let output = wait_with_output(&mut child, &format!("tower-cors {args:?}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Reads both pipes while `child` runs, so neither can fill, and kills it after [`TIMEOUT`].
fn wait_with_output(child: &mut Child, what: &str) -> Output {
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} was still running after {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

/// The exit code and output of a run, shown whole when an assertion fails.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The line of stdout that starts with `prefix`, without the prefix.
    pub(crate) fn line(&self, prefix: &str) -> Option<&str> {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
    }

    /// The run's stdout as one JSON object (`--format json`).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not one JSON object ({error}): {self:?}"))
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A file under cargo's temporary directory for tests.
pub(crate) fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, contents).expect("write the temporary file");
    path
}

// The demo server is started as every other package's tests start it.
#[path = "../../../tests/common/demo.rs"]
mod demo_server;

/// A running demo server (the root package's `server` example, built for the run), killed when
/// dropped.
pub(crate) use demo_server::Server as Demo;

/// Starts the demo server with only `vars` (and `PORT=0`) and waits for its `listening on` line.
pub(crate) fn demo(vars: &[(&str, &str)]) -> Demo {
    demo_server::start(vars)
}

/// A request as a fake server received it.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Header names lowercase, values as sent.
    pub(crate) headers: Vec<(String, String)>,
}

impl Received {
    /// The first value of header `name`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP/1.1 server that answers each request with what `respond` returns (a status
/// line, header lines and a body, as `response` builds them), one request per connection, at
/// most 16 connections. Records every request it received.
pub(crate) struct Fake {
    pub(crate) url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Fake {
    pub(crate) fn start(respond: impl Fn(&Received) -> String + Send + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().take(16) {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(TIMEOUT));
                let mut bytes = Vec::new();
                let mut buffer = [0u8; 1024];
                while !bytes.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => bytes.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines = head.split("\r\n");
                let mut start = lines.next().unwrap_or_default().split(' ');
                let request = Received {
                    method: start.next().unwrap_or_default().to_owned(),
                    path: start.next().unwrap_or_default().to_owned(),
                    headers: lines
                        .filter_map(|line| line.split_once(':'))
                        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect(),
                };
                let answer = respond(&request);
                if let Ok(mut log) = log.lock() {
                    log.push(request);
                }
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        Fake { url, received }
    }

    /// The requests received so far.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// An HTTP/1.1 response: `status` (`"404 Not Found"`), the header lines, and the body, with
/// `content-length` and `connection: close`.
pub(crate) fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    text
}

/// A loopback port nothing listens on, for as long as the returned socket lives: it is bound,
/// so no other test can take it, but not listening, so every connection is refused.
pub(crate) fn closed_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.1:0".parse().expect("an address"))
        .expect("bind a loopback port");
    let port = socket.local_addr().expect("local address").port();
    (socket, port)
}
