//! Real servers for chart tests, started by the tests on free loopback ports: a static HTTP
//! server for a chart repository (counting requests, optional basic auth) and Debian's
//! `docker-registry` (the CNCF distribution registry) for OCI; `openssl s_server -WWW` for a
//! repository over HTTPS (self-signed, optionally asking for a client certificate); and the
//! reference `helm` to
//! create, package, index and push charts and to render the oracle's `helm template`.
//! (Also used by `driftless-runtime`'s chart tests through `#[path]`.)

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace() -> PathBuf {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !p.join("Cargo.lock").exists() {
        assert!(p.pop(), "workspace root not found");
    }
    p
}

/// The reference helm (`bash scripts/setup-test-tools.sh` installs it).
pub fn helm() -> PathBuf {
    let h = workspace().join(".tools/helm");
    assert!(
        h.exists(),
        "{} is missing: run `bash scripts/setup-test-tools.sh`",
        h.display()
    );
    h
}

/// Runs the reference helm with `args` in `dir`; panics with its output when it fails.
pub fn run_helm(dir: &Path, args: &[&str]) -> String {
    let home = dir.join(".helm-home");
    let out = Command::new(helm())
        .args(args)
        .current_dir(dir)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .expect("helm runs");
    assert!(
        out.status.success(),
        "helm {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A bcrypt `htpasswd` line for a registry's basic auth, made by the reference helm's
/// `htpasswd` template function.
pub fn htpasswd(user: &str, password: &str) -> String {
    let tmp = tempfile::tempdir().expect("tempdir");
    let chart = tmp.path().join("h");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: h\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: h}}\ndata: {{line: {{{{ htpasswd {user:?} {password:?} | quote }}}}}}\n"
        ),
    )
    .unwrap();
    let out = run_helm(tmp.path(), &["template", chart.to_str().unwrap()]);
    objects_of_yaml(&out)[0]["data"]["line"]
        .as_str()
        .expect("an htpasswd line")
        .to_string()
}

