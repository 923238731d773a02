//! Every query on `records`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{AssistAction, AssistResult, Kind, RecordRow, ReviewStatus, SignatureStatus};
use crate::access::Scope;
use crate::db::{DbConn, dialect};
use crate::schema::{records, team_members, units};

/// Which records a caller may read.
#[derive(Debug, Clone)]
pub enum Visibility {
    /// Supervisors and admins: records of communes in their scope.
    Scope(Scope),
    /// Volunteers: records of the teams they belong to.
    TeamsOf(String),
}

/// Filters of the record lists.
#[derive(Debug, Default, Clone)]
pub struct RecordFilter {
    /// Only this team.
    pub team: Option<String>,
    /// Only this author.
    pub volunteer: Option<String>,
    /// Only this commune, or the communes of this province.
    pub unit: Option<String>,
    /// First local day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive.
    pub to: Option<NaiveDate>,
    /// Only this review state.
    pub review_status: Option<ReviewStatus>,
}

/// Stores the rows whose id is new and returns their ids; a row left out existed already
/// (the caller compares). `ON CONFLICT DO NOTHING` makes two identical concurrent creates
/// store one row; [`dialect::insert_new_as_json`] gives each backend the statements it runs best.
pub fn insert_new(conn: &mut DbConn, rows: &[RecordRow]) -> QueryResult<Vec<String>> {
    dialect::insert_new_as_json(
        conn,
        "records",
        "id",
        rows,
        |row| row.id.clone(),
        |row| {
            diesel::insert_into(records::table)
                .values(row)
                .on_conflict_do_nothing()
        },
    )
}

