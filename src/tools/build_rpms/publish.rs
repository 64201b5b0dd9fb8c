//! Publishing a built repository tree: to a local directory, or by HTTP PUT to a repository
//! manager's raw/yum hosted repository (Artifactory/Nexus style). Packages go first and metadata
//! last, so readers never see metadata pointing at missing files; a re-run uploads nothing new.

use std::path::Path;

use reqwest::Method;

use crate::error::{Error, Result};
use crate::outside::http::{self, Client, HttpError, Request};

/// What a publish did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Published {
    pub uploaded: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Copies the tree at `from` into the directory `to`, skipping files that are already identical.
pub(crate) fn to_directory(from: &Path, to: &Path) -> Result<Published> {
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

/// Publishes the tree at `from` to an svn repository URL in one commit with `svnmucc` (no
/// checkout): new packages and changed metadata are put, published packages are kept.
pub(crate) fn to_svn(from: &Path, url: &str, env: &[(String, String)]) -> Result<Published> {
    use crate::outside::svn::{Credentials, Svn};
    let svn = Svn {
        url: url.trim_end_matches('/').to_string(),
        creds: Credentials::from_env(env),
    };
    let existing: std::collections::BTreeSet<String> = svn.list_recursive()?.into_iter().collect();
    let mut dirs: std::collections::BTreeSet<String> = existing
        .iter()
        .filter_map(|e| e.strip_suffix('/').map(str::to_string))
        .collect();
    let mut ops = Vec::new();
    let mut done = Published::default();
    for rel in super::repo::publish_order(from)? {
        let name = rel.to_string_lossy().replace('\\', "/");
        let local = from.join(&rel);
        if existing.contains(&name) {
            let same = name.ends_with(".rpm")
                || svn.read_file(&name)?.as_deref()
                    == Some(
                        std::fs::read(&local)
                            .map_err(|e| Error::io("read", &local, e))?
                            .as_slice(),
                    );
            if same {
                done.unchanged.push(name);
                continue;
            }
        }
        let mut parent = String::new();
        for part in name
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map(|(_, d)| d)
            .unwrap_or(&[])
        {
            parent = if parent.is_empty() {
                part.to_string()
            } else {
                format!("{parent}/{part}")
            };
            if dirs.insert(parent.clone()) {
                ops.push("mkdir".to_string());
                ops.push(format!("{}/{parent}", svn.url));
            }
        }
        ops.push("put".to_string());
        ops.push(local.display().to_string());
        ops.push(format!("{}/{name}", svn.url));
        done.uploaded.push(name);
    }
    if !ops.is_empty() {
        let packages = done.uploaded.iter().filter(|n| n.ends_with(".rpm")).count();
        svn.commit_ops(
            &format!("Published {packages} package(s) and the yum metadata."),
            &ops,
        )?;
    }
    Ok(done)
}

/// Where `--publish` goes: `svn://`, `svn+ssh://`, `file://` and `svn+https://`/`svn+http://`
/// are svn repositories; `http(s)://` is a repository manager (PUT); anything else a directory.
pub fn svn_url(target: &str) -> Option<String> {
    if let Some(rest) = target.strip_prefix("svn+") {
        if rest.starts_with("https://") || rest.starts_with("http://") {
            return Some(rest.to_string());
        }
    }
    ["svn://", "svn+ssh://", "file://"]
        .iter()
        .any(|p| target.starts_with(p))
        .then(|| target.to_string())
}

/// Uploads the tree at `from` under `client`'s base URL with PUT.
pub(crate) async fn to_http(from: &Path, client: &Client) -> Result<Published> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outside::http::RetryPolicy;
    use std::time::Duration;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, Request as WmRequest, ResponseTemplate};

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let repo = d.path().join("el7-testing/x86_64");
        std::fs::create_dir_all(repo.join("repodata")).unwrap();
        std::fs::write(repo.join("hello-1.1.0-1.x86_64.rpm"), b"rpm bytes").unwrap();
        std::fs::write(repo.join("repodata/abc-primary.xml.gz"), b"primary").unwrap();
        std::fs::write(repo.join("repodata/repomd.xml"), b"<repomd/>").unwrap();
        std::fs::write(repo.join("repodata/repomd.xml.asc"), b"sig").unwrap();
        d
    }

    fn client(server: &MockServer) -> Client {
        Client::new(
            "the package repository",
            &format!("{}/repository/yum-hosted", server.uri()),
        )
        .unwrap()
        .with_retry(RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
    }

    #[tokio::test]
    async fn packages_go_first_and_repomd_last() {
        let server = MockServer::start().await;
        Mock::given(method("HEAD"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let d = tree();
        let done = to_http(d.path(), &client(&server)).await.unwrap();
        assert_eq!(done.uploaded.len(), 4);
        let puts: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "PUT")
            .map(|r: &WmRequest| r.url.path().to_string())
            .collect();
        assert_eq!(
            puts,
            [
                "/repository/yum-hosted/el7-testing/x86_64/hello-1.1.0-1.x86_64.rpm",
                "/repository/yum-hosted/el7-testing/x86_64/repodata/abc-primary.xml.gz",
                "/repository/yum-hosted/el7-testing/x86_64/repodata/repomd.xml",
                "/repository/yum-hosted/el7-testing/x86_64/repodata/repomd.xml.asc",
            ]
        );
    }

    #[tokio::test]
    async fn a_rerun_uploads_nothing_new() {
        let server = MockServer::start().await;
        let d = tree();
        // The server already has every file, with checksums (Artifactory style).
        for rel in super::super::repo::publish_order(d.path()).unwrap() {
            use sha2::{Digest, Sha256};
            let sha = hex::encode(Sha256::digest(std::fs::read(d.path().join(&rel)).unwrap()));
            Mock::given(method("HEAD"))
                .and(path(format!("/repository/yum-hosted/{}", rel.display())))
                .respond_with(
                    ResponseTemplate::new(200).insert_header("X-Checksum-Sha256", sha.as_str()),
                )
                .mount(&server)
                .await;
        }
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(201))
            .expect(0)
            .mount(&server)
            .await;
        let done = to_http(d.path(), &client(&server)).await.unwrap();
        assert!(done.uploaded.is_empty());
        assert_eq!(done.unchanged.len(), 4);
    }

    #[tokio::test]
    async fn conflict_on_a_package_means_it_is_there_and_a_500_is_retried() {
        let server = MockServer::start().await;
        Mock::given(method("HEAD"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path(
                "/repository/yum-hosted/el7-testing/x86_64/hello-1.1.0-1.x86_64.rpm",
            ))
            .respond_with(ResponseTemplate::new(409))
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .and(path(
                "/repository/yum-hosted/el7-testing/x86_64/repodata/repomd.xml",
            ))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let done = to_http(tree().path(), &client(&server)).await.unwrap();
        assert_eq!(
            done.unchanged,
            ["el7-testing/x86_64/hello-1.1.0-1.x86_64.rpm"]
        );
        assert_eq!(done.uploaded.len(), 3);
    }

    #[tokio::test]
    async fn rejected_credentials_stop_before_any_metadata() {
        let server = MockServer::start().await;
        Mock::given(method("HEAD"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(401).set_body_string("Unauthorized"))
            .mount(&server)
            .await;
        let e = to_http(tree().path(), &client(&server)).await.unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("rejected") && m.contains("401") && m.contains("no metadata was uploaded"),
            "{m}"
        );
        let puts = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "PUT")
            .count();
        assert_eq!(puts, 1, "it stopped at the first package");
    }

    #[test]
    fn publish_targets_are_told_apart() {
        assert_eq!(
            svn_url("svn+https://svn.example.org/repos/yum").as_deref(),
            Some("https://svn.example.org/repos/yum")
        );
        assert_eq!(
            svn_url("file:///srv/svn/yum").as_deref(),
            Some("file:///srv/svn/yum")
        );
        assert_eq!(svn_url("svn://host/yum").as_deref(), Some("svn://host/yum"));
        assert_eq!(svn_url("https://repo.example.org/yum"), None);
        assert_eq!(svn_url("/srv/yum"), None);
    }

    #[test]
    fn svn_publish_is_one_commit_and_idempotent() {
        if !crate::outside::process::on_path("svnmucc")
            || !crate::outside::process::on_path("svnadmin")
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "svnmucc and svnadmin are required in CI"
            );
            return;
        }
        let from = tree();
        let d = tempfile::tempdir().unwrap();
        crate::outside::process::Cmd::new("svnadmin", "create a test repository")
            .arg("create")
            .arg(d.path().join("svn"))
            .run()
            .unwrap();
        let url = format!("file://{}/svn", d.path().display());
        let first = to_svn(from.path(), &url, &[]).unwrap();
        assert_eq!(first.uploaded.len(), 4);
        let svn = crate::outside::svn::Svn {
            url: url.clone(),
            creds: Default::default(),
        };
        assert_eq!(
            svn.read_file("el7-testing/x86_64/repodata/repomd.xml")
                .unwrap()
                .as_deref(),
            Some(&b"<repomd/>"[..])
        );
        let log = crate::outside::process::Cmd::new("svn", "read the log")
            .args(["log", "-q", &url])
            .run()
            .unwrap()
            .stdout_str();
        assert_eq!(
            log.lines().filter(|l| l.starts_with('r')).count(),
            1,
            "one commit: {log}"
        );
        let again = to_svn(from.path(), &url, &[]).unwrap();
        assert!(again.uploaded.is_empty(), "{again:?}");
        // Changed metadata is committed again; published packages are kept.
        std::fs::write(
            from.path().join("el7-testing/x86_64/repodata/repomd.xml"),
            b"<repomd v=2/>",
        )
        .unwrap();
        let third = to_svn(from.path(), &url, &[]).unwrap();
        assert_eq!(third.uploaded, ["el7-testing/x86_64/repodata/repomd.xml"]);
    }

    #[test]
    fn directory_publish_is_idempotent() {
        let from = tree();
        let to = tempfile::tempdir().unwrap();
        let first = to_directory(from.path(), to.path()).unwrap();
        assert_eq!(first.uploaded.len(), 4);
        let second = to_directory(from.path(), to.path()).unwrap();
        assert!(second.uploaded.is_empty());
        assert_eq!(second.unchanged.len(), 4);
    }
}
