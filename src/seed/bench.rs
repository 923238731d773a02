//! `gocua seed-bench`: millions of believable field records for the statistics benchmark,
//! written through the product's own rollup code so the rollups are what live traffic
//! would have left; and `gocua bench-stats`: the plain `GROUP BY` over the records that the
//! rollups replace, timed and checked against the rollup answer.
//!
//! Spread: every commune of the map, 3 teams of 3 volunteers each, a commune's share of
//! records drawn between 0.4× and 1.6× the mean, days weighted towards the campaign's end
//! and lighter on Sundays, working hours 07:00–20:00 Vietnam time, 55% visits, 30% VNeID
//! assists, 15% signature registrations; citizens drawn from a per-commune pool, so some are
//! helped twice and flagged as duplicates the way the API would flag them.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{NaiveDate, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::access::Role;
use crate::config::Secret;
use crate::db::{DbConn, dialect};
use crate::records::citizen::citizen_ref;
use crate::records::model::{
    AssistAction, AssistResult, FailureReason, Kind, Outcome, RecordRow, ReviewStatus,
    SessionFormat, Sex, SignatureStatus,
};
use crate::schema::{records, team_members, teams, units, users};
use crate::stats::queries::{self, Filter, GroupBy, Tally, UnitFilter};
use crate::teams::model::{MemberRole, MemberRow, TeamRow};
use crate::units::UnitKind;
use crate::users::model::{UserRow, search_text};

/// The password of every generated user (benchmark databases only).
pub const PASSWORD: &str = "gocua-bench-2026";
/// The phone of the generated admin.
pub const ADMIN_PHONE: &str = "+84900000001";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Records in total.
    pub records: u64,
    /// Days the records spread over, ending on `end`.
    pub days: u32,
    /// Last day (local).
    pub end: NaiveDate,
    /// Seed of the generator: the same seed gives the same data.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug)]
pub struct Report {
    /// Users (admin, one province supervisor per province, volunteers).
    pub users: usize,
    /// Teams.
    pub teams: usize,
    /// Records.
    pub records: u64,
}

/// Teams per commune and volunteers per team.
const TEAMS_PER_COMMUNE: usize = 3;
const VOLUNTEERS_PER_TEAM: usize = 3;
/// Communes written per transaction.
const COMMUNES_PER_TX: usize = 20;

/// The phone of province supervisor number `i` (provinces in code order).
pub fn province_supervisor_phone(i: usize) -> String {
    format!("+84910000{i:03}")
}

/// A commune to generate records for: its teams with their volunteers, a centre, and its
/// hamlets (each record names one valid on its day).
pub(super) struct Commune {
    pub(super) code: String,
    pub(super) teams: Vec<(String, Vec<String>)>,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) hamlets: Vec<crate::units::hamlets::model::HamletRow>,
}

/// A generated user (benchmark and demo data); `hash` is the password's argon2 hash.
pub(super) fn user_row(
    phone: String,
    name: String,
    role: Role,
    unit: Option<String>,
    hash: &str,
) -> UserRow {
    let now = crate::clock::now();
    UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        search_text: search_text(&name, &phone),
        phone,
        full_name: name,
        role,
        unit_code: unit,
        password_hash: hash.to_owned(),
        active: true,
        token_generation: 0,
        created_by: None,
        created_at: now,
        updated_at: now,
    }
}

