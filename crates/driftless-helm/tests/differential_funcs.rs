//! Differential tests of the Sprig/Helm functions added for real charts
//! (crypto, certificates, dates, URLs, TOML, `shuffle`), binary files,
//! duplicate keys and `len .Capabilities.APIVersions`, against the real
//! `helm` binary (v4.1.4). Random and time-dependent functions are compared
//! through properties that do not depend on the draw (lengths, prefixes,
//! types); deterministic ones byte for byte; failing templates by the error
//! text.

mod common;

use std::path::{Path, PathBuf};

use common::{run_helm, run_native};

const D: &str = r#"(toDate "2006-01-02" "2024-03-05")"#;

fn snippets() -> Vec<String> {
    let mut v: Vec<String> = [
        r#"{{ derivePassword 1 "long" "password" "user" "example.com" }} {{ derivePassword 3 "pin" "p" "u" "s" }} {{ derivePassword 1 "nope" "p" "u" "s" }}"#,
        r#"{{ htpasswd "admin" "pw" | len }} {{ htpasswd "a:b" "pw" }} {{ bcrypt "pw" | len }} {{ bcrypt "pw" | trunc 7 }}"#,
        r#"{{ encryptAES "k" "hello" | len }} {{ decryptAES "secretkey" "5zk3c4lQPhHGDWX6Pq9shJ6fVPt2Jwa9JLz/jA/wcr2GBCDfIOKAkNVyw868kTD+g5I1sJuvOJcli67jBlLvNg==" }} [{{ encryptAES "k" "" }}] {{ decryptAES "pw" (encryptAES "pw" "round trip") }}"#,
        r#"{{ genPrivateKey "ecdsa" | len }} {{ genPrivateKey "ed25519" | len }} {{ genPrivateKey "x" }} {{ genPrivateKey "ecdsa" | trunc 30 }}"#,
        r#"{{ $ca := genCA "ca" 10 }}{{ typeOf $ca }} {{ kindOf $ca }} {{ $ca.Cert | trunc 27 }} {{ $ca.Key | trunc 31 }} {{ keys (fromJson (toJson $ca)) | sortAlpha }}"#,
        r#"{{ $ca := genCA "ca" 10 }}{{ $c := genSignedCert "svc" (list "10.0.0.1") (list "svc.local") 5 $ca }}{{ $c.Cert | trunc 27 }} {{ $c.Key | trunc 31 }} {{ $s := genSelfSignedCert "self" nil nil 1 }}{{ $s.Key | trunc 31 }}"#,
        r#"{{ $k := genPrivateKey "ecdsa" }}{{ $c := genSelfSignedCertWithKey "e" nil nil 1 $k }}{{ eq $c.Key $k }} {{ $ca := genCAWithKey "ca" 1 $k }}{{ eq $ca.Key $k }} {{ $s := genSignedCertWithKey "s" nil nil 1 $ca (genPrivateKey "ed25519") }}{{ $s.Key | trunc 27 }}"#,
        r#"{{ $ca := genCA "ca" 10 }}{{ $b := buildCustomCert (b64enc $ca.Cert) (b64enc $ca.Key) }}{{ eq $b.Cert $ca.Cert }} {{ typeOf $b }}"#,
        r#"{{ shuffle "aaaa" }} {{ shuffle "" }} {{ shuffle "abcdef" | len }} {{ randBytes 12 | b64dec | len }} {{ uuidv4 | len }}"#,
        r#"{{ urlParse "https://user:p%40ss@Example.com:8443/a%20b/c?x=1&y=2#frag%21" | toJson }} {{ urlParse "mailto:joe@example.com" | toJson }}"#,
        r#"{{ urlParse "HTTP://[::1]:80/x?" | toJson }} {{ urlParse "/p/a:b" | toJson }} {{ urlParse "//h:1" | toJson }}"#,
        r#"{{ urlJoin (dict "scheme" "https" "host" "example.com" "path" "/a b!" "query" "x=1" "fragment" "f g!" "userinfo" "u:p@q") }} {{ urlJoin (dict "path" "a:b") }} {{ urlJoin (dict "host" "h" "path" "p") }} {{ urlJoin (dict "scheme" "mailto" "opaque" "x@y") }}"#,
        r#"{{ getHostByName "localhost" }}|{{ hello }} {{ tuple 1 "a" }} {{ biggest 3 9 2 }} {{ add1f 1.5 }}"#,
        r#"{{ fromToml "a = 1\nf = 1.5\ns = \"x\"\n[t]\nl = [1, 2]" | toJson }} {{ toToml (dict "a" 1 "b" (dict "c" "d")) }}"#,
        r#"{{ typeOf now }} {{ kindOf now }} {{ now | date "2006" | len }} {{ now | unixEpoch | len }} {{ now | htmlDate | len }} {{ ago now }}"#,
        r#"{{ durationRound "2h10m" }} {{ durationRound "-3h" }} {{ durationRound "49h" }} {{ durationRound "1h" }} {{ durationRound "800h" }} {{ durationRound "9000h" }} {{ durationRound "x" }} {{ durationRound 5 }}"#,
        r#"{{ duration "95" }} {{ duration "3600" }} {{ duration "x" }} {{ duration 1.5 }}"#,
        r#"{{ toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T10:11:12.5+02:00" }} {{ toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T10:11:12.5+02:00" | toJson }} {{ toDate "02/01/2006 3:04PM" "05/03/2024 7:08PM" }} {{ toDate "2006-01-02" "x" }}"#,
        r#"{{ toDate "Jan _2 2006 15:04:05.000 MST" "Mar  5 2024 10:11:12.345 UTC" }} {{ toDate "20060102150405" "20240305101112" | date "Monday, 02-Jan-06 15:04:05 MST" }}"#,
        r#"{{ toDate "2006-01-02T15:04:05Z" "2024-03-05T10:11:12Z" | date "3:04:05 PM .000 .999 002 __2 Z07:00 -0700 -07" }}"#,
        r#"{{ semverCompare ">=1.19-0" "1.20.0-gke.1" }} {{ semverCompare ">=1.19" "1.20.0-gke.1" }} {{ semverCompare "~1.2" "1.2.9" }} {{ semverCompare "~1.2" "1.3.0" }} {{ semverCompare "^0.2.3" "0.2.9" }} {{ semverCompare "^0.2.3" "0.3.0" }}"#,
        r#"{{ semverCompare ">= 1.2, < 2" "1.9.9" }} {{ semverCompare "1.2.x || >3" "3.0.1" }} {{ semverCompare "1.2 - 1.4.5" "1.4.6" }} {{ semverCompare "v1.2.3" "1.2.3" }} {{ semverCompare "=1.2.3" "v1.2.3" }} {{ semverCompare "!=1.2.3" "1.2.4" }}"#,
        r#"{{ semverCompare "*" "1.0.0-alpha" }} {{ semverCompare ">0" "0.0.1-0" }} {{ semverCompare "<1.0.0" "1.0.0-rc.1" }} {{ semverCompare "1.x" "1.99.0" }} {{ semverCompare "~>1.2.3" "1.2.10" }} {{ semverCompare ">1.2.3-alpha.1" "1.2.3-alpha.10" }}"#,
        r#"{{ typeOf (add 1 2) }} {{ kindOf (mul 2 3) }} {{ duration 90 }} {{ duration (add 90 0) }} {{ durationRound (mul 1000000000 90) }} {{ durationRound 90 }} {{ deepEqual (add 1 2) 3 }} {{ eq (add 1 2) 3 }} {{ lt (sub 5 1) 5 }}"#,
        r#"{{ printf "%T %d %v %T" (int64 3) (sub 5 1) (max 1 9) (min 1 2) }} {{ typeOf (toDecimal "0777") }} {{ typeOf (len "x") }} {{ index (list 1 2 3) (add 1 1) }} {{ range $i, $e := until 2 }}{{ typeOf $e }}{{ end }} {{ typeOf (fromToml "a = 1").a }} {{ typeOf (int 3) }} {{ add 1 2 | toJson }} {{ div 7 2 | toString }}"#,
        r#"{{ (semver "1.2.3-beta.1+build.5").Major }} {{ (semver "v1.2").Minor }} {{ (semver "1.2.3-beta.1+build.5").Prerelease }} {{ (semver "1.2.3-beta.1+build.5").Metadata }} {{ (semver "1.2.3+b").Original }}"#,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for s in [
        "{{ @D }} {{ @D | toYaml }} {{ date \"Jan 2, 2006 15:04 MST\" @D }} {{ htmlDate @D }} {{ htmlDateInZone @D \"UTC\" }}",
        "{{ @D | dateModify \"1.5h\" }} {{ @D | dateModify \"-90m\" | date \"15:04\" }} {{ dateModify \"x\" @D }} {{ date_modify \"10s\" @D }} {{ mustDateModify \"1h\" @D }}",
        "{{ @D | unixEpoch }} {{ @D.Year }} {{ @D.Month }} {{ @D.Day }} {{ @D.Weekday }} {{ @D.YearDay }} {{ @D.Unix }} {{ @D.Format \"06/01/02\" }} {{ @D.UTC }}",
        "{{ dateInZone \"2006-01-02 15:04 MST -0700\" @D \"America/New_York\" }} {{ dateInZone \"15:04 MST\" (@D | dateModify \"3000h\") \"Europe/Paris\" }} {{ htmlDateInZone @D \"Asia/Tokyo\" }}",
        "{{ dateInZone \"2006-01-02 15:04 MST\" @D \"UTC\" }} {{ date_in_zone \"15:04\" @D \"Nowhere/Zone\" }} {{ date \"2006-01-02 15:04\" 86400 }} {{ durationRound @D | len }}",
    ] {
        v.push(s.replace("@D", D));
    }
    v
}

