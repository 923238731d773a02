//! The rules of a record's life, shared by the single-record endpoints and (later) sync:
//! who may log, read, change, review and void, idempotent create, duplicate flags, audit.

use std::collections::{HashMap, HashSet};

use chrono::{TimeDelta, Utc};
use diesel::Connection;

pub use super::error::{RecordError, RecordResult};
use super::input::{Context, Draft, Patch, Submission, from_row, record_id};
use super::model::{Kind, RecordRow, ReviewStatus};
use super::queries;
use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;
use crate::state::AppState;
use crate::teams::MemberRole;
use crate::teams::model::TeamRow;

/// How long an author may change or void their own pending record.
pub const AUTHOR_EDIT_WINDOW: TimeDelta = TimeDelta::hours(72);

pub use super::model::Created;

fn context(state: &AppState, check_window: bool) -> Context<'_> {
    Context {
        now: Utc::now(),
        late_sync_window: state.config.late_sync_window,
        citizen_key: &state.config.citizen_id_key,
        check_window,
    }
}

fn row_from(
    id: String,
    team: &crate::teams::model::TeamRow,
    volunteer_id: &str,
    draft: &Draft,
) -> RecordRow {
    let now = crate::clock::now();
    RecordRow {
        id,
        kind: draft.kind,
        team_id: team.id.clone(),
        volunteer_id: volunteer_id.to_owned(),
        commune_code: team.commune_code.clone(),
        occurred_at: draft.occurred_at,
        occurred_on: draft.occurred_on,
        lat: draft.location.map(|l| l.lat),
        lon: draft.location.map(|l| l.lon),
        accuracy_m: draft.location.and_then(|l| l.accuracy_m),
        hamlet: draft.hamlet.clone(),
        note: draft.note.clone(),
        household_ref: draft.household_ref.clone(),
        outcome: draft.outcome,
        people_guided: draft.people_guided,
        topics: draft.topics.clone(),
        visit_id: draft.visit_id.clone(),
        citizen_ref: draft.citizen_ref.clone(),
        birth_year: draft.birth_year,
        sex: draft.sex,
        action: draft.action,
        result: draft.result,
        failure_reason: draft.failure_reason,
        provider: draft.provider.clone(),
        status: draft.status,
        content_hash: super::fingerprint::v1(volunteer_id, &team.id, draft),
        received_at: now,
        updated_at: now,
        review_status: ReviewStatus::Pending,
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
        duplicate_of: None,
        voided: false,
        void_reason: None,
        voided_by: None,
        voided_at: None,
        format: draft.format,
        audience: draft.audience.clone(),
        attendees: draft.attendees,
        people_helped: draft.people_helped,
        duration_minutes: draft.duration_minutes,
        venue: draft.venue.clone(),
    }
}

/// Loads a record of `kind` the caller may read: supervisors in scope, or members of its
/// team. Anything else, a record of another kind included, is 404.
pub fn readable(
    conn: &mut DbConn,
    caller: &AuthUser,
    kind: Kind,
    id: &str,
) -> RecordResult<RecordRow> {
    let not_found = || RecordError::RecordNotFound;
    let row = queries::find(conn, id)?
        .filter(|r| r.kind == kind)
        .ok_or_else(not_found)?;
    let visible = if caller.role.is_supervisor() {
        crate::units::in_scope(conn, &caller.scope, &row.commune_code)?
    } else {
        crate::teams::queries::membership(conn, &row.team_id, &caller.id)?.is_some()
    };
    if visible { Ok(row) } else { Err(not_found()) }
}

/// Checks that `visit_id` names a visit of the same team.
fn check_visit(
    conn: &mut DbConn,
    draft: &Draft,
    team_id: &str,
    errors: &mut Vec<FieldError>,
) -> RecordResult<()> {
    if let Some(visit_id) = &draft.visit_id {
        let ok = queries::find(conn, visit_id)?
            .is_some_and(|v| v.kind == Kind::Visit && v.team_id == team_id);
        if !ok {
            errors.push(FieldError::new(
                "visit_id",
                "unknown_visit",
                msg::UNKNOWN_VISIT,
            ));
        }
    }
    Ok(())
}

