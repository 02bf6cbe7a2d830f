//! Masterminds/semver v3 versions and constraints (`semver`,
//! `semverCompare`): `>=1.19-0`, `~1.2`, `^0.3`, `1.2.x`, `1 - 2`, `||`.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use driftless_gotmpl::{ArgType::String as S, FuncError, FuncMap, Value};

use super::add;
use super::conv::arg_str;

/// A parsed semantic version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
    /// Pre-release (after `-`).
    pub pre: String,
    /// Build metadata (after `+`).
    pub meta: String,
}

const INVALID: &str = "invalid semantic version";

impl Version {
    /// Masterminds' lenient `NewVersion` (`v` prefix, missing parts as 0).
    pub fn parse(s: &str) -> Result<Version, String> {
        Self::parse_parts(s).map(|(v, _)| v)
    }

    /// Parses and also returns how many numeric parts were given and which
    /// were wildcards (`x`, `X`, `*`): (version, given parts, first wildcard index).
    fn parse_parts(s: &str) -> Result<(Version, usize), String> {
        let t = s.trim().strip_prefix('v').unwrap_or(s.trim());
        let (rest, meta) = t.split_once('+').map_or((t, ""), |(a, b)| (a, b));
        let (nums, pre) = rest.split_once('-').map_or((rest, ""), |(a, b)| (a, b));
        let parts: Vec<&str> = nums.split('.').collect();
        if nums.is_empty() || parts.len() > 3 {
            return Err(INVALID.into());
        }
        let mut n = [0u64; 3];
        let mut given = 0;
        for (i, p) in parts.iter().enumerate() {
            if matches!(*p, "x" | "X" | "*") {
                break;
            }
            if p.is_empty()
                || !p.chars().all(|c| c.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return Err(INVALID.into());
            }
            n[i] = p.parse().map_err(|_| INVALID.to_string())?;
            given = i + 1;
        }
        let ok_ident = |x: &str| {
            x.split('.').all(|id| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
        };
        if (!pre.is_empty() && !ok_ident(pre)) || (!meta.is_empty() && !ok_ident(meta)) {
            return Err(INVALID.into());
        }
        Ok((
            Version {
                major: n[0],
                minor: n[1],
                patch: n[2],
                pre: pre.into(),
                meta: meta.into(),
            },
            given,
        ))
    }

    fn cmp_pre(a: &str, b: &str) -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let (ai, bi): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
        for (x, y) in ai.iter().zip(bi.iter()) {
            let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                (Ok(p), Ok(q)) => p.cmp(&q),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                _ => x.cmp(y),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        ai.len().cmp(&bi.len())
    }

    /// Semantic-version precedence (metadata ignored).
    pub fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| Self::cmp_pre(&self.pre, &o.pre))
    }
}

struct Cons {
    op: String,
    v: Version,
    given: usize,
}

impl Cons {
    fn check(&self, v: &Version) -> bool {
        if !v.pre.is_empty() && self.v.pre.is_empty() {
            return false;
        }
        let c = &self.v;
        let o = v.compare(c);
        let next = |level: usize| -> Version {
            let mut n = Version {
                major: c.major,
                minor: c.minor,
                patch: c.patch,
                pre: String::new(),
                meta: String::new(),
            };
            match level {
                0 => {
                    n.major += 1;
                    n.minor = 0;
                    n.patch = 0;
                }
                1 => {
                    n.minor += 1;
                    n.patch = 0;
                }
                _ => n.patch += 1,
            }
            n
        };
        let lt = |x: &Version| v.compare(x) == Ordering::Less;
        match self.op.as_str() {
            "" | "=" => match self.given {
                0 => true,
                1 => o != Ordering::Less && lt(&next(0)),
                2 => o != Ordering::Less && lt(&next(1)),
                _ => o == Ordering::Equal,
            },
            "!=" => !(Cons {
                op: "=".into(),
                v: c.clone(),
                given: self.given,
            })
            .check(v),
            ">" => match self.given {
                0 => false,
                1 => v.compare(&next(0)) != Ordering::Less,
                2 => v.compare(&next(1)) != Ordering::Less,
                _ => o == Ordering::Greater,
            },
            ">=" | "=>" => o != Ordering::Less,
            "<" => o == Ordering::Less,
            "<=" | "=<" => match self.given {
                0 => true,
                1 => lt(&next(0)),
                2 => lt(&next(1)),
                _ => o != Ordering::Greater,
            },
            "~" | "~>" => o != Ordering::Less && lt(&next(if self.given <= 1 { 0 } else { 1 })),
            "^" => {
                let level = if c.major > 0 || self.given <= 1 {
                    0
                } else if c.minor > 0 || self.given == 2 {
                    1
                } else {
                    2
                };
                o != Ordering::Less && lt(&next(level))
            }
            _ => false,
        }
    }
}

