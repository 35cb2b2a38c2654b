//! Subject names, contexts, configuration scopes and version specifiers.

use super::ServiceError;

/// The default context.
pub const DEFAULT_CONTEXT: &str = ".";
/// The scope key of the global configuration and mode.
pub const GLOBAL_SCOPE: &str = "__GLOBAL";

/// The context whose settings apply to every context (`:.__GLOBAL:`).
pub const GLOBAL_CONTEXT: &str = ".__GLOBAL";
/// Prefix that selects every context in listings.
pub const ALL_CONTEXTS: &str = ":*:";

/// A subject, split into its context and its name within the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectName {
    context: String,
    local: String,
}

impl SubjectName {
    /// Parses `name` or `:.ctx:name`; `:.:name` is the default context.
    pub fn parse(raw: &str) -> Result<SubjectName, ServiceError> {
        let (context, local) = split_context(raw)?;
        // `:.__GLOBAL:` holds settings for every context, never subjects.
        if local.is_empty() || context == GLOBAL_CONTEXT {
            return Err(ServiceError::InvalidSubject(raw.to_owned()));
        }
        Ok(SubjectName {
            context,
            local: local.to_owned(),
        })
    }

    /// Parses a reference's subject: without a context of its own it lives
    /// in the referencing subject's `context`.
    pub fn parse_in(raw: &str, context: &str) -> Result<SubjectName, ServiceError> {
        let mut name = SubjectName::parse(raw)?;
        if !raw.starts_with(":.") {
            name.context = context.to_owned();
        }
        Ok(name)
    }

    /// The context, e.g. `.` or `.tenant`.
    pub fn context(&self) -> &str {
        &self.context
    }

    /// The name within the context.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The name the API shows: `name` in the default context, else `:.ctx:name`.
    pub fn qualified(&self) -> String {
        qualify(&self.context, &self.local)
    }
}

/// Builds the API's name for `local` in `context`.
pub fn qualify(context: &str, local: &str) -> String {
    if context == DEFAULT_CONTEXT {
        local.to_owned()
    } else {
        format!(":{context}:{local}")
    }
}

/// Splits `:.ctx:rest` into (`.ctx`, `rest`), as Confluent's
/// `QualifiedSubject` reads a name: `:.ctx` is the context alone, and a
/// name that does not start with `:.` (`::`, `:abc:x`) is a plain name of
/// the default context. Validates characters and reserved names
/// (`__GLOBAL`, `__EMPTY` in any context).
pub fn split_context(raw: &str) -> Result<(String, &str), ServiceError> {
    if raw.len() > MAX_NAME_BYTES {
        return Err(ServiceError::InvalidSubject(format!(
            "of {} bytes: names are at most {MAX_NAME_BYTES} bytes",
            raw.len()
        )));
    }
    let invalid = || ServiceError::InvalidSubject(raw.to_owned());
    if raw.is_empty() || raw.chars().any(char::is_control) {
        return Err(invalid());
    }
    let (context, local) = match raw.strip_prefix(':').filter(|rest| rest.starts_with('.')) {
        Some(rest) => rest.split_once(':').unwrap_or((rest, "")),
        None if raw.starts_with(":*:") => return Err(invalid()),
        None => (DEFAULT_CONTEXT, raw),
    };
    let valid_context = context
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid_context || local == GLOBAL_SCOPE || local == "__EMPTY" {
        return Err(invalid());
    }
    Ok((context.to_owned(), local))
}

/// Refuses a subject prefix no subject can have: longer than any name, or
/// holding a NUL character (which PostgreSQL cannot even compare with).
pub fn refuse_unstorable(prefix: &str) -> Result<(), ServiceError> {
    if prefix.len() > MAX_NAME_BYTES || prefix.contains('\0') {
        return Err(ServiceError::InvalidSubject(format!(
            "prefix of {} bytes: at most {MAX_NAME_BYTES} bytes, without NUL characters",
            prefix.len()
        )));
    }
    Ok(())
}

/// Longest subject name (context included) accepted on every front end,
/// in bytes; longer is 42208.
pub const MAX_NAME_BYTES: usize = 1024;

/// Where a configuration or mode is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole registry.
    Global,
    /// One context, written `:.ctx:`.
    Context(String),
    /// One subject.
    Subject(SubjectName),
}

