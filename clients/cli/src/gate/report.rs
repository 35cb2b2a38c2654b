//! The results of a check, rendered as text, JSON, GitHub Actions
//! annotations or a JUnit XML report.

use std::fmt::Write as _;

use clap::ValueEnum;
use herald_client::registry::CompatibilityFinding;
use herald_core::Finding;
use serde::Serialize;

use super::Verdict;

/// How results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One finding a line, `file:line:col: RULE: message`.
    #[default]
    Text,
    /// `{"compatible": bool, "results": [...]}`.
    Json,
    /// GitHub Actions `::error` annotations.
    Github,
    /// A JUnit XML report.
    Junit,
}

/// Everything a command judged.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Whether every result is compatible.
    pub compatible: bool,
    /// One result per subject (or file).
    pub results: Vec<SubjectResult>,
}

/// The verdict on one subject or file.
#[derive(Debug, Serialize)]
pub struct SubjectResult {
    /// The subject (or the new file, offline).
    pub subject: String,
    /// Whether it is compatible.
    pub compatible: bool,
    /// What is incompatible.
    pub findings: Vec<Item>,
    /// A remark, e.g. that the subject is new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the registry accepts but reports as risky (they do not fail
    /// the check).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One finding, located in a file when possible (1-based).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Item {
    /// The rule or difference type.
    pub rule: String,
    /// The path within the schema.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The file, relative to where the command ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Line.
    pub line: Option<u32>,
    /// Column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Last line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Column just past the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

impl Item {
    /// A finding of the compatibility engine, in `file`.
    pub fn from_finding(finding: &Finding, file: Option<&str>) -> Item {
        Item {
            rule: finding.rule.to_owned(),
            path: finding.path.clone(),
            message: finding.message.clone(),
            file: file.map(str::to_owned),
            line: finding.location.map(|l| l.line),
            column: finding.location.map(|l| l.column),
            ..Item::default()
        }
    }

    /// A finding as a registry reported it; its position is given only with
    /// the `file` whose text the registry judged.
    pub fn from_registry(finding: CompatibilityFinding, file: Option<&str>) -> Item {
        let location = finding.location.filter(|_| file.is_some());
        Item {
            rule: finding.rule,
            path: finding.path,
            message: finding.message,
            file: file.map(str::to_owned),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            ..Item::default()
        }
    }
}

impl SubjectResult {
    /// A result whose verdict follows from its findings.
    pub fn new(subject: impl Into<String>, findings: Vec<Item>) -> SubjectResult {
        SubjectResult {
            subject: subject.into(),
            compatible: findings.is_empty(),
            findings,
            note: None,
            warnings: Vec::new(),
        }
    }

    /// The same result with the registry's warnings.
    pub fn with_warnings(mut self, warnings: Vec<String>) -> SubjectResult {
        self.warnings = warnings;
        self
    }

    /// The same result with a remark.
    pub fn with_note(mut self, note: impl Into<String>) -> SubjectResult {
        self.note = Some(note.into());
        self
    }
}

impl Report {
    /// A report of `results`.
    pub fn new(results: Vec<SubjectResult>) -> Report {
        Report {
            compatible: results.iter().all(|r| r.compatible),
            results,
        }
    }

    /// Fine when every result is compatible.
    pub fn verdict(&self) -> Verdict {
        if self.compatible {
            Verdict::Fine
        } else {
            Verdict::Incompatible
        }
    }

    /// The report in `format`; `color` adds ANSI colours to text.
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Text => self.text(color),
            Format::Json => {
                let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
                out.push('\n');
                out
            }
            Format::Github => self.github(),
            Format::Junit => self.junit(),
        }
    }

    fn text(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        let mut out = String::new();
        for result in &self.results {
            for item in &result.findings {
                let place = match (&item.file, item.line, item.column) {
                    (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}"),
                    (Some(file), _, _) => file.clone(),
                    (None, _, _) => result.subject.clone(),
                };
                let _ = writeln!(
                    out,
                    "{place}: {}: {}",
                    paint("1;31", &item.rule),
                    item.message
                );
            }
            let status = if result.compatible {
                paint("32", "compatible")
            } else {
                paint(
                    "31",
                    &format!("{} incompatible change(s)", result.findings.len()),
                )
            };
            let note = result
                .note
                .as_deref()
                .map(|note| format!(" ({note})"))
                .unwrap_or_default();
            for warning in &result.warnings {
                let _ = writeln!(
                    out,
                    "{}: {}: {warning}",
                    result.subject,
                    paint("33", "warning")
                );
            }
            let _ = writeln!(out, "{}: {status}{note}", result.subject);
        }
        out
    }

    fn github(&self) -> String {
        let mut out = String::new();
        for result in &self.results {
            for item in &result.findings {
                let mut properties = Vec::new();
                if let Some(file) = &item.file {
                    properties.push(format!("file={}", github_property(file)));
                }
                for (key, value) in [
                    ("line", item.line),
                    ("col", item.column),
                    ("endLine", item.end_line),
                    ("endColumn", item.end_column),
                ] {
                    if let Some(value) = value {
                        properties.push(format!("{key}={value}"));
                    }
                }
                properties.push(format!("title={}", github_property(&item.rule)));
                let _ = writeln!(
                    out,
                    "::error {}::{}",
                    properties.join(","),
                    github_data(&format!("{}: {}", result.subject, item.message))
                );
            }
            for warning in &result.warnings {
                let message = github_data(&format!("{}: {warning}", result.subject));
                let _ = writeln!(out, "::warning title=herald::{message}");
            }
            if result.findings.is_empty() {
                let _ = writeln!(out, "{}: compatible", result.subject);
            }
        }
        out
    }

    fn junit(&self) -> String {
        let failures = self.results.iter().filter(|r| !r.compatible).count();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"herald\" tests=\"{}\" failures=\"{failures}\">",
            self.results.len()
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"compatibility\" tests=\"{}\" failures=\"{failures}\">",
            self.results.len()
        );
        for result in &self.results {
            let _ = write!(
                out,
                "    <testcase classname=\"herald\" name=\"{}\"",
                xml(&result.subject)
            );
            let output: String = result
                .warnings
                .iter()
                .map(|warning| {
                    format!("\n      <system-out>warning: {}</system-out>", xml(warning))
                })
                .collect();
            if result.compatible && output.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            if result.compatible {
                let _ = write!(out, ">{output}\n    </testcase>\n");
                continue;
            }
            let details: Vec<String> = result
                .findings
                .iter()
                .map(|item| {
                    let place = match (&item.file, item.line, item.column) {
                        (Some(file), Some(line), Some(column)) => {
                            format!("{file}:{line}:{column}: ")
                        }
                        _ => String::new(),
                    };
                    format!("{place}{}: {}", item.rule, item.message)
                })
                .collect();
            let _ = write!(
                out,
                ">\n      <failure message=\"{} incompatible change(s)\" type=\"incompatible\">{}</failure>{output}\n    </testcase>\n",
                result.findings.len(),
                xml(&details.join("\n"))
            );
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Escapes an annotation's message (GitHub's workflow-command encoding).
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes an annotation property value.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes text for XML content and attributes.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
