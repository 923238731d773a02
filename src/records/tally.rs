//! What each record counts as in the statistics (the contract's counting rules), handed to
//! them as a [`Contribution`] so that statistics never read the record model; and the
//! recount of every record, for `gocua check-rollups`, `gocua rebuild-rollups` and tests.
//!
//! A voided or `rejected` record never counts; a record flagged as a duplicate
//! (`duplicate_of` set) counts only once a reviewer approves it.

use diesel::prelude::*;

use super::model::{
    AssistAction, AssistResult, Kind, Outcome, RecordRow, ReviewStatus, SignatureStatus,
};
use crate::db::DbConn;
use crate::schema::records;
use crate::stats::rollups::{self, Column, Contribution, Rollups};

/// What `row` adds to the statistics, or `None` when it does not count.
pub fn contribution(row: &RecordRow) -> Option<Contribution> {
    let status = row.review_status;
    let counted = !row.voided
        && status != ReviewStatus::Rejected
        && (row.duplicate_of.is_none() || status == ReviewStatus::Approved);
    counted.then(|| Contribution {
        place: (
            row.occurred_on,
            row.commune_code.clone(),
            row.team_id.clone(),
            row.volunteer_id.clone(),
            row.hamlet_code.clone().unwrap_or_default(),
        ),
        approved: status == ReviewStatus::Approved,
        numbers: numbers(row),
        citizen: citizen(row).map(str::to_owned),
    })
}

/// The numbers a record adds when it counts.
fn numbers(row: &RecordRow) -> Vec<(Column, i32)> {
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

/// Moves the numbers of changed records (`before`, `after`; `None` for a record that did
/// not exist) in the rollups. Call inside the transaction of the changes.
pub fn apply(
    conn: &mut DbConn,
    changes: &[(Option<&RecordRow>, Option<&RecordRow>)],
) -> QueryResult<()> {
    let mut deltas = Rollups::default();
    for (before, after) in changes {
        if let Some(b) = before.and_then(contribution) {
            deltas.add(&b, -1);
        }
        if let Some(a) = after.and_then(contribution) {
            deltas.add(&a, 1);
        }
    }
    rollups::apply(conn, deltas)
}

fn count_into(out: &mut Rollups, rows: &[RecordRow]) {
    for c in rows.iter().filter_map(contribution) {
        out.add(&c, 1);
    }
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
        count_into(&mut out, &rows);
    }
    rollups::settle(conn, out)
}

/// Communes recounted per transaction by [`rebuild`]: bounds memory on big databases.
const REBUILD_COMMUNES: usize = 50;

/// Rebuilds the rollups from the records in one transaction (`gocua rebuild-rollups`),
/// recounting a few communes at a time so memory stays bounded at millions of records;
/// returns the rows written per table (daily, commune, citizen).
pub fn rebuild(conn: &mut DbConn) -> QueryResult<(usize, usize, usize)> {
    conn.transaction(|conn| {
        rollups::clear(conn)?;
        let communes: Vec<String> = records::table
            .select(records::commune_code)
            .distinct()
            .load(conn)?;
        let mut written = (0, 0, 0);
        for chunk in communes.chunks(REBUILD_COMMUNES) {
            let rows: Vec<RecordRow> = records::table
                .select(RecordRow::as_select())
                .filter(records::commune_code.eq_any(chunk))
                .load(conn)?;
            let mut fresh = Rollups::default();
            count_into(&mut fresh, &rows);
            fresh.drop_zeros();
            let sizes = fresh.sizes();
            rollups::apply(conn, fresh)?;
            written = (
                written.0 + sizes.0,
                written.1 + sizes.1,
                written.2 + sizes.2,
            );
        }
        Ok(written)
    })
}
