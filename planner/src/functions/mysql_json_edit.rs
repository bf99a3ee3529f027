//! MySQL's JSON functions that change a document or test what it holds: `json_set` /
//! `json_insert` / `json_replace` (add-or-replace, add only, replace only), `json_remove`,
//! `json_array_append`, `json_merge_patch` (RFC 7396), `json_merge_preserve` (= the
//! deprecated `json_merge`), `json_contains(target, candidate[, path])`,
//! `json_contains_path(doc, 'one' | 'all', path, ...)` and `json_pretty`.
//!
//! Paths are `$`, `.key`, `."key"` and `[n]` (see [`super::json::path`]); `[0]` of a
//! non-array is the value itself, as MySQL's auto-wrapping has it. A wildcard, a path that
//! is not one, or a document that is not JSON is an error, as in MySQL; a NULL document or
//! path gives NULL. SQL values become JSON as in `json_object` (JSON-typed text is JSON,
//! other text a string).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Int64Builder, StringArray, StringBuilder};
use datafusion::common::{exec_err, ScalarValue};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{ScalarFunctionArgs, ScalarUDF};
use serde_json::Value;

use super::args::texts;
use super::json::path::{parse as parse_path, Step};
use super::json::text::{parse, to_text};
use super::json::{is_json_field, to_value};
use super::udf::{json_udf, udf, Compute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Mode {
    Set,
    Insert,
    Replace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Modify(Mode),
    Remove,
    ArrayAppend,
    MergePatch,
    MergePreserve,
    Contains,
    ContainsPath,
    Pretty,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Modify(Mode::Set) => "json_set",
            Kind::Modify(Mode::Insert) => "json_insert",
            Kind::Modify(Mode::Replace) => "json_replace",
            Kind::Remove => "json_remove",
            Kind::ArrayAppend => "json_array_append",
            Kind::MergePatch => "json_merge_patch",
            Kind::MergePreserve => "json_merge_preserve",
            Kind::Contains => "json_contains",
            Kind::ContainsPath => "json_contains_path",
            Kind::Pretty => "json_pretty",
        }
    }
}

/// One row's arguments: SQL NULL is `None`.
struct Row<'a> {
    kind: Kind,
    texts: &'a [StringArray],
    values: &'a [Vec<Value>],
    row: usize,
}

impl Row<'_> {
    fn text(&self, i: usize) -> Option<&str> {
        let a = &self.texts[i];
        (!a.is_null(self.row)).then(|| a.value(self.row))
    }

    fn document(&self, i: usize) -> DFResult<Option<Value>> {
        let Some(t) = self.text(i) else {
            return Ok(None);
        };
        match parse(t) {
            Some(v) => Ok(Some(v)),
            None => exec_err!(
                "Invalid JSON text in argument {} to function {}",
                i + 1,
                self.kind.name()
            ),
        }
    }

    fn path(&self, i: usize) -> DFResult<Option<Vec<Step>>> {
        let Some(t) = self.text(i) else {
            return Ok(None);
        };
        match parse_path(t) {
            Some(steps) if !steps.contains(&Step::Every) => Ok(Some(steps)),
            Some(_) => exec_err!(
                "In this situation, path expressions may not contain the * and ** tokens."
            ),
            None => exec_err!(
                "Invalid JSON path expression in argument {} to function {}",
                i + 1,
                self.kind.name()
            ),
        }
    }

    fn value(&self, i: usize) -> Value {
        self.values[i][self.row].clone()
    }
}

/// The value at `steps`, if there is one.
fn lookup<'a>(doc: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(doc, |v, step| match (step, v) {
        (Step::Key(k), Value::Object(m)) => m.get(k),
        (Step::Index(i), Value::Array(a)) => a.get(*i),
        (Step::Index(0), other) => Some(other),
        _ => None,
    })
}

