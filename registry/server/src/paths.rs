//! Request paths as Confluent's Jersey matches them, rewritten once before
//! anything routes them: a trailing slash is dropped (`/subjects/` is
//! `/subjects`), and the context URL forms `/contexts/{ctx}/...` become
//! the plain routes with the context in the subject, as Confluent's
//! `ContextFilter` rewrites them (`/contexts/.t/subjects/s/versions` is
//! `/subjects/:.t:s/versions`, `/contexts/.t/config` is `/config/:.t:`,
//! `/contexts/.t/schemas/ids/1` is `/schemas/ids/1?subject=:.t:`).

use axum::extract::Request;
use axum::http::Uri;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// A path and query after rewriting, or why the context is unusable.
#[derive(Debug, PartialEq, Eq)]
pub enum Rewrite {
    /// Routed as given.
    Unchanged,
    /// Routed as this path and query instead.
    To(String),
    /// A context name Confluent refuses (400).
    BadContext(String),
}

/// Rewrites `request`'s URI in place; a bad context is returned for the
/// caller to answer.
pub fn canonicalize(request: &mut Request) -> Result<(), String> {
    let uri = request.uri();
    match rewrite(uri.path(), uri.query()) {
        Rewrite::Unchanged => Ok(()),
        Rewrite::BadContext(message) => Err(message),
        Rewrite::To(path_and_query) => {
            let mut parts = uri.clone().into_parts();
            if let Ok(path_and_query) = path_and_query.parse() {
                parts.path_and_query = Some(path_and_query);
                if let Ok(uri) = Uri::from_parts(parts) {
                    *request.uri_mut() = uri;
                }
            }
            Ok(())
        }
    }
}

/// What `path` and `query` are routed as.
pub fn rewrite(path: &str, query: Option<&str>) -> Rewrite {
    let contextual = path.starts_with("/contexts/") && path.len() > "/contexts/".len();
    let trailing = path.len() > 1 && path.ends_with('/') && !path.starts_with("/ui");
    if !contextual && !trailing {
        return Rewrite::Unchanged;
    }
    let trimmed = path.trim_end_matches('/');
    let (path, query) = if contextual {
        match in_context(trimmed, query) {
            Ok(rewritten) => rewritten,
            Err(message) => return Rewrite::BadContext(message),
        }
    } else {
        (trimmed.to_owned(), query.map(str::to_owned))
    };
    Rewrite::To(match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    })
}

/// `/contexts/{ctx}/rest` as the plain route with the context put in the
/// subject segment (after `subjects`, or first after `config` / `mode`)
/// and in the `subject` / `subjectPrefix` query parameter.
fn in_context(path: &str, query: Option<&str>) -> Result<(String, Option<String>), String> {
    let mut segments = path.trim_start_matches('/').split('/').skip(1);
    let context = segments.next().unwrap_or_default();
    let prefix = context_prefix(&decode(context))?;
    let rest: Vec<&str> = segments.collect();
    let mut out = Vec::with_capacity(rest.len() + 1);
    let mut subject_next = false;
    for (index, segment) in rest.iter().enumerate() {
        let segment = *segment;
        if subject_next {
            subject_next = false;
            if !names_context(&decode(segment)) {
                out.push(format!("{}{segment}", encode(&prefix)));
                continue;
            }
        } else if segment == "subjects"
            || (index == 0 && (segment == "config" || segment == "mode"))
        {
            subject_next = true;
        }
        out.push(segment.to_owned());
    }
    // `/contexts/.t/config` and `/contexts/.t/mode` address the context.
    if matches!(rest.as_slice(), ["config"] | ["mode"]) && !prefix.is_empty() {
        out.push(encode(&prefix));
    }
    let path = format!("/{}", out.join("/"));
    let parameter = match rest.as_slice() {
        ["schemas", "ids", ..] => Some("subject"),
        ["schemas"] | ["subjects"] => Some("subjectPrefix"),
        _ => None,
    };
    let query = match parameter {
        Some(name) => Some(with_context(query, name, &prefix)),
        None => query.map(str::to_owned),
    };
    Ok((path, query))
}

/// `query` with parameter `name` prefixed by the context (added when
/// absent), unless it already names one.
fn with_context(query: Option<&str>, name: &str, prefix: &str) -> String {
    let mut pairs: Vec<String> = Vec::new();
    let mut seen = false;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == name {
            seen = true;
            if !names_context(&decode(value)) {
                pairs.push(format!("{key}={}{value}", encode(prefix)));
                continue;
            }
        }
        pairs.push(pair.to_owned());
    }
    if !seen {
        pairs.push(format!("{name}={}", encode(prefix)));
    }
    pairs.join("&")
}

