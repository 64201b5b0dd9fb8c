//! `release.toml`: the project's release configuration, with an embedded default that
//! describes Apache Mesos. Precedence: `--set` flag > environment > file > default.
//!
//! Environment twins: every scalar key `section.key` can be set with
//! `RELEASE_KIT_<SECTION>_<KEY>` (upper case), e.g. `RELEASE_KIT_TAGS_CANDIDATE`.
//! Unknown keys in a file are rejected, naming the key and the file.

mod release_model;
mod wording;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod licence;

use crate::error::ExitCode;
use crate::model::tag::{TagError, TagScheme};
use crate::model::version::Version;
use crate::model::version_sites::SiteSpec;

pub use release_model::ReleaseModel;
pub use wording::{Wording, WordingSettings};
pub mod infer;
pub mod readiness;

/// The file name looked up at the root of the project being released.
pub(crate) const FILE_NAME: &str = "release.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub project: Project,
    pub tags: Tags,
    /// Where the version lives in the build files; replaces the default list when given.
    pub version_sites: Vec<SiteSpec>,
    pub changelog: crate::model::changelog::Settings,
    pub dist: Dist,
    pub signing: Signing,
    pub maven: Maven,
    pub vote: Vote,
    pub mail: Mail,
    pub github: Github,
    pub jira: Jira,
    pub bump: Bump,
    pub rpm: Rpm,
    pub distcheck: Distcheck,
    pub publish: Publish,
    pub website: Website,
    pub wording: WordingSettings,
    pub readiness: readiness::Readiness,
    pub licence: licence::Licence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rpm {
    /// The RPM spec, relative to the project root; `{name}` is filled in.
    pub spec: String,
    /// The rpmbuild define carrying the version; `{NAME}` is the upper-case project name.
    pub version_define: String,
    /// The rpmbuild define carrying the release.
    pub release_define: String,
    /// The distro the packages are for (a repository directory level).
    pub distro: String,
    /// The `%{dist}` tag to define, e.g. ".el7"; empty leaves the build host's.
    pub dist_tag: String,
    /// Pass `--nodeps` to rpmbuild (needed on hosts whose RPM database does not know the
    /// build dependencies, e.g. Debian or Ubuntu).
    pub nodeps: bool,
    /// Repository directory of each channel, relative to the repository root.
    pub layout_stable: String,
    pub layout_testing: String,
    pub layout_unstable: String,
    /// Fingerprint of the key that signs packages and repository metadata; empty: unsigned.
    pub sign_key: String,
    /// Seconds rpmbuild may run before it is stopped.
    pub timeout_secs: u64,
}

