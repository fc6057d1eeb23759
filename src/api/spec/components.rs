//! Passes over paths and components: shared parts written once as components (with the
//! guard's errors, `security`, `servers` and `info.contact`), `If-Match` required, request
//! bodies closed.

use super::Ordered;

/// A component's key for a header: `X-REQUEST-ID` -> `XRequestId`.
fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Puts `value` into `components.<section>` under `base` (or `base2`, `base3`, … when another
/// definition holds `base`), reusing an equal definition; returns the reference to it.
fn component(
    store: &mut Vec<(String, Ordered)>,
    section: &str,
    base: &str,
    value: Ordered,
) -> Ordered {
    let text = value.canonical();
    let mut n = 1;
    loop {
        let key = if n == 1 {
            base.to_string()
        } else {
            format!("{base}{n}")
        };
        match store.iter().find(|(k, _)| *k == key) {
            Some((_, existing)) if existing.canonical() == text => {
                return Ordered::reference(format!("#/components/{section}/{key}"));
            }
            Some(_) => n += 1,
            None => {
                store.push((key.clone(), value));
                return Ordered::reference(format!("#/components/{section}/{key}"));
            }
        }
    }
}

/// Error statuses the guard around every request can answer on any operation (limits, rate
/// limits, unknown parameters, timeouts), documented on operations whose handler cannot fail.
const GUARD_STATUSES: &[&str] = &["400", "413", "414", "429", "431", "500", "503"];

/// Every response header and error response written once under `components` and referenced
/// from each operation (poem-openapi inlines them in every response: most of the document);
/// every operation documents the guard's errors; public operations say they need no token
/// (`security: []`); `servers` and `info.contact` are set.
pub(super) fn share_components(doc: &mut Ordered) {
    let mut headers: Vec<(String, Ordered)> = Vec::new();
    let mut responses: Vec<(String, Ordered)> = Vec::new();
    let mut by_status: Vec<(String, Ordered)> = Vec::new();
    let mut parameters: Vec<(String, Ordered)> = Vec::new();
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    if let Some(paths) = doc.get_mut("paths").and_then(Ordered::members_mut) {
        for (_, item) in paths.iter_mut() {
            let Some(ops) = item.members_mut() else {
                continue;
            };
            for (method, op) in ops.iter_mut() {
                if !methods.contains(&method.as_str()) {
                    continue;
                }
                if !op.has("security") {
                    op.set("security", Ordered::Array(vec![]));
                }
                if let Some(Ordered::Array(ps)) = op.get_mut("parameters") {
                    for param in ps.iter_mut() {
                        let name = param.name_and_place();
                        let value =
                            std::mem::replace(param, Ordered::Scalar(serde_json::Value::Null));
                        *param = component(&mut parameters, "parameters", &camel(&name), value);
                    }
                }
                let Some(rs) = op.get_mut("responses").and_then(Ordered::members_mut) else {
                    continue;
                };
                for (status, response) in rs.iter_mut() {
                    if let Some(hs) = response.get_mut("headers").and_then(Ordered::members_mut) {
                        for (name, h) in hs.iter_mut() {
                            let value =
                                std::mem::replace(h, Ordered::Scalar(serde_json::Value::Null));
                            *h = component(&mut headers, "headers", &camel(name), value);
                        }
                    }
                    if status.starts_with('4') || status.starts_with('5') {
                        let value =
                            std::mem::replace(response, Ordered::Scalar(serde_json::Value::Null));
                        let r = component(
                            &mut responses,
                            "responses",
                            &format!("Error{status}"),
                            value,
                        );
                        if !by_status.iter().any(|(s, _)| s == status) {
                            by_status.push((status.clone(), r.clone_ref()));
                        }
                        *response = r;
                    }
                }
                for status in GUARD_STATUSES {
                    if !rs.iter().any(|(s, _)| s == status)
                        && let Some((_, r)) = by_status.iter().find(|(s, _)| s == status)
                    {
                        rs.push((status.to_string(), r.clone_ref()));
                    }
                }
            }
        }
    }
    // Operations seen before the first one with errors: give them the guard's errors too.
    if let Some(paths) = doc.get_mut("paths").and_then(Ordered::members_mut) {
        for (_, item) in paths.iter_mut() {
            let Some(ops) = item.members_mut() else {
                continue;
            };
            for (method, op) in ops.iter_mut() {
                if !methods.contains(&method.as_str()) {
                    continue;
                }
                let Some(rs) = op.get_mut("responses").and_then(Ordered::members_mut) else {
                    continue;
                };
                for status in GUARD_STATUSES {
                    if !rs.iter().any(|(s, _)| s == status)
                        && let Some((_, r)) = by_status.iter().find(|(s, _)| s == status)
                    {
                        rs.push((status.to_string(), r.clone_ref()));
                    }
                }
            }
        }
    }
    if let Some(components) = doc.get_mut("components") {
        components.set("headers", Ordered::Object(headers));
        components.set("responses", Ordered::Object(responses));
        components.set("parameters", Ordered::Object(parameters));
    }
    let servers_empty = matches!(doc.get_mut("servers"), None | Some(Ordered::Array(_)))
        && !matches!(doc.get_mut("servers"), Some(Ordered::Array(a)) if !a.is_empty());
    if servers_empty {
        doc.set(
            "servers",
            Ordered::Array(vec![Ordered::Object(vec![
                ("url".into(), Ordered::text("/")),
                (
                    "description".into(),
                    Ordered::text("This server: the origin the spec was read from."),
                ),
            ])]),
        );
    }
    if let Some(info) = doc.get_mut("info")
        && !info.has("contact")
    {
        info.set(
            "contact",
            Ordered::Object(vec![
                ("name".into(), Ordered::text(CONTACT_NAME)),
                ("url".into(), Ordered::text(CONTACT_URL)),
            ]),
        );
    }
}

/// Who answers for the API, as `info.contact` says: the maintainers, reached through the
/// server's own documentation (relative, like `servers`: the project has no public home
/// this document could name truthfully).
pub const CONTACT_NAME: &str = "Ring partnerships API maintainers";
pub const CONTACT_URL: &str = "/docs";

/// `If-Match` is required wherever it is taken (updates and deletes answer 428
/// `precondition_required` without it); poem-openapi reads it as optional only so that its
/// absence gets that answer rather than a generic 400.
pub(super) fn require_if_match(doc: &mut Ordered) {
    let Some(Ordered::Object(params)) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("parameters"))
    else {
        return;
    };
    for (_, p) in params.iter_mut() {
        let named = |p: &Ordered, k: &str, v: &str| match p {
            Ordered::Object(m) => m.iter().any(|(key, val)| {
                key == k && matches!(val, Ordered::Scalar(serde_json::Value::String(s)) if s == v)
            }),
            _ => false,
        };
        if named(p, "name", "If-Match") && named(p, "in", "header") {
            p.set("required", Ordered::Scalar(true.into()));
        }
    }
}

