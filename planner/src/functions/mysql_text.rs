//! MySQL string functions DataFusion lacks: `format(x, d[, locale])` (grouped thousands,
//! DECIMALs rounded half away from zero, doubles to even, at most 30 decimals),
//! `locate(substr, str, pos)` (the two-argument form is planned as `strpos`), `insert(str,
//! pos, len, newstr)`, `quote`, `make_set`, `export_set` and `regexp_substr(str, pattern[,
//! pos[, occurrence[, match_type]]])`. Positions count characters, from 1.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, Decimal128Array, Float64Array, Int64Builder, StringBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::exec_err;
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};

use super::args::{decimal_text, mysql_integers, texts};
use super::udf::{udf, Compute};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Format,
    Locate,
    Insert,
    Quote,
    MakeSet,
    ExportSet,
    RegexpSubstr,
}

/// `format`'s most decimals (MySQL's FORMAT_MAX_DECIMALS).
const MAX_DECIMALS: i128 = 30;

/// A number's text before grouping: a sign, integer digits, and fraction digits.
struct Digits {
    negative: bool,
    integer: Vec<u8>,
    fraction: Vec<u8>,
}

impl Digits {
    /// From plain decimal text (`-123.45`).
    fn parse(text: &str) -> Digits {
        let (negative, t) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (i, f) = t.split_once('.').unwrap_or((t, ""));
        Digits {
            negative,
            integer: i.bytes().collect(),
            fraction: f.bytes().collect(),
        }
    }

    /// Rounded half away from zero to `decimals` fraction digits.
    fn round(mut self, decimals: usize) -> Digits {
        let carry = self.fraction.get(decimals).is_some_and(|&d| d >= b'5');
        self.fraction.resize(decimals, b'0');
        if carry {
            let mut all = self.integer.clone();
            all.extend_from_slice(&self.fraction);
            let mut i = all.len();
            loop {
                if i == 0 {
                    all.insert(0, b'1');
                    break;
                }
                i -= 1;
                if all[i] == b'9' {
                    all[i] = b'0';
                } else {
                    all[i] += 1;
                    break;
                }
            }
            let split = all.len() - decimals;
            self.fraction = all.split_off(split);
            self.integer = all;
        }
        self
    }

    /// Grouped in threes by `thousands` (none when empty), `point` before the fraction.
    fn render(&self, thousands: &str, point: char) -> String {
        let integer: Vec<u8> = match self.integer.iter().position(|&d| d != b'0') {
            Some(first) => self.integer[first..].to_vec(),
            None => vec![b'0'],
        };
        let zero = integer == [b'0'] && self.fraction.iter().all(|&d| d == b'0');
        let mut out = String::new();
        if self.negative && !zero {
            out.push('-');
        }
        for (i, d) in integer.iter().enumerate() {
            if i > 0 && (integer.len() - i).is_multiple_of(3) {
                out.push_str(thousands);
            }
            out.push(*d as char);
        }
        if !self.fraction.is_empty() {
            out.push(point);
            out.extend(self.fraction.iter().map(|&d| d as char));
        }
        out
    }
}

/// The double a string starts with, as MySQL reads it (`'12.5abc'` is 12.5, `'abc'` 0).
fn leading_double(text: &str) -> f64 {
    let t = text.trim_start();
    let b = t.as_bytes();
    let mut end = 0;
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    if matches!(b.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    end = digits(end);
    if b.get(end) == Some(&b'.') {
        end = digits(end + 1);
    }
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut e = end + 1;
        if matches!(b.get(e), Some(b'-' | b'+')) {
            e += 1;
        }
        let after = digits(e);
        if after > e {
            end = after;
        }
    }
    t[..end].parse().unwrap_or(0.0)
}

/// A double rounded to `decimals` as MySQL's `my_double_round` does (`rint`).
fn double_digits(v: f64, decimals: usize) -> Option<Digits> {
    if !v.is_finite() {
        return None;
    }
    let scale = 10f64.powi(decimals as i32);
    let scaled = v * scale;
    let rounded = if scaled.is_finite() {
        scaled.round_ties_even() / scale
    } else {
        v
    };
    Some(Digits::parse(&format!("{rounded:.decimals$}")))
}

