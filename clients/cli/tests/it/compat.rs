//! `herald compat`, offline: files, directories, transitive levels, every
//! output format and exit code, and buf's own breaking cases.

use crate::support::{run_in, write_files};

const MONEY_V1: &str =
    r#"{"type":"record","name":"Money","fields":[{"name":"cents","type":"long"}]}"#;
/// Adds a field without a default: the new schema cannot read old data.
const MONEY_V2_BREAKING: &str = "{\n  \"type\": \"record\",\n  \"name\": \"Money\",\n  \"fields\": [\n    {\"name\": \"cents\", \"type\": \"long\"},\n    {\"name\": \"currency\", \"type\": \"string\"}\n  ]\n}\n";
const MONEY_V2_FINE: &str = r#"{"type":"record","name":"Money","fields":[{"name":"cents","type":"long"},{"name":"currency","type":"string","default":"EUR"}]}"#;

#[test]
fn avro_files_compatible_and_not_with_every_format() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_files(
        dir.path(),
        &[
            ("v1.avsc", MONEY_V1),
            ("fine.avsc", MONEY_V2_FINE),
            ("breaking.avsc", MONEY_V2_BREAKING),
        ],
    );
    let fine = run_in(
        dir.path(),
        &["compat", "--old", "v1.avsc", "--new", "fine.avsc"],
    );
    assert_eq!(fine.code, 0, "{fine:?}");
    assert!(fine.stdout.contains("fine.avsc: compatible"), "{fine:?}");

    let text = run_in(
        dir.path(),
        &["compat", "--old", "v1.avsc", "--new", "breaking.avsc"],
    );
    assert_eq!(text.code, 1, "{text:?}");
    assert!(
        text.stdout.contains(
            "breaking.avsc:6:5: READER_FIELD_MISSING_DEFAULT_VALUE: The field 'currency'"
        ),
        "{text:?}"
    );

    let json = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "v1.avsc",
            "--new",
            "breaking.avsc",
            "--format",
            "json",
        ],
    );
    assert_eq!(json.code, 1);
    let report = json.json();
    assert_eq!(report["compatible"], false);
    let finding = &report["results"][0]["findings"][0];
    assert_eq!(finding["rule"], "READER_FIELD_MISSING_DEFAULT_VALUE");
    assert_eq!(
        (
            finding["file"].as_str(),
            finding["line"].as_u64(),
            finding["column"].as_u64()
        ),
        (Some("breaking.avsc"), Some(6), Some(5))
    );
    assert!(
        finding.get("end_line").is_none(),
        "unknown locations are left out"
    );

    let github = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "v1.avsc",
            "--new",
            "breaking.avsc",
            "--format",
            "github",
        ],
    );
    assert!(
        github.stdout.starts_with(
            "::error file=breaking.avsc,line=6,col=5,title=READER_FIELD_MISSING_DEFAULT_VALUE::"
        ),
        "{github:?}"
    );

    let junit = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "v1.avsc",
            "--new",
            "breaking.avsc",
            "--format",
            "junit",
        ],
    );
    assert!(
        junit
            .stdout
            .contains(r#"<testsuites name="herald" tests="1" failures="1">"#),
        "{junit:?}"
    );
    assert!(
        junit
            .stdout
            .contains("<failure message=\"1 incompatible change(s)\""),
        "{junit:?}"
    );
}

