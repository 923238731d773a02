//! Per-day rollups, changed in the same transaction as the record they reflect: a record
//! counts as soon as its create returns, and statistics read rollups, never millions of
//! records.
//!
//! Three tables, each one row per place and day with a column per metric:
//! `daily_rollups` (commune, team, volunteer) for team and volunteer numbers and the
//! distinct volunteers; `commune_rollups` (commune) for unit numbers, ~100 rows per commune
//! and campaign; `citizen_rollups` (who was helped where and when) because distinct
//! citizens do not add up across days or places.
//!
//! Counting rules (the contract's): a voided or `rejected` record never counts; a record
//! flagged as a duplicate (`duplicate_of` set) counts only once a reviewer approves it.
//! `*_approved` columns count approved records only, for `?review=approved`.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::spans::{self, Days, Spans};
use crate::db::{DbConn, dialect};
use crate::records::model::{
    AssistAction, AssistResult, Kind, Outcome, RecordRow, ReviewStatus, SignatureStatus,
};
use crate::schema::{
    citizen_rollups, citizens, commune_rollups, daily_rollups, distinct_spans, records, units,
};

/// The summed metrics, in column order. `records` counts every counted record: the
/// distinct volunteers with a non-zero `records` are the `active_volunteers`.
pub const METRICS: [&str; 11] = [
    "records",
    "visits",
    "households_guided",
    "people_guided",
    "vneid_installs",
    "vneid_level2_activations",
    "signatures_submitted",
    "signatures_issued",
    "digital_skills_certified",
    "training_sessions",
    "training_attendees",
];

/// Index of a metric in [`METRICS`].
#[derive(Debug, Clone, Copy)]
#[repr(usize)]
pub enum Column {
    /// Every counted record.
    Records,
    /// Visits.
    Visits,
    /// Visits with outcome `guided`.
    HouseholdsGuided,
    /// Sum of `people_guided`.
    PeopleGuided,
    /// Successful installs.
    VneidInstalls,
    /// Successful level-2 activations.
    VneidLevel2Activations,
    /// Signatures submitted or issued.
    SignaturesSubmitted,
    /// Signatures issued.
    SignaturesIssued,
    /// Successful digital-skills certificates.
    DigitalSkillsCertified,
    /// Training sessions.
    TrainingSessions,
    /// Sum of their attendees.
    TrainingAttendees,
}

/// One rollup row's values: every metric counted, and counted among approved records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Per [`METRICS`] entry, over counted records.
    pub counted: [i32; 11],
    /// Per [`METRICS`] entry, over approved records.
    pub approved: [i32; 11],
}

impl Counts {
    fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    fn add(&mut self, other: &Counts) {
        for i in 0..METRICS.len() {
            self.counted[i] += other.counted[i];
            self.approved[i] += other.approved[i];
        }
    }
}

/// Where a record's numbers go: its local day, commune, team and volunteer.
pub type Place = (NaiveDate, String, String, String);

/// Volunteer rows keyed by place.
pub type Daily = HashMap<Place, Counts>;
/// Commune rows keyed by day and commune.
pub type Communes = HashMap<(NaiveDate, String), Counts>;
/// Citizen rows keyed by place and `citizen_ref` (by the citizen's number in [`stored`] and
/// [`recount`]): `(counted, approved)`.
pub type Citizens = HashMap<(Place, String), (i32, i32)>;

/// The content of the three rollup tables (zero rows left out), to compare a recount
/// with what is stored.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rollups {
    /// `daily_rollups`.
    pub daily: Daily,
    /// `commune_rollups`.
    pub communes: Communes,
    /// `citizen_rollups`.
    pub citizens: Citizens,
    /// `distinct_spans`, derived from the two above ([`spans`]).
    pub spans: Spans,
}

impl Rollups {
    /// Adds (`sign` = 1) or removes (`sign` = -1) a record's contribution.
    pub fn add(&mut self, row: &RecordRow, sign: i32) {
        let (counted, approved) = counts(row);
        if !counted {
            return;
        }
        let approved = i32::from(approved);
        let mut delta = Counts::default();
        for (column, n) in metrics(row) {
            delta.counted[column as usize] = sign * n;
            delta.approved[column as usize] = sign * n * approved;
        }
        self.daily.entry(place(row)).or_default().add(&delta);
        self.communes
            .entry((row.occurred_on, row.commune_code.clone()))
            .or_default()
            .add(&delta);
        if let Some(c) = citizen(row) {
            let entry = self.citizens.entry((place(row), c.to_owned())).or_default();
            entry.0 += sign;
            entry.1 += sign * approved;
        }
    }