const ERRORS: &[&str] = &[
    r#"x: {{ genSelfSignedCert "a" (list "1.2.3.4" "bad") nil 1 }}"#,
    r#"x: {{ genSelfSignedCert "a" (list 1) nil 1 }}"#,
    r#"x: {{ genSelfSignedCert "a" nil (list 1) 1 }}"#,
    r#"x: {{ genCAWithKey "a" 1 "garbage" }}"#,
    r#"x: {{ genSignedCert "a" nil nil 1 (dict "Cert" "x" "Key" "y") }}"#,
    r#"x: {{ buildCustomCert "!!" "x" }}"#,
    r#"x: {{ buildCustomCert "YWJj" "YWJj" }}"#,
    r#"x: {{ decryptAES "k" "!!!" }}"#,
    r#"x: {{ decryptAES "k" "YWJj" }}"#,
    r#"x: {{ mustToDate "2006-01-02" "x" }}"#,
    r#"x: {{ mustToDate "2006-01-02" "2024-13-01" }}"#,
    r#"x: {{ mustToDate "2006-01-02" "2024-01-01x" }}"#,
    r#"x: {{ mustDateModify "x" (toDate "2006-01-02" "2024-03-05") }}"#,
    r#"x: {{ unixEpoch "x" }}"#,
    r#"x: {{ dateModify "1h" "2024" }}"#,
    r#"x: {{ urlParse "http://host:port/" }}"#,
    r#"x: {{ urlParse "%zz" }}"#,
    r#"x: {{ urlParse ":x" }}"#,
    r#"x: {{ urlParse "http://a b.com/" }}"#,
    r#"x: {{ urlJoin (dict "scheme" 1) }}"#,
    r#"x: {{ mustToToml 1 }}"#,
    r#"x: {{ semverCompare ">=1.2" "not-a-version" }}"#,
    r#"x: {{ semverCompare "bad constraint!" "1.2.3" }}"#,
    r#"x: {{ semver "1.2.3.4" }}"#,
    r#"x: {{ repeat (add 1 1) "x" }}"#,
    r#"x: {{ until (int64 2) }}"#,
    r#"x: {{ mustToYaml (dict "a" (printf "%c" 127)) }}"#,
];

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("driftless-difffn-{}-{name}", std::process::id()))
}