/// Fills an empty database (no records) with `options.records` records and their
/// rollups; users, teams and memberships are created for every commune.
pub fn seed(conn: &mut DbConn, key: &Secret, options: &Options) -> anyhow::Result<Report> {
    let existing: i64 = records::table.count().get_result(conn)?;
    if existing > 0 {
        bail!("the database already holds {existing} records; seed an empty one");
    }
    // Generated data can be regenerated: no fsync per transaction while seeding, and a
    // large page cache so index pages stay in memory (this connection only).
    dialect::for_bulk_load(conn)?;
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let now = crate::clock::now();
    let hash = crate::access::password::hash(PASSWORD)?;
    let user = |phone, name, role, unit| user_row(phone, name, role, unit, &hash);
    let provinces: Vec<String> = units::table
        .filter(units::parent_code.is_null())
        .order(units::code)
        .select(units::code)
        .load(conn)?;
    let unit_rows: Vec<(String, String)> = units::table
        .filter(units::parent_code.is_not_null())
        .order(units::code)
        .select((units::code, units::parent_code.assume_not_null()))
        .load(conn)?;
    let mut people = vec![user(
        ADMIN_PHONE.to_owned(),
        "Quản trị hệ thống".to_owned(),
        Role::Admin,
        None,
    )];
    for (i, p) in provinces.iter().enumerate() {
        people.push(user(
            province_supervisor_phone(i),
            format!("Giám sát tỉnh {p}"),
            Role::ProvinceSupervisor,
            Some(p.clone()),
        ));
    }
    let (mut team_rows, mut members, mut communes) = (Vec::new(), Vec::new(), Vec::new());
    for (code, _province) in unit_rows {
        let mut teams_here = Vec::new();
        for t in 0..TEAMS_PER_COMMUNE {
            let team_id = uuid::Uuid::new_v4().to_string();
            team_rows.push(TeamRow {
                id: team_id.clone(),
                commune_code: code.clone(),
                name: format!("Tổ công nghệ số cộng đồng số {}", t + 1),
                area: Some(format!("Thôn {}–{}", t * 4 + 1, t * 4 + 4)),
                active: true,
                created_by: None,
                created_at: now,
                updated_at: now,
            });
            let mut volunteers = Vec::new();
            for v in 0..VOLUNTEERS_PER_TEAM {
                let n = people.len();
                let person = user(
                    format!("+843{n:08}"),
                    format!("Tình nguyện viên {n}"),
                    Role::Volunteer,
                    Some(code.clone()),
                );
                members.push(MemberRow {
                    team_id: team_id.clone(),
                    user_id: person.id.clone(),
                    role: if v == 0 {
                        MemberRole::Lead
                    } else {
                        MemberRole::Member
                    },
                    added_by: None,
                    added_at: now,
                });
                volunteers.push(person.id.clone());
                people.push(person);
            }
            teams_here.push((team_id, volunteers));
        }
        let hamlets = super::hamlets::numbered(&code, "Thôn", UnitKind::Thon, 12, now);
        communes.push(Commune {
            code,
            teams: teams_here,
            lat: 8.6 + rng.f64() * 14.7,
            lon: 102.2 + rng.f64() * 7.2,
            hamlets,
        });
    }
    let hamlet_rows: Vec<_> = communes.iter().flat_map(|c| c.hamlets.clone()).collect();
    conn.transaction(|conn| {
        insert_all!(conn, users::table, people, 13);
        insert_all!(conn, teams::table, team_rows, 8);
        insert_all!(conn, team_members::table, members, 5);
        insert_all!(conn, crate::schema::hamlets::table, hamlet_rows, 11);
        Ok::<_, diesel::result::Error>(())
    })?;
    let weights: Vec<f64> = communes.iter().map(|_| 0.4 + 1.2 * rng.f64()).collect();
    let total_weight: f64 = weights.iter().sum();
    let days = day_table(options.days, options.end);
    let mut written = 0u64;
    let started = Instant::now();
    for (batch, group) in communes.chunks(COMMUNES_PER_TX).enumerate() {
        let mut rows = Vec::new();
        for (i, commune) in group.iter().enumerate() {
            let share = weights[batch * COMMUNES_PER_TX + i] / total_weight;
            let n = (options.records as f64 * share).round() as u64;
            generate(&mut rng, key, commune, n, &days, &mut rows);
        }
        conn.transaction(|conn| {
            insert_all!(conn, records::table, rows, 46);
            let changes: Vec<_> = rows.iter().map(|r| (None, Some(r))).collect();
            crate::records::tally::apply(conn, &changes)
        })?;
        written += rows.len() as u64;
        if batch % 10 == 0 {
            tracing::info!(
                records = written,
                seconds = started.elapsed().as_secs(),
                "seeding"
            );
        }
    }
    Ok(Report {
        users: people.len(),
        teams: team_rows.len(),
        records: written,
    })
}

