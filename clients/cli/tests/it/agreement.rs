//! `herald compat` (offline) and the registry judge with the same function:
//! on every case of the shared corpus (`registry/core/testdata/
//! compatibility-cases.json`) their BACKWARD and FORWARD verdicts agree,
//! and match the corpus.

use serde::Deserialize;
use serde_json::json;

use crate::support::{Registry, run_in, write_files};

#[derive(Deserialize)]
struct Corpus {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "type")]
    schema_type: String,
    old: String,
    new: String,
    backward: bool,
    forward: bool,
}

#[tokio::test]
async fn offline_and_registry_verdicts_agree_on_every_corpus_case() {
    let corpus: Corpus = serde_json::from_str(include_str!(
        "../../../../registry/core/testdata/compatibility-cases.json"
    ))
    .expect("corpus parses");
    let registry = Registry::start().await;
    let (http, url) = (registry.http.clone(), registry.url.clone());
    let work = tempfile::tempdir().expect("temporary directory");
    let mut disagreements = Vec::new();
    for (index, case) in corpus.cases.iter().enumerate() {
        let extension = match case.schema_type.as_str() {
            "PROTOBUF" => "proto",
            "JSON" => "json",
            _ => "avsc",
        };
        let (old, new) = (format!("old.{extension}"), format!("new.{extension}"));
        write_files(work.path(), &[(&old, &case.old), (&new, &case.new)]);
        let subject = format!("case-{index}");
        let registered = http
            .post(format!("{url}/subjects/{subject}/versions"))
            .json(&json!({"schemaType": case.schema_type, "schema": case.old}))
            .send()
            .await
            .expect("register answered");
        assert!(
            registered.status().is_success(),
            "{subject}: {registered:?}"
        );
        for (level, expected) in [("BACKWARD", case.backward), ("FORWARD", case.forward)] {
            let offline = run_in(
                work.path(),
                &["compat", "--old", &old, "--new", &new, "--level", level],
            );
            assert!(offline.code == 0 || offline.code == 1, "{offline:?}");
            http.put(format!("{url}/config/{subject}"))
                .json(&json!({"compatibility": level}))
                .send()
                .await
                .expect("config answered");
            let verdict: serde_json::Value = http
                .post(format!("{url}/compatibility/subjects/{subject}/versions"))
                .json(&json!({"schemaType": case.schema_type, "schema": case.new}))
                .send()
                .await
                .expect("compatibility answered")
                .json()
                .await
                .expect("JSON verdict");
            let server = verdict["is_compatible"].as_bool();
            if (Some(offline.code == 0), server) != (Some(expected), Some(expected)) {
                disagreements.push(format!(
                    "{} {level}: expected {expected}, offline {}, registry {server:?}\n  {} -> {}",
                    case.schema_type,
                    offline.code == 0,
                    case.old,
                    case.new
                ));
            }
        }
    }
    registry.stop().await;
    assert!(corpus.cases.len() > 200, "{} cases", corpus.cases.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
