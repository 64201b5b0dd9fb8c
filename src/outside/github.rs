//! GitHub releases over the REST API (through [`crate::outside::http::Client`], the one HTTP stack):
//! a draft pre-release per candidate, its assets uploaded idempotently (an asset that is already
//! there with the same size counts as uploaded; a different one is replaced while the release
//! is still a draft).
//!
//! Why not octocrab: it brings a second HTTP stack (hyper-util, tower, its own retry and
//! timeouts) next to reqwest, while release-kit keeps one client that owns retries on 429/5xx
//! and Retry-After; the four endpoints used here are simple JSON calls.

use std::path::Path;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::outside::http::{self, Auth, Client, HttpError, Request};

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub html_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Asset {
    pub id: u64,
    pub name: String,
    pub size: u64,
    #[serde(default)]
    pub state: String,
}

/// A repository's releases.
#[derive(Debug, Clone)]
pub struct GitHub {
    api: Client,
    uploads: Client,
    owner: String,
    repo: String,
}

const ACCEPT: &str = "application/vnd.github+json";

impl GitHub {
    pub fn new(
        api_url: &str,
        uploads_url: &str,
        owner: &str,
        repo: &str,
        auth: Option<Auth>,
    ) -> Result<Self, HttpError> {
        Ok(GitHub {
            api: Client::new("GitHub", api_url)?.with_auth(auth.clone()),
            uploads: Client::new("GitHub uploads", uploads_url)?.with_auth(auth),
            owner: owner.into(),
            repo: repo.into(),
        })
    }

    /// The repository `owner/repo` at the configured API (`[github]`), with the token from `env`.
    pub(crate) fn from_config(
        cfg: &crate::config::Github,
        owner: &str,
        repo: &str,
        env: &[(String, String)],
    ) -> Result<Self, HttpError> {
        GitHub::new(
            &cfg.api_url,
            &cfg.uploads_url,
            owner,
            repo,
            GitHub::auth_from_env(env),
        )
    }

    /// Credentials: RELEASE_KIT_GITHUB_TOKEN, else GITHUB_TOKEN.
    pub(crate) fn auth_from_env(env: &[(String, String)]) -> Option<Auth> {
        http::auth_from_env("RELEASE_KIT_GITHUB", env)
            .or_else(|| http::auth_from_env("GITHUB", env))
    }

    fn path(&self, rest: &str) -> String {
        format!("repos/{}/{}/{rest}", self.owner, self.repo)
    }

    /// The release (draft or not) on `tag`, if any. Drafts are only found by listing.
    pub async fn find_release(&self, tag: &str) -> Result<Option<Release>, HttpError> {
        let list: Vec<Release> = self
            .api
            .get_json(
                &Request::get(self.path("releases"))
                    .query("per_page", 100)
                    .header("Accept", ACCEPT),
            )
            .await?;
        Ok(list.into_iter().find(|r| r.tag_name == tag))
    }

    pub(crate) async fn create_draft(
        &self,
        tag: &str,
        name: &str,
        body: &str,
    ) -> Result<Release, HttpError> {
        let resp = self
            .api
            .send(
                &Request::new(Method::POST, self.path("releases"))
                    .header("Accept", ACCEPT)
                    .json(&json!({"tag_name": tag, "name": name, "body": body, "draft": true, "prerelease": true})),
            )
            .await?;
        http::decode("GitHub", &resp)
    }

    /// Marks an older candidate's release as superseded (name and body), keeping it a draft.
    pub async fn mark_superseded(&self, release: &Release, by: &str) -> Result<(), HttpError> {
        self.api
            .send(
                &Request::new(
                    Method::PATCH,
                    self.path(&format!("releases/{}", release.id)),
                )
                .header("Accept", ACCEPT)
                .json(&json!({
                    "name": format!("{} (superseded by {by})", release.tag_name),
                    "body": crate::outside::dist_area::superseded_note(by),
                })),
            )
            .await?;
        Ok(())
    }

    pub async fn assets(&self, release: u64) -> Result<Vec<Asset>, HttpError> {
        self.api
            .get_json(
                &Request::get(self.path(&format!("releases/{release}/assets")))
                    .query("per_page", 100)
                    .header("Accept", ACCEPT),
            )
            .await
    }

    async fn delete_asset(&self, id: u64) -> Result<(), HttpError> {
        self.api
            .send(
                &Request::new(Method::DELETE, self.path(&format!("releases/assets/{id}")))
                    .header("Accept", ACCEPT),
            )
            .await?;
        Ok(())
    }

