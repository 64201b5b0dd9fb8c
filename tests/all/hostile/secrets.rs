//! Item 5: a server that echoes the request (its `Authorization` header included) in an error
//! body cannot make a credential, or its Basic-auth base64 form, appear in stdout, stderr,
//! annotations, the job summary or step outputs; every secret is `::add-mask::`ed at start.
#![allow(clippy::unwrap_used)]

use release_kit::outside::secrets::base64;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{run, sample_repo, tool};

/// Answers every request with `status` and a body echoing its headers, as a misconfigured
/// proxy or debugging endpoint does.
struct Echo(u16);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut body = format!("{} {}\n", request.method, request.url);
        for (name, value) in request.headers.iter() {
            body.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("?")));
        }
        ResponseTemplate::new(self.0).set_body_string(body)
    }
}

const USER: &str = "release-manager";
const PASSWORD: &str = "jira-Pa55word-echoed";

#[test]
fn jira_credentials_echoed_by_the_server_are_never_printed_or_written() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for status in [401, 500] {
        let server = rt.block_on(async {
            let s = MockServer::start().await;
            Mock::given(any())
                .respond_with(Echo(status))
                .mount(&s)
                .await;
            s
        });
        let (_d, hello) = sample_repo();
        let out = hello.join("gh-output");
        let summary = hello.join("gh-summary.md");
        let junit = hello.join("junit.xml");
        let mut c = tool("changelog-check", &hello);
        c.args(["--jira-url", &format!("{}/jira", server.uri())])
            .arg("--junit")
            .arg(&junit)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &out)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("JIRA_USER", USER)
            .env("JIRA_PASSWORD", PASSWORD);
        let r = run(c);
        assert!(
            r.code == 2 || r.code == 3,
            "{status}: exit {}\n{}",
            r.code,
            r.stderr
        );
        // The server did echo the credentials.
        let requests = rt.block_on(server.received_requests()).unwrap();
        assert!(!requests.is_empty());
        let basic = base64(format!("{USER}:{PASSWORD}").as_bytes());
        assert!(
            r.stderr.contains(&format!("::add-mask::{PASSWORD}"))
                && r.stderr.contains(&format!("::add-mask::{basic}")),
            "not masked at start: {}",
            r.stderr
        );
        let masks_removed: String = r
            .stderr
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            masks_removed.contains("***"),
            "the echo was not shown redacted: {masks_removed}"
        );
        let mut places = vec![("stdout", r.stdout.clone()), ("stderr", masks_removed)];
        for f in [&out, &summary, &junit] {
            places.push(("file", std::fs::read_to_string(f).unwrap_or_default()));
        }
        for (place, text) in places {
            for secret in [PASSWORD, &basic] {
                assert!(
                    !text.contains(secret),
                    "{status}: {secret} in {place}: {text}"
                );
            }
        }
    }
}
