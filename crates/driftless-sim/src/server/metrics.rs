//! `apiserver_request_total`: requests counted by verb, group, version, resource, subresource,
//! scope, dry run and response code, served on `/metrics` in the Prometheus text format with the
//! labels a real kube-apiserver uses — so a benchmark or test counts requests the same way against
//! the simulator and a real cluster.
//!
//! Verbs are the server's, not HTTP methods: `GET` (one object), `LIST` (a collection), `WATCH`,
//! `CREATE`, `UPDATE`, `PATCH`, `APPLY` (a server-side apply patch), `DELETE`, `DELETECOLLECTION`
//! and `CONNECT` (exec, attach, port-forward, proxy). Dry runs are counted under their verb with
//! `dry_run="All"`. Paths that name no resource (discovery, `/version`, `/openapi/v2`) are
//! counted with the path as `subresource`, as the real server does. A watch is counted when it
//! starts (the real server counts it when it ends).
//!
//! ```
//! use driftless_sim::server::metrics::{RequestLabels, parse_request_totals};
//! let text = "# TYPE apiserver_request_total counter\n\
//!     apiserver_request_total{code=\"200\",component=\"apiserver\",dry_run=\"\",group=\"apps\",resource=\"deployments\",scope=\"namespace\",subresource=\"\",verb=\"LIST\",version=\"v1\"} 3\n";
//! let totals = parse_request_totals(text);
//! assert_eq!(totals.len(), 1);
//! let (labels, n) = totals.iter().next().unwrap();
//! assert_eq!((labels.verb.as_str(), labels.resource.as_str(), *n), ("LIST", "deployments", 3));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::Request;
use axum::http::{Method, header};

/// The labels of one `apiserver_request_total` series.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestLabels {
    /// `GET`, `LIST`, `WATCH`, `CREATE`, `UPDATE`, `PATCH`, `APPLY`, `DELETE`,
    /// `DELETECOLLECTION`, `CONNECT`.
    pub verb: String,
    /// API group (`""` for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Resource (plural), empty for non-resource paths.
    pub resource: String,
    /// Subresource (`status`, `scale`, …), or the path of a non-resource request.
    pub subresource: String,
    /// `resource` (one named object), `namespace`, `cluster`, or empty for non-resource paths.
    pub scope: String,
    /// `All` for dry runs, else empty.
    pub dry_run: String,
    /// HTTP response code.
    pub code: u16,
}

/// Request counters of one simulated API server.
#[derive(Debug, Default)]
pub struct RequestMetrics {
    counts: Mutex<BTreeMap<RequestLabels, u64>>,
}

impl RequestMetrics {
    /// Counts one request answered with `code`.
    pub(crate) fn record(&self, mut labels: RequestLabels, code: u16) {
        labels.code = code;
        *self
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(labels)
            .or_default() += 1;
    }

    /// Every series with its count so far.
    pub fn snapshot(&self) -> BTreeMap<RequestLabels, u64> {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Requests so far with `verb` (e.g. `"LIST"`), summed over every other label.
    pub fn count(&self, verb: &str) -> u64 {
        sum(&self.snapshot(), |l| l.verb == verb)
    }

    /// Requests so far with `verb` on `resource` (a plural, e.g. `"configmaps"`).
    pub fn count_of(&self, verb: &str, resource: &str) -> u64 {
        sum(&self.snapshot(), |l| {
            l.verb == verb && l.resource == resource
        })
    }

    /// Requests so far by verb.
    pub fn by_verb(&self) -> BTreeMap<String, u64> {
        by_verb(&self.snapshot())
    }

    /// The Prometheus text exposition of `apiserver_request_total`.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.\n# TYPE apiserver_request_total counter\n",
        );
        for (l, n) in self.snapshot() {
            let _ = writeln!(
                out,
                "apiserver_request_total{{code=\"{}\",component=\"apiserver\",dry_run=\"{}\",group=\"{}\",resource=\"{}\",scope=\"{}\",subresource=\"{}\",verb=\"{}\",version=\"{}\"}} {n}",
                l.code,
                escape(&l.dry_run),
                escape(&l.group),
                escape(&l.resource),
                escape(&l.scope),
                escape(&l.subresource),
                escape(&l.verb),
                escape(&l.version),
            );
        }
        out
    }
}

