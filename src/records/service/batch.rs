//! A sync batch: every record checked and stored exactly as a single create would be, each
//! with an outcome of its own, so that one bad record never rejects the others. Checked on
//! a read connection and stored on the write connection, so SQLite's one writer never
//! waits on a batch's validation and look-ups.

use super::{Batch, Created, RecordError, RecordResult, Settings, prepare, store_all};
use crate::access::AuthUser;
use crate::db::DbConn;
use crate::error::FieldError;
use crate::messages as msg;
use crate::records::input::Submission;
use crate::records::model::{Kind, RecordRow};

/// One record of a batch as the edge read it: its kind, the id it was sent with, and the
/// submission, or why it could not be read at all.
#[derive(Debug)]
pub struct Item {
    /// Its kind.
    pub kind: Kind,
    /// The id it was sent with, if any.
    pub sent_id: Option<String>,
    /// What it says.
    pub submission: Result<Submission, Vec<FieldError>>,
}

/// What happened to one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored now, durably.
    Created,
    /// Already stored with the same content (a retry).
    Unchanged,
    /// Its id is stored with other content; nothing was changed.
    Conflict,
    /// Not stored, for these reasons.
    Invalid(Vec<FieldError>),
}

/// The answer for one record of a batch.
#[derive(Debug)]
pub struct Answer {
    /// Its kind.
    pub kind: Kind,
    /// Its id (as sent, or made by the server); `None` if it had none and was refused.
    pub id: Option<String>,
    /// What happened.
    pub outcome: Outcome,
}

/// A batch once checked: an answer per record so far, and the rows to store for the
/// answers at `slots`.
#[derive(Debug)]
pub struct CheckedBatch {
    answers: Vec<Answer>,
    rows: Vec<RecordRow>,
    slots: Vec<usize>,
}

/// The field errors of a record refused before storing: in a batch, a team the caller
/// cannot log for is a fault of that record alone, not of the request.
fn refusal(error: RecordError) -> RecordResult<Vec<FieldError>> {
    match error {
        RecordError::Invalid(errors) => Ok(errors),
        RecordError::UnknownTeam => Ok(vec![FieldError::new(
            "team_id",
            "unknown_team",
            msg::UNKNOWN_TEAM,
        )]),
        RecordError::NotAMember => Ok(vec![FieldError::new(
            "team_id",
            "not_a_member",
            msg::NOT_A_MEMBER,
        )]),
        other => Err(other),
    }
}

/// Checks every record of a batch for the caller, in order (a later record may name an
/// earlier visit of the batch).
pub fn check_batch(
    conn: &mut DbConn,
    settings: Settings<'_>,
    caller: &AuthUser,
    items: Vec<Item>,
) -> RecordResult<CheckedBatch> {
    let mut batch = Batch::default();
    let mut checked = CheckedBatch {
        answers: Vec::with_capacity(items.len()),
        rows: Vec::new(),
        slots: Vec::new(),
    };
    for item in items {
        let prepared = item
            .submission
            .map_err(RecordError::Invalid)
            .and_then(|submission| prepare(conn, settings, caller, submission, &mut batch));
        match prepared {
            Ok(row) => {
                checked.slots.push(checked.answers.len());
                checked.answers.push(Answer {
                    kind: item.kind,
                    id: Some(row.id.clone()),
                    outcome: Outcome::Created,
                });
                checked.rows.push(row);
            }
            Err(e) => checked.answers.push(Answer {
                kind: item.kind,
                id: item.sent_id,
                outcome: Outcome::Invalid(refusal(e)?),
            }),
        }
    }
    Ok(checked)
}

/// Stores the checked records of a batch in one transaction ([`store_all`]) and completes
/// their answers.
pub fn store_batch(conn: &mut DbConn, checked: CheckedBatch) -> RecordResult<Vec<Answer>> {
    let CheckedBatch {
        mut answers,
        rows,
        slots,
    } = checked;
    for (slot, stored) in slots.into_iter().zip(store_all(conn, rows)?) {
        answers[slot].outcome = match stored {
            Created::New(_) => Outcome::Created,
            Created::Unchanged(_) => Outcome::Unchanged,
            Created::IdTaken => Outcome::Conflict,
        };
    }
    Ok(answers)
}
