//! Rules on the RPCs of services present in both versions.

use std::collections::BTreeMap;

use prost_reflect::MethodDescriptor;

use super::{Finding, Pair, service_pairs};

/// `MethodDescriptorProto` field numbers of `input_type`, `output_type`,
/// `options`, and `MethodOptions.idempotency_level`.
const INPUT_TYPE: i32 = 2;
const OUTPUT_TYPE: i32 = 3;
const OPTIONS: i32 = 4;
const IDEMPOTENCY_LEVEL: i32 = 34;

/// RPCs present in both versions, by service and name: (previous, current).
fn method_pairs(pair: &Pair<'_>) -> Vec<(MethodDescriptor, MethodDescriptor)> {
    let mut out = Vec::new();
    for (previous, current) in service_pairs(pair) {
        let by_name: BTreeMap<String, MethodDescriptor> = current
            .methods()
            .map(|m| (m.name().to_owned(), m))
            .collect();
        out.extend(
            previous
                .methods()
                .filter_map(|m| by_name.get(m.name()).map(|now| (m, now.clone()))),
        );
    }
    out
}

fn at(method: &MethodDescriptor, extra: &[i32], message: String) -> Finding {
    let mut path = method.path().to_vec();
    path.extend_from_slice(extra);
    Finding::at(&method.parent_file(), &path, message)
}

fn streaming(yes: bool) -> &'static str {
    if yes { "streaming" } else { "unary" }
}

/// RPC_SAME_CLIENT_STREAMING.
pub(super) fn same_client_streaming(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in method_pairs(pair) {
        if previous.is_client_streaming() != current.is_client_streaming() {
            let message = format!(
                "RPC \"{}\" on service \"{}\" changed from client {} to client {}.",
                current.name(),
                current.parent_service().name(),
                streaming(previous.is_client_streaming()),
                streaming(current.is_client_streaming())
            );
            out.push(at(&current, &[], message));
        }
    }
}

/// RPC_SAME_SERVER_STREAMING.
pub(super) fn same_server_streaming(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in method_pairs(pair) {
        if previous.is_server_streaming() != current.is_server_streaming() {
            let message = format!(
                "RPC \"{}\" on service \"{}\" changed from server {} to server {}.",
                current.name(),
                current.parent_service().name(),
                streaming(previous.is_server_streaming()),
                streaming(current.is_server_streaming())
            );
            out.push(at(&current, &[], message));
        }
    }
}

/// RPC_SAME_REQUEST_TYPE.
pub(super) fn same_request_type(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in method_pairs(pair) {
        let (before, after) = (
            previous.input().full_name().to_owned(),
            current.input().full_name().to_owned(),
        );
        if before != after {
            let message = format!(
                "RPC \"{}\" changed request type from \"{before}\" to \"{after}\".",
                current.name()
            );
            out.push(at(&current, &[INPUT_TYPE], message));
        }
    }
}

/// RPC_SAME_RESPONSE_TYPE.
pub(super) fn same_response_type(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in method_pairs(pair) {
        let (before, after) = (
            previous.output().full_name().to_owned(),
            current.output().full_name().to_owned(),
        );
        if before != after {
            let message = format!(
                "RPC \"{}\" changed response type from \"{before}\" to \"{after}\".",
                current.name()
            );
            out.push(at(&current, &[OUTPUT_TYPE], message));
        }
    }
}

fn idempotency(method: &MethodDescriptor) -> String {
    method
        .method_descriptor_proto()
        .options
        .clone()
        .unwrap_or_default()
        .idempotency_level()
        .as_str_name()
        .to_owned()
}

/// RPC_SAME_IDEMPOTENCY_LEVEL.
pub(super) fn same_idempotency_level(pair: &Pair<'_>, out: &mut Vec<Finding>) {
    for (previous, current) in method_pairs(pair) {
        let (before, after) = (idempotency(&previous), idempotency(&current));
        if before != after {
            let message = format!(
                "RPC \"{}\" changed option \"idempotency_level\" from \"{before}\" to \"{after}\".",
                current.name()
            );
            out.push(at(&current, &[OPTIONS, IDEMPOTENCY_LEVEL], message));
        }
    }
}
