//! The households of a sync batch: each applied on its own (one refused never refuses the
//! others), before the batch's visits, which may name them.

use super::change;
use super::input::SyncItem;
use super::service::{self, Created, HouseholdError};
use crate::access::AuthUser;
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;

/// What happened to one household of a batch.
#[derive(Debug)]
pub enum Outcome {
    /// Registered now.
    Created,
    /// Changed on its current version.
    Updated,
    /// Changed on an older version and merged; these fields were changed by both.
    Merged(Vec<String>),
    /// Already so (a retry, or a change that changes nothing).
    Unchanged,
    /// Its label is an open household's of the hamlet: this one (the phone maps its id).
    Duplicate(String),
    /// The id is taken by other content, or the household is closed.
    Conflict,
    /// Refused; see the errors.
    Invalid(Vec<FieldError>),
}

/// Applies each household in order, each in its own transaction. Only a failing database
/// fails the batch.
pub fn apply_all(
    conn: &mut DbConn,
    caller: &AuthUser,
    items: Vec<Result<SyncItem, Vec<FieldError>>>,
) -> Result<Vec<Outcome>, DbError> {
    items
        .into_iter()
        .map(|item| {
            let unknown = match &item {
                Ok(SyncItem::Create(_)) => ("hamlet_code", "wrong_hamlet", msg::WRONG_HAMLET),
                _ => ("id", "unknown_household", msg::HOUSEHOLD_NOT_FOUND),
            };
            let done = match item {
                Err(errors) => return Ok(Outcome::Invalid(errors)),
                Ok(SyncItem::Create(new)) => service::create(conn, caller, new).map(|c| match c {
                    Created::New(_) => Outcome::Created,
                    Created::Unchanged(_) => Outcome::Unchanged,
                }),
                Ok(SyncItem::Update(id, change)) => {
                    change::update(conn, caller, &id, change).map(|c| match (c.merged, c.updated) {
                        (true, _) => Outcome::Merged(c.conflicts),
                        (false, true) => Outcome::Updated,
                        (false, false) => Outcome::Unchanged,
                    })
                }
            };
            match done {
                Ok(outcome) => Ok(outcome),
                Err(HouseholdError::Database(e)) => Err(e),
                Err(HouseholdError::DuplicateLabel(other)) => Ok(Outcome::Duplicate(other)),
                Err(HouseholdError::IdTaken | HouseholdError::Closed) => Ok(Outcome::Conflict),
                Err(HouseholdError::Invalid(errors)) => Ok(Outcome::Invalid(errors)),
                Err(HouseholdError::NotFound) => Ok(Outcome::Invalid(vec![FieldError::new(
                    unknown.0, unknown.1, unknown.2,
                )])),
                Err(HouseholdError::Forbidden(text)) => {
                    Ok(Outcome::Invalid(vec![FieldError::new(
                        "hamlet_code",
                        "hamlet_not_held",
                        text,
                    )]))
                }
            }
        })
        .collect()
}
