//! The kubeconfig that points clients at a simulated cluster.

use base64::Engine;

/// Builds a kubeconfig YAML for `server` (URL), with the CA (PEM, for HTTPS) and a bearer token.
///
/// ```
/// let k = driftless_sim::server::kubeconfig::build("http://127.0.0.1:1234", None, "tok");
/// assert!(k.contains("server: http://127.0.0.1:1234"));
/// assert!(k.contains("token: tok"));
/// ```
pub fn build(server: &str, ca_pem: Option<&str>, token: &str) -> String {
    let ca_line = match ca_pem {
        Some(pem) => format!(
            "    certificate-authority-data: {}\n",
            base64::engine::general_purpose::STANDARD.encode(pem)
        ),
        None => String::new(),
    };
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: driftless-sim\n  cluster:\n    server: {server}\n{ca_line}contexts:\n- name: driftless-sim\n  context:\n    cluster: driftless-sim\n    user: driftless-sim\n    namespace: default\ncurrent-context: driftless-sim\npreferences: {{}}\nusers:\n- name: driftless-sim\n  user:\n    token: {token}\n"
    )
}
