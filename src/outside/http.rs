//! The one place HTTP clients are built (JIRA, Nexus, GitHub, dist downloads): a base URL so
//! tests point it at a local server, timeouts, a user agent, retries with exponential backoff on
//! connection errors, 429 and 5xx (honouring `Retry-After`), and credentials that never print.

use std::future::Future;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::error::ExitCode;
use crate::outside::secrets::redact;

/// Credentials for a service. Their values never appear in Debug output, logs or errors.
#[derive(Clone)]
pub enum Auth {
    Basic {
        user: String,
        password: SecretString,
    },
    Bearer(SecretString),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { user, .. } => write!(f, "Basic({user}, ***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// How often and how long to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1): the server's
    /// `Retry-After` when it gave one (capped), else exponential backoff with `jitter` in [0, 1).
    pub(crate) fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let jittered = exp.mul_f64(1.0 + jitter.clamp(0.0, 1.0) * 0.5);
        jittered.min(self.max_delay)
    }
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP date (relative to `now`).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// What a response body is, for its default size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A service's API answer (JIRA, GitHub, Nexus JSON): 32 MiB.
    Api,
    /// A small file: KEYS, a checksum, a signature, a vote thread: 16 MiB.
    Small,
    /// A release artifact (a source tarball): 4 GiB.
    Artifact,
}

impl BodyKind {
    fn default_max(self) -> u64 {
        match self {
            BodyKind::Api => 32 << 20,
            BodyKind::Small => 16 << 20,
            BodyKind::Artifact => 4 << 30,
        }
    }

    /// The environment variable that overrides the cap (bytes, or with a K/M/G suffix).
    pub fn knob(self) -> &'static str {
        match self {
            BodyKind::Api => "RELEASE_KIT_HTTP_MAX_API",
            BodyKind::Small => "RELEASE_KIT_HTTP_MAX_SMALL",
            BodyKind::Artifact => "RELEASE_KIT_HTTP_MAX_ARTIFACT",
        }
    }

    fn name(self) -> &'static str {
        match self {
            BodyKind::Api => "API response",
            BodyKind::Small => "small file (KEYS, checksum, signature, thread)",
            BodyKind::Artifact => "artifact",
        }
    }
}

/// The limits on one client's traffic: a size cap on a body, a connect timeout, an idle-read
/// timeout (no byte for this long) and an overall deadline across every attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub kind: BodyKind,
    pub max_bytes: u64,
    pub connect: Duration,
    pub idle: Duration,
    pub deadline: Duration,
}

/// The knobs of the timeouts (seconds).
pub const CONNECT_KNOB: &str = "RELEASE_KIT_HTTP_CONNECT_TIMEOUT";
pub const IDLE_KNOB: &str = "RELEASE_KIT_HTTP_IDLE_TIMEOUT";
pub const DEADLINE_KNOB: &str = "RELEASE_KIT_HTTP_DEADLINE";

impl Limits {
    /// The defaults for a kind of body: 10 s to connect, 30 s without a byte, and a deadline of
    /// 5 minutes (60 minutes for an artifact).
    pub fn defaults(kind: BodyKind) -> Limits {
        Limits {
            kind,
            max_bytes: kind.default_max(),
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(30),
            deadline: Duration::from_secs(if kind == BodyKind::Artifact {
                3600
            } else {
                300
            }),
        }
    }

