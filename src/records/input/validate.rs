//! The rules a record's content must meet, shared by create, change and sync, and the
//! normalised [`Draft`] they produce.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;

use super::limits::*;
use super::submission::{Citizen, KindFields, Submission};
use crate::config::Secret;
use crate::error::FieldError;
use crate::messages as msg;
use crate::records::citizen;
use crate::records::model::{
    AssistAction, AssistResult, Audience, FailureReason, Kind, Location, Outcome, SessionFormat,
    Sex, SignatureStatus, Topic,
};

/// What validation needs besides the input.
pub struct Context<'a> {
    /// The server's clock.
    pub now: DateTime<Utc>,
    /// How old `occurred_at` may be.
    pub late_sync_window: TimeDelta,
    /// Key of `citizen_ref`.
    pub citizen_key: &'a Secret,
    /// Whether `occurred_at` must lie in the late-sync window: on create, and on a change
    /// that moves it (an old record's note can still be corrected).
    pub check_window: bool,
}

/// Content of a record as stored, whatever its kind (server fields excluded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    /// Which kind.
    pub kind: Kind,
    /// UTC instant.
    pub occurred_at: NaiveDateTime,
    /// Local day.
    pub occurred_on: NaiveDate,
    /// Where.
    pub location: Option<Location>,
    /// Trimmed hamlet.
    pub hamlet: Option<String>,
    /// Trimmed note.
    pub note: Option<String>,
    /// Visit label.
    pub household_ref: Option<String>,
    /// Visit outcome.
    pub outcome: Option<Outcome>,
    /// Visit people count.
    pub people_guided: Option<i32>,
    /// Visit or session topics, canonical.
    pub topics: Option<String>,
    /// Linked visit.
    pub visit_id: Option<String>,
    /// Keyed hash of the CCCD.
    pub citizen_ref: Option<String>,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Assist action.
    pub action: Option<AssistAction>,
    /// Assist result.
    pub result: Option<AssistResult>,
    /// Assist failure reason.
    pub failure_reason: Option<FailureReason>,
    /// Signature provider.
    pub provider: Option<String>,
    /// Signature status.
    pub status: Option<SignatureStatus>,
    /// Session format.
    pub format: Option<SessionFormat>,
    /// Session audience, canonical.
    pub audience: Option<String>,
    /// Session attendees.
    pub attendees: Option<i32>,
    /// Session attendees helped one to one.
    pub people_helped: Option<i32>,
    /// Session length in minutes.
    pub duration_minutes: Option<i32>,
    /// Trimmed session venue.
    pub venue: Option<String>,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn max_chars(errors: &mut Vec<FieldError>, field: &str, value: &Option<String>, max: usize) {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(field, "too_long", msg::at_most_chars(max)));
    }
}

/// Parses and bounds `occurred_at`; returns the UTC instant and the local day.
fn occurred(
    errors: &mut Vec<FieldError>,
    raw: Option<&str>,
    ctx: &Context,
) -> Option<(NaiveDateTime, NaiveDate)> {
    let Ok(at) = DateTime::parse_from_rfc3339(raw?) else {
        errors.push(FieldError::new(
            "occurred_at",
            "invalid_datetime",
            msg::INVALID_DATETIME,
        ));
        return None;
    };
    let utc = at.with_timezone(&Utc);
    if utc > ctx.now + FUTURE_TOLERANCE {
        errors.push(FieldError::new("occurred_at", "in_future", msg::IN_FUTURE));
    } else if ctx.check_window && utc < ctx.now - ctx.late_sync_window {
        errors.push(FieldError::new(
            "occurred_at",
            "too_old",
            msg::too_old(ctx.late_sync_window.num_days()),
        ));
    }
    Some((
        crate::clock::stored(utc.naive_utc()),
        crate::clock::local_day(utc),
    ))
}

fn check_location(errors: &mut Vec<FieldError>, location: &Option<Location>) {
    let Some(l) = location else { return };
    if !(LAT_RANGE.0..=LAT_RANGE.1).contains(&l.lat) {
        errors.push(FieldError::new(
            "location.lat",
            "outside_vietnam",
            msg::LAT_OUTSIDE_VIETNAM,
        ));
    }
    if !(LON_RANGE.0..=LON_RANGE.1).contains(&l.lon) {
        errors.push(FieldError::new(
            "location.lon",
            "outside_vietnam",
            msg::LON_OUTSIDE_VIETNAM,
        ));
    }
    if l.accuracy_m
        .is_some_and(|a| !(0.0..=ACCURACY_MAX).contains(&a))
    {
        errors.push(FieldError::new(
            "location.accuracy_m",
            "out_of_range",
            msg::ACCURACY_RANGE,
        ));
    }
}

fn check_birth_year(errors: &mut Vec<FieldError>, birth_year: Option<i32>, ctx: &Context) {
    if birth_year.is_some_and(|y| !(BIRTH_YEAR_MIN..=ctx.now.year()).contains(&y)) {
        errors.push(FieldError::new(
            "birth_year",
            "out_of_range",
            msg::range(BIRTH_YEAR_MIN, ctx.now.year()),
        ));
    }
}

