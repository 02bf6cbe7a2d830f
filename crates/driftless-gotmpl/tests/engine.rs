//! Engine behaviour beyond the helm-recorded cases: Go's own formats for
//! errors, `missingkey` modes, template sets, functions that re-enter the
//! engine (`include`/`tpl` style), objects, `call`, `slice`.

use std::sync::Arc;

use driftless_gotmpl::{
    ArgType, Error, FuncError, FuncMap, Function, MissingKey, Object, Signature, TemplateSet, Value,
};
use serde_json::json;

fn run_with(set: &mut TemplateSet, tmpl: &str, data: serde_json::Value) -> Result<String, String> {
    set.parse("t", tmpl).map_err(|e| e.to_string())?;
    set.execute("t", &Value::from(data))
        .map_err(|e| e.to_string())
}

fn run(tmpl: &str, data: serde_json::Value) -> Result<String, String> {
    run_with(&mut TemplateSet::new(), tmpl, data)
}

#[test]
fn go_error_formats() {
    let cases: &[(&str, &str)] = &[
        ("{{ .a", "template: t:1: unclosed action"),
        ("{{ if 1 }}", "template: t:1: unexpected EOF"),
        ("x\n{{ 3x }}", "template: t:2: bad number syntax: \"3x\""),
        (
            "{{ nosuch 1 }}",
            "template: t:1: function \"nosuch\" not defined",
        ),
        (
            "{{ 'ab' }}",
            "template: t:1: malformed character constant: 'ab'",
        ),
        (
            "{{ 99999999999999999999 }}",
            "template: t:1: integer overflow: \"99999999999999999999\"",
        ),
        (
            "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
            "template: t:1: template: multiple definition of template \"a\"",
        ),
        (
            "a\n  {{ index 1 2 }}",
            "template: t:2:5: executing \"t\" at <index 1 2>: error calling index: can't index item of type int",
        ),
        (
            "{{ template \"x\" }}",
            "template: t:1:12: executing \"t\" at <{{template \"x\"}}>: template \"x\" not defined",
        ),
    ];
    for (tmpl, want) in cases {
        assert_eq!(run(tmpl, json!({})).unwrap_err(), *want, "{tmpl}");
    }
}

#[test]
fn missingkey_modes() {
    let data = json!({"m": {"a": 1}});
    // default: no value, chains through missing keys without error
    assert_eq!(
        run("{{ .m.x }}|{{ .m.x.y }}", data.clone()).unwrap(),
        "<no value>|<no value>"
    );
    let mut zero = TemplateSet::new();
    zero.set_missing_key(MissingKey::Zero);
    assert_eq!(
        run_with(&mut zero, "{{ .m.x }}", data.clone()).unwrap(),
        "<no value>"
    );
    assert_eq!(
        run_with(&mut zero, "{{ .m.x.y }}", data.clone()).unwrap_err(),
        "template: t:1:5: executing \"t\" at <.m.x.y>: nil pointer evaluating interface {}.y"
    );
    let mut strict = TemplateSet::new();
    strict.set_missing_key(MissingKey::Error);
    assert_eq!(
        run_with(&mut strict, "{{ .m.x }}", data.clone()).unwrap_err(),
        "template: t:1:5: executing \"t\" at <.m.x>: map has no entry for key \"x\""
    );
    assert_eq!(
        run_with(&mut strict, "{{ $v := index .m \"zz\" }}{{ $v.q }}", data).unwrap_err(),
        "template: t:1:30: executing \"t\" at <$v.q>: nil data; no entry for key \"q\""
    );
}

#[test]
fn sets_share_defines_across_files() {
    let mut set = TemplateSet::new();
    set.set_name("gotpl");
    set.parse("helpers.tpl", "{{ define \"name\" }}{{ .n }}-app{{ end }}")
        .unwrap();
    set.parse("a.yaml", "a: {{ template \"name\" . }}").unwrap();
    set.parse("b.yaml", "{{ block \"name\" . }}default{{ end }}")
        .unwrap();
    // a later non-empty definition replaces (block in b.yaml redefines "name")
    let d = Value::from(json!({"n": "x"}));
    assert_eq!(set.execute("a.yaml", &d).unwrap(), "a: default");
    // an empty definition does not replace a non-empty one
    set.parse("c.yaml", "{{ define \"name\" }}  {{ end }}")
        .unwrap();
    assert_eq!(set.execute("b.yaml", &d).unwrap(), "default");
    assert_eq!(
        set.execute("nope", &d).unwrap_err().to_string(),
        "template: no template \"nope\" associated with template \"gotpl\""
    );
    assert!(set.template_names().contains(&"helpers.tpl".to_string()));
    // error location names the file holding the define and the define's name
    let mut s2 = TemplateSet::new();
    s2.parse("_h.tpl", "{{ define \"d\" }}\n {{ .x.y }}{{ end }}")
        .unwrap();
    s2.parse("m", "{{ template \"d\" . }}").unwrap();
    let mut strict = s2.clone();
    strict.set_missing_key(MissingKey::Error);
    assert_eq!(
        strict
            .execute("m", &Value::from(json!({})))
            .unwrap_err()
            .to_string(),
        "template: _h.tpl:2:6: executing \"d\" at <.x.y>: map has no entry for key \"x\""
    );
}

