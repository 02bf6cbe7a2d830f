//! Sprig's `urlParse` / `urlJoin` with Go's `net/url` rules (parsing,
//! unescaping, escaping and `URL.String`).

use driftless_gotmpl::{ArgType::Map as M, ArgType::String as S, FuncError, FuncMap, Value, quote};

use super::add;
use super::conv::arg_str;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    if mode == Mode::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    if matches!(
        c,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@'
    ) {
        return match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host => true,
        };
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |x: Option<&u8>| x.and_then(|c| char::from(*c).to_digit(16));
                match (hex(b.get(i + 1)), hex(b.get(i + 2))) {
                    (Some(h), Some(l)) => {
                        if mode == Mode::Host && h < 8 && &s[i..i + 3] != "%25" {
                            return Err(format!("invalid URL escape {}", quote(&s[i..i + 3])));
                        }
                        out.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => {
                        let end = (i + 3).min(b.len());
                        let bad = String::from_utf8_lossy(&b[i..end]).into_owned();
                        return Err(format!("invalid URL escape {}", quote(&bad)));
                    }
                }
            }
            c => {
                if mode == Mode::Host && c < 0x80 && should_escape(c, Mode::Host) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote(&char::from(c).to_string())
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A parsed URL (the fields Sprig exposes).
#[derive(Debug, Default, PartialEq)]
pub struct Url {
    /// Lower-cased scheme.
    pub scheme: String,
    /// Opaque part (`mailto:x` → `x`).
    pub opaque: String,
    /// `user` or `user:password`, escaped as Go prints it; `None` if absent.
    pub user: Option<(String, Option<String>)>,
    /// Host with port.
    pub host: String,
    /// Unescaped path.
    pub path: String,
    /// Raw query.
    pub query: String,
    /// Whether a lone `?` was given.
    pub force_query: bool,
    /// Unescaped fragment.
    pub fragment: String,
}

impl Url {
    /// Go's `Userinfo.String`.
    fn user_string(&self) -> String {
        match &self.user {
            None => String::new(),
            Some((u, p)) => {
                let mut s = escape(u, Mode::UserPassword);
                if let Some(p) = p {
                    s.push(':');
                    s.push_str(&escape(p, Mode::UserPassword));
                }
                s
            }
        }
    }

    /// Go's `URL.Hostname`.
    fn hostname(&self) -> String {
        let h = &self.host;
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or_default().to_string();
        }
        match h.rfind(':') {
            Some(i) => h[..i].to_string(),
            None => h.clone(),
        }
    }

    /// Go's `URL.String`.
    pub fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if self.user.is_some() {
                    buf.push_str(&self.user_string());
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = escape(&self.path, Mode::Path);
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().unwrap_or_default().contains(':') {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.query.is_empty() {
            buf.push('?');
            buf.push_str(&self.query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        buf
    }
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(end) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let port = &host[end + 1..];
        if !port.is_empty() && !valid_port(port) {
            return Err(format!("invalid port {} after host", quote(port)));
        }
        return unescape(host, Mode::Host);
    }
    if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(port) {
            return Err(format!("invalid port {} after host", quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_port(p: &str) -> bool {
    p.strip_prefix(':')
        .is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit()))
}

/// Go's `url.Parse`; errors are the text after `parse "RAW": `.
pub fn parse(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|c| c < 0x20 || c == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    let mut u = Url::default();
    if rest.is_empty() {
        if let Some(f) = frag {
            u.fragment = unescape(f, Mode::Fragment)?;
        }
        return Ok(u);
    }
    // Scheme.
    let mut rest = rest;
    for (i, c) in rest.bytes().enumerate() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.') {
            if i == 0 {
                break;
            }
            continue;
        }
        if c == b':' {
            if i == 0 {
                return Err("missing protocol scheme".into());
            }
            u.scheme = rest[..i].to_ascii_lowercase();
            rest = &rest[i + 1..];
        }
        break;
    }
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        u.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        u.query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            if let Some(f) = frag {
                u.fragment = unescape(f, Mode::Fragment)?;
            }
            return Ok(u);
        }
        if rest.split('/').next().unwrap_or_default().contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, r) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        match authority.rfind('@') {
            Some(i) => {
                u.host = parse_host(&authority[i + 1..])?;
                let info = &authority[..i];
                u.user = Some(match info.split_once(':') {
                    Some((n, p)) => (
                        unescape(n, Mode::UserPassword)?,
                        Some(unescape(p, Mode::UserPassword)?),
                    ),
                    None => (unescape(info, Mode::UserPassword)?, None),
                });
            }
            None => u.host = parse_host(authority)?,
        }
        rest = r;
    }
    u.path = unescape(rest, Mode::Path)?;
    if let Some(f) = frag {
        u.fragment = unescape(f, Mode::Fragment)?;
    }
    Ok(u)
}

