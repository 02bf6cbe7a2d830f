//! Parsing of `resource.Quantity` values as kube-apiserver parses them (`ParseQuantity`),
//! with its error texts, for typed decoding of built-in kinds.

use serde_json::Value;

/// Why a quantity does not parse (the texts of the Go errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// `ErrFormatWrong`.
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    FormatWrong,
    /// `ErrSuffix`.
    #[error("unable to parse quantity's suffix")]
    Suffix,
}

/// Decodes a JSON value as `Quantity.UnmarshalJSON` does: `null`, a string, or the raw
/// text of any other value (numbers parse; booleans, objects and arrays do not).
pub fn from_json(v: &Value) -> Result<(), QuantityError> {
    match v {
        Value::Null => Ok(()),
        Value::String(s) => parse(s.trim()),
        Value::Number(n) => parse(&n.to_string()),
        Value::Bool(b) => parse(&b.to_string()),
        _ => Err(QuantityError::FormatWrong),
    }
}

/// Checks a quantity string: a signed decimal number and an optional suffix (binary `Ki`…`Ei`,
/// decimal `n u m k M G T P E`, or an exponent `e3`/`E-2`).
pub fn parse(s: &str) -> Result<(), QuantityError> {
    if s.is_empty() {
        return Err(QuantityError::FormatWrong);
    }
    let b = s.as_bytes();
    let mut pos = usize::from(matches!(b[0], b'+' | b'-'));
    let digits = |pos: &mut usize| {
        while *pos < b.len() && b[*pos].is_ascii_digit() {
            *pos += 1;
        }
    };
    digits(&mut pos);
    if pos < b.len() && b[pos] == b'.' {
        pos += 1;
        digits(&mut pos);
    }
    let suffix_start = pos;
    while pos < b.len() && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < b.len() {
        if matches!(b[pos], b'+' | b'-') {
            pos += 1;
        }
        digits(&mut pos);
        if pos < b.len() {
            return Err(QuantityError::FormatWrong);
        }
    }
    let suffix = &s[suffix_start..];
    let known = [
        "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E",
    ];
    if known.contains(&suffix) {
        return Ok(());
    }
    match suffix.strip_prefix(['e', 'E']) {
        Some(exp) if !exp.is_empty() && exp.parse::<i64>().is_ok() => Ok(()),
        _ => Err(QuantityError::Suffix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_parse_like_the_server() {
        for ok in [
            "1", "100m", "1.5Gi", "+2", "-1", "0.5", "1e3", "1E-2", "m", ".5", "1.",
        ] {
            assert_eq!(parse(ok), Ok(()), "{ok}");
        }
        for bad in ["", "x", "1x", "1Gi5x", "true", "1 Gi"] {
            assert_eq!(parse(bad), Err(QuantityError::FormatWrong), "{bad}");
        }
        for bad in ["1ki", "1e", "1mm", "1Kii"] {
            assert_eq!(parse(bad), Err(QuantityError::Suffix), "{bad}");
        }
        assert_eq!(from_json(&json!(2)), Ok(()));
        assert_eq!(from_json(&json!(" 2Gi ")), Ok(()));
        assert_eq!(from_json(&json!(true)), Err(QuantityError::FormatWrong));
        assert_eq!(from_json(&json!({})), Err(QuantityError::FormatWrong));
    }
}