fn helm_like_funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.add(
        "include",
        Signature::fixed(&[ArgType::String, ArgType::Any]),
        |ctx, a| {
            Ok(Value::from(
                ctx.execute_template(a[0].as_str().unwrap(), &a[1])?,
            ))
        },
    );
    f.add(
        "tpl",
        Signature::fixed(&[ArgType::String, ArgType::Any]),
        |ctx, a| {
            Ok(Value::from(ctx.execute_text(
                "gotpl",
                a[0].as_str().unwrap(),
                &a[1],
            )?))
        },
    );
    f.add("upper", Signature::fixed(&[ArgType::String]), |_, a| {
        Ok(Value::from(a[0].as_str().unwrap().to_uppercase()))
    });
    f.add("fail", Signature::fixed(&[ArgType::String]), |_, a| {
        Err(FuncError::msg(a[0].as_str().unwrap()))
    });
    f.add(
        "set",
        Signature::fixed(&[ArgType::Map, ArgType::String, ArgType::Any]),
        |_, a| {
            a[0].as_map()
                .unwrap()
                .insert(a[1].as_str().unwrap(), a[2].clone());
            Ok(a[0].clone())
        },
    );
    f.add("list", Signature::variadic(&[], ArgType::Any), |_, a| {
        Ok(Value::list(a.to_vec()))
    });
    f
}

#[test]
fn functions_reenter_the_engine() {
    let mut set = TemplateSet::with_funcs(helm_like_funcs());
    set.parse("_h.tpl", "{{ define \"lbl\" }}app={{ .name }}{{ end }}")
        .unwrap();
    let data = json!({"name": "web", "t": "{{ .name | upper }}-{{ include \"lbl\" . }}"});
    assert_eq!(
        run_with(
            &mut set,
            "{{ include \"lbl\" . | upper }}|{{ tpl .t . }}",
            data.clone()
        )
        .unwrap(),
        "APP=WEB|WEB-app=web"
    );
    // defines inside tpl text do not leak into the set
    assert_eq!(
        run_with(
            &mut set,
            "{{ tpl \"{{ define \\\"z\\\" }}Z{{ end }}{{ template \\\"z\\\" }}\" . }}",
            data.clone()
        )
        .unwrap(),
        "Z"
    );
    assert!(!set.has_template("z"));
    // function errors and nested template errors are reported as Go does
    assert_eq!(
        run_with(&mut set, "{{ fail \"boom\" }}", data.clone()).unwrap_err(),
        "template: t:1:3: executing \"t\" at <fail \"boom\">: error calling fail: boom"
    );
    assert_eq!(
        run_with(&mut set, "x {{ include \"nope\" . }}", data.clone()).unwrap_err(),
        "template: t:1:5: executing \"t\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"\""
    );
    // the nested error is also available structured
    set.parse("t", "{{ include \"bad\" . }}").unwrap();
    set.parse(
        "_b.tpl",
        "{{ define \"bad\" }}{{ fail \"inner\" }}{{ end }}",
    )
    .unwrap();
    let Err(Error::Exec(e)) = set.execute("t", &Value::Nil) else {
        panic!("error expected")
    };
    let Some(cause) = e.cause.as_deref() else {
        panic!("cause expected")
    };
    let Error::Exec(inner) = cause else {
        panic!("exec cause")
    };
    assert_eq!(inner.message, "error calling fail: inner");
    assert_eq!(inner.location.as_ref().unwrap().parse_name, "_b.tpl");
    assert_eq!(
        run_with(&mut set, "{{ upper 3 }}", data.clone()).unwrap_err(),
        "template: t:1:9: executing \"t\" at <3>: expected string; found 3"
    );
    assert_eq!(
        run_with(&mut set, "{{ upper .missing }}", data.clone()).unwrap_err(),
        "template: t:1:9: executing \"t\" at <.missing>: invalid value; expected string"
    );
    assert_eq!(
        run_with(&mut set, "{{ upper }}", data.clone()).unwrap_err(),
        "template: t:1:3: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0"
    );
    // Go maps are references: set mutates what $d refers to
    assert_eq!(
        run_with(
            &mut set,
            "{{ $d := .m }}{{ $_ := set $d \"k\" 1 }}{{ .m.k }}",
            json!({"m": {}})
        )
        .unwrap(),
        "1"
    );
    assert_eq!(
        run_with(&mut set, "{{ list 1 \"a\" nil }}", data).unwrap(),
        "[1 a <nil>]"
    );
}

