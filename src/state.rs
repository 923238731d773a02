//! The state every handler shares: settings, the database handles and which work goes to
//! which, keys, throttles. It sits below every domain (they all take it), and imports none
//! of their handlers.

use std::sync::Arc;

use crate::auth::checks::PasswordChecks;
use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::JwtKeys;
use crate::config::Config;
use crate::db::DbPool;

/// What every request handler shares.
#[derive(Debug)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// The primary database (see [`AppState::primary`]).
    pool: DbPool,
    /// Statistics connections (see [`AppState::stats`]).
    read_pool: DbPool,
    /// Record writes (see [`AppState::record_writer`]).
    writer: crate::db::Writer,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Failed-login counters.
    pub throttle: LoginThrottle,
    /// Password checks: on threads of their own (one core fewer than the machine has) at a
    /// lower CPU priority, so that a flood of logins queues there instead of taking the
    /// cores record creation needs.
    pub password_checks: PasswordChecks,
}

impl AppState {
    /// The primary database: every read that must see the latest writes (a record just
    /// created, a user just disabled), and the writes other than records (users, teams,
    /// campaigns, keys, sessions).
    pub fn primary(&self) -> &DbPool {
        &self.pool
    }

    /// Statistics, progress and anomalies: a streaming replica when
    /// `GOCUA_DATABASE_READ_URL` is set (they then lag the primary by its delay), otherwise
    /// the primary.
    pub fn stats(&self) -> &DbPool {
        &self.read_pool
    }

    /// Record writes (creates, sync, changes, reviews, voids): on SQLite, which takes one
    /// writer at a time, a thread of its own that owns the write connection, so writers
    /// queue in order, bounded by the pool timeout, instead of racing for the file lock and
    /// sleeping in SQLite's busy handler (docs/PERFORMANCE.md). On PostgreSQL the primary.
    pub fn record_writer(&self) -> &crate::db::Writer {
        &self.writer
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
            ),
            password_checks: PasswordChecks::start(
                std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1)),
            ),
            pool,
            config: Arc::new(config),
        }
    }
}