    /// The defaults with the environment's overrides ([`BodyKind::knob`], [`CONNECT_KNOB`],
    /// [`IDLE_KNOB`], [`DEADLINE_KNOB`]); a value that does not parse is ignored with a warning.
    pub fn from_env(kind: BodyKind, env: &[(String, String)]) -> Limits {
        let mut l = Limits::defaults(kind);
        let get = |k: &str| crate::config::env_value(env, k);
        let warn = |k: &str, v: &str| {
            tracing::warn!("{k}={v} is not a valid limit; using the default");
        };
        if let Some(v) = get(kind.knob()) {
            match parse_size(&v) {
                Some(n) => l.max_bytes = n,
                None => warn(kind.knob(), &v),
            }
        }
        for (knob, slot) in [
            (CONNECT_KNOB, &mut l.connect),
            (IDLE_KNOB, &mut l.idle),
            (DEADLINE_KNOB, &mut l.deadline),
        ] {
            if let Some(v) = get(knob) {
                match v.trim().parse::<f64>() {
                    Ok(secs) if secs > 0.0 && secs.is_finite() => {
                        *slot = Duration::from_secs_f64(secs);
                    }
                    _ => warn(knob, &v),
                }
            }
        }
        l
    }

    fn from_process(kind: BodyKind) -> Limits {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Limits::from_env(kind, &env)
    }
}

/// A size: bytes, or with a K, M or G suffix (binary units).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, shift) = match t.char_indices().last()? {
        (i, 'K' | 'k') => (&t[..i], 10),
        (i, 'M' | 'm') => (&t[..i], 20),
        (i, 'G' | 'g') => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = num.trim().parse().ok()?;
    n.checked_mul(1u64 << shift).filter(|n| *n > 0)
}

/// A size for messages: `16 MiB`, `1500 bytes`.
fn human_size(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("`{base}` is not a valid {service} URL: {reason}; pass a full URL such as https://issues.apache.org/jira")]
    BadUrl {
        service: String,
        base: String,
        reason: String,
    },
    #[error("{service} could not be reached at {url} after {attempts} attempt(s): {reason}; check the URL and the network, then retry")]
    Unreachable {
        service: String,
        url: String,
        attempts: u32,
        reason: String,
    },
    #[error(
        "{service} answered {status} for {method} {url} after {attempts} attempt(s){}",
        excerpt(body)
    )]
    Status {
        service: String,
        method: String,
        url: String,
        status: u16,
        attempts: u32,
        body: String,
    },
    #[error("{service} at {url}: {limit}; the transfer was stopped. If the server is right, raise the limit with {knob}; otherwise check the URL and the server")]
    Limit {
        service: String,
        url: String,
        limit: String,
        knob: String,
    },
    #[error("{service} sent a response to {url} that is not what its API returns ({reason}); check that the URL points at {service}")]
    Decode {
        service: String,
        url: String,
        reason: String,
    },
}

fn excerpt(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        return String::new();
    }
    let cut: String = body.chars().take(300).collect();
    format!(": {cut}{}", if cut.len() < body.len() { "…" } else { "" })
}

impl HttpError {
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl crate::error::Classify for HttpError {
    /// 2 for answers that say our request or credentials are wrong, 3 for outside failures.
    fn exit_code(&self) -> ExitCode {
        match self {
            HttpError::BadUrl { .. } | HttpError::Decode { .. } => ExitCode::Usage,
            HttpError::Status { status, .. } if (400..500).contains(status) && *status != 429 => {
                ExitCode::Usage
            }
            _ => ExitCode::Outside,
        }
    }
}

/// A response that was received with a success status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: String,
}

/// A client for one service.
#[derive(Debug, Clone)]
pub struct Client {
    service: String,
    base: reqwest::Url,
    inner: reqwest::Client,
    auth: Option<Auth>,
    retry: RetryPolicy,
    limits: Limits,
}

/// What one request carries.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Relative to the base URL (`rest/api/2/search`) or absolute.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<(Vec<u8>, &'static str)>,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Self {
        Request {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            ..Request::get(path)
        }
    }

    pub(crate) fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// An extra request header, e.g. `Accept`.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(mut self, value: &serde_json::Value) -> Self {
        self.body = Some((value.to_string().into_bytes(), "application/json"));
        self
    }

    pub fn bytes(mut self, body: Vec<u8>, content_type: &'static str) -> Self {
        self.body = Some((body, content_type));
        self
    }
}