#[derive(Debug)]
struct Release;

impl Object for Release {
    fn type_name(&self) -> String {
        "*release.Release".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "Name").then(|| Value::from("rel"))
    }
    fn method(&self, name: &str) -> Option<Function> {
        (name == "Has").then(|| {
            Function::new(Signature::fixed(&[ArgType::String]), |_, a| {
                Ok(Value::Bool(a[0].as_str() == Some("v1")))
            })
        })
    }
}

#[test]
fn objects_fields_methods_and_call() {
    let mut m = std::collections::BTreeMap::new();
    m.insert("R".to_string(), Value::Object(Arc::new(Release)));
    m.insert(
        "F".to_string(),
        Value::Func(Function::new(
            Signature::fixed(&[ArgType::Int, ArgType::Int]),
            |_, a| match (&a[0], &a[1]) {
                (Value::Int(x), Value::Int(y)) => Ok(Value::Int(x + y)),
                _ => Err(FuncError::msg("ints please")),
            },
        )),
    );
    let data = Value::map(m);
    let mut set = TemplateSet::new();
    let mut go = |t: &str| {
        set.parse("t", t).map_err(|e| e.to_string())?;
        set.execute("t", &data).map_err(|e| e.to_string())
    };
    assert_eq!(
        go("{{ .R.Name }} {{ .R.Has \"v1\" }} {{ .R.Has \"v2\" }}").unwrap(),
        "rel true false"
    );
    assert_eq!(
        go("{{ .R.Nope }}").unwrap_err(),
        "template: t:1:5: executing \"t\" at <.R.Nope>: can't evaluate field Nope in type interface {}"
    );
    // held directly (not in an interface{} container) Go names the type
    let mut s2 = TemplateSet::new();
    s2.parse("t", "{{ .Nope }}").unwrap();
    assert_eq!(
        s2.execute("t", &Value::Object(Arc::new(Release)))
            .unwrap_err()
            .to_string(),
        "template: t:1:3: executing \"t\" at <.Nope>: can't evaluate field Nope in type *release.Release"
    );
    assert_eq!(go("{{ call .F 2 3 }}").unwrap(), "5");
    assert_eq!(
        go("{{ call .F 2 }}").unwrap_err(),
        "template: t:1:3: executing \"t\" at <call .F 2>: error calling call: wrong number of args for .F: got 1 want 2"
    );
    assert_eq!(
        go("{{ call .F 2 \"x\" }}").unwrap_err(),
        "template: t:1:3: executing \"t\" at <call .F 2 \"x\">: error calling call: arg 1: value has type string; should be int"
    );
    assert_eq!(
        go("{{ .F }}").unwrap_err(),
        "template: t:1:3: executing \"t\" at <{{.F}}>: can't print {{.F}} of type func(int, int) interface {}"
    );
}

#[test]
fn go_slice_builtin() {
    let d = json!({"l": [1, 2, 3], "s": "hello"});
    assert_eq!(
        run(
            "{{ slice .l 1 }}|{{ slice .l 0 2 }}|{{ slice .s 1 3 }}|{{ slice .l }}",
            d.clone()
        )
        .unwrap(),
        "[2 3]|[1 2]|el|[1 2 3]"
    );
    assert_eq!(
        run("{{ slice .l 2 1 }}", d.clone()).unwrap_err(),
        "template: t:1:3: executing \"t\" at <slice .l 2 1>: error calling slice: invalid slice index: 2 > 1"
    );
    assert_eq!(
        run("{{ slice .s 0 1 2 }}", d).unwrap_err(),
        "template: t:1:3: executing \"t\" at <slice .s 0 1 2>: error calling slice: cannot 3-index slice a string"
    );
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let mut set = TemplateSet::new();
    set.parse(
        "t",
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
    )
    .unwrap();
    let err = set.execute("t", &Value::Nil).unwrap_err();
    assert!(matches!(err, Error::Exec(_)));
    assert!(
        err.to_string()
            .ends_with("exceeded maximum template depth (100000)"),
        "{err}"
    );
}

