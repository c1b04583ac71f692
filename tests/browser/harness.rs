//! The harness of the browser suite (`browser.rs`): one headless Chromium per test binary, driven through
//! chromedriver with fantoccini; small pages served from loopback ports (each port is an origin);
//! scripts that run `fetch()` or `XMLHttpRequest` in those pages and report what JavaScript could
//! see; and the browser console, read through chromedriver's log endpoint.
//!
//! The browser is shared: it lives on a runtime of its own (each `#[tokio::test]` has its own
//! runtime, which ends with the test), behind a mutex that runs the scenarios one at a time. A
//! watchdog process kills chromedriver and Chromium (their process group) and removes the
//! profile directory as soon as the test binary exits, however it exits.

use std::future::IntoFuture;
use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex as StdMutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{Mutex, MutexGuard, OnceCell};
use tower::util::MapRequestLayer;
use tower_cors::CorsLayer;

/// Debian's Chromium, never a browser downloaded by a test tool.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver, from the `chromium-driver` package.
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The bound of every wait: a WebDriver command, a page load, a script, a log read. Each of
/// these takes milliseconds to a second when the two cores are shared with a parallel build;
/// the bound only turns a hang into a failure with a message, and nothing asserts on timing.
const STEP: Duration = Duration::from_secs(20);
/// How long a script may wait for its request before it reports a timeout itself: requests go
/// to loopback servers that answer in milliseconds, so 10 s is a hang, not a slow answer.
const SCRIPT_WAIT_MS: u64 = 10_000;
/// How long to wait for a blocked request's console message to reach chromedriver's log.
/// Chromium logs it before the script sees the error, so it is normally there at the first
/// read; the wait, ended as soon as the line arrives, only covers chromedriver's buffering.
const CONSOLE_WAIT: Duration = Duration::from_secs(10);

const LAUNCH_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=800,600",
];

/// Run by `sh -c` beside chromedriver: waits for its stdin, a pipe from the test binary, to
/// close (the test binary exited), then ends chromedriver's process group (chromedriver and the
/// Chromium it started) and removes the profile directory.
const WATCHDOG: &str = r#"read -r _
kill -TERM "-$1" 2>/dev/null
sleep 1
kill -KILL "-$1" 2>/dev/null
rm -rf -- "$2""#;

/// True when the tests run in CI, where a browser that cannot start is a failure, not a skip.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
}

/// The browser shared by every test of the binary, locked for the calling test; `None` (after
/// saying so on the terminal) when there is no usable browser outside CI. Panics in CI.
pub(crate) async fn browser() -> Option<MutexGuard<'static, Browser>> {
    static BROWSER: OnceCell<Result<Mutex<Browser>, String>> = OnceCell::const_new();
    let launched = BROWSER
        .get_or_init(|| async {
            // The fantoccini session task is spawned on the runtime that connects: the shared
            // one, which outlives every test.
            match session_runtime().spawn(Browser::launch()).await {
                Ok(launched) => launched.map(Mutex::new),
                Err(error) => Err(format!("launching the browser panicked: {error}")),
            }
        })
        .await;
    match launched {
        Ok(browser) => Some(browser.lock().await),
        Err(why) if in_ci() => panic!("CI is set and the browser tests need Chromium: {why}"),
        Err(why) => {
            static SAID: OnceLock<()> = OnceLock::new();
            SAID.get_or_init(|| {
                // Straight to the terminal: libtest would swallow `eprintln!` of a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "\nSKIPPING the browser tests: {why}\n  (they need Debian's packages: apt-get \
                     install chromium chromium-driver; with CI=true this is a failure)\n"
                );
            });
            None
        }
    }
}

fn session_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("browser-session")
            .enable_all()
            .build()
            .expect("a runtime for the browser session")
    })
}

/// chromedriver, its watchdog, and where it listens.
struct Driver {
    _chromedriver: Child,
    _watchdog: Child,
    /// Closing it (dropping it, or the process exiting) makes the watchdog clean up.
    _watchdog_stdin: ChildStdin,
    url: String,
    log: PathBuf,
}

