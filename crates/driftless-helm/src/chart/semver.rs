//! Semantic versions and constraints as Masterminds/semver (v3) reads
//! them: used to match dependencies to subcharts (`IsCompatibleRange`).

use std::cmp::Ordering;

/// A parsed version (`v` prefix, missing minor/patch allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
    /// Pre-release (without `-`), empty when none.
    pub pre: String,
}

impl Version {
    /// Parses leniently, as `semver.NewVersion` does.
    ///
    /// ```
    /// use driftless_helm::chart::semver::Version;
    /// assert_eq!(Version::parse("v1.2").unwrap().minor, 2);
    /// assert!(Version::parse("1.2.x").is_none());
    /// ```
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let (s, _meta) = s.split_once('+').map_or((s, ""), |(a, b)| (a, b));
        let (core, pre) = s.split_once('-').map_or((s, ""), |(a, b)| (a, b));
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if p.len() > 1 && p.starts_with('0') {
                return None;
            }
            nums[i] = p.parse().ok()?;
        }
        if !pre.is_empty()
            && !pre
                .split('.')
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return None;
        }
        Some(Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre: pre.to_string(),
        })
    }

    fn cmp_pre(a: &str, b: &str) -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let (mut ia, mut ib) = (a.split('.'), b.split('.'));
        loop {
            match (ia.next(), ib.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) => {
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
            }
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| Version::cmp_pre(&self.pre, &o.pre))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// Whether `version` satisfies `constraint` (Helm's `IsCompatibleRange`):
/// `||` alternatives of comma/space-separated comparisons with `=`, `!=`,
/// `>`, `>=`, `<`, `<=`, `~`, `^`, `x` wildcards and `a - b` ranges. A
/// constraint or version that does not parse gives `false`.
///
/// ```
/// use driftless_helm::chart::semver::satisfies;
/// assert!(satisfies("^1.2.0", "1.9.1"));
/// assert!(!satisfies("~1.2.0", "1.3.0"));
/// assert!(satisfies(">=0.1.0, <1", "0.5.0"));
/// assert!(satisfies("0.1.x || 2", "2.0.0"));
/// assert!(!satisfies("", "1.0.0"));
/// ```
pub fn satisfies(constraint: &str, version: &str) -> bool {
    let Some(v) = Version::parse(version) else {
        return false;
    };
    let Some(alts) = parse_constraint(constraint) else {
        return false;
    };
    alts.iter().any(|all| {
        let pre_ok = v.pre.is_empty() || all.iter().any(|(_, c)| !c.pre.is_empty());
        pre_ok && all.iter().all(|(op, c)| check(*op, &v, c))
    })
}

fn check(op: Op, v: &Version, c: &Version) -> bool {
    let o = v.cmp(c);
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
    }
}

type Cmp = (Op, Version);

fn parse_constraint(s: &str) -> Option<Vec<Vec<Cmp>>> {
    if s.trim().is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for alt in s.split("||") {
        let alt = alt.trim();
        let mut cmps = Vec::new();
        // Hyphen ranges first: "a - b".
        let tokens: Vec<String> = normalize(alt);
        let mut i = 0;
        while i < tokens.len() {
            if i + 2 < tokens.len() && tokens[i + 1] == "-" {
                cmps.extend(expand(">=", &tokens[i])?);
                cmps.extend(expand("<=", &tokens[i + 2])?);
                i += 3;
                continue;
            }
            let t = &tokens[i];
            let split = t
                .find(|c: char| c.is_ascii_alphanumeric() || c == '*')
                .unwrap_or(t.len());
            let (op, ver) = t.split_at(split);
            cmps.extend(expand(op, ver)?);
            i += 1;
        }
        if cmps.is_empty() {
            return None;
        }
        out.push(cmps);
    }
    Some(out)
}

/// Splits on commas/spaces, gluing an operator to its version.
fn normalize(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_op = String::new();
    for raw in s.split([',', ' ']).filter(|x| !x.is_empty()) {
        if raw.chars().all(|c| "<>=!~^".contains(c)) {
            pending_op.push_str(raw);
            continue;
        }
        out.push(format!("{pending_op}{raw}"));
        pending_op.clear();
    }
    out
}

fn wild(p: &str) -> bool {
    p == "x" || p == "X" || p == "*"
}

/// Expands one comparison (possibly with wildcards, `~`, `^`).
fn expand(op: &str, ver: &str) -> Option<Vec<Cmp>> {
    let ver = ver.strip_prefix('v').unwrap_or(ver);
    let (core, rest) = match ver.find(['-', '+']) {
        Some(i) => (&ver[..i], &ver[i..]),
        None => (ver, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let wild_at = parts.iter().position(|p| wild(p));
    let given = wild_at.unwrap_or(parts.len());
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().take(given).enumerate() {
        nums[i] = p.parse().ok()?;
    }
    let base = Version::parse(&format!("{}.{}.{}{}", nums[0], nums[1], nums[2], rest))?;
    let bump = |n: usize| -> Version {
        let mut v = Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre: String::new(),
        };
        match n {
            0 => {
                v.major += 1;
                v.minor = 0;
                v.patch = 0;
            }
            1 => {
                v.minor += 1;
                v.patch = 0;
            }
            _ => v.patch += 1,
        }
        v
    };
    let range = |lo: Version, hi: Version| vec![(Op::Ge, lo), (Op::Lt, hi)];
    Some(match op {
        "" | "=" | "==" => {
            if given == 0 {
                vec![(Op::Ge, Version::parse("0.0.0")?)]
            } else if given < 3 {
                range(base, bump(given - 1))
            } else {
                vec![(Op::Eq, base)]
            }
        }
        "!=" => {
            if given < 3 {
                // Outside the wildcard range: rarely used; approximate by "not equal".
                vec![(Op::Ne, base)]
            } else {
                vec![(Op::Ne, base)]
            }
        }
        ">" => {
            if given < 3 && given > 0 {
                vec![(Op::Ge, bump(given - 1))]
            } else {
                vec![(Op::Gt, base)]
            }
        }
        ">=" | "=>" => vec![(Op::Ge, base)],
        "<" => vec![(Op::Lt, base)],
        "<=" | "=<" => {
            if given < 3 && given > 0 {
                vec![(Op::Lt, bump(given - 1))]
            } else {
                vec![(Op::Le, base)]
            }
        }
        "~" | "~>" => {
            if given <= 1 {
                range(base, bump(0))
            } else {
                range(base, bump(1))
            }
        }
        "^" => {
            let hi = if nums[0] > 0 || given <= 1 {
                bump(0)
            } else if nums[1] > 0 || given == 2 {
                bump(1)
            } else {
                bump(2)
            };
            range(base, hi)
        }
        _ => return None,
    })
}