/// Checks a CCCD (when one was sent) and returns the `citizen_ref` to store.
fn citizen_ref(
    errors: &mut Vec<FieldError>,
    citizen: Option<Citizen>,
    birth_year: Option<i32>,
    sex: Option<Sex>,
    ctx: &Context,
) -> Option<String> {
    match citizen? {
        Citizen::Stored(r) => Some(r),
        Citizen::Number(number) => {
            let problems = citizen::check(&number, birth_year?, sex);
            let ok = problems.is_empty();
            errors.extend(problems);
            ok.then(|| citizen::citizen_ref(ctx.citizen_key, &number))
        }
    }
}

fn check_visit_id(errors: &mut Vec<FieldError>, visit_id: Option<String>) -> Option<String> {
    let id = trimmed(visit_id)?;
    match uuid::Uuid::parse_str(&id) {
        Ok(u) => Some(u.hyphenated().to_string()),
        Err(_) => {
            errors.push(FieldError::new(
                "visit_id",
                "invalid_uuid",
                msg::INVALID_UUID,
            ));
            None
        }
    }
}

impl Submission {
    /// Validates every field and returns the normalised content, or every failing field
    /// (those that did not parse included).
    pub fn validate(self, ctx: &Context) -> Result<Draft, Vec<FieldError>> {
        let mut errors = self.errors;
        let kind = self.fields.kind();
        let common = self.common;
        let when = occurred(&mut errors, common.occurred_at.as_deref(), ctx);
        check_location(&mut errors, &common.location);
        let hamlet = trimmed(common.hamlet);
        let note = trimmed(common.note);
        max_chars(&mut errors, "hamlet", &hamlet, HAMLET_MAX);
        max_chars(&mut errors, "note", &note, NOTE_MAX);
        let mut draft = Draft {
            kind,
            occurred_at: NaiveDateTime::default(),
            occurred_on: NaiveDate::default(),
            location: common.location,
            hamlet,
            note,
            household_ref: None,
            outcome: None,
            people_guided: None,
            topics: None,
            visit_id: None,
            citizen_ref: None,
            birth_year: None,
            sex: None,
            action: None,
            result: None,
            failure_reason: None,
            provider: None,
            status: None,
            format: None,
            audience: None,
            attendees: None,
            people_helped: None,
            duration_minutes: None,
            venue: None,
        };
        match self.fields {
            KindFields::Visit {
                household_ref,
                outcome,
                people_guided,
                topics,
            } => visit(
                &mut errors,
                &mut draft,
                household_ref,
                outcome,
                people_guided,
                topics,
            ),
            KindFields::Assist {
                visit_id,
                citizen,
                birth_year,
                sex,
                action,
                result,
                failure_reason,
            } => {
                draft.visit_id = check_visit_id(&mut errors, visit_id);
                check_birth_year(&mut errors, birth_year, ctx);
                draft.citizen_ref = citizen_ref(&mut errors, citizen, birth_year, sex, ctx);
                assist(&mut errors, &mut draft, action, result, failure_reason);
                draft.birth_year = birth_year;
                draft.sex = sex;
            }
            KindFields::Signature {
                visit_id,
                citizen,
                birth_year,
                provider,
                status,
            } => {
                draft.visit_id = check_visit_id(&mut errors, visit_id);
                check_birth_year(&mut errors, birth_year, ctx);
                if let (Some((_, day)), Some(year)) = (when, birth_year)
                    && year > day.year() - SIGNATURE_MIN_AGE
                {
                    errors.push(FieldError::new("birth_year", "under_15", msg::UNDER_15));
                }
                draft.citizen_ref = citizen_ref(&mut errors, citizen, birth_year, None, ctx);
                signature(&mut errors, &mut draft, provider, status);
                draft.birth_year = birth_year;
            }
            KindFields::Session {
                format,
                audience,
                attendees,
                people_helped,
                duration_minutes,
                venue,
                topics,
            } => {
                draft.format = format;
                session(
                    &mut errors,
                    &mut draft,
                    audience,
                    (attendees, people_helped, duration_minutes),
                    venue,
                );
                draft.topics = canonical_topics(&mut errors, topics);
            }
        }
        match when {
            Some((at, day)) if errors.is_empty() => {
                draft.occurred_at = at;
                draft.occurred_on = day;
                Ok(draft)
            }
            _ => Err(errors),
        }
    }
}

