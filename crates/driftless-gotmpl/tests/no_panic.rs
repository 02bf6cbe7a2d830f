//! proptest: random templates and random data never panic the engine.

use driftless_gotmpl::{MissingKey, TemplateSet, Value};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"s\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "3.5",
    "0x1F",
    "1e3",
    "nil",
    "true",
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "print",
    "printf",
    "\"%d %s %v %q %5.2f %x\"",
    "println",
    "eq",
    "ne",
    "lt",
    "ge",
    "html",
    "js",
    "urlquery",
    "call",
    "/*",
    "*/",
    ",",
    "text",
    "$.a",
    "#",
    "é",
];

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

/// Mostly well-formed templates: nested control structures, pipelines,
/// variables and builtin calls over arbitrary operands.
fn structured_template() -> impl Strategy<Value = String> {
    let operand = prop::sample::select(vec![
        ".",
        ".a",
        ".b.c",
        ".a.b",
        "$",
        "$.a",
        "1",
        "-2",
        "3.5",
        "0x10",
        "'x'",
        "\"s\"",
        "`r`",
        "nil",
        "true",
        "false",
        "(index . \"a\")",
        "(len .)",
        "(print .a)",
    ])
    .prop_map(str::to_string);
    let func = prop::sample::select(vec![
        "print",
        "printf \"%v %d %s %q %5.2f %x %T\"",
        "println",
        "len",
        "index",
        "slice",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "and",
        "or",
        "not",
        "html",
        "js",
        "urlquery",
        "call",
    ]);
    let cmd = (func, prop::collection::vec(operand.clone(), 0..3))
        .prop_map(|(f, args)| format!("{f} {}", args.join(" ")));
    let pipeline = (
        prop_oneof![operand, cmd.clone()],
        prop::collection::vec(cmd, 0..2),
    )
        .prop_map(|(first, rest)| {
            let mut p = first;
            for r in rest {
                p.push_str(" | ");
                p.push_str(&r);
            }
            p
        });
    let leaf = prop_oneof![
        Just("text\n".to_string()),
        Just("  ".to_string()),
        Just("{{/* c */}}".to_string()),
        pipeline.clone().prop_map(|p| format!("{{{{ {p} }}}}")),
        pipeline.clone().prop_map(|p| format!("{{{{- {p} -}}}}")),
        pipeline
            .clone()
            .prop_map(|p| format!("{{{{ $v := {p} }}}}{{{{ $v }}}}")),
        pipeline
            .clone()
            .prop_map(|p| format!("{{{{ template \"d\" {p} }}}}")),
    ];
    leaf.prop_recursive(4, 40, 4, move |inner| {
        let body = prop::collection::vec(inner, 0..4).prop_map(|v| v.concat());
        (
            prop::sample::select(vec!["if", "with", "range", "range $i, $e :="]),
            pipeline.clone(),
            body.clone(),
            prop::option::of(body),
            any::<bool>(),
        )
            .prop_map(|(kw, p, b, e, brk)| {
                let b = if brk && kw.starts_with("range") {
                    format!("{b}{{{{ break }}}}")
                } else {
                    b
                };
                match e {
                    Some(e) => format!("{{{{ {kw} {p} }}}}{b}{{{{ else }}}}{e}{{{{ end }}}}"),
                    None => format!("{{{{ {kw} {p} }}}}{b}{{{{ end }}}}"),
                }
            })
    })
    .prop_map(|body| format!("{{{{ define \"d\" }}}}[{{{{ . }}}}]{{{{ end }}}}{body}"))
}

fn data() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(if f.is_finite() { f } else { 0.0 })),
        "[a-z%{}]{0,6}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[abc]", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_templates_never_panic(t in template(), d in data(), mk in 0u8..3) {
        let mut set = TemplateSet::new();
        set.set_missing_key(match mk { 0 => MissingKey::Default, 1 => MissingKey::Zero, _ => MissingKey::Error });
        if set.parse("t", &t).is_ok() {
            let _ = set.execute("t", &Value::from(d));
        }
    }

    #[test]
    fn structured_templates_never_panic(t in structured_template(), d in data(), mk in 0u8..3) {
        let mut set = TemplateSet::new();
        set.set_missing_key(match mk { 0 => MissingKey::Default, 1 => MissingKey::Zero, _ => MissingKey::Error });
        set.parse("t", &t).unwrap_or_else(|e| panic!("{t:?} should parse: {e}"));
        let _ = set.execute("t", &Value::from(d));
    }

    #[test]
    fn random_data_never_panics(d in data()) {
        let mut set = TemplateSet::new();
        let t = "{{ range $k, $v := . }}{{ $k }}{{ printf \"%v %d %s %q\" $v $v $v $v }}{{ len $v }}{{ index $v 0 }}{{ eq $v 1 }}{{ end }}{{ .a.b }}{{ with .a }}{{ . }}{{ end }}";
        set.parse("t", t).unwrap();
        let _ = set.execute("t", &Value::from(d.clone()));
        let _ = Value::from(d).to_string();
    }
}
