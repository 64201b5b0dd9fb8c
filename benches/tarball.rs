//! Timing harness for scripts/bench-stage: the streaming SHA-512 and the tarball
//! re-normalisation, on files the script prepares.
//!
//! cargo bench --bench tarball -- hash FILE
//! cargo bench --bench tarball -- normalise IN.tar OUT.tar.gz EPOCH

use std::path::Path;
use std::time::Instant;

use release_kit::outside::source_tarball;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let started = Instant::now();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["hash", file] => {
            let sha = release_kit::verify::checksum::hash_file(
                release_kit::verify::checksum::Algorithm::Sha512,
                Path::new(file),
            )
            .expect("hash");
            println!("{sha}  {file}");
        }
        ["normalise", input, output, epoch] => {
            let w = source_tarball::normalise(
                Path::new(input),
                Path::new(output),
                epoch.parse().expect("epoch"),
            )
            .expect("normalise");
            println!(
                "{} entries, {} bytes, sha512 {}",
                w.entries, w.size, w.sha512
            );
        }
        [] => {
            eprintln!("nothing to do (run through scripts/bench-stage)");
            return;
        }
        other => panic!("usage: hash FILE | normalise IN OUT EPOCH (got {other:?})"),
    }
    eprintln!("elapsed {:.3}", started.elapsed().as_secs_f64());
}
