//! The API's reference in Markdown, rendered from the OpenAPI document (kept in
//! `docs/api.md`; a test fails when the file no longer matches the code).

use serde_json::Value;
use std::fmt::Write;

/// The reference: every operation with its parameters, body and answers, then every
/// type with its fields.
pub fn markdown() -> String {
    let document = serde_json::to_value(super::document()).unwrap_or_default();
    let mut out = String::new();
    let info = &document["info"];
    let _ = writeln!(
        out,
        "# {} (version {})\n",
        text(&info["title"]),
        text(&info["version"])
    );
    let _ = writeln!(
        out,
        "Generated from `GET /api/v1/openapi.json` (OpenAPI {}) by `server::rest::reference`; \
         do not edit by hand.\n\n{}\n",
        text(&document["openapi"]),
        text(&info["description"])
    );
    out.push_str("## Operations\n\n");
    let empty = serde_json::Map::new();
    for (path, item) in document["paths"].as_object().unwrap_or(&empty) {
        for (method, operation) in item.as_object().unwrap_or(&empty) {
            let _ = writeln!(out, "### `{} {path}`\n", method.to_uppercase());
            let summary = [&operation["summary"], &operation["description"]]
                .iter()
                .map(|v| text(v))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !summary.is_empty() {
                let _ = writeln!(out, "{summary}\n");
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "- {} `{}` ({}{}): {}",
                    text(&parameter["in"]),
                    text(&parameter["name"]),
                    type_of(&parameter["schema"]),
                    if parameter["required"] == true {
                        ", required"
                    } else {
                        ""
                    },
                    text(&parameter["description"]).replace('\n', " "),
                );
            }
            if let Some(body) =
                operation["requestBody"]["content"]["application/json"]["schema"].as_object()
            {
                let _ = writeln!(out, "- body: {}", type_of(&Value::Object(body.clone())));
            }
            let answers: Vec<String> = operation["responses"]
                .as_object()
                .unwrap_or(&empty)
                .iter()
                .map(|(status, answer)| {
                    let body = answer["content"]
                        .as_object()
                        .and_then(|c| c.values().next())
                        .map(|c| format!(" {}", type_of(&c["schema"])))
                        .unwrap_or_default();
                    format!("{status}{body}")
                })
                .collect();
            let _ = writeln!(out, "- answers: {}\n", answers.join(", "));
        }
    }
    out.push_str("## Types\n\n");
    for (name, schema) in document["components"]["schemas"]
        .as_object()
        .unwrap_or(&empty)
    {
        let _ = writeln!(out, "### {name}\n");
        let description = text(&schema["description"]);
        if !description.is_empty() {
            let _ = writeln!(out, "{description}\n");
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (field, property) in schema["properties"].as_object().unwrap_or(&empty) {
            let _ = writeln!(
                out,
                "- `{field}` ({}{}){}",
                type_of(property),
                if required.contains(&field.as_str()) {
                    ", required"
                } else {
                    ""
                },
                match text(&property["description"]).replace('\n', " ") {
                    d if d.is_empty() => String::new(),
                    d => format!(": {d}"),
                }
            );
        }
        out.push('\n');
    }
    out
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().trim().to_string()
}

/// A schema in words: `Incident`, `array of Line`, `string`, `integer or null`.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return options.iter().map(type_of).collect::<Vec<_>>().join(" or ");
    }
    let kind = match &schema["type"] {
        Value::String(kind) => kind.clone(),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_string(),
    };
    if kind.starts_with("array") {
        return kind.replacen(
            "array",
            &format!("array of {}", type_of(&schema["items"])),
            1,
        );
    }
    match schema["format"].as_str() {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}