impl Scope {
    /// The scope of `/config` (`None`) or `/config/{subject}` (`Some`).
    pub fn of(raw: Option<&str>) -> Result<Scope, ServiceError> {
        raw.map_or(Ok(Scope::Global), Scope::parse)
    }

    /// Parses the `{subject}` of `/config/{subject}` and `/mode/{subject}`:
    /// a subject, or `:.ctx:` for a whole context.
    pub fn parse(raw: &str) -> Result<Scope, ServiceError> {
        let (context, local) = split_context(raw)?;
        Ok(if local.is_empty() {
            if context == DEFAULT_CONTEXT {
                Scope::Global
            } else {
                Scope::Context(context)
            }
        } else {
            Scope::Subject(SubjectName {
                context,
                local: local.to_owned(),
            })
        })
    }

    /// The row key in the settings tables.
    pub fn key(&self) -> String {
        match self {
            Scope::Global => GLOBAL_SCOPE.to_owned(),
            Scope::Context(context) => format!(":{context}:"),
            Scope::Subject(subject) => subject.qualified(),
        }
    }

    /// Keys whose settings apply here, most specific first, as Confluent
    /// looks them up: the scope itself; then its context's own scope (for
    /// a subject of another context) or the top-level one (for the
    /// default context, whose settings are the global ones); then the
    /// `:.__GLOBAL:` context, which applies to every context. The
    /// top-level settings do not reach subjects of other contexts.
    pub fn lineage(&self) -> Vec<String> {
        let mut keys = vec![self.key()];
        match self {
            Scope::Subject(subject) if subject.context() != DEFAULT_CONTEXT => {
                keys.push(Scope::Context(subject.context().to_owned()).key());
            }
            Scope::Subject(_) => keys.push(GLOBAL_SCOPE.to_owned()),
            Scope::Context(_) | Scope::Global => {}
        }
        let everywhere = Scope::Context(GLOBAL_CONTEXT.to_owned()).key();
        if !keys.contains(&everywhere) {
            keys.push(everywhere);
        }
        keys
    }

    /// The context this scope belongs to (`None` for global).
    pub fn context(&self) -> Option<&str> {
        match self {
            Scope::Global => None,
            Scope::Context(context) => Some(context),
            Scope::Subject(subject) => Some(subject.context()),
        }
    }
}

/// The `{version}` of a URL: a number from 1 to 2^31-1, or the latest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSpec {
    /// `latest` or `-1`.
    Latest,
    /// An explicit version number.
    Number(i32),
}

impl VersionSpec {
    /// Parses `latest` (any case), `-1` or a positive version number,
    /// surrounding blanks ignored, as Confluent's `VersionId` does.
    pub fn parse(raw: &str) -> Result<VersionSpec, ServiceError> {
        let trimmed = raw.trim();
        if trimmed.eq_ignore_ascii_case("latest") {
            return Ok(VersionSpec::Latest);
        }
        match trimmed {
            "-1" => Ok(VersionSpec::Latest),
            _ => match trimmed.parse::<i32>() {
                Ok(number) if number >= 1 => Ok(VersionSpec::Number(number)),
                _ => Err(ServiceError::InvalidVersion(raw.to_owned())),
            },
        }
    }
}

/// A listing's `subjectPrefix`: which contexts, and which names in them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectPrefix {
    /// One context, or every context.
    pub context: Option<String>,
    /// Prefix of the name within the context.
    pub local: String,
}