impl Default for Rpm {
    fn default() -> Self {
        Rpm {
            spec: "support/packaging/centos/{name}.spec".into(),
            version_define: "{NAME}_VERSION".into(),
            release_define: "{NAME}_RELEASE".into(),
            distro: "el7".into(),
            dist_tag: String::new(),
            nodeps: false,
            layout_stable: "{distro}/{arch}".into(),
            layout_testing: "{distro}-testing/{arch}".into(),
            layout_unstable: "{distro}-unstable/{arch}".into(),
            sign_key: String::new(),
            timeout_secs: 7200,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Project {
    /// Short name, used in tarball names and dist paths.
    pub name: String,
    /// Name as people write it, used in the CHANGELOG heading and emails.
    pub display_name: String,
    /// Source tarball name; `{name}` and `{version}` are filled in.
    pub tarball: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tags {
    pub candidate: String,
    pub release: String,
    pub branch: String,
    /// How the project branches for releases: `maintenance`, `per-release` or `trunk`.
    pub model: String,
    /// Refuse lightweight tags where a release or candidate tag is read.
    pub require_annotated: bool,
    /// The git remote tags are pushed to.
    pub remote: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dist {
    /// Where candidates are staged; `{name}` is filled in.
    pub dev: String,
    /// Where releases are published; `{name}` is filled in.
    pub release: String,
    /// How the source tarball is made: `make-dist` (the project's build) or `git-archive`.
    pub source: String,
    /// The shell command that leaves the tarball in the top directory (for `make-dist`).
    pub make_dist: String,
    /// Remove older candidates of the same version from dev (else mark them SUPERSEDED).
    pub remove_superseded: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Maven {
    /// Nexus 2 REST base URL.
    pub url: String,
    pub group_id: String,
    pub artifact_id: String,
    /// Where staged repositories are browsed; the repository id is appended.
    pub content_url: String,
    /// Seconds between polls while a close is transitioning.
    pub poll_seconds: u64,
    /// Files to stage (relative to the repository; `{version}` filled in). Empty: no Maven staging.
    pub artifacts: Vec<String>,
    /// Instead of `artifacts`: the project's own deploy command (program and arguments, no shell),
    /// run in the project root into the staging repository stage-rc opened. It finds the
    /// repository in `RELEASE_KIT_STAGING_REPOSITORY_ID` and its deploy URL in
    /// `RELEASE_KIT_STAGING_URL` (for `-DaltDeploymentRepository`).
    pub deploy_command: Vec<String>,
}

impl Maven {
    /// Whether Maven staging is configured (by artifacts or by a deploy command).
    pub(crate) fn enabled(&self) -> bool {
        !self.artifacts.is_empty() || !self.deploy_command.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Vote {
    /// Time zone in which business days are counted.
    pub time_zone: String,
    /// Minimum hours a vote stays open.
    pub min_hours: i64,
    /// Minimum business days a vote stays open.
    pub business_days: i64,
    /// Vote email template (path relative to the repository); empty: the built-in one.
    pub template: String,
    /// URL of the tag; `{name}` and `{tag}` are filled in.
    pub tag_url: String,
    /// URL of the CHANGELOG at the tag; `{name}` and `{tag}` are filled in.
    pub changelog_url: String,
    /// Extra time zones the deadline is printed in.
    pub time_zones: Vec<String>,
    /// Dates (YYYY-MM-DD) that are not business days.
    pub holidays: Vec<String>,
    /// How a vote passes: `mesos` (at least `min_binding` binding +1 and no binding -1) or
    /// `majority` (the ASF rule: at least `min_binding` binding +1 and more binding +1 than -1).
    pub policy: String,
    /// Binding +1 votes needed.
    pub min_binding: i64,
    /// The PMC roster (TOML: `[[member]]` with name, emails, apache_id), relative to the
    /// repository; `--roster` overrides it.
    pub roster: String,
}

/// `publish-dist`: what happens after a passed vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Publish {
    /// Release managers named in the JIRA version description and the emails (comma-separated);
    /// empty: the rc tag's tagger.
    pub release_managers: String,
    /// Version lines still under development (e.g. `["1.11", "1.10"]`): dist/release keeps the
    /// latest release of each. Empty: the latest `keep_lines` minor lines.
    pub active_lines: Vec<String>,
    /// With no `active_lines`: how many of the newest minor lines keep their latest release.
    pub keep_lines: i64,
    /// Where final releases are announced.
    pub announce_to: String,
    /// Sign the final release tag (`git tag -s`) with the signing key.
    pub sign_tag: bool,
    /// Bump the release branch to the next patch version and push it.
    pub bump_branch: bool,
    /// Release the JIRA fix version (and create the next patch version).
    pub jira_release: bool,
}

/// `publish-dist`: the website's release data and blog post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Website {
    /// The releases data file, relative to the repository; empty: no website step.
    pub releases_file: String,
    /// Directory of blog posts, relative to the repository.
    pub blog_dir: String,
    /// Blog post file name; `{date}` (YYYY-MM-DD), `{name}` and `{version}` are filled in.
    pub blog_file: String,
    /// Blog post slug (the `news` entry's `blog` field).
    pub blog_slug: String,
    /// The `news` entry's title.
    pub news_title: String,
    /// Branch the website change is committed on; `{version}` is filled in.
    pub branch: String,
    /// Branch the website pull request targets.
    pub base: String,
    /// `owner/repo` on GitHub to open the website pull request in; empty: push the branch only.
    pub github_repo: String,
    /// The project's download page (linked from the blog post and the [ANNOUNCE] email).
    pub download_url: String,
    /// The blog post's URL; `{slug}` is the blog slug.
    pub blog_url: String,
    /// One or two sentences on what the project is, for the [ANNOUNCE] email; empty: none.
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Github {
    pub api_url: String,
    pub uploads_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Mail {
    pub dev: String,
    pub user: String,
    /// Sender of the vote email; empty: the rc tag's tagger.
    pub from: String,
    /// SMTP server for `--send`.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `starttls`, `tls` or `none` (only for a local test server).
    pub smtp_security: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Jira {
    pub url: String,
    pub project: String,
    /// Field id of "Target Version/s" (a custom field; `customfield_12310320` at Apache).
    pub target_version_field: String,
    /// Resolutions that mean "not fixed": an issue resolved so must not carry a fix version.
    /// Comma-separated.
    pub invalid_resolutions: String,
    /// Issues per search request (JIRA caps it, usually at 1000).
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Bump {
    /// Commit message of `bump-version --commit`; `{version}` and `{previous}` are filled in.
    pub commit_message: String,
}

/// `verify-distcheck`: how a release tarball is made and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Distcheck {
    /// Shell command lines that make and check the tarball in a clean checkout of the tag, run
    /// in order with `sh -c`; `{jobs}` is filled in.
    pub recipe: Vec<String>,
    /// Shell command lines that configure, build and test an unpacked tarball
    /// (`candidate --build`); `{jobs}` is filled in.
    pub build: Vec<String>,
    /// Passed to the recipe as `DISTCHECK_CONFIGURE_FLAGS`.
    pub configure_flags: String,
    /// Extra `NAME=value` environment for the recipe and the build.
    pub env: Vec<String>,
    /// Where the recipe leaves the tarball, relative to the checkout; `{name}` and `{version}`
    /// are filled in. Empty: the `project.tarball` name at the top of the checkout.
    pub output: String,
    /// The tarball's single top-level directory; `{name}` and `{version}` are filled in.
    pub top_dir: String,
    /// Files in the tarball but not in git that are expected (made by the build system);
    /// globs relative to the top directory (`*` within a path segment, `**` across segments).
    pub generated: Vec<String>,
    /// Files in git that are deliberately not distributed; globs as for `generated`.
    pub undistributed: Vec<String>,
    /// More generated-file globs, added to `generated` (the built-in list stays).
    pub extra_generated: Vec<String>,
    /// More undistributed-file globs, added to `undistributed` (the built-in list stays).
    pub extra_undistributed: Vec<String>,
    /// Files every release tarball must hold, relative to the top directory.
    pub required_files: Vec<String>,
    /// Largest total size an archive may unpack to, in bytes (zip-bomb guard).
    pub max_unpacked_size: i64,
    /// Largest unpacked/packed size ratio, checked once 16 MiB are unpacked (zip-bomb guard).
    pub max_ratio: i64,
    /// Seconds a recipe or build command may run before it is stopped.
    pub timeout: i64,
}

/// Where the signing keys of a release are published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Signing {
    /// The project's KEYS file (path or URL); `{name}` is filled in.
    pub keys: String,
    /// Fingerprint of the signing key; empty: the keyring's only secret key.
    pub key: String,
    /// Require the rc tag itself to be GPG-signed by a key in KEYS.
    pub require_signed_tag: bool,
    /// Days the key must stay valid after the vote ends.
    pub margin_days: i64,
}

impl Default for Distcheck {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        Distcheck {
            recipe: s(&[
                "if [ -x ./bootstrap ]; then ./bootstrap; else autoreconf -fi; fi",
                "./configure",
                "make -j{jobs} distcheck",
            ]),
            build: s(&["./configure", "make -j{jobs}", "make -j{jobs} check"]),
            configure_flags: String::new(),
            env: Vec::new(),
            output: String::new(),
            top_dir: "{name}-{version}".into(),
            generated: s(&[
                "configure",
                "**/Makefile.in",
                "aclocal.m4",
                "config.h.in",
                "**/config.h.in",
                "build-aux/**",
                "m4/libtool.m4",
                "m4/lt*.m4",
                "**/ltmain.sh",
                "compile",
                "config.guess",
                "config.sub",
                "depcomp",
                "install-sh",
                "missing",
                "ltmain.sh",
                "test-driver",
                "ar-lib",
                "py-compile",
                "INSTALL",
                // gettext makes these at `make dist`.
                "po/en@quot.po",
                "po/en@boldquot.po",
            ]),
            undistributed: s(&[
                "**/.gitignore",
                ".gitattributes",
                ".gitmodules",
                ".mailmap",
                ".asf.yaml",
                ".github/**",
                ".reviewboardrc",
                ".clang-format",
                ".clang-tidy",
                // release-kit's own configuration.
                "release.toml",
                // The website (`website.releases_file`, `website.blog_dir`) lives in the
                // repository but not in the source release, as Mesos's does.
                "site/**",
            ]),
            extra_generated: Vec::new(),
            extra_undistributed: Vec::new(),
            required_files: s(&["LICENSE", "NOTICE"]),
            max_unpacked_size: 8 * 1024 * 1024 * 1024,
            max_ratio: 200,
            timeout: 4 * 3600,
        }
    }
}

impl Default for Signing {
    fn default() -> Self {
        Signing {
            keys: "https://downloads.apache.org/{name}/KEYS".into(),
            key: String::new(),
            require_signed_tag: false,
            margin_days: 30,
        }
    }
}

impl Default for Project {
    fn default() -> Self {
        Project {
            name: "mesos".into(),
            display_name: "Mesos".into(),
            tarball: "{name}-{version}.tar.gz".into(),
        }
    }
}

impl Default for Tags {
    fn default() -> Self {
        Tags {
            candidate: "{version}-rc{rc}".into(),
            release: "{version}".into(),
            branch: "{major}.{minor}.x".into(),
            model: "maintenance".into(),
            require_annotated: true,
            remote: "origin".into(),
        }
    }
}

impl Default for Dist {
    fn default() -> Self {
        Dist {
            dev: "https://dist.apache.org/repos/dist/dev/{name}".into(),
            release: "https://dist.apache.org/repos/dist/release/{name}".into(),
            source: "make-dist".into(),
            make_dist: "if [ -x ./bootstrap ]; then ./bootstrap; else autoreconf -fi; fi && ./configure && make dist".into(),
            remove_superseded: false,
        }
    }
}

impl Default for Maven {
    fn default() -> Self {
        Maven {
            url: "https://repository.apache.org/service/local/".into(),
            group_id: "org.apache.{name}".into(),
            artifact_id: "{name}".into(),
            content_url: "https://repository.apache.org/content/repositories/".into(),
            poll_seconds: 5,
            artifacts: Vec::new(),
            deploy_command: Vec::new(),
        }
    }
}

impl Default for Vote {
    fn default() -> Self {
        Vote {
            time_zone: "UTC".into(),
            min_hours: 72,
            business_days: 3,
            template: String::new(),
            tag_url: "https://gitbox.apache.org/repos/asf?p={name}.git;a=commit;h={tag}".into(),
            changelog_url:
                "https://gitbox.apache.org/repos/asf?p={name}.git;a=blob_plain;f=CHANGELOG;hb={tag}"
                    .into(),
            time_zones: vec![
                "America/Los_Angeles".into(),
                "Europe/Berlin".into(),
                "Asia/Shanghai".into(),
            ],
            holidays: Vec::new(),
            policy: "mesos".into(),
            min_binding: 3,
            roster: String::new(),
        }
    }
}

impl Default for Publish {
    fn default() -> Self {
        Publish {
            release_managers: String::new(),
            active_lines: Vec::new(),
            keep_lines: 3,
            announce_to: "announce@apache.org".into(),
            sign_tag: false,
            bump_branch: true,
            jira_release: true,
        }
    }
}

impl Default for Website {
    fn default() -> Self {
        Website {
            releases_file: "site/data/releases.yml".into(),
            blog_dir: "site/source/blog".into(),
            blog_file: "{date}-{name}-{version}-released.md".into(),
            blog_slug: "{name}-{version}-released".into(),
            news_title: "{display_name} {version} is released!".into(),
            branch: "release-kit/website-{version}".into(),
            base: "master".into(),
            github_repo: String::new(),
            download_url: "https://{name}.apache.org/downloads/".into(),
            blog_url: "https://{name}.apache.org/blog/{slug}/".into(),
            description: String::new(),
        }
    }
}

impl Default for Github {
    fn default() -> Self {
        Github {
            api_url: "https://api.github.com/".into(),
            uploads_url: "https://uploads.github.com/".into(),
        }
    }
}

impl Mail {
    /// The sender of release emails: `mail.from`, else `fallback` (the rc tag's tagger).
    pub(crate) fn sender(&self, fallback: &str) -> String {
        if self.from.is_empty() {
            fallback.to_string()
        } else {
            self.from.clone()
        }
    }
}

impl Default for Mail {
    fn default() -> Self {
        Mail {
            dev: "dev@{name}.apache.org".into(),
            user: "user@{name}.apache.org".into(),
            from: String::new(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: "starttls".into(),
        }
    }
}

impl Default for Jira {
    fn default() -> Self {
        Jira {
            url: "https://issues.apache.org/jira".into(),
            project: "MESOS".into(),
            target_version_field: "customfield_12310320".into(),
            invalid_resolutions:
                "Duplicate, Invalid, Won't Fix, Won't Do, Cannot Reproduce, Not A Problem, Incomplete, Abandoned"
                    .into(),
            page_size: 100,
        }
    }
}

impl Default for Bump {
    fn default() -> Self {
        Bump {
            commit_message: "Updated version to {version}.".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            project: Project::default(),
            tags: Tags::default(),
            version_sites: vec![
                SiteSpec::whole("configure.ac", "AC_INIT([{name}], [{version}])"),
                SiteSpec::parts(
                    "CMakeLists.txt",
                    "set({NAME}_MAJOR_VERSION {major})",
                    "set({NAME}_MINOR_VERSION {minor})",
                    "set({NAME}_PATCH_VERSION {patch})",
                ),
            ],
            changelog: crate::model::changelog::Settings::default(),
            dist: Dist::default(),
            signing: Signing::default(),
            maven: Maven::default(),
            vote: Vote::default(),
            mail: Mail::default(),
            github: Github::default(),
            jira: Jira::default(),
            bump: Bump::default(),
            publish: Publish::default(),
            website: Website::default(),
            wording: WordingSettings::default(),
            rpm: Rpm::default(),
            distcheck: Distcheck::default(),
            readiness: readiness::Readiness::default(),
            licence: licence::Licence::default(),
        }
    }
}

/// A variable's value from `env`; an empty value counts as unset (GitHub Actions passes unset
/// inputs as empty strings).
pub(crate) fn env_value(env: &[(String, String)], key: &str) -> Option<String> {
    env.iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.clone())
}

/// Where the configuration came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("the embedded default (Apache Mesos)"),
            Source::File(p) => write!(f, "{}", p.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {} does not exist; pass an existing file to --config, or leave it out to use {}/release.toml or the defaults", path.display(), root.display())]
    Missing { path: PathBuf, root: PathBuf },
    #[error("cannot read configuration file {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {} is empty; delete it to use the defaults, or add settings (see docs/configuration.md)", path.display())]
    Empty { path: PathBuf },
    #[error("configuration file {}: {message}\nsee docs/configuration.md for every key and its type", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{origin}: `{key}` is not a configuration key; see docs/configuration.md for the keys"
    )]
    UnknownKey { origin: String, key: String },
    #[error("{origin}: `{key}` must be {expected}, got `{value}`")]
    BadValue {
        origin: String,
        key: String,
        expected: &'static str,
        value: String,
    },
    #[error("--set `{0}` must look like section.key=value, e.g. --set tags.candidate='v{{version}}-rc{{rc}}'")]
    BadSet(String),
    #[error("{source_desc}: {error}")]
    Tags {
        source_desc: String,
        error: TagError,
    },
    #[error("{source_desc}: {message}")]
    Semantic {
        source_desc: String,
        message: String,
    },
}

impl crate::error::Classify for ConfigError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub source: Source,
}

impl Config {
    /// The `[changelog]` section compiled with the project's names; the error names the key.
    pub fn changelog_format(&self) -> Result<crate::model::changelog::Format, String> {
        crate::model::changelog::Format::new(
            &self.changelog,
            &self.project.name,
            &self.project.display_name,
        )
    }

    /// Parses a configuration file's text (file layer over the defaults).
    pub(crate) fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Err(ConfigError::Empty {
                path: path.to_path_buf(),
            });
        }
        toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })
    }

