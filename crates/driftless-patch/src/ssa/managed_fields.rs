//! `metadata.managedFields`: decoding, encoding and ordering as the API server does.

use super::fieldset::FieldSet;
use serde_json::{Map, Value, json};
use thiserror::Error;

/// The kind of write that produced a managedFields entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// Server-side apply.
    Apply,
    /// Create, update or a non-apply patch.
    Update,
}

impl Operation {
    /// `"Apply"` or `"Update"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One entry of `metadata.managedFields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedFieldsEntry {
    /// Field manager name (`kubectl`, `kube-controller-manager`, `driftless`...).
    pub manager: String,
    /// Apply or Update.
    pub operation: Operation,
    /// API version the fields are expressed in (`apps/v1`).
    pub api_version: String,
    /// RFC 3339 time of the last change by this manager.
    pub time: Option<String>,
    /// The owned fields.
    pub fields: FieldSet,
    /// Subresource written (`status`, `scale`), if any.
    pub subresource: Option<String>,
}

/// A managedFields list that cannot be decoded.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("invalid managedFields entry {index}: {message}")]
pub struct ManagedFieldsError {
    /// Position in the list.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

impl ManagedFieldsEntry {
    /// The identity of an entry: manager, operation, subresource and (for Update only) apiVersion.
    /// Two writes with the same identity share one entry.
    pub fn same_identity(&self, other: &ManagedFieldsEntry) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == Operation::Apply || self.api_version == other.api_version)
    }

    /// How the API server names this manager in conflict messages:
    /// `"a"`, `"kubectl-client-side-apply" using apps/v1`, `"x" with subresource "status"`.
    pub fn display_name(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == Operation::Update {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    /// Encodes as the API server writes it (key order: manager, operation, apiVersion, time,
    /// fieldsType, fieldsV1, subresource).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation.as_str()));
        m.insert("apiVersion".into(), json!(self.api_version));
        if let Some(t) = &self.time {
            m.insert("time".into(), json!(t));
        }
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if let Some(s) = &self.subresource {
            m.insert("subresource".into(), json!(s));
        }
        Value::Object(m)
    }

    /// Decodes one entry.
    pub fn from_json(v: &Value, index: usize) -> Result<Self, ManagedFieldsError> {
        let err = |message: String| ManagedFieldsError { index, message };
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
        let operation = match s("operation").as_deref() {
            Some("Apply") => Operation::Apply,
            Some("Update") => Operation::Update,
            other => return Err(err(format!("unknown operation {other:?}"))),
        };
        match s("fieldsType").as_deref() {
            Some("FieldsV1") | None => {}
            Some(other) => return Err(err(format!("unsupported fieldsType {other:?}"))),
        }
        let fields = match v.get("fieldsV1") {
            Some(f) => FieldSet::from_fields_v1(f).map_err(err)?,
            None => FieldSet::new(),
        };
        Ok(ManagedFieldsEntry {
            manager: s("manager").unwrap_or_default(),
            operation,
            api_version: s("apiVersion").unwrap_or_default(),
            time: s("time"),
            fields,
            subresource: s("subresource").filter(|s| !s.is_empty()),
        })
    }
}

/// Reads `metadata.managedFields` of an object (empty when absent).
///
/// ```
/// use driftless_patch::ssa::{read_managed_fields, Operation};
/// let obj = serde_json::json!({"metadata": {"managedFields": [{"manager": "a",
///     "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1",
///     "fieldsV1": {"f:data": {"f:k": {}}}}]}});
/// let mf = read_managed_fields(&obj).unwrap();
/// assert_eq!(mf[0].operation, Operation::Apply);
/// assert_eq!(mf[0].fields.paths()[0].to_string(), ".data.k");
/// ```
pub fn read_managed_fields(obj: &Value) -> Result<Vec<ManagedFieldsEntry>, ManagedFieldsError> {
    match obj.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, e)| ManagedFieldsEntry::from_json(e, i))
            .collect(),
        Some(_) => Err(ManagedFieldsError {
            index: 0,
            message: "managedFields must be a list".into(),
        }),
    }
}

/// Sorts entries like the API server: by operation (Apply first), time, manager, subresource,
/// apiVersion.
pub fn sort_managed_fields(entries: &mut [ManagedFieldsEntry]) {
    entries.sort_by(|p, q| {
        p.operation
            .cmp(&q.operation)
            .then_with(|| time_seconds(p.time.as_deref()).cmp(time_seconds(q.time.as_deref())))
            .then_with(|| p.manager.cmp(&q.manager))
            .then_with(|| p.subresource.cmp(&q.subresource))
            .then_with(|| p.api_version.cmp(&q.api_version))
    });
}

/// Orders RFC 3339 times by their text up to seconds (same width and zone `Z`, as the server writes).
fn time_seconds(t: Option<&str>) -> &str {
    t.map(|t| t.get(..19).unwrap_or(t)).unwrap_or("")
}

/// Writes `metadata.managedFields` (sorted); removes it when there are no entries.
pub fn write_managed_fields(obj: &mut Value, entries: &[ManagedFieldsEntry]) {
    let mut sorted = entries.to_vec();
    sort_managed_fields(&mut sorted);
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        if entries.is_empty() {
            return;
        }
        if let Some(o) = obj.as_object_mut() {
            o.insert("metadata".into(), json!({}));
        }
        return write_managed_fields(obj, entries);
    };
    if sorted.is_empty() {
        meta.shift_remove("managedFields");
    } else {
        meta.insert(
            "managedFields".into(),
            Value::Array(sorted.iter().map(|e| e.to_json()).collect()),
        );
    }
}

/// Formats a Unix time as RFC 3339 in UTC with second precision (`2024-05-01T12:00:00Z`).
pub fn format_rfc3339(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The current time, RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_rfc3339(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_rfc3339(1_717_243_199), "2024-06-01T11:59:59Z");
    }
}
