//! Record enums and the stored row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text::text_enum;

use crate::schema::records;

text_enum! {
    /// Which of the four record kinds.
    Kind {
        /// Household visit.
        Visit => "visit",
        /// VNeID install or activation assist.
        VneidAssist => "vneid_assist",
        /// Digital-signature registration.
        SignatureRegistration => "signature_registration",
        /// A class or a support point for a group.
        TrainingSession => "training_session",
    }
}

text_enum! {
    /// How a training session was held.
    SessionFormat {
        /// A class ("lớp Bình dân học vụ số").
        Class => "class",
        /// A support point residents come to.
        SupportPoint => "support_point",
        /// Online.
        Online => "online",
    }
}

text_enum! {
    /// Whom a training session was for.
    Audience {
        /// Residents at large.
        Residents => "residents",
        /// Elderly people.
        Elderly => "elderly",
        /// People with disabilities.
        PeopleWithDisabilities => "people_with_disabilities",
        /// Ethnic minorities.
        EthnicMinorities => "ethnic_minorities",
        /// Farmers.
        Farmers => "farmers",
        /// Workers of cooperatives.
        CooperativeWorkers => "cooperative_workers",
        /// Small-scale business households.
        BusinessHouseholds => "business_households",
        /// Students.
        Students => "students",
        /// Officials.
        Officials => "officials",
    }
}

text_enum! {
    /// How a visit went.
    Outcome {
        /// Someone in the household was guided.
        Guided => "guided",
        /// Nobody was home.
        NotHome => "not_home",
        /// The household declined.
        Declined => "declined",
        /// The team must come back.
        FollowUp => "follow_up",
    }
}

text_enum! {
    /// What a visit covered.
    Topic {
        /// VNeID.
        Vneid => "vneid",
        /// Online public services.
        PublicServices => "public_services",
        /// Digital signatures.
        DigitalSignature => "digital_signature",
        /// Cashless payment.
        CashlessPayment => "cashless_payment",
        /// Staying safe online.
        OnlineSafety => "online_safety",
        /// AI basics.
        AiBasics => "ai_basics",
        /// Anything else.
        Other => "other",
    }
}

text_enum! {
    /// Sex as on the citizen identity card.
    Sex {
        /// Nữ.
        Female => "female",
        /// Nam.
        Male => "male",
    }
}

text_enum! {
    /// What the volunteer helped with in VNeID.
    AssistAction {
        /// Install the app.
        Install => "install",
        /// Register a level-1 account.
        RegisterLevel1 => "register_level1",
        /// Activate a level-2 account.
        ActivateLevel2 => "activate_level2",
        /// Pass the "Bình dân học vụ số" assessment and receive the digital-skills
        /// certificate through VNeID.
        DigitalSkillsCertificate => "digital_skills_certificate",
    }
}

text_enum! {
    /// How a VNeID assist ended.
    AssistResult {
        /// Done.
        Success => "success",
        /// Waiting on the authorities.
        Pending => "pending",
        /// Did not work; see `failure_reason`.
        Failed => "failed",
    }
}

text_enum! {
    /// Why a VNeID assist failed.
    FailureReason {
        /// The citizen has no smartphone.
        NoSmartphone => "no_smartphone",
        /// The citizen's card has no chip.
        NoChipIdCard => "no_chip_id_card",
        /// Face matching failed.
        FaceMatchFailed => "face_match_failed",
        /// No network.
        Network => "network",
        /// Something else.
        Other => "other",
    }
}

text_enum! {
    /// Where a signature registration stands.
    SignatureStatus {
        /// Filed with the provider.
        Submitted => "submitted",
        /// Certificate issued.
        Issued => "issued",
        /// Refused or abandoned.
        Failed => "failed",
    }
}

text_enum! {
    /// Review state of a record.
    ReviewStatus {
        /// Not reviewed yet.
        Pending => "pending",
        /// Checked and counted.
        Approved => "approved",
        /// Doubtful (a possible duplicate); not counted unless approved.
        Flagged => "flagged",
        /// Rejected; never counted.
        Rejected => "rejected",
    }
}

/// What a review may decide (a record goes back to `pending` never).
pub const REVIEW_DECISIONS: [ReviewStatus; 3] = [
    ReviewStatus::Approved,
    ReviewStatus::Flagged,
    ReviewStatus::Rejected,
];

