//! buf's own breaking-change test cases (`testdata/buf-breaking`, from buf's
//! repository, see its NOTICE):
//! every case's previous and current trees are compiled, the rules its
//! `buf.yaml` selects are run, and the findings must equal buf's expected
//! findings exactly — rule, file and line:col span — for every rule Herald
//! implements (`RULES`). Expected findings of rules not implemented yet are
//! counted and reported, not compared. Cases whose trees use Protobuf
//! editions (`edition = "2023"`) cannot be compiled by protox yet; they are
//! listed in the report, and every other case must match.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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

#[test]
fn buf_breaking_cases_match_exactly_for_implemented_rules() {
    let root = testdata();
    let text = std::fs::read_to_string(root.join("expected_findings.json"))
        .unwrap_or_else(|e| panic!("buf test data missing at {}: {e}", root.display()));
    let expectations: Expectations =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("expected_findings.json: {e}"));
    let implemented: BTreeSet<&str> = RULES.iter().map(|rule| rule.id).collect();
    let (mut compared, mut pending, mut failures, mut editions) = (0, 0, Vec::new(), Vec::new());
    for (name, case) in &expectations.cases {
        let (previous_tree, current_tree) = (
            root.join("previous").join(name),
            root.join("current").join(name),
        );
        let (previous_config, current_config) =
            (read_config(&previous_tree), read_config(&current_tree));
        let (previous_sources, current_sources) = (
            sources(&previous_tree, &previous_config),
            sources(&current_tree, &current_config),
        );
        let uses_editions = |files: &BTreeMap<String, String>| {
            files.values().any(|text| {
                text.lines()
                    .any(|line| line.trim_start().starts_with("edition"))
            })
        };
        if uses_editions(&previous_sources) || uses_editions(&current_sources) {
            editions.push(name.as_str());
            pending += case.annotations.len();
            continue;
        }
        let previous =
            Module::compile(&previous_sources).unwrap_or_else(|e| panic!("{name} previous: {e}"));
        let current =
            Module::compile(&current_sources).unwrap_or_else(|e| panic!("{name} current: {e}"));
        let rules = current_config.breaking.rules();
        let mut actual: Vec<Row> =
            buf::breaking(&previous, &current, &rules, &current_config.breaking)
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
        pending += case.annotations.len() - expected.len();
        compared += expected.len();
        actual.sort();
        expected.sort();
        if actual != expected {
            let missing: Vec<&Row> = expected
                .iter()
                .filter(|row| !actual.contains(row))
                .collect();
            let extra: Vec<&Row> = actual
                .iter()
                .filter(|row| !expected.contains(row))
                .collect();
            failures.push(format!(
                "{name}:\n  missing {missing:?}\n  unexpected {extra:?}"
            ));
        }
    }
    println!(
        "{} cases; {compared} expected findings compared; {pending} not yet (rules not implemented, or editions)",
        expectations.cases.len()
    );
    println!(
        "cases using editions, not compiled yet: {}: {editions:?}",
        editions.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        expectations.cases.len(),
        failures.join("\n")
    );
}
