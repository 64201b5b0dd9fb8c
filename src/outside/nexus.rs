//! Maven staging through the Nexus 2 staging REST API that repository.apache.org serves:
//! pick the staging profile by groupId, start a staging repository, deploy the artifacts (each
//! with `.asc`, `.md5` and `.sha1` beside it), close it and wait until it is no longer
//! transitioning. A close that fails a rule reports Nexus's own failure messages.
//!
//! The staging repository id is what publish-dist releases (or a failed vote drops).

use std::time::Duration;

use md5::Md5;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

use crate::error::{Error, ExitCode, Result};
use crate::outside::http::{self, Auth, Client, HttpError, Request};

#[derive(Debug, thiserror::Error)]
pub enum NexusError {
    #[error("Nexus at {url} has no staging profile for groupId {group_id} (profiles: {known}); set maven.group_id to the project's groupId, or ask INFRA for a staging profile")]
    NoProfile {
        url: String,
        group_id: String,
        known: String,
    },
    #[error("Nexus did not close staging repository {repository}:\n  {failures}\nfix what the rules report, then drop the repository (`publish-dist --drop`, or in the Nexus UI) and stage a new candidate")]
    CloseFailed {
        repository: String,
        failures: String,
    },
    #[error("Nexus staging repository {repository} was still transitioning after {seconds} s; check it at {url} and re-run")]
    Timeout {
        repository: String,
        seconds: u64,
        url: String,
    },
}