    /// Loads the configuration: `explicit` (must exist) or `root/release.toml` (optional),
    /// then the environment, then `--set` overrides.
    pub fn load(
        root: &Path,
        explicit: Option<&Path>,
        env: &[(String, String)],
        sets: &[String],
    ) -> Result<Loaded, ConfigError> {
        Self::load_in(root, explicit, env, sets, None)
    }

    /// [`Config::load`], with `release.toml` and the build files read from `tree` (a tag's
    /// tree) instead of the work tree when given. Without a file, the project's name comes
    /// from its build files ([`infer`]) and a notice says the built-in defaults are in use.
    pub fn load_in(
        root: &Path,
        explicit: Option<&Path>,
        env: &[(String, String)],
        sets: &[String],
        tree: Option<&infer::Tree<'_>>,
    ) -> Result<Loaded, ConfigError> {
        let (mut config, source) = match (explicit, tree) {
            (None, Some(tree)) => {
                let label = PathBuf::from(format!("{}:{FILE_NAME}", tree.label));
                match (tree.read)(FILE_NAME) {
                    Some(text) => (Config::from_toml(&text, &label)?, Source::File(label)),
                    None => {
                        let mut config = Config::default();
                        let inferred = infer::apply(&mut config, tree.read);
                        infer::announce(&format!("the tree of {}", tree.label), inferred.as_ref());
                        (config, Source::Default)
                    }
                }
            }
            _ => match explicit {
                Some(path) => {
                    if !path.exists() {
                        return Err(ConfigError::Missing {
                            path: path.to_path_buf(),
                            root: root.to_path_buf(),
                        });
                    }
                    (read_file(path)?, Source::File(path.to_path_buf()))
                }
                None => {
                    let path = root.join(FILE_NAME);
                    if path.exists() {
                        (read_file(&path)?, Source::File(path))
                    } else {
                        let mut config = Config::default();
                        let read = |f: &str| std::fs::read_to_string(root.join(f)).ok();
                        let inferred = infer::apply(&mut config, &read);
                        infer::announce(&root.display().to_string(), inferred.as_ref());
                        (config, Source::Default)
                    }
                }
            },
        };
        config = apply_env(config, env)?;
        config = apply_sets(config, sets)?;
        // A project named by any layer (file, environment, --set) but given no display name is
        // shown by its name: "pv", not the built-in "Mesos", which only the project named mesos
        // keeps.
        if config.project.display_name == Project::default().display_name
            && config.project.name != "mesos"
        {
            config.project.display_name = config.project.name.clone();
        }
        config.validate(&source)?;
        Ok(Loaded { config, source })
    }

