//! Changes to a stored record, per kind: absent fields stay as they are.

use serde::Deserialize;
use utoipa::ToSchema;

use super::submission::{Citizen, KindFields, Submission};
use crate::error::FieldError;
use crate::extract::{Checked, optional};
use crate::messages as msg;
use crate::records::model::{
    AssistAction, AssistResult, Audience, FailureReason, Location, Outcome, SessionFormat, Sex,
    SignatureStatus, Topic,
};

/// Declares a kind's change body: the shared fields a change may move, then the kind's own.
macro_rules! change_body {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$own_meta:meta])* $own:ident : $ty:ty,)*
        }
    ) => {
        #[derive(Debug, Clone, Default, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$meta])*
        pub struct $name {
            /// When it happened.
            #[schema(value_type = Option<String>, format = DateTime)]
            pub occurred_at: Option<Checked<String>>,
            /// Where.
            #[schema(value_type = Option<Location>)]
            pub location: Option<Checked<Location>>,
            /// Thôn, ấp or tổ dân phố.
            #[schema(value_type = Option<String>)]
            pub hamlet: Option<Checked<String>>,
            /// The hamlet's code (empty clears it).
            #[schema(value_type = Option<String>)]
            pub hamlet_code: Option<Checked<String>>,
            /// Free note.
            #[schema(value_type = Option<String>)]
            pub note: Option<Checked<String>>,
            $($(#[$own_meta])* pub $own: $ty,)*
        }
    };
}

change_body! {
    /// A change to a visit; absent fields stay as they are. Id, team and author never change.
    #[schema(example = json!({"outcome": "follow_up", "note": "Hẹn quay lại chiều thứ Bảy"}))]
    VisitPatch {
        /// The team's label for the house.
        #[schema(value_type = Option<String>)]
        household_ref: Option<Checked<String>>,
        /// The registered household visited.
        #[schema(value_type = Option<String>, format = Uuid)]
        household_id: Option<Checked<String>>,
        /// How the visit went.
        #[schema(value_type = Option<Outcome>)]
        outcome: Option<Checked<Outcome>>,
        /// People guided, 0–50.
        #[schema(value_type = Option<i32>)]
        people_guided: Option<Checked<i32>>,
        /// Topics covered (replaces the list).
        #[schema(value_type = Option<std::collections::BTreeSet<Topic>>)]
        topics: Option<Checked<Vec<Topic>>>,
    }
}

change_body! {
    /// A change to a VNeID assist. Changing `birth_year` or `sex` needs `citizen_id` again,
    /// since only its hash is stored.
    #[schema(example = json!({"result": "success"}))]
    AssistPatch {
        /// The visit of the same team.
        #[schema(value_type = Option<String>, format = Uuid)]
        visit_id: Option<Checked<String>>,
        /// CCCD, write-only.
        #[schema(value_type = Option<String>, write_only)]
        citizen_id: Option<Checked<String>>,
        /// Year of birth.
        #[schema(value_type = Option<i32>)]
        birth_year: Option<Checked<i32>>,
        /// Sex.
        #[schema(value_type = Option<Sex>)]
        sex: Option<Checked<Sex>>,
        /// What was done.
        #[schema(value_type = Option<AssistAction>)]
        action: Option<Checked<AssistAction>>,
        /// How it ended.
        #[schema(value_type = Option<AssistResult>)]
        result: Option<Checked<AssistResult>>,
        /// Why it failed (with `result: failed`).
        #[schema(value_type = Option<FailureReason>)]
        failure_reason: Option<Checked<FailureReason>>,
    }
}

change_body! {
    /// A change to a signature registration. Changing `birth_year` needs `citizen_id` again.
    #[schema(example = json!({"status": "issued"}))]
    SignaturePatch {
        /// The visit of the same team.
        #[schema(value_type = Option<String>, format = Uuid)]
        visit_id: Option<Checked<String>>,
        /// CCCD, write-only.
        #[schema(value_type = Option<String>, write_only)]
        citizen_id: Option<Checked<String>>,
        /// Year of birth.
        #[schema(value_type = Option<i32>)]
        birth_year: Option<Checked<i32>>,
        /// Certification service provider.
        #[schema(value_type = Option<String>)]
        provider: Option<Checked<String>>,
        /// Where the registration stands.
        #[schema(value_type = Option<SignatureStatus>)]
        status: Option<Checked<SignatureStatus>>,
    }
}

change_body! {
    /// A change to a training session; absent fields stay as they are.
    #[schema(example = json!({"attendees": 42, "people_helped": 15}))]
    TrainingSessionPatch {
        /// How it was held.
        #[schema(value_type = Option<SessionFormat>)]
        format: Option<Checked<SessionFormat>>,
        /// Whom it was for (replaces the list).
        #[schema(value_type = Option<std::collections::BTreeSet<Audience>>)]
        audience: Option<Checked<Vec<Audience>>>,
        /// People who attended, 1–1,000.
        #[schema(value_type = Option<i32>)]
        attendees: Option<Checked<i32>>,
        /// Attendees given one-to-one help, 0–`attendees`.
        #[schema(value_type = Option<i32>)]
        people_helped: Option<Checked<i32>>,
        /// Length in minutes, 10–600.
        #[schema(value_type = Option<i32>)]
        duration_minutes: Option<Checked<i32>>,
        /// Where it was held.
        #[schema(value_type = Option<String>)]
        venue: Option<Checked<String>>,
        /// Topics covered (replaces the list).
        #[schema(value_type = Option<std::collections::BTreeSet<Topic>>)]
        topics: Option<Checked<Vec<Topic>>>,
    }
}

/// A change of any kind, applied to the stored record's content.
#[derive(Debug, Clone)]
pub enum Patch {
    /// To a visit.
    Visit(VisitPatch),
    /// To an assist.
    Assist(AssistPatch),
    /// To a signature registration.
    Signature(SignaturePatch),
    /// To a training session.
    Session(TrainingSessionPatch),
}

/// The citizen after a change: a new number if one was sent; else the stored hash, which
/// cannot vouch for a new birth year or sex.
fn citizen_for_change(
    errors: &mut Vec<FieldError>,
    current: Option<Citizen>,
    number: Option<String>,
    identity_changed: bool,
) -> Option<Citizen> {
    match number {
        Some(n) => Some(Citizen::Number(n)),
        None => {
            if identity_changed {
                errors.push(FieldError::new(
                    "citizen_id",
                    "required",
                    msg::CITIZEN_ID_AGAIN,
                ));
            }
            current
        }
    }
}

impl Patch {
    /// Whether the change moves `occurred_at` (then the late-sync window applies).
    pub fn moves_occurred_at(&self) -> bool {
        match self {
            Self::Visit(p) => p.occurred_at.is_some(),
            Self::Assist(p) => p.occurred_at.is_some(),
            Self::Signature(p) => p.occurred_at.is_some(),
            Self::Session(p) => p.occurred_at.is_some(),
        }
    }

    /// Merges the change into a stored record's content; the merged submission carries
    /// the change's parse errors, and validation lists them with the rest.
    pub fn apply(self, mut base: Submission) -> Submission {
        let e = &mut base.errors;
        let c = &mut base.common;
        macro_rules! common {
            ($p:expr) => {
                if let Some(v) = optional($p.occurred_at, "occurred_at", e) {
                    c.occurred_at = Some(v);
                }
                if let Some(v) = optional($p.location, "location", e) {
                    c.location = Some(v);
                }
                if let Some(v) = optional($p.hamlet, "hamlet", e) {
                    c.hamlet = Some(v);
                }
                if let Some(v) = optional($p.hamlet_code, "hamlet_code", e) {
                    c.hamlet_code = Some(v);
                }
                if let Some(v) = optional($p.note, "note", e) {
                    c.note = Some(v);
                }
            };
        }
        base.fields = match (self, base.fields) {
            (
                Self::Visit(p),
                KindFields::Visit {
                    household_ref,
                    household_id,
                    outcome,
                    people_guided,
                    topics,
                },
            ) => {
                common!(p);
                KindFields::Visit {
                    household_ref: optional(p.household_ref, "household_ref", e).or(household_ref),
                    household_id: optional(p.household_id, "household_id", e).or(household_id),
                    outcome: optional(p.outcome, "outcome", e).or(outcome),
                    people_guided: optional(p.people_guided, "people_guided", e).or(people_guided),
                    topics: optional(p.topics, "topics", e).unwrap_or(topics),
                }
            }
            (
                Self::Assist(p),
                KindFields::Assist {
                    visit_id,
                    citizen,
                    birth_year,
                    sex,
                    action,
                    result,
                    failure_reason,
                },
            ) => {
                common!(p);
                let new_year = optional(p.birth_year, "birth_year", e);
                let new_sex = optional(p.sex, "sex", e);
                let identity_changed = new_year.is_some_and(|y| Some(y) != birth_year)
                    || new_sex.is_some_and(|s| Some(s) != sex);
                let number = optional(p.citizen_id, "citizen_id", e);
                let result = optional(p.result, "result", e).or(result);
                let new_reason = optional(p.failure_reason, "failure_reason", e);
                KindFields::Assist {
                    visit_id: optional(p.visit_id, "visit_id", e).or(visit_id),
                    citizen: citizen_for_change(e, citizen, number, identity_changed),
                    birth_year: new_year.or(birth_year),
                    sex: new_sex.or(sex),
                    action: optional(p.action, "action", e).or(action),
                    result,
                    // A result that is no longer `failed` drops the old reason.
                    failure_reason: new_reason
                        .or(failure_reason.filter(|_| result == Some(AssistResult::Failed))),
                }
            }
            (
                Self::Signature(p),
                KindFields::Signature {
                    visit_id,
                    citizen,
                    birth_year,
                    provider,
                    status,
                },
            ) => {
                common!(p);
                let new_year = optional(p.birth_year, "birth_year", e);
                let identity_changed = new_year.is_some_and(|y| Some(y) != birth_year);
                let number = optional(p.citizen_id, "citizen_id", e);
                KindFields::Signature {
                    visit_id: optional(p.visit_id, "visit_id", e).or(visit_id),
                    citizen: citizen_for_change(e, citizen, number, identity_changed),
                    birth_year: new_year.or(birth_year),
                    provider: optional(p.provider, "provider", e).or(provider),
                    status: optional(p.status, "status", e).or(status),
                }
            }
            (
                Self::Session(p),
                KindFields::Session {
                    format,
                    audience,
                    attendees,
                    people_helped,
                    duration_minutes,
                    venue,
                    topics,
                },
            ) => {
                common!(p);
                KindFields::Session {
                    format: optional(p.format, "format", e).or(format),
                    audience: optional(p.audience, "audience", e).or(audience),
                    attendees: optional(p.attendees, "attendees", e).or(attendees),
                    people_helped: optional(p.people_helped, "people_helped", e).or(people_helped),
                    duration_minutes: optional(p.duration_minutes, "duration_minutes", e)
                        .or(duration_minutes),
                    venue: optional(p.venue, "venue", e).or(venue),
                    topics: optional(p.topics, "topics", e).unwrap_or(topics),
                }
            }
            (_, fields) => fields,
        };
        base
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::config::Secret;
    use crate::records::input::{AssistInput, Context, VisitInput};

    fn key() -> Secret {
        Secret::new("test", "a test key of thirty-two bytes or more").unwrap()
    }

    fn context(key: &Secret) -> Context<'_> {
        Context {
            now: Utc.with_ymd_and_hms(2026, 3, 20, 3, 0, 0).unwrap(),
            late_sync_window: TimeDelta::days(30),
            citizen_key: key,
            check_window: false,
        }
    }

    fn assist(extra: serde_json::Value) -> Submission {
        let mut body = json!({
            "team_id": "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
            "occurred_at": "2026-03-14T09:30:00+07:00",
            "citizen_id": "001185012345", "birth_year": 1985, "sex": "female",
            "action": "install", "result": "failed", "failure_reason": "network"
        });
        for (field, value) in extra.as_object().unwrap() {
            body[field] = value.clone();
        }
        serde_json::from_value::<AssistInput>(body).unwrap().into()
    }

    fn change(patch: serde_json::Value) -> Patch {
        Patch::Assist(serde_json::from_value(patch).unwrap())
    }

    #[test]
    fn absent_fields_stay_as_they_are() {
        let key = key();
        let base: Submission = serde_json::from_value::<VisitInput>(json!({
            "team_id": "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
            "occurred_at": "2026-03-14T09:30:00+07:00",
            "outcome": "guided", "people_guided": 3, "note": "first", "topics": ["vneid"]
        }))
        .unwrap()
        .into();
        let patch = Patch::Visit(serde_json::from_value(json!({"note": "second"})).unwrap());
        assert!(!patch.moves_occurred_at());
        let d = patch.apply(base).validate(&context(&key)).unwrap();
        assert_eq!(d.note.as_deref(), Some("second"));
        assert_eq!(d.people_guided, Some(3));
        assert_eq!(d.topics.as_deref(), Some("vneid"));
    }

    #[test]
    fn a_result_no_longer_failed_drops_the_old_reason() {
        let key = key();
        let d = change(json!({"result": "success"}))
            .apply(assist(json!({})))
            .validate(&context(&key))
            .unwrap();
        assert_eq!(d.result, Some(AssistResult::Success));
        assert_eq!(d.failure_reason, None);
    }

    #[test]
    fn a_new_birth_year_or_sex_needs_the_number_again() {
        let key = key();
        let stored = assist(json!({}));
        let stored = Submission {
            fields: match stored.fields {
                KindFields::Assist {
                    visit_id,
                    birth_year,
                    sex,
                    action,
                    result,
                    failure_reason,
                    ..
                } => KindFields::Assist {
                    visit_id,
                    citizen: Some(Citizen::Stored("stored-hash".into())),
                    birth_year,
                    sex,
                    action,
                    result,
                    failure_reason,
                },
                other => other,
            },
            ..stored
        };
        let errors = change(json!({"sex": "male"}))
            .apply(stored.clone())
            .validate(&context(&key))
            .unwrap_err();
        assert_eq!(errors[0].field, "citizen_id");
        assert_eq!(errors[0].code, "required");
        let same = change(json!({"birth_year": 1985, "note": "ok"}))
            .apply(stored.clone())
            .validate(&context(&key))
            .unwrap();
        assert_eq!(same.citizen_ref.as_deref(), Some("stored-hash"));
        let renumbered = change(json!({"birth_year": 1986, "citizen_id": "001186012345"}))
            .apply(stored)
            .validate(&context(&key))
            .unwrap();
        assert_eq!(renumbered.birth_year, Some(1986));
        assert_ne!(renumbered.citizen_ref.as_deref(), Some("stored-hash"));
    }

    #[test]
    fn a_change_that_does_not_parse_is_listed_with_the_rest() {
        let key = key();
        let errors = change(json!({"result": "maybe", "birth_year": "old"}))
            .apply(assist(json!({})))
            .validate(&context(&key))
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"result"), "{fields:?}");
        assert!(fields.contains(&"birth_year"), "{fields:?}");
    }
}