fn lookup_mut<'a>(doc: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(doc, |v, step| match (step, v) {
        (Step::Key(k), Value::Object(m)) => m.get_mut(k),
        (Step::Index(i), Value::Array(a)) => a.get_mut(*i),
        (Step::Index(0), other) if !other.is_array() => Some(other),
        _ => None,
    })
}

/// `json_set` / `json_insert` / `json_replace` of one path: a missing member is added to
/// an object, a missing element appended to an array (a non-array is wrapped in one).
fn modify(doc: &mut Value, steps: &[Step], value: Value, mode: Mode) {
    let Some((last, parents)) = steps.split_last() else {
        if mode != Mode::Insert {
            *doc = value;
        }
        return;
    };
    let Some(parent) = lookup_mut(doc, parents) else {
        return;
    };
    match (last, parent) {
        (Step::Key(k), Value::Object(m)) => {
            let exists = m.contains_key(k);
            if (exists && mode != Mode::Insert) || (!exists && mode != Mode::Replace) {
                m.insert(k.clone(), value);
            }
        }
        (Step::Index(i), Value::Array(a)) => {
            if *i < a.len() {
                if mode != Mode::Insert {
                    a[*i] = value;
                }
            } else if mode != Mode::Replace {
                a.push(value);
            }
        }
        (Step::Index(i), other) => {
            if *i == 0 {
                if mode != Mode::Insert {
                    *other = value;
                }
            } else if mode != Mode::Replace {
                let old = std::mem::take(other);
                *other = Value::Array(vec![old, value]);
            }
        }
        _ => {}
    }
}

fn remove(doc: &mut Value, steps: &[Step]) -> DFResult<()> {
    let Some((last, parents)) = steps.split_last() else {
        return exec_err!("The path expression '$' is not allowed in this context.");
    };
    match (last, lookup_mut(doc, parents)) {
        (Step::Key(k), Some(Value::Object(m))) => {
            m.remove(k);
        }
        (Step::Index(i), Some(Value::Array(a))) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
    Ok(())
}

fn array_append(doc: &mut Value, steps: &[Step], value: Value) {
    match lookup_mut(doc, steps) {
        Some(Value::Array(a)) => a.push(value),
        Some(other) => {
            let old = std::mem::take(other);
            *other = Value::Array(vec![old, value]);
        }
        None => {}
    }
}

/// RFC 7396: an object patch merges member by member (a null member removes it); anything
/// else replaces the target.
fn merge_patch(target: Value, patch: Value) -> Value {
    let Value::Object(patch) = patch else {
        return patch;
    };
    let mut target = match target {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    for (k, v) in patch {
        if v.is_null() {
            target.remove(&k);
        } else {
            let old = target.remove(&k).unwrap_or(Value::Null);
            target.insert(k, merge_patch(old, v));
        }
    }
    Value::Object(target)
}

/// Objects merge member by member (shared members merged); anything else is concatenated
/// as arrays, a non-array wrapped in one.
fn merge_preserve(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                let merged = match a.remove(&k) {
                    Some(old) => merge_preserve(old, v),
                    None => v,
                };
                a.insert(k, merged);
            }
            Value::Object(a)
        }
        (a, b) => {
            let as_array = |v: Value| match v {
                Value::Array(items) => items,
                other => vec![other],
            };
            let mut items = as_array(a);
            items.extend(as_array(b));
            Value::Array(items)
        }
    }
}

/// MySQL's containment: equal scalars (numbers by value); an array candidate's elements
/// each in some element of an array target; a non-array in some element of an array; an
/// object's members each in the target object's member of that name.
fn contains(target: &Value, candidate: &Value) -> bool {
    match (target, candidate) {
        (Value::Array(t), Value::Array(c)) => {
            c.iter().all(|ce| t.iter().any(|te| contains(te, ce)))
        }
        (Value::Array(t), c) => t.iter().any(|te| contains(te, c)),
        (Value::Object(t), Value::Object(c)) => c
            .iter()
            .all(|(k, cv)| t.get(k).is_some_and(|tv| contains(tv, cv))),
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => a.as_f64() == b.as_f64(),
        },
        (Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        (t, c) => t == c,
    }
}

