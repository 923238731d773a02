//! `gocua backup FILE` and `gocua restore FILE` for the SQLite file. A backup is taken with
//! `VACUUM INTO`, SQLite's own online copy: it reads one consistent snapshot (records and
//! their rollups together) while the server keeps writing, and writes a compact file. A
//! file copy of a live database could catch a half-written page or miss the WAL.
//! PostgreSQL has its own tools (`pg_dump`, base backups with WAL archiving): see
//! docs/DEPLOY.md.

use std::path::Path;

use anyhow::{Context, bail};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::config::DatabaseUrl;
use crate::db::DbConn;

/// Writes a consistent copy of the live database to `target` (which must not exist).
pub fn backup(conn: &mut DbConn, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        bail!("{} exists; choose a new file name", target.display());
    }
    let DbConn::Sqlite(c) = conn else {
        bail!("backups of PostgreSQL are made with pg_dump or base backups (docs/DEPLOY.md)");
    };
    let path = target
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(path)
        .execute(c)
        .with_context(|| format!("writing {}", target.display()))?;
    Ok(())
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Checks that `file` is a sound gocua SQLite database: SQLite's integrity check passes
/// and migrations have been applied to it.
pub fn verify(file: &Path) -> anyhow::Result<()> {
    let path = file.to_str().context("the path must be valid UTF-8")?;
    let mut c = diesel::SqliteConnection::establish(path)
        .with_context(|| format!("opening {}", file.display()))?;
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut c)?;
    if checks.len() != 1 || checks[0].integrity_check != "ok" {
        bail!("{} fails SQLite's integrity check", file.display());
    }
    let migrated: Vec<Count> =
        diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
            .load(&mut c)
            .with_context(|| format!("{} is not a gocua database", file.display()))?;
    if migrated.first().is_none_or(|r| r.n == 0) {
        bail!("{} is not a gocua database", file.display());
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Replaces the configured SQLite database with a checked backup. The server must be
/// stopped: the file is swapped by a rename, and the old WAL and shared-memory files are
/// moved with it so SQLite cannot replay them onto the restored file. The replaced
/// database is kept as `<db>.before-restore` (with its WAL).
pub fn restore(database: &DatabaseUrl, backup: &Path) -> anyhow::Result<()> {
    let DatabaseUrl::Sqlite(db) = database else {
        bail!("PostgreSQL is restored with pg_restore or point-in-time recovery (docs/DEPLOY.md)");
    };
    verify(backup)?;
    let staged = db.with_extension("restoring");
    std::fs::copy(backup, &staged).with_context(|| format!("copying to {}", staged.display()))?;
    std::fs::File::open(&staged)?.sync_all()?;
    let kept = db.with_extension("before-restore");
    for suffix in ["", "-wal", "-shm"] {
        let from = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if from.exists() {
            std::fs::rename(&from, format!("{}{suffix}", kept.display()))?;
        }
    }
    std::fs::rename(&staged, db)?;
    Ok(())
}
