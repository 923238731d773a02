//! How database work fails, before anyone decides what HTTP says about it: the domains wrap
//! [`DbError`] in their own errors, and only the HTTP edge turns those into problems.

/// Why work on the database failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had, or the database stopped answering (down, restarting,
    /// locked past the timeout): worth retrying later.
    #[error("the database is unavailable")]
    Unavailable,
    /// A statement failed for another reason.
    #[error(transparent)]
    Query(diesel::result::Error),
    /// The work could not run to its end (it panicked, or the writer stopped).
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Self::Unavailable,
            Error::DatabaseError(_, ref info) if is_unavailable_message(info.message()) => {
                Self::Unavailable
            }
            other => Self::Query(other),
        }
    }
}

impl From<r2d2::Error> for DbError {
    fn from(e: r2d2::Error) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        Self::Unavailable
    }
}

/// Messages of errors that mean "the database is down or busy", not "the query is wrong".
fn is_unavailable_message(message: &str) -> bool {
    const SIGNS: [&str; 6] = [
        "database is locked",
        "server closed the connection",
        "terminating connection",
        "could not connect",
        "the database system is",
        "connection refused",
    ];
    let lower = message.to_ascii_lowercase();
    SIGNS.iter().any(|s| lower.contains(s))
}

/// The error a piece of database work ends with: any error that can carry a [`DbError`]
/// and tell whether it came from the database failing (then the connection it ran on is
/// tested before it is used again).
pub trait WorkError: From<DbError> + Send + 'static {
    /// Whether the database itself failed, rather than a rule of the work.
    fn is_database_failure(&self) -> bool;
}

impl WorkError for DbError {
    fn is_database_failure(&self) -> bool {
        matches!(self, Self::Unavailable | Self::Internal(_))
            || matches!(self, Self::Query(e) if !matches!(e, diesel::result::Error::NotFound))
    }
}

/// Makes a domain error with a `Database(DbError)` variant a [`WorkError`] and lets `?`
/// turn diesel's errors into it: the two impls every domain error otherwise writes again.
macro_rules! domain_error {
    ($name:ident) => {
        impl From<diesel::result::Error> for $name {
            fn from(e: diesel::result::Error) -> Self {
                Self::Database(e.into())
            }
        }

        impl $crate::db::error::WorkError for $name {
            fn is_database_failure(&self) -> bool {
                matches!(self, Self::Database(e) if $crate::db::error::WorkError::is_database_failure(e))
            }
        }
    };
}

pub(crate) use domain_error;

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorKind, Error};

    use super::*;

    #[test]
    fn a_database_that_stopped_answering_is_unavailable_not_a_bug() {
        let closed =
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, Box::new(String::new()));
        assert!(matches!(DbError::from(closed), DbError::Unavailable));
        let locked = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("database is locked".to_owned()),
        );
        assert!(matches!(DbError::from(locked), DbError::Unavailable));
        let wrong = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("no such column: x".to_owned()),
        );
        assert!(matches!(DbError::from(wrong), DbError::Query(_)));
        assert!(!DbError::from(Error::NotFound).is_database_failure());
    }
}