impl Client {
    /// A client for `service` (named in messages) at `base_url`.
    pub fn new(service: &str, base_url: &str) -> Result<Client, HttpError> {
        let bad = |reason: String| HttpError::BadUrl {
            service: service.to_string(),
            base: base_url.to_string(),
            reason,
        };
        let mut base = reqwest::Url::parse(base_url).map_err(|e| bad(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(bad(format!(
                "the scheme `{}` is not http or https",
                base.scheme()
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let limits = Limits::from_process(BodyKind::Api);
        Ok(Client {
            service: service.to_string(),
            inner: build_inner(&limits).map_err(|e| bad(e.to_string()))?,
            base,
            auth: None,
            retry: RetryPolicy::default(),
            limits,
        })
    }

    /// This client for bodies of `kind`: its size cap and deadline, from the environment.
    pub fn for_body(self, kind: BodyKind) -> Self {
        self.with_limits(Limits::from_process(kind))
    }

    /// This client with exactly these limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        if let Ok(inner) = build_inner(&limits) {
            self.inner = inner;
        }
        self.limits = limits;
        self
    }

    fn limit_error(&self, url: &reqwest::Url, limit: String, knob: &str) -> HttpError {
        HttpError::Limit {
            service: self.service.clone(),
            url: url.to_string(),
            limit,
            knob: knob.to_string(),
        }
    }

    fn too_big(&self, url: &reqwest::Url, got: u64) -> HttpError {
        self.limit_error(
            url,
            format!(
                "the body ({} so far) exceeds the {} limit for an {}",
                human_size(got),
                human_size(self.limits.max_bytes),
                self.limits.kind.name()
            ),
            self.limits.kind.knob(),
        )
    }

    fn idle_error(&self, url: &reqwest::Url) -> HttpError {
        self.limit_error(
            url,
            format!(
                "the server sent nothing for {}s (the idle-read timeout)",
                self.limits.idle.as_secs_f64()
            ),
            IDLE_KNOB,
        )
    }

    fn deadline_error(&self, url: &reqwest::Url) -> HttpError {
        self.limit_error(
            url,
            format!(
                "the transfer did not finish within the {}s deadline",
                self.limits.deadline.as_secs_f64()
            ),
            DEADLINE_KNOB,
        )
    }

    /// A transport error that is a limit (an idle read, too many redirects), as a limit error.
    fn as_limit(&self, url: &reqwest::Url, e: &reqwest::Error) -> Option<HttpError> {
        if e.is_timeout() && !e.is_connect() {
            return Some(self.idle_error(url));
        }
        if e.is_redirect() {
            return Some(self.limit_error(
                url,
                format!("more than {MAX_REDIRECTS} redirects ({})", describe(e)),
                "a direct URL",
            ));
        }
        None
    }

    /// Reads a body up to the size cap.
    async fn read_capped(
        &self,
        url: &reqwest::Url,
        resp: &mut reqwest::Response,
    ) -> Result<Vec<u8>, HttpError> {
        if let Some(len) = resp.content_length() {
            if len > self.limits.max_bytes {
                return Err(self.too_big(url, len));
            }
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(bytes)) => {
                    body.extend_from_slice(&bytes);
                    if body.len() as u64 > self.limits.max_bytes {
                        return Err(self.too_big(url, body.len() as u64));
                    }
                }
                Ok(None) => return Ok(body),
                Err(e) => {
                    return Err(self
                        .as_limit(url, &e)
                        .unwrap_or_else(|| HttpError::Unreachable {
                            service: self.service.clone(),
                            url: url.to_string(),
                            attempts: 1,
                            reason: describe(&e),
                        }))
                }
            }
        }
    }

    pub(crate) fn with_auth(mut self, auth: Option<Auth>) -> Self {
        self.auth = auth;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn base(&self) -> &str {
        self.base.as_str()
    }

    fn url(&self, path: &str) -> Result<reqwest::Url, HttpError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| HttpError::BadUrl {
                service: self.service.clone(),
                base: format!("{}{path}", self.base),
                reason: e.to_string(),
            })
    }