enum Answer {
    Json(Option<Value>),
    Text(Option<String>),
    Int(Option<i64>),
}

fn evaluate_row(row: &Row, n: usize) -> DFResult<Answer> {
    let kind = row.kind;
    let pairs_after_doc = || {
        if n < 3 || n.is_multiple_of(2) {
            return exec_err!(
                "Incorrect parameter count in the call to native function '{}'",
                kind.name()
            );
        }
        Ok(())
    };
    Ok(match kind {
        Kind::Modify(_) | Kind::ArrayAppend => {
            pairs_after_doc()?;
            let Some(mut doc) = row.document(0)? else {
                return Ok(Answer::Json(None));
            };
            for i in (1..n).step_by(2) {
                let Some(steps) = row.path(i)? else {
                    return Ok(Answer::Json(None));
                };
                match kind {
                    Kind::Modify(mode) => modify(&mut doc, &steps, row.value(i + 1), mode),
                    _ => array_append(&mut doc, &steps, row.value(i + 1)),
                }
            }
            Answer::Json(Some(doc))
        }
        Kind::Remove => {
            let Some(mut doc) = row.document(0)? else {
                return Ok(Answer::Json(None));
            };
            for i in 1..n {
                let Some(steps) = row.path(i)? else {
                    return Ok(Answer::Json(None));
                };
                remove(&mut doc, &steps)?;
            }
            Answer::Json(Some(doc))
        }
        Kind::MergePatch | Kind::MergePreserve => {
            let mut merged: Option<Value> = None;
            for i in 0..n {
                let Some(doc) = row.document(i)? else {
                    return Ok(Answer::Json(None));
                };
                merged = Some(match merged {
                    None => doc,
                    Some(m) if kind == Kind::MergePatch => merge_patch(m, doc),
                    Some(m) => merge_preserve(m, doc),
                });
            }
            Answer::Json(merged)
        }
        Kind::Contains => {
            let (Some(target), Some(candidate)) = (row.document(0)?, row.document(1)?) else {
                return Ok(Answer::Int(None));
            };
            let target = if n == 3 {
                let Some(steps) = row.path(2)? else {
                    return Ok(Answer::Int(None));
                };
                match lookup(&target, &steps) {
                    Some(t) => t.clone(),
                    None => return Ok(Answer::Int(None)),
                }
            } else {
                target
            };
            Answer::Int(Some(i64::from(contains(&target, &candidate))))
        }
        Kind::ContainsPath => {
            let (Some(doc), Some(which)) = (row.document(0)?, row.text(1)) else {
                return Ok(Answer::Int(None));
            };
            let all = match which.to_ascii_lowercase().as_str() {
                "one" => false,
                "all" => true,
                _ => return exec_err!("The oneOrAll argument to json_contains_path may take these values: 'one' or 'all'."),
            };
            let mut found = Vec::with_capacity(n - 2);
            for i in 2..n {
                let Some(steps) = row.path(i)? else {
                    return Ok(Answer::Int(None));
                };
                found.push(lookup(&doc, &steps).is_some());
            }
            let answer = if all {
                found.iter().all(|f| *f)
            } else {
                found.iter().any(|f| *f)
            };
            Answer::Int(Some(i64::from(answer)))
        }
        Kind::Pretty => Answer::Text(
            row.document(0)?
                .map(|d| serde_json::to_string_pretty(&d).expect("a JSON value prints")),
        ),
    })
}