    fn drop_zeros(&mut self) {
        self.daily.retain(|_, v| !v.is_zero());
        self.communes.retain(|_, v| !v.is_zero());
        self.citizens.retain(|_, v| *v != (0, 0));
        self.spans.retain(|_, v| *v != (0, 0));
    }

    /// Rows per table: daily, commune, citizen.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.daily.len(), self.communes.len(), self.citizens.len())
    }
}

/// Whether a record counts, and whether it counts as approved.
pub fn counts(row: &RecordRow) -> (bool, bool) {
    let status = row.review_status;
    let counted = !row.voided
        && status != ReviewStatus::Rejected
        && (row.duplicate_of.is_none() || status == ReviewStatus::Approved);
    (counted, counted && status == ReviewStatus::Approved)
}

/// The metrics a record adds when it counts.
fn metrics(row: &RecordRow) -> Vec<(Column, i32)> {
    let mut out = vec![(Column::Records, 1)];
    match row.kind {
        Kind::Visit => {
            out.push((Column::Visits, 1));
            if row.outcome == Some(Outcome::Guided) {
                out.push((Column::HouseholdsGuided, 1));
            }
            out.push((Column::PeopleGuided, row.people_guided.unwrap_or(0).max(0)));
        }
        Kind::VneidAssist if row.result == Some(AssistResult::Success) => match row.action {
            Some(AssistAction::Install) => out.push((Column::VneidInstalls, 1)),
            Some(AssistAction::ActivateLevel2) => out.push((Column::VneidLevel2Activations, 1)),
            Some(AssistAction::DigitalSkillsCertificate) => {
                out.push((Column::DigitalSkillsCertified, 1))
            }
            _ => {}
        },
        Kind::VneidAssist => {}
        Kind::SignatureRegistration => match row.status {
            Some(SignatureStatus::Issued) => {
                out.push((Column::SignaturesSubmitted, 1));
                out.push((Column::SignaturesIssued, 1));
            }
            Some(SignatureStatus::Submitted) => out.push((Column::SignaturesSubmitted, 1)),
            _ => {}
        },
        Kind::TrainingSession => {
            out.push((Column::TrainingSessions, 1));
            out.push((Column::TrainingAttendees, row.attendees.unwrap_or(0).max(0)));
        }
    }
    out
}

/// The citizen a record counts towards `unique_citizens_assisted`, if any.
fn citizen(row: &RecordRow) -> Option<&str> {
    (row.kind == Kind::VneidAssist && row.result == Some(AssistResult::Success))
        .then_some(row.citizen_ref.as_deref())
        .flatten()
}

fn place(row: &RecordRow) -> Place {
    (
        row.occurred_on,
        row.commune_code.clone(),
        row.team_id.clone(),
        row.volunteer_id.clone(),
    )
}

/// Applies record changes (`before`, `after`; `None` for a record that did not exist) to
/// the rollups. Call inside the transaction of the changes.
pub fn apply(
    conn: &mut DbConn,
    changes: &[(Option<&RecordRow>, Option<&RecordRow>)],
) -> QueryResult<()> {
    let mut deltas = Rollups::default();
    for (before, after) in changes {
        if let Some(b) = before {
            deltas.add(b, -1);
        }
        if let Some(a) = after {
            deltas.add(a, 1);
        }
    }
    deltas.drop_zeros();
    write(conn, &deltas)
}