/// A visit's own rules: bounded label and head count, nobody guided where nobody was home,
/// each topic once (stored in the enum's order, so the order sent does not change the
/// content).
fn visit(
    errors: &mut Vec<FieldError>,
    draft: &mut Draft,
    household_ref: Option<String>,
    outcome: Option<Outcome>,
    people_guided: Option<i32>,
    topics: Vec<Topic>,
) {
    let household_ref = trimmed(household_ref);
    max_chars(errors, "household_ref", &household_ref, HOUSEHOLD_REF_MAX);
    let people = people_guided.unwrap_or(0);
    if !(0..=PEOPLE_GUIDED_MAX).contains(&people) {
        errors.push(FieldError::new(
            "people_guided",
            "out_of_range",
            msg::PEOPLE_GUIDED_RANGE,
        ));
    } else if outcome == Some(Outcome::NotHome) && people > 0 {
        errors.push(FieldError::new(
            "people_guided",
            "not_home",
            msg::NOBODY_HOME,
        ));
    }
    draft.household_ref = household_ref;
    draft.outcome = outcome;
    draft.people_guided = Some(people);
    draft.topics = canonical_topics(errors, topics);
}

/// Choices as stored: each once, in the enum's order (so the order sent does not change
/// the content), comma-separated; `None` when one was sent twice.
fn canonical<T: Ord + Copy>(values: &[T], text: fn(T) -> &'static str) -> Option<String> {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.dedup();
    (sorted.len() == values.len())
        .then(|| sorted.into_iter().map(text).collect::<Vec<_>>().join(","))
}

fn canonical_topics(errors: &mut Vec<FieldError>, topics: Vec<Topic>) -> Option<String> {
    let stored = canonical(&topics, Topic::as_str);
    if stored.is_none() {
        errors.push(FieldError::new("topics", "duplicate", msg::TOPIC_TWICE));
    }
    stored
}

/// A training session's own rules: one or more audiences, each once; 1–1,000 attendees, of
/// whom 0–all were helped one to one; 10–600 minutes; a bounded venue.
fn session(
    errors: &mut Vec<FieldError>,
    draft: &mut Draft,
    audience: Option<Vec<Audience>>,
    (attendees, people_helped, duration_minutes): (Option<i32>, Option<i32>, Option<i32>),
    venue: Option<String>,
) {
    if let Some(audience) = audience {
        draft.audience = canonical(&audience, Audience::as_str);
        if audience.is_empty() {
            errors.push(FieldError::new(
                "audience",
                "required",
                msg::AUDIENCE_NEEDED,
            ));
        } else if draft.audience.is_none() {
            errors.push(FieldError::new(
                "audience",
                "duplicate",
                msg::AUDIENCE_TWICE,
            ));
        }
    }
    if attendees.is_some_and(|n| !(1..=ATTENDEES_MAX).contains(&n)) {
        errors.push(FieldError::new(
            "attendees",
            "out_of_range",
            msg::range(1, ATTENDEES_MAX),
        ));
    }
    let helped = people_helped.unwrap_or(0);
    if !(0..=ATTENDEES_MAX).contains(&helped) {
        errors.push(FieldError::new(
            "people_helped",
            "out_of_range",
            msg::range(0, ATTENDEES_MAX),
        ));
    } else if attendees.is_some_and(|n| helped > n) {
        errors.push(FieldError::new(
            "people_helped",
            "above_attendees",
            msg::HELPED_ABOVE_ATTENDEES,
        ));
    }
    let (shortest, longest) = DURATION_RANGE;
    if duration_minutes.is_some_and(|m| !(shortest..=longest).contains(&m)) {
        errors.push(FieldError::new(
            "duration_minutes",
            "out_of_range",
            msg::range(shortest, longest),
        ));
    }
    let venue = trimmed(venue);
    max_chars(errors, "venue", &venue, VENUE_MAX);
    draft.attendees = attendees;
    draft.people_helped = Some(helped);
    draft.duration_minutes = duration_minutes;
    draft.venue = venue;
}

/// A VNeID assist's own rules: a failure reason exactly when the result is `failed`.
fn assist(
    errors: &mut Vec<FieldError>,
    draft: &mut Draft,
    action: Option<AssistAction>,
    result: Option<AssistResult>,
    failure_reason: Option<FailureReason>,
) {
    match (result, failure_reason) {
        (Some(AssistResult::Failed), None) => errors.push(FieldError::new(
            "failure_reason",
            "required",
            msg::REASON_REQUIRED,
        )),
        (Some(AssistResult::Success | AssistResult::Pending), Some(_)) => errors.push(
            FieldError::new("failure_reason", "not_allowed", msg::ONLY_WHEN_FAILED),
        ),
        _ => {}
    }
    draft.action = action;
    draft.result = result;
    draft.failure_reason = failure_reason;
}

/// A signature registration's own rules: a provider that is not blank and not too long.
fn signature(
    errors: &mut Vec<FieldError>,
    draft: &mut Draft,
    provider: Option<String>,
    status: Option<SignatureStatus>,
) {
    let provider_given = provider.is_some();
    let provider = trimmed(provider);
    if provider_given && provider.is_none() {
        errors.push(FieldError::new(
            "provider",
            "required",
            msg::PROVIDER_REQUIRED,
        ));
    }
    max_chars(errors, "provider", &provider, PROVIDER_MAX);
    draft.provider = provider;
    draft.status = status;
}

#[cfg(test)]
mod tests {
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
}