fn repeat_key_of(row: &RecordRow) -> Option<queries::RepeatKey> {
    if row.review_status != ReviewStatus::Pending {
        return None;
    }
    queries::repeat_key(
        row.kind,
        row.citizen_ref.as_deref(),
        row.action,
        row.result,
        row.status,
    )
}

/// Flags each pending row that repeats a counted success for the same citizen: a record
/// stored before (the earliest received), or else an earlier row of `rows`, which come in
/// the order they were logged. Looks the citizens up once for all rows, and updates the
/// rows in memory as in the database, so the caller need not read them back.
fn flag_duplicates(conn: &mut DbConn, rows: &mut [RecordRow]) -> diesel::QueryResult<()> {
    let keys: Vec<Option<queries::RepeatKey>> = rows.iter().map(repeat_key_of).collect();
    let mut refs: Vec<&str> = keys.iter().flatten().map(|k| k.1.as_str()).collect();
    if refs.is_empty() {
        return Ok(());
    }
    refs.sort_unstable();
    refs.dedup();
    let own: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut originals: HashMap<queries::RepeatKey, (chrono::NaiveDateTime, String)> =
        HashMap::new();
    for c in queries::repeat_candidates(conn, &refs)? {
        if own.contains(c.id.as_str()) {
            continue;
        }
        let key = queries::repeat_key(
            c.kind,
            c.citizen_ref.as_deref(),
            c.action,
            c.result,
            c.status,
        );
        if let Some(key) = key {
            let candidate = (c.received_at, c.id);
            match originals.get(&key) {
                Some(known) if *known <= candidate => {}
                _ => {
                    originals.insert(key, candidate);
                }
            }
        }
    }
    let mut flags = Vec::new();
    for (i, key) in keys.into_iter().enumerate() {
        let Some(key) = key else { continue };
        match originals.get(&key) {
            Some((_, earlier)) => flags.push((i, earlier.clone())),
            None => {
                originals.insert(key, (rows[i].received_at, rows[i].id.clone()));
            }
        }
    }
    if flags.is_empty() {
        return Ok(());
    }
    // Flagged at create is still a change the phone must pull: its sync answer said `created`.
    let stamp = crate::db::change_stamp(conn)?;
    for (i, earlier) in flags {
        let note = format!(
            "Có thể trùng với bản ghi {earlier} (possible duplicate: same citizen, same result)"
        );
        let row = &mut rows[i];
        queries::flag_duplicate(conn, &row.id, &earlier, &note, stamp)?;
        row.review_status = ReviewStatus::Flagged;
        row.duplicate_of = Some(earlier);
        row.review_note = Some(note);
    }
    Ok(())
}

/// What a batch already knows while preparing records: the caller's teams (looked up once
/// each) and the visits of the batch itself, which later records may point at.
#[derive(Default)]
pub struct Batch {
    teams: HashMap<String, TeamAccess>,
    visits: HashMap<String, String>,
}

/// What the caller may do with a team, remembered per batch.
#[derive(Clone)]
enum TeamAccess {
    Member(TeamRow),
    Hidden,
    NotMember,
}

impl Batch {
    /// The team a record is for, if the caller may log for it: 404 if they cannot see it,
    /// 403 for a supervisor in scope who is not a member.
    fn team(
        &mut self,
        conn: &mut DbConn,
        state: &AppState,
        caller: &AuthUser,
        team_id: &str,
    ) -> RecordResult<TeamRow> {
        let access = match self.teams.get(team_id) {
            Some(known) => known.clone(),
            None => {
                let found = crate::teams::access::find_with_member(
                    conn,
                    &state.memberships,
                    team_id,
                    &caller.id,
                )?;
                let access = match found {
                    None => TeamAccess::Hidden,
                    Some((team, true)) => TeamAccess::Member(team),
                    Some((team, false))
                        if caller.role.is_supervisor()
                            && crate::units::in_scope(conn, &caller.scope, &team.commune_code)? =>
                    {
                        TeamAccess::NotMember
                    }
                    Some(_) => TeamAccess::Hidden,
                };
                self.teams.insert(team_id.to_owned(), access.clone());
                access
            }
        };
        match access {
            TeamAccess::Member(team) => Ok(team),
            TeamAccess::Hidden => Err(RecordError::UnknownTeam),
            TeamAccess::NotMember => Err(RecordError::NotAMember),
        }
    }
}

