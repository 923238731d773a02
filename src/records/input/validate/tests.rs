//! Unit tests of `validate`, apart so the rules read on their own.
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};

use super::*;
use crate::records::input::{AssistInput, SignatureInput, TrainingSessionInput, VisitInput};

const TEAM: &str = "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01";

fn key() -> Secret {
    Secret::new("test", "a test key of thirty-two bytes or more").unwrap()
}

fn context(key: &Secret) -> Context<'_> {
    Context {
        now: Utc.with_ymd_and_hms(2026, 3, 20, 3, 0, 0).unwrap(),
        late_sync_window: TimeDelta::days(30),
        citizen_key: key,
        check_window: true,
    }
}

/// Adds `extra` to a body of the kind's required fields and parses it as a client would
/// send it.
fn submission(kind: Kind, extra: Value) -> Submission {
    let mut body = match kind {
        Kind::Visit => json!({"outcome": "guided"}),
        Kind::VneidAssist => json!({
            "citizen_id": "001185012345", "birth_year": 1985, "sex": "female",
            "action": "install", "result": "success"
        }),
        Kind::SignatureRegistration => json!({
            "citizen_id": "001185012345", "birth_year": 1985,
            "provider": "VNPT-CA", "status": "submitted"
        }),
        Kind::TrainingSession => json!({
            "format": "class", "audience": ["elderly"], "attendees": 40,
            "duration_minutes": 90
        }),
    };
    body["team_id"] = json!(TEAM);
    body["occurred_at"] = json!("2026-03-14T09:30:00+07:00");
    for (field, value) in extra.as_object().unwrap() {
        body[field] = value.clone();
    }
    match kind {
        Kind::Visit => serde_json::from_value::<VisitInput>(body).unwrap().into(),
        Kind::VneidAssist => serde_json::from_value::<AssistInput>(body).unwrap().into(),
        Kind::SignatureRegistration => serde_json::from_value::<SignatureInput>(body)
            .unwrap()
            .into(),
        Kind::TrainingSession => serde_json::from_value::<TrainingSessionInput>(body)
            .unwrap()
            .into(),
    }
}

#[test]
fn a_training_session_is_normalised() {
    let d = draft(
        Kind::TrainingSession,
        json!({
            "audience": ["farmers", "elderly", "residents"], "venue": "  Nhà văn hoá thôn 3 ",
            "topics": ["public_services", "vneid"], "people_helped": 40
        }),
    );
    assert_eq!(d.kind, Kind::TrainingSession);
    assert_eq!(d.format, Some(SessionFormat::Class));
    assert_eq!(d.audience.as_deref(), Some("residents,elderly,farmers"));
    assert_eq!(d.venue.as_deref(), Some("Nhà văn hoá thôn 3"));
    assert_eq!(d.topics.as_deref(), Some("vneid,public_services"));
    assert_eq!((d.attendees, d.people_helped), (Some(40), Some(40)));
    assert_eq!(d.duration_minutes, Some(90));
    let plain = draft(Kind::TrainingSession, json!({}));
    assert_eq!(plain.people_helped, Some(0));
    assert_eq!(plain.topics.as_deref(), Some(""));
}

#[test]
fn a_training_session_breaks_its_own_rules_all_listed() {
    assert_eq!(
        refused(
            Kind::TrainingSession,
            json!({
                "audience": ["elderly", "elderly"], "attendees": 1001, "people_helped": -1,
                "duration_minutes": 9, "venue": "x".repeat(201), "topics": ["vneid", "vneid"]
            })
        ),
        vec![
            ("audience".to_owned(), "duplicate".to_owned()),
            ("attendees".to_owned(), "out_of_range".to_owned()),
            ("people_helped".to_owned(), "out_of_range".to_owned()),
            ("duration_minutes".to_owned(), "out_of_range".to_owned()),
            ("venue".to_owned(), "too_long".to_owned()),
            ("topics".to_owned(), "duplicate".to_owned()),
        ]
    );
    assert_eq!(
        refused(Kind::TrainingSession, json!({"audience": []})),
        one("audience", "required")
    );
    assert_eq!(
        refused(
            Kind::TrainingSession,
            json!({"attendees": 10, "people_helped": 11})
        ),
        one("people_helped", "above_attendees")
    );
    assert_eq!(
        refused(Kind::TrainingSession, json!({"duration_minutes": 601})),
        one("duration_minutes", "out_of_range")
    );
    assert!(
        draft(
            Kind::TrainingSession,
            json!({"attendees": 1000, "people_helped": 1000, "duration_minutes": 600})
        )
        .attendees
            == Some(1000)
    );
    let missing = refused(
        Kind::TrainingSession,
        json!({"format": null, "audience": null, "attendees": null, "duration_minutes": null}),
    );
    let fields: Vec<&str> = missing.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["format", "audience", "attendees", "duration_minutes"]
    );
}

fn draft(kind: Kind, extra: Value) -> Draft {
    let key = key();
    submission(kind, extra).validate(&context(&key)).unwrap()
}

/// The `(field, code)` of every error, in order.
fn refused(kind: Kind, extra: Value) -> Vec<(String, String)> {
    let key = key();
    let errors = submission(kind, extra)
        .validate(&context(&key))
        .unwrap_err();
    errors.into_iter().map(|e| (e.field, e.code)).collect()
}

fn one(field: &str, code: &str) -> Vec<(String, String)> {
    vec![(field.to_owned(), code.to_owned())]
}

