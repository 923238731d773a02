//! Creating records: checking a submission for its caller (teams, the visit it names) and
//! storing prepared rows together with their duplicate flags and audit entries, for the
//! single endpoints, the create groups and sync alike.

use std::collections::{HashMap, HashSet};

use diesel::Connection;

use crate::access::AuthUser;
use crate::access::teams::Team;
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;
use crate::records::error::{RecordError, RecordResult};
use crate::records::input::{Draft, Submission, record_id};
use crate::records::model::{Kind, RecordRow, ReviewStatus};
use crate::records::queries;

use super::{Created, Settings, context, event, row_from};

/// Checks that `visit_id` names a visit of the same team.
pub(super) fn check_visit(
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

/// Checks that `hamlet_code` names a hamlet of the record's commune, current or closed (a
/// phone's list may be old: a closed hamlet is never refused). Hamlets are never deleted
/// nor moved, so a batch remembers the codes it found.
pub(super) fn check_hamlet(
    conn: &mut DbConn,
    draft: &Draft,
    commune: &str,
    batch: &mut Batch,
    errors: &mut Vec<FieldError>,
) -> RecordResult<()> {
    let Some(code) = &draft.hamlet_code else {
        return Ok(());
    };
    let ours = crate::units::hamlets::commune_of(code) == Some(commune)
        && (batch.hamlets.contains(code)
            || crate::units::hamlets::queries::find(conn, code)?.is_some());
    if ours {
        batch.hamlets.insert(code.clone());
    } else {
        errors.push(FieldError::new(
            "hamlet_code",
            "wrong_hamlet",
            msg::WRONG_HAMLET,
        ));
    }
    Ok(())
}

/// Checks that `household_id` names a household of the record's commune (open or closed: a
/// phone may visit before it hears of a closing). Households of the same sync batch are
/// stored before its visits, so they are found.
pub(super) fn check_household(
    conn: &mut DbConn,
    draft: &Draft,
    commune: &str,
    errors: &mut Vec<FieldError>,
) -> RecordResult<()> {
    let Some(id) = &draft.household_id else {
        return Ok(());
    };
    let ours =
        crate::households::queries::find(conn, id)?.is_some_and(|h| h.commune_code == commune);
    if !ours {
        errors.push(FieldError::new(
            "household_id",
            "unknown_household",
            msg::UNKNOWN_HOUSEHOLD,
        ));
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
pub(super) fn flag_duplicates(
    conn: &mut DbConn,
    rows: &mut [RecordRow],
) -> diesel::QueryResult<()> {
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
    hamlets: HashSet<String>,
}

/// What the caller may do with a team, remembered per batch.
#[derive(Clone)]
enum TeamAccess {
    Member(Team),
    Hidden,
    NotMember,
}

impl Batch {
    /// The team a record is for, if the caller may log for it: 404 if they cannot see it,
    /// 403 for a supervisor in scope who is not a member.
    fn team(
        &mut self,
        conn: &mut DbConn,
        settings: Settings<'_>,
        caller: &AuthUser,
        team_id: &str,
    ) -> RecordResult<Team> {
        let access = match self.teams.get(team_id) {
            Some(known) => known.clone(),
            None => {
                let found = crate::teams::access::find_with_member(
                    conn,
                    settings.memberships,
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
    settings: Settings<'_>,
    caller: &AuthUser,
    submission: Submission,
    batch: &mut Batch,
) -> RecordResult<RecordRow> {
    let Some(team_id) = submission.team_id.clone() else {
        // Without a team there is no membership to check: list every failing field.
        let errors = submission
            .validate(&context(settings, true))
            .err()
            .unwrap_or_default();
        return Err(RecordError::Invalid(errors));
    };
    let team = batch.team(conn, settings, caller, &team_id)?;
    prepare_for(Some(conn), settings, caller, submission, team, batch)
}

/// Prepares a single create from what this node already knows, without a database
/// connection: a member's team read a moment ago ([`crate::access::teams::Memberships`]),
/// and no visit to look up. `None` when a look-up is needed ([`prepare_one`] then).
pub fn prepare_known(
    settings: Settings<'_>,
    caller: &AuthUser,
    submission: &Submission,
) -> Option<RecordResult<RecordRow>> {
    if submission.fields.visit_id().is_some()
        || submission.fields.household_id().is_some()
        || submission.common.hamlet_code.is_some()
    {
        return None;
    }
    let team_id = submission.team_id.clone()?;
    let Some((team, true)) = settings.memberships.get(&(team_id, caller.id.clone()))? else {
        return None;
    };
    let mut batch = Batch::default();
    Some(prepare_for(
        None,
        settings,
        caller,
        submission.clone(),
        team,
        &mut batch,
    ))
}

/// The rules of [`prepare`] once the caller may log for `team`; `conn` is only used to look
/// up a `visit_id` outside the batch and a `hamlet_code` (never `None` then).
fn prepare_for(
    conn: Option<&mut DbConn>,
    settings: Settings<'_>,
    caller: &AuthUser,
    submission: Submission,
    team: Team,
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
    let draft = match submission.validate(&context(settings, true)) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if let (Some(d), Some(conn)) = (&draft, conn) {
        let in_batch = d.visit_id.as_ref().and_then(|v| batch.visits.get(v));
        if in_batch != Some(&team.id) {
            check_visit(conn, d, &team.id, &mut errors)?;
        }
        check_hamlet(conn, d, &team.commune_code, batch, &mut errors)?;
        check_household(conn, d, &team.commune_code, &mut errors)?;
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
                    crate::audit::AuditAction::RecordCreate,
                    (super::audited(row.kind), &row.id),
                    Some(&row.commune_code),
                    format!("logged {} for team {}", row.kind, row.team_id),
                )
            })
            .collect();
        crate::audit::insert_all(conn, &entries)?;
        let changes: Vec<(Option<&RecordRow>, Option<&RecordRow>)> =
            created.iter().map(|r| (None, Some(r))).collect();
        crate::records::tally::apply(conn, &changes)?;
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
                let unlinked =
                    current.content_hash == crate::records::citizen::UNLINKED_FINGERPRINT;
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
    settings: Settings<'_>,
    caller: &AuthUser,
    submission: Submission,
) -> RecordResult<RecordRow> {
    prepare(conn, settings, caller, submission, &mut Batch::default())
}
