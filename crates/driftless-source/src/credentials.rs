//! Credentials for private repositories, never printed.

use std::fmt;
use std::path::PathBuf;

/// How to authenticate to a repository.
///
/// `Debug` shows which kind of credential is set, never its secret:
///
/// ```
/// use driftless_source::Credentials;
/// let c = Credentials::Basic { username: "bob".into(), password: "hunter2".into() };
/// assert_eq!(format!("{c:?}"), "Credentials::Basic { username: \"bob\", password: <redacted> }");
/// let t = Credentials::Token("ghp_abc".into());
/// assert_eq!(format!("{t:?}"), "Credentials::Token(<redacted>)");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// Anonymous access.
    #[default]
    None,
    /// HTTP basic authentication.
    Basic {
        /// User name.
        username: String,
        /// Password or personal access token.
        password: String,
    },
    /// An access token for HTTP, sent as basic authentication with the user
    /// name `x-access-token` (accepted by GitHub, GitLab, Gitea and Bitbucket
    /// for tokens used as passwords).
    Token(String),
    /// An SSH private key file, used through the system `ssh`
    /// (`ssh -i KEY -o IdentitiesOnly=yes`).
    SshKey {
        /// Path of the private key.
        key_file: PathBuf,
        /// A `known_hosts` file; when absent, unknown host keys are accepted on
        /// first use (`StrictHostKeyChecking=accept-new`).
        known_hosts: Option<PathBuf>,
    },
}

/// The user name a [`Credentials::Token`] is sent with.
pub const TOKEN_USERNAME: &str = "x-access-token";

impl Credentials {
    /// The user name and secret to answer an HTTP authentication challenge with.
    pub(crate) fn http_identity(&self) -> Option<(String, String)> {
        match self {
            Credentials::Basic { username, password } => Some((username.clone(), password.clone())),
            Credentials::Token(t) => Some((TOKEN_USERNAME.to_string(), t.clone())),
            _ => None,
        }
    }

    /// The `core.sshCommand` to run for SSH transports: `program` (default
    /// `ssh`) with the key, when one is set.
    pub(crate) fn ssh_command(&self, program: Option<&std::path::Path>) -> Option<String> {
        let program = program
            .map(|p| shell_quote(&p.to_string_lossy()))
            .unwrap_or_else(|| "ssh".to_string());
        match self {
            Credentials::SshKey {
                key_file,
                known_hosts,
            } => {
                let mut cmd = format!(
                    "{program} -i {} -o IdentitiesOnly=yes -o BatchMode=yes",
                    shell_quote(&key_file.to_string_lossy())
                );
                match known_hosts {
                    Some(k) => cmd.push_str(&format!(
                        " -o StrictHostKeyChecking=yes -o UserKnownHostsFile={}",
                        shell_quote(&k.to_string_lossy())
                    )),
                    None => cmd.push_str(" -o StrictHostKeyChecking=accept-new"),
                }
                Some(cmd)
            }
            _ if program != "ssh" => Some(format!("{program} -o BatchMode=yes")),
            _ => None,
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::None => f.write_str("Credentials::None"),
            Credentials::Basic { username, .. } => write!(
                f,
                "Credentials::Basic {{ username: {username:?}, password: <redacted> }}"
            ),
            Credentials::Token(_) => f.write_str("Credentials::Token(<redacted>)"),
            Credentials::SshKey {
                key_file,
                known_hosts,
            } => f
                .debug_struct("Credentials::SshKey")
                .field("key_file", key_file)
                .field("known_hosts", known_hosts)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_command_quotes_key_path() {
        let c = Credentials::SshKey {
            key_file: "/keys/it's".into(),
            known_hosts: None,
        };
        let cmd = c.ssh_command(None).unwrap();
        assert!(
            cmd.starts_with("ssh -i '/keys/it'\\''s' -o IdentitiesOnly=yes"),
            "{cmd}"
        );
        assert!(cmd.contains("StrictHostKeyChecking=accept-new"));
    }

    #[test]
    fn token_is_basic_with_fixed_user() {
        let (u, p) = Credentials::Token("t0k".into()).http_identity().unwrap();
        assert_eq!((u.as_str(), p.as_str()), (TOKEN_USERNAME, "t0k"));
    }
}
