//! The REST API's OpenAPI 3.1 description, served at `/openapi.json`.
//! Paths, parameters and bodies come from each handler's
//! `#[utoipa::path]`, and the router takes its routes from the same
//! attributes (utoipa-axum's `routes!`), so no route exists without its
//! description. What every route shares is added here: the registry's
//! media types, the error envelope under each status it can take, and who
//! may call the route (from the access-rule table).

use axum::body::{Body, Bytes};
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::Response as Described;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Components, Content, OpenApi, Ref, RefOr};

use super::body::MEDIA_TYPE;
use crate::access::rules::{HTTP_ROUTES, Need};

/// The description's fixed parts; the paths are added by the router.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Herald Schema Registry",
        description = "The Confluent Schema Registry REST API as Herald serves it, with Herald's \
                       extensions (`findings` and `warnings` of verbose compatibility checks, \
                       `protobufRules` and `compatibilityPolicy`, the audit log). Every error is \
                       `{\"error_code\": N, \"message\": \"...\"}` with the HTTP status in the \
                       code's first three digits. Every route under `/subjects`, `/schemas`, \
                       `/config`, `/mode` and `/compatibility` is also served under \
                       `/contexts/{context}/...`, as the same route in that context.",
        license(name = "Apache-2.0")
    ),
    components(schemas(super::error::ErrorMessage)),
    tags(
        (name = "schemas", description = "Schemas by id or GUID"),
        (name = "subjects", description = "Subjects, their versions, registration and lookup"),
        (name = "compatibility", description = "Would a schema be accepted?"),
        (name = "config", description = "Compatibility levels and data-contract defaults"),
        (name = "mode", description = "READWRITE, READONLY, IMPORT"),
        (name = "contexts", description = "Schema contexts"),
        (name = "audit", description = "Herald's audit log"),
        (name = "server", description = "Health, metrics and server metadata"),
    )
)]
pub(super) struct ApiDoc;

/// The error envelope's schema, by reference.
const ERROR_SCHEMA: &str = "ErrorMessage";

/// Media types a request body may be sent in.
const REQUEST_MEDIA_TYPES: [&str; 2] = [MEDIA_TYPE, "application/json"];

/// The answer of `GET /openapi.json`.
pub(super) fn serve(description: Bytes) -> axum::response::Response<Body> {
    ([(CONTENT_TYPE, "application/json")], description).into_response()
}

/// Adds what every operation shares, once the router has added the paths.
pub(super) fn complete(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Components::new);
    components.add_security_scheme(
        "basic",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    for (path, item) in &mut api.paths.paths {
        for (method, operation) in operations(item) {
            let need = HTTP_ROUTES
                .iter()
                .find(|(template, _)| template == path)
                .and_then(|(_, methods)| methods.iter().find(|(m, _)| *m == method))
                .map(|(_, rule)| rule.need);
            complete_operation(operation, path, need);
        }
    }
}

/// The operations of a path item, with their methods.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation?)))
}

