//! JSON as JSON Schema reads it, and serde's complaints in words for people (issue 31, "The
//! edge"): `2.0` is an integer wherever one is taken (several phones' encoders write it), and
//! a value of the wrong shape is told in Vietnamese or English without a Rust type name
//! (`i32`, `struct Location`) or the submitted value (it may be a citizen's number).

use serde_json::{Number, Value};

use crate::messages::{self as msg, Text};

/// The largest magnitude below which every integral `f64` is exactly an `i64`.
const EXACT_I64: f64 = 9_223_372_036_854_775_808.0;

/// Rewrites every number with an integral value (`2.0`, `2e0`, `-0.0`) as an integer, in
/// place; fractions and integral values beyond `i64` stay floats, so an integer field still
/// refuses them. Floating fields read an integer as the same number, so nothing else moves.
/// Returns whether anything changed.
pub fn integral_numbers(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() < EXACT_I64 {
                *n = Number::from(f as i64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| integral_numbers(v) | changed),
        Value::Object(fields) => fields
            .values_mut()
            .fold(false, |changed, v| integral_numbers(v) | changed),
        _ => false,
    }
}

/// What went wrong with one value, read from serde's message.
#[derive(Debug, PartialEq, Eq)]
pub enum Complaint {
    /// `unknown field`.
    UnknownField(String),
    /// `missing field`.
    MissingField(String),
    /// An enum value outside its list; the allowed values, as the API spells them.
    NotOneOf(Vec<String>),
    /// A value of the right type outside what the type holds (a negative count, an integer
    /// past the type's range).
    OutOfRange,
    /// A value of the wrong type: the words for what was expected.
    WrongType(Text),
    /// Anything else (a UUID or date that does not parse).
    Invalid,
}

/// Reads serde's message (serde_json's wording, which names Rust types) into a complaint.
pub fn complaint(message: &str) -> Complaint {
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned).unwrap_or_default();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return Complaint::UnknownField(quoted(rest));
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return Complaint::MissingField(quoted(rest));
    }
    let expected = message
        .split_once("expected ")
        .map(|(_, tail)| tail.split(" at line ").next().unwrap_or(tail));
    if message.starts_with("unknown variant") {
        let allowed = expected
            .unwrap_or_default()
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        return Complaint::NotOneOf(allowed);
    }
    let Some(expected) = expected else {
        return Complaint::Invalid;
    };
    let integral = is_integer_type(expected);
    if integral && message.starts_with("invalid value: integer") {
        return Complaint::OutOfRange;
    }
    match wanted(expected, integral) {
        Some(text) => Complaint::WrongType(text),
        None => Complaint::Invalid,
    }
}

/// Rust's integer type names, as serde writes them after "expected".
fn is_integer_type(expected: &str) -> bool {
    matches!(
        expected,
        "i8" | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "isize"
            | "usize"
    )
}

