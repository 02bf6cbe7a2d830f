//! The two glob dialects Argo CD matches projects with: `github.com/gobwas/glob` without
//! separators (repositories, destinations: `*`, `?`, `[a-z]`, `[!a]`, `{a,b}`) and Go's
//! `filepath.Match` (kinds and groups: `*`, `?`, `[a-z]`, `[^a]`).
//! A malformed pattern matches nothing, as in Argo CD.

#[derive(Clone, Copy)]
pub(crate) enum Dialect {
    /// gobwas/glob, no separators.
    Gobwas,
    /// Go's `filepath.Match` (no `/` in what is matched here).
    Filepath,
}

/// True when `text` matches `pattern` in `dialect`.
pub(crate) fn matches(pattern: &str, text: &str, dialect: Dialect) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_at(&p, &t, dialect).unwrap_or(false)
}

/// `None` when the pattern is malformed.
fn match_at(p: &[char], t: &[char], d: Dialect) -> Option<bool> {
    let Some(&c) = p.first() else {
        return Some(t.is_empty());
    };
    match c {
        '*' => {
            let rest = &p[p.iter().take_while(|c| **c == '*').count()..];
            for i in 0..=t.len() {
                if match_at(rest, &t[i..], d)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        '?' => Some(!t.is_empty() && match_at(&p[1..], &t[1..], d)?),
        '[' => {
            let (matched, len) = class(&p[1..], t.first().copied(), d)?;
            Some(matched && match_at(&p[1 + len..], &t[1..], d)?)
        }
        '{' if matches!(d, Dialect::Gobwas) => {
            let (alternatives, len) = braces(&p[1..])?;
            let rest = &p[1 + len..];
            for alt in alternatives {
                let joined: Vec<char> = alt.iter().chain(rest).copied().collect();
                if match_at(&joined, t, d)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        '\\' => {
            let &escaped = p.get(1)?;
            Some(t.first() == Some(&escaped) && match_at(&p[2..], &t[1..], d)?)
        }
        _ => Some(t.first() == Some(&c) && match_at(&p[1..], &t[1..], d)?),
    }
}

/// A character class after `[`: whether `ch` is in it, and how many pattern chars it used
/// (through `]`). An empty text (`ch` None) still parses the class, so errors surface.
fn class(p: &[char], ch: Option<char>, d: Dialect) -> Option<(bool, usize)> {
    let negate_char = match d {
        Dialect::Gobwas => '!',
        Dialect::Filepath => '^',
    };
    let mut i = 0;
    let negate = p.first() == Some(&negate_char);
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let &c = p.get(i)?;
        if c == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if c == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            c
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|c| *c != ']') {
            hi = if p[i + 1] == '\\' {
                i += 1;
                *p.get(i + 1)?
            } else {
                p[i + 1]
            };
            i += 2;
        }
        if ch.is_some_and(|ch| lo <= ch && ch <= hi) {
            found = true;
        }
    }
    Some((ch.is_some() && found != negate, i))
}

/// Alternatives after `{`, split at top-level commas, and the pattern chars used (through `}`).
fn braces(p: &[char]) -> Option<(Vec<Vec<char>>, usize)> {
    let mut alternatives = vec![Vec::new()];
    let mut depth = 0;
    let mut i = 0;
    loop {
        let &c = p.get(i)?;
        match c {
            '\\' => {
                let &next = p.get(i + 1)?;
                alternatives.last_mut()?.extend(['\\', next]);
                i += 2;
                continue;
            }
            '{' => depth += 1,
            '}' if depth == 0 => return Some((alternatives, i + 1)),
            '}' => depth -= 1,
            ',' if depth == 0 => {
                alternatives.push(Vec::new());
                i += 1;
                continue;
            }
            _ => {}
        }
        alternatives.last_mut()?.push(c);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gobwas_without_separators() {
        let g = |p, t| matches(p, t, Dialect::Gobwas);
        assert!(g("*", "https://github.com/org/repo"));
        assert!(g("https://github.com/org/*", "https://github.com/org/a/b"));
        assert!(!g("https://github.com/org/*", "https://github.com/other/a"));
        assert!(g("team-?", "team-a") && !g("team-?", "team-ab"));
        assert!(g("ns-[a-c]", "ns-b") && !g("ns-[a-c]", "ns-d"));
        assert!(g("ns-[!a-c]", "ns-d") && !g("ns-[!a-c]", "ns-a"));
        assert!(g("{dev,prod}-*", "prod-eu") && !g("{dev,prod}-*", "test-eu"));
        assert!(g("a{b,{c,d}}e", "ade"));
        assert!(g("lit\\*", "lit*") && !g("lit\\*", "litx"));
        assert!(g("", "") && !g("", "x"));
        // Malformed patterns match nothing.
        assert!(!g("[abc", "a") && !g("{a,b", "a"));
    }

    #[test]
    fn filepath_match() {
        let f = |p, t| matches(p, t, Dialect::Filepath);
        assert!(f("*", "Deployment") && f("", ""));
        assert!(f("apps", "apps") && !f("apps", "batch"));
        assert!(f("*.k8s.io", "rbac.authorization.k8s.io"));
        assert!(f("[^D]*", "Service") && !f("[^D]*", "Deployment"));
        assert!(!f("{a,b}", "a"), "braces are literal in filepath.Match");
    }
}
