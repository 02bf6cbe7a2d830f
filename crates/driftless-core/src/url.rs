//! URLs shown to people or passed to builds: credentials removed.

/// `scheme://user:secret@host/x` → `scheme://host/x`: the userinfo of a URL with a scheme is
/// dropped (only an `@` before the first `/` after the scheme counts). A string without
/// `://` (a path, an scp-like `git@host:repo`) is returned as is.
///
/// ```
/// use driftless_core::url::without_userinfo;
/// assert_eq!(without_userinfo("https://u:secret@h.example/x@y"), "https://h.example/x@y");
/// assert_eq!(without_userinfo("oci://registry.example/charts"), "oci://registry.example/charts");
/// assert_eq!(without_userinfo("git@github.com:org/repo.git"), "git@github.com:org/repo.git");
/// ```
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}
