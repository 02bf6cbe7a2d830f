//! Text and JSON renderings of a diff.

use crate::ObjectDiff;
use serde_json::Value;
use similar::TextDiff;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl ObjectDiff {
    /// A unified diff of the YAML of the live side (`-`) and the desired side
    /// (`+`), empty when Synced; ANSI-coloured when `color`.
    pub fn unified(&self, color: bool) -> String {
        if self.desired == self.live {
            return String::new();
        }
        let yaml = |v: &Option<Value>| match v {
            Some(v) => serde_yaml_ng::to_string(v).unwrap_or_default(),
            None => String::new(),
        };
        let (live, desired) = (yaml(&self.live), yaml(&self.desired));
        if live == desired {
            return String::new();
        }
        let name = self.key.to_string();
        let text = TextDiff::from_lines(&live, &desired)
            .unified_diff()
            .context_radius(3)
            .header(&format!("live/{name}"), &format!("desired/{name}"))
            .to_string();
        if !color {
            return text;
        }
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let style = if line.starts_with("---") || line.starts_with("+++") {
                BOLD
            } else if line.starts_with('-') {
                RED
            } else if line.starts_with('+') {
                GREEN
            } else if line.starts_with("@@") {
                CYAN
            } else {
                out.push_str(line);
                continue;
            };
            let body = line.strip_suffix('\n').unwrap_or(line);
            out.push_str(style);
            out.push_str(body);
            out.push_str(RESET);
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    /// JSON form: key, status, the compared (redacted) sides and the text diff.
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).expect("diff serializes");
        v["diff"] = Value::String(self.unified(false));
        v
    }
}