impl Compute for Kind {
    fn compute(self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let n = args.args.len();
        let texts = args
            .args
            .iter()
            .map(|a| texts(a, rows))
            .collect::<DFResult<Vec<_>>>()?;
        // Values to put in a document: every other argument after the document.
        let values = args
            .args
            .iter()
            .zip(&args.arg_fields)
            .enumerate()
            .map(|(i, (a, field))| {
                if !matches!(self, Kind::Modify(_) | Kind::ArrayAppend) || i == 0 || i % 2 == 1 {
                    return Ok(vec![]);
                }
                let array = a.to_array(rows)?;
                let json = is_json_field(field);
                (0..rows)
                    .map(|r| Ok(to_value(&ScalarValue::try_from_array(&array, r)?, json)))
                    .collect::<DFResult<Vec<_>>>()
            })
            .collect::<DFResult<Vec<_>>>()?;
        let mut json_out = StringBuilder::new();
        let mut int_out = Int64Builder::new();
        for row in 0..rows {
            let r = Row {
                kind: self,
                texts: &texts,
                values: &values,
                row,
            };
            match evaluate_row(&r, n)? {
                Answer::Json(v) => json_out.append_option(v.map(|v| to_text(&v))),
                Answer::Text(t) => json_out.append_option(t),
                Answer::Int(i) => int_out.append_option(i),
            }
        }
        Ok(if matches!(self, Kind::Contains | Kind::ContainsPath) {
            Arc::new(int_out.finish())
        } else {
            Arc::new(json_out.finish())
        })
    }
}

/// The JSON editing functions, to register in every session.
pub fn json_edit_functions() -> Vec<ScalarUDF> {
    use datafusion::arrow::datatypes::DataType;
    vec![
        json_udf("json_set", &[], &[], Kind::Modify(Mode::Set)),
        json_udf("json_insert", &[], &[], Kind::Modify(Mode::Insert)),
        json_udf("json_replace", &[], &[], Kind::Modify(Mode::Replace)),
        json_udf("json_remove", &[], &[], Kind::Remove),
        json_udf(
            "json_array_append",
            &["json_append"],
            &[],
            Kind::ArrayAppend,
        ),
        json_udf("json_merge_patch", &[], &[], Kind::MergePatch),
        json_udf(
            "json_merge_preserve",
            &["json_merge"],
            &[],
            Kind::MergePreserve,
        ),
        udf(
            "json_contains",
            &[],
            &[2, 3],
            DataType::Int64,
            Kind::Contains,
        ),
        udf(
            "json_contains_path",
            &[],
            &[],
            DataType::Int64,
            Kind::ContainsPath,
        ),
        udf("json_pretty", &[], &[1], DataType::Utf8, Kind::Pretty),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &str) -> Value {
        parse(t).unwrap()
    }

    fn steps(p: &str) -> Vec<Step> {
        parse_path(p).unwrap()
    }

    #[test]
    fn edits() {
        let mut d = v(r#"{"a": 1, "b": [2, 3]}"#);
        modify(&mut d, &steps("$.a"), v("10"), Mode::Insert);
        modify(&mut d, &steps("$.c"), v("4"), Mode::Replace);
        modify(&mut d, &steps("$.b[5]"), v("9"), Mode::Set);
        assert_eq!(to_text(&d), r#"{"a": 1, "b": [2, 3, 9]}"#);
        array_append(&mut d, &steps("$.a"), v("\"x\""));
        remove(&mut d, &steps("$.b[0]")).unwrap();
        assert_eq!(to_text(&d), r#"{"a": [1, "x"], "b": [3, 9]}"#);
        assert_eq!(
            to_text(&merge_patch(
                v(r#"{"a": 1, "b": 2}"#),
                v(r#"{"b": null, "c": 3}"#)
            )),
            r#"{"a": 1, "c": 3}"#
        );
        assert_eq!(
            to_text(&merge_preserve(v(r#"{"a": 1}"#), v(r#"{"a": 3}"#))),
            r#"{"a": [1, 3]}"#
        );
        assert!(contains(&v("[1, [2, 3]]"), &v("[[2]]")));
        assert!(!contains(&v(r#"{"a": 1}"#), &v("1")));
        assert!(contains(&v("1.0"), &v("1")));
    }
}
