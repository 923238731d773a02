//! Entry point: parses the command line and runs it.

use std::io::IsTerminal;

use actix_web::{HttpServer, web};
use anyhow::Context;
use clap::Parser;
use gocua::app;
use gocua::cli::{self, Cli, Command};
use gocua::config::Config;
use gocua::state::AppState;

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("GOCUA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

fn main() -> anyhow::Result<()> {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", app::openapi().to_pretty_json()?);
        return Ok(());
    }
    dotenvy::dotenv().ok();
    init_tracing();
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => serve(config),
        Command::Migrate => {
            cli::prepare_database(&config)?;
            println!("database is up to date");
            Ok(())
        }
        Command::CreateUser {
            role,
            phone,
            name,
            unit,
        } => {
            let out =
                cli::create_user(&config, &role, &phone, &name, unit, std::io::stdin().lock())?;
            println!("{out}");
            Ok(())
        }
        Command::ImportPopulation { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            // Figures name units of the map: a new database gets it first, as `serve` does.
            let pool = gocua::cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let n = gocua::population::service::import(&mut conn, &text)?;
            println!("population: figures of {n} units stored");
            Ok(())
        }
        Command::ImportHamlets { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let pool = gocua::cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let codes = gocua::units::hamlets::service::import(&mut conn, &text)?;
            for (line, code) in &codes {
                println!("line {line}: {code}");
            }
            println!("hamlets: {} created", codes.len());
            Ok(())
        }
        Command::ImportUnits { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let pool = gocua::db::build_pool(&config.database, 1, config.pool_timeout);
            let mut conn = pool.get().context("connecting to the database")?;
            gocua::db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("migrating: {e}"))?;
            let r = gocua::units::import::import(&mut conn, &text)?;
            println!(
                "units: {} inserted, {} updated, {} deactivated",
                r.inserted, r.updated, r.deactivated
            );
            Ok(())
        }
        Command::RebuildRollups => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let (daily, communes, citizens) = gocua::records::tally::rebuild(&mut conn)?;
            println!(
                "rollups rebuilt: {daily} daily rows, {communes} commune rows, {citizens} citizen rows"
            );
            Ok(())
        }
        Command::PurgeCitizenRefs => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let before = gocua::privacy::retention::cutoff(config.citizen_ref_retention_days);
            let n = gocua::privacy::retention::purge(&mut conn, before)?;
            println!(
                "{n} records lost their citizen link (older than {} days)",
                config.citizen_ref_retention_days
            );
            Ok(())
        }
        Command::CheckRollups => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let fresh = gocua::records::tally::recount(&mut conn)?;
            if fresh == gocua::stats::rollups::stored(&mut conn)? {
                let (daily, communes, citizens) = fresh.sizes();
                let spans = fresh.spans.len();
                println!(
                    "rollups match a recount: {daily} daily rows, {communes} commune rows, {citizens} citizen rows, {spans} distinct spans"
                );
                Ok(())
            } else {
                anyhow::bail!("rollups differ from a recount; run `gocua rebuild-rollups`")
            }
        }
        Command::Backup { file } => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            gocua::db::backup::backup(&mut conn, &file)?;
            gocua::db::backup::verify(&file)?;
            println!("backup written to {} and checked", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            gocua::db::backup::restore(&config.database, &file)?;
            println!("restored {}; start the server", file.display());
            Ok(())
        }
        Command::SeedDemo => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let today = gocua::clock::today();
            let (logins, records) =
                gocua::seed::demo::seed(&mut conn, &config.citizen_id_key, today)?;
            println!("demo ready: {records} records over 30 days, a 100-day campaign for Hà Nội");
            println!("every password is {}", gocua::seed::demo::PASSWORD);
            for (phone, role, sees) in logins {
                println!("  {phone}  {role:<20} {sees}");
            }
            Ok(())
        }
        Command::SeedBench {
            records,
            days,
            end,
            seed,
        } => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let options = gocua::seed::bench::Options {
                records,
                days,
                end: end.unwrap_or_else(gocua::clock::today),
                seed,
            };
            let started = std::time::Instant::now();
            let report = gocua::seed::bench::seed(&mut conn, &config.citizen_id_key, &options)?;
            println!(
                "seeded {} records, {} users, {} teams in {:.0} s; every password is {}",
                report.records,
                report.users,
                report.teams,
                started.elapsed().as_secs_f64(),
                gocua::seed::bench::PASSWORD
            );
            Ok(())
        }
        Command::SeedHouseholds {
            province,
            households,
            team,
            days,
        } => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let province = match province {
                Some(p) => p,
                None => gocua::seed::bench::largest_province(&mut conn)?,
            };
            let report =
                gocua::seed::households::bench(&mut conn, &province, households, team, days)?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Command::BenchStats {
            unit,
            from,
            to,
            runs,
        } => {
            let pool = cli::prepare_database(&config)?;
            let mut conn = pool.get().context("connecting to the database")?;
            let unit = match unit {
                Some(u) => u,
                None => gocua::seed::bench::largest_province(&mut conn)?,
            };
            let timings = gocua::seed::bench::time_reads(&mut conn, &unit, from, to, runs)?;
            println!(
                "{}",
                serde_json::json!({ "unit": unit, "timings": timings })
            );
            Ok(())
        }
        Command::Openapi => unreachable!("handled above"),
    }
}

#[actix_web::main]
async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.bind.clone();
    let prepare = config.clone();
    let pool = web::block(move || cli::prepare_database(&prepare)).await??;
    let users = {
        let pool = pool.clone();
        web::block(move || -> anyhow::Result<i64> {
            let mut conn = pool.get()?;
            Ok(gocua::users::queries::count(&mut conn)?)
        })
        .await??
    };
    let node = app::Node::new(AppState::new(config, pool));
    gocua::webhooks::worker::spawn(&node.state);
    gocua::privacy::retention::spawn(&node.state);
    let spec = app::openapi();
    let server = HttpServer::new(move || app::build(node.clone(), spec.clone()))
        .bind(&bind)
        .with_context(|| format!("binding {bind}"))?;
    for addr in server.addrs() {
        tracing::info!(
            "gocua listening on http://{addr} (supervisor page: http://{addr}/app/, API docs: http://{addr}/docs/)"
        );
        if users == 0 {
            tracing::info!(
                "no users yet: create the first admin with\n  \
                 echo 'choose-a-strong-password' | cargo run -- create-user --role admin --phone 0912345678 --name 'Quản trị viên'\n\
                 then log in with\n  \
                 curl -s http://{addr}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"phone\":\"0912345678\",\"password\":\"choose-a-strong-password\"}}'"
            );
        } else {
            tracing::info!(
                "log in with: curl -s http://{addr}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"phone\":\"YOUR_PHONE\",\"password\":\"YOUR_PASSWORD\"}}'"
            );
        }
    }
    // On SIGTERM or SIGINT: stop accepting, give requests in flight up to 30 s, then drop
    // the pool (closing its connections) on the way out.
    server.shutdown_timeout(30).run().await?;
    tracing::info!("gocua stopped");
    Ok(())
}

/// Every password check allocates argon2's 19 MiB of working memory. glibc raises its mmap
/// threshold after the first such block is freed, so later blocks come from per-thread heaps
/// that keep them: a burst of logins left the server at ~570 MB. A fixed threshold of 1 MiB
/// sends every large block back to the system when it is freed (measured: 82 MB after the
/// same load).
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; called once, before other threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