/// One wide rollup row's values as insertable columns: the same 22 fields for the daily
/// and the commune table.
macro_rules! wide_row {
    ($name:ident, $table:ident, { $($key:ident : $ty:ty),* }) => {
        #[derive(Insertable)]
        #[diesel(table_name = $table)]
        struct $name<'a> {
            $($key: $ty,)*
            records: i32,
            visits: i32,
            households_guided: i32,
            people_guided: i32,
            vneid_installs: i32,
            vneid_level2_activations: i32,
            signatures_submitted: i32,
            signatures_issued: i32,
            records_approved: i32,
            visits_approved: i32,
            households_guided_approved: i32,
            people_guided_approved: i32,
            vneid_installs_approved: i32,
            vneid_level2_activations_approved: i32,
            signatures_submitted_approved: i32,
            signatures_issued_approved: i32,
            digital_skills_certified: i32,
            digital_skills_certified_approved: i32,
            training_sessions: i32,
            training_sessions_approved: i32,
            training_attendees: i32,
            training_attendees_approved: i32,
        }

        impl<'a> $name<'a> {
            fn new($($key: $ty,)* v: &Counts) -> Self {
                let (c, a) = (v.counted, v.approved);
                Self {
                    $($key,)*
                    records: c[0],
                    visits: c[1],
                    households_guided: c[2],
                    people_guided: c[3],
                    vneid_installs: c[4],
                    vneid_level2_activations: c[5],
                    signatures_submitted: c[6],
                    signatures_issued: c[7],
                    records_approved: a[0],
                    visits_approved: a[1],
                    households_guided_approved: a[2],
                    people_guided_approved: a[3],
                    vneid_installs_approved: a[4],
                    vneid_level2_activations_approved: a[5],
                    signatures_submitted_approved: a[6],
                    signatures_issued_approved: a[7],
                    digital_skills_certified: c[8],
                    digital_skills_certified_approved: a[8],
                    training_sessions: c[9],
                    training_sessions_approved: a[9],
                    training_attendees: c[10],
                    training_attendees_approved: a[10],
                }
            }
        }
    };
}

wide_row!(DailyRow, daily_rollups, {
    commune_code: &'a str, day: NaiveDate, team_id: &'a str, volunteer_id: &'a str
});
wide_row!(CommuneRow, commune_rollups, { commune_code: &'a str, day: NaiveDate });

#[derive(Insertable)]
#[diesel(table_name = citizen_rollups)]
struct CitizenRow<'a> {
    province_code: &'a str,
    commune_code: &'a str,
    day: NaiveDate,
    team_id: &'a str,
    volunteer_id: &'a str,
    citizen_id: i64,
    counted: i32,
    approved: i32,
}

#[derive(Insertable)]
#[diesel(table_name = citizens)]
struct NewCitizen<'a> {
    citizen_ref: &'a str,
}

/// References looked up per statement.
const LOOKUP_CHUNK: usize = 5000;

/// The number an expired link names (`x:` and the number, see
/// `crate::privacy::retention`), if `citizen_ref` is one.
pub fn named_number(citizen_ref: &str) -> Option<i64> {
    citizen_ref
        .strip_prefix(crate::records::citizen::UNLINKED)?
        .parse()
        .ok()
}

