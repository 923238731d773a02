//! Volunteers whose records look implausible (`GET /api/v1/stats/anomalies`), so
//! supervisors look before they approve. Targets invite gaming; these are the usual shapes
//! of it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, Timelike};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Kind, RecordRow};

/// More records than this in one clock hour is more than a person can do.
pub const PER_HOUR_MAX: usize = 12;
/// Visits to this many different households at one spot (same day) is suspicious.
pub const SAME_SPOT_HOUSEHOLDS: usize = 8;
/// A spot: coordinates rounded to this many degrees (about 55 m).
const SPOT_DEGREES: f64 = 0.0005;
/// Farther than this from the commune's usual area (median of its records), in km.
pub const FAR_KM: f64 = 20.0;
/// Records that far away before a volunteer is listed.
const FAR_RECORDS_MIN: usize = 3;
/// Share of duplicate-flagged records, with at least [`DUPLICATES_MIN`] of them.
pub const DUPLICATE_SHARE: f64 = 0.2;
const DUPLICATES_MIN: usize = 3;
/// A session this many times the commune's median session size is implausible…
pub const ATTENDEES_FACTOR: i32 = 3;
/// …when it also counts at least this many people (a big class happens).
pub const ATTENDEES_FLOOR: i32 = 100;

/// Why a volunteer is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyReason {
    /// More than 12 records in one clock hour.
    TooManyPerHour,
    /// Visits to 8 or more households at one spot on one day.
    ManyHouseholdsOneSpot,
    /// 3 or more records over 20 km from where the commune's records usually are.
    FarFromCommune,
    /// 20% or more of the records flagged as duplicate citizens (at least 3).
    ManyDuplicateFlags,
    /// Training sessions of one volunteer that overlap in time.
    OverlappingSessions,
    /// Sessions of 100 or more attendees, over 3 times the commune's median session.
    ManyAttendees,
}

/// One suspicious pattern of one volunteer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Anomaly {
    /// Volunteer.
    pub volunteer_id: String,
    /// The pattern.
    pub reason: AnomalyReason,
    /// What was seen, in words.
    #[schema(example = "17 records between 2026-03-14 09:00 and 10:00 (UTC)")]
    pub detail: String,
    /// The records behind it.
    pub record_ids: Vec<String>,
    /// The same records with their kind, so a client can link each to its kind's path.
    pub records: Vec<RecordLink>,
}

/// A record named by kind and id.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordLink {
    /// `visit`, `vneid_assist` or `signature_registration`.
    pub kind: Kind,
    /// The record's id.
    pub id: String,
}

impl Anomaly {
    fn new(volunteer: &str, reason: AnomalyReason, detail: String, rows: &[&RecordRow]) -> Self {
        Self {
            volunteer_id: volunteer.to_owned(),
            reason,
            detail,
            record_ids: rows.iter().map(|r| r.id.clone()).collect(),
            records: rows
                .iter()
                .map(|r| RecordLink {
                    kind: r.kind,
                    id: r.id.clone(),
                })
                .collect(),
        }
    }
}

/// Anomalies in a unit and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Anomalies {
    /// The unit; `null` for the whole country.
    pub unit_code: Option<String>,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Listed patterns, by volunteer then reason.
    pub items: Vec<Anomaly>,
}

/// Parameters of the anomaly list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomalyQuery {
    /// Province or commune (default: the caller's unit).
    pub unit: Option<String>,
    /// First local day (default: 6 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last local day (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Applies every rule to a period's records.
