//! The rules of a record's life, shared by the single-record endpoints and sync:
//! who may log, read, change, review and void, idempotent create, duplicate flags, audit.

use chrono::{TimeDelta, Utc};
use diesel::Connection;

pub use super::error::{RecordError, RecordResult};
use super::input::{Context, Draft, Patch, from_row};
use super::model::{Kind, RecordRow, ReviewStatus};
use super::queries;
use crate::access::AuthUser;
use crate::access::teams::Memberships;
use crate::config::{Config, Secret};
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;
use crate::teams::MemberRole;

/// How long an author may change or void their own pending record.
pub const AUTHOR_EDIT_WINDOW: TimeDelta = TimeDelta::hours(72);

pub use super::model::Created;

/// What the record rules need of the server: two settings and the memberships read a
/// moment ago, rather than the whole shared state.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// How old a record's `occurred_at` may be when it arrives.
    pub late_sync_window: TimeDelta,
    /// The key citizen ids are hashed with.
    pub citizen_key: &'a Secret,
    /// Team memberships checked a moment ago.
    pub memberships: &'a Memberships,
}

impl<'a> Settings<'a> {
    /// The settings of `config`, with this node's memberships.
    pub fn new(config: &'a Config, memberships: &'a Memberships) -> Self {
        Self {
            late_sync_window: config.late_sync_window,
            citizen_key: &config.citizen_id_key,
            memberships,
        }
    }
}

fn context(settings: Settings<'_>, check_window: bool) -> Context<'_> {
    Context {
        now: Utc::now(),
        late_sync_window: settings.late_sync_window,
        citizen_key: settings.citizen_key,
        check_window,
    }
}

fn row_from(
    id: String,
    team: &crate::access::teams::Team,
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
        hamlet_code: draft.hamlet_code.clone(),
        household_id: draft.household_id.clone(),
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

pub mod batch;
mod create;

/// A record kind as the audit log names the object.
pub fn audited(kind: Kind) -> crate::audit::ObjectKind {
    use crate::audit::ObjectKind;
    match kind {
        Kind::Visit => ObjectKind::Visit,
        Kind::VneidAssist => ObjectKind::VneidAssist,
        Kind::SignatureRegistration => ObjectKind::SignatureRegistration,
        Kind::TrainingSession => ObjectKind::TrainingSession,
    }
}

pub use batch::{check_batch, store_batch};
pub use create::{Batch, prepare, prepare_known, prepare_one, store_all};
use create::{check_hamlet, check_household, check_visit, flag_duplicates};

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
    let pairs: [(&'static str, bool); 25] = [
        ("occurred_at", before.occurred_at != after.occurred_at),
        (
            "location",
            (before.lat, before.lon, before.accuracy_m) != (after.lat, after.lon, after.accuracy_m),
        ),
        ("hamlet", before.hamlet != after.hamlet),
        ("hamlet_code", before.hamlet_code != after.hamlet_code),
        ("note", before.note != after.note),
        ("household_ref", before.household_ref != after.household_ref),
        ("household_id", before.household_id != after.household_id),
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
    settings: Settings<'_>,
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
        .validate(&context(settings, check_window))
        .map_err(RecordError::Invalid)?;
    let mut errors = Vec::new();
    check_visit(conn, &draft, &row.team_id, &mut errors)?;
    check_hamlet(
        conn,
        &draft,
        &row.commune_code,
        &mut Batch::default(),
        &mut errors,
    )?;
    check_household(conn, &draft, &row.commune_code, &mut errors)?;
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors));
    }
    let team: crate::access::teams::Team = crate::teams::queries::find(conn, &row.team_id)?
        .ok_or_else(|| RecordError::UnknownTeam)?
        .into();
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
            crate::audit::AuditAction::RecordUpdate,
            (audited(row.kind), &row.id),
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
    super::tally::apply(conn, &[(Some(before), Some(&after))])?;
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
            crate::audit::AuditAction::RecordVoid,
            (audited(row.kind), &row.id),
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
            crate::audit::AuditAction::RecordReview,
            (audited(row.kind), &row.id),
            Some(&row.commune_code),
            format!("{} -> {}", row.review_status, status.as_str()),
        )?;
        finish_change(conn, &row)
    })
}
