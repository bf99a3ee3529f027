//! JSON values to and from text, formatted as StarRocks prints JSON: object keys sorted,
//! `": "` after keys and `", "` between items (`{"a": 1, "b": [1, 2]}`).

use std::io;

use serde_json::ser::Formatter;
use serde_json::Value;

struct StarRocksFormatter;

impl Formatter for StarRocksFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

/// The text of a JSON value.
pub fn to_text(value: &Value) -> String {
    let mut out = Vec::with_capacity(64);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, StarRocksFormatter);
    serde::Serialize::serialize(value, &mut ser).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Parse JSON text; `None` when it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// A value as `get_json_string` returns it: strings without quotes, anything else as JSON
/// text.
pub fn unquoted(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => to_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starrocks_layout() {
        let v = parse(r#"{"b":[1,2],"a":{"y":true,"x":null}}"#).unwrap();
        assert_eq!(to_text(&v), r#"{"a": {"x": null, "y": true}, "b": [1, 2]}"#);
        assert_eq!(unquoted(&Value::String("v1".into())), "v1");
        assert!(parse("{bad").is_none());
    }
}