#[test]
fn transitive_levels_check_every_old_version() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let record = |fields: &str| format!(r#"{{"type":"record","name":"R","fields":[{fields}]}}"#);
    let v1 = record(r#"{"name":"a","type":"int"}"#);
    let v2 = record(r#"{"name":"a","type":"int"},{"name":"b","type":"int","default":0}"#);
    // Reads v2's data (b is there) but not v1's (b has no default).
    let new = record(r#"{"name":"a","type":"int"},{"name":"b","type":"int"}"#);
    write_files(
        dir.path(),
        &[("v1.avsc", &v1), ("v2.avsc", &v2), ("new.avsc", &new)],
    );
    let args = [
        "compat", "--old", "v1.avsc", "--old", "v2.avsc", "--new", "new.avsc", "--level",
    ];
    let latest_only = run_in(dir.path(), &[&args[..], &["BACKWARD"]].concat());
    assert_eq!(latest_only.code, 0, "{latest_only:?}");
    let transitive = run_in(dir.path(), &[&args[..], &["BACKWARD_TRANSITIVE"]].concat());
    assert_eq!(transitive.code, 1, "{transitive:?}");
    assert!(
        transitive
            .stdout
            .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
    );
}

#[test]
fn protobuf_imports_and_json_refs_resolve_next_to_the_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_files(
        dir.path(),
        &[
            (
                "old/shop/money.proto",
                "syntax = \"proto3\";\npackage shop;\nmessage Money { int64 cents = 1; }\n",
            ),
            (
                "old/shop/order.proto",
                "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Order { Money total = 1; string id = 2; }\n",
            ),
            (
                "new/shop/money.proto",
                "syntax = \"proto3\";\npackage shop;\nmessage Money { int64 cents = 1; }\n",
            ),
            (
                "new/shop/order.proto",
                "syntax = \"proto3\";\npackage shop;\nimport \"shop/money.proto\";\nmessage Order { Money total = 1; int32 id = 2; }\n",
            ),
            (
                "old/money.json",
                r#"{"type":"object","properties":{"cents":{"type":"integer"}}}"#,
            ),
            (
                "old/order.json",
                r#"{"type":"object","properties":{"total":{"$ref":"money.json"}}}"#,
            ),
            (
                "new/money.json",
                r#"{"type":"object","properties":{"cents":{"type":"string"}}}"#,
            ),
            (
                "new/order.json",
                r#"{"type":"object","properties":{"total":{"$ref":"money.json"}}}"#,
            ),
        ],
    );
    let proto = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "old/shop/order.proto",
            "--new",
            "new/shop/order.proto",
            "--format",
            "json",
        ],
    );
    assert_eq!(proto.code, 1, "{proto:?}");
    assert_eq!(
        proto.json()["results"][0]["findings"][0]["rule"],
        "FIELD_SCALAR_KIND_CHANGED",
        "{proto:?}"
    );
    let wire = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "old/shop/order.proto",
            "--new",
            "new/shop/order.proto",
            "--rules",
            "FIELD_SAME_TYPE",
            "--format",
            "json",
        ],
    );
    let finding = &wire.json()["results"][0]["findings"][0];
    assert_eq!(
        (finding["rule"].as_str(), finding["line"].as_u64()),
        (Some("FIELD_SAME_TYPE"), Some(4)),
        "{wire:?}"
    );
    assert_eq!(finding["file"], "new/shop/order.proto");
    let json = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "old/order.json",
            "--new",
            "new/order.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(json.code, 1, "{json:?}");
    assert_eq!(
        json.json()["results"][0]["findings"][0]["path"],
        "#/properties/total/properties/cents"
    );
    // LENIENT lets an open object gain an optional property.
    write_files(
        dir.path(),
        &[(
            "new/wider.json",
            r#"{"type":"object","properties":{"total":{"$ref":"money.json"},"note":{"type":"string"}}}"#,
        )],
    );
    let strict = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "old/order.json",
            "--new",
            "new/wider.json",
            "--type",
            "json",
        ],
    );
    assert!(
        strict
            .stdout
            .contains("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"),
        "{strict:?}"
    );
}