impl Driver {
    fn start(dir: &Path) -> Result<Self, String> {
        let log = dir.join("chromedriver.log");
        // Port 0: chromedriver binds a free port itself and prints it, so no other process can
        // take the port between choosing it and listening on it.
        let mut chromedriver = Command::new(CHROMEDRIVER)
            .arg("--port=0")
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|error| format!("cannot run {CHROMEDRIVER}: {error}"))?;
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("watchdog")
            .arg(chromedriver.id().to_string())
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        let mut watchdog = match watchdog {
            Ok(watchdog) => watchdog,
            Err(error) => {
                let _ = chromedriver.kill();
                let _ = chromedriver.wait();
                return Err(format!("cannot run the watchdog (sh): {error}"));
            }
        };
        let stdin = watchdog.stdin.take().expect("the watchdog's stdin");
        let port = match listening_port(&mut chromedriver) {
            Ok(port) => port,
            Err(error) => {
                let _ = chromedriver.kill();
                let _ = chromedriver.wait();
                return Err(error);
            }
        };
        Ok(Self {
            _chromedriver: chromedriver,
            _watchdog: watchdog,
            _watchdog_stdin: stdin,
            url: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    /// The end of chromedriver's log, to explain a failed start.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// The port in chromedriver's `ChromeDriver was started successfully on port N.` line, read
/// within [`STEP`]; the rest of its output is drained so that it never blocks on a full pipe.
fn listening_port(chromedriver: &mut Child) -> Result<u16, String> {
    const STARTED: &str = "ChromeDriver was started successfully on port ";
    let stdout = chromedriver.stdout.take().ok_or("chromedriver's stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut said = String::new();
        let mut sender = Some(sender);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line.strip_prefix(STARTED) {
                if let Some(sender) = sender.take() {
                    let _ = sender.send(
                        port.trim_end_matches('.')
                            .parse::<u16>()
                            .map_err(|_| line.clone()),
                    );
                }
            } else if sender.is_some() {
                said.push_str(&line);
                said.push('\n');
            }
        }
        if let Some(sender) = sender {
            let _ = sender.send(Err(said));
        }
    });
    match receiver.recv_timeout(STEP) {
        Ok(Ok(port)) => Ok(port),
        Ok(Err(said)) => Err(format!(
            "chromedriver did not say its port; it printed:\n{said}"
        )),
        Err(_) => Err(format!("chromedriver did not say its port within {STEP:?}")),
    }
}

/// The shared headless Chromium session.
pub(crate) struct Browser {
    client: Client,
    session: String,
    driver: Driver,
}

impl Browser {
    async fn launch() -> Result<Self, String> {
        for program in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(program).exists() {
                return Err(format!("{program} is missing"));
            }
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("tower-cors-browser-{}-{nanos}", std::process::id()));
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile)
            .map_err(|error| format!("cannot create {}: {error}", profile.display()))?;
        let driver = Driver::start(&dir)?;