/// Cumulative weights of the days (oldest first): activity grows towards the end of the
/// campaign, Sundays are half as busy.
pub(super) fn day_table(days: u32, end: NaiveDate) -> Vec<(NaiveDate, f64)> {
    let mut out = Vec::new();
    let mut sum = 0.0;
    for d in 0..days {
        let day = end - TimeDelta::days(i64::from(days - 1 - d));
        let mut w = 0.6 + 0.8 * f64::from(d) / f64::from(days.max(1));
        if chrono::Datelike::weekday(&day) == chrono::Weekday::Sun {
            w *= 0.5;
        }
        sum += w;
        out.push((day, sum));
    }
    out
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, choices: &[(T, f64)]) -> T {
    let mut r = rng.f64();
    for (value, p) in choices {
        if r < *p {
            return *value;
        }
        r -= p;
    }
    choices[choices.len() - 1].0
}

/// Appends `n` records of one commune (none later than a few minutes ago).
pub(super) fn generate(
    rng: &mut fastrand::Rng,
    key: &Secret,
    commune: &Commune,
    n: u64,
    days: &[(NaiveDate, f64)],
    out: &mut Vec<RecordRow>,
) {
    let total = days.last().map_or(1.0, |d| d.1);
    let pool = (n / 3).max(10);
    let mut first_seen: HashMap<u64, String> = HashMap::new();
    let now = Utc::now().naive_utc();
    for _ in 0..n {
        let r = rng.f64() * total;
        let mut day = days[days.partition_point(|d| d.1 < r).min(days.len() - 1)].0;
        let mut occurred_at = day.and_hms_opt(0, 0, 0).expect("00:00 exists")
            + TimeDelta::seconds(rng.i64(0..13 * 3600));
        // A time of day that has not come yet goes to the day before, at the same clock
        // time: today holds only the part of the working day that has passed, instead of
        // every one of today's records piled up a few minutes ago (which looks like fraud).
        while occurred_at > now - TimeDelta::minutes(5) {
            day -= TimeDelta::days(1);
            occurred_at -= TimeDelta::days(1);
        }
        let received_at = (occurred_at + TimeDelta::seconds(rng.i64(60..36 * 3600))).min(now);
        let (team_id, volunteers) = &commune.teams[rng.usize(..commune.teams.len())];
        let volunteer = &volunteers[rng.usize(..volunteers.len())];
        let id = uuid::Uuid::now_v7().to_string();
        let place = super::hamlets::pick(rng, &commune.hamlets, day);
        let mut row = RecordRow {
            content_hash: id.replace('-', ""),
            id,
            kind: Kind::Visit,
            team_id: team_id.clone(),
            volunteer_id: volunteer.clone(),
            commune_code: commune.code.clone(),
            occurred_at,
            occurred_on: day,
            lat: Some(commune.lat + (rng.f64() - 0.5) * 0.02),
            lon: Some(commune.lon + (rng.f64() - 0.5) * 0.02),
            accuracy_m: Some(5.0 + rng.f64() * 30.0),
            hamlet: place.map(|h| h.name.clone()),
            hamlet_code: place.map(|h| h.code.clone()),
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
            received_at,
            updated_at: received_at,
            review_status: pick(
                rng,
                &[
                    (ReviewStatus::Approved, 0.45),
                    (ReviewStatus::Pending, 0.52),
                    (ReviewStatus::Rejected, 0.03),
                ],
            ),
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
            duplicate_of: None,
            voided: false,
            void_reason: None,
            voided_by: None,
            voided_at: None,
            format: None,
            audience: None,
            attendees: None,
            people_helped: None,
            duration_minutes: None,
            venue: None,
        };
        let kind = rng.f64();
        if kind < 0.55 {
            row.kind = Kind::Visit;
            let outcome = pick(
                rng,
                &[
                    (Outcome::Guided, 0.6),
                    (Outcome::NotHome, 0.2),
                    (Outcome::Declined, 0.1),
                    (Outcome::FollowUp, 0.1),
                ],
            );
            row.household_ref = Some(format!("H{}", rng.u32(1..400)));
            row.people_guided = Some(if outcome == Outcome::Guided {
                rng.i32(1..5)
            } else {
                0
            });
            row.outcome = Some(outcome);
            row.topics = Some(pick(rng, &[("vneid", 0.6), ("vneid,public_services", 0.4)]).into());
        } else if kind < 0.57 {
            // A few classes and support points a week per commune.
            row.kind = Kind::TrainingSession;
            row.format = Some(pick(
                rng,
                &[
                    (SessionFormat::Class, 0.5),
                    (SessionFormat::SupportPoint, 0.4),
                    (SessionFormat::Online, 0.1),
                ],
            ));
            row.audience = Some(
                pick(
                    rng,
                    &[
                        ("residents", 0.3),
                        ("elderly", 0.3),
                        ("elderly,people_with_disabilities", 0.1),
                        ("farmers", 0.15),
                        ("cooperative_workers,business_households", 0.15),
                    ],
                )
                .into(),
            );
            let attendees = rng.i32(8..60);
            row.attendees = Some(attendees);
            row.people_helped = Some(rng.i32(0..=attendees / 3));
            row.duration_minutes = Some(pick(rng, &[(60, 0.3), (90, 0.4), (120, 0.2), (180, 0.1)]));
            row.venue = Some(format!("Nhà văn hoá thôn {}", rng.u32(1..13)));
            row.topics = Some(pick(rng, &[("vneid", 0.5), ("vneid,public_services", 0.5)]).into());
        } else {
            let person = rng.u64(0..pool);
            let cccd = format!("{:03}{}{:08}", rng.u32(1..97), rng.u32(0..4), person);
            row.citizen_ref = Some(citizen_ref(key, &format!("{}{cccd}", commune.code)));
            row.birth_year = Some(rng.i32(1945..2010));
            if kind < 0.85 {
                row.kind = Kind::VneidAssist;
                row.sex = Some(pick(rng, &[(Sex::Female, 0.52), (Sex::Male, 0.48)]));
                row.action = Some(pick(
                    rng,
                    &[
                        (AssistAction::Install, 0.4),
                        (AssistAction::RegisterLevel1, 0.15),
                        (AssistAction::ActivateLevel2, 0.3),
                        (AssistAction::DigitalSkillsCertificate, 0.15),
                    ],
                ));
                let result = pick(
                    rng,
                    &[
                        (AssistResult::Success, 0.8),
                        (AssistResult::Pending, 0.1),
                        (AssistResult::Failed, 0.1),
                    ],
                );
                if result == AssistResult::Failed {
                    row.failure_reason = Some(pick(
                        rng,
                        &[
                            (FailureReason::NoSmartphone, 0.4),
                            (FailureReason::NoChipIdCard, 0.2),
                            (FailureReason::Network, 0.4),
                        ],
                    ));
                }
                row.result = Some(result);
                if result == AssistResult::Success {
                    if let Some(first) = first_seen.get(&person) {
                        row.duplicate_of = Some(first.clone());
                        row.review_note = Some("same citizen assisted before".into());
                        row.review_status = pick(
                            rng,
                            &[(ReviewStatus::Flagged, 0.6), (ReviewStatus::Approved, 0.4)],
                        );
                    } else {
                        first_seen.insert(person, row.id.clone());
                    }
                }
            } else {
                row.kind = Kind::SignatureRegistration;
                row.provider = Some(pick(rng, &[("VNPT-CA", 0.5), ("Viettel-CA", 0.5)]).into());
                row.status = Some(pick(
                    rng,
                    &[
                        (SignatureStatus::Submitted, 0.6),
                        (SignatureStatus::Issued, 0.3),
                        (SignatureStatus::Failed, 0.1),
                    ],
                ));
            }
        }
        if !matches!(
            row.review_status,
            ReviewStatus::Pending | ReviewStatus::Flagged
        ) {
            row.reviewed_by = Some(volunteers[0].clone());
            row.reviewed_at = Some(received_at);
        }
        if rng.f64() < 0.005 {
            row.voided = true;
            row.void_reason = Some("nhập nhầm".into());
            row.voided_by = Some(volunteer.clone());
            row.voided_at = Some(received_at);
        }
        out.push(row);
    }
}