#[test]
fn a_visit_is_normalised() {
    let d = draft(
        Kind::Visit,
        json!({
            "occurred_at": "2026-03-14T23:30:00+07:00", "hamlet": "  Tổ 5  ",
            "topics": ["public_services", "vneid"], "people_guided": 2
        }),
    );
    assert_eq!(d.kind, Kind::Visit);
    assert_eq!(d.occurred_on, NaiveDate::from_ymd_opt(2026, 3, 14).unwrap());
    assert_eq!(d.occurred_at.to_string(), "2026-03-14 16:30:00");
    assert_eq!(d.hamlet.as_deref(), Some("Tổ 5"));
    // Canonical order is the enum's, whatever order the phone sent.
    assert_eq!(d.topics.as_deref(), Some("vneid,public_services"));
    assert_eq!(d.people_guided, Some(2));
    assert_eq!(draft(Kind::Visit, json!({})).people_guided, Some(0));
}

#[test]
fn a_visit_breaks_its_own_rules() {
    assert_eq!(
        refused(
            Kind::Visit,
            json!({"outcome": "not_home", "people_guided": 1})
        ),
        one("people_guided", "not_home")
    );
    assert_eq!(
        refused(Kind::Visit, json!({"people_guided": 51})),
        one("people_guided", "out_of_range")
    );
    assert_eq!(
        refused(Kind::Visit, json!({"topics": ["vneid", "vneid"]})),
        one("topics", "duplicate")
    );
    assert_eq!(
        refused(Kind::Visit, json!({"household_ref": "x".repeat(33)})),
        one("household_ref", "too_long")
    );
    assert_eq!(
        refused(Kind::Visit, json!({"outcome": null})),
        one("outcome", "required")
    );
}

#[test]
fn shared_fields_are_checked_for_every_kind() {
    for kind in [Kind::Visit, Kind::VneidAssist, Kind::SignatureRegistration] {
        assert_eq!(
            refused(kind, json!({"occurred_at": "2026-03-20T10:11:00+07:00"})),
            one("occurred_at", "in_future")
        );
        assert_eq!(
            refused(kind, json!({"occurred_at": "2026-02-01T10:00:00+07:00"})),
            one("occurred_at", "too_old")
        );
        assert_eq!(
            refused(kind, json!({"occurred_at": "14/03/2026"})),
            one("occurred_at", "invalid_datetime")
        );
        assert_eq!(
            refused(kind, json!({"location": {"lat": 48.85, "lon": 2.35}})),
            vec![
                ("location.lat".into(), "outside_vietnam".into()),
                ("location.lon".into(), "outside_vietnam".into())
            ]
        );
        assert_eq!(
            refused(kind, json!({"note": "ý".repeat(NOTE_MAX + 1)})),
            one("note", "too_long")
        );
        assert_eq!(
            draft(kind, json!({"note": "ý".repeat(NOTE_MAX)}))
                .note
                .map(|n| n.chars().count()),
            Some(NOTE_MAX)
        );
    }
}

#[test]
fn an_old_record_may_be_corrected_when_its_time_does_not_move() {
    let key = key();
    let ctx = Context {
        check_window: false,
        ..context(&key)
    };
    let old = submission(
        Kind::Visit,
        json!({"occurred_at": "2026-01-02T10:00:00+07:00"}),
    );
    assert!(old.validate(&ctx).is_ok());
}

#[test]
fn an_assist_keeps_only_the_keyed_hash_of_the_number() {
    let d = draft(Kind::VneidAssist, json!({}));
    let stored = d.citizen_ref.unwrap();
    assert_eq!(stored, citizen::citizen_ref(&key(), "001185012345"));
    assert!(!stored.contains("001185012345"));
    assert_eq!(d.birth_year, Some(1985));
}

#[test]
fn an_assist_breaks_its_own_rules() {
    assert_eq!(
        refused(Kind::VneidAssist, json!({"result": "failed"})),
        one("failure_reason", "required")
    );
    assert_eq!(
        refused(
            Kind::VneidAssist,
            json!({"failure_reason": "no_smartphone"})
        ),
        one("failure_reason", "not_allowed")
    );
    assert_eq!(
        refused(Kind::VneidAssist, json!({"birth_year": 1986})),
        one("citizen_id", "birth_year_mismatch")
    );
    assert_eq!(
        refused(Kind::VneidAssist, json!({"sex": "male"})),
        one("citizen_id", "sex_mismatch")
    );
    assert_eq!(
        refused(Kind::VneidAssist, json!({"birth_year": 1899})),
        vec![
            ("birth_year".into(), "out_of_range".into()),
            ("citizen_id".into(), "birth_year_mismatch".into())
        ]
    );
    assert_eq!(
        refused(Kind::VneidAssist, json!({"visit_id": "not-a-uuid"})),
        one("visit_id", "invalid_uuid")
    );
}

#[test]
fn a_signature_breaks_its_own_rules() {
    assert_eq!(
        refused(
            Kind::SignatureRegistration,
            json!({"citizen_id": "001312012345", "birth_year": 2012})
        ),
        one("birth_year", "under_15")
    );
    assert!(
        draft(
            Kind::SignatureRegistration,
            json!({"citizen_id": "001311012345", "birth_year": 2011})
        )
        .citizen_ref
        .is_some()
    );
    assert_eq!(
        refused(Kind::SignatureRegistration, json!({"provider": "   "})),
        one("provider", "required")
    );
    assert_eq!(
        refused(
            Kind::SignatureRegistration,
            json!({"provider": "p".repeat(PROVIDER_MAX + 1)})
        ),
        one("provider", "too_long")
    );
}
