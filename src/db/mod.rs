//! One connection type for both databases, a pool whose manager picks the backend from the
//! URL scheme, per-backend migrations, the SQLite writer and backups; `dialect` holds the
//! statements whose SQL must differ.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

pub mod backup;
pub mod dialect;
pub mod error;
pub mod writer;

pub use dialect::{change_stamp, settled_stamp};
pub(crate) use error::domain_error;
pub use error::{DbError, WorkError};
pub use writer::Writer;

/// A connection to whichever database the server was started on.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Production database.
    Postgres(PgConnection),
    /// Embedded default.
    Sqlite(SqliteConnection),
}

/// The shared connection pool.
pub type DbPool = r2d2::Pool<ConnectionManager>;
/// A connection checked out of [`DbPool`].
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// How long after its last use a pooled connection is handed out without a `SELECT 1`
/// first. Under load connections come back within milliseconds, so the test (one round
/// trip per checkout, two per request on PostgreSQL) is skipped; a connection that sat idle
/// longer, across a database restart say, is tested before use.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// A pooled connection and what the pool needs to know of it: whether its last use failed
/// in a way that may have broken it, and when it was last given back.
pub struct Pooled {
    conn: DbConn,
    failed: bool,
    returned_at: Instant,
}

impl Pooled {
    /// Called after work on the connection failed with a database error: a connection the
    /// database no longer answers is dropped on return instead of failing the next caller.
    pub fn check_after_failure(&mut self) {
        self.failed = self.conn.batch_execute("SELECT 1").is_err();
    }
}

impl Deref for Pooled {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite writer of the command line waits for the lock before failing; longer
/// than any single transaction we run. The server's pool uses its own pool timeout instead,
/// so a locked database answers 503 as soon as a missing connection would.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// r2d2 manager that dispatches on the URL scheme itself: diesel's derived `establish`
/// tries each backend in turn, hiding the real PostgreSQL error and turning typos into files.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    busy_timeout: Duration,
}

impl ConnectionManager {
    /// A manager for the given database; SQLite writers wait `busy_timeout` for the lock.
    pub fn new(url: DatabaseUrl, busy_timeout: Duration) -> Self {
        Self { url, busy_timeout }
    }
}

/// Opens one connection with the per-connection settings each backend needs.
pub fn establish(url: &DatabaseUrl) -> Result<DbConn, diesel::ConnectionError> {
    establish_waiting(url, SQLITE_BUSY_TIMEOUT)
}

fn establish_waiting(
    url: &DatabaseUrl,
    busy_timeout: Duration,
) -> Result<DbConn, diesel::ConnectionError> {
    match url {
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url)?;
            conn.batch_execute("SET TIME ZONE 'UTC'")
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConn::Postgres(conn))
        }
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            // synchronous=FULL: an acknowledged write is on disk and survives power loss.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {};
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;",
                busy_timeout.as_millis()
            ))
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConn::Sqlite(conn))
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        Ok(Pooled {
            conn: establish_waiting(&self.url, self.busy_timeout)?,
            failed: false,
            returned_at: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), Self::Error> {
        if conn.returned_at.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        use diesel::r2d2::R2D2Connection;
        if conn.failed || conn.conn.is_broken() {
            return true;
        }
        conn.returned_at = Instant::now();
        false
    }
}

/// Builds the pool without connecting first, so the server starts (and `/readyz` says why
/// not) even while the database is down.
pub fn build_pool(url: &DatabaseUrl, size: u32, timeout: Duration) -> DbPool {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(true)
        .build_unchecked(ConnectionManager::new(url.clone(), timeout))
}

type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies pending migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, MigrationError> {
    let applied = match conn {
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS)?.len(),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(applied)
}

/// Whether every embedded migration has been applied (for `/readyz`).
pub fn migrations_pending(conn: &mut DbConn) -> Result<bool, MigrationError> {
    match conn {
        DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    }
}

/// Runs blocking database work on the runtime's blocking pool (never on an async worker)
/// with a pooled connection; an exhausted or unreachable pool is [`DbError::Unavailable`].
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: WorkError,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let waiting = crate::metrics::waiting_for_pool();
        let conn = pool.get();
        drop(waiting);
        let mut conn = conn.map_err(DbError::from)?;
        let result = work(&mut conn);
        if result.as_ref().is_err_and(E::is_database_failure) {
            conn.check_after_failure();
        }
        result
    })
    .await
    .map_err(|e| DbError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
