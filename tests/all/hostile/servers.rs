//! Item 4 end to end: hostile HTTP servers on 127.0.0.1 against the real binaries. Every
//! transfer ends in exit 3 naming the URL and the limit, in bounded time, and leaves no partial
//! file behind. (The client's limits are tested one by one in outside/http.)
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::support::{run, tool};

/// A server that answers every request with `head`, then `body` forever (or until the client
/// hangs up), `pause` between chunks.
fn endless(head: &'static str, body: &'static [u8], pause: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(head.as_bytes());
                while s.write_all(body).is_ok() {
                    std::thread::sleep(pause);
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn an_endless_artifact_or_checksum_stops_at_its_cap_with_exit_3() {
    let chunk: &'static [u8] = Box::leak(vec![b'a'; 65536].into_boxed_slice());
    let url = endless(
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
        chunk,
        Duration::ZERO,
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("KEYS"), "").unwrap();
    let artifact = format!("{url}/hello-1.1.0.tar.gz");
    let start = Instant::now();
    let mut c = tool("verify-distcheck", dir.path());
    c.args(["candidate", "--artifact", &artifact, "--keys", "KEYS"])
        .env("RELEASE_KIT_HTTP_MAX_ARTIFACT", "2M")
        .env("RELEASE_KIT_HTTP_MAX_SMALL", "1M");
    let r = run(c);
    r.assert_code(3);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert!(
        r.stderr.contains(&url)
            && r.stderr.contains("limit")
            && r.stderr.contains("RELEASE_KIT_HTTP_MAX_"),
        "{}",
        r.stderr
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "files left behind: {left:?}");
}

#[test]
fn a_trickling_server_hits_the_deadline_with_exit_3() {
    let url = endless(
        "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n",
        b"x",
        Duration::from_millis(500),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("KEYS"), "").unwrap();
    let artifact = format!("{url}/hello-1.1.0.tar.gz");
    let start = Instant::now();
    let mut c = tool("verify-distcheck", dir.path());
    c.args(["candidate", "--artifact", &artifact, "--keys", "KEYS"])
        .env("RELEASE_KIT_HTTP_DEADLINE", "3")
        .env("RELEASE_KIT_HTTP_IDLE_TIMEOUT", "2");
    let r = run(c);
    r.assert_code(3);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert!(
        r.stderr.contains(&url) && r.stderr.contains("RELEASE_KIT_HTTP_DEADLINE"),
        "{}",
        r.stderr
    );
}