#[test]
fn whitespace_is_byte_exact() {
    let t = "a:\n  {{- range .l }}\n  - {{ . }}\n  {{- end }}\nb: {{ .s -}}\n\n  \nc\n";
    assert_eq!(
        run(t, json!({"l": [1, 2], "s": "x"})).unwrap(),
        "a:\n  - 1\n  - 2\nb: xc\n"
    );
}

#[test]
fn sets_and_values_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TemplateSet>();
    assert_send_sync::<Value>();
    assert_send_sync::<Error>();
}

#[test]
fn values_convert_and_print_like_go() {
    let j = json!({"i": 3, "f": 2.5, "big": 1e6, "s": "x", "n": null, "b": true, "l": [1, [2]], "m": {"z": 1, "a": {}}});
    let v = Value::from(j.clone());
    assert_eq!(v.to_json(), j);
    assert_eq!(
        v.to_string(),
        "map[b:true big:1e+06 f:2.5 i:3 l:[1 [2]] m:map[a:map[] z:1] n:<nil> s:x]"
    );
    assert_eq!(Value::NoValue.to_string(), "<no value>");
    assert_eq!(Value::Uint(u64::MAX).to_json(), json!(u64::MAX));
    assert!(matches!(Value::from(json!(1)), Value::Int(1)));
    assert!(matches!(Value::from(json!(1.0)), Value::Float(_)));
    // truthiness
    for (x, t) in [
        (json!(0), false),
        (json!(0.0), false),
        (json!(""), false),
        (json!([]), false),
        (json!({}), false),
        (json!(null), false),
        (json!(false), false),
        (json!(1), true),
        (json!("0"), true),
        (json!([0]), true),
    ] {
        assert_eq!(Value::from(x.clone()).is_true(), t, "{x}");
    }
}

#[test]
fn maps_are_shared_references() {
    let v = Value::from(json!({"a": {"b": 1}}));
    let inner = v.as_map().unwrap().get("a").unwrap();
    inner.as_map().unwrap().insert("c", Value::from(2));
    assert_eq!(v.to_string(), "map[a:map[b:1 c:2]]");
    let copy = v.deep_copy();
    copy.as_map()
        .unwrap()
        .get("a")
        .unwrap()
        .as_map()
        .unwrap()
        .remove("b");
    assert_eq!(v.to_string(), "map[a:map[b:1 c:2]]");
    assert_eq!(copy.to_string(), "map[a:map[c:2]]");
    assert_eq!(v, Value::from(json!({"a": {"b": 1, "c": 2}})));
}

#[test]
fn self_containing_maps_do_not_hang_or_crash() {
    let m = driftless_gotmpl::Map::new();
    m.insert("self", Value::Map(m.clone()));
    let v = Value::Map(m);
    let mut set = TemplateSet::new();
    set.parse("t", "{{ . }}|{{ printf \"%v\" . }}|{{ eq 1 1 }}")
        .unwrap();
    let out = set.execute("t", &v).unwrap();
    assert!(out.starts_with("map[self:map[self:") && out.contains("..."));
    let _ = v.to_json();
    let _ = v.deep_copy();
    assert!(v == v.clone());
}

#[test]
fn typed_maps_give_their_element_zero() {
    let mut ann = std::collections::BTreeMap::new();
    ann.insert("a".to_string(), Value::from("x"));
    let typed = driftless_gotmpl::Map::typed(ann, Value::from(""));
    let data = Value::map(
        [("ann".to_string(), Value::Map(typed))]
            .into_iter()
            .collect(),
    );
    let mut set = TemplateSet::new();
    set.set_missing_key(MissingKey::Zero);
    set.parse(
        "t",
        "[{{ .ann.a }}][{{ .ann.b }}][{{ index .ann \"b\" }}][{{ printf \"%T %q\" .ann .ann.b }}]",
    )
    .unwrap();
    assert_eq!(
        set.execute("t", &data).unwrap(),
        "[x][][][map[string]string \"\"]"
    );
    set.parse("u", "{{ .ann.a.b }}").unwrap();
    assert_eq!(
        set.execute("u", &data).unwrap_err().to_string(),
        "template: u:1:7: executing \"u\" at <.ann.a.b>: can't evaluate field b in type string"
    );
}