pub fn detect(rows: &[RecordRow]) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let mut by_volunteer: BTreeMap<&str, Vec<&RecordRow>> = BTreeMap::new();
    for r in rows {
        by_volunteer.entry(&r.volunteer_id).or_default().push(r);
    }
    let mut centres: HashMap<&str, (f64, f64)> = HashMap::new();
    let mut points: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
    for r in rows {
        if let (Some(lat), Some(lon)) = (r.lat, r.lon) {
            points.entry(&r.commune_code).or_default().push((lat, lon));
        }
    }
    for (commune, p) in points {
        centres.insert(
            commune,
            (
                median(p.iter().map(|x| x.0).collect()),
                median(p.iter().map(|x| x.1).collect()),
            ),
        );
    }
    let mut sizes: HashMap<&str, Vec<f64>> = HashMap::new();
    for r in rows.iter().filter(|r| r.kind == Kind::TrainingSession) {
        sizes
            .entry(&r.commune_code)
            .or_default()
            .push(f64::from(r.attendees.unwrap_or(0)));
    }
    let median_sessions: HashMap<&str, f64> = sizes
        .into_iter()
        .map(|(commune, s)| (commune, median(s)))
        .collect();
    for (volunteer, records) in by_volunteer {
        let mut hours: BTreeMap<_, Vec<&RecordRow>> = BTreeMap::new();
        for r in &records {
            let hour = r
                .occurred_at
                .date()
                .and_hms_opt(r.occurred_at.hour(), 0, 0)
                .unwrap_or(r.occurred_at);
            hours.entry(hour).or_default().push(r);
        }
        for (hour, in_hour) in hours {
            if in_hour.len() > PER_HOUR_MAX {
                out.push(Anomaly::new(
                    volunteer,
                    AnomalyReason::TooManyPerHour,
                    format!(
                        "{} records between {} and {} (UTC)",
                        in_hour.len(),
                        hour.format("%Y-%m-%d %H:%M"),
                        (hour + chrono::TimeDelta::hours(1)).format("%H:%M")
                    ),
                    &in_hour,
                ));
            }
        }
        let mut spots: BTreeMap<(NaiveDate, i64, i64), Vec<&RecordRow>> = BTreeMap::new();
        for r in records.iter().filter(|r| r.kind == Kind::Visit) {
            if let (Some(lat), Some(lon)) = (r.lat, r.lon) {
                let key = (
                    r.occurred_on,
                    (lat / SPOT_DEGREES).round() as i64,
                    (lon / SPOT_DEGREES).round() as i64,
                );
                spots.entry(key).or_default().push(r);
            }
        }
        for ((day, _, _), visits) in spots {
            let households: HashSet<&str> = visits
                .iter()
                .filter_map(|r| r.household_ref.as_deref())
                .collect();
            if households.len() >= SAME_SPOT_HOUSEHOLDS {
                out.push(Anomaly::new(
                    volunteer,
                    AnomalyReason::ManyHouseholdsOneSpot,
                    format!(
                        "{} different households visited at one spot on {day}",
                        households.len()
                    ),
                    &visits,
                ));
            }
        }
        let far: Vec<&RecordRow> = records
            .iter()
            .filter(
                |r| match (r.lat, r.lon, centres.get(r.commune_code.as_str())) {
                    (Some(lat), Some(lon), Some(centre)) => km((lat, lon), *centre) > FAR_KM,
                    _ => false,
                },
            )
            .copied()
            .collect();
        if far.len() >= FAR_RECORDS_MIN {
            out.push(Anomaly::new(
                volunteer,
                AnomalyReason::FarFromCommune,
                format!(
                    "{} records more than {FAR_KM} km from where the commune's records usually are",
                    far.len()
                ),
                &far,
            ));
        }
        if let Some(a) = overlapping_sessions(volunteer, &records) {
            out.push(a);
        }
        if let Some(a) = crowded_sessions(volunteer, &records, &median_sessions) {
            out.push(a);
        }
        let flagged: Vec<&RecordRow> = records
            .iter()
            .filter(|r| r.duplicate_of.is_some())
            .copied()
            .collect();
        if flagged.len() >= DUPLICATES_MIN
            && flagged.len() as f64 >= DUPLICATE_SHARE * records.len() as f64
        {
            out.push(Anomaly::new(
                volunteer,
                AnomalyReason::ManyDuplicateFlags,
                format!(
                    "{} of {} records flagged as possible duplicate citizens",
                    flagged.len(),
                    records.len()
                ),
                &flagged,
            ));
        }
    }
    out
}

/// A volunteer's training sessions whose times (`occurred_at` for `duration_minutes`) overlap:
/// nobody teaches two classes at once.
fn overlapping_sessions(volunteer: &str, records: &[&RecordRow]) -> Option<Anomaly> {
    let mut sessions: Vec<&RecordRow> = records
        .iter()
        .filter(|r| r.kind == Kind::TrainingSession)
        .copied()
        .collect();
    sessions.sort_by_key(|r| (r.occurred_at, &r.id));
    let end = |r: &RecordRow| {
        r.occurred_at + chrono::TimeDelta::minutes(i64::from(r.duration_minutes.unwrap_or(0)))
    };
    let mut involved: Vec<&RecordRow> = Vec::new();
    let mut latest: Option<(&RecordRow, chrono::NaiveDateTime)> = None;
    for s in sessions {
        if let Some((open, until)) = latest
            && s.occurred_at < until
        {
            if !involved.iter().any(|r| r.id == open.id) {
                involved.push(open);
            }
            involved.push(s);
        }
        if latest.is_none_or(|(_, until)| end(s) > until) {
            latest = Some((s, end(s)));
        }
    }
    (!involved.is_empty()).then(|| {
        Anomaly::new(
            volunteer,
            AnomalyReason::OverlappingSessions,
            format!(
                "{} training sessions overlap in time, the first at {} (UTC)",
                involved.len(),
                involved[0].occurred_at.format("%Y-%m-%d %H:%M")
            ),
            &involved,
        )
    })
}

