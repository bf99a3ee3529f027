//! StarRocks JSON paths: `$` is the document, `.key` or `."key.with.dots"` a member,
//! `[i]` an array element (0-based), `[*]` every element. Applying a member step to an
//! array applies it to each element (StarRocks: `$.k` on `[{"k":1},{"k":2}]` is `[1,2]`).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    Every,
}

/// A parsed path; `None` for text that is not a path (the functions then return NULL).
pub fn parse(path: &str) -> Option<Vec<Step>> {
    let path = path.trim();
    let rest = path.strip_prefix('$')?;
    let mut steps = vec![];
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    let mut key = String::new();
                    loop {
                        match chars.next()? {
                            '"' => break,
                            '\\' => key.push(chars.next()?),
                            c => key.push(c),
                        }
                    }
                    steps.push(Step::Key(key));
                } else {
                    let mut key = String::new();
                    while let Some(&c) = chars.peek() {
                        if c == '.' || c == '[' {
                            break;
                        }
                        key.push(c);
                        chars.next();
                    }
                    if key.is_empty() {
                        return None;
                    }
                    if key == "*" {
                        steps.push(Step::Every);
                    } else {
                        steps.push(Step::Key(key));
                    }
                }
            }
            '[' => {
                let mut index = String::new();
                loop {
                    match chars.next()? {
                        ']' => break,
                        c => index.push(c),
                    }
                }
                let index = index.trim();
                if index == "*" {
                    steps.push(Step::Every);
                } else {
                    steps.push(Step::Index(index.parse().ok()?));
                }
            }
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    Some(steps)
}

/// The value at `steps`, if there is one. Steps that fan out (over arrays) collect their
/// matches into an array.
pub fn select<'a>(doc: &'a Value, steps: &[Step]) -> Option<std::borrow::Cow<'a, Value>> {
    use std::borrow::Cow;
    let Some((step, rest)) = steps.split_first() else {
        return Some(Cow::Borrowed(doc));
    };
    match (step, doc) {
        (Step::Key(k), Value::Object(map)) => select(map.get(k)?, rest),
        (Step::Key(_), Value::Array(items)) => {
            let matches: Vec<Value> = items
                .iter()
                .filter_map(|item| select(item, steps).map(Cow::into_owned))
                .collect();
            (!matches.is_empty()).then_some(Cow::Owned(Value::Array(matches)))
        }
        (Step::Index(i), Value::Array(items)) => select(items.get(*i)?, rest),
        (Step::Every, Value::Array(items)) => {
            let matches: Vec<Value> = items
                .iter()
                .filter_map(|item| select(item, rest).map(Cow::into_owned))
                .collect();
            Some(Cow::Owned(Value::Array(matches)))
        }
        (Step::Every, Value::Object(map)) => {
            let matches: Vec<Value> = map
                .values()
                .filter_map(|v| select(v, rest).map(Cow::into_owned))
                .collect();
            Some(Cow::Owned(Value::Array(matches)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(doc: &Value, path: &str) -> Option<Value> {
        select(doc, &parse(path)?).map(|v| v.into_owned())
    }

    #[test]
    fn paths_as_starrocks_documents_them() {
        let doc =
            json!({"k1": "v1", "k2": {"k3": [10, 20]}, "my.key": 5, "arr": [{"k": 1}, {"k": 2}]});
        assert_eq!(at(&doc, "$.k1"), Some(json!("v1")));
        assert_eq!(at(&doc, "$.k2.k3[1]"), Some(json!(20)));
        assert_eq!(at(&doc, "$.\"my.key\""), Some(json!(5)));
        assert_eq!(at(&doc, "$.arr.k"), Some(json!([1, 2])));
        assert_eq!(at(&doc, "$.arr[*].k"), Some(json!([1, 2])));
        assert_eq!(at(&doc, "$"), Some(doc.clone()));
        assert_eq!(at(&doc, "$.nope"), None);
        assert_eq!(at(&doc, "k1"), None);
        assert_eq!(at(&doc, "$.k2.k3[9]"), None);
    }
}