impl SubjectPrefix {
    /// Parses `:*:rest` (every context), `:.ctx:rest` or `rest` (default context).
    pub fn parse(raw: &str) -> Result<SubjectPrefix, ServiceError> {
        refuse_unstorable(raw)?;
        if let Some(local) = raw.strip_prefix(ALL_CONTEXTS) {
            return Ok(SubjectPrefix {
                context: None,
                local: local.to_owned(),
            });
        }
        if raw.is_empty() {
            return Ok(SubjectPrefix {
                context: Some(DEFAULT_CONTEXT.to_owned()),
                local: String::new(),
            });
        }
        let (context, local) = split_context(raw)?;
        Ok(SubjectPrefix {
            context: Some(context),
            local: local.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_split_into_context_and_name() {
        let plain = SubjectName::parse("orders-value").ok();
        assert_eq!(
            plain.as_ref().map(SubjectName::context),
            Some(DEFAULT_CONTEXT)
        );
        let tenant = SubjectName::parse(":.tenant:orders").ok();
        assert_eq!(
            tenant.as_ref().map(|s| (s.context(), s.local())),
            Some((".tenant", "orders"))
        );
        assert_eq!(
            tenant.map(|s| s.qualified()),
            Some(":.tenant:orders".to_owned())
        );
        assert_eq!(
            SubjectName::parse(":.:orders").ok().map(|s| s.qualified()),
            Some("orders".to_owned())
        );
    }

    #[test]
    fn invalid_subjects_are_refused() {
        for raw in [
            "",
            "a\u{0}b",
            "tab\there",
            "__GLOBAL",
            "__EMPTY",
            ":.t:__GLOBAL",
            ":.ctx",
            ":.bad ctx:x",
            ":.ctx:",
            ":*:x",
        ] {
            assert!(SubjectName::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn names_not_starting_with_a_context_are_plain_names() {
        for raw in ["::", ":abc:x", ":nodot:x", "a:b"] {
            let name = SubjectName::parse(raw).ok();
            assert_eq!(
                name.as_ref().map(|n| (n.context(), n.local())),
                Some((DEFAULT_CONTEXT, raw)),
                "{raw:?}"
            );
        }
        assert_eq!(
            Scope::parse(":.ctx").ok(),
            Some(Scope::Context(".ctx".to_owned()))
        );
    }

    #[test]
    fn references_default_to_the_referencing_context() {
        let name = SubjectName::parse_in("money", ".tenant")
            .ok()
            .map(|s| s.qualified());
        assert_eq!(name, Some(":.tenant:money".to_owned()));
        let explicit = SubjectName::parse_in(":.other:money", ".tenant")
            .ok()
            .map(|s| s.qualified());
        assert_eq!(explicit, Some(":.other:money".to_owned()));
    }

    #[test]
    fn scopes_inherit_from_context_then_global() {
        let subject = Scope::parse(":.t:s").ok().map(|s| s.lineage());
        assert_eq!(
            subject,
            Some(vec![
                ":.t:s".to_owned(),
                ":.t:".to_owned(),
                ":.__GLOBAL:".to_owned()
            ])
        );
        assert_eq!(
            Scope::parse("s").ok().map(|s| s.lineage()),
            Some(vec![
                "s".to_owned(),
                GLOBAL_SCOPE.to_owned(),
                ":.__GLOBAL:".to_owned()
            ])
        );
        assert_eq!(
            Scope::parse(":.t:").ok().map(|s| s.lineage()),
            Some(vec![":.t:".to_owned(), ":.__GLOBAL:".to_owned()])
        );
        assert_eq!(
            Scope::Global.lineage(),
            vec![GLOBAL_SCOPE.to_owned(), ":.__GLOBAL:".to_owned()]
        );
        assert_eq!(
            Scope::parse(":.t:").ok(),
            Some(Scope::Context(".t".to_owned()))
        );
    }

    #[test]
    fn versions_are_positive_or_latest() {
        assert_eq!(VersionSpec::parse("latest").ok(), Some(VersionSpec::Latest));
        assert_eq!(VersionSpec::parse("LATEST").ok(), Some(VersionSpec::Latest));
        assert_eq!(VersionSpec::parse("Latest").ok(), Some(VersionSpec::Latest));
        assert_eq!(VersionSpec::parse(" 3 ").ok(), Some(VersionSpec::Number(3)));
        assert_eq!(VersionSpec::parse("-1").ok(), Some(VersionSpec::Latest));
        assert_eq!(
            VersionSpec::parse("2147483647").ok(),
            Some(VersionSpec::Number(i32::MAX))
        );
        for raw in ["0", "-2", "2147483648", "one", ""] {
            assert!(VersionSpec::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn prefixes_select_contexts() {
        assert_eq!(
            SubjectPrefix::parse(":*:").ok().map(|p| p.context),
            Some(None)
        );
        let tenant = SubjectPrefix::parse(":.t:ord").ok();
        assert_eq!(
            tenant,
            Some(SubjectPrefix {
                context: Some(".t".into()),
                local: "ord".into()
            })
        );
        let default = SubjectPrefix::parse("ord").ok();
        assert_eq!(
            default,
            Some(SubjectPrefix {
                context: Some(".".into()),
                local: "ord".into()
            })
        );
    }
}