    /// Uploads one asset; an asset of the same name and size already there counts as done.
    pub async fn upload(&self, release: u64, file: &Path) -> Result<(), crate::Error> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(file).map_err(|e| crate::Error::io("read", file, e))?;
        if let Some(a) = self
            .assets(release)
            .await?
            .into_iter()
            .find(|a| a.name == name)
        {
            if a.size == bytes.len() as u64 && a.state != "starter" {
                return Ok(());
            }
            self.delete_asset(a.id).await?;
        }
        let req = Request::new(
            Method::POST,
            self.path(&format!("releases/{release}/assets")),
        )
        .query("name", &name)
        .header("Accept", ACCEPT)
        .bytes(bytes.clone(), "application/octet-stream");
        match self.uploads.send(&req).await {
            Ok(_) => Ok(()),
            // A retried upload whose first attempt went through (e.g. a 502 after the write).
            Err(e) if e.status() == Some(422) && already_exists(&e) => {
                let there = self
                    .assets(release)
                    .await?
                    .into_iter()
                    .find(|a| a.name == name);
                match there {
                    Some(a) if a.size == bytes.len() as u64 => Ok(()),
                    _ => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl GitHub {
    /// A draft of a final (not pre-) release on `tag`, made from `target` when GitHub creates
    /// the tag at publishing (publish-dist pushes the tag first, so GitHub finds it).
    pub(crate) async fn create_final_draft(
        &self,
        tag: &str,
        target: &str,
        name: &str,
        body: &str,
    ) -> Result<Release, HttpError> {
        let resp = self
            .api
            .send(
                &Request::new(Method::POST, self.path("releases"))
                    .header("Accept", ACCEPT)
                    .json(&json!({"tag_name": tag, "target_commitish": target, "name": name, "body": body, "draft": true, "prerelease": false})),
            )
            .await?;
        http::decode("GitHub", &resp)
    }

    /// Publishes a draft as the latest final release. With immutable releases nothing can be
    /// uploaded after this, so every asset goes up first.
    pub async fn publish(&self, release: u64) -> Result<Release, HttpError> {
        let resp = self
            .api
            .send(
                &Request::new(Method::PATCH, self.path(&format!("releases/{release}")))
                    .header("Accept", ACCEPT)
                    .json(&json!({"draft": false, "prerelease": false, "make_latest": "true"})),
            )
            .await?;
        http::decode("GitHub", &resp)
    }

    /// Renames a release and replaces its text (e.g. an abandoned candidate), keeping its state.
    pub(crate) async fn annotate(
        &self,
        release: u64,
        name: &str,
        body: &str,
    ) -> Result<(), HttpError> {
        self.api
            .send(
                &Request::new(Method::PATCH, self.path(&format!("releases/{release}")))
                    .header("Accept", ACCEPT)
                    .json(&json!({"name": name, "body": body})),
            )
            .await?;
        Ok(())
    }

    /// An asset's bytes (the API redirects to the storage host; the token is not sent there).
    pub(crate) async fn download_asset(&self, asset: u64) -> Result<Vec<u8>, HttpError> {
        Ok(self
            .api
            .send(
                &Request::get(self.path(&format!("releases/assets/{asset}")))
                    .header("Accept", "application/octet-stream"),
            )
            .await?
            .body)
    }

    /// The open pull request from `head` (a branch of this repository), or a new one into
    /// `base`; returns its URL. A re-run finds the one it opened before.
    pub async fn pull_request(
        &self,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<String, HttpError> {
        #[derive(Deserialize)]
        struct Pull {
            html_url: String,
        }
        let open: Vec<Pull> = self
            .api
            .get_json(
                &Request::get(self.path("pulls"))
                    .query("head", format!("{}:{head}", self.owner))
                    .query("state", "open")
                    .header("Accept", ACCEPT),
            )
            .await?;
        if let Some(p) = open.into_iter().next() {
            return Ok(p.html_url);
        }
        let resp = self
            .api
            .send(
                &Request::new(Method::POST, self.path("pulls"))
                    .header("Accept", ACCEPT)
                    .json(&json!({"title": title, "head": head, "base": base, "body": body})),
            )
            .await?;
        let p: Pull = http::decode("GitHub", &resp)?;
        Ok(p.html_url)
    }
}

fn already_exists(e: &HttpError) -> bool {
    matches!(e, HttpError::Status { body, .. } if body.contains("already_exists"))
}
