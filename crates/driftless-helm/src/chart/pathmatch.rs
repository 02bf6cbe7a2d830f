//! Go's `path/filepath.Match` (on `/`-separated paths), used by
//! `.helmignore` rules and `--show-only`.

/// Whether `name` matches the shell pattern `pattern` exactly as Go's
/// `filepath.Match` decides: `*` matches any run of non-`/` characters, `?`
/// one non-`/` character, `[a-z]`/`[^a-z]` a class, `\` escapes. A
/// malformed pattern matches nothing (Go returns `ErrBadPattern`).
///
/// ```
/// use driftless_helm::chart::go_path_match;
/// assert!(go_path_match("templates/subdir/role*", "templates/subdir/rolebinding.yaml"));
/// assert!(!go_path_match("templates/*", "templates/a/b.yaml"));
/// assert!(go_path_match("[^a]?c", "xbc"));
/// ```
pub fn go_path_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches(&p, &n).unwrap_or(false)
}

fn matches(p: &[char], n: &[char]) -> Option<bool> {
    let (mut pi, mut ni) = (0usize, 0usize);
    // Backtracking point for the last `*`.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() || pi < p.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() && n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' if ni < n.len() => {
                    let (ok, len) = class(&p[pi..], n[ni])?;
                    if ok && n[ni] != '/' {
                        pi += len;
                        ni += 1;
                        continue;
                    }
                }
                '\\' => {
                    let c = *p.get(pi + 1)?;
                    if ni < n.len() && n[ni] == c {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c if c != '?' && c != '[' && ni < n.len() && n[ni] == c => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        // Mismatch: extend the last star by one non-separator char.
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => {
                // Validate the rest of the pattern as Go does for bad patterns.
                validate(&p[pi..])?;
                return Some(false);
            }
        }
    }
    Some(true)
}

/// Matches a `[...]` class at the start of `p` against `c`; returns whether
/// it matched and the class length, or `None` for a malformed class.
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = lit(p, &mut i)?;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1) != Some(&']') {
            i += 1;
            lit(p, &mut i)?
        } else {
            lo
        };
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Some((matched != negated, i))
}

fn lit(p: &[char], i: &mut usize) -> Option<char> {
    let mut c = *p.get(*i)?;
    if c == '-' || c == ']' {
        return None;
    }
    if c == '\\' {
        *i += 1;
        c = *p.get(*i)?;
    }
    *i += 1;
    Some(c)
}

fn validate(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                p.get(i + 1)?;
                i += 2;
            }
            '[' => {
                let (_, len) = class(&p[i..], '\0')?;
                i += len;
            }
            _ => i += 1,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::go_path_match as m;

    #[test]
    fn go_match_table() {
        assert!(m("abc", "abc"));
        assert!(m("*", "abc"));
        assert!(m("*c", "abc"));
        assert!(!m("a*", "ab/c"));
        assert!(m("a*/b", "abc/b"));
        assert!(m("a*b*c*d*e*/f", "axbxcxdxe/f"));
        assert!(!m("a*b?c*x", "abxbbxdbxebxczzy"));
        assert!(m("ab[c]", "abc"));
        assert!(m("ab[b-d]", "abc"));
        assert!(!m("ab[^c]", "abc"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a?b", "a/b"));
        assert!(!m("[", "a"));
        assert!(m("*.yaml", ".yaml"));
    }
}