/// One row of the plain `GROUP BY`: a key and the twelve metrics in the contract's order.
#[derive(Debug, QueryableByName)]
struct PlainRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    visits: i64,
    #[diesel(sql_type = BigInt)]
    households_guided: i64,
    #[diesel(sql_type = BigInt)]
    people_guided: i64,
    #[diesel(sql_type = BigInt)]
    vneid_installs: i64,
    #[diesel(sql_type = BigInt)]
    vneid_level2_activations: i64,
    #[diesel(sql_type = BigInt)]
    unique_citizens_assisted: i64,
    #[diesel(sql_type = BigInt)]
    signatures_submitted: i64,
    #[diesel(sql_type = BigInt)]
    signatures_issued: i64,
    #[diesel(sql_type = BigInt)]
    active_volunteers: i64,
    #[diesel(sql_type = BigInt)]
    digital_skills_certified: i64,
    #[diesel(sql_type = BigInt)]
    training_sessions: i64,
    #[diesel(sql_type = BigInt)]
    training_attendees: i64,
}

impl PlainRow {
    fn values(&self) -> [i64; 12] {
        [
            self.visits,
            self.households_guided,
            self.people_guided,
            self.vneid_installs,
            self.vneid_level2_activations,
            self.unique_citizens_assisted,
            self.signatures_submitted,
            self.signatures_issued,
            self.active_volunteers,
            self.digital_skills_certified,
            self.training_sessions,
            self.training_attendees,
        ]
    }
}