/// The numbers of citizen references, giving new ones a number first (a reference that
/// names its number is its number).
fn citizen_ids(conn: &mut DbConn, refs: &[&str]) -> QueryResult<HashMap<String, i64>> {
    let mut out: HashMap<String, i64> = HashMap::with_capacity(refs.len());
    let refs: Vec<&str> = refs
        .iter()
        .filter(|r| match named_number(r) {
            Some(n) => {
                out.insert((**r).to_owned(), n);
                false
            }
            None => true,
        })
        .copied()
        .collect();
    let refs = refs.as_slice();
    let fresh: Vec<NewCitizen> = refs.iter().map(|r| NewCitizen { citizen_ref: r }).collect();
    dialect::upsert_all(
        conn,
        &fresh,
        UPSERT_CHUNK,
        |rows| {
            diesel::insert_into(citizens::table)
                .values(rows)
                .on_conflict_do_nothing()
        },
        |row| {
            diesel::insert_into(citizens::table)
                .values(row)
                .on_conflict_do_nothing()
        },
    )?;
    for chunk in refs.chunks(LOOKUP_CHUNK) {
        let found: Vec<(String, i64)> = citizens::table
            .filter(citizens::citizen_ref.eq_any(chunk))
            .select((citizens::citizen_ref, citizens::id))
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

/// Rows per multi-row upsert on PostgreSQL (at most 20 columns: below the bind limit).
const UPSERT_CHUNK: usize = 1000;

/// `col = col + EXCLUDED.col` for every metric column of a wide table.
macro_rules! add_excluded {
    ($t:ident) => {
        (
            $t::records.eq($t::records + excluded($t::records)),
            $t::visits.eq($t::visits + excluded($t::visits)),
            $t::households_guided.eq($t::households_guided + excluded($t::households_guided)),
            $t::people_guided.eq($t::people_guided + excluded($t::people_guided)),
            $t::vneid_installs.eq($t::vneid_installs + excluded($t::vneid_installs)),
            $t::vneid_level2_activations
                .eq($t::vneid_level2_activations + excluded($t::vneid_level2_activations)),
            $t::signatures_submitted
                .eq($t::signatures_submitted + excluded($t::signatures_submitted)),
            $t::signatures_issued.eq($t::signatures_issued + excluded($t::signatures_issued)),
            $t::records_approved.eq($t::records_approved + excluded($t::records_approved)),
            $t::visits_approved.eq($t::visits_approved + excluded($t::visits_approved)),
            $t::households_guided_approved
                .eq($t::households_guided_approved + excluded($t::households_guided_approved)),
            $t::people_guided_approved
                .eq($t::people_guided_approved + excluded($t::people_guided_approved)),
            $t::vneid_installs_approved
                .eq($t::vneid_installs_approved + excluded($t::vneid_installs_approved)),
            $t::vneid_level2_activations_approved.eq(
                $t::vneid_level2_activations_approved
                    + excluded($t::vneid_level2_activations_approved),
            ),
            $t::signatures_submitted_approved.eq(
                $t::signatures_submitted_approved + excluded($t::signatures_submitted_approved),
            ),
            $t::signatures_issued_approved
                .eq($t::signatures_issued_approved + excluded($t::signatures_issued_approved)),
            $t::digital_skills_certified
                .eq($t::digital_skills_certified + excluded($t::digital_skills_certified)),
            $t::digital_skills_certified_approved.eq(
                $t::digital_skills_certified_approved
                    + excluded($t::digital_skills_certified_approved),
            ),
            $t::training_sessions.eq($t::training_sessions + excluded($t::training_sessions)),
            $t::training_sessions_approved
                .eq($t::training_sessions_approved + excluded($t::training_sessions_approved)),
            $t::training_attendees.eq($t::training_attendees + excluded($t::training_attendees)),
            $t::training_attendees_approved
                .eq($t::training_attendees_approved + excluded($t::training_attendees_approved)),
        )
    };
}

/// Adds deltas to the stored rollups with `INSERT … ON CONFLICT DO UPDATE` (keys are
/// unique within a call, as required), in the statements [`dialect::upsert_all`] picks.
///
/// The volunteer and citizen upserts return their new totals, so the writer knows which
/// rows started or stopped counting; only their people's `distinct_spans` pairs can change
/// ([`span_changes`]). Another record on a day that already counts (most writes) needs no
/// further statement.
fn write(conn: &mut DbConn, deltas: &Rollups) -> QueryResult<()> {
    use citizen_rollups::dsl as cr;
    use daily_rollups::dsl as dr;
    let province_of = if deltas.citizens.is_empty() {
        HashMap::new()
    } else {
        provinces(conn, deltas)?
    };
    // Every table's rows go in key order, so concurrent writers lock shared rows in one
    // order and never deadlock (several create groups run at once on PostgreSQL).
    let mut daily: Vec<_> = deltas.daily.iter().collect();
    daily.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let daily: Vec<DailyRow> = daily
        .into_iter()
        .map(|((day, commune, team, volunteer), v)| {
            DailyRow::new(commune, *day, team, volunteer, v)
        })
        .collect();
    let mut commune_rows: Vec<_> = deltas.communes.iter().collect();
    commune_rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let commune_rows: Vec<CommuneRow> = commune_rows
        .into_iter()
        .map(|((day, commune), v)| CommuneRow::new(commune, *day, v))
        .collect();
    let mut refs: Vec<&str> = deltas.citizens.keys().map(|(_, r)| r.as_str()).collect();
    refs.sort_unstable();
    refs.dedup();
    let ids = if refs.is_empty() {
        HashMap::new()
    } else {
        citizen_ids(conn, &refs)?
    };
    let mut citizens: Vec<_> = deltas.citizens.iter().collect();
    citizens.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let citizens: Vec<CitizenRow> = citizens
        .into_iter()
        .filter_map(
            |(((day, commune, team, volunteer), citizen), (counted, approved))| {
                Some(CitizenRow {
                    province_code: province_of.get(commune).map_or(commune, String::as_str),
                    commune_code: commune,
                    day: *day,
                    team_id: team,
                    volunteer_id: volunteer,
                    citizen_id: *ids.get(citizen)?,
                    counted: *counted,
                    approved: *approved,
                })
            },
        )
        .collect();
    if citizens.len() != deltas.citizens.len() {
        // Every reference was numbered just above, in this transaction.
        return Err(diesel::result::Error::NotFound);
    }
    macro_rules! upsert {
        ($rows:expr, $table:ident, $keys:expr, $set:expr) => {
            diesel::insert_into($table::table)
                .values($rows)
                .on_conflict($keys)
                .do_update()
                .set($set)
        };
    }
    let daily_keys = (dr::commune_code, dr::day, dr::team_id, dr::volunteer_id);
    let daily_totals = (
        dr::commune_code,
        dr::day,
        dr::team_id,
        dr::volunteer_id,
        dr::records,
        dr::records_approved,
    );
    let daily_after: Vec<(String, NaiveDate, String, String, i32, i32)> =
        dialect::upsert_all_returning(
            conn,
            &daily,
            UPSERT_CHUNK,
            |rows| {
                upsert!(
                    rows,
                    daily_rollups,
                    daily_keys,
                    add_excluded!(daily_rollups)
                )
                .returning(daily_totals)
            },
            |row| {
                upsert!(row, daily_rollups, daily_keys, add_excluded!(daily_rollups))
                    .returning(daily_totals)
            },
        )?;
    let commune_keys = (commune_rollups::commune_code, commune_rollups::day);
    dialect::upsert_all(
        conn,
        &commune_rows,
        UPSERT_CHUNK,
        |rows| {
            upsert!(
                rows,
                commune_rollups,
                commune_keys,
                add_excluded!(commune_rollups)
            )
        },
        |row| {
            upsert!(
                row,
                commune_rollups,
                commune_keys,
                add_excluded!(commune_rollups)
            )
        },
    )?;
    let citizen_keys = (
        cr::commune_code,
        cr::citizen_id,
        cr::day,
        cr::team_id,
        cr::volunteer_id,
    );
    let citizen_set = (
        cr::counted.eq(cr::counted + excluded(cr::counted)),
        cr::approved.eq(cr::approved + excluded(cr::approved)),
    );
    let citizen_totals = (
        cr::commune_code,
        cr::citizen_id,
        cr::day,
        cr::team_id,
        cr::volunteer_id,
        cr::counted,
        cr::approved,
    );
    let citizens_after: Vec<(String, i64, NaiveDate, String, String, i32, i32)> =
        dialect::upsert_all_returning(
            conn,
            &citizens,
            UPSERT_CHUNK,
            |rows| {
                upsert!(rows, citizen_rollups, citizen_keys, citizen_set).returning(citizen_totals)
            },
            |row| {
                upsert!(row, citizen_rollups, citizen_keys, citizen_set).returning(citizen_totals)
            },
        )?;

    let records = Column::Records as usize;
    let mut volunteers: BTreeSet<String> = BTreeSet::new();
    for (commune, day, team, volunteer, counted, approved) in daily_after {
        let place = (day, commune, team, volunteer);
        let v = deltas.daily.get(&place).copied().unwrap_or_default();
        if starts_or_stops(
            (counted, approved),
            (v.counted[records], v.approved[records]),
        ) {
            volunteers.insert(place.3);
        }
    }
    let citizen_deltas: HashMap<_, _> = citizens
        .iter()
        .map(|c| {
            let key = (
                c.commune_code,
                c.citizen_id,
                c.day,
                c.team_id,
                c.volunteer_id,
            );
            (key, (c.counted, c.approved))
        })
        .collect();
    let mut numbers: BTreeSet<i64> = BTreeSet::new();
    for (commune, number, day, team, volunteer, counted, approved) in citizens_after {
        let key = (
            commune.as_str(),
            number,
            day,
            team.as_str(),
            volunteer.as_str(),
        );
        let delta = citizen_deltas.get(&key).copied().unwrap_or_default();
        if starts_or_stops((counted, approved), delta) {
            numbers.insert(number);
        }
    }
    if volunteers.is_empty() && numbers.is_empty() {
        return Ok(());
    }
    let looked_up;
    let province_of = if province_of.is_empty() {
        looked_up = provinces(conn, deltas)?;
        &looked_up
    } else {
        &province_of
    };
    let spans = span_changes(conn, deltas, province_of, &citizens, &volunteers, &numbers)?;
    spans::write(conn, &spans)
}

/// Whether a row whose totals are now `after` (counted, approved) started or stopped
/// counting, or being approved, with `delta`.
fn starts_or_stops(after: (i32, i32), delta: (i32, i32)) -> bool {
    let crosses = |now: i32, d: i32| (now > 0) != (now - d > 0);
    crosses(after.0, delta.0) || crosses(after.1, delta.1)
}

/// The province of every commune the deltas touch.
fn provinces(conn: &mut DbConn, deltas: &Rollups) -> QueryResult<HashMap<String, String>> {
    let mut communes: Vec<&str> = deltas
        .daily
        .keys()
        .map(|(_, commune, _, _)| commune.as_str())
        .chain(
            deltas
                .citizens
                .keys()
                .map(|((_, commune, _, _), _)| commune.as_str()),
        )
        .collect();
    communes.sort_unstable();
    communes.dedup();
    if communes.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(units::table
        .filter(units::code.eq_any(&communes))
        .select((units::code, units::parent_code.assume_not_null()))
        .load(conn)?
        .into_iter()
        .collect())
}

/// How `distinct_spans` changes for these volunteers and citizens (those with a row that
/// started or stopped counting): locks them, after the rollup rows (the order every writer
/// keeps), then reads their days, which already hold the deltas (see [`spans`]). A
/// concurrent writer that changes their rows without crossing zero changes no day's
/// standing, so its uncommitted totals do not matter here.
fn span_changes(
    conn: &mut DbConn,
    deltas: &Rollups,
    province_of: &HashMap<String, String>,
    citizens: &[CitizenRow],
    volunteers: &BTreeSet<String>,
    numbers: &BTreeSet<i64>,
) -> QueryResult<Spans> {
    let province = |commune: &String| province_of.get(commune).unwrap_or(commune).clone();
    let mut volunteer_deltas: HashMap<String, Days> = HashMap::new();
    for ((day, commune, _, volunteer), v) in &deltas.daily {
        let records = Column::Records as usize;
        let (counted, approved) = (v.counted[records], v.approved[records]);
        if (counted, approved) != (0, 0) && volunteers.contains(volunteer) {
            let place_day = (province(commune), commune.clone(), *day);
            spans::tally(
                &mut volunteer_deltas,
                volunteer.clone(),
                place_day,
                counted,
                approved,
            );
        }
    }
    let mut people: HashMap<String, Days> = HashMap::new();
    for c in citizens.iter().filter(|c| numbers.contains(&c.citizen_id)) {
        let place_day = (c.province_code.to_owned(), c.commune_code.to_owned(), c.day);
        let person = c.citizen_id.to_string();
        spans::tally(&mut people, person, place_day, c.counted, c.approved);
    }
    let ids: Vec<&str> = volunteers.iter().map(String::as_str).collect();
    let numbers: Vec<i64> = numbers.iter().copied().collect();
    let mut out = Spans::new();
    dialect::lock_people(conn, &ids, &numbers)?;
    if !ids.is_empty() {
        let after = spans::volunteer_days(conn, &ids)?;
        spans::changes_after(&mut out, spans::VOLUNTEERS, &after, &volunteer_deltas);
    }
    if !numbers.is_empty() {
        let after = spans::citizen_days(conn, &numbers)?;
        spans::changes_after(&mut out, spans::CITIZENS, &after, &people);
    }
    Ok(out)
}

/// Recounts some communes' records (all at once: a few communes' records fit in memory).
fn recount_communes(conn: &mut DbConn, communes: &[String]) -> QueryResult<Rollups> {
    let mut out = Rollups::default();
    let rows: Vec<RecordRow> = records::table
        .select(RecordRow::as_select())
        .filter(records::commune_code.eq_any(communes))
        .load(conn)?;
    for row in &rows {
        out.add(row, 1);
    }
    out.drop_zeros();
    Ok(out)
}

/// What the rollups must hold, recounted from every record (for checks and tests), read
/// in pages so memory holds the rollups, not the records.
pub fn recount(conn: &mut DbConn) -> QueryResult<Rollups> {
    let mut out = Rollups::default();
    let mut after: Option<String> = None;
    loop {
        let mut query = records::table
            .select(RecordRow::as_select())
            .order(records::id.asc())
            .limit(10_000)
            .into_boxed();
        if let Some(last) = &after {
            query = query.filter(records::id.gt(last.clone()));
        }
        let rows: Vec<RecordRow> = query.load(conn)?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id.clone());
        for row in &rows {
            out.add(row, 1);
        }
    }
    out.drop_zeros();
    let mut out = numbered(conn, out)?;
    derive_spans(conn, &mut out)?;
    Ok(out)
}

/// Fills `spans` from the daily and citizen rows, as the writer keeps them.
fn derive_spans(conn: &mut DbConn, rollups: &mut Rollups) -> QueryResult<()> {
    let province_of: HashMap<String, Option<String>> = units::table
        .select((units::code, units::parent_code))
        .load(conn)?
        .into_iter()
        .collect();
    let province = |commune: &String| {
        province_of
            .get(commune)
            .cloned()
            .flatten()
            .unwrap_or_else(|| commune.clone())
    };
    let records = Column::Records as usize;
    let mut volunteers: HashMap<&str, Days> = HashMap::new();
    for ((day, commune, _, volunteer), v) in &rollups.daily {
        let e = volunteers
            .entry(volunteer)
            .or_default()
            .entry((province(commune), commune.clone(), *day))
            .or_default();
        e.0 += i64::from(v.counted[records]);
        e.1 += i64::from(v.approved[records]);
    }
    let mut citizens: HashMap<&str, Days> = HashMap::new();
    for (((day, commune, _, _), citizen), (counted, approved)) in &rollups.citizens {
        let e = citizens
            .entry(citizen)
            .or_default()
            .entry((province(commune), commune.clone(), *day))
            .or_default();
        e.0 += i64::from(*counted);
        e.1 += i64::from(*approved);
    }
    let mut out = Spans::new();
    for days in volunteers.values() {
        spans::add(&mut out, spans::VOLUNTEERS, days, 1);
    }
    for days in citizens.values() {
        spans::add(&mut out, spans::CITIZENS, days, 1);
    }
    out.retain(|_, v| *v != (0, 0));
    rollups.spans = out;
    Ok(())
}

/// Citizen rows keyed by the citizen's number instead of the reference the records hold
/// (records of one resident may hold the hash or, once it expired, the number), as
/// [`stored`] keys them; a reference without a number stays as `?ref`, so it differs.
fn numbered(conn: &mut DbConn, mut counted: Rollups) -> QueryResult<Rollups> {
    let mut refs: Vec<&str> = counted.citizens.keys().map(|(_, r)| r.as_str()).collect();
    refs.sort_unstable();
    refs.dedup();
    let mut numbers: HashMap<String, i64> = HashMap::new();
    for chunk in refs.chunks(LOOKUP_CHUNK) {
        for r in chunk {
            if let Some(n) = named_number(r) {
                numbers.insert((*r).to_owned(), n);
            }
        }
        let found: Vec<(String, i64)> = citizens::table
            .filter(citizens::citizen_ref.eq_any(chunk))
            .select((citizens::citizen_ref, citizens::id))
            .load(conn)?;
        numbers.extend(found);
    }
    counted.citizens = std::mem::take(&mut counted.citizens)
        .into_iter()
        .map(|((place, r), v)| {
            let key = numbers
                .get(&r)
                .map_or_else(|| format!("?{r}"), i64::to_string);
            ((place, key), v)
        })
        .collect();
    Ok(counted)
}

/// What the rollups hold now, zero rows left out.
pub fn stored(conn: &mut DbConn) -> QueryResult<Rollups> {
    use daily_rollups as d;
    let mut out = Rollups::default();
    macro_rules! values {
        ($t:ident) => {
            (
                $t::records,
                $t::visits,
                $t::households_guided,
                $t::people_guided,
                $t::vneid_installs,
                $t::vneid_level2_activations,
                $t::signatures_submitted,
                $t::signatures_issued,
                $t::records_approved,
                $t::visits_approved,
                $t::households_guided_approved,
                $t::people_guided_approved,
                $t::vneid_installs_approved,
                $t::vneid_level2_activations_approved,
                $t::signatures_submitted_approved,
                $t::signatures_issued_approved,
                $t::digital_skills_certified,
                $t::digital_skills_certified_approved,
                $t::training_sessions,
                $t::training_sessions_approved,
                $t::training_attendees,
                $t::training_attendees_approved,
            )
        };
    }
    type Values = (
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
    );
    fn counts(v: Values) -> Counts {
        Counts {
            counted: [v.0, v.1, v.2, v.3, v.4, v.5, v.6, v.7, v.16, v.18, v.20],
            approved: [
                v.8, v.9, v.10, v.11, v.12, v.13, v.14, v.15, v.17, v.19, v.21,
            ],
        }
    }
    let daily: Vec<(String, NaiveDate, String, String, Values)> = d::table
        .select((
            d::commune_code,
            d::day,
            d::team_id,
            d::volunteer_id,
            values!(d),
        ))
        .load(conn)?;
    for (commune, day, team, volunteer, v) in daily {
        out.daily.insert((day, commune, team, volunteer), counts(v));
    }
    let communes: Vec<(String, NaiveDate, Values)> = commune_rollups::table
        .select((
            commune_rollups::commune_code,
            commune_rollups::day,
            values!(commune_rollups),
        ))
        .load(conn)?;
    for (commune, day, v) in communes {
        out.communes.insert((day, commune), counts(v));
    }
    let citizens: Vec<(NaiveDate, String, String, String, i64, i32, i32)> = citizen_rollups::table
        .select((
            citizen_rollups::day,
            citizen_rollups::commune_code,
            citizen_rollups::team_id,
            citizen_rollups::volunteer_id,
            citizen_rollups::citizen_id,
            citizen_rollups::counted,
            citizen_rollups::approved,
        ))
        .load(conn)?;
    for (day, c, t, v, number, counted, approved) in citizens {
        out.citizens
            .insert(((day, c, t, v), number.to_string()), (counted, approved));
    }
    out.spans = spans::stored(conn)?;
    out.drop_zeros();
    Ok(out)
}

/// Communes recounted per transaction by [`rebuild`]: bounds memory on big databases.
const REBUILD_COMMUNES: usize = 50;

/// Rebuilds the rollups from the records in one transaction (`gocua rebuild-rollups`),
/// recounting a few communes at a time so memory stays bounded at millions of records;
/// returns the rows written per table (daily, commune, citizen).
pub fn rebuild(conn: &mut DbConn) -> QueryResult<(usize, usize, usize)> {
    conn.transaction(|conn| {
        diesel::delete(daily_rollups::table).execute(conn)?;
        diesel::delete(commune_rollups::table).execute(conn)?;
        diesel::delete(citizen_rollups::table).execute(conn)?;
        diesel::delete(distinct_spans::table).execute(conn)?;
        let communes: Vec<String> = records::table
            .select(records::commune_code)
            .distinct()
            .load(conn)?;
        let mut written = (0, 0, 0);
        for chunk in communes.chunks(REBUILD_COMMUNES) {
            let fresh = recount_communes(conn, chunk)?;
            write(conn, &fresh)?;
            let sizes = fresh.sizes();
            written = (
                written.0 + sizes.0,
                written.1 + sizes.1,
                written.2 + sizes.2,
            );
        }
        Ok(written)
    })
}

#[cfg(test)]
mod tests {
    use super::named_number;

    #[test]
    fn an_expired_link_names_its_number_and_nothing_else_does() {
        assert_eq!(named_number("x:42"), Some(42));
        assert_eq!(named_number("x:0b6c2a52-4f0e-4b8e-9a57-3c1a7b1f2e11"), None);
        assert_eq!(named_number("9f86d081884c7d659a2feaa0c55ad015"), None);
        assert_eq!(named_number("42"), None);
    }
}
