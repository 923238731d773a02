//! The CCCD check and its keyed hash: any text, any birth year, either sex or none.
#![no_main]

use gocua::messages::Lang;
use gocua::records::citizen::{check, citizen_ref};
use gocua::records::model::Sex;
use gocua_fuzz::citizen_key;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, i32, Option<bool>)| {
    let (citizen_id, birth_year, female) = input;
    let sex = female.map(|f| if f { Sex::Female } else { Sex::Male });
    let errors = check(citizen_id, birth_year, sex);
    if errors.is_empty() {
        assert!(citizen_id.len() == 12 && citizen_id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(i32::from(citizen_id.as_bytes()[5] - b'0'), birth_year % 10);
    }
    // The number is never echoed: no message, in either language, holds a run of six or more of its digits.
    let digits: String = citizen_id.chars().filter(char::is_ascii_digit).collect();
    for e in &errors {
        assert_eq!(e.field, "citizen_id");
        for lang in [Lang::Vi, Lang::En] {
            assert!(
                digits.len() < 6 || !e.message.get(lang).contains(&digits[..6]),
                "echoed"
            );
        }
    }
    let key = citizen_key();
    let reference = citizen_ref(&key, citizen_id);
    assert_eq!(reference, citizen_ref(&key, citizen_id), "deterministic");
    assert!(
        citizen_id.len() < 12 || !reference.contains(citizen_id),
        "never inside its hash"
    );
});
