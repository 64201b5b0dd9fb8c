//! The [RESULT][VOTE] email, after Mesos's support/release.sh: a reply to the [VOTE] thread
//! naming the binding and non-binding voters. publish-dist's tally fills its context.

/// The built-in [RESULT][VOTE] template.
pub(crate) const TEMPLATE: &str = include_str!("result-email.txt.j2");
