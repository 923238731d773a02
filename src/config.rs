//! Settings come from `GOCUA_*` environment variables (and `.env`), so one binary serves a
//! laptop on SQLite and a province on PostgreSQL without a config file format to learn.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Which database a URL names; decided from the scheme alone so a typo never becomes a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite file at this path.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string, passed to libpq unchanged.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH` or `postgres://…` / `postgresql://…`; anything else is an error
    /// that names the accepted schemes.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path.starts_with(':') {
                bail!(
                    "GOCUA_DATABASE_URL {url:?}: give a file path (sqlite://gocua.db); in-memory SQLite would be one database per connection"
                );
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let shown = url.split("://").next().unwrap_or(url);
        bail!(
            "GOCUA_DATABASE_URL has an unsupported scheme ({shown:?}): use sqlite://PATH or postgres://USER@HOST/DB"
        )
    }

    /// Short backend name for logs and `/readyz`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// A secret of at least 32 bytes (HMAC and JWT keys); `Debug` never prints it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Minimum length: shorter keys make HS256 and HMAC-SHA256 brute-forceable.
    pub const MIN_BYTES: usize = 32;

    /// Wraps a configured secret, refusing short ones with the variable's name.
    pub fn new(name: &str, value: &str) -> anyhow::Result<Self> {
        if value.len() < Self::MIN_BYTES {
            bail!(
                "{name} must be at least {} bytes (it has {})",
                Self::MIN_BYTES,
                value.len()
            );
        }
        Ok(Self(value.as_bytes().to_vec()))
    }

    /// A fresh random secret, base64url text of 32 random bytes.
    pub fn generate() -> anyhow::Result<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The key bytes, for the signer or MAC that needs them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Everything the server needs to know at start; built once, shared read-only.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub database: DatabaseUrl,
    /// A read-only replica for statistics (`GOCUA_DATABASE_READ_URL`), if any.
    pub read_database: Option<DatabaseUrl>,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// HS256 key for access tokens.
    pub jwt_secret: Secret,
    /// Retired signing keys (after the first comma of `GOCUA_JWT_SECRET`): tokens they
    /// signed stay valid until they expire.
    pub jwt_retired: Vec<Secret>,
    /// Reverse proxies whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// HMAC key that turns citizen identity numbers into `citizen_ref`.
    pub citizen_id_key: Secret,
    /// Lifetime of an access token.
    pub access_token_ttl: Duration,
    /// Lifetime of a refresh token (one login lasts at most this long without use).
    pub refresh_token_ttl: Duration,
    /// Largest JSON body accepted, in bytes; larger is 413.
    pub max_body_bytes: usize,
    /// Longest pause between two pieces of a body; a client that stalls longer gets 408, so
    /// a trickling client (slowloris) cannot hold a worker.
    pub body_idle_timeout: Duration,
    /// Longest time a whole body may take to arrive (a 1,000-record batch over a slow rural
    /// link needs well under a minute).
    pub body_timeout: Duration,
    /// Connections in the pool.
    pub pool_size: u32,
    /// How long a request waits for a connection before answering 503.
    pub pool_timeout: Duration,
    /// Failed logins allowed per phone within `login_failure_window`.
    pub login_failures_per_phone: u32,
    /// Failed logins allowed per client address within `login_failure_window`.
    pub login_failures_per_address: u32,
    /// Sliding window over which failed logins are counted.
    pub login_failure_window: Duration,
    /// How long a checked session or team membership is trusted without reading the
    /// database again: the longest a revoked session or a removed member can still act on
    /// another node (zero: read every time).
    pub auth_cache: Duration,
    /// How old a record's `occurred_at` may be when it reaches the server (offline phones).
    pub late_sync_window: chrono::TimeDelta,
    /// How webhooks are delivered.
    pub webhooks: WebhookSettings,
    /// Days after `occurred_at` a record keeps its link to the resident.
    pub citizen_ref_retention_days: i64,
}

/// How webhooks are delivered (tests shorten the schedule).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Whether loopback, private and link-local receivers are allowed (a test or an
    /// intranet dashboard); otherwise refused, so a webhook cannot probe the server's network.
    pub allow_private: bool,
    /// Wait before the first retry; each later one waits twice the one before.
    pub first_retry: Duration,
    /// How long after its event a delivery is retried before it is `failed`.
    pub give_up_after: Duration,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries.
    pub poll: Duration,
    /// Most deliveries one webhook may have waiting; beyond it the oldest are failed unsent
    /// (checked every few seconds), so a receiver dead for days cannot fill the database.
    pub max_pending: usize,
}

