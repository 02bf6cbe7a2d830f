//! Property tests of manifest parsing.

use driftless_render::docs::{parse_json, parse_yaml};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any text gives objects or an error naming the file, never a panic.
    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,400}") {
        if let Err(e) = parse_yaml("x.yaml", &text, 100) {
            prop_assert!(e.to_string().starts_with("x.yaml:"), "{}", e);
        }
        if let Err(e) = parse_json("x.json", &text, 100) {
            prop_assert!(e.to_string().starts_with("x.json:"), "{}", e);
        }
    }

    /// A stream of objects, with empty documents and comments in between,
    /// comes back in order, each with the line of its first key.
    #[test]
    fn streams_keep_order_and_lines(
        objs in proptest::collection::vec(("[a-z][a-z0-9-]{0,12}", 0u32..1000, any::<bool>(), any::<bool>()), 1..12)
    ) {
        let mut text = String::new();
        let mut lines = Vec::new();
        for (name, v, empty_before, comment) in &objs {
            if *empty_before {
                text.push_str("---\n");
            }
            text.push_str("---\n");
            if *comment {
                text.push_str("# comment\n");
            }
            lines.push(text.lines().count() + 1);
            text.push_str(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: \"{v}\"\n"));
        }
        let docs = parse_yaml("s.yaml", &text, 100).unwrap();
        prop_assert_eq!(docs.len(), objs.len());
        for ((d, (name, v, _, _)), line) in docs.iter().zip(&objs).zip(&lines) {
            prop_assert_eq!(d.value["metadata"]["name"].as_str(), Some(name.as_str()));
            prop_assert_eq!(d.value["data"]["v"].as_str().map(str::to_string), Some(v.to_string()));
            prop_assert_eq!(d.provenance.line, *line);
        }
    }
}
