//! The content fingerprint behind idempotent creates: the same id with the same content is
//! `unchanged`, with other content `409`. Stored fingerprints are compared with ones made
//! now, possibly years later by a newer server, so the encoding is frozen and versioned here
//! instead of following `Draft`'s serde form: a phone retrying a record stored before a
//! change to `Draft` must still get `unchanged`.
//!
//! Version 1 (every record so far): SHA-256, lowercase hex, of the compact JSON array
//! `[volunteer_id, team_id, {content}]`, the content's keys in this order: `kind`,
//! `occurred_at` (UTC, `%Y-%m-%dT%H:%M:%S` plus a fraction when nonzero), `occurred_on`,
//! `location` (`{lat, lon, accuracy_m}` or null), `hamlet`, `note`, `household_ref`,
//! `outcome`, `people_guided`, `topics` (canonical, comma-separated), `visit_id`,
//! `citizen_ref`, `birth_year`, `sex`, `action`, `result`, `failure_reason`, `provider`,
//! `status`; absent values are null, enums their API text. A training session (a kind added
//! later) ends the content with one more key, `session`: `{format, audience, attendees,
//! people_helped, duration_minutes, venue}` (audience canonical and comma-separated); the
//! other kinds have no such key, so their fingerprints are as before. A record naming a
//! `hamlet_code` (added later still) ends with that key, absent otherwise, and a visit naming a
//! `household_id` (later again) after it. A new version must
//! keep this one for the records it made.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::input::Draft;
use super::model::Kind;

#[derive(Serialize)]
struct LocationV1 {
    lat: f64,
    lon: f64,
    accuracy_m: Option<f64>,
}

#[derive(Serialize)]
struct ContentV1<'a> {
    kind: &'static str,
    occurred_at: String,
    occurred_on: String,
    location: Option<LocationV1>,
    hamlet: Option<&'a str>,
    note: Option<&'a str>,
    household_ref: Option<&'a str>,
    outcome: Option<&'static str>,
    people_guided: Option<i32>,
    topics: Option<&'a str>,
    visit_id: Option<&'a str>,
    citizen_ref: Option<&'a str>,
    birth_year: Option<i32>,
    sex: Option<&'static str>,
    action: Option<&'static str>,
    result: Option<&'static str>,
    failure_reason: Option<&'static str>,
    provider: Option<&'a str>,
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<SessionV1<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hamlet_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    household_id: Option<&'a str>,
}

#[derive(Serialize)]
struct SessionV1<'a> {
    format: Option<&'static str>,
    audience: Option<&'a str>,
    attendees: Option<i32>,
    people_helped: Option<i32>,
    duration_minutes: Option<i32>,
    venue: Option<&'a str>,
}