fn rollup_values(t: &Tally) -> [i64; 12] {
    let m = crate::stats::model::Metrics::from(t);
    [
        m.visits,
        m.households_guided,
        m.people_guided,
        m.vneid_installs,
        m.vneid_level2_activations,
        m.unique_citizens_assisted,
        m.signatures_submitted,
        m.signatures_issued,
        m.active_volunteers,
        m.digital_skills_certified,
        m.training_sessions,
        m.training_attendees,
    ]
}

/// The statistics of a province straight from the records, as a dashboard would compute
/// them without rollups. `by_commune` groups by commune; otherwise one row keyed `""`.
fn plain(
    conn: &mut DbConn,
    province: &str,
    from: NaiveDate,
    to: NaiveDate,
    by_commune: bool,
) -> anyhow::Result<Vec<PlainRow>> {
    if province.is_empty() || !province.bytes().all(|b| b.is_ascii_digit()) {
        bail!("a province code is digits");
    }
    let (key, group) = if by_commune {
        ("commune_code", "GROUP BY commune_code")
    } else {
        ("''", "")
    };
    let sql = format!(
        "SELECT {key} AS key,
            COALESCE(SUM(CASE WHEN kind = 'visit' THEN 1 ELSE 0 END), 0) AS visits,
            COALESCE(SUM(CASE WHEN kind = 'visit' AND outcome = 'guided' THEN 1 ELSE 0 END), 0) AS households_guided,
            COALESCE(SUM(CASE WHEN kind = 'visit' THEN people_guided ELSE 0 END), 0) AS people_guided,
            COALESCE(SUM(CASE WHEN kind = 'vneid_assist' AND result = 'success' AND action = 'install' THEN 1 ELSE 0 END), 0) AS vneid_installs,
            COALESCE(SUM(CASE WHEN kind = 'vneid_assist' AND result = 'success' AND action = 'activate_level2' THEN 1 ELSE 0 END), 0) AS vneid_level2_activations,
            COUNT(DISTINCT CASE WHEN kind = 'vneid_assist' AND result = 'success' THEN citizen_ref END) AS unique_citizens_assisted,
            COALESCE(SUM(CASE WHEN kind = 'signature_registration' AND status IN ('submitted', 'issued') THEN 1 ELSE 0 END), 0) AS signatures_submitted,
            COALESCE(SUM(CASE WHEN kind = 'signature_registration' AND status = 'issued' THEN 1 ELSE 0 END), 0) AS signatures_issued,
            COUNT(DISTINCT volunteer_id) AS active_volunteers,
            COALESCE(SUM(CASE WHEN kind = 'vneid_assist' AND result = 'success' AND action = 'digital_skills_certificate' THEN 1 ELSE 0 END), 0) AS digital_skills_certified,
            COALESCE(SUM(CASE WHEN kind = 'training_session' THEN 1 ELSE 0 END), 0) AS training_sessions,
            COALESCE(SUM(CASE WHEN kind = 'training_session' THEN attendees ELSE 0 END), 0) AS training_attendees
         FROM records
         WHERE commune_code IN (SELECT code FROM units WHERE parent_code = '{province}')
           AND occurred_on >= '{from}' AND occurred_on <= '{to}'
           AND NOT voided AND review_status <> 'rejected'
           AND (duplicate_of IS NULL OR review_status = 'approved')
         {group}"
    );
    let query = diesel::sql_query(sql);
    Ok(dialect::load(conn, query)?)
}

