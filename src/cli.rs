//! The `gocua` command line: serve, migrate, create the first users, import a new unit
//! map, print the spec.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::access::Role;
use crate::config::Config;
use crate::db::{self, DbPool};

/// gocua: the backend of Vietnam's community digital technology teams.
#[derive(Debug, Parser)]
#[command(name = "gocua", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, load the unit map on first start, and serve HTTP on GOCUA_BIND.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create a user; the password is read from standard input (one line).
    CreateUser {
        /// admin, province_supervisor, commune_supervisor or volunteer.
        #[arg(long)]
        role: String,
        /// Vietnamese mobile number.
        #[arg(long)]
        phone: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Unit code (a province for province supervisors, a commune for the others).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Load or update the unit map from a CSV (code,name,kind,parent_code,official_name).
    ImportUnits {
        /// Path of the CSV file.
        file: std::path::PathBuf,
    },
    /// Load population figures from a CSV (code,year,residents,adults,aged_15_plus,households);
    /// all rows or none: a bad row is named by its line and nothing is stored.
    ImportPopulation {
        /// Path of the CSV file.
        file: std::path::PathBuf,
    },
    /// Create hamlets and residential groups from a CSV (commune_code,name,kind,valid_from);
    /// all rows or none: a bad row is named by its line. Prints each line's new code.
    ImportHamlets {
        /// Path of the CSV file.
        file: std::path::PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Recount the statistics rollups from the records (a repair; run it while the server
    /// is stopped or quiet, since it holds one write transaction).
    RebuildRollups,
    /// Remove now the citizen links of records older than `GOCUA_CITIZEN_REF_RETENTION_DAYS`
    /// (the server also does it at start and daily); prints how many records lost theirs.
    PurgeCitizenRefs,
    /// Compare the statistics rollups with a recount from the records; exits non-zero if
    /// they differ (nothing is changed).
    CheckRollups,
    /// Write a consistent copy of the live SQLite database to FILE (safe while serving).
    Backup {
        /// The copy to write (must not exist).
        file: std::path::PathBuf,
    },
    /// Replace the SQLite database with a checked backup; stop the server first. The old
    /// file is kept as `<db>.before-restore`.
    Restore {
        /// The backup to restore.
        file: std::path::PathBuf,
    },
    /// Fill a fresh database with a demo province (users, teams, a campaign, 30 days of
    /// records) and print the logins; every demo password is `gocua-demo-2026`.
    SeedDemo,
    /// Fill an empty database with generated users, teams and records, with their rollups
    /// (for `make bench-stats`; every generated user's password is `gocua-bench-2026`).
    SeedBench {
        /// Records in total.
        #[arg(long, default_value_t = 10_000_000)]
        records: u64,
        /// Days they spread over, ending on `--end`.
        #[arg(long, default_value_t = 100)]
        days: u32,
        /// Last day (default: today in Vietnam).
        #[arg(long)]
        end: Option<chrono::NaiveDate>,
        /// Generator seed: the same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Register about a million households in a province of a benchmark database (after
    /// `seed-bench`), with their counts, and give one team hamlets holding about `--team`
    /// of them; prints JSON.
    SeedHouseholds {
        /// Province code (default: the province with the most communes).
        #[arg(long)]
        province: Option<String>,
        /// Households in all.
        #[arg(long, default_value_t = 1_000_000)]
        households: usize,
        /// Households of the team whose phone's first pull is timed.
        #[arg(long, default_value_t = 2_000)]
        team: usize,
        /// Days they were registered over, ending now.
        #[arg(long, default_value_t = 60)]
        days: i64,
    },
    /// Time the plain `GROUP BY` over the records against the rollup reads for a province's
    /// summary and breakdown by commune, check both answer the same, and print JSON.
    BenchStats {
        /// Province code (default: the province with the most communes).
        #[arg(long)]
        unit: Option<String>,
        /// First day.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day.
        #[arg(long)]
        to: chrono::NaiveDate,
        /// Runs of each read.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
}

/// Opens the pool, applies migrations and loads the embedded unit map if none is stored.
pub fn prepare_database(config: &Config) -> anyhow::Result<DbPool> {
    let pool = db::build_pool(&config.database, config.pool_size, config.pool_timeout);
    let mut conn = pool
        .get()
        .with_context(|| format!("connecting to the {} database", config.database.backend()))?;
    let applied = db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("migrating: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "applied migrations");
    }
    if let Some(report) = crate::units::import::load_if_empty(&mut conn)? {
        tracing::info!(
            units = report.inserted,
            "loaded the 2025 administrative unit map"
        );
    }
    Ok(pool)
}

/// `gocua create-user`: reads one line of password from `input`.
pub fn create_user(
    config: &Config,
    role: &str,
    phone: &str,
    name: &str,
    unit: Option<String>,
    input: impl BufRead,
) -> anyhow::Result<String> {
    let role = Role::parse(role).with_context(|| {
        format!(
            "unknown role {role:?}: admin, province_supervisor, commune_supervisor or volunteer"
        )
    })?;
    let password = input
        .lines()
        .next()
        .context("expected the password on standard input")??;
    let pool = prepare_database(config)?;
    let mut conn = pool.get()?;
    let body = crate::users::model::CreateUser {
        phone: phone.to_owned(),
        full_name: name.to_owned(),
        role,
        unit_code: unit,
        password: password.trim_end_matches('\r').to_owned(),
    };
    let user = crate::users::service::create(&mut conn, body, None).map_err(|e| match e {
        crate::users::service::UserError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    })?;
    Ok(format!(
        "created {} {} ({})",
        user.role, user.phone, user.id
    ))
}