/// The thousands separator and decimal point of a locale MySQL knows (en_US for others).
fn locale_marks(locale: &str) -> (&'static str, char) {
    match locale {
        "de_DE" | "es_ES" | "id_ID" | "da_DK" | "tr_TR" | "nb_NO" | "uk_UA" => (".", ','),
        "ru_RU" | "sv_SE" | "fi_FI" | "cs_CZ" => (" ", ','),
        "fr_FR" | "it_IT" | "nl_NL" | "pt_BR" | "pt_PT" | "pl_PL" | "de_AT" | "el_GR" => ("", ','),
        "de_CH" => ("'", '.'),
        _ => (",", '.'),
    }
}

/// `format(x, d[, locale])` over the rows.
fn format_rows(args: &ScalarFunctionArgs, rows: usize) -> DFResult<Vec<Option<String>>> {
    let value = &args.args[0];
    let decimals = mysql_integers(&args.args[1], rows)?;
    let locales = match args.args.get(2) {
        Some(l) => Some(texts(l, rows)?),
        None => None,
    };
    let array = value.to_array(rows)?;
    let exact: Option<Vec<Option<String>>> = match array.data_type() {
        t if t.is_integer() => Some(
            texts(value, rows)?
                .iter()
                .map(|t| t.map(str::to_string))
                .collect(),
        ),
        DataType::Decimal128(_, scale) => {
            let a = array
                .as_any()
                .downcast_ref::<Decimal128Array>()
                .expect("Decimal128");
            Some(
                a.iter()
                    .map(|v| v.map(|v| decimal_text(v, *scale)))
                    .collect(),
            )
        }
        _ => None,
    };
    let doubles: Vec<Option<f64>> = match (&exact, array.data_type()) {
        (Some(_), _) => vec![],
        (None, t) if t.is_numeric() || matches!(t, DataType::Boolean | DataType::Null) => {
            let a = cast(&array, &DataType::Float64)?;
            let a = a.as_any().downcast_ref::<Float64Array>().expect("Float64");
            a.iter().collect()
        }
        (None, _) => texts(value, rows)?
            .iter()
            .map(|t| t.map(leading_double))
            .collect(),
    };
    Ok((0..rows)
        .map(|r| {
            let d = decimals[r]?.clamp(0, MAX_DECIMALS) as usize;
            let digits = match &exact {
                Some(texts) => Digits::parse(texts[r].as_deref()?).round(d),
                None => double_digits(doubles[r]?, d)?,
            };
            let locale = locales
                .as_ref()
                .and_then(|l| (!l.is_null(r)).then(|| l.value(r)))
                .unwrap_or("en_US");
            let (thousands, point) = locale_marks(locale);
            Some(digits.render(thousands, point))
        })
        .collect())
}

/// `locate(needle, haystack, pos)`: the character position of `needle` in `haystack` at
/// or after `pos`, or 0.
fn locate(needle: &str, haystack: &str, pos: i128) -> i64 {
    let length = haystack.chars().count() as i128;
    if pos < 1 || pos - 1 > length {
        return 0;
    }
    let skip = (pos - 1) as usize;
    let start = haystack
        .char_indices()
        .nth(skip)
        .map_or(haystack.len(), |(i, _)| i);
    match haystack[start..].find(needle) {
        Some(at) => pos as i64 + haystack[start..start + at].chars().count() as i64,
        None => 0,
    }
}

/// `insert(s, pos, len, new)`: `len` characters of `s` from `pos` replaced by `new`; `s`
/// unchanged for a `pos` outside it.
fn insert(s: &str, pos: i128, len: i128, new: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i128;
    if pos < 1 || pos > n {
        return s.to_string();
    }
    let from = (pos - 1) as usize;
    let to = if len < 0 || len > n - pos + 1 {
        chars.len()
    } else {
        from + len as usize
    };
    let mut out: String = chars[..from].iter().collect();
    out.push_str(new);
    out.extend(&chars[to..]);
    out
}