pub(super) fn register(m: &mut FuncMap) {
    add(m, "urlParse", &[S], |a| {
        let raw = arg_str(&a[0]);
        let u = parse(&raw).map_err(|e| {
            FuncError::msg(format!("unable to parse url: parse {}: {e}", quote(&raw)))
        })?;
        let d = driftless_gotmpl::Map::new();
        d.insert("scheme", Value::from(u.scheme.as_str()));
        d.insert("host", Value::from(u.host.as_str()));
        d.insert("hostname", Value::from(u.hostname()));
        d.insert("path", Value::from(u.path.as_str()));
        d.insert("query", Value::from(u.query.as_str()));
        d.insert("opaque", Value::from(u.opaque.as_str()));
        d.insert("fragment", Value::from(u.fragment.as_str()));
        d.insert("userinfo", Value::from(u.user_string()));
        Ok(Value::Map(d))
    });
    add(m, "urlJoin", &[M], |a| {
        let get = |k: &str| -> Result<String, FuncError> {
            match a[0].as_map().and_then(|m| m.get(k)) {
                None | Some(Value::Nil) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.to_string()),
                Some(other) => Err(FuncError::msg(format!(
                    "unable to parse {k} key, must be of type string, but {} found",
                    other.type_name()
                ))),
            }
        };
        let mut u = Url {
            scheme: get("scheme")?,
            host: get("host")?,
            path: get("path")?,
            query: get("query")?,
            opaque: get("opaque")?,
            fragment: get("fragment")?,
            ..Url::default()
        };
        let info = get("userinfo")?;
        if !info.is_empty() {
            let tmp = format!("proto://{info}@host");
            let p = parse(&tmp).map_err(|e| {
                FuncError::msg(format!(
                    "unable to parse userinfo in dict: parse {}: {e}",
                    quote(&tmp)
                ))
            })?;
            u.user = p.user;
        }
        Ok(Value::from(u.to_go_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, check_err};

    #[test]
    fn urls_as_sprig() {
        // Outputs recorded from helm v4.1.4.
        check(&[
            (
                r#"{{ urlParse "https://user:p%40ss@Example.com:8443/a%20b/c?x=1&y=2#frag%21" | toJson }}"#,
                r#"{"fragment":"frag!","host":"Example.com:8443","hostname":"Example.com","opaque":"","path":"/a b/c","query":"x=1\u0026y=2","scheme":"https","userinfo":"user:p%40ss"}"#,
            ),
            (
                r#"{{ urlParse "mailto:joe@example.com" | toJson }}"#,
                r#"{"fragment":"","host":"","hostname":"","opaque":"joe@example.com","path":"","query":"","scheme":"mailto","userinfo":""}"#,
            ),
            (
                r#"{{ urlParse "/just/path?q" | toJson }}"#,
                r#"{"fragment":"","host":"","hostname":"","opaque":"","path":"/just/path","query":"q","scheme":"","userinfo":""}"#,
            ),
            (
                r#"{{ urlParse "HTTP://[::1]:80/x" | toJson }}"#,
                r#"{"fragment":"","host":"[::1]:80","hostname":"::1","opaque":"","path":"/x","query":"","scheme":"http","userinfo":""}"#,
            ),
            (
                r#"{{ urlJoin (dict "scheme" "https" "host" "example.com" "path" "/a b!" "query" "x=1" "fragment" "f g!" "userinfo" "u:p@q") }}"#,
                "https://u:p%40q@example.com/a%20b%21?x=1#f%20g!",
            ),
            (r#"{{ urlJoin (dict "path" "a:b") }}"#, "./a:b"),
            (
                r#"{{ urlJoin (dict "scheme" "mailto" "opaque" "x@y") }}"#,
                "mailto:x@y",
            ),
            (r#"{{ urlJoin (dict "host" "h" "path" "p") }}"#, "//h/p"),
        ]);
        check_err(&[
            (
                r#"{{ urlParse "http://host:port/" }}"#,
                r#"error calling urlParse: unable to parse url: parse "http://host:port/": invalid port ":port" after host"#,
            ),
            (
                r#"{{ urlParse "%zz" }}"#,
                r#"unable to parse url: parse "%zz": invalid URL escape "%zz""#,
            ),
            (
                r#"{{ urlParse ":x" }}"#,
                r#"parse ":x": missing protocol scheme"#,
            ),
            (
                r#"{{ urlParse "http://a b.com/" }}"#,
                r#"invalid character " " in host name"#,
            ),
            (
                r#"{{ urlJoin (dict "scheme" 1) }}"#,
                "error calling urlJoin: unable to parse scheme key, must be of type string, but int found",
            ),
        ]);
    }
}
