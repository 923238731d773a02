//! Probes, unknown routes, the generated spec and the docs page.

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::web;
use gocua::app;
use gocua::config::{Config, DatabaseUrl, Secret};
use gocua::state::AppState;

use crate::util::TestApp;

#[actix_web::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::init().empty().await;
    let health = app
        .call(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    assert_eq!(health.body["status"], "ok");
    let ready = app
        .call(Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    assert_eq!(ready.body["status"], "ready");
    let backend = std::env::var("GOCUA_TEST_DATABASE").unwrap_or_else(|_| "sqlite".into());
    assert_eq!(ready.body["database"], backend.as_str());
}

#[actix_web::test]
async fn unknown_route_is_problem_404() {
    let app = TestApp::init().empty().await;
    app.call(Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .problem(404);
}

/// A server whose database cannot be reached answers 503 with `Retry-After`, never 500
/// and never a hang.
#[actix_web::test]
async fn unreachable_database_is_503_with_retry_after() {
    let url = match std::env::var("GOCUA_TEST_DATABASE").as_deref() {
        Ok("postgres") => DatabaseUrl::Postgres("postgres://postgres@127.0.0.1:1/none".into()),
        _ => DatabaseUrl::Sqlite("/nonexistent-dir/for/gocua/test.db".into()),
    };
    let mut config = Config::with_defaults(
        url.clone(),
        Secret::new("j", &"j".repeat(32)).unwrap(),
        Secret::new("c", &"c".repeat(32)).unwrap(),
    );
    config.pool_timeout = std::time::Duration::from_millis(500);
    let pool = gocua::db::build_pool(&url, 1, config.pool_timeout);
    let node = app::Node::new(AppState::new(config, pool));
    let token = node.state.jwt.issue("someone", 0).unwrap();
    let spec = Arc::new(app::openapi());
    let srv = actix_test::start(move || app::build(node.clone(), (*spec).clone()));
    for (path, auth) in [("/readyz", None), ("/api/v1/me", Some(token.as_str()))] {
        let mut req = srv.get(path);
        if let Some(t) = auth {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let mut res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 503, "{path}");
        assert!(res.headers().get("retry-after").is_some(), "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], 503);
        assert!(!body.to_string().to_lowercase().contains("sqlite"));
    }
}

#[actix_web::test]
async fn committed_spec_matches_generated() {
    let generated = app::openapi().to_pretty_json().unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    assert!(
        generated.trim() == committed.trim(),
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    );
}

#[actix_web::test]
async fn served_spec_and_vendored_docs() {
    let app = TestApp::init().empty().await;
    let spec = app
        .call(Method::GET, "/api-docs/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(spec.body, serde_json::to_value(app::openapi()).unwrap());
    let paths = spec.body["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/units",
        "/api/v1/users/{id}",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "{p} missing from spec");
    }
    assert_eq!(
        spec.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut res = app.server.get("/docs/").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(html.contains("swagger-ui"));
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn."),
        "docs must not load from a CDN"
    );
    let mut js = app
        .server
        .get("/docs/swagger-ui-bundle.js")
        .send()
        .await
        .unwrap();
    assert_eq!(js.status().as_u16(), 200);
    assert!(js.body().limit(10 << 20).await.unwrap().len() > 100_000);
}

#[actix_web::test]
async fn known_path_with_another_method_is_405_with_allow() {
    let app = TestApp::init().empty().await;
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/units", "GET"),
        (Method::POST, "/api/v1/units/01", "GET, PATCH"),
        (Method::PUT, "/api/v1/users", "GET, POST"),
        (Method::GET, "/api/v1/sync", "POST"),
    ] {
        let reply = app.call(method, path, None, None).await;
        assert_eq!(reply.headers.get("allow").unwrap(), allow, "{path}");
        reply.problem(405);
    }
}

#[actix_web::test]
async fn empty_query_parameters_mean_absent() {
    let (app, admin) = TestApp::init().with_admin().await;
    let page = app
        .get("/api/v1/units?cursor=&q=&kind=&limit=", &admin.token)
        .await
        .expect(200);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 50);
}

#[actix_web::test]
async fn request_ids_are_echoed_and_quoted_in_problems() {
    let app = TestApp::init().empty().await;
    let mut res = app
        .server
        .get("/api/v1/me")
        .insert_header(("X-Request-Id", "phone-42.abc_DEF"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(
        res.headers().get("x-request-id").unwrap(),
        "phone-42.abc_DEF"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["request_id"], "phone-42.abc_DEF");
    assert_eq!(body["status"], 401);
    let res = app
        .server
        .get("/healthz")
        .insert_header(("X-Request-Id", "bad id with spaces"))
        .send()
        .await
        .unwrap();
    let made = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(made).is_ok(),
        "an unusable id is replaced: {made}"
    );
    let fresh = app.call(Method::GET, "/api/v1/units", None, None).await;
    assert_eq!(
        fresh.body["request_id"],
        fresh.headers.get("x-request-id").unwrap().to_str().unwrap()
    );
}

/// `gocua backup` copies a live SQLite database while records keep arriving: the copy passes
/// SQLite's integrity check, holds every record acknowledged before the backup began, and
/// its rollups equal a recount of its own records (one snapshot, never half a change).
/// `gocua restore` puts it back. On PostgreSQL both point to pg_dump and change nothing.
#[actix_web::test]
async fn backup_under_write_load_is_a_consistent_copy() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use gocua::db::backup;

    let app = TestApp::init().empty().await;
    let f = crate::util::Field::new(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy.db");
    if std::env::var("GOCUA_TEST_DATABASE").as_deref() == Ok("postgres") {
        let pool = app.pool.clone();
        let copy = target.clone();
        let err = web::block(move || backup::backup(&mut pool.get().unwrap(), &copy))
            .await
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("pg_dump"));
        assert!(!target.exists());
        return;
    }
    let acked: Rc<RefCell<Vec<String>>> = Rc::default();
    let writer = {
        let acked = acked.clone();
        let (app, token, team) = (&app, f.member.token.clone(), f.team.clone());
        async move {
            for _ in 0..40 {
                let body = crate::util::visit(&team);
                let id = body["id"].as_str().unwrap().to_owned();
                app.post("/api/v1/visits", &token, body).await.expect(201);
                acked.borrow_mut().push(id);
            }
        }
    };
    let backup_task = {
        let (acked, pool, copy) = (acked.clone(), app.pool.clone(), target.clone());
        async move {
            while acked.borrow().len() < 10 {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            let before = acked.borrow().clone();
            web::block(move || backup::backup(&mut pool.get().unwrap(), &copy))
                .await
                .unwrap()
                .unwrap();
            before
        }
    };
    let ((), before) = futures_util::future::join(writer, backup_task).await;
    backup::verify(&target).unwrap();
    let copy = gocua::db::build_pool(
        &DatabaseUrl::Sqlite(target.clone()),
        1,
        std::time::Duration::from_secs(5),
    );
    let (in_copy, consistent) = web::block(move || {
        use diesel::prelude::*;
        let mut conn = copy.get().unwrap();
        let ids: Vec<String> = gocua::schema::records::table
            .select(gocua::schema::records::id)
            .load(&mut **conn)
            .unwrap();
        let fresh = gocua::records::tally::recount(&mut conn).unwrap();
        let stored = gocua::stats::rollups::stored(&mut conn).unwrap();
        (ids, fresh == stored)
    })
    .await
    .unwrap();
    assert!(before.iter().all(|id| in_copy.contains(id)));
    assert!(in_copy.len() <= 40 && in_copy.len() >= before.len());
    assert!(consistent, "the copy's rollups match its records");
    assert!(
        backup::backup(&mut app.pool.get().unwrap(), &target).is_err(),
        "never overwrites"
    );

    let restored = dir.path().join("restored.db");
    std::fs::write(&restored, b"old contents").unwrap();
    backup::restore(&DatabaseUrl::Sqlite(restored.clone()), &target).unwrap();
    backup::verify(&restored).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("restored.before-restore")).unwrap(),
        b"old contents"
    );
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"not a database").unwrap();
    assert!(backup::restore(&DatabaseUrl::Sqlite(restored.clone()), &garbage).is_err());
    backup::verify(&restored).unwrap();
}

