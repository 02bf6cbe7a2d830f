//! Argo CD's wildcard keys (`*.crossplane.io/*`): `*` matches any run of
//! characters, `/` included, and `?` any single character.

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
}

impl Glob {
    /// A pattern; every character but `*` and `?` matches itself.
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.to_string(),
        }
    }

    /// The pattern as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether `pattern` has a wildcard at all.
    pub fn is_wildcard(pattern: &str) -> bool {
        pattern.contains(['*', '?'])
    }

    /// Whether `text` matches the whole pattern.
    ///
    /// ```
    /// use driftless_health::glob::Glob;
    /// assert!(Glob::new("*.crossplane.io/*").matches("s3.aws.crossplane.io/Bucket"));
    /// assert!(!Glob::new("*.crossplane.io/*").matches("crossplane.io/Bucket"));
    /// assert!(Glob::new("apps/Deploymen?").matches("apps/Deployment"));
    /// ```
    pub fn matches(&self, text: &str) -> bool {
        let p: Vec<char> = self.pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        // Iterative matching with backtracking to the last `*`.
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|c| *c == '*')
    }
}
