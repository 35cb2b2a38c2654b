//! buf's own breaking-change test cases (`testdata/buf-breaking`, from buf's
//! repository, see its NOTICE), one test per case (`cargo test
//! breaking_enum_no_delete` runs that case alone): its previous and current
//! trees are compiled, the rules its `buf.yaml` selects are run, and the
//! findings must equal buf's expected findings exactly — rule, file and
//! line:col span — for every rule Herald implements (`RULES`). Expected
//! findings of rules not implemented yet are not compared; a floor on the
//! number compared keeps a shrinking rule table or a dropped case from
//! passing. Cases whose trees use Protobuf editions (`edition = "2023"`)
//! cannot be compiled by protox yet: their tests assert exactly that, so
//! they fail (and ask to be compared) once it can.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use herald_core::protobuf::buf::{self, Annotation, BufConfig, Module, RULES};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Expectations {
    cases: BTreeMap<String, Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    annotations: Vec<Expected>,
}

#[derive(Debug, Deserialize)]
struct Expected {
    path: Option<String>,
    start_line: u32,
    start_col: u32,
    end_line: u32,
    end_col: u32,
    rule: String,
}

/// A finding as the comparison sees it: (file, span, rule).
type Row = (Option<String>, [u32; 4], String);

/// buf's breaking-change cases, kept in `registry/core/testdata/buf-breaking`
/// (`HERALD_TEST_BUF_TESTDATA` points elsewhere, e.g. at a newer copy).
fn testdata() -> PathBuf {
    std::env::var_os("HERALD_TEST_BUF_TESTDATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/buf-breaking"),
        PathBuf::from,
    )
}

fn read_config(tree: &Path) -> BufConfig {
    match std::fs::read_to_string(tree.join("buf.yaml")) {
        Ok(text) => {
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", tree.display()))
        }
        Err(_) => BufConfig::default(),
    }
}

/// The `.proto` files of a tree, by path within their module root.
fn sources(tree: &Path, config: &BufConfig) -> BTreeMap<String, String> {
    let roots: Vec<PathBuf> = if config.build.roots.is_empty() {
        vec![tree.to_path_buf()]
    } else {
        config
            .build
            .roots
            .iter()
            .map(|root| tree.join(root))
            .collect()
    };
    let mut out = BTreeMap::new();
    for root in roots {
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|ext| ext == "proto") {
                    let relative = path
                        .strip_prefix(&root)
                        .map(|p| p.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let text = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    out.insert(relative, text);
                }
            }
        }
    }
    out
}

fn row(annotation: &Annotation) -> Row {
    let span = match (&annotation.file, annotation.span) {
        (None, _) => [0, 0, 0, 0],
        (Some(_), None) => [1, 1, 1, 1],
        (Some(_), Some(s)) => [s.start_line, s.start_col, s.end_line, s.end_col],
    };
    (annotation.file.clone(), span, annotation.rule.to_owned())
}

/// buf's expected findings, read once.
fn expectations() -> &'static Expectations {
    static EXPECTATIONS: OnceLock<Expectations> = OnceLock::new();
    EXPECTATIONS.get_or_init(|| {
        let path = testdata().join("expected_findings.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("buf test data missing at {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("expected_findings.json: {e}"))
    })
}

/// The sources of a case's previous and current trees, and the current
/// tree's configuration.
fn trees(
    name: &str,
) -> (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    BufConfig,
) {
    let root = testdata();
    let (previous_tree, current_tree) = (
        root.join("previous").join(name),
        root.join("current").join(name),
    );
    let current_config = read_config(&current_tree);
    (
        sources(&previous_tree, &read_config(&previous_tree)),
        sources(&current_tree, &current_config),
        current_config,
    )
}

fn uses_editions(files: &BTreeMap<String, String>) -> bool {
    files.values().any(|text| {
        text.lines()
            .any(|line| line.trim_start().starts_with("edition"))
    })
}

/// Compares case `name`'s findings with buf's, for the rules Herald
/// implements; the number of findings compared.
fn compare_case(name: &str) -> usize {
    let case = &expectations().cases[name];
    let (previous_sources, current_sources, config) = trees(name);
    assert!(
        !uses_editions(&previous_sources) && !uses_editions(&current_sources),
        "{name} uses editions: list it among them"
    );
    let previous =
        Module::compile(&previous_sources).unwrap_or_else(|e| panic!("{name} previous: {e}"));
    let current =
        Module::compile(&current_sources).unwrap_or_else(|e| panic!("{name} current: {e}"));
    let implemented: BTreeSet<&str> = RULES.iter().map(|rule| rule.id).collect();
    let mut actual: Vec<Row> = buf::breaking(
        &previous,
        &current,
        &config.breaking.rules(),
        &config.breaking,
    )
    .iter()
    .map(row)
    .collect();
    let mut expected: Vec<Row> = case
        .annotations
        .iter()
        .filter(|e| implemented.contains(e.rule.as_str()))
        .map(|e| {
            (
                e.path.clone(),
                [e.start_line, e.start_col, e.end_line, e.end_col],
                e.rule.clone(),
            )
        })
        .collect();
    actual.sort();
    expected.sort();
    let missing: Vec<&Row> = expected
        .iter()
        .filter(|row| !actual.contains(row))
        .collect();
    let extra: Vec<&Row> = actual
        .iter()
        .filter(|row| !expected.contains(row))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}:\n  missing {missing:?}\n  unexpected {extra:?}"
    );
    expected.len()
}

