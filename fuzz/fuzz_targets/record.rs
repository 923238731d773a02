//! A create body (`POST /visits`, `/vneid-assists`, `/signature-registrations`) decoded and
//! validated as the handlers do. The first byte picks the kind.
#![no_main]

use gocua::extract::parse_json;
use gocua::records::input::{AssistInput, SignatureInput, Submission, VisitInput};
use gocua_fuzz::{citizen_key, validate_and_check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((kind, body)) = data.split_first() else {
        return;
    };
    let submission: Option<Submission> = match kind % 3 {
        0 => parse_json::<VisitInput>(body).ok().map(Into::into),
        1 => parse_json::<AssistInput>(body).ok().map(Into::into),
        _ => parse_json::<SignatureInput>(body).ok().map(Into::into),
    };
    if let Some(submission) = submission {
        validate_and_check(submission, &citizen_key());
    }
});