/// Avro named types defined in other files of the directory resolve
/// offline, as proto imports and JSON `$ref`s do: no registry needed.
#[test]
fn avro_references_resolve_to_the_files_that_define_them() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let money = |currency: &str| {
        format!(
            r#"{{"type":"record","name":"Money","namespace":"com.acme","fields":[{{"name":"cents","type":"long"}}{currency}]}}"#
        )
    };
    let order = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"total","type":"com.acme.Money"}]}"#;
    write_files(
        dir.path(),
        &[
            ("old/money.avsc", &money("")),
            ("old/order.avsc", order),
            (
                "new/money.avsc",
                &money(r#",{"name":"currency","type":"string"}"#),
            ),
            ("new/order.avsc", order),
        ],
    );
    let judged = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "old/order.avsc",
            "--new",
            "new/order.avsc",
            "--format",
            "json",
        ],
    );
    // The new Money's field without a default breaks BACKWARD: the
    // reference was followed into money.avsc.
    assert_eq!(judged.code, 1, "{judged:?}");
    assert_eq!(
        judged.json()["results"][0]["findings"][0]["rule"],
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "{judged:?}"
    );
    let same = run_in(
        dir.path(),
        &[
            "compat",
            "--old",
            "old/order.avsc",
            "--new",
            "old/order.avsc",
        ],
    );
    assert_eq!(same.code, 0, "{same:?}");
    // A type defined elsewhere is named with --ref; without it, the
    // reference is unknown and the schema invalid.
    write_files(
        dir.path(),
        &[
            ("shared/cash.avsc", &money("").replace("Money", "Cash")),
            (
                "lone/order.avsc",
                &order.replace("com.acme.Money", "com.acme.Cash"),
            ),
        ],
    );
    let args = [
        "compat",
        "--old",
        "lone/order.avsc",
        "--new",
        "lone/order.avsc",
    ];
    assert_eq!(run_in(dir.path(), &args).code, 1);
    let given = run_in(
        dir.path(),
        &[&args[..], &["--ref", "com.acme.Cash=shared/cash.avsc"]].concat(),
    );
    assert_eq!(given.code, 0, "{given:?}");
    assert_eq!(
        run_in(dir.path(), &[&args[..], &["--ref", "no-equals"]].concat()).code,
        2
    );
}

#[test]
fn directories_pair_files_by_path() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_files(
        dir.path(),
        &[
            ("old/money.avsc", MONEY_V1),
            ("new/money.avsc", MONEY_V2_BREAKING),
            ("new/extra.avsc", MONEY_V1),
        ],
    );
    let run = run_in(
        dir.path(),
        &["compat", "--old", "old", "--new", "new", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let results = run.json()["results"].clone();
    let by_subject = |name: &str| {
        results
            .as_array()
            .and_then(|r| r.iter().find(|x| x["subject"] == name))
            .cloned()
    };
    assert_eq!(
        by_subject("money.avsc").map(|r| r["compatible"].clone()),
        Some(false.into())
    );
    assert_eq!(
        by_subject("extra.avsc").map(|r| r["note"].clone()),
        Some("new file".into())
    );
}

#[test]
fn exit_codes_for_usage_io_and_invalid_schemas() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_files(
        dir.path(),
        &[("v1.avsc", MONEY_V1), ("bad.avsc", "{\"type\": \"record\"")],
    );
    let missing_new = run_in(dir.path(), &["compat", "--old", "v1.avsc"]);
    assert_eq!(missing_new.code, 2, "{missing_new:?}");
    assert!(missing_new.stderr.contains("--new"), "{missing_new:?}");
    let absent = run_in(
        dir.path(),
        &["compat", "--old", "nope.avsc", "--new", "v1.avsc"],
    );
    assert_eq!(absent.code, 2, "{absent:?}");
    assert!(
        absent.stderr.contains("cannot read nope.avsc"),
        "{absent:?}"
    );
    let invalid = run_in(
        dir.path(),
        &["compat", "--old", "v1.avsc", "--new", "bad.avsc"],
    );
    assert_eq!(invalid.code, 1, "{invalid:?}");
    assert!(invalid.stderr.contains("bad.avsc"), "{invalid:?}");
    let level = run_in(
        dir.path(),
        &[
            "compat", "--old", "v1.avsc", "--new", "v1.avsc", "--level", "SIDEWAYS",
        ],
    );
    assert_eq!(level.code, 2, "{level:?}");
    let flag = run_in(dir.path(), &["compat", "--no-such-flag"]);
    assert_eq!(flag.code, 2, "{flag:?}");
}