/// Sets an operation's media types, error statuses and security.
fn complete_operation(operation: &mut Operation, path: &str, need: Option<Need>) {
    // The probes answer plain JSON, /metrics text; the rest the registry's type.
    let probe = matches!(path, "/healthz" | "/readyz" | "/metrics");
    if !probe {
        for response in operation.responses.responses.values_mut() {
            if let RefOr::T(response) = response {
                registry_media_type(response);
            }
        }
    }
    let has_body = operation.request_body.is_some();
    if let Some(RefOr::T(body)) = &mut operation.request_body {
        every_request_media_type(body);
    }
    let has_query = operation.parameters.iter().flatten().any(|parameter| {
        matches!(parameter, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
    });
    let public = matches!(need, Some(Need::Public));
    let mut statuses: Vec<(&str, &str)> = Vec::new();
    if has_body || has_query {
        statuses.push((
            "400",
            "Malformed JSON, a field or parameter of the wrong type",
        ));
    }
    if !public {
        statuses.push(("401", "No usable credentials (with access control on)"));
        statuses.push(("403", "The caller's grants do not cover this"));
    }
    if !probe {
        statuses.push((
            "404",
            "No such subject, version or schema (or a path parameter of the wrong type)",
        ));
    }
    if has_body {
        statuses.push(("408", "The body did not arrive in time"));
        statuses.push(("413", "The body is larger than the limit"));
        statuses.push(("415", "A body without a JSON media type"));
    }
    if !probe {
        statuses.push((
            "422",
            "An invalid schema, version, level, mode or subject, or a refused change",
        ));
        statuses.push(("500", "The store failed"));
        statuses.push((
            "503",
            "Schema work over its time budget, or the store unreachable",
        ));
    }
    for (status, description) in statuses {
        let error = Described::builder()
            .description(description)
            .content(
                MEDIA_TYPE,
                Content::new(Some(Ref::from_schema_name(ERROR_SCHEMA))),
            )
            .build();
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert(RefOr::T(error));
    }
    if !public {
        operation.security = Some(vec![
            SecurityRequirement::new("basic", Vec::<String>::new()),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]);
    }
}

/// Declares a response's body under the registry's media type (utoipa
/// puts JSON under `application/json`, a bare number under `text/plain`).
fn registry_media_type(response: &mut Described) {
    for default in ["application/json", "text/plain"] {
        if let Some(content) = response.content.shift_remove(default) {
            response.content.insert(MEDIA_TYPE.to_owned(), content);
        }
    }
}

/// Declares a request body under every media type the API reads as JSON.
fn every_request_media_type(body: &mut RequestBody) {
    if let Some(content) = body.content.remove("application/json") {
        for media_type in REQUEST_MEDIA_TYPES {
            body.content.insert(media_type.to_owned(), content.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The described operations: `METHOD /template`, sorted.
    fn described() -> Vec<String> {
        let (_, mut api) = super::super::described_routes().split_for_parts();
        complete(&mut api);
        let mut operations: Vec<String> = api
            .paths
            .paths
            .iter_mut()
            .flat_map(|(path, item)| {
                operations(item)
                    .map(|(method, _)| format!("{method} {path}"))
                    .collect::<Vec<_>>()
            })
            .collect();
        operations.sort();
        operations
    }

    #[test]
    fn every_rest_route_of_the_access_table_is_described_and_nothing_else() {
        let mut routed: Vec<String> = HTTP_ROUTES
            .iter()
            .filter(|(template, _)| !template.starts_with("/ui") && *template != "/openapi.json")
            .flat_map(|(template, methods)| {
                methods
                    .iter()
                    .map(move |(method, _)| format!("{method} {template}"))
            })
            .collect();
        routed.sort();
        assert_eq!(described(), routed);
    }

    #[test]
    fn errors_media_types_and_security_are_declared() {
        let (_, mut api) = super::super::described_routes().split_for_parts();
        complete(&mut api);
        let json = serde_json::to_value(&api).expect("serializable");
        assert_eq!(json["openapi"], "3.1.0");
        let register = &json["paths"]["/subjects/{subject}/versions"]["post"];
        for status in [
            "200", "400", "401", "403", "404", "409", "413", "415", "422", "500",
        ] {
            assert!(
                register["responses"][status]["content"][MEDIA_TYPE].is_object(),
                "{status}: {register:#}"
            );
        }
        for media_type in REQUEST_MEDIA_TYPES {
            assert!(register["requestBody"]["content"][media_type].is_object());
        }
        assert_eq!(register["security"][0], serde_json::json!({"basic": []}));
        let health = &json["paths"]["/healthz"]["get"];
        assert!(health["security"].is_null(), "{health:#}");
        assert!(health["responses"]["200"]["content"]["application/json"].is_object());
        assert_eq!(
            json["components"]["schemas"]["ErrorMessage"]["required"],
            serde_json::json!(["error_code", "message"])
        );
    }
}