/// `/metrics` speaks Prometheus text and counts what an operator watches: requests by
/// route pattern and status, records created by kind, sync batch sizes, failed logins,
/// rate-limit refusals and the pool.
#[actix_web::test]
async fn metrics_count_requests_records_batches_and_failures() {
    let (app, f) = TestApp::init()
        .with_config(|c| c.login_failures_per_phone = 2)
        .with_field()
        .await;
    let visit = crate::util::visit(&f.team);
    let id = visit["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/visits", &f.member.token, visit)
        .await
        .expect(201);
    app.get(&format!("/api/v1/visits/{id}"), &f.member.token)
        .await
        .expect(200);
    let batch = serde_json::json!({
        "visits": [crate::util::visit(&f.team), crate::util::visit(&f.team)],
        "vneid_assists": [],
        "signature_registrations": []
    });
    app.post("/api/v1/sync", &f.member.token, batch)
        .await
        .expect(200);
    for _ in 0..3 {
        app.login(&f.member.phone, "wrong-password-123").await;
    }
    let (status, headers, bytes) = app.get_bytes("/metrics", "", None).await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(bytes).unwrap();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} missing from:\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        value(r#"gocua_http_requests_total{method="POST",route="/api/v1/visits",status="201"}"#)
            >= 1.0
    );
    assert!(
        value(
            r#"gocua_http_requests_total{method="GET",route="/api/v1/visits/{id}",status="200"}"#
        ) >= 1.0,
        "ids never become labels"
    );
    assert!(!text.contains(&id));
    assert!(value(r#"gocua_records_created_total{kind="visit"}"#) >= 3.0);
    assert!(value("gocua_sync_batch_records_count") >= 1.0);
    assert!(value("gocua_login_failures_total") >= 2.0);
    assert!(value("gocua_rate_limited_total") >= 1.0);
    assert!(value("gocua_db_pool_connections") >= 1.0);
    assert!(text.contains("gocua_http_request_duration_seconds_bucket"));
    assert!(text.contains("gocua_db_pool_waiting"));
}