/// Names of the settings, each with its default, so README and code cannot disagree silently.
pub const SETTINGS: &[(&str, &str)] = &[
    ("GOCUA_DATABASE_URL", "sqlite://gocua.db"),
    (
        "GOCUA_DATABASE_READ_URL",
        "none (statistics read the main database)",
    ),
    ("GOCUA_BIND", "127.0.0.1:8080"),
    (
        "GOCUA_JWT_SECRET",
        "generated into <db>.keys on SQLite; required on PostgreSQL; NEW,OLD rotates",
    ),
    (
        "GOCUA_CITIZEN_ID_KEY",
        "generated into <db>.keys on SQLite; required on PostgreSQL",
    ),
    ("GOCUA_ACCESS_TOKEN_TTL_SECS", "900"),
    ("GOCUA_REFRESH_TOKEN_TTL_DAYS", "30"),
    ("GOCUA_MAX_BODY_BYTES", "2097152"),
    ("GOCUA_BODY_IDLE_TIMEOUT_SECS", "10"),
    ("GOCUA_BODY_TIMEOUT_SECS", "120"),
    ("GOCUA_DB_POOL_SIZE", "8"),
    ("GOCUA_DB_POOL_TIMEOUT_SECS", "5"),
    ("GOCUA_LOGIN_FAILURES_PER_PHONE", "5"),
    ("GOCUA_LOGIN_FAILURES_PER_ADDRESS", "30"),
    ("GOCUA_LOGIN_FAILURE_WINDOW_SECS", "900"),
    ("GOCUA_AUTH_CACHE_SECS", "2"),
    ("GOCUA_LATE_SYNC_DAYS", "60"),
    ("GOCUA_TRUSTED_PROXIES", "none"),
    ("GOCUA_WEBHOOK_ALLOW_PRIVATE", "0"),
    ("GOCUA_WEBHOOK_FIRST_RETRY_SECS", "30"),
    ("GOCUA_WEBHOOK_GIVE_UP_HOURS", "72"),
    ("GOCUA_WEBHOOK_TIMEOUT_SECS", "10"),
    ("GOCUA_WEBHOOK_MAX_PENDING", "100000"),
    ("GOCUA_CITIZEN_REF_RETENTION_DAYS", "730"),
    ("GOCUA_LOG_FORMAT", "text (or json)"),
    ("RUST_LOG", "info"),
];

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn default_of(name: &str) -> &'static str {
    SETTINGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
        .unwrap_or_default()
}

fn number<T: std::str::FromStr>(name: &str) -> anyhow::Result<T> {
    let raw = var(name).unwrap_or_else(|| default_of(name).to_owned());
    raw.parse()
        .map_err(|_| anyhow::anyhow!("{name}={raw:?} is not a valid number"))
}

