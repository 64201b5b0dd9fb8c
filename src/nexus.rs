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

use crate::error::{Error, Result};
use crate::exit::ExitCode;
use crate::http::{self, Auth, Client, HttpError, Request};

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

impl NexusError {
    pub fn exit_code(&self) -> ExitCode {
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

    pub async fn profile(&self, group_id: &str) -> Result<Profile> {
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
    pub async fn deploy(&self, repository: &str, path: &str, bytes: Vec<u8>) -> Result<()> {
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
    pub async fn deploy_artifact(
        &self,
        repository: &str,
        dir: &str,
        name: &str,
        bytes: &[u8],
        asc: &[u8],
    ) -> Result<()> {
        let md5 = crate::plan::hex(&Md5::digest(bytes));
        let sha1 = crate::plan::hex(&Sha1::digest(bytes));
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
    pub async fn drop_repository(&self, id: &str, description: &str) -> Result<()> {
        match self.repository(id).await {
            Err(Error::Http(e)) if e.status() == Some(404) => return Ok(()),
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
                Err(Error::Http(e)) if e.status() == Some(404) => return Ok(()),
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
