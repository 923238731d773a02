//! The phone normaliser: whatever is typed, the answer is one canonical mobile number (or
//! none), and the canonical form is its own normal form, so logins and lookups agree.
#![no_main]

use gocua::access::phone::normalize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Some(phone) = normalize(input) {
        assert_eq!(phone.len(), 12, "{phone}");
        assert!(phone.starts_with("+84") && phone[1..].bytes().all(|b| b.is_ascii_digit()));
        assert!(matches!(
            phone.as_bytes()[3],
            b'3' | b'5' | b'7' | b'8' | b'9'
        ));
        assert_eq!(
            normalize(&phone).as_deref(),
            Some(phone.as_str()),
            "idempotent"
        );
        let national = format!("0{}", &phone[3..]);
        assert_eq!(normalize(&national).as_deref(), Some(phone.as_str()));
    }
});