/// Checks a submission for the caller and turns it into the row to store. Shared by the
/// single endpoints and sync, so both apply exactly the same rules.
pub fn prepare(
    conn: &mut DbConn,
    state: &AppState,
    caller: &AuthUser,
    submission: Submission,
    batch: &mut Batch,
) -> RecordResult<RecordRow> {
    let Some(team_id) = submission.team_id.clone() else {
        // Without a team there is no membership to check: list every failing field.
        let errors = submission
            .validate(&context(state, true))
            .err()
            .unwrap_or_default();
        return Err(RecordError::Invalid(errors));
    };
    let team = batch.team(conn, state, caller, &team_id)?;
    prepare_for(Some(conn), state, caller, submission, team, batch)
}

/// Prepares a single create from what this node already knows, without a database
/// connection: a member's team read a moment ago ([`crate::teams::access::Memberships`]),
/// and no visit to look up. `None` when a look-up is needed ([`prepare_one`] then).
pub fn prepare_known(
    state: &AppState,
    caller: &AuthUser,
    submission: &Submission,
) -> Option<RecordResult<RecordRow>> {
    if submission.fields.visit_id().is_some() {
        return None;
    }
    let team_id = submission.team_id.clone()?;
    let Some((team, true)) = state.memberships.get(&(team_id, caller.id.clone()))? else {
        return None;
    };
    let mut batch = Batch::default();
    Some(prepare_for(
        None,
        state,
        caller,
        submission.clone(),
        team,
        &mut batch,
    ))
}

