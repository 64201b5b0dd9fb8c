//! Sending a rendered RFC 5322 message through SMTP (`lettre`, rustls): STARTTLS or TLS for
//! real servers, plain only for a local test server. Credentials come from
//! `RELEASE_KIT_SMTP_USERNAME` / `RELEASE_KIT_SMTP_PASSWORD` and are never logged.

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, SmtpTransport, Transport};

use crate::error::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("`{value}` is not an email address ({what}); write it as `Name <user@example.org>` or `user@example.org`")]
    BadAddress { value: String, what: &'static str },
    #[error("mail.smtp_host is empty; set it (or RELEASE_KIT_MAIL_SMTP_HOST) to send the vote email with --send")]
    NoServer,
    #[error("the SMTP server {server} did not accept the vote email: {reason}; the email is saved in --out, send it by hand or fix mail.smtp_* and re-run")]
    Send { server: String, reason: String },
    #[error("only one of RELEASE_KIT_SMTP_USERNAME and RELEASE_KIT_SMTP_PASSWORD is set; set both to log in to the SMTP server, or neither")]
    HalfCredentials,
}

impl crate::error::Classify for MailError {
    fn exit_code(&self) -> ExitCode {
        match self {
            MailError::Send { .. } => ExitCode::Outside,
            _ => ExitCode::Usage,
        }
    }
}

/// The bare address of `Name <user@host>` or `user@host`.
pub(crate) fn address(value: &str, what: &'static str) -> Result<Address, MailError> {
    let bare = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.trim(),
    };
    bare.parse().map_err(|_| MailError::BadAddress {
        value: value.to_string(),
        what,
    })
}

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: Option<String>,
    pub password: Option<secrecy::SecretString>,
}

impl Server {
    /// The configured server (`[mail]`) with the SMTP credentials from the environment
    /// (`RELEASE_KIT_SMTP_USERNAME`, `RELEASE_KIT_SMTP_PASSWORD`).
    pub(crate) fn from_config(mail: &crate::config::Mail, env: &[(String, String)]) -> Server {
        use crate::config::env_value;
        Server {
            host: mail.smtp_host.clone(),
            port: mail.smtp_port,
            security: mail.smtp_security.clone(),
            username: env_value(env, "RELEASE_KIT_SMTP_USERNAME"),
            password: env_value(env, "RELEASE_KIT_SMTP_PASSWORD").map(secrecy::SecretString::from),
        }
    }
}

/// Checks everything about sending that can be checked without sending: a server is
/// configured, the addresses parse, and a username comes with a password. Tools call it while
/// planning, so that `--send` without `mail.smtp_host` fails before the first side effect, and
/// `--dry-run` fails as the real run would.
pub fn check(server: &Server, from: &str, to: &[String]) -> Result<(), MailError> {
    if server.host.trim().is_empty() {
        return Err(MailError::NoServer);
    }
    address(from, "mail.from")?;
    for t in to {
        address(t, "mail.dev")?;
    }
    if server.username.is_some() != server.password.is_some() {
        return Err(MailError::HalfCredentials);
    }
    Ok(())
}

/// Sends `eml` from `from` to `to`.
pub fn send(server: &Server, from: &str, to: &[String], eml: &[u8]) -> Result<(), MailError> {
    use secrecy::ExposeSecret;
    if server.host.is_empty() {
        return Err(MailError::NoServer);
    }
    // A server may echo the credentials (or their AUTH PLAIN form) in its refusal.
    let fail = |reason: String| MailError::Send {
        server: format!("{}:{}", server.host, server.port),
        reason: crate::outside::secrets::redact(&reason).into_owned(),
    };
    let mut builder = match server.security.as_str() {
        "tls" => SmtpTransport::relay(&server.host).map_err(|e| fail(e.to_string()))?,
        "none" => SmtpTransport::builder_dangerous(&server.host),
        _ => SmtpTransport::starttls_relay(&server.host).map_err(|e| fail(e.to_string()))?,
    }
    .port(server.port)
    .timeout(Some(std::time::Duration::from_secs(30)));
    if let (Some(u), Some(p)) = (&server.username, &server.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.expose_secret().to_string()));
    }
    let from = address(from, "mail.from")?;
    let to = to
        .iter()
        .map(|t| address(t, "mail.dev"))
        .collect::<Result<Vec<_>, _>>()?;
    let envelope = Envelope::new(Some(from), to).map_err(|e| fail(e.to_string()))?;
    builder
        .build()
        .send_raw(&envelope, eml)
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod echo_tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    /// A hostile SMTP server on 127.0.0.1: it offers AUTH, then refuses whatever it gets with a
    /// 535 that echoes the client's line (the AUTH PLAIN base64 of the credentials, and the
    /// password itself). Returns the port and the lines it received.
    fn echo_server() -> (u16, std::thread::JoinHandle<Vec<String>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut w = stream.try_clone().unwrap();
            let mut r = BufReader::new(stream);
            let mut seen = Vec::new();
            w.write_all(b"220 hostile ESMTP\r\n").unwrap();
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                let got = line.trim_end().to_string();
                line.clear();
                seen.push(got.clone());
                let reply = if got.starts_with("EHLO") {
                    "250-hostile\r\n250 AUTH PLAIN LOGIN\r\n".to_string()
                } else if got.starts_with("QUIT") {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    format!("535 5.7.8 refused `{got}` (password smtp-Echoed-Pa55)\r\n")
                };
                if w.write_all(reply.as_bytes()).is_err() {
                    break;
                }
            }
            seen
        });
        (port, handle)
    }

    #[test]
    fn an_smtp_server_echoing_the_credentials_shows_them_redacted() {
        let (user, password) = ("rm@example.org", "smtp-Echoed-Pa55");
        crate::outside::secrets::register(crate::outside::secrets::from_env(&[
            ("RELEASE_KIT_SMTP_USERNAME".into(), user.into()),
            ("RELEASE_KIT_SMTP_PASSWORD".into(), password.into()),
        ]));
        let (port, server) = echo_server();
        let s = Server {
            host: "127.0.0.1".into(),
            port,
            security: "none".into(),
            username: Some(user.into()),
            password: Some(secrecy::SecretString::from(password)),
        };
        let e = send(
            &s,
            user,
            &["dev@example.org".into()],
            b"Subject: x\r\n\r\nbody\r\n",
        )
        .unwrap_err();
        let seen = server.join().unwrap();
        let text = e.to_string();
        assert!(
            seen.iter().any(|l| l.starts_with("AUTH")),
            "the client never authenticated: {seen:?}"
        );
        assert!(text.contains("***"), "{text}");
        for secret in crate::outside::secrets::from_env(&[
            ("RELEASE_KIT_SMTP_USERNAME".into(), user.into()),
            ("RELEASE_KIT_SMTP_PASSWORD".into(), password.into()),
        ]) {
            assert!(!text.contains(&secret), "{secret} in {text}");
        }
    }
}
