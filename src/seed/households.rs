//! Generated households for the demo and the benchmark: doors of each current hamlet,
//! registered over the past weeks with their first version, most criteria known and most of
//! them true, a few closed; and the visits that name them.

use chrono::{NaiveDateTime, TimeDelta};

use crate::households::model::{Criteria, Criterion, HouseholdRow, VersionRow};
use crate::records::model::{Kind, RecordRow};
use crate::units::hamlets::model::HamletRow;

/// Households and their versions.
pub type Register = (Vec<HouseholdRow>, Vec<VersionRow>);

/// `per_hamlet` households (± a third) in each hamlet open now, registered by `by` over
/// the `days` before `now`; one in 40 closed since.
pub fn generate(
    rng: &mut fastrand::Rng,
    hamlets: &[HamletRow],
    per_hamlet: usize,
    days: i64,
    by: &str,
    now: NaiveDateTime,
) -> Register {
    let (mut rows, mut versions) = (Vec::new(), Vec::new());
    for hamlet in hamlets.iter().filter(|h| h.valid_to.is_none()) {
        let n = per_hamlet - per_hamlet / 3 + rng.usize(..=per_hamlet * 2 / 3);
        // How far the hamlet has come: some are nearly all digital families, some far from it.
        let progress = if hamlet.seq == 1 {
            0.99
        } else {
            0.7 + 0.3 * rng.f64()
        };
        for i in 1..=n {
            let mut criteria = Criteria::default();
            for c in Criterion::ALL {
                let known = rng.f64() < progress.max(0.95);
                criteria.set(*c, known.then(|| rng.f64() < progress));
            }
            let (criteria_true, criteria_known) = criteria.masks();
            let members = rng.i32(1..=7);
            let created =
                (now - TimeDelta::minutes(rng.i64(0..days.max(1) * 24 * 60)) - TimeDelta::hours(1))
                    .max(crate::clock::day_start(hamlet.valid_from));
            let label = format!("{}-{i}", hamlet.seq);
            let closed = rng.u8(..40) == 0;
            let id = uuid::Uuid::new_v4().to_string();
            let row = HouseholdRow {
                id: id.clone(),
                commune_code: hamlet.commune_code.clone(),
                hamlet_code: hamlet.code.clone(),
                label_key: label.to_lowercase(),
                label,
                address: None,
                members,
                adults: rng.i32(1..=members),
                criteria_true,
                criteria_known,
                needs_placement: false,
                closed_reason: closed.then_some(crate::households::model::CloseReason::MovedAway),
                duplicate_of: None,
                closed_at: closed.then_some(now),
                version: if closed { 2 } else { 1 },
                observed_at: created,
                content_hash: id.clone(),
                created_by: by.to_owned(),
                created_at: created,
                updated_at: if closed { now } else { created },
                change_stamp: 1,
            };
            versions.push(VersionRow {
                household_id: id.clone(),
                version: 1,
                changed_at: created,
                changed_by: by.to_owned(),
                observed_at: created,
                changes: serde_json::json!({"hamlet_code": [null, row.hamlet_code], "members": [null, members]})
                    .to_string(),
                hamlet_code: row.hamlet_code.clone(),
                is_open: true,
                criteria_true,
            });
            if closed {
                versions.push(VersionRow {
                    household_id: id,
                    version: 2,
                    changed_at: now,
                    changed_by: by.to_owned(),
                    observed_at: now,
                    changes: serde_json::json!({"closed": [null, "moved_away"]}).to_string(),
                    hamlet_code: row.hamlet_code.clone(),
                    is_open: false,
                    criteria_true,
                });
            }
            rows.push(row);
        }
    }
    (rows, versions)
}