/// The words for a kind of JSON value serde wanted; `None` where its wording says nothing a
/// person could act on.
fn wanted(expected: &str, integral: bool) -> Option<Text> {
    if integral {
        return Some(msg::WHOLE_NUMBER);
    }
    Some(match expected {
        "f32" | "f64" => msg::A_NUMBER,
        "a boolean" => msg::TRUE_OR_FALSE,
        "a string" | "a borrowed string" | "a character" => msg::TEXT,
        "a sequence" | "a tuple" => msg::A_LIST,
        "a map" => msg::AN_OBJECT,
        e if e.starts_with("struct ") || e.starts_with("a map of") => msg::AN_OBJECT,
        e if e.contains("UUID") => msg::A_UUID,
        e if e.contains("date and time") || e.contains("datetime") => msg::AN_INSTANT,
        e if e.contains("date") => msg::A_DATE,
        // serde_json asks an enum of a tree for "string or map".
        e if e.starts_with("enum ") || e.contains("variant") || e == "string or map" => {
            msg::A_CHOICE
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        count: Option<i32>,
        small: Option<u8>,
        ratio: Option<f64>,
        flag: Option<bool>,
        name: Option<String>,
        items: Option<Vec<i32>>,
        place: Option<Inner>,
        day: Option<chrono::NaiveDate>,
        at: Option<chrono::DateTime<chrono::FixedOffset>>,
        id: Option<uuid::Uuid>,
        colour: Option<Colour>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        lat: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
        DarkBlue,
    }

    /// Decoded from a tree, as the API decodes each field (`extract::Checked`).
    fn complain(json: &str) -> Complaint {
        let tree: serde_json::Value = serde_json::from_str(json).unwrap();
        let err = serde_json::from_value::<Sample>(tree).unwrap_err();
        complaint(&err.to_string())
    }

    fn words(json: &str) -> (String, String) {
        match complain(json) {
            Complaint::WrongType(text) => (
                text.get(msg::Lang::Vi).to_owned(),
                text.get(msg::Lang::En).to_owned(),
            ),
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn integral_floats_become_integers_and_fractions_stay() {
        let mut value =
            serde_json::json!({"a": 2.0, "b": [2e0, -0.0, 2.5], "c": {"d": 1e300}, "e": 7});
        assert!(integral_numbers(&mut value));
        assert_eq!(value["a"], serde_json::json!(2));
        assert!(value["a"].is_i64());
        assert_eq!(value["b"], serde_json::json!([2, 0, 2.5]));
        assert!(value["c"]["d"].is_f64());
        assert_eq!(value["e"], serde_json::json!(7));
        let mut plain = serde_json::json!({"a": 1, "b": "2.0"});
        assert!(!integral_numbers(&mut plain));
    }

    #[test]
    fn a_float_field_reads_a_rewritten_integer_as_the_same_number() {
        let mut value = serde_json::json!({"ratio": 3.0, "count": 2.0});
        integral_numbers(&mut value);
        let sample: Sample = serde_json::from_value(value).unwrap();
        assert_eq!(sample.ratio, Some(3.0));
        assert_eq!(sample.count, Some(2));
    }

    #[test]
    fn wrong_types_are_told_without_rust_names() {
        assert_eq!(
            words(r#"{"count": 2.5}"#),
            ("Phải là số nguyên".into(), "must be a whole number".into())
        );
        assert_eq!(words(r#"{"count": "2"}"#).1, "must be a whole number");
        assert_eq!(words(r#"{"ratio": "x"}"#).1, "must be a number");
        assert_eq!(words(r#"{"flag": 1}"#).1, "must be true or false");
        assert_eq!(words(r#"{"name": 1}"#).1, "must be text");
        assert_eq!(words(r#"{"items": 1}"#).1, "must be a list");
        assert_eq!(words(r#"{"place": 1}"#).1, "must be an object");
        assert_eq!(words(r#"{"day": 1}"#).1, "must be a date (YYYY-MM-DD)");
        assert_eq!(
            words(r#"{"at": 1}"#).1,
            "must be an instant with an offset (RFC 3339)"
        );
        assert_eq!(words(r#"{"id": 1}"#).1, "must be a UUID");
    }

    #[test]
    fn integers_past_the_range_are_out_of_range() {
        assert_eq!(complain(r#"{"small": 300}"#), Complaint::OutOfRange);
        assert_eq!(complain(r#"{"small": -1}"#), Complaint::OutOfRange);
        assert_eq!(complain(r#"{"count": 3000000000}"#), Complaint::OutOfRange);
    }

    #[test]
    fn choices_fields_and_unparsable_values() {
        assert_eq!(
            complain(r#"{"colour": "green"}"#),
            Complaint::NotOneOf(vec!["red".into(), "dark_blue".into()])
        );
        assert_eq!(
            complain(r#"{"colur": "red"}"#),
            Complaint::UnknownField("colur".into())
        );
        assert_eq!(complain(r#"{"id": "not-a-uuid"}"#), Complaint::Invalid);
        assert_eq!(complain(r#"{"day": "2026-13-01"}"#), Complaint::Invalid);
    }

    #[test]
    fn no_message_names_a_rust_type() {
        for json in [
            r#"{"count": 2.5}"#,
            r#"{"small": "a"}"#,
            r#"{"ratio": []}"#,
            r#"{"place": []}"#,
            r#"{"items": {}}"#,
            r#"{"colour": 1}"#,
        ] {
            let Complaint::WrongType(text) = complain(json) else {
                panic!("{json}");
            };
            for lang in [msg::Lang::Vi, msg::Lang::En] {
                let said = text.get(lang);
                for name in [
                    "i32", "u8", "f64", "struct", "Inner", "Colour", "enum", "Vec",
                ] {
                    assert!(!said.contains(name), "{json}: {said}");
                }
            }
        }
    }
}
