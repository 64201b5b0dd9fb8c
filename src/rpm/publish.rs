//! Publishing a built repository tree: to a local directory, or by HTTP PUT to a repository
//! manager's raw/yum hosted repository (Artifactory/Nexus style). Packages go first and metadata
//! last, so readers never see metadata pointing at missing files; a re-run uploads nothing new.

use std::path::Path;

use reqwest::Method;

use crate::error::{Error, Result};
use crate::http::{self, Client, HttpError, Request};

/// What a publish did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    pub uploaded: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Copies the tree at `from` into the directory `to`, skipping files that are already identical.
pub fn to_directory(from: &Path, to: &Path) -> Result<Published> {
    let mut done = Published::default();
    for rel in super::repo::publish_order(from)? {
        let src = from.join(&rel);
        let dest = to.join(&rel);
        let name = rel.to_string_lossy().into_owned();
        let same = std::fs::read(&dest).ok()
            == Some(std::fs::read(&src).map_err(|e| Error::io("read", &src, e))?);
        if same {
            done.unchanged.push(name);
        } else {
            super::repo::copy_atomic(&src, &dest)?;
            done.uploaded.push(name);
        }
    }
    Ok(done)
}

/// Uploads the tree at `from` under `client`'s base URL with PUT.
pub async fn to_http(from: &Path, client: &Client) -> Result<Published> {
    let mut done = Published::default();
    for rel in super::repo::publish_order(from)? {
        let path = rel.to_string_lossy().replace('\\', "/");
        let bytes =
            std::fs::read(from.join(&rel)).map_err(|e| Error::io("read", from.join(&rel), e))?;
        let sha256 = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&bytes))
        };
        let is_package = path.ends_with(".rpm");
        match client.send(&Request::new(Method::HEAD, path.clone())).await {
            Ok(resp) => {
                let remote_sha = resp
                    .headers
                    .get("x-checksum-sha256")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_ascii_lowercase);
                let remote_len = resp
                    .headers
                    .get(reqwest::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<usize>().ok());
                let same = match remote_sha {
                    Some(s) => s == sha256,
                    // A package file name is its identity (name-version-release.arch).
                    None => is_package && remote_len == Some(bytes.len()),
                };
                if same {
                    done.unchanged.push(path);
                    continue;
                }
            }
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e.into()),
        }
        match client
            .send(&Request::new(Method::PUT, path.clone()).bytes(bytes, content_type(&path)))
            .await
        {
            Ok(_) => done.uploaded.push(path),
            Err(HttpError::Status { status: 409, .. }) if is_package => done.unchanged.push(path),
            Err(e) => {
                return Err(Error::Problem(format!(
                    "the upload of {path} was rejected: {e}; packages uploaded so far are listed in the log, and no metadata was uploaded after them, so the published repository still points only at files it has"
                )))
            }
        }
    }
    Ok(done)
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".rpm") {
        "application/x-rpm"
    } else if path.ends_with(".xml") {
        "application/xml"
    } else if path.ends_with(".asc") {
        "application/pgp-signature"
    } else {
        "application/octet-stream"
    }
}

/// A client for a publish URL, with credentials from `RELEASE_KIT_RPM_PUBLISH_{USER,PASSWORD,TOKEN}`.
pub fn client(url: &str, env: &[(String, String)]) -> Result<Client> {
    Ok(Client::new("the package repository", url)?
        .with_auth(http::auth_from_env("RELEASE_KIT_RPM_PUBLISH", env)))
}