/// `quote(s)`: `s` in single quotes with `\`, `'`, NUL and Ctrl-Z escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\0' => out.push_str("\\0"),
            '\u{1a}' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `regexp_substr`'s regex for a MySQL match type (`c` case-sensitive, `i` insensitive,
/// `m` multi-line, `n` `.` matches line ends).
fn regex_for(pattern: &str, match_type: &str) -> DFResult<regex::Regex> {
    let mut b = regex::RegexBuilder::new(pattern);
    for flag in match_type.chars() {
        match flag {
            'c' => b.case_insensitive(false),
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            'n' => b.dot_matches_new_line(true),
            'u' => &mut b,
            other => return exec_err!("regexp_substr: unknown match type '{other}'"),
        };
    }
    b.build()
        .or_else(|e| exec_err!("regexp_substr: bad pattern: {e}"))
}

fn regexp_substr(args: &ScalarFunctionArgs, rows: usize) -> DFResult<Vec<Option<String>>> {
    let text = texts(&args.args[0], rows)?;
    let pattern = texts(&args.args[1], rows)?;
    let pos = match args.args.get(2) {
        Some(p) => mysql_integers(p, rows)?,
        None => vec![Some(1); rows],
    };
    let occurrence = match args.args.get(3) {
        Some(o) => mysql_integers(o, rows)?,
        None => vec![Some(1); rows],
    };
    let match_type = match args.args.get(4) {
        Some(m) => Some(texts(m, rows)?),
        None => None,
    };
    let mut compiled: Option<((String, String), regex::Regex)> = None;
    let mut out = Vec::with_capacity(rows);
    for r in 0..rows {
        let (Some(pos), Some(occurrence)) = (pos[r], occurrence[r]) else {
            out.push(None);
            continue;
        };
        let flags = match &match_type {
            Some(m) if m.is_null(r) => {
                out.push(None);
                continue;
            }
            Some(m) => m.value(r),
            None => "",
        };
        if text.is_null(r) || pattern.is_null(r) {
            out.push(None);
            continue;
        }
        let key = (pattern.value(r).to_string(), flags.to_string());
        if compiled.as_ref().is_none_or(|(k, _)| *k != key) {
            compiled = Some((key.clone(), regex_for(&key.0, &key.1)?));
        }
        let re = &compiled.as_ref().expect("compiled").1;
        let s = text.value(r);
        let length = s.chars().count() as i128;
        if pos < 1 || pos > length + 1 {
            return exec_err!("regexp_substr: index out of bounds");
        }
        let start = s
            .char_indices()
            .nth((pos - 1) as usize)
            .map_or(s.len(), |(i, _)| i);
        let found = usize::try_from(occurrence.max(1) - 1)
            .ok()
            .and_then(|n| re.find_iter(&s[start..]).nth(n))
            .map(|m| m.as_str().to_string());
        out.push(found);
    }
    Ok(out)
}

fn strings(rows: impl IntoIterator<Item = Option<String>>) -> ArrayRef {
    let mut out = StringBuilder::new();
    for r in rows {
        out.append_option(r);
    }
    Arc::new(out.finish())
}

