//! `git http-backend` behind a minimal HTTP/1.1 server on loopback (optional basic auth): the
//! tests' own Git server. One copy, shared: the end-to-end harness exports it, and
//! `driftless-source`'s tests include this file with `#[path]`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request seen by the HTTP server.
#[derive(Debug, Clone)]
pub struct Seen {
    /// HTTP method.
    pub method: String,
    /// Request path (without the query).
    pub path: String,
    /// Status code answered.
    pub status: u16,
    /// The request body.
    pub request_body: Vec<u8>,
    /// Bytes of the response body.
    pub response_bytes: usize,
}

/// `git http-backend` behind a minimal HTTP/1.1 server on 127.0.0.1.
pub struct HttpGit {
    /// The loopback port it listens on.
    pub port: u16,
    /// Every request served, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

fn http_backend() -> PathBuf {
    let exec = Command::new("git").arg("--exec-path").output().unwrap();
    PathBuf::from(String::from_utf8_lossy(&exec.stdout).trim()).join("git-http-backend")
}

impl HttpGit {
    /// Serves every repository under `root`; with `auth`, requests must carry
    /// basic auth with that `(user, password)`.
    pub fn start(root: &Path, auth: Option<(&str, &str)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let root = root.to_path_buf();
        let expected = auth.map(|(u, p)| {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        });
        let seen2 = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (root, expected, seen) = (root.clone(), expected.clone(), seen2.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, expected.as_deref(), &seen);
                });
            }
        });
        HttpGit { port, seen }
    }

    /// The URL of repository `repo` (a directory under the served root).
    pub fn url(&self, repo: &str) -> String {
        format!("http://127.0.0.1:{}/{repo}", self.port)
    }

    /// Number of `fetch` commands (pack requests) served so far.
    pub fn pack_requests(&self) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| {
                s.method == "POST"
                    && s.path.ends_with("git-upload-pack")
                    && (contains(&s.request_body, b"command=fetch")
                        || contains(&s.request_body, b"want "))
            })
            .count()
    }

    /// Number of requests served so far.
    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn serve(
    stream: TcpStream,
    root: &Path,
    expected_auth: Option<&str>,
    seen: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end().to_string();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(len) = header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut record = Seen {
        method: method.clone(),
        path: path.to_string(),
        status: 200,
        request_body: body.clone(),
        response_bytes: 0,
    };
    if let Some(expected) = expected_auth
        && header("authorization").as_deref() != Some(expected)
    {
        record.status = 401;
        seen.lock().unwrap().push(record);
        out.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    let mut cmd = Command::new(http_backend());
    cmd.env_clear()
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(ct) = header("content-type") {
        cmd.env("CONTENT_TYPE", ct);
    }
    if let Some(p) = header("git-protocol") {
        cmd.env("HTTP_GIT_PROTOCOL", p);
    }
    if let Some(enc) = header("content-encoding") {
        cmd.env("HTTP_CONTENT_ENCODING", enc);
    }
    if expected_auth.is_some() {
        cmd.env("REMOTE_USER", "test");
    }
    let mut child = cmd.spawn()?;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let mut cgi = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut cgi)?;
    let _ = writer.join();
    child.wait()?;
    let split = cgi
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, 4))
        .or_else(|| cgi.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2)));
    let (head, rest) = match split {
        Some((p, n)) => (
            String::from_utf8_lossy(&cgi[..p]).to_string(),
            &cgi[p + n..],
        ),
        None => (String::new(), &cgi[..]),
    };
    let mut status = "200 OK".to_string();
    let mut resp = String::new();
    for h in head.lines() {
        if let Some(s) = h.strip_prefix("Status:") {
            status = s.trim().to_string();
        } else if !h.is_empty() {
            resp.push_str(h);
            resp.push_str("\r\n");
        }
    }
    record.status = status[..3].parse().unwrap_or(500);
    record.response_bytes = rest.len();
    // Recorded before the answer goes out: a client that counts requests right after its own
    // returns must see this one.
    seen.lock().unwrap().push(record);
    out.write_all(
        format!(
            "HTTP/1.1 {status}\r\n{resp}Content-Length: {}\r\nConnection: close\r\n\r\n",
            rest.len()
        )
        .as_bytes(),
    )?;
    out.write_all(rest)?;
    out.flush()?;
    Ok(())
}