fn write_chart(dir: &Path, templates: &[(String, String)]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::create_dir_all(dir.join("files")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: gen\nversion: 0.1.0\n",
    )
    .unwrap();
    let blob: Vec<u8> = (0..=255u8).chain([0xff, 0xfe, 0x80, b'\n']).collect();
    std::fs::write(dir.join("files/blob.bin"), blob).unwrap();
    std::fs::write(dir.join("files/text.txt"), "héllo\n").unwrap();
    for (name, text) in templates {
        std::fs::write(dir.join("templates").join(name), text).unwrap();
    }
}

#[test]
fn new_functions_match_helm_binary() {
    let dir = tmp("ok");
    let snippets = snippets();
    let templates = common::snippet_templates(&snippets);
    write_chart(&dir, &templates);
    let native = run_native(&common::template_gen_args(), &dir, None);
    let helm = run_helm(&common::template_gen_args(), &dir, None);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(helm.error, None, "helm failed on the generated chart");
    assert_eq!(native.error, None, "native render failed");
    let (n, h) = (
        common::parse_stream(&native.stdout).unwrap(),
        common::parse_stream(&helm.stdout).unwrap(),
    );
    assert_eq!(n.len(), h.len());
    let diffs: Vec<String> = n
        .iter()
        .zip(h.iter())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| {
            format!(
                "snippet {i} {:?}\n  native {a:?}\n  helm   {b:?}",
                snippets[i]
            )
        })
        .collect();
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn binary_files_duplicate_keys_and_api_versions_match_helm_binary() {
    let dir = tmp("files");
    let t = r#"apiVersion: v1
kind: Secret
metadata:
  name: s
  labels:
    app: first
    app: second
data:
  blob: {{ .Files.Get "files/blob.bin" | b64enc }}
  sum: {{ .Files.Get "files/blob.bin" | sha256sum | b64enc }}
  bytes: {{ .Files.GetBytes "files/blob.bin" | len | toString | b64enc }}
  text: {{ .Files.Get "files/text.txt" | b64enc }}
  n: {{ len .Capabilities.APIVersions | toString | b64enc }}
  rt: {{ .Files.Get "files/blob.bin" | b64enc | b64dec | b64enc | sha1sum | b64enc }}
  len: {{ .Files.Get "files/blob.bin" | len | toString | b64enc }}
{{ (.Files.Glob "files/*").AsSecrets | indent 2 }}
  cfg: {{ (.Files.Glob "files/*").AsConfig | b64enc }}
  y: {{ toYaml (dict "a" (printf "%c" 127)) | len }} {{ toYaml (printf "%c" 159) | len }} {{ toYaml (printf "%c" 65535) | len }} {{ toYaml (printf "%c" 65279) | len }} {{ toYaml (dict (printf "%c" 127) 1) | len }}
stringData:
  x: a
  x: b
"#;
    write_chart(&dir, &[("s.yaml".into(), t.into())]);
    let native = run_native(&common::template_gen_args(), &dir, None);
    let helm = run_helm(&common::template_gen_args(), &dir, None);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(helm.error, None);
    assert_eq!(native.error, None);
    assert_eq!(native.stdout, helm.stdout);
}

#[test]
fn new_function_errors_match_helm_binary() {
    let diffs = common::error_case_diffs(ERRORS, |i| tmp(&format!("err{i}")), write_chart);
    assert!(diffs.is_empty(), "errors differ:\n{}", diffs.join("\n"));
}
