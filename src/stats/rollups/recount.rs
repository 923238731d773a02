//! What the rollups must hold once the records domain has counted its records into them,
//! and what they hold: for `gocua check-rollups`, `gocua rebuild-rollups` and the tests.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::spans::{self, Days, Spans};
use crate::db::DbConn;
use crate::schema::{
    citizen_rollups, citizens, commune_rollups, daily_rollups, distinct_spans, units,
};

use super::{Column, Counts, LOOKUP_CHUNK, Rollups, named_number};

/// What the rollups must hold for records counted into `counted` (by the records domain,
/// which reads them): zero rows left out, citizens keyed by their number as [`stored`]
/// keys them, and the distinct spans derived.
pub fn settle(conn: &mut DbConn, mut counted: Rollups) -> QueryResult<Rollups> {
    counted.drop_zeros();
    let mut out = numbered(conn, counted)?;
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
    for ((day, commune, _, volunteer, _), v) in &rollups.daily {
        let e = volunteers
            .entry(volunteer)
            .or_default()
            .entry((province(commune), commune.clone(), *day))
            .or_default();
        e.0 += i64::from(v.counted[records]);
        e.1 += i64::from(v.approved[records]);
    }
    let mut citizens: HashMap<&str, Days> = HashMap::new();
    for (((day, commune, _, _, _), citizen), (counted, approved)) in &rollups.citizens {
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
    let daily: Vec<(String, NaiveDate, String, String, String, Values)> = d::table
        .select((
            d::commune_code,
            d::day,
            d::team_id,
            d::volunteer_id,
            d::hamlet_code,
            values!(d),
        ))
        .load(conn)?;
    for (commune, day, team, volunteer, hamlet, v) in daily {
        out.daily
            .insert((day, commune, team, volunteer, hamlet), counts(v));
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
    type CitizenValues = (NaiveDate, String, String, String, String, i64, i32, i32);
    let citizens: Vec<CitizenValues> = citizen_rollups::table
        .select((
            citizen_rollups::day,
            citizen_rollups::commune_code,
            citizen_rollups::team_id,
            citizen_rollups::volunteer_id,
            citizen_rollups::hamlet_code,
            citizen_rollups::citizen_id,
            citizen_rollups::counted,
            citizen_rollups::approved,
        ))
        .load(conn)?;
    for (day, c, t, v, h, number, counted, approved) in citizens {
        out.citizens
            .insert(((day, c, t, v, h), number.to_string()), (counted, approved));
    }
    out.spans = spans::stored(conn)?;
    out.drop_zeros();
    Ok(out)
}

/// Empties the rollups, for a rebuild from the records in the same transaction.
pub fn clear(conn: &mut DbConn) -> QueryResult<()> {
    diesel::delete(daily_rollups::table).execute(conn)?;
    diesel::delete(commune_rollups::table).execute(conn)?;
    diesel::delete(citizen_rollups::table).execute(conn)?;
    diesel::delete(distinct_spans::table).execute(conn)?;
    Ok(())
}