/// Case `name` uses editions, which protox cannot compile yet.
fn editions_not_compiled(name: &str) {
    let (previous_sources, current_sources, _) = trees(name);
    let with_editions = [previous_sources, current_sources]
        .into_iter()
        .filter(uses_editions)
        .collect::<Vec<_>>();
    assert!(
        !with_editions.is_empty(),
        "{name} uses no editions: compare it"
    );
    for sources in with_editions {
        assert!(
            Module::compile(&sources).is_err(),
            "{name} compiles now: move it to the compared cases"
        );
    }
}

/// One test per case, and the lists of cases for the coverage test.
macro_rules! buf_cases {
    (compared: $($compared:ident),* ; editions: $($edition:ident),* $(,)?) => {
        $(#[test] fn $compared() { compare_case(stringify!($compared)); })*
        $(#[test] fn $edition() { editions_not_compiled(stringify!($edition)); })*
        const COMPARED: &[&str] = &[$(stringify!($compared)),*];
        const EDITIONS: &[&str] = &[$(stringify!($edition)),*];
    };
}

buf_cases! {
    compared:
        breaking_custom_plugins,
        breaking_enum_no_delete,
        breaking_enum_value_no_delete,
        breaking_enum_value_no_delete_unless_name_reserved,
        breaking_enum_value_no_delete_unless_number_reserved,
        breaking_enum_value_same_name,
        breaking_extension_message_no_delete,
        breaking_extension_no_delete,
        breaking_field_no_delete,
        breaking_field_no_delete_unless_name_reserved,
        breaking_field_no_delete_unless_number_reserved,
        breaking_field_same_ctype,
        breaking_field_same_json_name,
        breaking_field_same_jstype,
        breaking_field_same_name,
        breaking_field_same_oneof,
        breaking_file_no_delete,
        breaking_file_no_delete_ignores,
        breaking_file_no_delete_unstable,
        breaking_file_same_package,
        breaking_file_same_syntax,
        breaking_file_same_values,
        breaking_ignore_unstable_packages_delete_file,
        breaking_ignore_unstable_packages_false,
        breaking_ignore_unstable_packages_true,
        breaking_int_enum,
        breaking_message_enum,
        breaking_message_int,
        breaking_message_message,
        breaking_message_no_delete,
        breaking_message_same_required_fields,
        breaking_message_same_values,
        breaking_oneof_no_delete,
        breaking_package_extension_no_delete,
        breaking_package_no_delete,
        breaking_package_service_no_delete,
        breaking_policy_empty,
        breaking_policy_local,
        breaking_reserved_enum_no_delete,
        breaking_reserved_message_no_delete,
        breaking_rpc_no_delete,
        breaking_rpc_same_values,
        breaking_service_no_delete;
    editions:
        breaking_enum_same_json_format,
        breaking_enum_same_type,
        breaking_field_same_cardinality,
        breaking_field_same_cpp_string_type,
        breaking_field_same_default,
        breaking_field_same_java_utf8_validation,
        breaking_field_same_label,
        breaking_field_same_type,
        breaking_field_same_utf8_validation,
        breaking_field_wire_compatible_cardinality,
        breaking_field_wire_compatible_type,
        breaking_field_wire_json_compatible_cardinality,
        breaking_field_wire_json_compatible_type,
        breaking_message_same_json_format,
}

/// How many of buf's expected findings the compared cases check at least.
const FINDINGS_COMPARED_FLOOR: usize = 316;

#[test]
fn every_buf_case_has_its_test_and_the_comparison_does_not_shrink() {
    let cases: BTreeSet<&str> = expectations().cases.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = COMPARED.iter().chain(EDITIONS).copied().collect();
    assert_eq!(
        listed, cases,
        "the cases listed in buf_cases! and buf's cases differ"
    );
    let compared: usize = COMPARED.iter().map(|name| compare_case(name)).sum();
    assert!(
        compared >= FINDINGS_COMPARED_FLOOR,
        "{compared} of buf's findings compared, fewer than {FINDINGS_COMPARED_FLOOR}"
    );
}
