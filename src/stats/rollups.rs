//! Per-day rollups by commune, team, volunteer and metric, changed in the same transaction
//! as the record they reflect: a record counts as soon as its create returns, and
//! statistics read rollups, never millions of records.
//!
//! Counting rules (the contract's): a voided or `rejected` record never counts; a record
//! flagged as a duplicate (`duplicate_of` set) counts only once a reviewer approves it.
//! `approved` columns count approved records only, for `?review=approved`.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::DbConn;
use crate::records::model::{Kind, RecordRow, ReviewStatus};
use crate::schema::{citizen_rollups, daily_rollups, records};

/// Pseudo-metric counting every counted record: `active_volunteers` is the number of
/// distinct volunteers with a non-zero `records` row.
pub const RECORDS: &str = "records";

/// Where a record's numbers go: its local day and who logged it where.
pub type Place = (NaiveDate, String, String, String);

/// Rollup values keyed by place and metric: `(counted, approved)`.
pub type Daily = HashMap<(Place, String), (i32, i32)>;
/// Citizen rows keyed by place and `citizen_ref`: `(counted, approved)`.
pub type Citizens = HashMap<(Place, String), (i32, i32)>;

/// Whether a record counts, and whether it counts as approved.
pub fn counts(row: &RecordRow) -> (bool, bool) {
    let status = row.review_status();
    let counted = row.voided == 0
        && status != ReviewStatus::Rejected
        && (row.duplicate_of.is_none() || status == ReviewStatus::Approved);
    (counted, counted && status == ReviewStatus::Approved)
}

/// The metrics a record adds when it counts.
pub fn metrics(row: &RecordRow) -> Vec<(&'static str, i32)> {
    let mut out = vec![(RECORDS, 1)];
    match row.kind() {
        Kind::Visit => {
            out.push(("visits", 1));
            if row.outcome.as_deref() == Some("guided") {
                out.push(("households_guided", 1));
            }
            let people = row.people_guided.unwrap_or(0);
            if people > 0 {
                out.push(("people_guided", people));
            }
        }
        Kind::VneidAssist if row.result.as_deref() == Some("success") => {
            match row.action.as_deref() {
                Some("install") => out.push(("vneid_installs", 1)),
                Some("activate_level2") => out.push(("vneid_level2_activations", 1)),
                _ => {}
            }
        }
        Kind::VneidAssist => {}
        Kind::SignatureRegistration => match row.status.as_deref() {
            Some("issued") => {
                out.push(("signatures_submitted", 1));
                out.push(("signatures_issued", 1));
            }
            Some("submitted") => out.push(("signatures_submitted", 1)),
            _ => {}
        },
    }
    out
}

/// The citizen a record counts towards `unique_citizens_assisted`, if any.
fn citizen(row: &RecordRow) -> Option<&str> {
    (row.kind() == Kind::VneidAssist && row.result.as_deref() == Some("success"))
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

/// Adds (`sign` = 1) or removes (`sign` = -1) a record's contribution.
pub fn add(daily: &mut Daily, citizens: &mut Citizens, row: &RecordRow, sign: i32) {
    let (counted, approved) = counts(row);
    if !counted {
        return;
    }
    let approved = i32::from(approved);
    for (metric, n) in metrics(row) {
        let entry = daily.entry((place(row), metric.to_owned())).or_default();
        entry.0 += sign * n;
        entry.1 += sign * n * approved;
    }
    if let Some(c) = citizen(row) {
        let entry = citizens.entry((place(row), c.to_owned())).or_default();
        entry.0 += sign;
        entry.1 += sign * approved;
    }
}

/// Applies record changes (`before`, `after`; `None` for a record that did not exist) to
/// the rollups. Call inside the transaction of the changes.
pub fn apply(
    conn: &mut DbConn,
    changes: &[(Option<&RecordRow>, Option<&RecordRow>)],
) -> QueryResult<()> {
    let (mut daily, mut citizens) = (Daily::new(), Citizens::new());
    for (before, after) in changes {
        if let Some(b) = before {
            add(&mut daily, &mut citizens, b, -1);
        }
        if let Some(a) = after {
            add(&mut daily, &mut citizens, a, 1);
        }
    }
    write(conn, &daily, &citizens)
}

#[derive(Insertable)]
#[diesel(table_name = daily_rollups)]
struct DailyDelta<'a> {
    day: NaiveDate,
    commune_code: &'a str,
    team_id: &'a str,
    volunteer_id: &'a str,
    metric: &'a str,
    counted: i32,
    approved: i32,
}

#[derive(Insertable)]
#[diesel(table_name = citizen_rollups)]
struct CitizenDelta<'a> {
    day: NaiveDate,
    commune_code: &'a str,
    team_id: &'a str,
    volunteer_id: &'a str,
    citizen_ref: &'a str,
    counted: i32,
    approved: i32,
}

/// Rows per multi-row upsert on PostgreSQL (7 columns: far below the bind limit).
const UPSERT_CHUNK: usize = 1000;

