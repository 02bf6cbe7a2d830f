//! The list generator: `elements` (and `elementsYaml`, appended after them).

use serde_json::Value;

use super::Ctx;
use crate::error::AppSetError;
use crate::template::Params;

pub(super) fn params(ctx: &Ctx<'_>, spec: &Value, at: &str) -> Result<Vec<Params>, AppSetError> {
    let elements = match spec.get("elements") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(AppSetError::generator(at, "elements must be a list")),
    };
    let mut out = Vec::with_capacity(elements.len());
    for (i, el) in elements.iter().enumerate() {
        let Value::Object(element) = el else {
            return Err(AppSetError::generator(
                at,
                format!("elements[{i}]: error unmarshling list element: not an object"),
            ));
        };
        if ctx.renderer.is_go() {
            out.push(element.clone());
            continue;
        }
        // fasttemplate: string values only; `values` is a map of strings.
        let mut p = Params::new();
        for (k, v) in element {
            if k == "values" {
                let Value::Object(values) = v else {
                    return Err(AppSetError::generator(
                        at,
                        format!("elements[{i}].values: error parsing values map"),
                    ));
                };
                for (vk, vv) in values {
                    let Value::String(s) = vv else {
                        return Err(AppSetError::generator(
                            at,
                            format!("elements[{i}].values.{vk}: error parsing value as string"),
                        ));
                    };
                    p.insert(format!("values.{vk}"), Value::String(s.clone()));
                }
            } else {
                let Value::String(s) = v else {
                    return Err(AppSetError::generator(
                        at,
                        format!(
                            "elements[{i}].{k}: error parsing value as string (use goTemplate: true for non-string values)"
                        ),
                    ));
                };
                p.insert(k.clone(), Value::String(s.clone()));
            }
        }
        out.push(p);
    }
    if let Some(yaml) = spec.get("elementsYaml").and_then(Value::as_str)
        && !yaml.is_empty()
    {
        let parsed: Vec<Params> = serde_yaml_ng::from_str(yaml).map_err(|e| {
            AppSetError::generator(
                at,
                format!("elementsYaml: error unmarshling decoded ElementsYaml: {e}"),
            )
        })?;
        out.extend(parsed);
    }
    Ok(out)
}
