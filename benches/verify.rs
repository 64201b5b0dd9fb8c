//! The `candidate` benchmark of issue 5: on a generated ~500 MB tar.gz of 20,000 files,
//! `verify-distcheck candidate` (checksum + signature + layout + content against the tag) is
//! timed side by side, in the same run, with `gzip -dc ARTIFACT > /dev/null` (target: at most
//! 1.5x) and with the shell pipeline a voter would otherwise run (`sha512sum -c`, `gpg --verify`,
//! `tar xzf`, `git archive | tar x`, `diff -r`; target: at least 3x faster).
//!
//! Run with `cargo bench --bench verify` (BENCH_FILES / BENCH_MEAN_SIZE / BENCH_RUNS change the
//! size and the repetitions). The data lives under target/bench-verify and is deleted at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TOP: &str = "bench-1.0.0";
const TAG: &str = "1.0.0-rc1";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic pseudo-random text: hex digits of a xorshift stream (compresses about 2:1).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn content(&mut self, len: usize) -> Vec<u8> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut v = Vec::with_capacity(len);
        while v.len() < len {
            let mut x = self.next();
            for _ in 0..16 {
                v.push(HEX[(x & 15) as usize]);
                x >>= 4;
            }
            if v.len() % 80 < 16 {
                v.push(b'\n');
            }
        }
        v.truncate(len);
        v
    }
}

fn sh(dir: &Path, script: &str) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn time(dir: &Path, script: &str) -> Duration {
    let start = Instant::now();
    sh(dir, script);
    start.elapsed()
}