    /// Checks what serde cannot: templates and patterns compile.
    pub(crate) fn validate(&self, source: &Source) -> Result<(), ConfigError> {
        self.tag_scheme().map_err(|error| ConfigError::Tags {
            source_desc: source.to_string(),
            error,
        })?;
        let semantic = |message: String| ConfigError::Semantic {
            source_desc: source.to_string(),
            message,
        };
        if self.project.name.trim().is_empty() {
            return Err(semantic(
                "`project.name` is empty; set the project's short name, e.g. name = \"mesos\""
                    .into(),
            ));
        }
        if self.version_sites.is_empty() {
            return Err(semantic(
                "`version_sites` is empty; declare at least one [[version_sites]] entry".into(),
            ));
        }
        for (i, site) in self.version_sites.iter().enumerate() {
            site.compile(&self.project.name).map_err(|e| {
                semantic(format!(
                    "[[version_sites]] entry {} ({}): {e}",
                    i + 1,
                    site.file
                ))
            })?;
        }
        self.changelog_format().map_err(semantic)?;
        self.wording.validate().map_err(semantic)?;
        release_model::ReleaseModel::parse(&self.tags.model).map_err(semantic)?;
        self.readiness.validate().map_err(semantic)?;
        if !matches!(self.dist.source.as_str(), "make-dist" | "git-archive") {
            return Err(semantic(format!(
                "`dist.source` is `{}`; use \"make-dist\" (the project's `make dist`) or \"git-archive\"",
                self.dist.source
            )));
        }
        if !matches!(
            self.mail.smtp_security.as_str(),
            "starttls" | "tls" | "none"
        ) {
            return Err(semantic(format!(
                "`mail.smtp_security` is `{}`; use \"starttls\", \"tls\" or \"none\"",
                self.mail.smtp_security
            )));
        }
        if !matches!(self.vote.policy.as_str(), "mesos" | "majority") {
            return Err(semantic(format!(
                "`vote.policy` is `{}`; use \"mesos\" (no binding -1) or \"majority\" (the ASF majority rule)",
                self.vote.policy
            )));
        }
        if self.vote.min_binding < 1 {
            return Err(semantic(format!(
                "`vote.min_binding` is {}; a release needs at least 1 binding +1 (the ASF asks for 3)",
                self.vote.min_binding
            )));
        }
        if self.publish.keep_lines < 1 {
            return Err(semantic(format!(
                "`publish.keep_lines` is {}; keep at least the newest line (1)",
                self.publish.keep_lines
            )));
        }
        for line in &self.publish.active_lines {
            let ok = line
                .split_once('.')
                .is_some_and(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok());
            if !ok {
                return Err(semantic(format!(
                    "`publish.active_lines` entry `{line}` is not a version line; write MAJOR.MINOR, e.g. \"1.11\""
                )));
            }
        }
        if self.vote.min_hours < 0 || self.vote.business_days < 0 {
            return Err(semantic(
                "`vote.min_hours` and `vote.business_days` cannot be negative".into(),
            ));
        }
        if self.jira.project.trim().is_empty() {
            return Err(semantic(
                "`jira.project` is empty; set the JIRA project key, e.g. project = \"MESOS\""
                    .into(),
            ));
        }
        if self.jira.target_version_field.trim().is_empty()
            || self.jira.target_version_field.contains(char::is_whitespace)
        {
            return Err(semantic(format!(
                "`jira.target_version_field` must be a JIRA field id such as \"customfield_12310320\", got `{}`; find the id of \"Target Version/s\" at <jira>/rest/api/2/field",
                self.jira.target_version_field
            )));
        }
        if !(1..=1000).contains(&self.jira.page_size) {
            return Err(semantic(format!(
                "`jira.page_size` must be between 1 and 1000, got {}",
                self.jira.page_size
            )));
        }
        self.validate_distcheck().map_err(semantic)?;
        if !self.maven.artifacts.is_empty() && !self.maven.deploy_command.is_empty() {
            return Err(semantic(
                "[maven] has both `artifacts` and `deploy_command`; choose one: stage-rc uploads the artifacts itself, or runs the project's deploy command".into(),
            ));
        }
        if self
            .maven
            .deploy_command
            .first()
            .is_some_and(|p| p.trim().is_empty())
        {
            return Err(semantic(
                "`maven.deploy_command` starts with an empty program name".into(),
            ));
        }
        Ok(())
    }

