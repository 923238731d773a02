//! Hamlets and residential groups (thôn, ấp, bản, tổ dân phố, …): the third level of the
//! map, where teams work. Their codes are given by the server (`<commune>-<n>`, never
//! reused) and they are dated (`valid_from`, `valid_to`), so a rearrangement closes some
//! and opens others on its effective date while the old ones stay readable, with their
//! lineage, for records logged on an old list.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod rearrangements;
pub mod service;

/// The commune a well-formed hamlet code names (`00004-12` → `00004`): five digits, a dash
/// and a number from 1 without leading zeros. Whether the hamlet exists is the database's.
pub fn commune_of(code: &str) -> Option<&str> {
    let (commune, n) = code.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (commune.len() == 5 && digits(commune) && digits(n) && n.len() <= 6 && !n.starts_with('0'))
        .then_some(commune)
}

/// The pattern of a hamlet code, for the spec.
pub const HAMLET_CODE: &str = "^[0-9]{5}-[1-9][0-9]{0,5}$";

/// The pattern of a hamlet code on a record, for the spec (empty means none).
pub const CODE_PATTERN: &str = "^([0-9]{5}-[1-9][0-9]{0,5})?$";

#[cfg(test)]
mod tests {
    use super::commune_of;

    #[test]
    fn a_hamlet_code_names_its_commune() {
        assert_eq!(commune_of("00004-1"), Some("00004"));
        assert_eq!(commune_of("26734-120"), Some("26734"));
        for bad in [
            "00004",
            "00004-",
            "00004-0",
            "00004-01",
            "0004-1",
            "00004-1a",
            "x0004-1",
            "00004-1234567",
        ] {
            assert_eq!(commune_of(bad), None, "{bad}");
        }
    }
}
