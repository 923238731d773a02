//! Certification rows, their states and the shape the API shows.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::periods::Period;
use crate::schema::certifications;
use crate::stats::model::Metrics;
use crate::text::text_enum;

text_enum! {
    /// Where a certification stands.
    CertificationStatus {
        /// Certified by the commune, waiting for the province.
        Submitted => "submitted",
        /// Accepted by the province: the period is locked.
        Accepted => "accepted",
        /// Sent back with a note: the commune may certify again.
        Returned => "returned",
        /// Accepted once, then opened again with a reason: unlocked.
        Reopened => "reopened",
    }
}

impl CertificationStatus {
    /// A live certification (submitted or accepted) is the only one of its commune and period.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Submitted | Self::Accepted)
    }
}

/// Longest note, return note or reopening reason.
pub const NOTE_MAX: usize = 500;

/// A stored certification.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certifications)]
pub struct CertificationRow {
    /// UUID.
    pub id: String,
    /// The commune.
    pub unit_code: String,
    /// A month or an ISO week.
    #[diesel(serialize_as = String, deserialize_as = String)]
    pub period: Period,
    /// First day of the period (local).
    pub from_day: NaiveDate,
    /// Last day (local), inclusive.
    pub to_day: NaiveDate,
    /// Where it stands.
    pub status: CertificationStatus,
    /// The snapshot of every metric, as JSON.
    pub metrics: String,
    /// The commune's note.
    pub note: Option<String>,
    /// Who certified.
    pub submitted_by: String,
    /// When: the instant of the snapshot.
    pub submitted_at: NaiveDateTime,
    /// Who accepted or returned it.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// The province's note.
    pub decision_note: Option<String>,
    /// Who reopened it.
    pub reopened_by: Option<String>,
    /// When.
    pub reopened_at: Option<NaiveDateTime>,
    /// Why.
    pub reopen_reason: Option<String>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// A certification as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0f8e2d4c-5b6a-4e3f-9d1c-7a2b3c4d5e6f",
    "unit_code": "00004",
    "unit_name": "Phường Ba Đình",
    "period": "2026-11",
    "from": "2026-11-01",
    "to": "2026-11-30",
    "status": "submitted",
    "metrics": {"visits": 1240, "households_guided": 802, "people_guided": 1961, "vneid_installs": 310,
        "vneid_level2_activations": 288, "unique_citizens_assisted": 540, "signatures_submitted": 96,
        "signatures_issued": 41, "active_volunteers": 12, "digital_skills_certified": 130,
        "training_sessions": 8, "training_attendees": 296},
    "note": "Số liệu tháng 11 đã rà soát với các tổ",
    "submitted_by": "2c1d0e9f-8a7b-4c6d-9e5f-1a2b3c4d5e6f",
    "submitted_at": "2026-12-01T02:00:00Z",
    "updated_at": "2026-12-01T02:00:00Z"
}))]
pub struct Certification {
    /// UUID.
    pub id: String,
    /// The commune.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// `YYYY-MM` (a month) or `YYYY-Www` (an ISO week).
    pub period: String,
    /// First day of the period (local).
    pub from: NaiveDate,
    /// Last day (local), inclusive.
    pub to: NaiveDate,
    /// `submitted`, `accepted` (the period is locked), `returned` or `reopened`.
    pub status: CertificationStatus,
    /// Every metric of the commune and period when it was certified.
    pub metrics: Metrics,
    /// The commune's note.
    pub note: Option<String>,
    /// Who certified.
    pub submitted_by: String,
    /// When (the instant of the snapshot).
    pub submitted_at: DateTime<Utc>,
    /// Who accepted or returned it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The province's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    /// Who reopened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened_at: Option<DateTime<Utc>>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopen_reason: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The same metrics now (one certification only, not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_metrics: Option<Metrics>,
    /// How many of the commune's records in the period were created or changed (edited,
    /// reviewed, voided) after the snapshot (one certification only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes_since: Option<i64>,
}

impl Certification {
    /// The row as shown, without the live figures.
    pub fn new(row: CertificationRow, unit_name: String) -> Self {
        Self {
            metrics: serde_json::from_str(&row.metrics).unwrap_or_default(),
            id: row.id,
            unit_code: row.unit_code,
            unit_name,
            period: row.period.to_string(),
            from: row.from_day,
            to: row.to_day,
            status: row.status,
            note: row.note,
            submitted_by: row.submitted_by,
            submitted_at: row.submitted_at.and_utc(),
            decided_by: row.decided_by,
            decided_at: row.decided_at.map(|t| t.and_utc()),
            decision_note: row.decision_note,
            reopened_by: row.reopened_by,
            reopened_at: row.reopened_at.map(|t| t.and_utc()),
            reopen_reason: row.reopen_reason,
            updated_at: row.updated_at.and_utc(),
            live_metrics: None,
            changes_since: None,
        }
    }
}