impl Config {
    /// Reads the environment. On SQLite, missing secrets are generated once into a `0600`
    /// key file beside the database; on PostgreSQL they must be given, because several
    /// servers share one database and must share its keys.
    pub fn from_env() -> anyhow::Result<Self> {
        let database = DatabaseUrl::parse(
            &var("GOCUA_DATABASE_URL").unwrap_or_else(|| default_of("GOCUA_DATABASE_URL").into()),
        )?;
        let (jwt, citizen) = match (var("GOCUA_JWT_SECRET"), var("GOCUA_CITIZEN_ID_KEY")) {
            (Some(j), Some(c)) => (j, c),
            (j, c) => match &database {
                DatabaseUrl::Sqlite(path) => {
                    let file = load_or_create_key_file(path)?;
                    (j.unwrap_or(file.0), c.unwrap_or(file.1))
                }
                DatabaseUrl::Postgres(_) => bail!(
                    "on PostgreSQL, GOCUA_JWT_SECRET and GOCUA_CITIZEN_ID_KEY must be set (32+ bytes each; `openssl rand -base64 48` makes one)"
                ),
            },
        };
        let mut jwt_secrets = jwt
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Secret::new("GOCUA_JWT_SECRET", s));
        let access_secs: u64 = number("GOCUA_ACCESS_TOKEN_TTL_SECS")?;
        let refresh_days: u64 = number("GOCUA_REFRESH_TOKEN_TTL_DAYS")?;
        let read_database = var("GOCUA_DATABASE_READ_URL")
            .map(|u| DatabaseUrl::parse(&u))
            .transpose()?;
        if let Some(read) = &read_database
            && read.backend() != database.backend()
        {
            bail!(
                "GOCUA_DATABASE_READ_URL must use the same database system as GOCUA_DATABASE_URL"
            );
        }
        Ok(Self {
            database,
            read_database,
            bind: var("GOCUA_BIND").unwrap_or_else(|| default_of("GOCUA_BIND").into()),
            jwt_secret: jwt_secrets.next().context("GOCUA_JWT_SECRET is empty")??,
            jwt_retired: jwt_secrets.collect::<anyhow::Result<_>>()?,
            trusted_proxies: crate::client_addr::parse_trusted(
                &var("GOCUA_TRUSTED_PROXIES").unwrap_or_default(),
            )?,
            citizen_id_key: Secret::new("GOCUA_CITIZEN_ID_KEY", &citizen)?,
            access_token_ttl: Duration::from_secs(access_secs.clamp(60, 86_400)),
            refresh_token_ttl: Duration::from_secs(refresh_days.clamp(1, 365) * 86_400),
            max_body_bytes: number("GOCUA_MAX_BODY_BYTES")?,
            body_idle_timeout: Duration::from_secs(
                number::<u64>("GOCUA_BODY_IDLE_TIMEOUT_SECS")?.max(1),
            ),
            body_timeout: Duration::from_secs(number::<u64>("GOCUA_BODY_TIMEOUT_SECS")?.max(1)),
            pool_size: number::<u32>("GOCUA_DB_POOL_SIZE")?.max(1),
            pool_timeout: Duration::from_secs(number::<u64>("GOCUA_DB_POOL_TIMEOUT_SECS")?.max(1)),
            login_failures_per_phone: number::<u32>("GOCUA_LOGIN_FAILURES_PER_PHONE")?.max(1),
            login_failures_per_address: number::<u32>("GOCUA_LOGIN_FAILURES_PER_ADDRESS")?.max(1),
            login_failure_window: Duration::from_secs(
                number::<u64>("GOCUA_LOGIN_FAILURE_WINDOW_SECS")?.max(1),
            ),
            auth_cache: Duration::from_secs(number::<u64>("GOCUA_AUTH_CACHE_SECS")?.min(60)),
            late_sync_window: chrono::TimeDelta::days(
                number::<i64>("GOCUA_LATE_SYNC_DAYS")?.clamp(1, 3650),
            ),
            webhooks: WebhookSettings {
                allow_private: number::<u8>("GOCUA_WEBHOOK_ALLOW_PRIVATE")? == 1,
                first_retry: Duration::from_secs(
                    number::<u64>("GOCUA_WEBHOOK_FIRST_RETRY_SECS")?.max(1),
                ),
                give_up_after: Duration::from_secs(
                    number::<u64>("GOCUA_WEBHOOK_GIVE_UP_HOURS")?.clamp(1, 24 * 30) * 3600,
                ),
                timeout: Duration::from_secs(
                    number::<u64>("GOCUA_WEBHOOK_TIMEOUT_SECS")?.clamp(1, 60),
                ),
                max_pending: number::<usize>("GOCUA_WEBHOOK_MAX_PENDING")?.max(1),
                poll: Duration::from_secs(1),
            },
            citizen_ref_retention_days: number::<i64>("GOCUA_CITIZEN_REF_RETENTION_DAYS")?
                .clamp(1, 36_500),
        })
    }

    /// Defaults for everything but the database and the secrets; tests start from this.
    pub fn with_defaults(
        database: DatabaseUrl,
        jwt_secret: Secret,
        citizen_id_key: Secret,
    ) -> Self {
        Self {
            database,
            read_database: None,
            bind: "127.0.0.1:0".into(),
            jwt_secret,
            jwt_retired: Vec::new(),
            trusted_proxies: Vec::new(),
            citizen_id_key,
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 86_400),
            max_body_bytes: 2 * 1024 * 1024,
            body_idle_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(120),
            pool_size: 8,
            pool_timeout: Duration::from_secs(5),
            login_failures_per_phone: 5,
            login_failures_per_address: 30,
            login_failure_window: Duration::from_secs(900),
            auth_cache: Duration::from_secs(2),
            late_sync_window: chrono::TimeDelta::days(60),
            webhooks: WebhookSettings {
                allow_private: false,
                first_retry: Duration::from_secs(30),
                give_up_after: Duration::from_secs(72 * 3600),
                timeout: Duration::from_secs(10),
                poll: Duration::from_secs(1),
                max_pending: 100_000,
            },
            citizen_ref_retention_days: 730,
        }
    }
}

/// Path of the generated key file for a SQLite database (`gocua.db` → `gocua.db.keys`).
pub fn key_file_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".keys");
    PathBuf::from(name)
}

fn load_or_create_key_file(db: &Path) -> anyhow::Result<(String, String)> {
    let path = key_file_path(db);
    if !path.exists() {
        let body = format!(
            "# gocua secrets for {}: keep this file private and back it up with the database.\n\
             GOCUA_JWT_SECRET={}\nGOCUA_CITIZEN_ID_KEY={}\n",
            db.display(),
            Secret::generate()?,
            Secret::generate()?
        );
        write_private(&path, &body)?;
        tracing::warn!(file = %path.display(), "generated GOCUA_JWT_SECRET and GOCUA_CITIZEN_ID_KEY into a new key file");
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading key file {}", path.display()))?;
    let find = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .map(|v| v.trim().to_owned())
            .with_context(|| format!("key file {} lacks {key}", path.display()))
    };
    Ok((find("GOCUA_JWT_SECRET")?, find("GOCUA_CITIZEN_ID_KEY")?))
}

fn write_private(path: &Path, body: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating key file {}", path.display()))?;
    file.write_all(body.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
