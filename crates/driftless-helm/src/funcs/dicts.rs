//! Sprig's dict functions. Maps are Go maps: `set`, `unset`, `merge` and
//! `mergeOverwrite` change the map they are given, visible through every
//! reference to it.

use std::collections::BTreeMap;

use driftless_gotmpl::{
    ArgType::Any as A, ArgType::Map as M, ArgType::String as S, FuncError, FuncMap, Map, Value,
};

use super::conv::{arg_str, is_empty, strval};
use super::{add, add_var, variadic};

fn map_arg(v: &Value) -> Map {
    match v {
        Value::Map(m) => m.clone(),
        _ => Map::new(),
    }
}

/// mergo's `Merge` (with `overwrite` for `WithOverride`) of `src` into `dst`.
pub fn mergo(dst: &Map, src: &Map, overwrite: bool) {
    if dst.ptr_eq(src) {
        return;
    }
    for (k, s) in src.entries() {
        if s.is_nil() {
            if overwrite {
                dst.insert(k, Value::Nil);
            }
            continue;
        }
        let d = dst.get(&k);
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&d, &s)
            && !dm.is_empty()
        {
            mergo(dm, sm, overwrite);
            continue;
        }
        let replace = match &d {
            None => true,
            Some(d) => overwrite || is_empty(d),
        };
        if replace {
            dst.insert(k, s);
        }
    }
}

fn dig(args: &[Value]) -> Result<Value, FuncError> {
    if args.len() < 3 {
        return Err(FuncError::msg("dig needs at least three arguments"));
    }
    let n = args.len();
    let Value::Map(mut cur) = args[n - 1].clone() else {
        return Err(FuncError::msg(format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            args[n - 1].type_name()
        )));
    };
    let def = args[n - 2].clone();
    let keys = &args[..n - 2];
    for (i, k) in keys.iter().enumerate() {
        let Value::String(k) = k else {
            return Err(FuncError::msg(format!(
                "interface conversion: interface {{}} is {}, not string",
                k.type_name()
            )));
        };
        let Some(step) = cur.get(k) else {
            return Ok(def);
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        match step {
            Value::Map(m) => cur = m,
            other => {
                return Err(FuncError::msg(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    other.type_name()
                )));
            }
        }
    }
    Ok(def)
}

pub(super) fn register(m: &mut FuncMap) {
    variadic(m, "dict", |a| {
        let mut out = BTreeMap::new();
        for pair in a.chunks(2) {
            let v = pair.get(1).cloned().unwrap_or_else(|| Value::from(""));
            out.insert(strval(&pair[0]), v);
        }
        Ok(Value::map(out))
    });
    add(m, "get", &[M, S], |a| {
        Ok(map_arg(&a[0])
            .get(&arg_str(&a[1]))
            .unwrap_or_else(|| Value::from("")))
    });
    add(m, "set", &[M, S, A], |a| {
        let d = map_arg(&a[0]);
        d.insert(arg_str(&a[1]), a[2].clone());
        Ok(Value::Map(d))
    });
    add(m, "unset", &[M, S], |a| {
        let d = map_arg(&a[0]);
        d.remove(&arg_str(&a[1]));
        Ok(Value::Map(d))
    });
    add(m, "hasKey", &[M, S], |a| {
        Ok(Value::Bool(map_arg(&a[0]).contains_key(&arg_str(&a[1]))))
    });
    add_var(m, "pluck", &[S], M, |a| {
        let k = arg_str(&a[0]);
        Ok(Value::list(
            a[1..].iter().filter_map(|d| map_arg(d).get(&k)).collect(),
        ))
    });
    add_var(m, "keys", &[], M, |a| {
        Ok(Value::list(
            a.iter()
                .flat_map(|d| map_arg(d).keys())
                .map(Value::from)
                .collect(),
        ))
    });
    add(m, "values", &[M], |a| {
        Ok(Value::list(
            map_arg(&a[0])
                .entries()
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        ))
    });
    add_var(m, "pick", &[M], S, |a| {
        let d = map_arg(&a[0]);
        let mut out = BTreeMap::new();
        for k in &a[1..] {
            let k = arg_str(k);
            if let Some(v) = d.get(&k) {
                out.insert(k, v);
            }
        }
        Ok(Value::map(out))
    });
    add_var(m, "omit", &[M], S, |a| {
        let omit: Vec<String> = a[1..].iter().map(arg_str).collect();
        Ok(Value::map(
            map_arg(&a[0])
                .entries()
                .into_iter()
                .filter(|(k, _)| !omit.contains(k))
                .collect(),
        ))
    });
    variadic(m, "dig", dig);
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        add_var(m, name, &[M], M, move |a| {
            let dst = map_arg(&a[0]);
            for s in &a[1..] {
                mergo(&dst, &map_arg(s), overwrite);
            }
            Ok(Value::Map(dst))
        });
    }
    add(m, "deepCopy", &[A], |a| Ok(a[0].deep_copy()));
    add(m, "mustDeepCopy", &[A], |a| {
        if a[0].is_nil() {
            return Err(FuncError::msg("copystructure: Copy: nil value"));
        }
        Ok(a[0].deep_copy())
    });
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{check, check_err};

    #[test]
    fn dict_functions() {
        check(&[
            (r#"{{ dict "b" 2 "a" 1 "c" }}"#, "map[a:1 b:2 c:]"),
            (
                r#"{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}"#,
                "map[a:1 b:2]",
            ),
            (
                r#"{{ $d := dict "a" 1 "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }}"#,
                "map[b:2]",
            ),
            (
                r#"{{ get (dict "a" 1) "a" }}|{{ get (dict) "x" }}|{{ hasKey (dict "a" nil) "a" }}"#,
                "1||true",
            ),
            (
                r#"{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}"#,
                "[1 3]",
            ),
            (
                r#"{{ keys (dict "b" 1 "a" 2) | sortAlpha }} {{ values (dict "b" 1 "a" 2) }}"#,
                "[a b] [2 1]",
            ),
            (
                r#"{{ pick (dict "a" 1 "b" 2 "c" 3) "a" "c" }} {{ omit (dict "a" 1 "b" 2) "a" }}"#,
                "map[a:1 c:3] map[b:2]",
            ),
            (
                r#"{{ dig "a" "b" "def" (dict "a" (dict "b" 5)) }} {{ dig "a" "x" "def" (dict "a" (dict)) }}"#,
                "5 def",
            ),
            (
                r#"{{ $d := dict "a" 1 "n" (dict "x" 1) "l" (list 1) "e" "" }}{{ $_ := merge $d (dict "a" 2 "b" 3 "n" (dict "x" 2 "y" 2) "l" (list 2) "e" "filled") }}{{ $d }}"#,
                "map[a:1 b:3 e:filled l:[1] n:map[x:1 y:2]]",
            ),
            (
                r#"{{ $d := dict "a" 1 "n" (dict "x" 1) "l" (list 1) }}{{ $_ := mergeOverwrite $d (dict "a" 2 "n" (dict "y" 2) "l" (list 2) "z" nil) }}{{ $d }}"#,
                "map[a:2 l:[2] n:map[x:1 y:2] z:<nil>]",
            ),
            (
                r#"{{ $a := dict "x" (dict "y" 1) }}{{ $b := deepCopy $a }}{{ $_ := set $b.x "y" 2 }}{{ $a.x.y }}{{ $b.x.y }}"#,
                "12",
            ),
        ]);
        check_err(&[(
            r#"{{ dig "a" "b" "d" (dict "a" "s") }}"#,
            "interface conversion",
        )]);
    }
}
