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
        let inner = reqwest::Client::builder()
            .user_agent(concat!("release-kit/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(Client {
            service: service.to_string(),
            base,
            inner,
            auth: None,
            retry: RetryPolicy::default(),
        })
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
    pub async fn send(&self, request: &Request) -> Result<Response, HttpError> {
        let url = self.url(&request.path)?;
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
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
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
                        body: String::from_utf8_lossy(&body).into_owned(),
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
                Err(e) => (
                    None,
                    HttpError::Unreachable {
                        service: self.service.clone(),
                        url: url.to_string(),
                        attempts: attempt,
                        reason: describe(&e),
                    },
                ),
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
        use std::io::Write;
        let url = self.url(path)?;
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
                            }
                            Ok(None) => break Ok(()),
                            Err(e) => break Err(describe(&e)),
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
                    let body = resp.text().await.unwrap_or_default();
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
                Err(e) => (None, unreachable(describe(&e))),
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

fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
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