/// Writes the repository (tag 1.0.0-rc1) and the matching tarball in one pass over the content.
fn generate(root: &Path, files: usize, mean: usize) -> (PathBuf, PathBuf) {
    let repo = root.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    sh(&repo, "git init -q -b master .");
    let mut fi = Command::new("git")
        .args([
            "-c",
            "pack.compression=1",
            "-c",
            "core.compression=1",
            "fast-import",
            "--quiet",
        ])
        .current_dir(&repo)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stream = std::io::BufWriter::with_capacity(1 << 20, fi.stdin.take().unwrap());
    let tarball = root.join(format!("{TOP}.tar.gz"));
    let gz = flate2::write::GzEncoder::new(
        std::io::BufWriter::new(std::fs::File::create(&tarball).unwrap()),
        flate2::Compression::new(6),
    );
    let mut tar = tar::Builder::new(gz);
    let mut gen = Gen(0x9E37_79B9_7F4A_7C15);
    let mut paths = Vec::new();
    let mut add = |path: String, data: &[u8], mark: usize, tar: &mut tar::Builder<_>| {
        write!(stream, "blob\nmark :{mark}\ndata {}\n", data.len()).unwrap();
        stream.write_all(data).unwrap();
        stream.write_all(b"\n").unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        tar.append_data(&mut h, format!("{TOP}/{path}"), data)
            .unwrap();
        paths.push((mark, path));
    };
    add("LICENSE".into(), b"Apache License 2.0\n", 1, &mut tar);
    add("NOTICE".into(), b"Bench\nCopyright 2026\n", 2, &mut tar);
    for i in 0..files - 2 {
        // Sizes from mean/8 to ~2x mean, a few large ones.
        let r = (gen.next() % 1000) as usize;
        let len = if r < 5 {
            mean * 20
        } else {
            mean / 8 + mean * r / 560
        };
        let data = gen.content(len);
        add(
            format!("src/d{:03}/file{i:05}.c", i % 200),
            &data,
            i + 3,
            &mut tar,
        );
    }
    tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
    let ident = "Bench RM <rm@example.org> 1700000000 +0000";
    writeln!(stream, "commit refs/heads/master\nmark :9000000\nauthor {ident}\ncommitter {ident}\ndata 6\nbench\n").unwrap();
    for (mark, path) in &paths {
        writeln!(stream, "M 100644 :{mark} {path}").unwrap();
    }
    writeln!(
        stream,
        "\ntag {TAG}\nfrom :9000000\ntagger {ident}\ndata 9\nTagging.\n"
    )
    .unwrap();
    drop(stream);
    assert!(fi.wait().unwrap().success());
    (repo, tarball)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run this too: only bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let files = env_or("BENCH_FILES", 20_000);
    let mean = env_or("BENCH_MEAN_SIZE", 50_000);
    let runs = env_or("BENCH_RUNS", 3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-verify");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let bin = env!("CARGO_BIN_EXE_verify-distcheck");

    let start = Instant::now();
    let (_repo, tarball) = generate(&root, files, mean);
    let gnupg = root.join("gnupg");
    std::fs::create_dir_all(&gnupg).unwrap();
    sh(
        &root,
        "export GNUPGHOME=$PWD/gnupg; chmod 700 gnupg; \
         gpg -q --batch --passphrase '' --quick-gen-key 'Bench RM <rm@example.org>' rsa2048 sign 1y && \
         (gpg --list-sigs rm@example.org && gpg --armor --export rm@example.org) > KEYS && \
         gpg -q --batch --digest-algo SHA512 --armor --detach-sign bench-1.0.0.tar.gz && \
         sha512sum bench-1.0.0.tar.gz > bench-1.0.0.tar.gz.sha512 && gpgconf --kill all",
    );
    let packed = std::fs::metadata(&tarball).unwrap().len();
    eprintln!(
        "generated {files} files, {TOP}.tar.gz {:.0} MB, in {:.0?}",
        packed as f64 / 1e6,
        start.elapsed()
    );

    let gzip = "gzip -dc bench-1.0.0.tar.gz > /dev/null";
    let ours = format!(
        "'{bin}' -q --repo repo --set project.name=bench candidate --artifact bench-1.0.0.tar.gz --keys KEYS --tag {TAG} > candidate.out"
    );
    let shell = format!(
        "set -e; export GNUPGHOME=$(mktemp -d); \
         sha512sum -c bench-1.0.0.tar.gz.sha512 >/dev/null; \
         gpg -q --batch --import KEYS 2>/dev/null; \
         gpg -q --batch --verify bench-1.0.0.tar.gz.asc bench-1.0.0.tar.gz 2>/dev/null; \
         rm -rf a b; mkdir a b; tar xzf bench-1.0.0.tar.gz -C a; \
         git -C repo archive --prefix={TOP}/ {TAG} | tar x -C b; \
         diff -r a/{TOP} b/{TOP}; rm -rf a b; gpgconf --kill all; rm -rf \"$GNUPGHOME\""
    );
    // Warm the page cache and prove the tool passes.
    sh(&root, &ours);
    let out = std::fs::read_to_string(root.join("candidate.out")).unwrap();
    assert!(out.contains("all 8 checks passed"), "{out}");

    let (mut g, mut o, mut s) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        g.push(time(&root, gzip));
        o.push(time(&root, &ours));
        s.push(time(&root, &shell));
    }
    let (g, o, s) = (median(g), median(o), median(s));
    println!(
        "verify-distcheck candidate benchmark ({files} files, {:.0} MB tar.gz, median of {runs})",
        packed as f64 / 1e6
    );
    println!(
        "  gzip -dc > /dev/null            {:>8.2} s",
        g.as_secs_f64()
    );
    println!(
        "  verify-distcheck candidate      {:>8.2} s",
        o.as_secs_f64()
    );
    println!(
        "  voter's shell pipeline          {:>8.2} s",
        s.as_secs_f64()
    );
    let vs_gzip = o.as_secs_f64() / g.as_secs_f64();
    let vs_shell = s.as_secs_f64() / o.as_secs_f64();
    println!(
        "  candidate / gzip -dc = {vs_gzip:.2}x (target <= 1.5x: {})",
        if vs_gzip <= 1.5 { "met" } else { "MISSED" }
    );
    println!(
        "  shell / candidate    = {vs_shell:.2}x faster (target >= 3x: {})",
        if vs_shell >= 3.0 { "met" } else { "MISSED" }
    );
    std::fs::remove_dir_all(&root).unwrap();
}