/// Every object schema a request body uses, itself or through its fields, says
/// `additionalProperties: false`: the API refuses a field it does not know (a misspelt
/// field is a 400, never silently ignored), and the spec says so, so clients and fuzzers
/// know it too. (No schema of a request body is also one of a response.)
pub(super) fn close_request_bodies(doc: &mut Ordered) {
    let mut todo = Vec::new();
    if let Some(Ordered::Object(paths)) = doc.get_mut("paths") {
        for (_, item) in paths.iter() {
            if let Ordered::Object(ops) = item {
                for (_, op) in ops {
                    if let Ordered::Object(fields) = op
                        && let Some((_, body)) = fields.iter().find(|(k, _)| k == "requestBody")
                    {
                        body.collect_refs(&mut todo);
                    }
                }
            }
        }
    }
    let Some(Ordered::Object(schemas)) =
        doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    while let Some(r) = todo.pop() {
        let Some(name) = r.strip_prefix("#/components/schemas/") else {
            continue;
        };
        if seen.iter().any(|s| s == name) {
            continue;
        }
        seen.push(name.to_string());
        if let Some((_, schema)) = schemas.iter().find(|(n, _)| n == name) {
            schema.collect_refs(&mut todo);
        }
    }
    for (name, schema) in schemas.iter_mut() {
        if seen.contains(name) && schema.has("properties") && !schema.has("additionalProperties") {
            schema.set("additionalProperties", Ordered::Scalar(false.into()));
        }
    }
}