    /// Sends a request, retrying connection errors, 429 and 5xx; any other non-2xx is an error.
    /// Every attempt together must finish within the deadline; a body over the size cap, or a
    /// server silent for the idle-read timeout, ends it at once.
    pub async fn send(&self, request: &Request) -> Result<Response, HttpError> {
        let url = self.url(&request.path)?;
        match tokio::time::timeout(self.limits.deadline, self.send_within(request, url.clone()))
            .await
        {
            Ok(result) => result,
            Err(_) => Err(self.deadline_error(&url)),
        }
    }

    async fn send_within(
        &self,
        request: &Request,
        url: reqwest::Url,
    ) -> Result<Response, HttpError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut builder = self
                .inner
                .request(request.method.clone(), url.clone())
                .query(&request.query);
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            if let Some((body, content_type)) = &request.body {
                builder = builder
                    .header(reqwest::header::CONTENT_TYPE, *content_type)
                    .body(body.clone());
            }
            builder = match &self.auth {
                Some(Auth::Basic { user, password }) => {
                    builder.basic_auth(user, Some(password.expose_secret()))
                }
                Some(Auth::Bearer(token)) => builder.bearer_auth(token.expose_secret()),
                None => builder,
            };
            tracing::debug!(service = %self.service, attempt, "{} {url}", request.method);
            let (retry_after, failure) = match builder.send().await {
                Ok(mut resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let body = self.read_capped(&url, &mut resp).await?;
                    if status.is_success() {
                        return Ok(Response {
                            status: status.as_u16(),
                            headers,
                            body,
                            url: url.to_string(),
                        });
                    }
                    let error = HttpError::Status {
                        service: self.service.clone(),
                        method: request.method.to_string(),
                        url: url.to_string(),
                        status: status.as_u16(),
                        attempts: attempt,
                        body: redact(&String::from_utf8_lossy(&body)).into_owned(),
                    };
                    if !retryable(status) {
                        return Err(error);
                    }
                    let after = headers
                        .get(RETRY_AFTER)
                        .and_then(|v: &HeaderValue| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    (after, error)
                }
                Err(e) => {
                    if let Some(limit) = self.as_limit(&url, &e) {
                        return Err(limit);
                    }
                    (
                        None,
                        HttpError::Unreachable {
                            service: self.service.clone(),
                            url: url.to_string(),
                            attempts: attempt,
                            reason: describe(&e),
                        },
                    )
                }
            };
            if attempt >= self.retry.attempts {
                return Err(failure);
            }
            let wait = self.retry.delay(attempt, retry_after, jitter());
            tracing::warn!(service = %self.service, "attempt {attempt} failed ({failure}); retrying in {wait:?}");
            tokio::time::sleep(wait).await;
        }
    }

    /// GETs `path` into the file `dest`, streaming (a release tarball does not fit in memory
    /// comfortably), with the same retries as [`Client::send`]; returns the bytes written.
    pub async fn download(&self, path: &str, dest: &std::path::Path) -> Result<u64, HttpError> {
        let url = self.url(path)?;
        let result = match tokio::time::timeout(
            self.limits.deadline,
            self.download_within(&url, dest),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(self.deadline_error(&url)),
        };
        if result.is_err() {
            let _ = std::fs::remove_file(dest);
        }
        result
    }

    async fn download_within(
        &self,
        url: &reqwest::Url,
        dest: &std::path::Path,
    ) -> Result<u64, HttpError> {
        use std::io::Write;
        let url = url.clone();
        let mut attempt = 0;
        loop {
            attempt += 1;
            tracing::debug!(service = %self.service, attempt, "GET {url} -> {}", dest.display());
            let unreachable = |reason: String| HttpError::Unreachable {
                service: self.service.clone(),
                url: url.to_string(),
                attempts: attempt,
                reason,
            };
            let (retry_after, failure) = match self.inner.get(url.clone()).send().await {
                Ok(mut resp) if resp.status().is_success() => {
                    if let Some(len) = resp.content_length() {
                        if len > self.limits.max_bytes {
                            return Err(self.too_big(&url, len));
                        }
                    }
                    let mut file = std::fs::File::create(dest).map_err(|e| {
                        unreachable(format!("cannot write {}: {e}", dest.display()))
                    })?;
                    let mut written = 0u64;
                    let result: Result<(), String> = loop {
                        match resp.chunk().await {
                            Ok(Some(bytes)) => {
                                if let Err(e) = file.write_all(&bytes) {
                                    break Err(format!("cannot write {}: {e}", dest.display()));
                                }
                                written += bytes.len() as u64;
                                if written > self.limits.max_bytes {
                                    return Err(self.too_big(&url, written));
                                }
                            }
                            Ok(None) => break Ok(()),
                            Err(e) => {
                                if let Some(limit) = self.as_limit(&url, &e) {
                                    return Err(limit);
                                }
                                break Err(describe(&e));
                            }
                        }
                    };
                    match result.and_then(|()| file.sync_all().map_err(|e| e.to_string())) {
                        Ok(()) => return Ok(written),
                        Err(reason) => (None, unreachable(reason)),
                    }
                }
                Ok(resp) => {
                    let status = resp.status();
                    let after = resp
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v: &HeaderValue| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let mut resp = resp;
                    let body = match self.read_capped(&url, &mut resp).await {
                        Ok(b) => redact(&String::from_utf8_lossy(&b)).into_owned(),
                        Err(e @ HttpError::Limit { .. }) => return Err(e),
                        Err(_) => String::new(),
                    };
                    let error = HttpError::Status {
                        service: self.service.clone(),
                        method: "GET".into(),
                        url: url.to_string(),
                        status: status.as_u16(),
                        attempts: attempt,
                        body,
                    };
                    if !retryable(status) {
                        return Err(error);
                    }
                    (after, error)
                }
                Err(e) => {
                    if let Some(limit) = self.as_limit(&url, &e) {
                        return Err(limit);
                    }
                    (None, unreachable(describe(&e)))
                }
            };
            if attempt >= self.retry.attempts {
                return Err(failure);
            }
            let wait = self.retry.delay(attempt, retry_after, jitter());
            tracing::warn!(service = %self.service, "attempt {attempt} failed ({failure}); retrying in {wait:?}");
            tokio::time::sleep(wait).await;
        }
    }

    /// GETs `path` and decodes its JSON body.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<T, HttpError> {
        let resp = self.send(request).await?;
        decode(&self.service, &resp)
    }
}