/// Points most visits logged in a hamlet at one of its open households.
pub fn name_visits(
    rng: &mut fastrand::Rng,
    records: &mut [RecordRow],
    households: &[HouseholdRow],
) {
    let mut by_hamlet: std::collections::HashMap<&str, Vec<&str>> =
        std::collections::HashMap::new();
    for h in households.iter().filter(|h| h.is_open()) {
        by_hamlet.entry(&h.hamlet_code).or_default().push(&h.id);
    }
    for r in records.iter_mut().filter(|r| r.kind == Kind::Visit) {
        let Some(doors) = r.hamlet_code.as_deref().and_then(|c| by_hamlet.get(c)) else {
            continue;
        };
        if rng.u8(..10) < 7 {
            r.household_id = Some(doors[rng.usize(..doors.len())].to_owned());
        }
    }
}

/// What `gocua seed-households` made: the province, how many households, and the team whose
/// hamlets hold about `team_doors` of them (for the phone's first pull), with a member.
#[derive(Debug, serde::Serialize)]
pub struct BenchReport {
    /// Province.
    pub province: String,
    /// Households registered.
    pub households: usize,
    /// The team given hamlets.
    pub team_id: String,
    /// Its open households.
    pub team_households: usize,
    /// A member's phone.
    pub member_phone: String,
}

/// About `total` households over the current hamlets of `province`, registered over the
/// `days` before now, with their counts; the first team of the province's first commune is
/// given hamlets holding about `team_doors` open households.
pub fn bench(
    conn: &mut crate::db::DbConn,
    province: &str,
    total: usize,
    team_doors: usize,
    days: i64,
) -> anyhow::Result<BenchReport> {
    use anyhow::Context;
    use diesel::prelude::*;

    use crate::schema::{team_members, teams, units, users};
    crate::db::dialect::for_bulk_load(conn)?;
    let communes: Vec<String> = units::table
        .filter(units::parent_code.eq(province))
        .order(units::code.asc())
        .select(units::code)
        .load(conn)?;
    let mut hamlets = Vec::new();
    for c in &communes {
        hamlets.extend(crate::units::hamlets::queries::of_commune(conn, c)?);
    }
    let open = hamlets.iter().filter(|h| h.valid_to.is_none()).count();
    anyhow::ensure!(
        open > 0,
        "province {province} has no hamlets: seed-bench first"
    );
    let by: String = users::table
        .filter(users::role.eq("admin"))
        .select(users::id)
        .first(conn)
        .context("no admin: seed-bench first")?;
    let mut rng = fastrand::Rng::with_seed(33);
    let (rows, versions) = generate(
        &mut rng,
        &hamlets,
        total / open,
        days,
        &by,
        crate::clock::now(),
    );
    for chunk in rows.chunks(crate::db::dialect::MAX_BINDS / 21) {
        crate::db::dialect::execute(
            conn,
            diesel::insert_into(crate::schema::households::table).values(chunk),
        )?;
    }
    for chunk in versions.chunks(crate::db::dialect::MAX_BINDS / 9) {
        crate::db::dialect::execute(
            conn,
            diesel::insert_into(crate::schema::household_versions::table).values(chunk),
        )?;
    }
    conn.transaction(|conn| crate::households::tally::rebuild(conn, &communes))?;
    let first = communes.first().context("no communes")?;
    let team_id: String = teams::table
        .filter(teams::commune_code.eq(first))
        .order(teams::id.asc())
        .select(teams::id)
        .first(conn)
        .context("no team in the first commune")?;
    let (mut held, mut doors) = (Vec::new(), 0);
    for h in hamlets
        .iter()
        .filter(|h| &h.commune_code == first && h.valid_to.is_none())
    {
        if doors >= team_doors {
            break;
        }
        doors += rows
            .iter()
            .filter(|r| r.hamlet_code == h.code && r.is_open())
            .count();
        held.push(h.code.clone());
    }
    crate::units::hamlets::queries::set_team_hamlets(conn, &team_id, &held)?;
    let member_phone: String = team_members::table
        .inner_join(users::table.on(users::id.eq(team_members::user_id)))
        .filter(team_members::team_id.eq(&team_id))
        .select(users::phone)
        .first(conn)?;
    Ok(BenchReport {
        province: province.to_owned(),
        households: rows.len(),
        team_id,
        team_households: doors,
        member_phone,
    })
}