    fn validate_distcheck(&self) -> Result<(), String> {
        let d = &self.distcheck;
        if d.recipe.iter().all(|c| c.trim().is_empty()) {
            return Err("`distcheck.recipe` is empty; list the commands that make and check the tarball, e.g. [\"./configure\", \"make -j{jobs} distcheck\"]".into());
        }
        if d.top_dir.trim().is_empty() || d.top_dir.contains('/') {
            return Err(format!(
                "`distcheck.top_dir` must be one directory name such as \"{{name}}-{{version}}\", got `{}`",
                d.top_dir
            ));
        }
        for (key, globs) in [
            ("distcheck.generated", &d.generated),
            ("distcheck.undistributed", &d.undistributed),
            ("distcheck.extra_generated", &d.extra_generated),
            ("distcheck.extra_undistributed", &d.extra_undistributed),
        ] {
            for g in globs {
                globset::Glob::new(g)
                    .map_err(|e| format!("`{key}` entry `{g}` is not a valid glob: {e}"))?;
            }
        }
        for e in &d.env {
            if !e.contains('=') || e.starts_with('=') {
                return Err(format!(
                    "`distcheck.env` entry `{e}` must look like NAME=value"
                ));
            }
        }
        for (key, value) in [
            ("distcheck.max_unpacked_size", d.max_unpacked_size),
            ("distcheck.max_ratio", d.max_ratio),
            ("distcheck.timeout", d.timeout),
        ] {
            if value <= 0 {
                return Err(format!("`{key}` must be a positive number, got {value}"));
            }
        }
        Ok(())
    }

