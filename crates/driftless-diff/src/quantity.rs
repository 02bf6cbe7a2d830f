//! Kubernetes resource quantities: `500m` and `0.5` (or the number 0.5) are
//! the same quantity. The API server stores quantities in canonical form, so
//! a manifest's spelling rarely matches the live object's.

use serde_json::Value;

/// Map keys whose values (one level down) are quantities: `resources.limits`,
/// `resources.requests`, ResourceQuota `hard`/`used`, PV `capacity`,
/// LimitRange `default`/`defaultRequest`/`max`/`min`, and friends.
const QUANTITY_MAPS: [&str; 10] = [
    "limits",
    "requests",
    "hard",
    "capacity",
    "allocatable",
    "default",
    "defaultRequest",
    "max",
    "min",
    "maxLimitRequestRatio",
];

/// Where `desired` and `live` hold equal quantities spelled differently,
/// rewrites desired with live's spelling so they compare equal.
pub(crate) fn align(desired: &mut Value, live: &Value) {
    align_in(desired, live, false);
}

fn align_in(desired: &mut Value, live: &Value, in_quantity_map: bool) {
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => {
            for (k, dv) in d.iter_mut() {
                if let Some(lv) = l.get(k) {
                    let quantities = QUANTITY_MAPS.contains(&k.as_str());
                    if in_quantity_map && dv != lv && same_quantity(dv, lv) {
                        *dv = lv.clone();
                    } else {
                        align_in(dv, lv, quantities);
                    }
                }
            }
        }
        (Value::Array(d), Value::Array(l)) => {
            for (dv, lv) in d.iter_mut().zip(l) {
                align_in(dv, lv, false);
            }
        }
        _ => {}
    }
}

fn same_quantity(a: &Value, b: &Value) -> bool {
    match (parse_value(a), parse_value(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn parse_value(v: &Value) -> Option<i128> {
    match v {
        Value::String(s) => parse(s),
        Value::Number(n) => parse(&n.to_string()),
        _ => None,
    }
}

/// A quantity in units of 10^-9 (nano), exact for every suffix Kubernetes
/// accepts; `None` when the text is not a quantity or is out of range.
pub(crate) fn parse(text: &str) -> Option<i128> {
    let s = text.trim();
    let (sign, s) = match s.as_bytes().first()? {
        b'-' => (-1, &s[1..]),
        b'+' => (1, &s[1..]),
        _ => (1, s),
    };
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return None;
    }
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    // Value = digits × 10^-frac_len, kept as nano units below.
    let digits: i128 = format!("{int_part}{frac_part}").parse().ok()?;
    let frac_len = frac_part.len() as i32;
    let (mult, exp10): (i128, i32) = match suffix {
        "" => (1, 0),
        "n" => (1, -9),
        "u" => (1, -6),
        "m" => (1, -3),
        "k" => (1, 3),
        "M" => (1, 6),
        "G" => (1, 9),
        "T" => (1, 12),
        "P" => (1, 15),
        "E" => (1, 18),
        "Ki" => (1 << 10, 0),
        "Mi" => (1 << 20, 0),
        "Gi" => (1 << 30, 0),
        "Ti" => (1 << 40, 0),
        "Pi" => (1 << 50, 0),
        "Ei" => (1 << 60, 0),
        e if e.starts_with(['e', 'E']) => (1, e[1..].parse().ok()?),
        _ => return None,
    };
    let scale = exp10 - frac_len + 9;
    let value = digits.checked_mul(mult)?;
    let value = if scale >= 0 {
        value.checked_mul(10i128.checked_pow(scale as u32)?)?
    } else {
        let div = 10i128.checked_pow((-scale) as u32)?;
        if value % div != 0 {
            return None; // finer than a nano: not representable, compare as text
        }
        value / div
    };
    Some(sign * value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_suffixes() {
        assert_eq!(parse("500m"), parse("0.5"));
        assert_eq!(parse("1Gi"), parse("1024Mi"));
        assert_eq!(parse("1k"), parse("1000"));
        assert_eq!(parse("1e3"), parse("1k"));
        assert_eq!(parse("2"), Some(2_000_000_000));
        assert_ne!(parse("1G"), parse("1Gi"));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("1.2.3"), None);
    }

    #[test]
    fn aligns_only_inside_quantity_maps() {
        let mut desired = json!({"resources": {"limits": {"cpu": 0.5, "memory": "1024Mi"}, "requests": {"cpu": "100m"}},
            "image": "web:1.0", "replicas": 1});
        let live = json!({"resources": {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "200m"}},
            "image": "web:1", "replicas": "1"});
        align(&mut desired, &live);
        assert_eq!(
            desired["resources"]["limits"],
            json!({"cpu": "500m", "memory": "1Gi"})
        );
        assert_eq!(desired["resources"]["requests"]["cpu"], "100m");
        assert_eq!(desired["image"], "web:1.0");
        assert_eq!(desired["replicas"], 1);
    }
}