/// The rules of [`prepare`] once the caller may log for `team`; `conn` is only used to look
/// up a `visit_id` outside the batch (never `None` then).
fn prepare_for(
    conn: Option<&mut DbConn>,
    state: &AppState,
    caller: &AuthUser,
    submission: Submission,
    team: TeamRow,
    batch: &mut Batch,
) -> RecordResult<RecordRow> {
    let mut errors = Vec::new();
    let id = record_id(submission.id.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    if !team.active {
        errors.push(FieldError::new(
            "team_id",
            "inactive_team",
            msg::TEAM_INACTIVE,
        ));
    }
    let draft = match submission.validate(&context(state, true)) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if let Some(d) = &draft {
        let in_batch = d.visit_id.as_ref().and_then(|v| batch.visits.get(v));
        if in_batch != Some(&team.id)
            && let Some(conn) = conn
        {
            check_visit(conn, d, &team.id, &mut errors)?;
        }
    }
    let (Some(id), Some(draft), true) = (id, draft, errors.is_empty()) else {
        return Err(RecordError::Invalid(errors));
    };
    if draft.kind == Kind::Visit {
        batch.visits.insert(id.clone(), team.id.clone());
    }
    Ok(row_from(id, &team, &caller.id, &draft))
}

/// Rows per multi-row INSERT: 37 columns × 500 stays under SQLite's 32,766 bind parameters
/// (PostgreSQL allows 65,535).
const INSERT_CHUNK: usize = 500;

/// Stores prepared rows in one transaction with multi-row inserts, then answers for each,
/// in order: stored now, already stored with the same content, or the id taken by other
/// content. Duplicate flags and audit entries (by each row's author, so one call may store
/// several volunteers' creates: group commit, `records/group.rs`) are written in the same transaction. Only
/// rows that existed before are read back: a new row is stored exactly as prepared (flags
/// applied).
pub fn store_all(conn: &mut DbConn, rows: Vec<RecordRow>) -> RecordResult<Vec<Created>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The inserts come first so that, on SQLite, the transaction takes the write lock at
    // once instead of upgrading a read snapshot (which fails under concurrent writers).
    conn.transaction::<_, RecordError, _>(|conn| {
        let mut inserted = HashSet::new();
        for chunk in rows.chunks(INSERT_CHUNK) {
            inserted.extend(queries::insert_new(conn, chunk)?);
        }
        // A batch may carry one id twice: only its first occurrence was stored now.
        let mut claimed = HashSet::new();
        let fresh: Vec<bool> = rows
            .iter()
            .map(|r| inserted.contains(&r.id) && claimed.insert(r.id.clone()))
            .collect();
        let mut created = Vec::new();
        let mut sent_again = Vec::new();
        for (row, fresh) in rows.into_iter().zip(&fresh) {
            if *fresh {
                created.push(row);
            } else {
                sent_again.push(row);
            }
        }
        flag_duplicates(conn, &mut created)?;
        let entries: Vec<_> = created
            .iter()
            .map(|row| {
                crate::audit::Entry::new(
                    Some(&row.volunteer_id),
                    "record.create",
                    (row.kind.as_str(), &row.id),
                    Some(&row.commune_code),
                    format!("logged {} for team {}", row.kind, row.team_id),
                )
            })
            .collect();
        crate::audit::insert_all(conn, &entries)?;
        let changes: Vec<(Option<&RecordRow>, Option<&RecordRow>)> =
            created.iter().map(|r| (None, Some(r))).collect();
        crate::stats::rollups::apply(conn, &changes)?;
        let events: Vec<_> = created
            .iter()
            .map(|r| event(crate::outbox::EventType::RecordCreated, r))
            .collect();
        crate::outbox::enqueue(conn, &events)?;
        let earlier: Vec<&str> = sent_again.iter().map(|r| r.id.as_str()).collect();
        let stored: HashMap<String, RecordRow> = queries::find_many(conn, &earlier)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let mut created = created.into_iter();
        let mut sent_again = sent_again.into_iter();
        // Every row is either new or found again: a missing one means it vanished meanwhile.
        fresh
            .into_iter()
            .map(|fresh| {
                if fresh {
                    return created
                        .next()
                        .map(Created::New)
                        .ok_or(RecordError::RecordNotFound);
                }
                let row = sent_again.next().ok_or(RecordError::RecordNotFound)?;
                let current = stored.get(&row.id).ok_or(RecordError::RecordNotFound)?;
                // An erased record cannot be compared (its fingerprint went with the link):
                // a phone sending it again gets `unchanged`, never a refusal.
                let unlinked = current.content_hash == super::citizen::UNLINKED_FINGERPRINT;
                Ok(if unlinked || current.content_hash == row.content_hash {
                    Created::Unchanged(current.clone())
                } else {
                    Created::IdTaken
                })
            })
            .collect()
    })
}

/// Checks a single submission and turns it into the row to store (the first half of a
/// create, on a read connection); [`store_all`] then stores it on the write connection, so
/// SQLite's one writer never waits on these look-ups.
pub fn prepare_one(
    conn: &mut DbConn,
    state: &AppState,
    caller: &AuthUser,
    submission: Submission,
) -> RecordResult<RecordRow> {
    prepare(conn, state, caller, submission, &mut Batch::default())
}

/// Whether the caller is the author, still inside the edit window of a pending record.
fn author_may_edit(caller: &AuthUser, row: &RecordRow) -> bool {
    row.volunteer_id == caller.id
        && row.review_status == ReviewStatus::Pending
        && Utc::now().naive_utc() - row.received_at <= AUTHOR_EDIT_WINDOW
}

/// 403 unless the caller may change or void the record (author in window, or supervisor
/// in scope); 409 if it is voided.
fn require_editor(conn: &mut DbConn, caller: &AuthUser, row: &RecordRow) -> RecordResult<()> {
    if row.voided {
        return Err(RecordError::Voided);
    }
    let supervisor = caller.role.is_supervisor()
        && crate::units::in_scope(conn, &caller.scope, &row.commune_code)?;
    if supervisor || author_may_edit(caller, row) {
        Ok(())
    } else {
        Err(RecordError::NotAnEditor)
    }
}

