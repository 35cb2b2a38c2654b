//! What each route asks of its caller: one table for REST, the UI and the
//! gRPC methods. A request whose path and method are not in the table is
//! refused (404 or 405) before it reaches anything, so a route added to a
//! router without a rule here cannot be reached at all.

use axum::http::Method;

use super::grants::Role;

/// What a route asks of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Nothing: health checks, the UI's static files.
    Public,
    /// A grant of at least the role anywhere: listings (filtered to what the
    /// caller may read) and reads by schema id.
    Somewhere(Role),
    /// A grant of at least the role covering the request's subject (`{subject}`
    /// in the path; field 1, `subject`, of a gRPC request). Without a subject
    /// (the global config and mode over gRPC): an unscoped grant for changes,
    /// any grant for reads.
    Subject(Role),
    /// An unscoped grant of at least the role.
    Everywhere(Role),
}

/// What a route needs, and whether it changes the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// What the caller must hold.
    pub need: Need,
    /// Whether it changes the registry (registrations, config, mode,
    /// deletes): the audit log records it, kept or refused.
    pub writes: bool,
}

/// A route that only reads (lookups and compatibility checks included).
const fn reads(need: Need) -> Rule {
    Rule {
        need,
        writes: false,
    }
}

/// A route that changes the registry.
const fn writes(need: Need) -> Rule {
    Rule { need, writes: true }
}

use Need::{Everywhere, Public, Somewhere, Subject};
use Role::{Admin, Reader, Writer};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

/// Every HTTP route: its path template (axum's syntax) and what each method
/// needs. HEAD is GET's.
pub const HTTP_ROUTES: &[(&str, &[(Method, Rule)])] = &[
    ("/", &[(GET, reads(Public)), (POST, reads(Public))]),
    ("/healthz", &[(GET, reads(Public))]),
    ("/readyz", &[(GET, reads(Public))]),
    ("/metrics", &[(GET, reads(Public))]),
    ("/openapi.json", &[(GET, reads(Public))]),
    ("/schemas/types", &[(GET, reads(Somewhere(Reader)))]),
    ("/v1/metadata/id", &[(GET, reads(Somewhere(Reader)))]),
    ("/v1/metadata/version", &[(GET, reads(Somewhere(Reader)))]),
    ("/contexts", &[(GET, reads(Somewhere(Reader)))]),
    ("/v1/audit", &[(GET, reads(Everywhere(Admin)))]),
    ("/schemas", &[(GET, reads(Somewhere(Reader)))]),
    ("/schemas/ids/{id}", &[(GET, reads(Somewhere(Reader)))]),
    (
        "/schemas/ids/{id}/schema",
        &[(GET, reads(Somewhere(Reader)))],
    ),
    (
        "/schemas/ids/{id}/subjects",
        &[(GET, reads(Somewhere(Reader)))],
    ),
    (
        "/schemas/ids/{id}/versions",
        &[(GET, reads(Somewhere(Reader)))],
    ),
    ("/schemas/guids/{guid}", &[(GET, reads(Somewhere(Reader)))]),
    ("/subjects", &[(GET, reads(Somewhere(Reader)))]),
    (
        "/subjects/{subject}",
        &[
            (POST, reads(Subject(Writer))),
            (DELETE, writes(Subject(Admin))),
        ],
    ),
    (
        "/subjects/{subject}/versions",
        &[
            (GET, reads(Subject(Reader))),
            (POST, writes(Subject(Writer))),
        ],
    ),
    (
        "/subjects/{subject}/metadata",
        &[(GET, reads(Subject(Reader)))],
    ),
    (
        "/subjects/{subject}/versions/{version}",
        &[
            (GET, reads(Subject(Reader))),
            (DELETE, writes(Subject(Admin))),
        ],
    ),
    (
        "/subjects/{subject}/versions/{version}/schema",
        &[(GET, reads(Subject(Reader)))],
    ),
    (
        "/subjects/{subject}/versions/{version}/referencedby",
        &[(GET, reads(Subject(Reader)))],
    ),
    (
        "/subjects/{subject}/versions/{version}/tags",
        &[(POST, writes(Subject(Writer)))],
    ),
    (
        "/compatibility/subjects/{subject}/versions",
        &[(POST, reads(Subject(Writer)))],
    ),
    (
        "/compatibility/subjects/{subject}/versions/{version}",
        &[(POST, reads(Subject(Writer)))],
    ),
    (
        "/config",
        &[
            (GET, reads(Somewhere(Reader))),
            (PUT, writes(Everywhere(Admin))),
            (DELETE, writes(Everywhere(Admin))),
        ],
    ),
    (
        "/config/{subject}",
        &[
            (GET, reads(Subject(Reader))),
            (PUT, writes(Subject(Admin))),
            (DELETE, writes(Subject(Admin))),
        ],
    ),
    (
        "/mode",
        &[
            (GET, reads(Somewhere(Reader))),
            (PUT, writes(Everywhere(Admin))),
        ],
    ),
    (
        "/mode/{subject}",
        &[
            (GET, reads(Subject(Reader))),
            (PUT, writes(Subject(Admin))),
            (DELETE, writes(Subject(Admin))),
        ],
    ),
    ("/ui", &[(GET, reads(Public))]),
    ("/ui/", &[(GET, reads(Somewhere(Reader)))]),
    ("/ui/subjects/{subject}", &[(GET, reads(Subject(Reader)))]),
    (
        "/ui/subjects/{subject}/config",
        &[(POST, writes(Subject(Admin)))],
    ),
    (
        "/ui/subjects/{subject}/diff",
        &[(GET, reads(Subject(Reader)))],
    ),
    (
        "/ui/subjects/{subject}/versions/{version}",
        &[(GET, reads(Subject(Reader)))],
    ),
    (
        "/ui/subjects/{subject}/versions/{version}/code",
        &[(GET, reads(Subject(Reader)))],
    ),
    (
        "/ui/subjects/{subject}/versions/{version}/delete",
        &[(POST, writes(Subject(Admin)))],
    ),
    ("/ui/schemas/{id}", &[(GET, reads(Somewhere(Reader)))]),
    ("/ui/audit", &[(GET, reads(Everywhere(Admin)))]),
    ("/ui/schemas/{id}/raw", &[(GET, reads(Somewhere(Reader)))]),
    (
        "/ui/playground",
        &[
            (GET, reads(Somewhere(Reader))),
            (POST, reads(Somewhere(Writer))),
        ],
    ),
    ("/ui/static/style.css", &[(GET, reads(Public))]),
    ("/ui/static/app.js", &[(GET, reads(Public))]),
    ("/ui/static/favicon.svg", &[(GET, reads(Public))]),
    // Unknown UI pages: an HTML 404.
    (
        "/ui/{*path}",
        &[(GET, reads(Public)), (POST, reads(Public))],
    ),
];

