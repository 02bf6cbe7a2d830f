//! The human table of a plan.

use crate::plan::{Plan, Step};
use std::fmt;

impl fmt::Display for Plan {
    /// One line per step: phase, wave, action, kind, namespace/name; then
    /// kept (not pruned) and skipped objects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            writeln!(f, "Nothing to do.")?;
        } else {
            let rows: Vec<[String; 5]> = self.steps.iter().map(row).collect();
            let header = ["PHASE", "WAVE", "ACTION", "KIND", "NAMESPACE/NAME"];
            let mut width = header.map(str::len);
            for r in &rows {
                for (w, c) in width.iter_mut().zip(r) {
                    *w = (*w).max(c.len());
                }
            }
            let line = |f: &mut fmt::Formatter<'_>, cells: [&str; 5]| {
                let mut out = String::new();
                for (i, c) in cells.iter().enumerate() {
                    if i + 1 == cells.len() {
                        out.push_str(c);
                    } else {
                        out.push_str(&format!("{c:<w$}  ", w = width[i]));
                    }
                }
                writeln!(f, "{}", out.trim_end())
            };
            line(f, header)?;
            for r in &rows {
                line(f, [&r[0], &r[1], &r[2], &r[3], &r[4]])?;
            }
        }
        if !self.kept.is_empty() {
            writeln!(f, "\nRequire pruning, kept:")?;
            for k in &self.kept {
                writeln!(f, "  {}  ({})", k.key, k.reason)?;
            }
        }
        if !self.skipped.is_empty() {
            writeln!(f, "\nSkipped:")?;
            for s in &self.skipped {
                writeln!(f, "  {}  ({})", s.key, s.reason)?;
            }
        }
        Ok(())
    }
}

fn row(s: &Step) -> [String; 5] {
    let wave = if s.level > 0 {
        format!("{}.{}", s.wave, s.level)
    } else {
        s.wave.to_string()
    };
    let kind = s.key.group_kind().to_string();
    let name = match &s.key.namespace {
        Some(ns) => format!("{ns}/{}", s.key.name),
        None => s.key.name.clone(),
    };
    [s.phase.to_string(), wave, s.action.to_string(), kind, name]
}