/// Names of the content fields that differ between two versions of a record.
fn changed_fields(before: &RecordRow, after: &RecordRow) -> Vec<&'static str> {
    let pairs: [(&'static str, bool); 23] = [
        ("occurred_at", before.occurred_at != after.occurred_at),
        (
            "location",
            (before.lat, before.lon, before.accuracy_m) != (after.lat, after.lon, after.accuracy_m),
        ),
        ("hamlet", before.hamlet != after.hamlet),
        ("note", before.note != after.note),
        ("household_ref", before.household_ref != after.household_ref),
        ("outcome", before.outcome != after.outcome),
        ("people_guided", before.people_guided != after.people_guided),
        ("topics", before.topics != after.topics),
        ("visit_id", before.visit_id != after.visit_id),
        ("citizen", before.citizen_ref != after.citizen_ref),
        ("birth_year", before.birth_year != after.birth_year),
        ("sex", before.sex != after.sex),
        ("action", before.action != after.action),
        ("result", before.result != after.result),
        (
            "failure_reason",
            before.failure_reason != after.failure_reason,
        ),
        ("provider", before.provider != after.provider),
        ("status", before.status != after.status),
        ("format", before.format != after.format),
        ("audience", before.audience != after.audience),
        ("attendees", before.attendees != after.attendees),
        ("people_helped", before.people_helped != after.people_helped),
        (
            "duration_minutes",
            before.duration_minutes != after.duration_minutes,
        ),
        ("venue", before.venue != after.venue),
    ];
    pairs
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| name)
        .collect()
}

/// Changes a record's content (never its id, team or author).
pub fn update(
    conn: &mut DbConn,
    state: &AppState,
    caller: &AuthUser,
    kind: Kind,
    id: &str,
    patch: Patch,
) -> RecordResult<RecordRow> {
    let row = readable(conn, caller, kind, id)?;
    require_editor(conn, caller, &row)?;
    let check_window = patch.moves_occurred_at();
    let merged = patch.apply(from_row(&row));
    let draft = merged
        .validate(&context(state, check_window))
        .map_err(RecordError::Invalid)?;
    let mut errors = Vec::new();
    check_visit(conn, &draft, &row.team_id, &mut errors)?;
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors));
    }
    let team =
        crate::teams::queries::find(conn, &row.team_id)?.ok_or_else(|| RecordError::UnknownTeam)?;
    let mut next = row_from(row.id.clone(), &team, &row.volunteer_id, &draft);
    next.received_at = row.received_at;
    next.review_status = row.review_status;
    let changed = changed_fields(&row, &next);
    conn.transaction::<_, RecordError, _>(|conn| {
        unlocked(conn, &row.commune_code, row.occurred_on)?;
        unlocked(conn, &row.commune_code, next.occurred_on)?;
        let stamp = crate::db::change_stamp(conn)?;
        if !queries::replace_content(conn, &next, row.updated_at, stamp)? {
            return Err(RecordError::Changed);
        }
        if row.duplicate_of.is_none() {
            flag_duplicates(conn, std::slice::from_mut(&mut next))?;
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            "record.update",
            (row.kind.as_str(), &row.id),
            Some(&row.commune_code),
            format!("changed {}", changed.join(", ")),
        )?;
        finish_change(conn, &row)
    })
}

/// Refuses a change, void or review of a record whose commune and day lie in a period an
/// accepted certification locks. Creates never ask: an offline phone must not lose work.
/// Checked inside the change's transaction, so a lock committed before it is always seen.
fn unlocked(conn: &mut DbConn, commune: &str, day: chrono::NaiveDate) -> RecordResult<()> {
    match crate::periods::locked_by(conn, commune, day)? {
        Some(certification) => Err(RecordError::Locked(certification)),
        None => Ok(()),
    }
}

/// Re-reads a record after a change inside its transaction and moves its numbers in the
/// rollups from the old version to the new one.
fn finish_change(conn: &mut DbConn, before: &RecordRow) -> RecordResult<RecordRow> {
    let after = queries::find(conn, &before.id)?.ok_or_else(|| RecordError::RecordNotFound)?;
    crate::stats::rollups::apply(conn, &[(Some(before), Some(&after))])?;
    crate::outbox::enqueue(
        conn,
        &[event(crate::outbox::EventType::RecordChanged, &after)],
    )?;
    Ok(after)
}

