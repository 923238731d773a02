//! A record's client-supplied content, whatever its kind and wherever it came from (a
//! create body, or a stored record with a change merged in).

use crate::error::FieldError;
use crate::messages as msg;
use crate::records::model::{
    AssistAction, AssistResult, Audience, FailureReason, Kind, Location, Outcome, RecordRow,
    SessionFormat, Sex, SignatureStatus, Topic,
};

/// Where a record's citizen comes from: a number just sent, or the stored hash of an
/// earlier one (a change that does not touch the citizen).
#[derive(Debug, Clone)]
pub enum Citizen {
    /// A CCCD from the request, to check and hash.
    Number(String),
    /// The stored `citizen_ref`.
    Stored(String),
}

/// Fields every kind shares, as received; `None` where absent or unparseable.
#[derive(Debug, Clone)]
pub struct CommonFields {
    /// RFC 3339 text.
    pub occurred_at: Option<String>,
    /// Where.
    pub location: Option<Location>,
    /// Hamlet.
    pub hamlet: Option<String>,
    /// Hamlet code.
    pub hamlet_code: Option<String>,
    /// Note.
    pub note: Option<String>,
}

/// Kind-specific fields, as received (or merged from a change); required ones are `None`
/// only when their error is already recorded.
#[derive(Debug, Clone)]
pub enum KindFields {
    /// A visit's own fields.
    Visit {
        household_ref: Option<String>,
        household_id: Option<String>,
        outcome: Option<Outcome>,
        people_guided: Option<i32>,
        topics: Vec<Topic>,
    },
    /// A VNeID assist's own fields.
    Assist {
        visit_id: Option<String>,
        citizen: Option<Citizen>,
        birth_year: Option<i32>,
        sex: Option<Sex>,
        action: Option<AssistAction>,
        result: Option<AssistResult>,
        failure_reason: Option<FailureReason>,
    },
    /// A signature registration's own fields.
    Signature {
        visit_id: Option<String>,
        citizen: Option<Citizen>,
        birth_year: Option<i32>,
        provider: Option<String>,
        status: Option<SignatureStatus>,
    },
    /// A training session's own fields.
    Session {
        format: Option<SessionFormat>,
        audience: Option<Vec<Audience>>,
        attendees: Option<i32>,
        people_helped: Option<i32>,
        duration_minutes: Option<i32>,
        venue: Option<String>,
        topics: Vec<Topic>,
    },
}

impl KindFields {
    /// The household a visit names, if any.
    pub fn household_id(&self) -> Option<&str> {
        match self {
            Self::Visit { household_id, .. } => household_id.as_deref(),
            _ => None,
        }
    }

    /// The visit an assist or a registration points at, if any.
    pub fn visit_id(&self) -> Option<&str> {
        match self {
            Self::Assist { visit_id, .. } | Self::Signature { visit_id, .. } => visit_id.as_deref(),
            Self::Visit { .. } | Self::Session { .. } => None,
        }
    }

    /// The kind these fields belong to.
    pub fn kind(&self) -> Kind {
        match self {
            Self::Visit { .. } => Kind::Visit,
            Self::Assist { .. } => Kind::VneidAssist,
            Self::Signature { .. } => Kind::SignatureRegistration,
            Self::Session { .. } => Kind::TrainingSession,
        }
    }
}

/// A stored comma-separated list of choices, back as values.
pub fn stored_list<T>(text: Option<&str>, parse: fn(&str) -> Option<T>) -> Vec<T> {
    text.unwrap_or("").split(',').filter_map(parse).collect()
}

/// A record's client-supplied content, whatever its kind, with the errors found while
/// parsing it.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Client id, if given.
    pub id: Option<String>,
    /// Team (`None` if missing or malformed).
    pub team_id: Option<String>,
    /// Shared fields.
    pub common: CommonFields,
    /// Kind-specific fields.
    pub fields: KindFields,
    /// Fields that did not parse or were missing.
    pub errors: Vec<FieldError>,
}

/// Normalises a client id: a UUID in lowercase hyphenated form, or a new one.
pub fn record_id(id: Option<&str>) -> Result<String, FieldError> {
    match id {
        None => Ok(uuid::Uuid::new_v4().to_string()),
        Some(raw) => uuid::Uuid::parse_str(raw)
            .map(|u| u.hyphenated().to_string())
            .map_err(|_| FieldError::new("id", "invalid_uuid", msg::INVALID_UUID)),
    }
}

/// A stored record turned back into a submission, for merging a change into it.
pub fn from_row(row: &RecordRow) -> Submission {
    let common = CommonFields {
        occurred_at: Some(row.occurred_at.and_utc().to_rfc3339()),
        location: match (row.lat, row.lon) {
            (Some(lat), Some(lon)) => Some(Location {
                lat,
                lon,
                accuracy_m: row.accuracy_m,
            }),
            _ => None,
        },
        hamlet: row.hamlet.clone(),
        hamlet_code: row.hamlet_code.clone(),
        note: row.note.clone(),
    };
    let citizen = row.citizen_ref.clone().map(Citizen::Stored);
    let fields = match row.kind {
        Kind::Visit => KindFields::Visit {
            household_ref: row.household_ref.clone(),
            household_id: row.household_id.clone(),
            outcome: row.outcome,
            people_guided: row.people_guided,
            topics: stored_list(row.topics.as_deref(), Topic::parse),
        },
        Kind::VneidAssist => KindFields::Assist {
            visit_id: row.visit_id.clone(),
            citizen,
            birth_year: row.birth_year,
            sex: row.sex,
            action: row.action,
            result: row.result,
            failure_reason: row.failure_reason,
        },
        Kind::SignatureRegistration => KindFields::Signature {
            visit_id: row.visit_id.clone(),
            citizen,
            birth_year: row.birth_year,
            provider: row.provider.clone(),
            status: row.status,
        },
        Kind::TrainingSession => KindFields::Session {
            format: row.format,
            audience: Some(stored_list(row.audience.as_deref(), Audience::parse)),
            attendees: row.attendees,
            people_helped: row.people_helped,
            duration_minutes: row.duration_minutes,
            venue: row.venue.clone(),
            topics: stored_list(row.topics.as_deref(), Topic::parse),
        },
    };
    Submission {
        id: Some(row.id.clone()),
        team_id: Some(row.team_id.clone()),
        common,
        fields,
        errors: Vec::new(),
    }
}
