//! JIRA, through the REST API v2 that Apache's JIRA serves: a project's versions
//! (`/rest/api/2/project/{key}/versions`) and JQL searches (`/rest/api/2/search`, paged with
//! `startAt`/`maxResults`/`total`). Built on [`crate::outside::http::Client`] (retries, Retry-After,
//! credentials that never print).

use serde::Deserialize;
use serde_json::Value;

use crate::error::ExitCode;
use crate::model::jira::{Facts, Issue, ProjectVersion};
use crate::model::version::Version;
use crate::outside::http::{self, Auth, Client, HttpError, Request, RetryPolicy};

#[derive(Debug, thiserror::Error)]
pub enum JiraError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("JIRA's answer to {url} is not a JQL search result as REST API v2 returns it ({reason}); check that --jira-url points at JIRA (e.g. https://issues.apache.org/jira)")]
    BadPage { url: String, reason: String },
}

impl crate::error::Classify for JiraError {
    /// 3 when JIRA could not be reached (after retries), 2 when it answered something we cannot
    /// use (bad JQL, a login page, malformed JSON).
    fn exit_code(&self) -> ExitCode {
        match self {
            JiraError::Http(e) => e.exit_code(),
            JiraError::BadPage { .. } => ExitCode::Usage,
        }
    }
}

/// A JIRA project.
#[derive(Debug, Clone)]
pub struct Jira {
    client: Client,
    project: String,
    target_field: String,
    page_size: u32,
}

#[derive(Debug, Deserialize)]
struct SearchPage {
    #[serde(rename = "startAt")]
    start_at: u64,
    total: u64,
    issues: Vec<RawIssue>,
}

#[derive(Debug, Deserialize)]
struct RawIssue {
    key: String,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
}

/// Pages at most this many times through one search: a guard against a server that never ends.
const MAX_PAGES: u32 = 10_000;

impl Jira {
    /// A client for `project` at `base_url` (e.g. `https://issues.apache.org/jira`).
    pub fn new(
        base_url: &str,
        project: &str,
        target_field: &str,
        page_size: u32,
        auth: Option<Auth>,
    ) -> Result<Jira, JiraError> {
        Ok(Jira {
            client: Client::new("JIRA", base_url)?.with_auth(auth),
            project: project.to_string(),
            target_field: target_field.to_string(),
            page_size: page_size.max(1),
        })
    }

    /// The configured JIRA (`[jira]`) with the credentials from `env` (see [`auth_from_env`]).
    pub(crate) fn from_config(
        cfg: &crate::config::Jira,
        env: &[(String, String)],
    ) -> Result<Jira, JiraError> {
        Jira::new(
            &cfg.url,
            &cfg.project,
            &cfg.target_version_field,
            cfg.page_size,
            auth_from_env(env),
        )
    }

