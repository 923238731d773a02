//! Citizen identity numbers (CCCD): checked, then replaced by a keyed hash before anything
//! is stored. The number itself never leaves this module's callers' stack frames: it is not
//! stored, logged, returned or echoed in errors.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::model::Sex;
use crate::config::Secret;
use crate::error::FieldError;
use crate::messages as msg;

/// Checks that a CCCD is 12 digits starting with a province of birth (001–096); the error
/// names `citizen_id` and never echoes it.
pub fn check_form(citizen_id: &str) -> Option<FieldError> {
    let bytes = citizen_id.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return Some(FieldError::new(
            "citizen_id",
            "invalid_citizen_id",
            msg::CITIZEN_ID_DIGITS,
        ));
    }
    let province = bytes[..3]
        .iter()
        .fold(0, |n, b| n * 10 + i32::from(b - b'0'));
    if !(1..=96).contains(&province) {
        return Some(FieldError::new(
            "citizen_id",
            "invalid_citizen_id",
            msg::CITIZEN_ID_PROVINCE,
        ));
    }
    None
}

/// Checks a 12-digit CCCD against the birth year and sex it encodes: digits 1–3 are the
/// province of birth (001–096), digit 4 the century and sex (0/1 for 1900s male/female, 2/3
/// for 2000s, and so on), digits 5–6 the last two digits of the birth year.
pub fn check(citizen_id: &str, birth_year: i32, sex: Option<Sex>) -> Vec<FieldError> {
    if let Some(error) = check_form(citizen_id) {
        return vec![error];
    }
    let bytes = citizen_id.as_bytes();
    let digit = |i: usize| i32::from(bytes[i] - b'0');
    let gender_century = digit(3);
    let encoded_year = 1900 + (gender_century / 2) * 100 + digit(4) * 10 + digit(5);
    let mut errors = Vec::new();
    if encoded_year != birth_year {
        errors.push(FieldError::new(
            "citizen_id",
            "birth_year_mismatch",
            msg::BIRTH_YEAR_MISMATCH,
        ));
    }
    let encoded_sex = if gender_century % 2 == 0 {
        Sex::Male
    } else {
        Sex::Female
    };
    if sex.is_some_and(|s| s != encoded_sex) {
        errors.push(FieldError::new(
            "citizen_id",
            "sex_mismatch",
            msg::SEX_MISMATCH,
        ));
    }
    errors
}

/// How an unlinked reference starts: a record whose resident was erased (or whose link
/// expired) holds `x:` and a random id (or the citizen's number in the statistics), which
/// no citizen number ever hashes to.
pub use crate::stats::rollups::UNLINKED;

/// The content fingerprint of an unlinked record: the stored one was made from the keyed
/// hash, so it goes too; the same record sent again is then taken as unchanged.
pub const UNLINKED_FINGERPRINT: &str = "x:unlinked";

/// A fresh unlinked reference.
pub fn unlinked_ref() -> String {
    format!("{UNLINKED}{}", uuid::Uuid::new_v4())
}

/// The stored stand-in for a citizen id: HMAC-SHA256 under `GOCUA_CITIZEN_ID_KEY`, hex.
/// Keyed, so a leaked database cannot be reversed by hashing all 10^12 numbers.
pub fn citizen_ref(key: &Secret, citizen_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.expose()).expect("HMAC takes any key length");
    mac.update(citizen_id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn the_form_alone_is_twelve_digits_from_a_province_of_birth() {
        assert!(check_form("001085012345").is_none());
        assert!(check_form("096999999999").is_none());
        for bad in [
            "",
            "00108501234",
            "0010850123456",
            "00108501234x",
            "000085012345",
            "097085012345",
        ] {
            let error = check_form(bad).expect(bad);
            assert_eq!(
                (error.field.as_str(), error.code.as_str()),
                ("citizen_id", "invalid_citizen_id")
            );
            assert!(bad.is_empty() || !error.message.to_string().contains(bad));
        }
    }

    #[test]
    fn an_unlinked_reference_matches_no_hash() {
        let key = Secret::new("k", &"k".repeat(32)).unwrap();
        let linked = citizen_ref(&key, "001085012345");
        let unlinked = unlinked_ref();
        assert!(unlinked.starts_with(UNLINKED) && !linked.starts_with(UNLINKED));
        assert_ne!(unlinked, unlinked_ref(), "random each time");
    }

    #[test]
    fn century_and_sex_digits() {
        assert!(check("001085012345", 1985, Some(Sex::Male)).is_empty());
        assert!(check("001185012345", 1985, Some(Sex::Female)).is_empty());
        assert!(check("079203012345", 2003, None).is_empty());
        assert!(check("079303012345", 2003, Some(Sex::Female)).is_empty());
        assert_eq!(
            codes(&check("001085012345", 1986, None)),
            ["birth_year_mismatch"]
        );
        assert_eq!(
            codes(&check("001085012345", 1985, Some(Sex::Female))),
            ["sex_mismatch"]
        );
        assert_eq!(
            codes(&check("001085012345", 2085, Some(Sex::Female))),
            ["birth_year_mismatch", "sex_mismatch"]
        );
    }

    #[test]
    fn shape() {
        for bad in [
            "",
            "00108501234",
            "0010850123456",
            "00108501234a",
            "000085012345",
            "097085012345",
        ] {
            assert_eq!(
                codes(&check(bad, 1985, None)),
                ["invalid_citizen_id"],
                "{bad}"
            );
        }
    }

    #[test]
    fn reference_is_keyed_and_stable() {
        let a = Secret::new("k", &"a".repeat(32)).unwrap();
        let b = Secret::new("k", &"b".repeat(32)).unwrap();
        assert_eq!(
            citizen_ref(&a, "001085012345"),
            citizen_ref(&a, "001085012345")
        );
        assert_ne!(
            citizen_ref(&a, "001085012345"),
            citizen_ref(&b, "001085012345")
        );
        assert_eq!(citizen_ref(&a, "001085012345").len(), 64);
        assert!(!citizen_ref(&a, "001085012345").contains("001085012345"));
    }
}