    /// The top-level directory of a version's tarball, e.g. `mesos-1.11.0`.
    pub(crate) fn top_dir(&self, version: &str) -> String {
        self.expand(&self.distcheck.top_dir)
            .replace("{version}", version)
    }

    pub fn tag_scheme(&self) -> Result<TagScheme, TagError> {
        TagScheme::new(
            &self.tags.candidate,
            &self.tags.release,
            &self.branch_template(),
        )
    }

    /// Fills `{name}`, `{NAME}` and `{display_name}` into a template.
    pub fn expand(&self, template: &str) -> String {
        template
            .replace("{NAME}", &self.project.name.to_uppercase())
            .replace("{name}", &self.project.name)
            .replace("{display_name}", &self.project.display_name)
    }

    pub(crate) fn tarball_name(&self, version: Version) -> String {
        self.expand(&self.project.tarball)
            .replace("{version}", &version.to_string())
    }

    /// The CHANGELOG heading of a version's section, as messages show it (`{date}` as
    /// `YYYY-MM-DD`, `{*}` dropped): the one rendering of the heading template.
    pub(crate) fn changelog_heading(&self, version: Version) -> String {
        match self.changelog_format() {
            Ok(f) => f.render_heading(version, &self.project.display_name, &self.project.name),
            Err(_) => self
                .expand(&self.changelog.heading)
                .replace("{version}", &version.to_string()),
        }
    }
}

fn read_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    Config::from_toml(&text, path)
}

/// The environment variable twin of a configuration key, e.g. `tags.candidate` →
/// `RELEASE_KIT_TAGS_CANDIDATE`.
pub(crate) fn env_name(section: &str, key: &str) -> String {
    format!("RELEASE_KIT_{}_{}", section, key).to_uppercase()
}

/// Every scalar key as (section, key), in file order.
pub fn scalar_keys() -> Vec<(String, String)> {
    let value = toml::Value::try_from(Config::default()).expect("config serialises");
    let mut keys = Vec::new();
    if let toml::Value::Table(sections) = value {
        for (section, v) in sections {
            if let toml::Value::Table(t) = v {
                for (key, v) in t {
                    if !matches!(v, toml::Value::Table(_) | toml::Value::Array(_)) {
                        keys.push((section.clone(), key));
                    }
                }
            }
        }
    }
    keys
}