    /// The version named `name`, or an error that says how to go on without it.
    pub(crate) async fn require_version(&self, name: &str) -> crate::Result<ProjectVersion> {
        self.version(name).await?.ok_or_else(|| {
            crate::Error::Usage(format!(
                "JIRA project {} has no version {name}; create it (with the fixed issues) in JIRA, or set publish.jira_release = false, and re-run",
                self.project
            ))
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.client = self.client.with_retry(retry);
        self
    }

    /// The project's versions.
    pub async fn versions(&self) -> Result<Vec<ProjectVersion>, JiraError> {
        let path = format!("rest/api/2/project/{}/versions", self.project);
        Ok(self.client.get_json(&Request::get(path)).await?)
    }

    /// The version named `name`; JIRA version names are unique per project.
    pub async fn version(&self, name: &str) -> Result<Option<ProjectVersion>, JiraError> {
        Ok(self.versions().await?.into_iter().find(|v| v.name == name))
    }

    /// Releases a version: `released: true`, the release date (YYYY-MM-DD) and a description.
    pub(crate) async fn release_version(
        &self,
        id: &str,
        date: &str,
        description: &str,
    ) -> Result<ProjectVersion, JiraError> {
        let body =
            serde_json::json!({"released": true, "releaseDate": date, "description": description});
        let resp = self
            .client
            .send(
                &Request::new(reqwest::Method::PUT, format!("rest/api/2/version/{id}")).json(&body),
            )
            .await?;
        Ok(crate::outside::http::decode("JIRA", &resp)?)
    }

    /// Creates an unreleased version in the project.
    pub(crate) async fn create_version(
        &self,
        name: &str,
        project_id: Option<u64>,
    ) -> Result<ProjectVersion, JiraError> {
        let mut body = serde_json::json!({"name": name, "released": false, "archived": false});
        match project_id {
            Some(id) => body["projectId"] = serde_json::json!(id),
            None => body["project"] = serde_json::json!(self.project),
        }
        let resp = self
            .client
            .send(&Request::new(reqwest::Method::POST, "rest/api/2/version").json(&body))
            .await?;
        Ok(crate::outside::http::decode("JIRA", &resp)?)
    }

    /// Every issue a JQL query finds, page by page.
    pub async fn search(&self, jql: &str, validate: &str) -> Result<Vec<Issue>, JiraError> {
        let fields = format!(
            "summary,status,resolution,issuetype,fixVersions,{}",
            self.target_field
        );
        let mut issues = Vec::new();
        let mut start = 0u64;
        for _ in 0..MAX_PAGES {
            let request = Request::get("rest/api/2/search")
                .query("jql", jql)
                .query("startAt", start)
                .query("maxResults", self.page_size)
                .query("fields", &fields)
                .query("validateQuery", validate);
            let resp = self.client.send(&request).await?;
            let page: SearchPage = http::decode("JIRA", &resp)?;
            let bad = |reason: String| JiraError::BadPage {
                url: resp.url.clone(),
                reason,
            };
            if page.start_at != start {
                return Err(bad(format!(
                    "asked for results from {start}, got a page starting at {}",
                    page.start_at
                )));
            }
            if page.issues.is_empty() {
                if start < page.total {
                    return Err(bad(format!(
                        "the search stopped at {start} of {} issues",
                        page.total
                    )));
                }
                return Ok(issues);
            }
            start += page.issues.len() as u64;
            issues.extend(page.issues.into_iter().map(|r| self.issue(r)));
            tracing::debug!("JIRA search: {start} of {} issues", page.total);
            if start >= page.total {
                return Ok(issues);
            }
        }
        Err(JiraError::BadPage {
            url: format!("{}rest/api/2/search", self.client.base()),
            reason: format!("more than {MAX_PAGES} pages"),
        })
    }

    fn issue(&self, raw: RawIssue) -> Issue {
        let f = &raw.fields;
        let name = |key: &str| {
            f.get(key)
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let names = |key: &str| -> Vec<String> {
            match f.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.get("name").or(Some(v)).and_then(Value::as_str))
                    .map(str::to_string)
                    .collect(),
                Some(Value::Object(o)) => o
                    .get("name")
                    .and_then(Value::as_str)
                    .map(|s| vec![s.to_string()])
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        };
        Issue {
            summary: f
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            status: name("status").unwrap_or_default(),
            resolution: name("resolution"),
            issue_type: name("issuetype").unwrap_or_default(),
            fix_versions: names("fixVersions"),
            target_versions: names(&self.target_field),
            key: raw.key,
        }
    }

    /// The JQL name of the Target Version/s field: `cf[12310320]` for a custom field.
    fn target_jql(&self) -> String {
        match self.target_field.strip_prefix("customfield_") {
            Some(id) => format!("cf[{id}]"),
            None => jql_string(&self.target_field),
        }
    }

    /// Everything the cross-check needs about `version`; `listed` are the keys the CHANGELOG
    /// section lists.
    pub(crate) async fn facts(
        &self,
        version: Version,
        listed: &[String],
    ) -> Result<Facts, JiraError> {
        let versions = self.versions().await?;
        let v = version.to_string();
        let Some(jira_version) = versions.into_iter().find(|pv| pv.name == v) else {
            // Nothing to search for: JIRA would refuse `fixVersion = X.Y.Z` for an unknown X.Y.Z.
            return Ok(Facts {
                project: self.project.clone(),
                version,
                jira_version: None,
                fixed: Vec::new(),
                listed: Vec::new(),
                targeted_unfixed: Vec::new(),
            });
        };
        let project = jql_string(&self.project);
        let quoted = jql_string(&v);
        let fixed = self
            .search(
                &format!("project = {project} AND fixVersion = {quoted} ORDER BY key ASC"),
                "strict",
            )
            .await?;
        let targeted_unfixed = self
            .search(
                &format!(
                    "project = {project} AND {} = {quoted} AND fixVersion is EMPTY AND resolution is not EMPTY ORDER BY key ASC",
                    self.target_jql()
                ),
                "strict",
            )
            .await?;
        // The listed issues JIRA did not return above: ask for them by key, in batches, without
        // failing on keys that do not exist.
        let mut missing: Vec<&String> = listed
            .iter()
            .filter(|k| !fixed.iter().any(|i| &i.key == *k))
            .collect();
        missing.sort();
        missing.dedup();
        let mut found = Vec::new();
        for batch in missing.chunks(50) {
            let keys = batch
                .iter()
                .map(|k| jql_string(k))
                .collect::<Vec<_>>()
                .join(", ");
            found.extend(
                self.search(&format!("key in ({keys}) ORDER BY key ASC"), "warn")
                    .await?,
            );
        }
        let listed = fixed
            .iter()
            .filter(|i| listed.contains(&i.key))
            .cloned()
            .chain(found)
            .collect();
        Ok(Facts {
            project: self.project.clone(),
            version,
            jira_version: Some(jira_version),
            fixed,
            listed,
            targeted_unfixed,
        })
    }
}

/// A JQL string literal.
pub(crate) fn jql_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Credentials for JIRA from the environment: `JIRA_TOKEN`, or `JIRA_USER` and `JIRA_PASSWORD`.
pub(crate) fn auth_from_env(env: &[(String, String)]) -> Option<Auth> {
    http::auth_from_env("JIRA", env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;
    use std::time::Duration;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn fast() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        }
    }

    fn issue_json(key: &str, resolution: Option<&str>, fix: &[&str]) -> Value {
        serde_json::json!({
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": "10001",
            "self": format!("https://issues.example.org/jira/rest/api/2/issue/{key}"),
            "key": key,
            "fields": {
                "summary": format!("Summary of {key}"),
                "status": {"name": if resolution.is_some() {"Resolved"} else {"Open"}, "id": "5"},
                "resolution": resolution.map(|r| serde_json::json!({"name": r, "id": "1"})),
                "issuetype": {"name": "Bug", "id": "1"},
                "fixVersions": fix.iter().map(|v| serde_json::json!({"name": v, "released": false, "archived": false})).collect::<Vec<_>>(),
                "customfield_12310320": null
            }
        })
    }

    fn page(start: u64, max: u64, total: u64, issues: Vec<Value>) -> Value {
        serde_json::json!({"expand": "schema,names", "startAt": start, "maxResults": max, "total": total, "issues": issues})
    }

    async fn jira(server: &MockServer, page_size: u32) -> Jira {
        Jira::new(
            &format!("{}/jira", server.uri()),
            "HELLO",
            "customfield_12310320",
            page_size,
            None,
        )
        .unwrap()
        .with_retry(fast())
    }

    #[tokio::test]
    async fn search_pages_through_every_result() {
        let server = MockServer::start().await;
        for (start, keys) in [
            (0u64, vec!["HELLO-1", "HELLO-2"]),
            (2, vec!["HELLO-3", "HELLO-4"]),
            (4, vec!["HELLO-5"]),
        ] {
            let issues = keys
                .iter()
                .map(|k| issue_json(k, Some("Fixed"), &["1.1.0"]))
                .collect();
            Mock::given(method("GET"))
                .and(path("/jira/rest/api/2/search"))
                .and(query_param("startAt", start.to_string()))
                .and(query_param("maxResults", "2"))
                .respond_with(ResponseTemplate::new(200).set_body_json(page(start, 2, 5, issues)))
                .expect(1)
                .mount(&server)
                .await;
        }
        let found = jira(&server, 2)
            .await
            .search("project = HELLO", "strict")
            .await
            .unwrap();
        let keys: Vec<_> = found.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["HELLO-1", "HELLO-2", "HELLO-3", "HELLO-4", "HELLO-5"]
        );
        assert_eq!(found[0].resolution.as_deref(), Some("Fixed"));
        assert_eq!(found[0].fix_versions, ["1.1.0"]);
        assert_eq!(found[0].summary, "Summary of HELLO-1");
    }

