//! A `POST /sync` body: decoded, split and each record validated as the handler does. A bad
//! record must be that record's own field error, never a panic or a refused batch.
#![no_main]

use gocua::extract::decode_json;
use gocua::sync::handlers::{SyncRequest, parse_record};
use gocua_fuzz::{check_errors, citizen_key, validate_and_check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = decode_json::<SyncRequest>(data) else {
        return;
    };
    let Ok(items) = request.into_items() else {
        return;
    };
    let key = citizen_key();
    for (kind, value) in items {
        match parse_record(kind, value) {
            Ok(submission) => validate_and_check(submission, &key),
            Err(errors) => check_errors(&errors),
        }
    }
});