fn sum(m: &BTreeMap<RequestLabels, u64>, keep: impl Fn(&RequestLabels) -> bool) -> u64 {
    m.iter().filter(|(l, _)| keep(l)).map(|(_, n)| n).sum()
}

/// Totals by verb of a set of series (e.g. the difference of two scrapes).
pub fn by_verb(m: &BTreeMap<RequestLabels, u64>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (l, n) in m {
        *out.entry(l.verb.clone()).or_default() += n;
    }
    out
}

/// The series of `after` that grew since `before`, with how much they grew.
pub fn delta(
    before: &BTreeMap<RequestLabels, u64>,
    after: &BTreeMap<RequestLabels, u64>,
) -> BTreeMap<RequestLabels, u64> {
    after
        .iter()
        .filter_map(|(l, n)| {
            let d = n.saturating_sub(before.get(l).copied().unwrap_or(0));
            (d > 0).then(|| (l.clone(), d))
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Reads the `apiserver_request_total` series of a Prometheus text exposition (from the
/// simulator or a real kube-apiserver's `/metrics`); other metrics are skipped.
pub fn parse_request_totals(text: &str) -> BTreeMap<RequestLabels, u64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("apiserver_request_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let Ok(n) = value.trim().parse::<f64>() else {
            continue;
        };
        let mut l = RequestLabels::default();
        for (k, v) in label_pairs(labels) {
            match k.as_str() {
                "verb" => l.verb = v,
                "group" => l.group = v,
                "version" => l.version = v,
                "resource" => l.resource = v,
                "subresource" => l.subresource = v,
                "scope" => l.scope = v,
                "dry_run" => l.dry_run = v,
                "code" => l.code = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        // A real server splits series by labels we drop (component): add them up.
        *out.entry(l).or_default() += n as u64;
    }
    out
}

/// `k="v",k2="v2"` with Prometheus escapes.
fn label_pairs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        let key: String = chars
            .by_ref()
            .skip_while(|c| *c == ',' || c.is_whitespace())
            .take_while(|c| *c != '=')
            .collect();
        if key.is_empty() || chars.next() != Some('"') {
            return out;
        }
        let mut val = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => val.push('\n'),
                    Some(other) => val.push(other),
                    None => break,
                },
                c => val.push(c),
            }
        }
        out.push((key, val));
    }
}

