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
    /// The hamlet's code, well formed (whether it is one of the team's commune is looked
    /// up when the record is prepared).
    pub hamlet_code: Option<String>,
    /// Trimmed note.
    pub note: Option<String>,
    /// Visit label.
    pub household_ref: Option<String>,
    /// The registered household visited (a UUID; whether it is one of the team's commune
    /// is looked up when the record is prepared).
    pub household_id: Option<String>,
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
        let hamlet_code = trimmed(common.hamlet_code);
        if hamlet_code
            .as_deref()
            .is_some_and(|c| crate::units::hamlets::commune_of(c).is_none())
        {
            errors.push(FieldError::new(
                "hamlet_code",
                "wrong_hamlet",
                msg::WRONG_HAMLET,
            ));
        }
        max_chars(&mut errors, "note", &note, NOTE_MAX);
        let mut draft = Draft {
            kind,
            occurred_at: NaiveDateTime::default(),
            occurred_on: NaiveDate::default(),
            location: common.location,
            hamlet,
            hamlet_code,
            note,
            household_ref: None,
            household_id: None,
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
                household_id,
                outcome,
                people_guided,
                topics,
            } => visit(
                &mut errors,
                &mut draft,
                (household_ref, household_id),
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
    (household_ref, household_id): (Option<String>, Option<String>),
    outcome: Option<Outcome>,
    people_guided: Option<i32>,
    topics: Vec<Topic>,
) {
    draft.household_id = household_id.and_then(|raw| match uuid::Uuid::parse_str(raw.trim()) {
        Ok(u) => Some(u.hyphenated().to_string()),
        Err(_) => {
            errors.push(FieldError::new(
                "household_id",
                "invalid_uuid",
                msg::INVALID_UUID,
            ));
            None
        }
    });
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
mod tests;