/// A chart `name` at `version` in `dir/name`, made by `helm create` (a Deployment, a Service,
/// a ServiceAccount, a test hook…), with a `values-prod.yaml` and a marker value `flavour`
/// that a ConfigMap shows (so two packages of one version can differ).
pub fn make_chart(dir: &Path, name: &str, version: &str, flavour: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let chart = dir.join(name);
    if chart.exists() {
        std::fs::remove_dir_all(&chart).unwrap();
    }
    run_helm(dir, &["create", name]);
    let cy = chart.join("Chart.yaml");
    let text = std::fs::read_to_string(&cy).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("version:") {
                format!("version: {version}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&cy, text + "\n").unwrap();
    std::fs::write(
        chart.join("values-prod.yaml"),
        "replicaCount: 2\nflavour: prod\n",
    )
    .unwrap();
    let values = chart.join("values.yaml");
    let mut v = std::fs::read_to_string(&values).unwrap();
    v.push_str(&format!("flavour: {flavour}\n"));
    std::fs::write(&values, v).unwrap();
    std::fs::write(
        chart.join("templates/flavour.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"".to_string()
            + name
            + ".fullname\" . }}-flavour\ndata:\n  flavour: {{ .Values.flavour | quote }}\n  chart: {{ .Chart.Version | quote }}\n",
    )
    .unwrap();
    chart
}

/// `helm package chart -d out`; returns the archive.
pub fn package(chart: &Path, out: &Path) -> PathBuf {
    std::fs::create_dir_all(out).unwrap();
    let text = run_helm(
        chart.parent().unwrap(),
        &[
            "package",
            chart.to_str().unwrap(),
            "-d",
            out.to_str().unwrap(),
        ],
    );
    let path = text.trim().rsplit(": ").next().unwrap().trim().to_string();
    PathBuf::from(path)
}

/// `helm repo index dir` (with `--url` when given).
pub fn index(dir: &Path, url: Option<&str>) {
    let mut args = vec!["repo", "index", dir.to_str().unwrap()];
    if let Some(u) = url {
        args.extend(["--url", u]);
    }
    run_helm(dir, &args);
}

/// The objects of `helm template` output, sorted by kind and name.
pub fn objects_of_yaml(text: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let v: serde_json::Value =
            serde::Deserialize::deserialize(doc).expect("helm output parses");
        if v.is_object() {
            out.push(v);
        }
    }
    sort_objects(out)
}

/// Objects sorted by kind and name.
pub fn sort_objects(mut v: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    let key = |o: &serde_json::Value| {
        format!(
            "{}/{}",
            o["kind"].as_str().unwrap_or(""),
            o["metadata"]["name"].as_str().unwrap_or("")
        )
    };
    v.sort_by_key(key);
    v
}

/// A static HTTP server of a directory: `GET /path` serves `root/path`. Every request line is
/// recorded (`GET+auth /path` when it carried an `Authorization` header); with `basic` set,
/// requests without those credentials get `401`.
pub struct StaticServer {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl StaticServer {
    pub fn start(root: &Path, basic: Option<(&str, &str)>) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, reqs, stop2) = (root.to_path_buf(), requests.clone(), stop.clone());
        let expected = basic.map(|(u, p)| {
            use base64::Engine as _;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        });
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(c) = conn {
                    let _ = serve(c, &root, &reqs, expected.as_deref());
                }
            }
        });
        StaticServer {
            port,
            requests,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many requests asked for a path ending with `suffix`.
    pub fn count(&self, suffix: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.ends_with(suffix))
            .count()
    }

    /// How many requests with an `Authorization` header asked for a path ending with `suffix`.
    pub fn count_authorized(&self, suffix: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.starts_with("GET+auth ") && r.ends_with(suffix))
            .count()
    }

    pub fn total(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(
    c: TcpStream,
    root: &Path,
    reqs: &Mutex<Vec<String>>,
    expected: Option<&str>,
) -> std::io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut r = BufReader::new(c.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut auth = None;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            auth = Some(v.trim().to_string());
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    // Requests that carried credentials are recorded as `GET+auth /path`.
    let verb = if auth.is_some() { "GET+auth" } else { "GET" };
    reqs.lock().unwrap().push(format!("{verb} {path}"));
    let mut c = c;
    if let Some(want) = expected
        && auth.as_deref() != Some(want)
    {
        return c.write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"charts\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    let rel = path.split('?').next().unwrap_or("").trim_start_matches('/');
    let file = root.join(rel);
    match (rel.contains(".."), std::fs::read(&file)) {
        (false, Ok(body)) => {
            c.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )?;
            c.write_all(&body)
        }
        _ => {
            c.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
    }
}

/// Debian's `docker-registry` on a free loopback port, storage in a temporary directory, its
/// access log kept to count requests. Stopped (killed) when dropped.
pub struct Registry {
    pub port: u16,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

impl Registry {
    pub fn start() -> Registry {
        Registry::start_with_auth("")
    }

    /// A registry that asks for basic auth (`htpasswd`: one `user:bcrypt` line per user).
    pub fn start_with_htpasswd(htpasswd: &str) -> Registry {
        Registry::start_with_auth(htpasswd)
    }

    fn start_with_auth(htpasswd: &str) -> Registry {
        assert!(
            Path::new(REGISTRY_BIN).exists(),
            "{REGISTRY_BIN} is missing: run `bash scripts/setup-test-tools.sh` (Debian package docker-registry)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("config.yml");
        let mut text = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if !htpasswd.is_empty() {
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, format!("{}\n", htpasswd.trim())).unwrap();
            text.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n",
                file.display()
            ));
        }
        std::fs::write(&config, text).unwrap();
        let log = dir.path().join("registry.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("docker-registry starts");
        let reg = Registry {
            port,
            child,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let ready = |s: Option<u16>| matches!(s, Some(200) | Some(401));
        while !ready(http_status(port, "/v2/")) {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not answer on port {port}: {}",
                std::fs::read_to_string(&reg.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    /// `oci://127.0.0.1:PORT/charts`.
    pub fn charts_url(&self) -> String {
        format!("oci://127.0.0.1:{}/charts", self.port)
    }

    /// `helm push archive oci://…/charts --plain-http`.
    pub fn push(&self, archive: &Path) {
        self.push_as(archive, &[]);
    }

    /// `helm push` with extra arguments (`--username`, `--password`).
    pub fn push_as(&self, archive: &Path, extra: &[&str]) {
        let url = self.charts_url();
        let mut args = vec!["push", archive.to_str().unwrap(), &url, "--plain-http"];
        args.extend_from_slice(extra);
        run_helm(archive.parent().unwrap(), &args);
    }

    /// How many blob downloads (`GET /v2/…/blobs/…`) the registry served.
    pub fn blob_gets(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"GET /v2/") && l.contains("/blobs/"))
            .count()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of `GET path` on a loopback port (None: no answer).
fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut c = TcpStream::connect(("127.0.0.1", port)).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    c.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .ok()?;
    let mut buf = [0u8; 64];
    let n = c.read(&mut buf).ok()?;
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split_whitespace().nth(1)?.parse().ok()
}

/// The sha256 of a file (hex).
pub fn sha256_file(p: &Path) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(std::fs::read(p).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A registry front that asks for a bearer token, as registries with a token service do:
/// `/v2/…` without `Authorization: Bearer <token>` gets `401` with a `Bearer` challenge whose
/// realm is this server's `/token`, which hands out the token for the right basic credentials;
/// with the token, requests are forwarded to the real registry behind it.
pub struct TokenFront {
    pub port: u16,
    pub token_requests: Arc<Mutex<usize>>,
}

impl TokenFront {
    pub fn start(registry_port: u16, user: &str, password: &str) -> TokenFront {
        use base64::Engine as _;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let token_requests = Arc::new(Mutex::new(0));
        let counter = token_requests.clone();
        std::thread::spawn(move || {
            for c in listener.incoming().flatten() {
                let _ = front(c, port, registry_port, &basic, &counter);
            }
        });
        TokenFront {
            port,
            token_requests,
        }
    }
}

const TOKEN: &str = "tok-123";

fn front(
    mut c: TcpStream,
    port: u16,
    registry_port: u16,
    basic: &str,
    counter: &Mutex<usize>,
) -> std::io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut r = BufReader::new(c.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let (mut auth, mut accept) = (String::new(), String::new());
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                auth = v.trim().to_string();
            } else if k.eq_ignore_ascii_case("accept") {
                accept = v.trim().to_string();
            }
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    if path.starts_with("/token") {
        *counter.lock().unwrap() += 1;
        let ok = auth == basic && path.contains("scope=repository%3Acharts%2Fweb%3Apull");
        let (status, body) = if ok {
            ("200 OK", format!("{{\"token\":\"{TOKEN}\"}}"))
        } else {
            ("401 Unauthorized", String::new())
        };
        return c.write_all(
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
    }
    if auth != format!("Bearer {TOKEN}") {
        return c.write_all(format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"front\",scope=\"repository:charts/web:pull\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ).as_bytes());
    }
    let mut up = TcpStream::connect(("127.0.0.1", registry_port))?;
    up.write_all(
        format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{registry_port}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    c.write_all(&resp)
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA, a self-signed server certificate for 127.0.0.1 and a client certificate of
/// the CA, in `dir`.
pub fn certificates(dir: &Path) {
    let days = ["-days", "1", "-nodes", "-newkey", "rsa:2048"];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &days,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=test-ca",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &days,
            &[
                "-keyout",
                "srv.key",
                "-out",
                "srv.pem",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"][..],
            &days,
            &[
                "-keyout",
                "cli.key",
                "-out",
                "cli.csr",
                "-subj",
                "/CN=client",
            ],
        ]
        .concat(),
    );
    // Extensions make it an X.509 v3 certificate (rustls accepts no other).
    std::fs::write(dir.join("cli.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "cli.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-extfile",
            "cli.ext",
            "-out",
            "cli.pem",
            "-days",
            "1",
        ],
    );
}

/// `openssl s_server -WWW` serving `root`; killed when dropped.
pub struct HttpsServer {
    pub port: u16,
    child: Child,
}

impl HttpsServer {
    pub fn start(root: &Path, certs: &Path, client_ca: bool) -> HttpsServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new("openssl");
        cmd.current_dir(root)
            .args([
                "s_server",
                "-WWW",
                "-quiet",
                "-accept",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("-cert")
            .arg(certs.join("srv.pem"))
            .arg("-key")
            .arg(certs.join("srv.key"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if client_ca {
            cmd.args(["-Verify", "1", "-verify_return_error", "-CAfile"])
                .arg(certs.join("ca.pem"));
        }
        let child = cmd.spawn().expect("openssl s_server starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s_server did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        HttpsServer { port, child }
    }

    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
