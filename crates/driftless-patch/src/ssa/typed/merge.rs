//! `Merge`: an applied configuration over the live object.

use super::{Keys, Kind, index_items_lenient, kind};
use crate::schema::TypeRef;
use crate::ssa::fieldset::PathElement;
use serde_json::Value;

/// `Merge`: applies `rhs` (an applied configuration) over `lhs` (the live object).
pub(crate) fn merge(lhs: &Value, rhs: &Value, ty: TypeRef<'_>) -> Value {
    match (kind(ty, Some(lhs)), kind(ty, Some(rhs))) {
        (Kind::Fields, Kind::Fields) => {
            let (Value::Object(lm), Value::Object(rm)) = (lhs, rhs) else {
                return rhs.clone();
            };
            let mut out = lm.clone();
            for (k, rv) in rm {
                let merged = match (lm.get(k), ty.field(k)) {
                    (Some(lv), Some(cty)) => merge(lv, rv, cty),
                    _ => rv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Kind::Assoc(lt, item_ty), Kind::Assoc(..)) => {
            let (Value::Array(la), Value::Array(ra)) = (lhs, rhs) else {
                return rhs.clone();
            };
            Value::Array(merge_list(&lt, item_ty, la, ra))
        }
        _ => rhs.clone(),
    }
}

/// Merges associative lists keeping structured-merge-diff's order: items only in `lhs` stay
/// where they are, shared items follow `rhs` order, new `rhs` items go at their `rhs` position.
fn merge_list(lt: &Keys<'_>, item_ty: TypeRef<'_>, la: &[Value], ra: &[Value]) -> Vec<Value> {
    let lhs = index_items_lenient(lt, item_ty, la);
    let rhs = index_items_lenient(lt, item_ty, ra);
    let in_rhs = |pe: &PathElement| rhs.iter().any(|(p, _)| p == pe);
    let lhs_get = |pe: &PathElement| lhs.iter().find(|(p, _)| p == pe).map(|(_, v)| *v);
    let mut shared: std::collections::VecDeque<&PathElement> = rhs
        .iter()
        .map(|(p, _)| p)
        .filter(|p| lhs_get(p).is_some())
        .collect();
    let mut next_shared = shared.pop_front();
    let mut done: Vec<&PathElement> = Vec::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let merge_item = |pe: &PathElement, r: &Value| match lhs_get(pe) {
        Some(l) => merge(l, r, item_ty),
        None => r.clone(),
    };
    let (mut li, mut ri) = (0, 0);
    while li < lhs.len() || ri < rhs.len() {
        if li < lhs.len() && ri < rhs.len() {
            let (lpe, _) = &lhs[li];
            let (rpe, rv) = &rhs[ri];
            if lpe == rpe {
                out.push(merge_item(rpe, rv));
                done.push(rpe);
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if in_rhs(lpe) && next_shared.is_some_and(|n| n != lpe) {
                li += 1;
                continue;
            }
        }
        if li < lhs.len() {
            let (lpe, lv) = &lhs[li];
            if !in_rhs(lpe) {
                out.push((*lv).clone());
                li += 1;
                continue;
            }
            if done.contains(&lpe) {
                li += 1;
                continue;
            }
        }
        if ri < rhs.len() {
            let (rpe, rv) = &rhs[ri];
            out.push(merge_item(rpe, rv));
            done.push(rpe);
            ri += 1;
            if next_shared.is_some_and(|n| n == rpe) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}
