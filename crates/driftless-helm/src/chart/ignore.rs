//! `.helmignore` rules, with the semantics of Helm's `pkg/ignore`.

use super::pathmatch::go_path_match;

/// The file name of the ignore rules in a chart's root.
pub const HELM_IGNORE: &str = ".helmignore";

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    must_dir: bool,
    kind: RuleKind,
}

#[derive(Debug, Clone, Copy)]
enum RuleKind {
    /// Pattern starts with `/`: matched against the whole path.
    Rooted,
    /// Pattern contains `/`: matched against the whole path.
    Path,
    /// Otherwise: matched against the base name.
    Base,
}

/// A parsed `.helmignore`.
///
/// ```
/// use driftless_helm::chart::IgnoreRules;
/// let rules = IgnoreRules::parse("*.bak\nsecret/\n").unwrap();
/// assert!(rules.ignore("templates/x.bak", false));
/// assert!(rules.ignore("secret", true));
/// assert!(!rules.ignore("values.yaml", false));
/// ```
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// Parses rules, one per line; blank lines and `#` comments are skipped.
    /// `**` is refused, as Helm does.
    pub fn parse(text: &str) -> Result<IgnoreRules, String> {
        let mut r = IgnoreRules::default();
        for line in text.lines() {
            r.add(line)?;
        }
        Ok(r)
    }

    /// Adds Helm's default rule: dot files under `templates/` are ignored.
    pub fn add_defaults(&mut self) {
        // Cannot fail: a constant, valid rule.
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let mut p = line.trim();
        if p.is_empty() || p.starts_with('#') {
            return Ok(());
        }
        if p.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        let mut negate = false;
        if let Some(rest) = p.strip_prefix('!') {
            if rest.is_empty() {
                return Ok(());
            }
            negate = true;
            p = rest;
        }
        let mut must_dir = false;
        if let Some(rest) = p.strip_suffix('/') {
            must_dir = true;
            p = rest;
        }
        let (kind, pattern) = if let Some(rest) = p.strip_prefix('/') {
            (RuleKind::Rooted, rest.to_string())
        } else if p.contains('/') {
            (RuleKind::Path, p.to_string())
        } else {
            (RuleKind::Base, p.to_string())
        };
        self.rules.push(Rule {
            pattern,
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            if r.negate {
                if r.must_dir && !is_dir {
                    return true;
                }
                if !r.matches(path) {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if r.matches(path) {
                return true;
            }
        }
        false
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        match self.kind {
            RuleKind::Rooted | RuleKind::Path => go_path_match(&self.pattern, path),
            RuleKind::Base => {
                let base = path.rsplit('/').next().unwrap_or(path);
                go_path_match(&self.pattern, base)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_rules() {
        let r = IgnoreRules::parse("# comment\n.git/\n*.tgz\n/root.txt\ndocs/*.md\n").unwrap();
        assert!(r.ignore(".git", true));
        assert!(!r.ignore(".git", false));
        assert!(r.ignore("charts/a.tgz", false));
        assert!(r.ignore("root.txt", false));
        assert!(r.ignore("docs/a.md", false));
        assert!(!r.ignore("docs/x/a.md", false));
        assert!(!r.ignore("values.yaml", false));
        assert!(IgnoreRules::parse("a/**/b").is_err());
        let mut d = IgnoreRules::default();
        d.add_defaults();
        assert!(d.ignore("templates/.hidden.yaml", false));
        assert!(!d.ignore("templates/x.yaml", false));
    }
}