/// Adds deltas to the stored rollups with `INSERT … ON CONFLICT DO UPDATE` (keys are
/// unique within a call, as required). PostgreSQL gets multi-row statements; SQLite, where
/// diesel cannot batch an upsert, one in-process statement per row.
fn write(conn: &mut DbConn, daily: &Daily, citizens: &Citizens) -> QueryResult<()> {
    use citizen_rollups::dsl as cr;
    use daily_rollups::dsl as d;
    let daily: Vec<DailyDelta> = daily
        .iter()
        .filter(|(_, v)| **v != (0, 0))
        .map(
            |(((day, commune, team, volunteer), metric), (counted, approved))| DailyDelta {
                day: *day,
                commune_code: commune,
                team_id: team,
                volunteer_id: volunteer,
                metric,
                counted: *counted,
                approved: *approved,
            },
        )
        .collect();
    let citizens: Vec<CitizenDelta> = citizens
        .iter()
        .filter(|(_, v)| **v != (0, 0))
        .map(
            |(((day, commune, team, volunteer), citizen), (counted, approved))| CitizenDelta {
                day: *day,
                commune_code: commune,
                team_id: team,
                volunteer_id: volunteer,
                citizen_ref: citizen,
                counted: *counted,
                approved: *approved,
            },
        )
        .collect();
    macro_rules! upsert {
        ($c:expr, $rows:expr, $table:expr, $keys:expr, $counted:expr, $approved:expr) => {
            diesel::insert_into($table)
                .values($rows)
                .on_conflict($keys)
                .do_update()
                .set((
                    $counted.eq($counted + excluded($counted)),
                    $approved.eq($approved + excluded($approved)),
                ))
                .execute($c)
        };
    }
    let daily_keys = (
        d::day,
        d::commune_code,
        d::team_id,
        d::volunteer_id,
        d::metric,
    );
    let citizen_keys = (
        cr::day,
        cr::commune_code,
        cr::team_id,
        cr::volunteer_id,
        cr::citizen_ref,
    );
    match conn {
        DbConn::Postgres(c) => {
            for chunk in daily.chunks(UPSERT_CHUNK) {
                upsert!(
                    c,
                    chunk,
                    d::daily_rollups,
                    daily_keys,
                    d::counted,
                    d::approved
                )?;
            }
            for chunk in citizens.chunks(UPSERT_CHUNK) {
                upsert!(
                    c,
                    chunk,
                    cr::citizen_rollups,
                    citizen_keys,
                    cr::counted,
                    cr::approved
                )?;
            }
        }
        DbConn::Sqlite(c) => {
            for row in &daily {
                upsert!(
                    c,
                    row,
                    d::daily_rollups,
                    daily_keys,
                    d::counted,
                    d::approved
                )?;
            }
            for row in &citizens {
                upsert!(
                    c,
                    row,
                    cr::citizen_rollups,
                    citizen_keys,
                    cr::counted,
                    cr::approved
                )?;
            }
        }
    }
    Ok(())
}

/// What the rollups must hold, recounted from every record (for repairs and for tests).
pub fn recount(conn: &mut DbConn) -> QueryResult<(Daily, Citizens)> {
    let (mut daily, mut citizens) = (Daily::new(), Citizens::new());
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
            add(&mut daily, &mut citizens, row, 1);
        }
    }
    daily.retain(|_, v| *v != (0, 0));
    citizens.retain(|_, v| *v != (0, 0));
    Ok((daily, citizens))
}

/// What the rollups hold now, zero rows left out.
pub fn stored(conn: &mut DbConn) -> QueryResult<(Daily, Citizens)> {
    let daily = daily_rollups::table
        .select((
            daily_rollups::day,
            daily_rollups::commune_code,
            daily_rollups::team_id,
            daily_rollups::volunteer_id,
            daily_rollups::metric,
            daily_rollups::counted,
            daily_rollups::approved,
        ))
        .load::<(NaiveDate, String, String, String, String, i32, i32)>(conn)?
        .into_iter()
        .filter(|r| (r.5, r.6) != (0, 0))
        .map(|(day, c, t, v, m, counted, approved)| (((day, c, t, v), m), (counted, approved)))
        .collect();
    let citizens = citizen_rollups::table
        .select((
            citizen_rollups::day,
            citizen_rollups::commune_code,
            citizen_rollups::team_id,
            citizen_rollups::volunteer_id,
            citizen_rollups::citizen_ref,
            citizen_rollups::counted,
            citizen_rollups::approved,
        ))
        .load::<(NaiveDate, String, String, String, String, i32, i32)>(conn)?
        .into_iter()
        .filter(|r| (r.5, r.6) != (0, 0))
        .map(|(day, c, t, v, cref, counted, approved)| {
            (((day, c, t, v), cref), (counted, approved))
        })
        .collect();
    Ok((daily, citizens))
}

/// Rebuilds the rollups from the records in one transaction (`gocua rebuild-rollups`);
/// returns how many daily and citizen rows it wrote.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<(usize, usize)> {
    conn.transaction(|conn| {
        diesel::delete(daily_rollups::table).execute(conn)?;
        diesel::delete(citizen_rollups::table).execute(conn)?;
        let (daily, citizens) = recount(conn)?;
        write(conn, &daily, &citizens)?;
        Ok((daily.len(), citizens.len()))
    })
}