fn set_scalar(
    config: Config,
    section: &str,
    key: &str,
    raw: &str,
    origin: &str,
) -> Result<Config, ConfigError> {
    let mut value = toml::Value::try_from(config).expect("config serialises");
    // An empty section is a top-level key (`version_sites`).
    let name = if section.is_empty() {
        key.to_string()
    } else {
        format!("{section}.{key}")
    };
    let unknown = || ConfigError::UnknownKey {
        origin: origin.to_string(),
        key: name.clone(),
    };
    let slot = if section.is_empty() {
        value.get_mut(key)
    } else {
        value
            .get_mut(section)
            .and_then(|s| s.as_table_mut())
            .and_then(|t| t.get_mut(key))
    }
    .ok_or_else(unknown)?;
    let bad = |expected| ConfigError::BadValue {
        origin: origin.to_string(),
        key: name.clone(),
        expected,
        value: raw.to_string(),
    };
    *slot = match slot {
        // A plain word, or a TOML string (`"trunk"`, as in release.toml) unquoted.
        toml::Value::String(_) => match toml_value(raw) {
            Some(toml::Value::String(s)) if raw.trim_start().starts_with(['"', '\'']) => {
                toml::Value::String(s)
            }
            _ => toml::Value::String(raw.to_string()),
        },
        toml::Value::Boolean(_) => match raw {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ => return Err(bad("true or false")),
        },
        toml::Value::Integer(_) => {
            toml::Value::Integer(raw.parse().map_err(|_| bad("a whole number"))?)
        }
        toml::Value::Float(_) => toml::Value::Float(raw.parse().map_err(|_| bad("a number"))?),
        toml::Value::Array(_) => match toml_value(raw) {
            Some(v @ toml::Value::Array(_)) => v,
            _ => return Err(bad("a TOML list, e.g. [\"a\", \"b\"]")),
        },
        toml::Value::Table(_) => match toml_value(raw) {
            Some(v @ toml::Value::Table(_)) => v,
            _ => return Err(bad("a TOML inline table, e.g. { key = \"value\" }")),
        },
        _ => return Err(unknown()),
    };
    value
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Invalid {
            path: PathBuf::from(origin),
            message: e.to_string(),
        })
}

/// `raw` read as a TOML value (`["a", "b"]`, `{ k = 1 }`, `"text"`, `3`), as `--set` takes
/// lists and tables.
fn toml_value(raw: &str) -> Option<toml::Value> {
    let table: toml::Table = toml::from_str(&format!("value = {raw}")).ok()?;
    table.get("value").cloned()
}

fn apply_env(mut config: Config, env: &[(String, String)]) -> Result<Config, ConfigError> {
    for (section, key) in scalar_keys() {
        let name = env_name(&section, &key);
        if let Some(value) = env_value(env, &name) {
            config = set_scalar(
                config,
                &section,
                &key,
                &value,
                &format!("environment variable {name}"),
            )?;
        }
    }
    Ok(config)
}