/// Where a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lat": 21.0341, "lon": 105.8372, "accuracy_m": 12.0}))]
pub struct Location {
    /// Latitude, inside Vietnam (6.0–23.5, the Trường Sa islands included).
    pub lat: f64,
    /// Longitude, inside Vietnam (102.0–117.9).
    pub lon: f64,
    /// GPS accuracy in metres (0–10,000).
    pub accuracy_m: Option<f64>,
}

/// A stored record of any kind. Serialized only to insert it (field names are the columns:
/// [`crate::db::dialect::insert_new_as_json`]); the API shows records through `views`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = records)]
pub struct RecordRow {
    /// Client-generated UUID.
    pub id: String,
    /// Which kind.
    pub kind: Kind,
    /// Team it was logged for.
    pub team_id: String,
    /// Author.
    pub volunteer_id: String,
    /// The team's commune at logging time.
    pub commune_code: String,
    /// When it happened (UTC).
    pub occurred_at: NaiveDateTime,
    /// Local day in Asia/Ho_Chi_Minh.
    pub occurred_on: NaiveDate,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// GPS accuracy in metres.
    pub accuracy_m: Option<f64>,
    /// Thôn, ấp or tổ dân phố.
    pub hamlet: Option<String>,
    /// Free note.
    pub note: Option<String>,
    /// Visit: the team's label for the house.
    pub household_ref: Option<String>,
    /// Visit: how it went.
    pub outcome: Option<Outcome>,
    /// Visit: people guided.
    pub people_guided: Option<i32>,
    /// Visit or session: comma-separated topics in canonical order.
    pub topics: Option<String>,
    /// Assist or signature: the visit it happened in.
    pub visit_id: Option<String>,
    /// Assist or signature: HMAC of the CCCD (never the number).
    pub citizen_ref: Option<String>,
    /// Assist or signature: year of birth.
    pub birth_year: Option<i32>,
    /// Assist: sex.
    pub sex: Option<Sex>,
    /// Assist: what was done.
    pub action: Option<AssistAction>,
    /// Assist: how it ended.
    pub result: Option<AssistResult>,
    /// Assist: why it failed.
    pub failure_reason: Option<FailureReason>,
    /// Signature: certification provider.
    pub provider: Option<String>,
    /// Signature: where it stands.
    pub status: Option<SignatureStatus>,
    /// Fingerprint of the client content, for idempotent creates.
    pub content_hash: String,
    /// When the server stored it.
    pub received_at: NaiveDateTime,
    /// Last change (also the optimistic-concurrency token).
    pub updated_at: NaiveDateTime,
    /// Review state.
    pub review_status: ReviewStatus,
    /// Last reviewer.
    pub reviewed_by: Option<String>,
    /// Last review instant.
    pub reviewed_at: Option<NaiveDateTime>,
    /// Reviewer's note or the duplicate flag's reason.
    pub review_note: Option<String>,
    /// Earlier record this one may duplicate.
    pub duplicate_of: Option<String>,
    /// Whether it is voided.
    pub voided: bool,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// Who voided it.
    pub voided_by: Option<String>,
    /// When.
    pub voided_at: Option<NaiveDateTime>,
    /// Session: how it was held.
    pub format: Option<SessionFormat>,
    /// Session: whom it was for, comma-separated in canonical order.
    pub audience: Option<String>,
    /// Session: people who attended.
    pub attendees: Option<i32>,
    /// Session: attendees given one-to-one help with a service.
    pub people_helped: Option<i32>,
    /// Session: length in minutes.
    pub duration_minutes: Option<i32>,
    /// Session: where it was held.
    pub venue: Option<String>,
    /// The hamlet as sent (`<commune>-<n>`), current or closed when it was logged.
    pub hamlet_code: Option<String>,
    /// Visit: the registered household visited.
    pub household_id: Option<String>,
}

/// What a create did.
#[derive(Debug)]
pub enum Created {
    /// Stored now (201).
    New(RecordRow),
    /// Already stored with the same content (200).
    Unchanged(RecordRow),
    /// The id is taken by a record of other content; nothing changed (409).
    IdTaken,
}