/// buf's breaking-change cases, kept in `registry/core/testdata/buf-breaking`
/// (`HERALD_TEST_BUF_TESTDATA` points elsewhere, e.g. at a newer copy).
fn buf_testdata() -> std::path::PathBuf {
    std::env::var_os("HERALD_TEST_BUF_TESTDATA").map_or_else(
        || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../registry/core/testdata/buf-breaking")
        },
        std::path::PathBuf::from,
    )
}

/// A finding as compared: (file, [line, col, end line, end col], rule).
type Row = (Option<String>, [u64; 4], String);

#[test]
fn compat_on_directories_reproduces_bufs_breaking_cases() {
    use herald_core::protobuf::buf::RULES;
    let root = buf_testdata();
    let text = std::fs::read_to_string(root.join("expected_findings.json"))
        .unwrap_or_else(|e| panic!("buf test data missing at {}: {e}", root.display()));
    let expected: serde_json::Value = serde_json::from_str(&text).expect("expected findings parse");
    let implemented: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
    let cases = expected["cases"].as_object().expect("cases");
    let (mut compared, mut failures) = (0, Vec::new());
    for (name, case) in cases {
        let (previous, current) = (
            root.join("previous").join(name),
            root.join("current").join(name),
        );
        let uses_editions = [&previous, &current].iter().any(|tree| {
            herald_proto_texts(tree)
                .iter()
                .any(|t| t.lines().any(|l| l.trim_start().starts_with("edition")))
        });
        if uses_editions {
            continue;
        }
        let config: serde_json::Value = std::fs::read_to_string(current.join("buf.yaml"))
            .ok()
            .and_then(|yaml| serde_yaml_ng::from_str(&yaml).ok())
            .unwrap_or_default();
        let rules: Vec<String> = config["breaking"]["use"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec!["FILE".to_owned()]);
        let run = run_in(
            &root,
            &[
                "compat",
                "--old",
                &previous.to_string_lossy(),
                "--new",
                &current.to_string_lossy(),
                "--rules",
                &rules.join(","),
                "--format",
                "json",
            ],
        );
        assert!(run.code == 0 || run.code == 1, "{name}: {run:?}");
        let number = |v: &serde_json::Value| v.as_u64().unwrap_or_default();
        let mut actual: Vec<Row> = run.json()["results"][0]["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| {
                let file = f["file"].as_str().map(str::to_owned);
                let span = match (&file, f.get("line")) {
                    (None, _) => [0, 0, 0, 0],
                    (Some(_), None) => [1, 1, 1, 1],
                    (Some(_), Some(_)) => [
                        number(&f["line"]),
                        number(&f["column"]),
                        number(&f["end_line"]),
                        number(&f["end_column"]),
                    ],
                };
                (
                    file,
                    span,
                    f["rule"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let mut wanted: Vec<Row> = case["annotations"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|e| implemented.contains(&e["rule"].as_str().unwrap_or_default()))
            .map(|e| {
                (
                    e["path"].as_str().map(str::to_owned),
                    [
                        number(&e["start_line"]),
                        number(&e["start_col"]),
                        number(&e["end_line"]),
                        number(&e["end_col"]),
                    ],
                    e["rule"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        actual.sort();
        wanted.sort();
        compared += wanted.len();
        if actual != wanted {
            failures.push(format!("{name}:\n  expected {wanted:?}\n  got {actual:?}"));
        }
    }
    assert!(compared > 200, "only {compared} findings compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The texts of the `.proto` files below `tree`.
fn herald_proto_texts(tree: &std::path::Path) -> Vec<String> {
    let mut texts = Vec::new();
    let mut stack = vec![tree.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "proto") {
                texts.push(std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    texts
}