impl crate::error::Classify for NexusError {
    fn exit_code(&self) -> ExitCode {
        match self {
            NexusError::NoProfile { .. } => ExitCode::Usage,
            NexusError::CloseFailed { .. } => ExitCode::Problems,
            NexusError::Timeout { .. } => ExitCode::Outside,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    #[serde(default)]
    pub repository_id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub transitioning: bool,
}

/// A Nexus 2 server (base URL like `https://repository.apache.org/service/local/`).
#[derive(Debug, Clone)]
pub struct Nexus {
    client: Client,
    base: String,
    pub poll: Duration,
    pub timeout: Duration,
}

const JSON: &str = "application/json";

impl Nexus {
    pub fn new(url: &str, auth: Option<Auth>) -> Result<Self, HttpError> {
        Ok(Nexus {
            client: Client::new("Nexus", url)?.with_auth(auth),
            base: url.to_string(),
            poll: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
        })
    }

    /// The configured Nexus (`[maven]`: URL and poll interval), with the credentials from `env`
    /// (`RELEASE_KIT_NEXUS_TOKEN`, or `_USER` and `_PASSWORD`).
    pub(crate) fn from_config(
        maven: &crate::config::Maven,
        env: &[(String, String)],
    ) -> Result<Self, HttpError> {
        let mut n = Nexus::new(&maven.url, http::auth_from_env("RELEASE_KIT_NEXUS", env))?;
        n.poll = Duration::from_secs(maven.poll_seconds);
        Ok(n)
    }

    pub(crate) async fn profile(&self, group_id: &str) -> Result<Profile> {
        let d: Data<Vec<Profile>> = self
            .client
            .get_json(&Request::get("staging/profiles").header("Accept", JSON))
            .await?;
        let known = d
            .data
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        d.data
            .into_iter()
            .filter(|p| group_id == p.name || group_id.starts_with(&format!("{}.", p.name)))
            .max_by_key(|p| p.name.len())
            .ok_or_else(|| {
                NexusError::NoProfile {
                    url: self.base.clone(),
                    group_id: group_id.into(),
                    known,
                }
                .into()
            })
    }

    /// Starts a staging repository; returns its id.
    pub async fn start(&self, profile: &str, description: &str) -> Result<String> {
        let resp = self
            .client
            .send(
                &Request::new(Method::POST, format!("staging/profiles/{profile}/start"))
                    .header("Accept", JSON)
                    .json(&json!({"data": {"description": description}})),
            )
            .await?;
        let v: Data<Value> = http::decode("Nexus", &resp)?;
        v.data
            .get("stagedRepositoryId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::Problem(format!("Nexus started a staging repository for profile {profile} but did not say its id")))
    }

    /// Uploads one file to `group/artifact/version/name` in the staging repository.
    pub(crate) async fn deploy(&self, repository: &str, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.client
            .send(
                &Request::new(
                    Method::PUT,
                    format!("staging/deployByRepositoryId/{repository}/{path}"),
                )
                .bytes(bytes, "application/octet-stream"),
            )
            .await?;
        Ok(())
    }

    /// Deploys an artifact with its signature and checksums.
    pub(crate) async fn deploy_artifact(
        &self,
        repository: &str,
        dir: &str,
        name: &str,
        bytes: &[u8],
        asc: &[u8],
    ) -> Result<()> {
        let md5 = hex::encode(Md5::digest(bytes));
        let sha1 = hex::encode(Sha1::digest(bytes));
        self.deploy(repository, &format!("{dir}/{name}"), bytes.to_vec())
            .await?;
        self.deploy(repository, &format!("{dir}/{name}.asc"), asc.to_vec())
            .await?;
        self.deploy(repository, &format!("{dir}/{name}.md5"), md5.into_bytes())
            .await?;
        self.deploy(repository, &format!("{dir}/{name}.sha1"), sha1.into_bytes())
            .await?;
        Ok(())
    }

    pub async fn repository(&self, id: &str) -> Result<Repository> {
        Ok(self
            .client
            .get_json(&Request::get(format!("staging/repository/{id}")).header("Accept", JSON))
            .await?)
    }

    /// Closes the repository (unless it already is) and waits for the outcome.
    pub async fn close(&self, id: &str, description: &str) -> Result<()> {
        let r = self.repository(id).await?;
        if r.kind == "closed" && !r.transitioning {
            return Ok(());
        }
        if r.kind == "open" && !r.transitioning {
            self.client
                .send(
                    &Request::new(Method::POST, "staging/bulk/close")
                        .header("Accept", JSON)
                        .json(&json!({"data": {"stagedRepositoryIds": [id], "description": description}})),
                )
                .await?;
        }
        let started = std::time::Instant::now();
        loop {
            let r = self.repository(id).await?;
            if !r.transitioning {
                if r.kind == "closed" {
                    return Ok(());
                }
                return Err(NexusError::CloseFailed {
                    repository: id.into(),
                    failures: self
                        .failures(id)
                        .await
                        .unwrap_or_else(|_| "(Nexus gave no reason)".into()),
                }
                .into());
            }
            if started.elapsed() > self.timeout {
                return Err(NexusError::Timeout {
                    repository: id.into(),
                    seconds: self.timeout.as_secs(),
                    url: self.base.clone(),
                }
                .into());
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// Releases a closed repository to the release repository (`staging/bulk/promote`) and
    /// waits until Nexus reports it released. Kept after the release (`autoDropAfterRelease`
    /// false) so a re-run can see it is done.
    pub async fn release(&self, id: &str, description: &str) -> Result<()> {
        self.transition(id, "promote", "released", description)
            .await
    }

    /// Drops a staging repository (a failed vote). A repository already gone counts as dropped.
    pub(crate) async fn drop_repository(&self, id: &str, description: &str) -> Result<()> {
        match self.repository(id).await {
            Err(e) if not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        self.client
            .send(
                &Request::new(Method::POST, "staging/bulk/drop")
                    .header("Accept", JSON)
                    .json(
                        &json!({"data": {"stagedRepositoryIds": [id], "description": description}}),
                    ),
            )
            .await?;
        let started = std::time::Instant::now();
        loop {
            match self.repository(id).await {
                Err(e) if not_found(&e) => return Ok(()),
                Err(e) => return Err(e),
                Ok(_) if started.elapsed() > self.timeout => {
                    return Err(NexusError::Timeout {
                        repository: id.into(),
                        seconds: self.timeout.as_secs(),
                        url: self.base.clone(),
                    }
                    .into())
                }
                Ok(_) => tokio::time::sleep(self.poll).await,
            }
        }
    }

    async fn transition(
        &self,
        id: &str,
        action: &str,
        done: &str,
        description: &str,
    ) -> Result<()> {
        let r = self.repository(id).await?;
        if r.kind == done && !r.transitioning {
            return Ok(());
        }
        if !r.transitioning {
            if r.kind != "closed" {
                return Err(Error::Problem(format!(
                    "Nexus staging repository {id} is `{}`, not closed; only a closed repository can be released: close it at {} (or re-run stage-rc) and re-run",
                    r.kind, self.base
                )));
            }
            self.client
                .send(
                    &Request::new(Method::POST, format!("staging/bulk/{action}"))
                        .header("Accept", JSON)
                        .json(&json!({"data": {"stagedRepositoryIds": [id], "description": description, "autoDropAfterRelease": false}})),
                )
                .await?;
        }
        let started = std::time::Instant::now();
        loop {
            let r = self.repository(id).await?;
            if !r.transitioning {
                if r.kind == done {
                    return Ok(());
                }
                if r.kind != "closed" {
                    return Err(Error::Problem(format!(
                        "Nexus staging repository {id} ended `{}` instead of {done}; look at its activity at {} and re-run",
                        r.kind, self.base
                    )));
                }
            }
            if started.elapsed() > self.timeout {
                return Err(NexusError::Timeout {
                    repository: id.into(),
                    seconds: self.timeout.as_secs(),
                    url: self.base.clone(),
                }
                .into());
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// The rule failures of the last close, from the repository's activity.
    async fn failures(&self, id: &str) -> Result<String> {
        let v: Value = self
            .client
            .get_json(
                &Request::get(format!("staging/repository/{id}/activity")).header("Accept", JSON),
            )
            .await?;
        let mut out = Vec::new();
        for activity in v.as_array().into_iter().flatten() {
            for event in activity
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if event.get("name").and_then(Value::as_str) != Some("ruleFailed") {
                    continue;
                }
                for p in event
                    .get("properties")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if p.get("name").and_then(Value::as_str) == Some("failureMessage") {
                        if let Some(m) = p.get("value").and_then(Value::as_str) {
                            out.push(m.to_string());
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            out.push("(no rule failure reported)".into());
        }
        Ok(out.join("\n  "))
    }
}

/// Whether `e` is an HTTP 404 (a staging repository that is already gone).
fn not_found(e: &Error) -> bool {
    e.downcast_ref::<crate::outside::http::HttpError>()
        .and_then(|h| h.status())
        == Some(404)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn repo(kind: &str, transitioning: bool) -> Value {
        json!({"profileId": "12a4b5", "profileName": "org.example", "repositoryId": "orgexample-1042", "type": kind, "transitioning": transitioning, "releaseRepositoryId": "releases", "description": "Hello 1.1.0-rc1"})
    }

    async fn nexus(server: &MockServer) -> Nexus {
        let mut n = Nexus::new(&format!("{}/service/local/", server.uri()), None).unwrap();
        n.poll = Duration::from_millis(5);
        n.timeout = Duration::from_secs(5);
        n
    }

    #[tokio::test]
    async fn release_promotes_a_closed_repository_and_waits_until_it_is_released() {
        let server = MockServer::start().await;
        let status = "/service/local/staging/repository/orgexample-1042";
        Mock::given(method("GET"))
            .and(path(status))
            .respond_with(ResponseTemplate::new(200).set_body_json(repo("closed", false)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(status))
            .respond_with(ResponseTemplate::new(200).set_body_json(repo("closed", true)))
            .up_to_n_times(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(status))
            .respond_with(ResponseTemplate::new(200).set_body_json(repo("released", false)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/service/local/staging/bulk/promote"))
            .and(body_partial_json(json!({"data": {"stagedRepositoryIds": ["orgexample-1042"], "autoDropAfterRelease": false}})))
            .respond_with(ResponseTemplate::new(201))
            .expect(1)
            .mount(&server)
            .await;
        nexus(&server)
            .await
            .release("orgexample-1042", "Hello 1.1.0")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_already_released_repository_is_not_promoted_again() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/service/local/staging/repository/orgexample-1042"))
            .respond_with(ResponseTemplate::new(200).set_body_json(repo("released", false)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        nexus(&server)
            .await
            .release("orgexample-1042", "Hello 1.1.0")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_open_repository_cannot_be_released_and_the_message_says_close_it() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/service/local/staging/repository/orgexample-1042"))
            .respond_with(ResponseTemplate::new(200).set_body_json(repo("open", false)))
            .mount(&server)
            .await;
        let e = nexus(&server)
            .await
            .release("orgexample-1042", "Hello 1.1.0")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Problems);
    }

    #[tokio::test]
    async fn drop_removes_the_repository_and_a_gone_one_counts_as_dropped() {
        let server = MockServer::start().await;
        let status = "/service/local/staging/repository/orgexample-1042";
        Mock::given(method("GET"))
            .and(path(status))
            .respond_with(ResponseTemplate::new(200).set_body_json(repo("closed", false)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(status))
            .respond_with(ResponseTemplate::new(404).set_body_string("<nexus-error><errors><error><id>*</id><msg>No such repository: orgexample-1042</msg></error></errors></nexus-error>"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/service/local/staging/bulk/drop"))
            .respond_with(ResponseTemplate::new(201))
            .expect(1)
            .mount(&server)
            .await;
        let n = nexus(&server).await;
        n.drop_repository("orgexample-1042", "abandoned")
            .await
            .unwrap();
        // Again: already gone, no second drop.
        n.drop_repository("orgexample-1042", "abandoned")
            .await
            .unwrap();
    }
}
