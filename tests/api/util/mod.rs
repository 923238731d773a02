//! `TestApp`: the real application on a real database, served over a real socket, one per
//! test. SQLite by default (a temp file); PostgreSQL when `GOCUA_TEST_DATABASE=postgres`,
//! on a fresh database created from `GOCUA_TEST_POSTGRES_URL` and dropped afterwards.

use std::sync::Arc;

use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::web;
use diesel::RunQueryDsl;
use diesel::connection::Connection;
use gocua::access::Role;
use gocua::app;
use gocua::config::{Config, DatabaseUrl, Secret};
use gocua::db::DbPool;
use gocua::state::AppState;
use serde_json::{Value, json};

mod bodies;
mod field;

pub use bodies::{CITIZEN, assist, hours_ago, signature, visit};
pub use field::{Field, team_with};

/// Password every test user gets.
pub const PASSWORD: &str = "mật-khẩu-thử-123";

/// A commune of Hà Nội (01) used as the home of most test users.
pub const HANOI: &str = "01";
/// Phường Ba Đình, in Hà Nội.
pub const BA_DINH: &str = "00004";
/// Phường Ngọc Hà, in Hà Nội.
pub const NGOC_HA: &str = "00008";
/// Hồ Chí Minh City (79).
pub const HCMC: &str = "79";
/// Phường Sài Gòn, in Hồ Chí Minh City.
pub const SAI_GON: &str = "26740";

/// A test database, removed when dropped.
pub enum Database {
    /// Kept so the temporary directory lives as long as the app.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

/// One running app with its own database.
pub struct TestApp {
    pub server: actix_test::TestServer,
    pub pool: DbPool,
    config: Config,
    db: Database,
    next_phone: std::sync::atomic::AtomicU32,
}

/// A response: status, headers and the JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Reads a response: status, headers and the JSON body (`Null` when empty or not JSON).
    pub async fn read<S>(mut res: awc::ClientResponse<S>) -> Self
    where
        S: futures_util::Stream<
                Item = Result<actix_web::web::Bytes, actix_web::error::PayloadError>,
            > + Unpin,
    {
        let bytes = res.body().limit(16 * 1024 * 1024).await.unwrap();
        Self {
            status: res.status(),
            headers: res.headers().clone(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Asserts the status, printing the body on failure.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        self
    }

    /// Asserts a problem+json error with this status, and returns its body.
    #[track_caller]
    pub fn problem(self, status: u16) -> Value {
        let reply = self.expect(status);
        let ct = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert_eq!(ct, Some("application/problem+json"), "{}", reply.body);
        assert_eq!(reply.body["status"], status);
        assert!(reply.body["type"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(reply.body["title"].is_string() && reply.body["detail"].is_string());
        assert!(reply.body["errors"].is_array());
        reply.body
    }

    /// The `field` names of a 422's errors.
    pub fn fields(body: &Value) -> Vec<String> {
        body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A user made for a test, with a live access token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub phone: String,
    pub token: String,
    pub refresh_token: String,
}

/// The keys every test server signs and hashes with (a second server can share them).
pub fn test_secrets() -> (Secret, Secret) {
    (
        Secret::new("jwt", "test-jwt-secret-that-is-long-enough-0001").unwrap(),
        Secret::new("cid", "test-citizen-key-that-is-long-enough-001").unwrap(),
    )
}

/// Test databases are local: plain connections, so no TLS library state is torn down at
/// process exit while a pool thread still closes a connection (glibc then aborts the test
/// process with a double free after the test has passed).
fn without_tls(url: &str) -> String {
    let plain = url.split('?').next().unwrap_or(url);
    format!("{plain}?sslmode=disable")
}

/// A new empty database of the backend under test, and the guard that removes it.
pub fn fresh_database() -> (DatabaseUrl, Database) {
    match std::env::var("GOCUA_TEST_DATABASE").as_deref() {
        Ok("postgres") => {
            let admin_url = without_tls(&std::env::var("GOCUA_TEST_POSTGRES_URL").expect(
                "GOCUA_TEST_DATABASE=postgres needs GOCUA_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test)",
            ));
            let name = format!("gocua_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = diesel::PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                panic!("PostgreSQL at GOCUA_TEST_POSTGRES_URL is unreachable: {e}")
            });
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .unwrap();
            let plain = admin_url.split('?').next().unwrap_or(&admin_url);
            let base = plain.rsplit_once('/').map(|(b, _)| b).unwrap_or(plain);
            let url = format!("{base}/{name}?sslmode=disable");
            (
                DatabaseUrl::Postgres(url),
                Database::Postgres { admin_url, name },
            )
        }
        Ok("sqlite") | Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let url = DatabaseUrl::Sqlite(dir.path().join("gocua-test.db"));
            (url, Database::Sqlite { _dir: dir })
        }
        Ok(other) => panic!("GOCUA_TEST_DATABASE={other}: use sqlite or postgres"),
    }
}

/// Builds a [`TestApp`] with what a scenario starts from, as crates.io's
/// `TestApp::init().with_user()`: `let (app, f) = TestApp::init().with_field().await`.
pub struct Builder {
    adjust: Box<dyn FnOnce(&mut Config)>,
}

impl Builder {
    /// Adjusts the settings before the server starts.
    pub fn with_config(self, adjust: impl FnOnce(&mut Config) + 'static) -> Self {
        let before = self.adjust;
        Self {
            adjust: Box::new(move |config| {
                before(config);
                adjust(config);
            }),
        }
    }

    /// The server alone.
    pub async fn empty(self) -> TestApp {
        TestApp::start(self.adjust).await
    }

    /// The server and a signed-in admin.
    pub async fn with_admin(self) -> (TestApp, TestUser) {
        let app = self.empty().await;
        let admin = app.admin().await;
        (app, admin)
    }

    /// The server and the usual field: supervisors, volunteers and teams in two communes of
    /// Hà Nội (see [`Field`]).
    pub async fn with_field(self) -> (TestApp, Field) {
        let app = self.empty().await;
        let field = Field::new(&app).await;
        (app, field)
    }
}

impl TestApp {
    /// Starts building a server (see [`Builder`]).
    pub fn init() -> Builder {
        Builder {
            adjust: Box::new(|_| {}),
        }
    }

    /// A server on a fresh database with migrations and the unit map applied, its settings
    /// adjusted first (see [`Builder::empty`]).
    async fn start(adjust: impl FnOnce(&mut Config)) -> Self {
        let (url, db) = fresh_database();
        let (jwt, cid) = test_secrets();
        let mut config = Config::with_defaults(url, jwt, cid);
        adjust(&mut config);
        let prepare = config.clone();
        let pool = web::block(move || gocua::cli::prepare_database(&prepare))
            .await
            .unwrap()
            .unwrap();
        let node = app::Node::new(AppState::new(config.clone(), pool.clone()));
        gocua::webhooks::worker::spawn(&node.state);
        let spec = Arc::new(app::openapi());
        let server = actix_test::start(move || app::build(node.clone(), (*spec).clone()));
        Self {
            server,
            pool,
            config,
            db,
            next_phone: std::sync::atomic::AtomicU32::new(1),
        }
    }

    /// The SQLite file's bytes with its write-ahead log (`None` on PostgreSQL).
    pub fn sqlite_bytes(&self) -> Option<Vec<u8>> {
        let gocua::config::DatabaseUrl::Sqlite(path) = &self.config.database else {
            return None;
        };
        let mut bytes = std::fs::read(path).unwrap();
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        bytes.extend(std::fs::read(&wal).unwrap_or_default());
        Some(bytes)
    }

    /// Starts another webhook worker on the same database, as a second server process
    /// would have.
    pub fn another_worker(&self) {
        let state = Arc::new(AppState::new(self.config.clone(), self.pool.clone()));
        gocua::webhooks::worker::spawn(&state);
    }

    /// A second server on the same database with a state of its own (its own caches,
    /// throttle and queues), as another API node behind the same load balancer.
    pub fn another_node(&self) -> actix_test::TestServer {
        let node = app::Node::new(AppState::new(self.config.clone(), self.pool.clone()));
        let spec = Arc::new(app::openapi());
        actix_test::start(move || app::build(node.clone(), (*spec).clone()))
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.server.request(method, self.server.url(path));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let res = match body {
            Some(b) => req.send_json(&b).await.unwrap(),
            None => req.send().await.unwrap(),
        };
        Reply::read(res).await
    }

    /// Sends raw bytes with a content type.
    pub async fn raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let res = self
            .server
            .post(path)
            .insert_header(("content-type", content_type))
            .send_body(body)
            .await
            .unwrap();
        Reply::read(res).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// A phone number no other user of this app has.
    pub fn phone(&self) -> String {
        let n = self
            .next_phone
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("09{:08}", n)
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, phone: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": phone, "password": password})),
        )
        .await
    }

    /// Creates a user straight in the database (as `gocua create-user` does) and signs in.
    pub async fn seed_user(&self, role: Role, unit: Option<&str>) -> TestUser {
        let phone = self.phone();
        let body = gocua::users::model::CreateUser {
            phone: phone.clone(),
            full_name: format!("Người thử {phone}"),
            role,
            unit_code: unit.map(str::to_owned),
            password: PASSWORD.into(),
        };
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().unwrap();
            gocua::users::service::create(&mut conn, body, None).unwrap();
        })
        .await
        .unwrap();
        self.signed_in(&phone).await
    }

