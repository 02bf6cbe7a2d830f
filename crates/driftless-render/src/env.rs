//! Argo CD's build environment: the `ARGOCD_APP_*` variables substituted into
//! source options (`$VAR`, `${VAR}`, `$$` for a dollar) and given to plugins.

/// What Argo CD tells a build about its application. Empty fields are still
/// defined (as empty strings), as in Argo CD.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildEnv {
    /// `ARGOCD_APP_NAME`.
    pub app_name: String,
    /// `ARGOCD_APP_NAMESPACE`.
    pub app_namespace: String,
    /// `ARGOCD_APP_PROJECT_NAME`.
    pub project_name: String,
    /// `ARGOCD_APP_REVISION` (the resolved commit); the short forms are derived.
    pub revision: String,
    /// `ARGOCD_APP_SOURCE_REPO_URL`.
    pub repo_url: String,
    /// `ARGOCD_APP_SOURCE_TARGET_REVISION` (as written in the Application).
    pub target_revision: String,
    /// `KUBE_VERSION` (e.g. `1.35`).
    pub kube_version: String,
    /// `KUBE_API_VERSIONS`, joined with commas.
    pub api_versions: Vec<String>,
}

impl BuildEnv {
    /// The variables, for a source at repository path `source_path`.
    pub fn vars(&self, source_path: &str) -> Vec<(String, String)> {
        let short = |n: usize| self.revision.chars().take(n).collect::<String>();
        let path = if source_path.is_empty() {
            "."
        } else {
            source_path
        };
        [
            ("ARGOCD_APP_NAME", self.app_name.clone()),
            ("ARGOCD_APP_NAMESPACE", self.app_namespace.clone()),
            ("ARGOCD_APP_PROJECT_NAME", self.project_name.clone()),
            ("ARGOCD_APP_REVISION", self.revision.clone()),
            ("ARGOCD_APP_REVISION_SHORT", short(7)),
            ("ARGOCD_APP_REVISION_SHORT_8", short(8)),
            ("ARGOCD_APP_SOURCE_REPO_URL", self.repo_url.clone()),
            ("ARGOCD_APP_SOURCE_PATH", path.to_string()),
            (
                "ARGOCD_APP_SOURCE_TARGET_REVISION",
                self.target_revision.clone(),
            ),
            ("KUBE_VERSION", self.kube_version.clone()),
            ("KUBE_API_VERSIONS", self.api_versions.join(",")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// Substitutes `$NAME` and `${NAME}` from `vars` as Go's `os.Expand` does
/// (Argo CD's `Envsubst`): unknown names become empty, `$$` is a dollar.
///
/// ```
/// let vars = vec![("A".to_string(), "x".to_string())];
/// assert_eq!(driftless_render::envsubst("$A-${A}-$B-$$-$.-${", &vars), "x-x--$-$.-");
/// ```
pub fn envsubst(s: &str, vars: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        if name == "$" {
            return "$".to_string();
        }
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'$' || i + 1 >= bytes.len() {
            i += 1;
            continue;
        }
        out.push_str(&s[copied..i]);
        let (name, used) = shell_name(&s[i + 1..]);
        match (name.is_empty(), used) {
            (true, 0) => out.push('$'), // no name: the dollar stays
            (true, _) => {}             // bad syntax (`${}`, `${`): eaten
            (false, _) => out.push_str(&lookup(name)),
        }
        i += 1 + used;
        copied = i;
    }
    out.push_str(&s[copied.min(s.len())..]);
    out
}

/// The name after a `$` and how many bytes it used, as Go's `getShellName`.
fn shell_name(s: &str) -> (&str, usize) {
    let b = s.as_bytes();
    if b[0] == b'{' {
        if b.len() > 2 && is_special(b[1]) && b[2] == b'}' {
            return (&s[1..2], 3);
        }
        return match s[1..].find('}') {
            Some(0) => ("", 2),
            Some(end) => (&s[1..1 + end], end + 2),
            None => ("", 1),
        };
    }
    if is_special(b[0]) {
        return (&s[..1], 1);
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    (&s[..n], n)
}

fn is_special(c: u8) -> bool {
    matches!(c, b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-') || c.is_ascii_digit()
}
