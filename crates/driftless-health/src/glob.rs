//! Argo CD's wildcard keys (`*.crossplane.io/*`), with the syntax of the glob
//! library Argo CD uses, without separators: `*` matches any run of
//! characters (`/` included), `?` one character, `[abc]` / `[a-z]` /
//! `[!abc]` one character of (or not of) a class, `{a,b}` one of the
//! alternatives, and `\` escapes the next character.

/// One single-character step of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    /// Every alternative spelled out (`{a,b}c` → `ac`, `bc`).
    alternatives: Vec<Vec<Tok>>,
}

impl Glob {
    /// Compiles a pattern; a malformed one (an unclosed `[` or `{`) matches
    /// only itself, character for character.
    pub fn new(pattern: &str) -> Glob {
        let chars: Vec<char> = pattern.chars().collect();
        let alternatives = match parse(&chars, &mut 0, false) {
            Some(alts) => alts,
            None => vec![chars.iter().map(|c| Tok::Lit(*c)).collect()],
        };
        Glob {
            pattern: pattern.to_string(),
            alternatives,
        }
    }

    /// The pattern as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether `pattern` holds any wildcard syntax at all.
    pub fn is_wildcard(pattern: &str) -> bool {
        pattern.contains(['*', '?', '[', '{'])
    }

    /// Whether `text` matches the whole pattern.
    ///
    /// ```
    /// use driftless_health::glob::Glob;
    /// assert!(Glob::new("*.crossplane.io/*").matches("s3.aws.crossplane.io/Bucket"));
    /// assert!(!Glob::new("*.crossplane.io/*").matches("crossplane.io/Bucket"));
    /// assert!(Glob::new("apps/Deploymen?").matches("apps/Deployment"));
    /// assert!(Glob::new("{apps,extensions}/[A-Z]*Set").matches("extensions/DaemonSet"));
    /// assert!(!Glob::new("[!a]*").matches("apps/Deployment"));
    /// ```
    pub fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        self.alternatives.iter().any(|p| matches_one(p, &t))
    }
}

/// Parses until the end (or, inside braces, until the `,` / `}` that ends
/// this alternative's part); returns every alternative spelled out.
fn parse(p: &[char], i: &mut usize, in_braces: bool) -> Option<Vec<Vec<Tok>>> {
    let mut alts: Vec<Vec<Tok>> = vec![Vec::new()];
    while *i < p.len() {
        let c = p[*i];
        if in_braces && (c == ',' || c == '}') {
            return Some(alts);
        }
        *i += 1;
        let single = match c {
            '*' => Tok::Star,
            '?' => Tok::Any,
            '\\' => {
                let escaped = *p.get(*i)?;
                *i += 1;
                Tok::Lit(escaped)
            }
            '[' => class(p, i)?,
            '{' => {
                let mut options = Vec::new();
                loop {
                    options.extend(parse(p, i, true)?);
                    match p.get(*i)? {
                        ',' => *i += 1,
                        _ => {
                            *i += 1; // the closing `}`
                            break;
                        }
                    }
                }
                alts = alts
                    .iter()
                    .flat_map(|prefix| {
                        options.iter().map(move |o| {
                            let mut v = prefix.clone();
                            v.extend(o.iter().cloned());
                            v
                        })
                    })
                    .collect();
                continue;
            }
            other => Tok::Lit(other),
        };
        for a in &mut alts {
            a.push(single.clone());
        }
    }
    (!in_braces).then_some(alts)
}

/// A `[...]` class; `*i` is just past the `[`.
fn class(p: &[char], i: &mut usize) -> Option<Tok> {
    let negated = p.get(*i) == Some(&'!');
    if negated {
        *i += 1;
    }
    let mut ranges = Vec::new();
    while *p.get(*i)? != ']' {
        let lo = p[*i];
        if p.get(*i + 1) == Some(&'-') && p.get(*i + 2).is_some_and(|c| *c != ']') {
            ranges.push((lo, p[*i + 2]));
            *i += 3;
        } else {
            ranges.push((lo, lo));
            *i += 1;
        }
    }
    *i += 1;
    Some(Tok::Class { negated, ranges })
}

fn one(tok: &Tok, c: char) -> bool {
    match tok {
        Tok::Lit(l) => *l == c,
        Tok::Any => true,
        Tok::Star => false,
        Tok::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
    }
}

/// Matching with backtracking to the last `*`.
fn matches_one(p: &[Tok], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == Tok::Star {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && one(&p[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|tok| *tok == Tok::Star)
}