/// The labels of a request, read before it is handled (the code is set when it is answered).
pub(crate) fn labels_of(req: &Request) -> RequestLabels {
    let path = req.uri().path().trim_end_matches('/');
    let query = req.uri().query().unwrap_or("");
    let param = |k: &str| {
        query.split('&').find_map(|p| {
            let (key, v) = p.split_once('=').unwrap_or((p, ""));
            (key == k).then_some(v)
        })
    };
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] if !rest.is_empty() => ("", *v, rest),
        ["apis", g, v, rest @ ..] if !rest.is_empty() => (*g, *v, rest),
        _ => {
            return RequestLabels {
                verb: req.method().as_str().to_string(),
                subresource: if path.is_empty() { "/" } else { path }.to_string(),
                ..RequestLabels::default()
            };
        }
    };
    let Some(t) = super::request::parse_target(group, version, rest) else {
        return RequestLabels {
            verb: req.method().as_str().to_string(),
            group: group.into(),
            version: version.into(),
            ..RequestLabels::default()
        };
    };
    let watch = t.watch_path || matches!(param("watch"), Some("true" | "1"));
    let apply = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/apply-patch"));
    let sub = t.sub.clone().unwrap_or_default();
    let connect = matches!(sub.as_str(), "exec" | "attach" | "portforward" | "proxy");
    let named = t.name.is_some();
    let verb = match *req.method() {
        _ if connect => "CONNECT",
        Method::GET if watch => "WATCH",
        Method::GET if named => "GET",
        Method::GET => "LIST",
        Method::POST => "CREATE",
        Method::PUT => "UPDATE",
        Method::PATCH if apply => "APPLY",
        Method::PATCH => "PATCH",
        Method::DELETE if named => "DELETE",
        Method::DELETE => "DELETECOLLECTION",
        ref m => m.as_str(),
    };
    let scope = if named {
        "resource"
    } else if t.namespace.is_some() {
        "namespace"
    } else {
        "cluster"
    };
    RequestLabels {
        verb: verb.to_string(),
        group: t.group,
        version: t.version,
        resource: t.resource,
        subresource: sub,
        scope: scope.to_string(),
        dry_run: param("dryRun").unwrap_or("").to_string(),
        code: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn req(method: &str, uri: &str, content_type: Option<&str>) -> RequestLabels {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        labels_of(&b.body(Body::empty()).expect("request"))
    }

    fn verb(method: &str, uri: &str, content_type: Option<&str>) -> String {
        req(method, uri, content_type).verb
    }

    #[test]
    fn verbs_are_the_servers() {
        let cm = "/api/v1/namespaces/a/configmaps";
        assert_eq!(verb("GET", cm, None), "LIST");
        assert_eq!(verb("GET", &format!("{cm}/x"), None), "GET");
        assert_eq!(verb("GET", &format!("{cm}?watch=true"), None), "WATCH");
        assert_eq!(
            verb("GET", "/api/v1/watch/namespaces/a/configmaps", None),
            "WATCH"
        );
        assert_eq!(verb("POST", cm, None), "CREATE");
        assert_eq!(verb("PUT", &format!("{cm}/x"), None), "UPDATE");
        assert_eq!(
            verb(
                "PATCH",
                &format!("{cm}/x"),
                Some("application/merge-patch+json")
            ),
            "PATCH"
        );
        assert_eq!(
            verb(
                "PATCH",
                &format!("{cm}/x"),
                Some("application/apply-patch+yaml")
            ),
            "APPLY"
        );
        assert_eq!(verb("DELETE", &format!("{cm}/x"), None), "DELETE");
        assert_eq!(verb("DELETE", cm, None), "DELETECOLLECTION");
        assert_eq!(
            verb("POST", "/api/v1/namespaces/a/pods/p/exec?command=ls", None),
            "CONNECT"
        );
    }

    #[test]
    fn labels_name_the_resource_scope_and_dry_run() {
        let l = req(
            "PATCH",
            "/apis/apps/v1/namespaces/shop/deployments/web/scale?dryRun=All&fieldManager=x",
            Some("application/apply-patch+yaml"),
        );
        assert_eq!(
            l,
            RequestLabels {
                verb: "APPLY".into(),
                group: "apps".into(),
                version: "v1".into(),
                resource: "deployments".into(),
                subresource: "scale".into(),
                scope: "resource".into(),
                dry_run: "All".into(),
                code: 0,
            }
        );
        assert_eq!(req("GET", "/api/v1/nodes", None).scope, "cluster");
        let d = req("GET", "/apis/apps/v1", None);
        assert_eq!(
            (d.verb.as_str(), d.subresource.as_str()),
            ("GET", "/apis/apps/v1")
        );
    }

    #[test]
    fn the_exposition_parses_back() {
        let m = RequestMetrics::default();
        let l = req("GET", "/api/v1/namespaces/a/configmaps", None);
        m.record(l.clone(), 200);
        m.record(l.clone(), 200);
        m.record(
            req(
                "PATCH",
                "/api/v1/namespaces/a/configmaps/x?dryRun=All",
                Some("application/apply-patch+yaml"),
            ),
            201,
        );
        m.record(req("GET", "/openapi/v2", None), 404);
        let text = m.render();
        assert!(
            text.contains("# TYPE apiserver_request_total counter"),
            "{text}"
        );
        assert_eq!(parse_request_totals(&text), m.snapshot());
        assert_eq!(m.count("LIST"), 2);
        assert_eq!(m.count_of("APPLY", "configmaps"), 1);
        let verbs = m.by_verb();
        assert_eq!(verbs.get("GET"), Some(&1));
        let before = m.snapshot();
        m.record(l, 200);
        let d = delta(&before, &m.snapshot());
        assert_eq!(by_verb(&d), BTreeMap::from([("LIST".to_string(), 1)]));
    }
}