fn parse_one(s: &str) -> Result<Cons, String> {
    let ops = ["!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^"];
    let op = ops
        .iter()
        .find(|o| s.starts_with(**o))
        .copied()
        .unwrap_or("");
    let rest = s[op.len()..].trim();
    let (v, given) = Version::parse_parts(rest).map_err(|_| format!("improper constraint: {s}"))?;
    Ok(Cons {
        op: op.into(),
        v,
        given,
    })
}

/// Checks `version` against a Masterminds constraint string.
///
/// ```
/// use driftless_helm::funcs::semver::semver_compare;
/// assert!(semver_compare(">=1.19-0", "v1.20.5-gke.1").unwrap());
/// assert!(!semver_compare("~1.2", "1.3.0").unwrap());
/// ```
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    // Masterminds parses the constraint first, then the version; a bad
    // or-group is reported verbatim.
    let mut groups = Vec::new();
    for group in constraint.split("||") {
        let improper = || format!("improper constraint: {group}");
        let g = group.trim();
        // Hyphen ranges: "1.2 - 1.4"
        let mut conds = Vec::new();
        let toks: Vec<&str> = g
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .collect();
        let mut i = 0;
        while i < toks.len() {
            if i + 2 < toks.len() && toks[i + 1] == "-" {
                conds.push(parse_one(&format!(">={}", toks[i])).map_err(|_| improper())?);
                conds.push(parse_one(&format!("<={}", toks[i + 2])).map_err(|_| improper())?);
                i += 3;
                continue;
            }
            let mut t = toks[i].to_string();
            // An operator separated from its version by a space.
            if t.chars().all(|c| "<>=!~^".contains(c)) && i + 1 < toks.len() {
                t.push_str(toks[i + 1]);
                i += 1;
            }
            conds.push(parse_one(&t).map_err(|_| improper())?);
            i += 1;
        }
        if conds.is_empty() {
            return Err(improper());
        }
        groups.push(conds);
    }
    let v = Version::parse(version)?;
    Ok(groups.iter().any(|conds| conds.iter().all(|c| c.check(&v))))
}

pub(super) fn register(m: &mut FuncMap) {
    add(m, "semverCompare", &[S, S], |a| {
        semver_compare(&arg_str(&a[0]), &arg_str(&a[1]))
            .map(Value::Bool)
            .map_err(FuncError::msg)
    });
    add(m, "semver", &[S], |a| {
        let v = Version::parse(&arg_str(&a[0])).map_err(FuncError::msg)?;
        let mut out = BTreeMap::new();
        out.insert("Major".to_string(), Value::Uint(v.major));
        out.insert("Minor".to_string(), Value::Uint(v.minor));
        out.insert("Patch".to_string(), Value::Uint(v.patch));
        out.insert("Prerelease".to_string(), Value::from(v.pre.clone()));
        out.insert("Metadata".to_string(), Value::from(v.meta.clone()));
        out.insert("Original".to_string(), Value::from(arg_str(&a[0])));
        Ok(Value::map(out))
    });
}

#[cfg(test)]
mod tests {
    use super::semver_compare as c;

    #[test]
    fn constraints() {
        for (cons, ver, want) in [
            (">=1.19-0", "v1.20.0", true),
            (">=1.19-0", "1.18.9", false),
            (">=1.19", "1.20.0-rc.1", false),
            (">=1.19-0", "1.20.0-rc.1", true),
            ("<1.22", "v1.21.3", true),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.3.0", false),
            ("1.2.x", "1.2.7", true),
            ("1.2.x", "1.3.0", false),
            (">1.2", "1.2.5", false),
            (">1.2", "1.3.0", true),
            ("<=1.2", "1.2.9", true),
            ("1.1 - 1.3", "1.3.0", true),
            ("1.1 - 1.3", "1.3.1", true),
            ("1.1 - 1.3.0", "1.3.1", false),
            (">= 1.2, < 2", "1.5.0", true),
            ("<1 || >=3", "2.0.0", false),
            ("<1 || >=3", "3.1.0", true),
            ("!=1.2.3", "1.2.3", false),
            ("*", "5.0.0", true),
            ("1.0.0-alpha < 1.0.0", "1.0.0-alpha", false),
        ] {
            assert_eq!(c(cons, ver).unwrap(), want, "{cons} {ver}");
        }
        assert!(c(">=1.0", "not-a-version").is_err());
    }
}
