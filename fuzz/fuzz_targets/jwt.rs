//! The access-token check: arbitrary text, and edits of a real token (the input says where to
//! cut and what to splice in). Only our own signed header and claims may ever pass.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use gocua::access::tokens::JwtKeys;
use gocua::config::Secret;
use libfuzzer_sys::fuzz_target;

struct Fixture {
    keys: JwtKeys,
    token: String,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let current = Secret::new("fuzz", "fuzz-jwt-current-key-of-32-bytes-or-more").expect("long");
    let retired = Secret::new("fuzz", "fuzz-jwt-retired-key-of-32-bytes-or-more").expect("long");
    let keys = JwtKeys::new(&current, &[retired], Duration::from_secs(3600));
    let token = keys.issue("fuzz-user", 1).expect("issues");
    assert!(keys.verify(&token).is_some());
    Fixture { keys, token }
});

/// The signed part of a token: header and claims.
fn signed_part(token: &str) -> Option<&str> {
    token.rsplit_once('.').map(|(signed, _)| signed)
}

fuzz_target!(|data: &[u8]| {
    let f = &*FIXTURE;
    if let Ok(text) = std::str::from_utf8(data) {
        if f.keys.verify(text).is_some() {
            assert_eq!(signed_part(text), signed_part(&f.token));
        }
    }
    let [a, b, cut, rest @ ..] = data else {
        return;
    };
    let Ok(splice) = std::str::from_utf8(rest) else {
        return;
    };
    let token = &f.token;
    let at = usize::from(u16::from_le_bytes([*a, *b])) % (token.len() + 1);
    let end = (at + usize::from(*cut)).min(token.len());
    let edited = format!("{}{splice}{}", &token[..at], &token[end..]);
    if let Some(claims) = f.keys.verify(&edited) {
        assert_eq!(signed_part(&edited), signed_part(token), "{edited}");
        assert_eq!(claims.sub, "fuzz-user");
    }
});
