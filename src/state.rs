//! The state every handler shares: settings, the database handles and which work goes to
//! which, keys, throttles. It sits below every domain (they all take it), and imports none
//! of their handlers. Database work ends with the caller's own error type (any
//! [`WorkError`]), so nothing here speaks HTTP.

use std::sync::Arc;

use crate::access::checks::PasswordChecks;
use crate::access::throttle::LoginThrottle;
use crate::access::tokens::JwtKeys;
use crate::config::Config;
use crate::db::{DbConn, DbPool, WorkError};

/// What every request handler shares.
#[derive(Debug)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// The primary database (see [`AppState::primary`]).
    pool: DbPool,
    /// Statistics connections (see [`AppState::stats`]).
    read_pool: DbPool,
    /// Record writes (see [`AppState::write_records`]).
    writer: crate::db::Writer,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Failed-login counters.
    pub throttle: LoginThrottle,
    /// Password checks: on threads of their own (one core fewer than the machine has) at a
    /// lower CPU priority, so that a flood of logins queues there instead of taking the
    /// cores record creation needs.
    pub password_checks: PasswordChecks,
    /// Wakes the webhook worker after a record write, which may have written events, so
    /// they leave at once instead of at the next poll.
    pub records_written: tokio::sync::Notify,
    /// Callers checked a moment ago.
    pub sessions: crate::recent::Recent<String, crate::access::Account>,
    /// Team memberships checked a moment ago.
    pub memberships: crate::access::teams::Memberships,
}

impl AppState {
    /// Runs `work` on the primary database: every read that must see the latest writes (a
    /// record just created, a user just disabled), and the writes other than records
    /// (users, teams, campaigns, keys, sessions).
    pub async fn primary<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        crate::db::run(&self.pool, work).await
    }

    /// Runs `work` for statistics, progress and anomalies: on a streaming replica when
    /// `GOCUA_DATABASE_READ_URL` is set (they then lag the primary by its delay), otherwise
    /// on the primary.
    pub async fn stats<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        crate::db::run(&self.read_pool, work).await
    }

    /// Runs a record write (create, sync, change, review, void): on SQLite, which takes one
    /// writer at a time, on a thread of its own that owns the write connection, so writers
    /// queue in order, bounded by the pool timeout, instead of racing for the file lock and
    /// sleeping in SQLite's busy handler (docs/PERFORMANCE.md). On PostgreSQL the primary.
    pub async fn write_records<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        let done = self.writer.run(work).await;
        self.records_written.notify_one();
        done
    }

    /// How many groups of record writes are worth storing at once (see
    /// [`crate::db::Writer::groups_at_once`]).
    pub fn write_groups_at_once(&self) -> usize {
        self.writer.groups_at_once()
    }

    /// The primary pool itself, for work that checks out connections on its own terms
    /// (a streamed export, a delta pull that waits between reads, the pool's metrics).
    pub fn primary_pool(&self) -> &DbPool {
        &self.pool
    }

    /// State for a config and pool (the read pool is opened here, lazily).
    pub fn new(config: Config, pool: DbPool) -> Self {
        let read_pool = match &config.read_database {
            Some(url) => crate::db::build_pool(url, config.pool_size, config.pool_timeout),
            None => pool.clone(),
        };
        let writer = crate::db::Writer::new(&config.database, &pool, config.pool_timeout);
        Self {
            read_pool,
            writer,
            jwt: JwtKeys::new(
                &config.jwt_secret,
                &config.jwt_retired,
                config.access_token_ttl,
            ),
            throttle: LoginThrottle::new(
                config.login_failure_window,
                config.login_failures_per_phone,
                config.login_failures_per_address,
                config.jwt_secret.expose(),
            ),
            password_checks: PasswordChecks::start(
                std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1)),
            ),
            records_written: tokio::sync::Notify::new(),
            sessions: crate::recent::Recent::new(config.auth_cache),
            memberships: crate::recent::Recent::new(config.auth_cache),
            pool,
            config: Arc::new(config),
        }
    }
}