/// The version-1 fingerprint of a record's content by its author for a team.
pub fn v1(volunteer_id: &str, team_id: &str, d: &Draft) -> String {
    let content = ContentV1 {
        kind: d.kind.as_str(),
        occurred_at: d.occurred_at.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
        occurred_on: d.occurred_on.format("%Y-%m-%d").to_string(),
        location: d.location.map(|l| LocationV1 {
            lat: l.lat,
            lon: l.lon,
            accuracy_m: l.accuracy_m,
        }),
        hamlet: d.hamlet.as_deref(),
        note: d.note.as_deref(),
        household_ref: d.household_ref.as_deref(),
        outcome: d.outcome.map(|v| v.as_str()),
        people_guided: d.people_guided,
        topics: d.topics.as_deref(),
        visit_id: d.visit_id.as_deref(),
        citizen_ref: d.citizen_ref.as_deref(),
        birth_year: d.birth_year,
        sex: d.sex.map(|v| v.as_str()),
        action: d.action.map(|v| v.as_str()),
        result: d.result.map(|v| v.as_str()),
        failure_reason: d.failure_reason.map(|v| v.as_str()),
        provider: d.provider.as_deref(),
        status: d.status.map(|v| v.as_str()),
        session: (d.kind == Kind::TrainingSession).then(|| SessionV1 {
            format: d.format.map(|v| v.as_str()),
            audience: d.audience.as_deref(),
            attendees: d.attendees,
            people_helped: d.people_helped,
            duration_minutes: d.duration_minutes,
            venue: d.venue.as_deref(),
        }),
        hamlet_code: d.hamlet_code.as_deref(),
        household_id: d.household_id.as_deref(),
    };
    let json = serde_json::to_vec(&(volunteer_id, team_id, content)).unwrap_or_default();
    Sha256::digest(json)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::v1;

    /// Fingerprints the first server (before this module) computed for these records, and
    /// the training session's since that kind came: they are stored in live databases and
    /// must never change.
    #[test]
    fn version_1_is_frozen() {
        let golden = [
            "ea947c7ac5601dad5108e2e1548cc889c731b13392f36302299df73a3454a81c",
            "4b88b08236fbe95faf82234b7d8f27e20c52f15b920d5b0ebbdf4c53397a2162",
            "9353791aed7652da914204ae50ae05de0f4a7aba40e6e70e6f9fd216ca56357a",
            "6640495787022fbefd947e9dc83fa94ca469aa6acf0b20c775149a76fa682b03",
        ];
        for ((volunteer, team, draft), want) in samples().into_iter().zip(golden) {
            assert_eq!(v1(volunteer, team, &draft), want, "{draft:?}");
        }
    }

    /// A record of each kind, with every field the kind has.
    fn samples() -> Vec<(&'static str, &'static str, crate::records::input::Draft)> {
        use crate::records::input;
        use crate::records::model::*;
        use chrono::{NaiveDate, NaiveDateTime};
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let blank = input::Draft {
            hamlet_code: None,
            kind: Kind::Visit,
            occurred_at: at("2026-03-14T02:30:00"),
            occurred_on: day("2026-03-14"),
            location: None,
            hamlet: None,
            note: None,
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
        vec![
            (
                "0b6c8f4e-1111-4a4a-9c9c-123456789abc",
                "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
                input::Draft {
                    location: Some(Location {
                        lat: 21.0341,
                        lon: 105.8372,
                        accuracy_m: Some(12.5),
                    }),
                    hamlet: Some("Tổ dân phố số 5".into()),
                    note: Some("Bà cụ cần hướng dẫn thêm\nvề dịch vụ công".into()),
                    household_ref: Some("KP1-23".into()),
                    outcome: Some(Outcome::Guided),
                    people_guided: Some(2),
                    topics: Some("public_services,vneid".into()),
                    ..blank.clone()
                },
            ),
            (
                "0b6c8f4e-1111-4a4a-9c9c-123456789abc",
                "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
                input::Draft {
                    kind: Kind::VneidAssist,
                    occurred_at: at("2026-11-30T23:59:59.123456"),
                    occurred_on: day("2026-12-01"),
                    location: Some(Location {
                        lat: 10.7769,
                        lon: 106.7009,
                        accuracy_m: None,
                    }),
                    visit_id: Some("3f1c2b8e-6a53-4b7e-9d62-0c1e5a7f9b10".into()),
                    citizen_ref: Some("9f".repeat(32)),
                    birth_year: Some(1985),
                    sex: Some(Sex::Female),
                    action: Some(AssistAction::ActivateLevel2),
                    result: Some(AssistResult::Failed),
                    failure_reason: Some(FailureReason::FaceMatchFailed),
                    ..blank.clone()
                },
            ),
            (
                "7d2e0a91-2222-4b4b-8d8d-abcdefabcdef",
                "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
                input::Draft {
                    kind: Kind::SignatureRegistration,
                    citizen_ref: Some("0a".repeat(32)),
                    birth_year: Some(2009),
                    provider: Some("VNPT-CA".into()),
                    status: Some(SignatureStatus::Issued),
                    ..blank.clone()
                },
            ),
            (
                "7d2e0a91-2222-4b4b-8d8d-abcdefabcdef",
                "5b0c3e2a-8f7d-4d0e-9a51-3f6a2b1c9d01",
                input::Draft {
                    kind: Kind::TrainingSession,
                    hamlet: Some("Tổ dân phố số 5".into()),
                    topics: Some("vneid,public_services".into()),
                    format: Some(SessionFormat::Class),
                    audience: Some("residents,elderly".into()),
                    attendees: Some(40),
                    people_helped: Some(12),
                    duration_minutes: Some(120),
                    venue: Some("Nhà văn hoá tổ dân phố số 5".into()),
                    ..blank
                },
            ),
        ]
    }
}