/// Every gRPC method (`/package.Service/Method`) and what it needs.
pub const GRPC_METHODS: &[(&str, Rule)] = &[
    (
        "/herald.registry.v1.Registry/Register",
        writes(Subject(Writer)),
    ),
    (
        "/herald.registry.v1.Registry/CheckCompatibility",
        reads(Subject(Writer)),
    ),
    (
        "/herald.registry.v1.Registry/GetSchema",
        reads(Somewhere(Reader)),
    ),
    (
        "/herald.registry.v1.Registry/GetVersion",
        reads(Subject(Reader)),
    ),
    (
        "/herald.registry.v1.Registry/Lookup",
        reads(Subject(Writer)),
    ),
    (
        "/herald.registry.v1.Registry/ListSubjects",
        reads(Somewhere(Reader)),
    ),
    (
        "/herald.registry.v1.Registry/ListVersions",
        reads(Subject(Reader)),
    ),
    (
        "/herald.registry.v1.Registry/DeleteSubject",
        writes(Subject(Admin)),
    ),
    (
        "/herald.registry.v1.Registry/DeleteVersion",
        writes(Subject(Admin)),
    ),
    (
        "/herald.registry.v1.Registry/GetConfig",
        reads(Subject(Reader)),
    ),
    (
        "/herald.registry.v1.Registry/SetConfig",
        writes(Subject(Admin)),
    ),
    (
        "/herald.registry.v1.Registry/GetMode",
        reads(Subject(Reader)),
    ),
    (
        "/herald.registry.v1.Registry/SetMode",
        writes(Subject(Admin)),
    ),
    (
        "/herald.registry.v1.Registry/WatchSubjects",
        reads(Somewhere(Reader)),
    ),
    (
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        reads(Somewhere(Reader)),
    ),
    ("/grpc.health.v1.Health/Check", reads(Public)),
    ("/grpc.health.v1.Health/Watch", reads(Public)),
    ("/grpc.health.v1.Health/List", reads(Public)),
];