        let ready = Instant::now() + STEP;
        while tokio::net::TcpStream::connect(driver.url.trim_start_matches("http://"))
            .await
            .is_err()
        {
            if Instant::now() > ready {
                return Err(format!(
                    "chromedriver did not listen within {STEP:?}; its log ends with:\n{}",
                    driver.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let mut args: Vec<String> = LAUNCH_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut chrome = Capabilities::new();
        chrome.insert("binary".into(), CHROMIUM.into());
        chrome.insert("args".into(), args.into());
        let mut logging = Capabilities::new();
        logging.insert("browser".into(), "ALL".into());
        let mut timeouts = Capabilities::new();
        timeouts.insert("script".into(), (STEP.as_millis() as u64).into());
        timeouts.insert("pageLoad".into(), (STEP.as_millis() as u64).into());
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), "chrome".into());
        capabilities.insert("goog:chromeOptions".into(), chrome.into());
        capabilities.insert("goog:loggingPrefs".into(), logging.into());
        capabilities.insert("timeouts".into(), timeouts.into());

        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let connect = builder.connect(&driver.url);
        let client = match tokio::time::timeout(STEP * 2, connect).await {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => {
                return Err(format!(
                    "Chromium did not start: {error}; chromedriver's log ends with:\n{}",
                    driver.log_tail()
                ))
            }
            Err(_) => {
                return Err(format!(
                    "Chromium did not start within {:?}; chromedriver's log ends with:\n{}",
                    STEP * 2,
                    driver.log_tail()
                ))
            }
        };
        let session = client
            .session_id()
            .await
            .ok()
            .flatten()
            .ok_or("chromedriver gave no session id")?;
        Ok(Self {
            client,
            session,
            driver,
        })
    }

    /// Loads `url` (a page of [`serve_pages`]) and forgets the console so far.
    pub(crate) async fn open(&self, url: &str) {
        bounded(&format!("loading {url}"), self.client.goto(url)).await;
        let page = bounded("reading the page's URL", self.client.current_url()).await;
        assert_eq!(page.as_str(), url, "the browser did not stay on the page");
        self.console().await;
    }

    /// The origin of the page the browser is on, as the page's script sees it.
    pub(crate) async fn origin(&self) -> String {
        let origin = bounded(
            "reading location.origin",
            self.client.execute("return location.origin", vec![]),
        )
        .await;
        origin.as_str().expect("a string").to_owned()
    }

    /// Runs a synchronous script in the page.
    pub(crate) async fn run(&self, script: &str) {
        bounded(script, self.client.execute(script, vec![])).await;
    }

    /// Runs `fetch(url, INIT)` in the page, `init` being the JavaScript source of the options
    /// object (`"{}"`, `"{method: 'PUT', credentials: 'include'}"`), and reports what the
    /// script saw, with the console lines logged meanwhile.
    pub(crate) async fn fetch(&self, url: &str, init: &str) -> Seen {
        let script = format!(
            r#"const done = arguments[arguments.length - 1];
const timer = setTimeout(() => done({{ error: 'no answer within {SCRIPT_WAIT_MS} ms' }}), {SCRIPT_WAIT_MS});
fetch(arguments[0], {init})
  .then(async (response) => {{
    const headers = [...response.headers].map(([name, value]) => name + ': ' + value);
    const body = await response.text();
    clearTimeout(timer);
    done({{ status: response.status, type: response.type, body, headers }});
  }})
  .catch((error) => {{ clearTimeout(timer); done({{ error: String(error) }}); }});"#
        );
        let what = format!("fetch({url}, {init})");
        self.request(what, &script, vec![url.into()]).await
    }

    /// Sends an `XMLHttpRequest` from the page and reports what the script saw:
    /// `getAllResponseHeaders()` as the headers, or the `error` event.
    pub(crate) async fn xhr(
        &self,
        method: &str,
        url: &str,
        with_credentials: bool,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Seen {
        let script = format!(
            r#"const [method, url, withCredentials, headers, body] = arguments;
const done = arguments[arguments.length - 1];
const xhr = new XMLHttpRequest();
xhr.open(method, url);
xhr.withCredentials = withCredentials;
xhr.timeout = {SCRIPT_WAIT_MS};
for (const [name, value] of headers) xhr.setRequestHeader(name, value);
xhr.onload = () => done({{
  status: xhr.status,
  body: xhr.responseText,
  headers: xhr.getAllResponseHeaders().split('\r\n').filter((line) => line !== ''),
}});
xhr.onerror = () => done({{ error: 'error event (status ' + xhr.status + ')' }});
xhr.ontimeout = () => done({{ error: 'timeout event' }});
xhr.send(body);"#
        );
        let header_pairs: Vec<Vec<&str>> = headers.iter().map(|(n, v)| vec![*n, *v]).collect();
        let what = format!(
            "XMLHttpRequest {method} {url} withCredentials={with_credentials} headers={headers:?}"
        );
        let args = vec![
            method.into(),
            url.into(),
            with_credentials.into(),
            header_pairs.into(),
            body.into(),
        ];
        self.request(what, &script, args).await
    }

    async fn request(&self, what: String, script: &str, args: Vec<Json>) -> Seen {
        self.console().await;
        let reply = bounded(&what, self.client.execute_async(script, args)).await;
        let text = |key: &str| reply.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let mut seen = Seen {
            what,
            status: reply
                .get("status")
                .and_then(|status| status.as_u64())
                .map(|status| u16::try_from(status).expect("an HTTP status")),
            body: text("body").unwrap_or_default(),
            headers: reply
                .get("headers")
                .and_then(|headers| headers.as_array())
                .map(|headers| {
                    headers
                        .iter()
                        .filter_map(|line| line.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            error: text("error"),
            console: Vec::new(),
        };
        // A blocked request's message may reach chromedriver's log a little after the script
        // saw the error: wait for it, within bounds.
        let deadline = Instant::now() + CONSOLE_WAIT;
        loop {
            seen.console.extend(self.console().await);
            if seen.error.is_none() || !seen.cors_errors().is_empty() || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seen.log();
        seen
    }

    /// Runs an asynchronous script with these string arguments (it reports by calling
    /// `arguments[arguments.length - 1]`) and returns what it reported, as text: for what the
    /// request helpers do not cover, such as a WebSocket.
    pub(crate) async fn run_async(&self, script: &str, args: &[&str]) -> String {
        let args = args.iter().map(|arg| Json::from(*arg)).collect();
        let reply = bounded(script, self.client.execute_async(script, args)).await;
        reply
            .as_str()
            .map_or_else(|| reply.to_string(), str::to_owned)
    }

    /// Submits a `<form method=post>` from the current page to `action`, as a user clicking
    /// its button would (a navigation, which no CORS check applies to), waits for the browser
    /// to load the answer, and returns that page's text.
    pub(crate) async fn submit_form(&self, action: &str) -> String {
        self.run_async(
            "const [action, done] = arguments;
const form = document.createElement('form');
form.method = 'post';
form.action = action;
const field = document.createElement('input');
field.name = 'amount';
field.value = '100';
form.appendChild(field);
document.body.appendChild(form);
form.submit();
done('submitted');",
            &[action],
        )
        .await;
        let deadline = Instant::now() + STEP;
        loop {
            let url = bounded("reading the page's URL", self.client.current_url()).await;
            let state = bounded(
                "reading the page's state",
                self.client.execute("return document.readyState", vec![]),
            )
            .await;
            if url.as_str() == action && state.as_str() == Some("complete") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the form post to {action} did not load within {STEP:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let text = bounded(
            "reading the page's text",
            self.client.execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            ),
        )
        .await;
        text.as_str().unwrap_or_default().trim().to_owned()
    }

    /// The console lines logged since the last call (chromedriver clears its buffer when read),
    /// without the `URL - ` prefix chromedriver puts before each.
    pub(crate) async fn console(&self) -> Vec<String> {
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build_http::<Full<Bytes>>();
        let request = Request::post(format!(
            "{}/session/{}/se/log",
            self.driver.url, self.session
        ))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(br#"{"type":"browser"}"#)))
        .expect("a log request");
        let body = bounded("reading the browser console", async {
            let response = client.request(request).await.map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            let body = String::from_utf8_lossy(&body).into_owned();
            if status.is_success() {
                Ok(body)
            } else {
                Err(format!("{status}: {body}"))
            }
        })
        .await;
        string_members(&body, "message")
            .into_iter()
            .map(|message| match message.split_once(" - ") {
                Some((_, text)) => text.to_owned(),
                None => message,
            })
            .collect()
    }
}

/// What the page's script saw of one request.
#[derive(Debug)]
pub(crate) struct Seen {
    /// The request, for messages.
    pub(crate) what: String,
    /// The status JavaScript could read; `None` when the request failed.
    pub(crate) status: Option<u16>,
    pub(crate) body: String,
    /// `name: value` lines, as `response.headers` or `getAllResponseHeaders()` list them.
    pub(crate) headers: Vec<String>,
    /// The `TypeError` of `fetch`, or the `error` event of `XMLHttpRequest`.
    pub(crate) error: Option<String>,
    /// Every console line logged while the request ran.
    pub(crate) console: Vec<String>,
}

impl Seen {
    #[allow(clippy::print_stderr)] // captured by libtest: shown for a failing test
    fn log(&self) {
        eprintln!(
            "{}\n  status {:?}, body {:?}, headers {:?}, error {:?}\n  console {:?}",
            self.what, self.status, self.body, self.headers, self.error, self.console
        );
    }

    /// The names of the headers JavaScript could read, as listed.
    pub(crate) fn header_names(&self) -> Vec<&str> {
        self.headers
            .iter()
            .map(|line| line.split_once(':').map_or(line.as_str(), |(name, _)| name))
            .collect()
    }

    /// The value JavaScript could read of header `name`.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|line| {
            let (n, value) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The console lines that say a request was blocked by CORS.
    pub(crate) fn cors_errors(&self) -> Vec<&str> {
        self.console
            .iter()
            .map(String::as_str)
            .filter(|line| line.contains("CORS policy"))
            .collect()
    }

    /// Asserts that JavaScript read this status and body, and that nothing was blocked.
    #[track_caller]
    pub(crate) fn assert_response(&self, status: u16, body: &str) {
        assert_eq!(
            (self.status, self.body.as_str(), self.error.as_deref()),
            (Some(status), body, None),
            "{self:#?}"
        );
        assert!(self.cors_errors().is_empty(), "{self:#?}");
    }

    /// Asserts that JavaScript read this status (whatever the body), and nothing was blocked.
    #[track_caller]
    pub(crate) fn assert_status(&self, status: u16) {
        assert_eq!(
            (self.status, self.error.as_deref()),
            (Some(status), None),
            "{self:#?}"
        );
        assert!(self.cors_errors().is_empty(), "{self:#?}");
    }

    /// Asserts that the request failed with the network error CORS gives to scripts, and that
    /// the console said why, in exactly these words.
    #[track_caller]
    pub(crate) fn assert_blocked(&self, script_error: &str, console: &str) {
        assert_eq!(self.status, None, "{self:#?}");
        assert_eq!(self.error.as_deref(), Some(script_error), "{self:#?}");
        assert_eq!(self.cors_errors(), [console], "{self:#?}");
    }
}

/// The message of a blocked `fetch`.
pub(crate) const FAILED_TO_FETCH: &str = "TypeError: Failed to fetch";
/// What an `XMLHttpRequest` blocked by CORS reports: an `error` event, status 0.
pub(crate) const XHR_ERROR: &str = "error event (status 0)";

/// fantoccini's JSON value, `serde_json::Value`, named through `Capabilities` (a
/// `serde_json::Map<String, Value>`) since `serde_json` is not a dependency of this package.
type Json = <<Capabilities as IntoIterator>::Item as Pair>::Second;

trait Pair {
    type Second;
}

impl<A, B> Pair for (A, B) {
    type Second = B;
}

/// Awaits `future` for at most [`STEP`]; panics naming `what` when it fails or takes longer.
async fn bounded<T, E, F>(what: &str, future: F) -> T
where
    F: IntoFuture<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    match tokio::time::timeout(STEP, future.into_future()).await {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => panic!("{what}: {error}"),
        Err(_) => panic!("{what}: no answer within {STEP:?}"),
    }
}

/// The decoded string values of every `"key": "..."` member of a JSON text.
fn string_members(json: &str, key: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = json;
    // Every string is consumed whole, so a quote found here always opens a string.
    while let Some(quote) = rest.find('"') {
        let (name, after) = json_string(&rest[quote + 1..]);
        rest = after;
        let after_name = after.trim_start();
        if name == key {
            if let Some(value) = after_name.strip_prefix(':') {
                if let Some(value) = value.trim_start().strip_prefix('"') {
                    let (value, after) = json_string(value);
                    found.push(value);
                    rest = after;
                }
            }
        }
    }
    found
}

/// Decodes a JSON string whose opening quote has been read; returns it and the text after its
/// closing quote.
fn json_string(text: &str) -> (String, &str) {
    let mut decoded = String::new();
    let mut chars = text.char_indices();
    let mut pending_high: Option<u32> = None;
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return (decoded, &text[index + 1..]),
            '\\' => {
                let escaped = chars.next().map_or('\\', |(_, e)| e);
                let simple = match escaped {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'u' => None,
                    other => Some(other),
                };
                if let Some(c) = simple {
                    decoded.push(c);
                    continue;
                }
                let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                let unit = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                match (pending_high.take(), unit) {
                    (None, 0xd800..=0xdbff) => pending_high = Some(unit),
                    (Some(high), 0xdc00..=0xdfff) => decoded.push(
                        char::from_u32(0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00))
                            .unwrap_or('\u{fffd}'),
                    ),
                    (_, unit) => decoded.push(char::from_u32(unit).unwrap_or('\u{fffd}')),
                }
            }
            c => decoded.push(c),
        }
    }
    (decoded, "")
}

/// Small HTML pages on a loopback port: `http://HOST:PORT/` for any host that resolves to
/// loopback (`127.0.0.1`, `localhost`, `*.localhost`), so one server gives many origins.
pub(crate) struct Pages {
    pub(crate) port: u16,
}

impl Pages {
    /// The page at `http://HOST:PORT/`.
    pub(crate) fn url(&self, host: &str) -> String {
        format!("http://{host}:{}/", self.port)
    }

    /// The origin of that page: `http://HOST:PORT`.
    pub(crate) fn origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }
}

/// Serves the pages on `127.0.0.1:0` from the calling test's runtime.
pub(crate) async fn serve_pages() -> Pages {
    let app = Router::new()
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .fallback(|| async {
            Html(
                "<!doctype html><meta charset=utf-8><title>tower-cors browser test</title>\
                 <p>A page whose scripts call another origin.",
            )
        });
    let port = serve(app).await;
    Pages { port }
}

/// An in-process server: `tower_cors::CorsLayer` outermost around a handler that echoes the
/// request's `Cookie` header, and a recording layer outside the CORS layer, which therefore
/// sees the preflights that the CORS layer answers.
pub(crate) struct Recorded {
    pub(crate) port: u16,
    requests: Arc<StdMutex<Vec<String>>>,
}

impl Recorded {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests `METHOD PATH` reached the server.
    pub(crate) fn count(&self, request: &str) -> usize {
        let requests = self.requests.lock().expect("the request log");
        requests.iter().filter(|r| *r == request).count()
    }

    /// Every request that reached the server, as `METHOD PATH`.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("the request log").clone()
    }
}

/// Starts a [`Recorded`] server with this CORS layer, from the calling test's runtime.
pub(crate) async fn serve_recorded(cors: CorsLayer) -> Recorded {
    let requests = Arc::new(StdMutex::new(Vec::new()));
    let record = {
        let requests = Arc::clone(&requests);
        move |request: Request<Body>| {
            let line = format!("{} {}", request.method(), request.uri().path());
            requests.lock().expect("the request log").push(line);
            request
        }
    };
    let app = Router::new()
        .fallback(|headers: HeaderMap| async move {
            let cookie = headers
                .get(header::COOKIE)
                .and_then(|cookie| cookie.to_str().ok())
                .unwrap_or("none");
            format!("cookie: {cookie}").into_response()
        })
        .layer(cors)
        .layer(MapRequestLayer::new(record));
    let port = serve(app).await;
    Recorded { port, requests }
}

async fn serve(app: Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    tokio::spawn(axum::serve(listener, app).into_future());
    port
}
