//! Kubernetes label selectors (`matchLabels`, `matchExpressions`), matched
//! against a string map: the flattened parameters for a generator's
//! `selector`, a Secret's labels for the clusters generator. As in Argo CD,
//! label values are not restricted to valid label syntax (so a selector can
//! match a server URL).

use std::collections::BTreeMap;

use serde::Deserialize;

/// A label selector as written in a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// `key: value` pairs that must all be present.
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    /// Set-based requirements.
    #[serde(default)]
    pub match_expressions: Vec<Requirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// Values for `In` / `NotIn`.
    #[serde(default)]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether the selector has no requirement (it then matches everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Checks the operators and their values, with apimachinery's messages.
    pub fn validate(&self) -> Result<(), String> {
        for r in &self.match_expressions {
            match r.operator.as_str() {
                "In" | "NotIn" => {
                    if r.values.is_empty() {
                        return Err(format!(
                            "values: Invalid value: []string{{}}: for 'in', 'notin' operators, values set can't be empty (key {:?})",
                            r.key
                        ));
                    }
                }
                "Exists" | "DoesNotExist" => {
                    if !r.values.is_empty() {
                        return Err(format!(
                            "values: Invalid value: {:?}: values set must be empty for exists and does not exist (key {:?})",
                            r.values, r.key
                        ));
                    }
                }
                other => return Err(format!("{other:?} is not a valid label selector operator")),
            }
        }
        Ok(())
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let got = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => got.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => got.is_none_or(|v| !r.values.contains(v)),
                    "Exists" => got.is_some(),
                    "DoesNotExist" => got.is_none(),
                    _ => false,
                }
            })
    }
}

/// Kubernetes' string form (`metav1.FormatLabelSelector`): requirements
/// sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
impl std::fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<(String, String)> = self
            .match_labels
            .iter()
            .map(|(k, v)| (k.clone(), format!("{k}={v}")))
            .collect();
        for r in &self.match_expressions {
            let mut values = r.values.clone();
            values.sort();
            let text = match r.operator.as_str() {
                "In" => format!("{} in ({})", r.key, values.join(",")),
                "NotIn" => format!("{} notin ({})", r.key, values.join(",")),
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                other => format!("{} {other} ({})", r.key, values.join(",")),
            };
            parts.push((r.key.clone(), text));
        }
        parts.sort();
        let texts: Vec<&str> = parts.iter().map(|(_, t)| t.as_str()).collect();
        f.write_str(&texts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_form() {
        let s = sel(serde_json::json!({"matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [{"key": "c", "operator": "NotIn", "values": ["y", "x"]},
                                 {"key": "d", "operator": "DoesNotExist"}]}));
        assert_eq!(s.to_string(), "a=1,b=2,c notin (x,y),!d");
    }

    fn sel(v: serde_json::Value) -> LabelSelector {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn operators() {
        let labels: BTreeMap<String, String> = [("env", "staging"), ("server", "https://a")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let cases = [
            (serde_json::json!({"matchLabels": {"env": "staging"}}), true),
            (serde_json::json!({"matchLabels": {"env": "prod"}}), false),
            (
                serde_json::json!({"matchExpressions": [{"key": "server", "operator": "In", "values": ["https://a", "b"]}]}),
                true,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["staging"]}]}),
                false,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "nope", "operator": "NotIn", "values": ["x"]}]}),
                true,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "env", "operator": "Exists"}]}),
                true,
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}),
                false,
            ),
            (serde_json::json!({}), true),
        ];
        for (s, want) in cases {
            assert_eq!(sel(s.clone()).matches(&labels), want, "{s}");
        }
        assert!(
            sel(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Has"}]}))
                .validate()
                .is_err()
        );
        assert!(
            sel(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In"}]}))
                .validate()
                .is_err()
        );
    }
}