/// How a request's path and method were classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// A known route: what it needs, and the subject in its path, if any.
    Known {
        /// What the caller must hold.
        need: Need,
        /// `{subject}` from the path (percent-decoded).
        subject: Option<String>,
        /// A gRPC method: the subject, if any, is in the request message.
        grpc: bool,
        /// What the audit log calls it when it is a refused write.
        action: Action,
        /// Whether it changes the registry (registrations, config, mode,
        /// deletes): the audit log records it, kept or refused.
        write: bool,
    },
    /// A path no route has.
    NoSuchPath,
    /// A known path without this method.
    NoSuchMethod,
}

/// A route as the audit log names a refused write: `METHOD /template`
/// (HTTP) or the gRPC method's path. Made without allocating; written out
/// only when recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// The HTTP method (`None`: a gRPC method).
    method: Option<Method>,
    /// The route's template, or the gRPC method's path.
    route: &'static str,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.method {
            Some(method) => write!(f, "{method} {}", self.route),
            None => f.write_str(self.route),
        }
    }
}

/// The table, indexed for lookups.
pub struct RouteTable {
    http: matchit::Router<(&'static str, &'static [(Method, Rule)])>,
}

impl RouteTable {
    /// Indexes [`HTTP_ROUTES`].
    pub fn new() -> RouteTable {
        let mut http = matchit::Router::new();
        for (template, methods) in HTTP_ROUTES {
            http.insert(*template, (*template, *methods))
                .expect("the route templates do not overlap");
        }
        RouteTable { http }
    }

    /// The route template `path` falls under (`/subjects/{subject}/versions`),
    /// the gRPC method's path, or `other`: a label with a bounded set of values.
    pub fn template(&self, path: &str) -> &'static str {
        if let Some((name, _)) = GRPC_METHODS.iter().find(|(name, _)| *name == path) {
            return name;
        }
        self.http.at(path).map_or("other", |found| found.value.0)
    }

    /// What `method` on `path` needs.
    pub fn classify(&self, method: &Method, path: &str) -> Route {
        if let Some((name, rule)) = GRPC_METHODS.iter().find(|(name, _)| *name == path) {
            return match *method {
                Method::POST => Route::Known {
                    need: rule.need,
                    subject: None,
                    grpc: true,
                    action: Action {
                        method: None,
                        route: name,
                    },
                    write: rule.writes,
                },
                _ => Route::NoSuchMethod,
            };
        }
        let Ok(found) = self.http.at(path) else {
            return Route::NoSuchPath;
        };
        let method = if *method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        let (template, methods) = found.value;
        let Some((_, rule)) = methods.iter().find(|(allowed, _)| allowed == method) else {
            return Route::NoSuchMethod;
        };
        let subject = found.params.get("subject").map(|raw| {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8_lossy()
                .into_owned()
        });
        Route::Known {
            need: rule.need,
            subject,
            grpc: false,
            action: Action {
                method: Some(method.clone()),
                route: template,
            },
            write: rule.writes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_methods_are_classified() {
        let table = RouteTable::new();
        assert_eq!(
            table.classify(&Method::POST, "/subjects/a%2Fb/versions"),
            Route::Known {
                need: Subject(Writer),
                subject: Some("a/b".to_owned()),
                grpc: false,
                action: Action {
                    method: Some(Method::POST),
                    route: "/subjects/{subject}/versions"
                },
                write: true,
            }
        );
        assert_eq!(
            table.classify(&Method::HEAD, "/schemas/ids/1"),
            Route::Known {
                need: Somewhere(Reader),
                subject: None,
                grpc: false,
                action: Action {
                    method: Some(Method::GET),
                    route: "/schemas/ids/{id}"
                },
                write: false,
            }
        );
        assert_eq!(
            table.classify(&Method::PATCH, "/config"),
            Route::NoSuchMethod
        );
        assert_eq!(table.classify(&Method::GET, "/nope"), Route::NoSuchPath);
        assert_eq!(
            table.classify(&Method::POST, "/herald.registry.v1.Registry/SetMode"),
            Route::Known {
                need: Subject(Admin),
                subject: None,
                grpc: true,
                action: Action {
                    method: None,
                    route: "/herald.registry.v1.Registry/SetMode"
                },
                write: true,
            }
        );
        let Route::Known { write: lookup, .. } = table.classify(&Method::POST, "/subjects/s")
        else {
            panic!("a route");
        };
        assert!(!lookup, "a lookup changes nothing");
    }
}