/// A volunteer's sessions with implausibly many attendees for their commune: at least
/// [`ATTENDEES_FLOOR`] and over [`ATTENDEES_FACTOR`] times the commune's median session.
fn crowded_sessions(
    volunteer: &str,
    records: &[&RecordRow],
    median_sessions: &HashMap<&str, f64>,
) -> Option<Anomaly> {
    let crowded: Vec<&RecordRow> = records
        .iter()
        .filter(|r| r.kind == Kind::TrainingSession)
        .filter(|r| {
            let n = r.attendees.unwrap_or(0);
            let median = median_sessions
                .get(r.commune_code.as_str())
                .copied()
                .unwrap_or(f64::INFINITY);
            n >= ATTENDEES_FLOOR && f64::from(n) > f64::from(ATTENDEES_FACTOR) * median
        })
        .copied()
        .collect();
    let most = crowded.iter().filter_map(|r| r.attendees).max()?;
    Some(Anomaly::new(
        volunteer,
        AnomalyReason::ManyAttendees,
        format!(
            "{} training sessions with far more attendees than the commune's usual session (up to {most})",
            crowded.len()
        ),
        &crowded,
    ))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;
    use crate::records::model::{ReviewStatus, SessionFormat};

    fn session(id: &str, volunteer: &str, at: &str, minutes: i32, attendees: i32) -> RecordRow {
        let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
        RecordRow {
            id: id.into(),
            kind: Kind::TrainingSession,
            team_id: "team".into(),
            volunteer_id: volunteer.into(),
            commune_code: "00004".into(),
            occurred_at: at,
            occurred_on: at.date(),
            lat: None,
            lon: None,
            accuracy_m: None,
            hamlet: None,
            note: None,
            household_ref: None,
            household_id: None,
            outcome: None,
            people_guided: None,
            topics: Some("vneid".into()),
            visit_id: None,
            citizen_ref: None,
            birth_year: None,
            sex: None,
            action: None,
            result: None,
            failure_reason: None,
            provider: None,
            status: None,
            content_hash: String::new(),
            received_at: at,
            updated_at: at,
            review_status: ReviewStatus::Pending,
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
            duplicate_of: None,
            voided: false,
            void_reason: None,
            voided_by: None,
            voided_at: None,
            format: Some(SessionFormat::Class),
            audience: Some("elderly".into()),
            attendees: Some(attendees),
            people_helped: Some(0),
            duration_minutes: Some(minutes),
            venue: None,
            hamlet_code: None,
        }
    }

    fn listed(rows: &[RecordRow], reason: AnomalyReason) -> Vec<(String, Vec<String>)> {
        detect(rows)
            .into_iter()
            .filter(|a| a.reason == reason)
            .map(|a| (a.volunteer_id, a.record_ids))
            .collect()
    }

    #[test]
    fn sessions_that_overlap_are_listed_and_back_to_back_ones_are_not() {
        let rows = [
            session("a", "an", "2026-03-14 01:00", 120, 30),
            session("b", "an", "2026-03-14 02:30", 60, 30),
            session("c", "an", "2026-03-14 03:15", 60, 30),
            session("d", "an", "2026-03-14 05:00", 60, 30),
            session("e", "binh", "2026-03-14 01:00", 60, 30),
            session("f", "binh", "2026-03-14 02:00", 60, 30),
        ];
        assert_eq!(
            listed(&rows, AnomalyReason::OverlappingSessions),
            vec![(
                "an".to_owned(),
                vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]
            )]
        );
    }

    #[test]
    fn a_session_far_above_the_communes_usual_size_is_listed() {
        let mut rows: Vec<RecordRow> = (0..5)
            .map(|i| {
                session(
                    &format!("s{i}"),
                    "an",
                    &format!("2026-03-{:02} 01:00", 10 + i),
                    60,
                    40,
                )
            })
            .collect();
        rows.push(session("big", "binh", "2026-03-16 01:00", 60, 121));
        rows.push(session("fair", "binh", "2026-03-17 01:00", 60, 120));
        assert_eq!(
            listed(&rows, AnomalyReason::ManyAttendees),
            vec![("binh".to_owned(), vec!["big".to_owned()])]
        );
        // Below the floor, even many times the median, is a class that happens.
        let small: Vec<RecordRow> = [10, 10, 10, 99]
            .iter()
            .enumerate()
            .map(|(i, n)| {
                session(
                    &format!("t{i}"),
                    "chi",
                    &format!("2026-03-{:02} 01:00", 10 + i),
                    60,
                    *n,
                )
            })
            .collect();
        assert!(listed(&small, AnomalyReason::ManyAttendees).is_empty());
    }
}