/// The subject prefix of a context name as Confluent normalizes it:
/// `.t`, `t`, `:.t:` are `:.t:`; the default context `.` is no prefix; a
/// colon inside is refused.
fn context_prefix(context: &str) -> Result<String, String> {
    let bare = context.strip_prefix(':').unwrap_or(context);
    let bare = bare.strip_suffix(':').unwrap_or(bare);
    if bare.contains(':') {
        return Err(format!("Context name '{bare}' cannot contain a colon"));
    }
    Ok(match bare.strip_prefix('.').unwrap_or(bare) {
        "" => String::new(),
        name => format!(":.{name}:"),
    })
}

/// Whether a subject or prefix already names its context.
fn names_context(text: &str) -> bool {
    text.starts_with(":.") || text.starts_with(":*:")
}

/// Percent-decoded text of a path segment or query value.
pub(crate) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// A subject or context prefix as it may stand in a path segment or a
/// query value (`:`, `.`, `-`, `_`, `~` kept, the rest percent-encoded).
pub(crate) fn encode(prefix: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b':')
        .remove(b'.')
        .remove(b'-')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(prefix, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::{Rewrite, rewrite};

    fn to(path: &str, query: Option<&str>) -> String {
        match rewrite(path, query) {
            Rewrite::To(rewritten) => rewritten,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn trailing_slashes_are_dropped_outside_the_ui() {
        assert_eq!(to("/subjects/", None), "/subjects");
        assert_eq!(
            to("/subjects/s/versions/", Some("deleted=true")),
            "/subjects/s/versions?deleted=true"
        );
        assert_eq!(rewrite("/", None), Rewrite::Unchanged);
        assert_eq!(rewrite("/ui/", None), Rewrite::Unchanged);
        assert_eq!(rewrite("/subjects", None), Rewrite::Unchanged);
    }

    #[test]
    fn context_urls_become_qualified_subjects() {
        assert_eq!(
            to("/contexts/.t/subjects/s/versions", None),
            "/subjects/:.t:s/versions"
        );
        assert_eq!(
            to("/contexts/t/subjects/s/versions/1/", None),
            "/subjects/:.t:s/versions/1"
        );
        assert_eq!(to("/contexts/:.t:/subjects/s", None), "/subjects/:.t:s");
        assert_eq!(to("/contexts/.t/subjects/:.u:s", None), "/subjects/:.u:s");
        assert_eq!(to("/contexts/./subjects/s", None), "/subjects/s");
        assert_eq!(to("/contexts/.t/config/s", None), "/config/:.t:s");
        assert_eq!(to("/contexts/.t/config", None), "/config/:.t:");
        assert_eq!(to("/contexts/.t/mode", None), "/mode/:.t:");
        assert_eq!(to("/contexts/./config", None), "/config");
        assert_eq!(
            to(
                "/contexts/.t/compatibility/subjects/s/versions/latest",
                Some("verbose=true")
            ),
            "/compatibility/subjects/:.t:s/versions/latest?verbose=true"
        );
    }

    #[test]
    fn context_urls_put_the_context_in_the_query() {
        assert_eq!(
            to("/contexts/.t/subjects", None),
            "/subjects?subjectPrefix=:.t:"
        );
        assert_eq!(
            to(
                "/contexts/.t/subjects",
                Some("subjectPrefix=ord&deleted=true")
            ),
            "/subjects?subjectPrefix=:.t:ord&deleted=true"
        );
        assert_eq!(
            to("/contexts/.t/schemas", Some("latestOnly=true")),
            "/schemas?latestOnly=true&subjectPrefix=:.t:"
        );
        assert_eq!(
            to("/contexts/.t/schemas/ids/3", None),
            "/schemas/ids/3?subject=:.t:"
        );
        assert_eq!(
            to(
                "/contexts/.t/schemas/ids/3/versions",
                Some("subject=%3A.u%3Ax")
            ),
            "/schemas/ids/3/versions?subject=%3A.u%3Ax"
        );
        assert_eq!(
            to("/contexts/.t/schemas/ids/3", Some("subject=s")),
            "/schemas/ids/3?subject=:.t:s"
        );
    }

    #[test]
    fn a_context_with_a_colon_inside_is_refused() {
        assert!(matches!(
            rewrite("/contexts/.a:b/subjects", None),
            Rewrite::BadContext(_)
        ));
    }
}