/// Timings in milliseconds of the plain `GROUP BY` and of the rollup reads behind the
/// summary and the breakdown by commune, and whether both give the same answer.
#[derive(Debug, serde::Serialize)]
pub struct Timings {
    /// Plain `GROUP BY` for the summary.
    pub plain_summary_ms: Vec<f64>,
    /// Plain `GROUP BY commune_code` for the breakdown.
    pub plain_breakdown_ms: Vec<f64>,
    /// Rollup read for the summary (in process, no HTTP).
    pub rollup_summary_ms: Vec<f64>,
    /// Rollup read for the breakdown by commune (in process, no HTTP).
    pub rollup_breakdown_ms: Vec<f64>,
    /// The rollups answer exactly what the plain `GROUP BY` answers.
    pub same_answer: bool,
}

/// Runs each of the four reads `runs` times.
pub fn time_reads(
    conn: &mut DbConn,
    province: &str,
    from: NaiveDate,
    to: NaiveDate,
    runs: usize,
) -> anyhow::Result<Timings> {
    let filter = Filter {
        unit: UnitFilter::Province(province.to_owned()),
        teams: None,
        from,
        to,
        approved_only: false,
    };
    let mut t = Timings {
        plain_summary_ms: Vec::new(),
        plain_breakdown_ms: Vec::new(),
        rollup_summary_ms: Vec::new(),
        rollup_breakdown_ms: Vec::new(),
        same_answer: true,
    };
    let ms = |start: Instant| start.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..runs {
        // One snapshot for the four reads, so records arriving meanwhile cannot make the
        // answers differ.
        conn.transaction(|conn| {
            dialect::one_snapshot(conn)?;
            let start = Instant::now();
            let plain_summary = plain(conn, province, from, to, false)?;
            t.plain_summary_ms.push(ms(start));
            let start = Instant::now();
            let plain_breakdown = plain(conn, province, from, to, true)?;
            t.plain_breakdown_ms.push(ms(start));
            let start = Instant::now();
            let summary = queries::tally(conn, &filter, GroupBy::Nothing)?;
            t.rollup_summary_ms.push(ms(start));
            let start = Instant::now();
            let breakdown = queries::tally(conn, &filter, GroupBy::Commune)?;
            t.rollup_breakdown_ms.push(ms(start));
            let whole = summary.get("").map(rollup_values).unwrap_or_default();
            t.same_answer &= plain_summary.first().map(PlainRow::values) == Some(whole);
            t.same_answer &= plain_breakdown.len() == breakdown.len()
                && plain_breakdown
                    .iter()
                    .all(|row| breakdown.get(&row.key).map(rollup_values) == Some(row.values()));
            Ok::<_, anyhow::Error>(())
        })?;
    }
    Ok(t)
}

/// The code of the province with the most communes (the heaviest dashboard).
pub fn largest_province(conn: &mut DbConn) -> anyhow::Result<String> {
    let counts: Vec<(Option<String>, i64)> = units::table
        .filter(units::parent_code.is_not_null())
        .group_by(units::parent_code)
        .select((units::parent_code, diesel::dsl::count_star()))
        .load(conn)?;
    counts
        .into_iter()
        .max_by_key(|(code, n)| (*n, std::cmp::Reverse(code.clone())))
        .and_then(|(code, _)| code)
        .context("no units loaded")
}
