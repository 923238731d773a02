//! Generated households for the demo and the benchmark: doors of each current hamlet,
//! registered over the past weeks with their first version, most criteria known and most of
//! them true, a few closed; and the visits that name them.

use chrono::{NaiveDateTime, TimeDelta};

use crate::households::model::{Criteria, Criterion, HouseholdRow, VersionRow};
use crate::records::model::{Kind, RecordRow};
use crate::units::hamlets::model::HamletRow;

/// Households and their versions.
pub(super) type Register = (Vec<HouseholdRow>, Vec<VersionRow>);

/// `per_hamlet` households (± a third) in each hamlet open now, registered by `by` over
/// the `days` before `now`; one in 40 closed since.
pub(super) fn generate(
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
pub(super) fn name_visits(
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