fn apply_sets(mut config: Config, sets: &[String]) -> Result<Config, ConfigError> {
    for set in sets {
        let (path, value) = set
            .split_once('=')
            .ok_or_else(|| ConfigError::BadSet(set.clone()))?;
        let path = path.trim();
        let (section, key) = match path.split_once('.') {
            Some(split) => split,
            // A top-level key takes a value that is not a string: `version_sites=[{...}]`.
            None if !path.is_empty() && value.trim_start().starts_with(['[', '{']) => ("", path),
            None => return Err(ConfigError::BadSet(set.clone())),
        };
        config = set_scalar(config, section, key, value, &format!("--set {path}"))?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;

    fn load(
        dir: &Path,
        explicit: Option<&Path>,
        env: &[(&str, &str)],
        sets: &[&str],
    ) -> Result<Loaded, ConfigError> {
        let env: Vec<_> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let sets: Vec<_> = sets.iter().map(|s| s.to_string()).collect();
        Config::load(dir, explicit, &env, &sets)
    }

    #[test]
    fn without_a_file_the_default_describes_mesos() {
        let dir = tempfile::tempdir().unwrap();
        let l = load(dir.path(), None, &[], &[]).unwrap();
        assert_eq!(l.source, Source::Default);
        let c = l.config;
        assert_eq!(
            c.tarball_name(Version::new(1, 11, 0)),
            "mesos-1.11.0.tar.gz"
        );
        assert_eq!(
            c.expand(&c.dist.dev),
            "https://dist.apache.org/repos/dist/dev/mesos"
        );
        assert_eq!(
            c.expand(&c.dist.release),
            "https://dist.apache.org/repos/dist/release/mesos"
        );
        assert_eq!(
            c.changelog_heading(Version::new(1, 11, 0)),
            "Release Notes - Mesos - Version 1.11.0"
        );
        assert_eq!(c.expand(&c.mail.dev), "dev@mesos.apache.org");
        assert_eq!(c.expand(&c.mail.user), "user@mesos.apache.org");
        assert_eq!(c.jira.project, "MESOS");
        assert_eq!(c.version_sites.len(), 2);
    }

    #[test]
    fn a_named_project_without_a_display_name_is_shown_by_its_name_not_as_mesos() {
        let with = |text: &str| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
            load(dir.path(), None, &[], &[]).unwrap().config
        };
        let c = with("[project]\nname = \"pv\"\n");
        assert_eq!(c.project.display_name, "pv");
        let c = with("[project]\nname = \"pv\"\ndisplay_name = \"Pipe Viewer\"\n");
        assert_eq!(c.project.display_name, "Pipe Viewer");
        let c = with("[project]\nname = \"mesos\"\n");
        assert_eq!(c.project.display_name, "Mesos");
        // Named by the environment or by --set, too.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "[bump]\n").unwrap();
        let env = [("RELEASE_KIT_PROJECT_NAME", "pv")];
        assert_eq!(
            load(dir.path(), None, &env, &[])
                .unwrap()
                .config
                .project
                .display_name,
            "pv"
        );
        let set = ["project.name=pv"];
        assert_eq!(
            load(dir.path(), None, &[], &set)
                .unwrap()
                .config
                .project
                .display_name,
            "pv"
        );
    }

    #[test]
    fn a_set_string_may_be_written_as_in_release_toml() {
        let dir = tempfile::tempdir().unwrap();
        let c = load(
            dir.path(),
            None,
            &[],
            &["tags.model=\"trunk\"", "project.name='pv'"],
        )
        .unwrap()
        .config;
        assert_eq!(c.tags.model, "trunk");
        assert_eq!(c.project.name, "pv");
        // A plain word is the string itself, quotes inside it included.
        let c = load(
            dir.path(),
            None,
            &[],
            &["mail.from=A \"B\" <a@example.org>"],
        )
        .unwrap()
        .config;
        assert_eq!(c.mail.from, "A \"B\" <a@example.org>");
    }

    #[test]
    fn precedence_is_flag_then_env_then_file_then_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[project]\nname = \"hello\"\ndisplay_name = \"Hello\"\n[tags]\ncandidate = \"v{version}-rc{rc}\"\n",
        )
        .unwrap();
        let c = load(dir.path(), None, &[], &[]).unwrap().config;
        assert_eq!(c.project.name, "hello");
        assert_eq!(c.tags.candidate, "v{version}-rc{rc}");
        assert_eq!(
            c.tags.release, "{version}",
            "untouched keys keep the default"
        );

        let env = [
            ("RELEASE_KIT_TAGS_CANDIDATE", "env-{version}-rc{rc}"),
            ("RELEASE_KIT_PROJECT_NAME", ""),
        ];
        let c = load(dir.path(), None, &env, &[]).unwrap().config;
        assert_eq!(c.tags.candidate, "env-{version}-rc{rc}");
        assert_eq!(
            c.project.name, "hello",
            "an empty environment value means unset"
        );

        let c = load(
            dir.path(),
            None,
            &env,
            &["tags.candidate=flag-{version}-rc{rc}"],
        )
        .unwrap()
        .config;
        assert_eq!(c.tags.candidate, "flag-{version}-rc{rc}");
    }

    #[test]
    fn unknown_key_is_rejected_naming_key_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, "[tags]\ncandidat = \"x\"\n").unwrap();
        let e = load(dir.path(), None, &[], &[]).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("candidat") && m.contains(p.to_str().unwrap()),
            "{m}"
        );
        assert!(m.contains("line 2"), "{m}");
        assert_eq!(e.exit_code(), ExitCode::Usage);

        std::fs::write(&p, "[signing_typo]\nkey = 1\n").unwrap();
        let m = load(dir.path(), None, &[], &[]).unwrap_err().to_string();
        assert!(m.contains("signing_typo"), "{m}");
    }

    #[test]
    fn wrong_type_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[tags]\nrequire_annotated = \"yes\"\n",
        )
        .unwrap();
        let m = load(dir.path(), None, &[], &[]).unwrap_err().to_string();
        assert!(
            m.contains("require_annotated") || m.contains("invalid type"),
            "{m}"
        );
        assert!(m.contains("bool"), "{m}");
    }

    #[test]
    fn missing_explicit_file_and_empty_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope.toml");
        let m = load(dir.path(), Some(&p), &[], &[])
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("does not exist") && m.contains("nope.toml"),
            "{m}"
        );
        std::fs::write(dir.path().join(FILE_NAME), "\n  \n").unwrap();
        let m = load(dir.path(), None, &[], &[]).unwrap_err().to_string();
        assert!(m.contains("is empty"), "{m}");
        // A file of only comments is a deliberate "use the defaults".
        std::fs::write(dir.path().join(FILE_NAME), "# defaults are fine\n").unwrap();
        assert!(load(dir.path(), None, &[], &[]).is_ok());
    }

    #[test]
    fn bad_env_and_set_values_name_their_origin() {
        let dir = tempfile::tempdir().unwrap();
        let m = load(
            dir.path(),
            None,
            &[("RELEASE_KIT_TAGS_REQUIRE_ANNOTATED", "yes")],
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            m.contains("RELEASE_KIT_TAGS_REQUIRE_ANNOTATED") && m.contains("true or false"),
            "{m}"
        );
        let m = load(dir.path(), None, &[], &["tags.nope=1"])
            .unwrap_err()
            .to_string();
        assert!(m.contains("`tags.nope` is not a configuration key"), "{m}");
        let m = load(dir.path(), None, &[], &["nonsense"])
            .unwrap_err()
            .to_string();
        assert!(m.contains("section.key=value"), "{m}");
    }

    #[test]
    fn invalid_templates_fail_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let m = load(dir.path(), None, &[], &["tags.candidate={version}"])
            .unwrap_err()
            .to_string();
        assert!(m.contains("tags.candidate") && m.contains("{rc}"), "{m}");
        let m = load(dir.path(), None, &[], &["changelog.issue_key=[A-Z"])
            .unwrap_err()
            .to_string();
        assert!(m.contains("changelog.issue_key"), "{m}");
    }

    #[test]
    fn every_scalar_key_has_an_env_twin() {
        let keys = scalar_keys();
        assert!(keys.contains(&("tags".into(), "candidate".into())));
        assert!(keys.contains(&("project".into(), "tarball".into())));
        assert_eq!(
            env_name("tags", "require_annotated"),
            "RELEASE_KIT_TAGS_REQUIRE_ANNOTATED"
        );
    }
}