    /// Signs in an existing user with the test password.
    pub async fn signed_in(&self, phone: &str) -> TestUser {
        let reply = self.login(phone, PASSWORD).await.expect(200);
        TestUser {
            id: reply.body["user"]["id"].as_str().unwrap().to_owned(),
            phone: reply.body["user"]["phone"].as_str().unwrap().to_owned(),
            token: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn admin(&self) -> TestUser {
        self.seed_user(Role::Admin, None).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Database::Postgres { admin_url, name } = &self.db
            && let Ok(mut admin) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

impl TestApp {
    /// The audit log as `(action, object_id, actor_id)` in insertion order.
    pub async fn audit(&self) -> Vec<(String, String, Option<String>)> {
        use diesel::prelude::*;
        use gocua::schema::audit_log;
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().unwrap();
            audit_log::table
                .select((audit_log::action, audit_log::object_id, audit_log::actor_id))
                .order(audit_log::at.asc())
                .load(&mut **conn)
                .unwrap()
        })
        .await
        .unwrap()
    }
}

impl TestApp {
    /// A GET whose body is returned as bytes (CSV), with an optional `Accept` header.
    pub async fn get_bytes(
        &self,
        path: &str,
        token: &str,
        accept: Option<&str>,
    ) -> (u16, HeaderMap, Vec<u8>) {
        let mut req = self
            .server
            .get(path)
            .insert_header(("Authorization", format!("Bearer {token}")));
        if let Some(a) = accept {
            req = req.insert_header(("Accept", a));
        }
        let mut res = req.send().await.unwrap();
        let bytes = res.body().limit(64 * 1024 * 1024).await.unwrap();
        (res.status().as_u16(), res.headers().clone(), bytes.to_vec())
    }
}

/// The Vietnamese date `days` days ago: record days are local, so a test that takes the UTC
/// date fails from 17:00 UTC on.
pub fn local_day(days: i64) -> chrono::NaiveDate {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    (chrono::Utc::now().with_timezone(&vn) - chrono::Duration::days(days)).date_naive()
}
