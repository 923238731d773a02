//! Search folding shared by every text filter: Vietnamese is typed with or without
//! diacritics, so names are compared as lowercase ASCII (`Phường Ba Đình` → `phuong ba dinh`).
//! Also the one rule on control characters, for bodies and query parameters alike.

use serde_json::Value;

use crate::error::FieldError;
use crate::messages as msg;

/// Folds text for search: transliterates to ASCII (`đ` → `d`), lowercases, and collapses
/// runs of whitespace so `ba  dinh` and `Ba Đình` meet.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text)
        .to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Escapes `%`, `_` and `\` so user text inside a `LIKE` pattern matches literally.
pub fn like_contains(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len() + 2);
    out.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Fields whose text may span lines, where tab and newline are allowed (keyed by the last
/// segment of the field's path).
const FREE_TEXT: &[&str] = &["note", "reason", "description"];

/// Whether a field (by the last segment of its path) holds free text, where tab and
/// newline are allowed.
pub fn is_free_text(name: &str) -> bool {
    FREE_TEXT.contains(&name)
}

/// Whether text holds a control character (U+0000–U+001F, U+007F) that the API refuses:
/// all of them in a name, code or label; all but tab and newline in free text. They break
/// CSV and logs, and PostgreSQL cannot store U+0000 at all.
pub fn has_control(text: &str, free_text: bool) -> bool {
    text.chars()
        .any(|c| c.is_ascii_control() && !(free_text && matches!(c, '\t' | '\n')))
}

/// A field error for text holding a refused control character.
pub fn control_error(field: impl Into<String>) -> FieldError {
    FieldError::new(field, "control_character", msg::CONTROL_CHARACTER)
}

/// Every string in a JSON document that holds a refused control character, by path
/// (`visits[3].hamlet`; `base` prefixes it). Object keys are not checked: an unknown key is
/// refused by name anyway.
pub fn control_errors(value: &Value, base: &str) -> Vec<FieldError> {
    fn walk(value: &Value, path: &str, name: &str, out: &mut Vec<FieldError>) {
        match value {
            Value::String(s) if has_control(s, is_free_text(name)) => {
                out.push(control_error(if path.is_empty() { "body" } else { path }));
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), name, out);
                }
            }
            Value::Object(fields) => {
                for (key, item) in fields {
                    let inner = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(item, &inner, key, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, base, "", &mut out);
    out
}

/// Whether a JSON document may hold a control character inside a string: JSON carries them
/// only escaped (`\u0000`, `\n`, …), or DEL raw. A cheap scan that spares most bodies the walk.
pub fn may_hold_control(json: &[u8]) -> bool {
    json.contains(&0x7f)
        || json
            .windows(2)
            .any(|w| w[0] == b'\\' && matches!(w[1], b'u' | b'b' | b'f' | b'n' | b'r' | b't'))
}

/// A CSV cell a spreadsheet will not run: text beginning with `=`, `+`, `-`, `@`, tab or
/// carriage return gets a leading `'` (OWASP's CSV-injection advice). A cell that is a plain
/// number (`-3.5`) is left as it is: a spreadsheet reads it as a number, never a formula.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().map_or(true, |n| !n.is_finite()) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Declares an enum sent as the given text and stored as the same text: a typed column
/// value in diesel (`ToSql`/`FromSql` for `Text` on every backend), never a bare `String`.
/// Each variant is renamed to its text for serde and the spec too: serde's own snake_case
/// would turn `Aged15Plus` into `aged15_plus`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                Self::parse(&text).ok_or_else(|| {
                    format!("{text:?} is not a stored {}", stringify!($name)).into()
                })
            }
        }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's text in the API and the database.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the text of the API or the database.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Phường Ba Đình"), "phuong ba dinh");
        assert_eq!(fold("  ĐẮK   Lắk "), "dak lak");
        assert_eq!(fold("Thành phố Hồ Chí Minh"), "thanh pho ho chi minh");
    }

    #[test]
    fn control_characters_are_found_by_path() {
        let body = serde_json::json!({
            "hamlet": "Thôn\u{0}1",
            "note": "dòng một\n\tdòng hai",
            "location": {"label": "a\u{7f}"},
            "topics": ["vneid", "x\ry"],
            "reason": "a\u{1b}b"
        });
        let mut fields: Vec<String> = control_errors(&body, "")
            .into_iter()
            .map(|e| e.field)
            .collect();
        fields.sort();
        assert_eq!(fields, ["hamlet", "location.label", "reason", "topics[1]"]);
        assert_eq!(
            control_errors(&body, "visits[2]")[0].field,
            "visits[2].hamlet"
        );
        assert!(control_errors(&serde_json::json!({"note": "ổn\n"}), "").is_empty());
        assert!(has_control("a\tb", false) && !has_control("a\tb", true));
        assert!(
            has_control("a\rb", true),
            "carriage return is refused even in free text"
        );
    }

    #[test]
    fn the_scan_finds_every_escape_that_can_carry_one() {
        assert!(may_hold_control(br#"{"a":"\u0000"}"#));
        assert!(may_hold_control(br#"{"a":"x\ny"}"#));
        assert!(may_hold_control(b"{\"a\":\"\x7f\"}"));
        assert!(!may_hold_control("{\"a\":\"Phường Ba Đình\"}".as_bytes()));
    }

    #[test]
    fn spreadsheet_cells_never_start_a_formula() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("+84", "+84"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\r=1", "'\r=1"),
            ("-inf", "'-inf"),
            ("-12.5", "-12.5"),
            ("Tổ 1 = tốt", "Tổ 1 = tốt"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), out, "{cell:?}");
        }
    }

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_contains("a%b_c"), "%a\\%b\\_c%");
    }
}
