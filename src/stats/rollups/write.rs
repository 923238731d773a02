//! How rollup deltas reach the tables: multi-row upserts that return their new totals, the
//! citizens' numbers, and the `distinct_spans` of the people whose rows started or stopped
//! counting.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::spans::{self, Days, Spans};
use crate::db::{DbConn, dialect};
use crate::schema::{citizen_rollups, citizens, commune_rollups, daily_rollups, units};

use super::{Column, Counts, LOOKUP_CHUNK, Rollups, named_number};

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
    commune_code: &'a str, day: NaiveDate, team_id: &'a str, volunteer_id: &'a str,
    hamlet_code: &'a str
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
    hamlet_code: &'a str,
    counted: i32,
    approved: i32,
}

#[derive(Insertable)]
#[diesel(table_name = citizens)]
struct NewCitizen<'a> {
    citizen_ref: &'a str,
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
pub(super) fn write(conn: &mut DbConn, deltas: &Rollups) -> QueryResult<()> {
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
        .map(|((day, commune, team, volunteer, hamlet), v)| {
            DailyRow::new(commune, *day, team, volunteer, hamlet, v)
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
            |(((day, commune, team, volunteer, hamlet), citizen), (counted, approved))| {
                Some(CitizenRow {
                    province_code: province_of.get(commune).map_or(commune, String::as_str),
                    commune_code: commune,
                    day: *day,
                    team_id: team,
                    volunteer_id: volunteer,
                    citizen_id: *ids.get(citizen)?,
                    hamlet_code: hamlet,
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
    let daily_keys = (
        dr::commune_code,
        dr::day,
        dr::team_id,
        dr::volunteer_id,
        dr::hamlet_code,
    );
    let daily_totals = (
        dr::commune_code,
        dr::day,
        dr::team_id,
        dr::volunteer_id,
        dr::hamlet_code,
        dr::records,
        dr::records_approved,
    );
    let daily_after: Vec<(String, NaiveDate, String, String, String, i32, i32)> =
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
        cr::hamlet_code,
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
        cr::hamlet_code,
        cr::counted,
        cr::approved,
    );
    type CitizenTotals = (String, i64, NaiveDate, String, String, String, i32, i32);
    let citizens_after: Vec<CitizenTotals> = dialect::upsert_all_returning(
        conn,
        &citizens,
        UPSERT_CHUNK,
        |rows| upsert!(rows, citizen_rollups, citizen_keys, citizen_set).returning(citizen_totals),
        |row| upsert!(row, citizen_rollups, citizen_keys, citizen_set).returning(citizen_totals),
    )?;

    let records = Column::Records as usize;
    let mut volunteers: BTreeSet<String> = BTreeSet::new();
    for (commune, day, team, volunteer, hamlet, counted, approved) in daily_after {
        let place = (day, commune, team, volunteer, hamlet);
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
                c.hamlet_code,
            );
            (key, (c.counted, c.approved))
        })
        .collect();
    let mut numbers: BTreeSet<i64> = BTreeSet::new();
    for (commune, number, day, team, volunteer, hamlet, counted, approved) in citizens_after {
        let key = (
            commune.as_str(),
            number,
            day,
            team.as_str(),
            volunteer.as_str(),
            hamlet.as_str(),
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
        .map(|(_, commune, _, _, _)| commune.as_str())
        .chain(
            deltas
                .citizens
                .keys()
                .map(|((_, commune, _, _, _), _)| commune.as_str()),
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
    for ((day, commune, _, volunteer, _), v) in &deltas.daily {
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