    #[tokio::test]
    async fn a_server_that_caps_max_results_is_followed() {
        // Asked for 100, the server sends 1 per page (as JIRA does above its own cap).
        let server = MockServer::start().await;
        for start in 0..3u64 {
            Mock::given(method("GET"))
                .and(path("/jira/rest/api/2/search"))
                .and(query_param("startAt", start.to_string()))
                .respond_with(ResponseTemplate::new(200).set_body_json(page(
                    start,
                    1,
                    3,
                    vec![issue_json(&format!("HELLO-{}", start + 1), None, &[])],
                )))
                .mount(&server)
                .await;
        }
        let found = jira(&server, 100)
            .await
            .search("x", "strict")
            .await
            .unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[2].resolution, None);
    }

    #[tokio::test]
    async fn a_page_that_stops_early_or_is_not_a_search_result_is_exit_2() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(0, 50, 7, vec![])))
            .mount(&server)
            .await;
        let e = jira(&server, 50)
            .await
            .search("x", "strict")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("stopped at 0 of 7"), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Usage);

        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string(r#"{"startAt": 0, "issues": [}"#),
            )
            .mount(&server)
            .await;
        let e = jira(&server, 50)
            .await
            .search("x", "strict")
            .await
            .unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Usage, "{e}");
        assert!(e.to_string().contains("not what its API returns"), "{e}");
    }

    #[tokio::test]
    async fn a_429_then_success_and_a_500_forever() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
                {"self": "x", "id": "1", "name": "1.0.0", "archived": false, "released": true, "releaseDate": "2026-02-09"},
                {"self": "x", "id": "2", "name": "1.1.0", "archived": false, "released": false}
            ])))
            .mount(&server)
            .await;
        let versions = jira(&server, 50).await.versions().await.unwrap();
        assert_eq!(versions[0].release_date.as_deref(), Some("2026-02-09"));
        assert!(!versions[1].released);

        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
            .expect(3)
            .mount(&server)
            .await;
        let e = jira(&server, 50).await.versions().await.unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Outside);
    }

    #[tokio::test]
    async fn facts_ask_for_fixed_targeted_and_listed_issues() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/project/HELLO/versions"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!([{"name": "1.1.0", "released": false}])),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .and(query_param(
                "jql",
                "project = \"HELLO\" AND fixVersion = \"1.1.0\" ORDER BY key ASC",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(
                0,
                50,
                1,
                vec![issue_json("HELLO-21", Some("Fixed"), &["1.1.0"])],
            )))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .and(query_param("jql", "project = \"HELLO\" AND cf[12310320] = \"1.1.0\" AND fixVersion is EMPTY AND resolution is not EMPTY ORDER BY key ASC"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(0, 50, 0, vec![])))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jira/rest/api/2/search"))
            .and(query_param("jql", "key in (\"HELLO-9\") ORDER BY key ASC"))
            .and(query_param("validateQuery", "warn"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(
                0,
                50,
                1,
                vec![issue_json("HELLO-9", Some("Fixed"), &["1.0.0"])],
            )))
            .mount(&server)
            .await;
        let facts = jira(&server, 50)
            .await
            .facts(
                Version::new(1, 1, 0),
                &["HELLO-21".into(), "HELLO-9".into()],
            )
            .await
            .unwrap();
        assert!(facts.jira_version.is_some());
        assert_eq!(facts.fixed.len(), 1);
        let listed: Vec<_> = facts.listed.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(listed, ["HELLO-21", "HELLO-9"]);
    }

    #[test]
    fn jql_strings_are_quoted() {
        assert_eq!(jql_string("1.1.0"), "\"1.1.0\"");
        assert_eq!(jql_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
