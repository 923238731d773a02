//! Records as the API shows them: every field of the kind and the server's, never
//! `citizen_id` or `citizen_ref`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::stored_list;
use super::model::{
    AssistAction, AssistResult, Audience, FailureReason, Location, Outcome, RecordRow,
    ReviewStatus, SessionFormat, Sex, SignatureStatus, Topic,
};

/// Fields every record carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommonView {
    /// Client-generated id (UUID).
    pub id: String,
    /// Team it was logged for.
    pub team_id: String,
    /// Who logged it.
    pub volunteer_id: String,
    /// The team's commune.
    #[schema(example = "00004")]
    pub commune_code: String,
    /// When it happened (UTC).
    pub occurred_at: DateTime<Utc>,
    /// Its local day in Asia/Ho_Chi_Minh.
    pub occurred_on: NaiveDate,
    /// Where, if known.
    pub location: Option<Location>,
    /// Thôn, ấp or tổ dân phố.
    #[schema(example = "Tổ dân phố số 5")]
    pub hamlet: Option<String>,
    /// The hamlet's code as sent.
    #[schema(example = "00004-1")]
    pub hamlet_code: Option<String>,
    /// Free note.
    pub note: Option<String>,
    /// When the server stored it.
    pub received_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Review state.
    pub review_status: ReviewStatus,
    /// Who reviewed it last.
    pub reviewed_by: Option<String>,
    /// Reviewer's note, or why it was flagged.
    #[schema(
        example = "Có thể trùng với bản ghi 8a6e0f5c-2d41-4c3b-b7a9-5e2f1d0c9b87 (same citizen, same action)"
    )]
    pub review_note: Option<String>,
    /// The earlier record this one may duplicate (same citizen and action).
    pub duplicate_of: Option<String>,
    /// Voided records are kept and never counted.
    pub voided: bool,
    /// Why it was voided.
    pub void_reason: Option<String>,
}

impl From<&RecordRow> for CommonView {
    fn from(r: &RecordRow) -> Self {
        Self {
            id: r.id.clone(),
            team_id: r.team_id.clone(),
            volunteer_id: r.volunteer_id.clone(),
            commune_code: r.commune_code.clone(),
            occurred_at: r.occurred_at.and_utc(),
            occurred_on: r.occurred_on,
            location: match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => Some(Location {
                    lat,
                    lon,
                    accuracy_m: r.accuracy_m,
                }),
                _ => None,
            },
            hamlet: r.hamlet.clone(),
            hamlet_code: r.hamlet_code.clone(),
            note: r.note.clone(),
            received_at: r.received_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            review_status: r.review_status,
            reviewed_by: r.reviewed_by.clone(),
            review_note: r.review_note.clone(),
            duplicate_of: r.duplicate_of.clone(),
            voided: r.voided,
            void_reason: r.void_reason.clone(),
        }
    }
}

/// A household visit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Visit {
    /// Shared fields.
    #[serde(flatten)]
    pub common: CommonView,
    /// The team's label for the house.
    #[schema(example = "KP1-23")]
    pub household_ref: Option<String>,
    /// The registered household visited.
    pub household_id: Option<String>,
    /// How it went.
    pub outcome: Outcome,
    /// People guided.
    pub people_guided: i32,
    /// Topics covered.
    pub topics: Vec<Topic>,
}

/// A VNeID assist (the citizen id is never shown).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VneidAssist {
    /// Shared fields.
    #[serde(flatten)]
    pub common: CommonView,
    /// The visit it happened in.
    pub visit_id: Option<String>,
    /// Year of birth.
    pub birth_year: i32,
    /// Sex.
    pub sex: Option<Sex>,
    /// What was done.
    pub action: AssistAction,
    /// How it ended.
    pub result: AssistResult,
    /// Why it failed.
    pub failure_reason: Option<FailureReason>,
}

/// A digital-signature registration (the citizen id is never shown).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureRegistration {
    /// Shared fields.
    #[serde(flatten)]
    pub common: CommonView,
    /// The visit it happened in.
    pub visit_id: Option<String>,
    /// Year of birth.
    pub birth_year: i32,
    /// Certification service provider.
    #[schema(example = "VNPT-CA")]
    pub provider: String,
    /// Where it stands.
    pub status: SignatureStatus,
}

/// A class, a support point or an online session for a group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingSession {
    /// Shared fields.
    #[serde(flatten)]
    pub common: CommonView,
    /// How it was held.
    pub format: SessionFormat,
    /// Whom it was for.
    pub audience: Vec<Audience>,
    /// People who attended.
    #[schema(example = 40)]
    pub attendees: i32,
    /// Attendees given one-to-one help with a service.
    #[schema(example = 12)]
    pub people_helped: i32,
    /// Length in minutes.
    #[schema(example = 120)]
    pub duration_minutes: i32,
    /// Where it was held.
    #[schema(example = "Nhà văn hoá tổ dân phố số 5")]
    pub venue: Option<String>,
    /// Topics covered.
    pub topics: Vec<Topic>,
}

/// Any record, shown in its kind's shape.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum RecordView {
    /// A visit.
    Visit(Visit),
    /// An assist.
    VneidAssist(VneidAssist),
    /// A signature registration.
    SignatureRegistration(SignatureRegistration),
    /// A training session.
    TrainingSession(TrainingSession),
}

impl RecordView {
    /// The fields every kind shares.
    pub fn common(&self) -> &CommonView {
        match self {
            Self::Visit(v) => &v.common,
            Self::VneidAssist(a) => &a.common,
            Self::SignatureRegistration(s) => &s.common,
            Self::TrainingSession(t) => &t.common,
        }
    }
}

impl From<&RecordRow> for RecordView {
    fn from(r: &RecordRow) -> Self {
        let common = CommonView::from(r);
        match r.kind {
            super::model::Kind::Visit => Self::Visit(Visit {
                common,
                household_ref: r.household_ref.clone(),
                household_id: r.household_id.clone(),
                outcome: r.outcome.unwrap_or(Outcome::Guided),
                people_guided: r.people_guided.unwrap_or(0),
                topics: stored_list(r.topics.as_deref(), Topic::parse),
            }),
            super::model::Kind::VneidAssist => Self::VneidAssist(VneidAssist {
                common,
                visit_id: r.visit_id.clone(),
                birth_year: r.birth_year.unwrap_or_default(),
                sex: r.sex,
                action: r.action.unwrap_or(AssistAction::Install),
                result: r.result.unwrap_or(AssistResult::Pending),
                failure_reason: r.failure_reason,
            }),
            super::model::Kind::SignatureRegistration => {
                Self::SignatureRegistration(SignatureRegistration {
                    common,
                    visit_id: r.visit_id.clone(),
                    birth_year: r.birth_year.unwrap_or_default(),
                    provider: r.provider.clone().unwrap_or_default(),
                    status: r.status.unwrap_or(SignatureStatus::Submitted),
                })
            }
            super::model::Kind::TrainingSession => Self::TrainingSession(TrainingSession {
                common,
                format: r.format.unwrap_or(SessionFormat::Class),
                audience: stored_list(r.audience.as_deref(), Audience::parse),
                attendees: r.attendees.unwrap_or_default(),
                people_helped: r.people_helped.unwrap_or_default(),
                duration_minutes: r.duration_minutes.unwrap_or_default(),
                venue: r.venue.clone(),
                topics: stored_list(r.topics.as_deref(), Topic::parse),
            }),
        }
    }
}
