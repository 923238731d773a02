//! Why the teams domain refused a request or could not carry it out, in its own words;
//! `teams::handlers` decides what each means on the wire.

use crate::db::DbError;
use crate::error::FieldError;

/// Why the teams domain refused a request or could not carry it out.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// No such team, or one the caller may not read: the same answer (a 404).
    #[error("no such team visible to the caller")]
    NotFound,
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The commune is outside the caller's scope.
    #[error("the commune is outside the caller's scope")]
    UnitNotInScope,
    /// The commune already has a team of that name.
    #[error("the commune already has a team of this name")]
    NameTaken,
    /// No such user in the caller's scope.
    #[error("no such user in the caller's scope")]
    UserNotFound,
    /// A deactivated team takes no members.
    #[error("the team is deactivated")]
    Inactive,
    /// The user is not a member of the team.
    #[error("not a member of the team")]
    NotAMember,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(TeamError);

/// A team's name taken in its commune is [`TeamError::NameTaken`]; any other failure is the
/// database's.
pub fn name_taken(e: diesel::result::Error) -> TeamError {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => TeamError::NameTaken,
        other => other.into(),
    }
}