/// Decodes a JSON body, naming the service and URL when it is not what the API returns.
pub(crate) fn decode<T: DeserializeOwned>(service: &str, resp: &Response) -> Result<T, HttpError> {
    serde_json::from_slice(&resp.body).map_err(|e| HttpError::Decode {
        service: service.to_string(),
        url: resp.url.clone(),
        reason: e.to_string(),
    })
}

/// Redirects followed before a request is refused (a redirect loop ends here).
const MAX_REDIRECTS: usize = 10;

/// The reqwest client for these limits: connect and idle-read timeouts, a redirect cap.
fn build_inner(limits: &Limits) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("release-kit/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(limits.connect)
        .read_timeout(limits.idle)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .build()
}

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    redact(&text).into_owned()
}

fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    (h.finish() % 1000) as f64 / 1000.0
}

/// Runs async HTTP work from synchronous tool code on a small current-thread runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread tokio runtime always builds")
        .block_on(future)
}

/// Reads credentials from the environment: `{prefix}_TOKEN` (bearer) or `{prefix}_USER` with
/// `{prefix}_PASSWORD` (basic). Empty values count as unset.
pub(crate) fn auth_from_env(prefix: &str, env: &[(String, String)]) -> Option<Auth> {
    let get = |k: &str| crate::config::env_value(env, &format!("{prefix}_{k}"));
    if let Some(token) = get("TOKEN") {
        return Some(Auth::Bearer(SecretString::from(token)));
    }
    match (get("USER"), get("PASSWORD")) {
        (Some(user), Some(password)) => Some(Auth::Basic {
            user,
            password: SecretString::from(password),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn fast() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        }
    }

    #[test]
    fn backoff_grows_and_respects_retry_after_and_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, None, 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(3, None, 0.0), Duration::from_secs(2));
        assert_eq!(p.delay(30, None, 0.0), Duration::from_secs(30));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(7)), 0.9),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(999)), 0.0),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[tokio::test]
    async fn a_429_with_retry_after_then_success() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/serverInfo"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/serverInfo"))
            .and(query_param("x", "1"))
            .and(header(
                "user-agent",
                concat!("release-kit/", env!("CARGO_PKG_VERSION")),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"version":"8.20.10"}"#))
            .mount(&server)
            .await;
        let c = Client::new("JIRA", &format!("{}/jira", server.uri()))
            .unwrap()
            .with_retry(fast());
        let v: serde_json::Value = c
            .get_json(&Request::get("rest/api/2/serverInfo").query("x", 1))
            .await
            .unwrap();
        assert_eq!(v["version"], "8.20.10");
    }

    #[tokio::test]
    async fn a_500_forever_gives_up_with_exit_3() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
            .expect(3)
            .mount(&server)
            .await;
        let c = Client::new("Nexus", &server.uri())
            .unwrap()
            .with_retry(fast());
        let e = c
            .send(&Request::get("service/local/staging/profiles"))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(500));
        assert_eq!(e.exit_code(), ExitCode::Outside);
        let m = e.to_string();
        assert!(
            m.contains("Nexus answered 500")
                && m.contains("after 3 attempt(s)")
                && m.contains("Internal Server Error"),
            "{m}"
        );
    }

    #[tokio::test]
    async fn client_errors_are_not_retried_and_credentials_never_print() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(header("authorization", "Basic cm06aHVudGVyMg=="))
            .respond_with(ResponseTemplate::new(401).set_body_string("Unauthorized"))
            .expect(1)
            .mount(&server)
            .await;
        let auth = Auth::Basic {
            user: "rm".into(),
            password: SecretString::from("hunter2".to_string()),
        };
        assert!(!format!("{auth:?}").contains("hunter2"));
        let c = Client::new("JIRA", &server.uri())
            .unwrap()
            .with_auth(Some(auth))
            .with_retry(fast());
        let e = c.send(&Request::get("x")).await.unwrap_err();
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.exit_code(), ExitCode::Usage);
        assert!(!e.to_string().contains("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    /// Answers with `status` and a body echoing the request's headers.
    struct Echo(u16);

    impl wiremock::Respond for Echo {
        fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
            let mut body = String::new();
            for (name, value) in request.headers.iter() {
                body.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("?")));
            }
            ResponseTemplate::new(self.0).set_body_string(body)
        }
    }

    #[tokio::test]
    async fn credentials_echoed_by_github_nexus_or_jira_are_redacted_from_errors() {
        let token = "ghp_echoedTOKEN0123456789";
        let (user, password) = ("deployer", "nexus-echoed-Pa55");
        let env: Vec<(String, String)> = [
            ("RELEASE_KIT_GITHUB_TOKEN", token),
            ("RELEASE_KIT_NEXUS_USER", user),
            ("RELEASE_KIT_NEXUS_PASSWORD", password),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        crate::outside::secrets::register(crate::outside::secrets::from_env(&env));
        let basic = crate::outside::secrets::base64(format!("{user}:{password}").as_bytes());
        for status in [403, 503] {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .respond_with(Echo(status))
                .mount(&server)
                .await;
            for (service, auth) in [
                ("GitHub", auth_from_env("RELEASE_KIT_GITHUB", &env)),
                ("Nexus", auth_from_env("RELEASE_KIT_NEXUS", &env)),
            ] {
                let c = Client::new(service, &server.uri())
                    .unwrap()
                    .with_auth(auth)
                    .with_retry(fast());
                let e = c.send(&Request::get("x")).await.unwrap_err().to_string();
                assert!(
                    e.contains("authorization: "),
                    "the server did not echo: {e}"
                );
                for secret in [token, password, basic.as_str()] {
                    assert!(!e.contains(secret), "{service} {status}: {e}");
                }
                let dest = tempfile::NamedTempFile::new().unwrap();
                let e = c.download("x", dest.path()).await.unwrap_err().to_string();
                assert!(!e.contains(token) && !e.contains(&basic), "{e}");
            }
        }
    }

    /// A hostile server on 127.0.0.1: reads a request, then runs `behaviour` on the socket.
    fn hostile(behaviour: fn(&mut std::net::TcpStream)) -> String {
        use std::io::Read as _;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf);
                    behaviour(&mut stream);
                });
            }
        });
        format!("http://127.0.0.1:{port}/")
    }

    fn tight(kind: BodyKind) -> Limits {
        Limits {
            kind,
            max_bytes: 1 << 20,
            connect: Duration::from_secs(2),
            idle: Duration::from_millis(700),
            deadline: Duration::from_millis(2500),
        }
    }

    async fn limit_hit(url: &str, kind: BodyKind, download: bool) -> (HttpError, Duration) {
        let c = Client::new("dist", url)
            .unwrap()
            .with_limits(tight(kind))
            .with_retry(fast());
        let start = std::time::Instant::now();
        let e = if download {
            let dir = tempfile::tempdir().unwrap();
            let dest = dir.path().join("artifact.tar.gz");
            let e = c.download("artifact.tar.gz", &dest).await.unwrap_err();
            assert!(!dest.exists(), "a partial download was left behind");
            e
        } else {
            c.send(&Request::get("x.sha512")).await.unwrap_err()
        };
        (e, start.elapsed())
    }

    fn assert_names(e: &HttpError, url: &str, knob: &str) {
        let text = e.to_string();
        assert!(matches!(e, HttpError::Limit { .. }), "{text}");
        assert_eq!(e.exit_code(), ExitCode::Outside, "{text}");
        assert!(text.contains(url) && text.contains(knob), "{text}");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_hits_the_idle_timeout() {
        let url = hostile(|_| std::thread::sleep(Duration::from_secs(30)));
        for download in [false, true] {
            let (e, took) = limit_hit(&url, BodyKind::Small, download).await;
            assert_names(&e, &url, IDLE_KNOB);
            assert!(took < Duration::from_secs(3), "{took:?}");
        }
    }

    #[tokio::test]
    async fn a_trickling_server_hits_the_deadline() {
        let url = hostile(|s| {
            use std::io::Write as _;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
            for _ in 0..200 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        for download in [false, true] {
            let (e, took) = limit_hit(&url, BodyKind::Artifact, download).await;
            assert_names(&e, &url, DEADLINE_KNOB);
            assert!(took < Duration::from_secs(4), "{took:?}");
        }
    }

    #[tokio::test]
    async fn an_endless_body_hits_the_size_cap() {
        let url = hostile(|s| {
            use std::io::Write as _;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let chunk = [b'a'; 65536];
            while s.write_all(&chunk).is_ok() {}
        });
        for (kind, download) in [(BodyKind::Small, false), (BodyKind::Artifact, true)] {
            let (e, _) = limit_hit(&url, kind, download).await;
            assert_names(&e, &url, kind.knob());
            assert!(e.to_string().contains("1 MiB limit"), "{e}");
        }
        // A declared length over the cap is refused before reading.
        let url = hostile(|s| {
            use std::io::Write as _;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 32212254720\r\n\r\n");
            std::thread::sleep(Duration::from_secs(5));
        });
        let (e, took) = limit_hit(&url, BodyKind::Artifact, true).await;
        assert_names(&e, &url, BodyKind::Artifact.knob());
        assert!(took < Duration::from_secs(1), "{took:?}");
    }

    #[tokio::test]
    async fn a_redirect_loop_and_500_forever_end_with_exit_3() {
        let server = MockServer::start().await;
        Mock::given(path("/loop"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/loop"))
            .mount(&server)
            .await;
        Mock::given(path("/500"))
            .respond_with(ResponseTemplate::new(500).set_body_string("down"))
            .mount(&server)
            .await;
        let c = Client::new("dist", &server.uri())
            .unwrap()
            .with_limits(tight(BodyKind::Small))
            .with_retry(fast());
        let e = c.send(&Request::get("loop")).await.unwrap_err();
        assert_names(&e, "/loop", "a direct URL");
        let e = c.send(&Request::get("500")).await.unwrap_err();
        assert_eq!(e.status(), Some(500));
        assert_eq!(e.exit_code(), ExitCode::Outside);
    }

    #[test]
    fn limits_come_from_the_environment() {
        let env: Vec<(String, String)> = [
            ("RELEASE_KIT_HTTP_MAX_SMALL", "2M"),
            (IDLE_KNOB, "5"),
            (DEADLINE_KNOB, "bogus"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let l = Limits::from_env(BodyKind::Small, &env);
        assert_eq!(l.max_bytes, 2 << 20);
        assert_eq!(l.idle, Duration::from_secs(5));
        assert_eq!(l.deadline, Limits::defaults(BodyKind::Small).deadline);
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("99999999999G"), None);
        assert_eq!(human_size(16 << 20), "16 MiB");
    }

    #[tokio::test]
    async fn malformed_json_is_a_decode_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
            .mount(&server)
            .await;
        let c = Client::new("JIRA", &server.uri()).unwrap();
        let e = c
            .get_json::<serde_json::Value>(&Request::get("rest/api/2/search"))
            .await
            .unwrap_err();
        assert!(matches!(e, HttpError::Decode { .. }));
        assert_eq!(e.exit_code(), ExitCode::Usage);
    }

    #[tokio::test]
    async fn an_unreachable_server_is_an_outside_failure() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = Client::new("JIRA", &format!("http://127.0.0.1:{port}"))
            .unwrap()
            .with_retry(fast());
        let e = c.send(&Request::get("x")).await.unwrap_err();
        assert!(
            matches!(e, HttpError::Unreachable { attempts: 3, .. }),
            "{e}"
        );
        assert_eq!(e.exit_code(), ExitCode::Outside);
    }

    #[tokio::test]
    async fn downloads_stream_to_a_file_and_retry_5xx() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/dev/hello/hello-1.0.0.tar.gz"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/dev/hello/hello-1.0.0.tar.gz"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![7u8; 100_000]))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.tar.gz");
        let c = Client::new("dist", &server.uri())
            .unwrap()
            .with_retry(fast());
        let n = c
            .download("dev/hello/hello-1.0.0.tar.gz", &dest)
            .await
            .unwrap();
        assert_eq!(n, 100_000);
        assert_eq!(std::fs::read(&dest).unwrap(), vec![7u8; 100_000]);
        let e = c.download("dev/hello/missing", &dest).await.unwrap_err();
        assert_eq!(e.status(), Some(404));
    }

    #[test]
    fn bad_base_urls_are_usage_errors() {
        assert!(Client::new("JIRA", "issues.apache.org/jira").is_err());
        assert!(Client::new("JIRA", "ftp://x")
            .unwrap_err()
            .to_string()
            .contains("not http or https"));
    }

    #[test]
    fn credentials_come_from_the_environment() {
        let env = vec![
            ("JIRA_USER".to_string(), "rm".to_string()),
            ("JIRA_PASSWORD".to_string(), "pw".to_string()),
            ("JIRA_TOKEN".to_string(), String::new()),
        ];
        assert!(matches!(
            auth_from_env("JIRA", &env),
            Some(Auth::Basic { .. })
        ));
        assert!(auth_from_env("NEXUS", &env).is_none());
    }
}
