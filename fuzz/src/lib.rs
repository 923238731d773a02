//! What the record and sync targets share: the validation context and the properties every
//! validated record must have, whatever bytes it came from.

use chrono::{DateTime, TimeDelta, Utc};
use gocua::clock::VIETNAM_OFFSET_SECS;
use gocua::config::Secret;
use gocua::error::FieldError;
use gocua::records::input::{
    Context, Draft, HAMLET_MAX, HOUSEHOLD_REF_MAX, NOTE_MAX, PROVIDER_MAX, Submission,
};

/// A fixed clock, so that a saved crash input fails again on any day.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T03:00:00Z")
        .expect("a valid instant")
        .with_timezone(&Utc)
}

/// The citizen-number key of every run.
pub fn citizen_key() -> Secret {
    Secret::new("fuzz", "fuzz-citizen-key-of-at-least-32-bytes").expect("long enough")
}

/// Validates as a create does and checks the answer: a stored record is normalised and
/// within every limit; a refusal names each field it refuses.
pub fn validate_and_check(submission: Submission, key: &Secret) {
    let ctx = Context {
        now: now(),
        late_sync_window: TimeDelta::days(30),
        citizen_key: key,
        check_window: true,
    };
    match submission.validate(&ctx) {
        Ok(draft) => check_draft(&draft),
        Err(errors) => check_errors(&errors),
    }
}

fn check_draft(draft: &Draft) {
    let local = draft.occurred_at + TimeDelta::seconds(i64::from(VIETNAM_OFFSET_SECS));
    assert_eq!(
        local.date(),
        draft.occurred_on,
        "the day is the Vietnamese date"
    );
    assert!(draft.occurred_at <= (now() + TimeDelta::minutes(10)).naive_utc());
    // Stored instants are cut to microseconds, which may take them just past the window.
    let oldest = now() - TimeDelta::days(30) - TimeDelta::microseconds(1);
    assert!(draft.occurred_at >= oldest.naive_utc());
    for (value, max) in [
        (&draft.note, NOTE_MAX),
        (&draft.hamlet, HAMLET_MAX),
        (&draft.household_ref, HOUSEHOLD_REF_MAX),
        (&draft.provider, PROVIDER_MAX),
    ] {
        if let Some(text) = value {
            assert!(
                !text.is_empty() && text.trim() == text,
                "trimmed, never empty"
            );
            assert!(text.chars().count() <= max);
        }
    }
    if let Some(reference) = &draft.citizen_ref {
        assert!(reference.len() == 64 && reference.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    if let Some(location) = &draft.location {
        assert!((6.0..=23.5).contains(&location.lat), "inside Vietnam");
        assert!((102.0..=117.9).contains(&location.lon), "inside Vietnam");
    }
}

/// Every refusal says which field, with a machine-readable code.
pub fn check_errors(errors: &[FieldError]) {
    assert!(!errors.is_empty(), "a refusal gives its reasons");
    for e in errors {
        assert!(!e.field.is_empty() && !e.code.is_empty(), "{e:?}");
    }
}