/// A webhook event about a record: the record as the API shows it, with its kind (the view
/// never holds the citizen id or its hash).
fn event(kind: crate::outbox::EventType, row: &RecordRow) -> crate::outbox::Event {
    let mut data = serde_json::to_value(super::views::RecordView::from(row)).unwrap_or_default();
    data["kind"] = serde_json::json!(row.kind.as_str());
    crate::outbox::Event {
        kind,
        unit_code: row.commune_code.clone(),
        data,
    }
}

/// Voids a record: kept, shown as voided, never counted.
pub fn void(
    conn: &mut DbConn,
    caller: &AuthUser,
    kind: Kind,
    id: &str,
    reason: &str,
) -> RecordResult<RecordRow> {
    let row = readable(conn, caller, kind, id)?;
    require_editor(conn, caller, &row)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > super::input::NOTE_MAX {
        return Err(RecordError::Invalid(vec![FieldError::new(
            "reason",
            "length",
            msg::length(1, super::input::NOTE_MAX),
        )]));
    }
    conn.transaction::<_, RecordError, _>(|conn| {
        unlocked(conn, &row.commune_code, row.occurred_on)?;
        let stamp = crate::db::change_stamp(conn)?;
        if !queries::void(
            conn,
            &row.id,
            reason,
            &caller.id,
            crate::clock::now(),
            stamp,
        )? {
            return Err(RecordError::Voided);
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            "record.void",
            (row.kind.as_str(), &row.id),
            Some(&row.commune_code),
            "voided",
        )?;
        finish_change(conn, &row)
    })
}

/// Reviews a record: a supervisor in scope, or the lead of its team; never the author.
pub fn review(
    conn: &mut DbConn,
    caller: &AuthUser,
    kind: Kind,
    id: &str,
    status: ReviewStatus,
    note: Option<String>,
) -> RecordResult<RecordRow> {
    let row = readable(conn, caller, kind, id)?;
    if row.volunteer_id == caller.id {
        return Err(RecordError::OwnRecord);
    }
    let supervisor = caller.role.is_supervisor()
        && crate::units::in_scope(conn, &caller.scope, &row.commune_code)?;
    let lead = crate::teams::queries::membership(conn, &row.team_id, &caller.id)?
        .is_some_and(|m| m.role == MemberRole::Lead);
    if !supervisor && !lead {
        return Err(RecordError::NotAReviewer);
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let mut errors = Vec::new();
    if !super::model::REVIEW_DECISIONS.contains(&status) {
        errors.push(FieldError::new(
            "status",
            "invalid_choice",
            msg::REVIEW_STATUS_CHOICE,
        ));
    }
    if status == ReviewStatus::Rejected && note.is_none() {
        errors.push(FieldError::new(
            "note",
            "required",
            msg::REJECT_REASON_REQUIRED,
        ));
    }
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > super::input::NOTE_MAX)
    {
        errors.push(FieldError::new(
            "note",
            "too_long",
            msg::at_most_chars(super::input::NOTE_MAX),
        ));
    }
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors));
    }
    if row.voided {
        return Err(RecordError::Voided);
    }
    conn.transaction::<_, RecordError, _>(|conn| {
        unlocked(conn, &row.commune_code, row.occurred_on)?;
        let at = crate::clock::now();
        let stamp = crate::db::change_stamp(conn)?;
        if !queries::review(
            conn,
            &row.id,
            row.updated_at,
            status.as_str(),
            &caller.id,
            note.as_deref(),
            at,
            stamp,
        )? {
            return Err(RecordError::Changed);
        }
        crate::audit::record(
            conn,
            Some(&caller.id),
            "record.review",
            (row.kind.as_str(), &row.id),
            Some(&row.commune_code),
            format!("{} -> {}", row.review_status, status.as_str()),
        )?;
        finish_change(conn, &row)
    })
}
