//! Wildcard keys with the syntax of Argo CD's glob library.

use driftless_health::glob::Glob;

#[test]
fn wildcard_syntax() {
    let cases = [
        ("*", "anything/at all", true),
        ("*/*", "Service", false),
        ("*.io/*", "cert-manager.io/Certificate", true),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("[a-c]x", "bx", true),
        ("[a-c]x", "dx", false),
        ("[!a-c]x", "dx", true),
        ("{apps,batch}/*", "batch/Job", true),
        ("{apps,batch}/*", "policy/PodDisruptionBudget", false),
        ("{a,{b,c}d}e", "cde", true),
        ("{a,{b,c}d}e", "ae", true),
        ("{a,{b,c}d}e", "de", false),
        ("\\*", "*", true),
        ("\\*", "x", false),
        // Malformed: the pattern matches only itself.
        ("[abc", "[abc", true),
        ("[abc", "a", false),
        ("{a,b", "{a,b", true),
    ];
    for (pattern, text, want) in cases {
        assert_eq!(Glob::new(pattern).matches(text), want, "{pattern} ~ {text}");
    }
    assert!(Glob::is_wildcard("{apps,batch}/Job") && !Glob::is_wildcard("apps/Deployment"));
}
