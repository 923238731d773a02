//! Why the records service refused a request or could not carry it out, in the domain's
//! words; `records::handlers` decides what each means on the wire, and sync reads some of
//! them as the fault of one record of a batch.

use crate::db::DbError;
use crate::error::FieldError;

/// Why the records service refused a request or could not carry it out. The HTTP edge
/// (`records::handlers`, sync) decides what each means on the wire.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// No record of that kind the caller may read.
    #[error("no such record")]
    RecordNotFound,
    /// No team the caller may see.
    #[error("no such team")]
    UnknownTeam,
    /// A supervisor in scope who is not a member of the team logs for it.
    #[error("not a member of the team")]
    NotAMember,
    /// Neither the author inside the edit window nor a supervisor in scope.
    #[error("not an editor of the record")]
    NotAnEditor,
    /// Authors never review their own records.
    #[error("the author reviews their own record")]
    OwnRecord,
    /// Neither a supervisor in scope nor the lead of the record's team.
    #[error("not a reviewer of the record")]
    NotAReviewer,
    /// The record is voided and cannot change.
    #[error("the record is voided")]
    Voided,
    /// The record changed since it was read.
    #[error("the record changed meanwhile")]
    Changed,
    /// An accepted certification (named) locks the record's period in its commune.
    #[error("the period is locked by certification {0}")]
    Locked(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(RecordError);

/// What the record functions return.
pub type RecordResult<T> = Result<T, RecordError>;
