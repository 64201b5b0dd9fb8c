//! Property tests for every parser of outside input that this layer and the ones below own
//! (issue 19's adversarial suite): version, tag, CHANGELOG, mbox/thread, checksum files, KEYS.
//! For any input: no panic, an answer in bounded time; where a format is written too, printing
//! then parsing gives back what was printed. (Benchmark formats are covered beside their
//! parsers, in model/bench.)

#[cfg(test)]
mod cases {
    use std::str::FromStr;
    use std::time::{Duration, Instant};

    use proptest::prelude::*;

    use crate::model::changelog::{self, Format, Settings};
    use crate::model::tag::TagScheme;
    use crate::model::tally::thread;
    use crate::model::version::Version;
    use crate::verify::{checksum, openpgp};

    /// Any parser here answers a few KB of input well inside this.
    const QUICK: Duration = Duration::from_secs(2);

    fn timed<T>(f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
        out
    }

    /// Text that looks like the formats, and bytes that do not.
    fn texty() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,400}",
            "[0-9a-fA-F .*/:()=\\-\\r\\n]{0,600}",
            prop::collection::vec(
                prop_oneof![
                    Just("Release Notes - Hello - Version 1.1.0 (WIP)\n".to_string()),
                    Just("-------------------------------\n".to_string()),
                    Just("** Bug\n".to_string()),
                    Just("  * [HELLO-12] - Fixed it.\n".to_string()),
                    Just("From: =?UTF-8?B?5p2O6Zu3?= <x@example.org>\n".to_string()),
                    Just("In-Reply-To: <a@b>\nReferences: <a@b> <c@d>\n".to_string()),
                    Just("Subject: [VOTE] Release Apache Hello 1.1.0 (rc1)\n".to_string()),
                    Just("From x@y Mon Nov  2 17:00:00 2026\n".to_string()),
                    Just("-----BEGIN PGP PUBLIC KEY BLOCK-----\n".to_string()),
                    Just("-----END PGP PUBLIC KEY BLOCK-----\n".to_string()),
                    Just("SHA512 (x-1.0.tar.gz) = ".to_string()),
                    Just("x-1.0.tar.gz: ABCD 1234\n".to_string()),
                    Just("+1\n".to_string()),
                    Just("\r\n".to_string()),
                    "[ -~]{0,40}\n",
                ],
                0..40
            )
            .prop_map(|parts| parts.concat()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn versions_never_panic_and_round_trip(s in texty(), a in 0u64..100_000, b in 0u64..1000, c in 0u64..1000) {
            let _ = timed(|| Version::from_str(&s));
            let v = Version { major: a, minor: b, patch: c };
            prop_assert_eq!(Version::from_str(&v.to_string()).ok(), Some(v));
        }

        #[test]
        fn tags_never_panic_and_round_trip(s in texty(), a in 0u64..100, b in 0u64..100, c in 0u64..100, rc in 1u32..50) {
            let scheme = TagScheme::default();
            let _ = timed(|| scheme.parse(&s));
            let _ = timed(|| scheme.parse_candidate(&s));
            let v = Version { major: a, minor: b, patch: c };
            let tag = scheme.candidate_tag(v, rc);
            prop_assert_eq!(scheme.parse_candidate(&tag).ok(), Some((v, rc)));
        }

        #[test]
        fn changelogs_never_panic(s in texty()) {
            let format = Format::new(&Settings::default(), "hello", "Hello").unwrap();
            let cl = timed(|| changelog::parse(&s, &format));
            let _ = cl.section(Version { major: 1, minor: 1, patch: 0 });
        }

        #[test]
        fn threads_never_panic(s in texty(), raw in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = timed(|| thread::parse(s.as_bytes(), "fuzz.mbox"));
            let _ = timed(|| thread::parse(&raw, "fuzz.mbox"));
        }

        #[test]
        fn checksum_files_never_panic_and_round_trip(s in texty(), hex in "[0-9a-f]{128}", name in "[a-z][a-z0-9.-]{0,30}") {
            let _ = timed(|| checksum::parse(&s, "x-1.0.tar.gz.sha512", "x-1.0.tar.gz"));
            let line = checksum::coreutils_line(&hex, &name);
            let parsed = checksum::parse(&line, &format!("{name}.sha512"), &name).unwrap();
            prop_assert_eq!(parsed.len(), 1);
            prop_assert_eq!(&parsed[0].hex, &hex);
            let md = checksum::gpg_print_md(&hex, &name);
            let parsed = checksum::parse(&md, &format!("{name}.sha512"), &name).unwrap();
            prop_assert_eq!(&parsed[0].hex, &hex);
        }

        #[test]
        fn keys_files_never_panic(s in texty()) {
            let _ = timed(|| openpgp::parse_keys(&s, "KEYS"));
            let _ = timed(|| openpgp::split_blocks(&s));
        }
    }
}
