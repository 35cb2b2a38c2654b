//! The `breaking` section of `buf.yaml` (v1beta1, v1 and v2): which rules
//! and categories apply, and what is ignored.

use serde::Deserialize;

use super::rules::{self, Rule};
use super::{Annotation, Module};

/// A `buf.yaml` file, as far as breaking checks need it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BufConfig {
    /// `v1beta1`, `v1` or `v2`.
    #[serde(default)]
    pub version: String,
    /// `build.roots` (v1beta1): directories that are module roots.
    #[serde(default)]
    pub build: Build,
    /// The `breaking` section.
    #[serde(default)]
    pub breaking: BreakingConfig,
}

/// `build` (v1beta1).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Build {
    /// Module roots within the tree.
    #[serde(default)]
    pub roots: Vec<String>,
}

/// The `breaking` section.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BreakingConfig {
    /// Rule IDs and categories to apply (default: the FILE category).
    #[serde(default, rename = "use")]
    pub use_: Vec<String>,
    /// Rule IDs and categories to leave out.
    #[serde(default)]
    pub except: Vec<String>,
    /// Paths (files or directories) whose findings are ignored.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Ignore findings in packages such as `foo.v1alpha1` or `foo.v1beta1`.
    #[serde(default)]
    pub ignore_unstable_packages: bool,
}

impl BreakingConfig {
    /// The rules in force: `use` (IDs or categories, FILE by default)
    /// minus `except`.
    pub fn rules(&self) -> Vec<&'static Rule> {
        let selected = |names: &[String], rule: &Rule| {
            names.iter().any(|name| {
                rule.id == name
                    || rule.categories.iter().any(|c| c.as_str() == name)
                    || DEPRECATED
                        .iter()
                        .any(|(old, new)| old == name && new.contains(&rule.id))
            })
        };
        let use_ = if self.use_.is_empty() {
            vec!["FILE".to_owned()]
        } else {
            self.use_.clone()
        };
        rules::RULES
            .iter()
            .filter(|rule| selected(&use_, rule) && !selected(&self.except, rule))
            .collect()
    }

    /// Whether `annotation` falls under an ignored path or, when asked, an
    /// unstable package.
    pub(super) fn ignores(
        &self,
        annotation: &Annotation,
        previous: &Module,
        current: &Module,
    ) -> bool {
        let paths = [
            annotation.file.as_deref(),
            annotation.against_file.as_deref(),
        ];
        let under = |path: &str, ignored: &str| {
            path == ignored || path.starts_with(&format!("{}/", ignored.trim_end_matches('/')))
        };
        if paths
            .iter()
            .flatten()
            .any(|path| self.ignore.iter().any(|ignored| under(path, ignored)))
        {
            return true;
        }
        self.ignore_unstable_packages
            && [
                (annotation.file.as_deref(), current),
                (annotation.against_file.as_deref(), previous),
            ]
            .into_iter()
            .any(|(path, module)| {
                path.and_then(|p| module.files().get(p))
                    .is_some_and(|file| is_unstable(file.package_name()))
            })
    }
}

/// Deprecated rule IDs and the rules that replaced them.
const DEPRECATED: &[(&str, &[&str])] = &[
    ("FIELD_SAME_CTYPE", &["FIELD_SAME_CPP_STRING_TYPE"]),
    (
        "FIELD_SAME_LABEL",
        &[
            "FIELD_SAME_CARDINALITY",
            "FIELD_WIRE_COMPATIBLE_CARDINALITY",
            "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY",
        ],
    ),
];

/// Whether a package's last component is an unstable version such as
/// `v1alpha1`, `v2beta3`, `v1test` or `v1p1alpha2`.
fn is_unstable(package: &str) -> bool {
    let Some(last) = package.rsplit('.').next() else {
        return false;
    };
    let Some(rest) = last.strip_prefix('v') else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let mut tail = &rest[digits..];
    if let Some(after_p) = tail.strip_prefix('p') {
        let more = after_p.chars().take_while(char::is_ascii_digit).count();
        if more == 0 {
            return false;
        }
        tail = &after_p[more..];
    }
    ["alpha", "beta"].iter().any(|stage| {
        tail.strip_prefix(stage)
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    }) || tail.starts_with("test")
}

#[cfg(test)]
mod tests {
    use super::is_unstable;

    #[test]
    fn unstable_packages() {
        for package in [
            "foo.v1alpha1",
            "foo.v1beta",
            "a.b.v2beta3",
            "foo.v1test",
            "foo.v1testfoo",
            "foo.v1p1alpha2",
        ] {
            assert!(is_unstable(package), "{package}");
        }
        for package in [
            "foo.v1",
            "foo",
            "foo.alpha",
            "foo.v1alphax",
            "",
            "foo.valpha1",
        ] {
            assert!(!is_unstable(package), "{package}");
        }
    }
}