/// Records by id (any order).
pub fn find_many(conn: &mut DbConn, ids: &[&str]) -> QueryResult<Vec<RecordRow>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        found.extend(
            records::table
                .filter(records::id.eq_any(chunk))
                .select(RecordRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// One record by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<RecordRow>> {
    records::table
        .find(id)
        .select(RecordRow::as_select())
        .first(conn)
        .optional()
}

/// What makes a record a repeat of another: the same kind and citizen, and the same
/// successful action (assists) or an issued signature. `None` for a record nothing repeats.
pub type RepeatKey = (Kind, String, &'static str);

/// The [`RepeatKey`] of a record from its columns.
pub fn repeat_key(
    kind: Kind,
    citizen_ref: Option<&str>,
    action: Option<AssistAction>,
    result: Option<AssistResult>,
    status: Option<SignatureStatus>,
) -> Option<RepeatKey> {
    let what = match kind {
        Kind::VneidAssist if result == Some(AssistResult::Success) => action?.as_str(),
        Kind::SignatureRegistration if status == Some(SignatureStatus::Issued) => {
            SignatureStatus::Issued.as_str()
        }
        _ => return None,
    };
    Some((kind, citizen_ref?.to_owned(), what))
}

/// A counted, unflagged record of one of the given citizens: what a new record may repeat.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = records)]
pub struct RepeatCandidate {
    /// Record id.
    pub id: String,
    /// Record kind.
    pub kind: Kind,
    /// Keyed hash of the citizen number.
    pub citizen_ref: Option<String>,
    /// Assist action.
    pub action: Option<AssistAction>,
    /// Assist result.
    pub result: Option<AssistResult>,
    /// Signature status.
    pub status: Option<SignatureStatus>,
    /// When the server stored it: the earliest is the original.
    pub received_at: NaiveDateTime,
}

/// Every counted record not itself flagged as a duplicate for these citizens, in one
/// query per thousand citizens instead of one per record (a batch has hundreds).
pub fn repeat_candidates(
    conn: &mut DbConn,
    citizen_refs: &[&str],
) -> QueryResult<Vec<RepeatCandidate>> {
    let mut found = Vec::new();
    for chunk in citizen_refs.chunks(1000) {
        found.extend(
            records::table
                .filter(records::citizen_ref.eq_any(chunk))
                .filter(records::voided.eq(false))
                .filter(records::review_status.ne(ReviewStatus::Rejected))
                .filter(records::duplicate_of.is_null())
                .select(RepeatCandidate::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Marks a record as a possible duplicate of an earlier one.
pub fn flag_duplicate(
    conn: &mut DbConn,
    id: &str,
    of: &str,
    note: &str,
    stamp: i64,
) -> QueryResult<()> {
    diesel::update(records::table.find(id))
        .set((
            records::review_status.eq(ReviewStatus::Flagged),
            records::duplicate_of.eq(of),
            records::review_note.eq(note),
            records::change_stamp.eq(stamp),
        ))
        .execute(conn)
        .map(drop)
}

/// Records of one kind visible to the caller, newest first by `(occurred_at, id)`.
pub fn list(
    conn: &mut DbConn,
    kind: Kind,
    visibility: &Visibility,
    filter: &RecordFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<RecordRow>> {
    let mut query = records::table
        .select(RecordRow::as_select())
        .filter(records::kind.eq(kind.as_str()))
        .into_boxed();
    let communes_of = |province: String| {
        units::table
            .select(units::code)
            .filter(units::parent_code.eq(province))
    };
    match visibility {
        Visibility::Scope(Scope::National) => {}
        Visibility::Scope(Scope::Province(p)) => {
            query = query.filter(records::commune_code.eq_any(communes_of(p.clone())))
        }
        Visibility::Scope(Scope::Commune(c)) => {
            query = query.filter(records::commune_code.eq(c.clone()))
        }
        Visibility::TeamsOf(user) => {
            query = query.filter(
                records::team_id.eq_any(
                    team_members::table
                        .select(team_members::team_id)
                        .filter(team_members::user_id.eq(user.clone())),
                ),
            )
        }
    }
    if let Some(team) = &filter.team {
        query = query.filter(records::team_id.eq(team.clone()));
    }
    if let Some(volunteer) = &filter.volunteer {
        query = query.filter(records::volunteer_id.eq(volunteer.clone()));
    }
    if let Some(unit) = &filter.unit {
        query = query.filter(
            records::commune_code
                .eq(unit.clone())
                .or(records::commune_code.eq_any(communes_of(unit.clone()))),
        );
    }
    if let Some(from) = filter.from {
        query = query.filter(records::occurred_on.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(records::occurred_on.le(to));
    }
    if let Some(status) = filter.review_status {
        query = query.filter(records::review_status.eq(status));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            records::occurred_at
                .lt(at)
                .or(records::occurred_at.eq(at).and(records::id.lt(id))),
        );
    }
    query
        .order((records::occurred_at.desc(), records::id.desc()))
        .limit(limit)
        .load(conn)
}

/// Replaces a record's content if nobody changed it since `seen` (optimistic concurrency);
/// `false` means it changed meanwhile.
pub fn replace_content(
    conn: &mut DbConn,
    row: &RecordRow,
    seen: NaiveDateTime,
    stamp: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        records::table
            .find(&row.id)
            .filter(records::updated_at.eq(seen))
            .filter(records::voided.eq(false)),
    )
    .set((
        records::occurred_at.eq(row.occurred_at),
        records::occurred_on.eq(row.occurred_on),
        records::lat.eq(row.lat),
        records::lon.eq(row.lon),
        records::accuracy_m.eq(row.accuracy_m),
        records::hamlet.eq(&row.hamlet),
        records::note.eq(&row.note),
        records::household_ref.eq(&row.household_ref),
        records::outcome.eq(&row.outcome),
        records::people_guided.eq(row.people_guided),
        records::topics.eq(&row.topics),
        records::visit_id.eq(&row.visit_id),
        records::citizen_ref.eq(&row.citizen_ref),
        records::birth_year.eq(row.birth_year),
        records::sex.eq(&row.sex),
        records::action.eq(&row.action),
        records::result.eq(&row.result),
        records::failure_reason.eq(&row.failure_reason),
        records::provider.eq(&row.provider),
        records::status.eq(&row.status),
        records::format.eq(&row.format),
        records::audience.eq(&row.audience),
        records::attendees.eq(row.attendees),
        records::people_helped.eq(row.people_helped),
        records::duration_minutes.eq(row.duration_minutes),
        records::venue.eq(&row.venue),
        records::hamlet_code.eq(&row.hamlet_code),
        records::household_id.eq(&row.household_id),
        records::content_hash.eq(&row.content_hash),
        records::updated_at.eq(row.updated_at),
        records::change_stamp.eq(stamp),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Sets a review if the record is not voided and unchanged since `seen`.
#[allow(clippy::too_many_arguments)]
pub fn review(
    conn: &mut DbConn,
    id: &str,
    seen: NaiveDateTime,
    status: &str,
    by: &str,
    note: Option<&str>,
    at: NaiveDateTime,
    stamp: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        records::table
            .find(id)
            .filter(records::updated_at.eq(seen))
            .filter(records::voided.eq(false)),
    )
    .set((
        records::review_status.eq(status),
        records::reviewed_by.eq(by),
        records::reviewed_at.eq(at),
        records::review_note.eq(note),
        records::updated_at.eq(at),
        records::change_stamp.eq(stamp),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Voids a record if it is not voided yet.
pub fn void(
    conn: &mut DbConn,
    id: &str,
    reason: &str,
    by: &str,
    at: NaiveDateTime,
    stamp: i64,
) -> QueryResult<bool> {
    let n = diesel::update(records::table.find(id).filter(records::voided.eq(false)))
        .set((
            records::voided.eq(true),
            records::void_reason.eq(reason),
            records::voided_by.eq(by),
            records::voided_at.eq(at),
            records::updated_at.eq(at),
            records::change_stamp.eq(stamp),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// An author's records changed after their create, in change order from just after `after`
/// (a `(stamp, id)` position), below `settled` when given; each with its stamp.
pub fn changes_after(
    conn: &mut DbConn,
    volunteer_id: &str,
    after: Option<(i64, String)>,
    settled: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(RecordRow, i64)>> {
    let mut query = records::table
        .filter(records::volunteer_id.eq(volunteer_id.to_owned()))
        .filter(records::change_stamp.is_not_null())
        .select((
            RecordRow::as_select(),
            records::change_stamp.assume_not_null(),
        ))
        .into_boxed();
    if let Some((stamp, id)) = after {
        query = query.filter(
            records::change_stamp
                .gt(stamp)
                .or(records::change_stamp.eq(stamp).and(records::id.gt(id))),
        );
    }
    if let Some(settled) = settled {
        query = query.filter(records::change_stamp.lt(settled));
    }
    query
        .order((records::change_stamp.asc(), records::id.asc()))
        .limit(limit)
        .load(conn)
}

/// Whether an author has a committed change after `after` at or above `settled`: one the
/// delta pull holds back until every transaction that could still commit below it has ended.
pub fn has_unsettled_change(
    conn: &mut DbConn,
    volunteer_id: &str,
    after: (i64, String),
    settled: i64,
) -> QueryResult<bool> {
    let (stamp, id) = after;
    diesel::select(diesel::dsl::exists(
        records::table
            .filter(records::volunteer_id.eq(volunteer_id.to_owned()))
            .filter(records::change_stamp.ge(settled))
            .filter(
                records::change_stamp
                    .gt(stamp)
                    .or(records::change_stamp.eq(stamp).and(records::id.gt(id))),
            ),
    ))
    .get_result(conn)
}

/// Every non-voided record of communes in `scope` (optionally one unit's) between two local
/// days, for integrity checks, oldest first.
pub fn in_period(
    conn: &mut DbConn,
    scope: &Scope,
    unit: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<RecordRow>> {
    let filter = RecordFilter {
        unit: unit.map(str::to_owned),
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let mut rows = Vec::new();
    for &kind in Kind::ALL {
        let mut after = None;
        loop {
            let page = list(
                conn,
                kind,
                &Visibility::Scope(scope.clone()),
                &filter,
                after,
                5000,
            )?;
            let done = page.len() < 5000;
            after = page.last().map(|r| (r.occurred_at, r.id.clone()));
            rows.extend(page.into_iter().filter(|r| !r.voided));
            if done {
                break;
            }
        }
    }
    rows.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    Ok(rows)
}