impl Compute for Kind {
    fn compute(self, args: &ScalarFunctionArgs, rows: usize) -> DFResult<ArrayRef> {
        let a = &args.args;
        let text = |v: &ColumnarValue| texts(v, rows);
        Ok(match self {
            Kind::Format => strings(format_rows(args, rows)?),
            Kind::Locate => {
                let (needle, haystack, pos) =
                    (text(&a[0])?, text(&a[1])?, mysql_integers(&a[2], rows)?);
                let mut out = Int64Builder::new();
                for (r, pos) in pos.iter().enumerate() {
                    match pos {
                        Some(p) if !needle.is_null(r) && !haystack.is_null(r) => {
                            out.append_value(locate(needle.value(r), haystack.value(r), *p))
                        }
                        _ => out.append_null(),
                    }
                }
                Arc::new(out.finish())
            }
            Kind::Insert => {
                let (s, new) = (text(&a[0])?, text(&a[3])?);
                let (pos, len) = (mysql_integers(&a[1], rows)?, mysql_integers(&a[2], rows)?);
                strings((0..rows).map(|r| {
                    let (p, l) = (pos[r]?, len[r]?);
                    (!s.is_null(r) && !new.is_null(r))
                        .then(|| insert(s.value(r), p, l, new.value(r)))
                }))
            }
            Kind::Quote => strings(
                text(&a[0])?
                    .iter()
                    .map(|t| Some(t.map_or_else(|| "NULL".to_string(), quote))),
            ),
            Kind::MakeSet => {
                let bits = mysql_integers(&a[0], rows)?;
                let items = a[1..].iter().map(text).collect::<DFResult<Vec<_>>>()?;
                strings((0..rows).map(|r| {
                    let bits = bits[r]? as u64;
                    let chosen: Vec<&str> = items
                        .iter()
                        .enumerate()
                        .filter(|(i, item)| *i < 64 && bits >> i & 1 == 1 && !item.is_null(r))
                        .map(|(_, item)| item.value(r))
                        .collect();
                    Some(chosen.join(","))
                }))
            }
            Kind::ExportSet => {
                let bits = mysql_integers(&a[0], rows)?;
                let (on, off) = (text(&a[1])?, text(&a[2])?);
                let separator = match a.get(3) {
                    Some(s) => Some(text(s)?),
                    None => None,
                };
                let count = match a.get(4) {
                    Some(n) => mysql_integers(n, rows)?,
                    None => vec![Some(64); rows],
                };
                strings((0..rows).map(|r| {
                    let bits = bits[r]? as u64;
                    let n = count[r]?;
                    let n = if (0..=64).contains(&n) {
                        n as usize
                    } else {
                        64
                    };
                    let sep = match &separator {
                        Some(s) if s.is_null(r) => return None,
                        Some(s) => s.value(r),
                        None => ",",
                    };
                    if on.is_null(r) || off.is_null(r) {
                        return None;
                    }
                    let words: Vec<&str> = (0..n)
                        .map(|i| {
                            if bits >> i & 1 == 1 {
                                on.value(r)
                            } else {
                                off.value(r)
                            }
                        })
                        .collect();
                    Some(words.join(sep))
                }))
            }
            Kind::RegexpSubstr => strings(regexp_substr(args, rows)?),
        })
    }
}

/// The string functions, to register in every session.
pub fn text_functions() -> Vec<ScalarUDF> {
    let text = DataType::Utf8;
    vec![
        udf("format", &[], &[2, 3], text.clone(), Kind::Format),
        udf("locate", &[], &[3], DataType::Int64, Kind::Locate),
        udf("insert", &[], &[4], text.clone(), Kind::Insert),
        udf("quote", &[], &[1], text.clone(), Kind::Quote),
        udf("make_set", &[], &[], text.clone(), Kind::MakeSet),
        udf("export_set", &[], &[3, 4, 5], text.clone(), Kind::ExportSet),
        udf(
            "regexp_substr",
            &[],
            &[2, 3, 4, 5],
            text,
            Kind::RegexpSubstr,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str, d: usize) -> String {
        Digits::parse(text).round(d).render(",", '.')
    }

    #[test]
    fn formats() {
        assert_eq!(fmt("12332.123456", 4), "12,332.1235");
        assert_eq!(fmt("-1234567.891", 2), "-1,234,567.89");
        assert_eq!(fmt("999.999", 2), "1,000.00");
        assert_eq!(fmt("-0.001", 2), "0.00");
        assert_eq!(fmt("0.5", 0), "1");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(1, -3), "1000");
        assert_eq!(double_digits(2.5, 0).unwrap().render(",", '.'), "2");
        assert_eq!(double_digits(1.005, 2).unwrap().render(",", '.'), "1.00");
        assert_eq!(leading_double("12.5abc"), 12.5);
        assert_eq!(locate("b", "abcb", 3), 4);
        assert_eq!(locate("", "abc", 4), 4);
        assert_eq!(insert("Quadratic", 3, 4, "What"), "QuWhattic");
        assert_eq!(quote("Don't"), "'Don\\'t'");
    }
}
