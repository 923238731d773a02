//! Dashboard keys: who issues them, what they read, and that revoking is immediate.

use actix_web::http::Method;
use serde_json::json;

use crate::util::visit;
use crate::util::{BA_DINH, HANOI, Reply, TestApp};

#[actix_web::test]
async fn dashboard_keys_read_statistics_only() {
    let (app, f) = TestApp::init().with_field().await;
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let created = app
        .post(
            "/api/v1/api-keys",
            &f.province.token,
            json!({"name": "Bảng điều khiển Hà Nội", "unit_code": HANOI}),
        )
        .await
        .expect(201);
    let key = created.body["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("gck_") && key.len() > 40);
    assert_eq!(created.body["unit_code"], HANOI);
    let id = created.body["id"].as_str().unwrap().to_owned();
    // What a key may read.
    let summary = app.get("/api/v1/stats/summary", &key).await.expect(200);
    assert_eq!(summary.body["unit_code"], HANOI);
    assert_eq!(summary.body["metrics"]["visits"], 1);
    app.get(
        &format!("/api/v1/stats/breakdown?by=unit&unit={HANOI}"),
        &key,
    )
    .await
    .expect(200);
    app.get(&format!("/api/v1/units/{BA_DINH}"), &key)
        .await
        .expect(200);
    app.get("/api/v1/campaigns", &key).await.expect(200);
    // What it may not.
    for path in [
        "/api/v1/visits",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/me",
        "/api/v1/exports/visits.csv",
        "/api/v1/api-keys",
    ] {
        app.get(path, &key).await.problem(403);
    }
    app.post("/api/v1/visits", &key, visit(&f.team))
        .await
        .problem(403);
    app.get("/api/v1/stats/summary?unit=79", &key)
        .await
        .problem(404);
    // Listing never shows the key; use is recorded.
    let listed = app
        .get("/api/v1/api-keys", &f.province.token)
        .await
        .expect(200);
    let item = &listed.body["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert!(item.get("key").is_none() && !listed.body.to_string().contains(&key));
    assert!(item["last_used_at"].is_string());
    // Revoked at once.
    app.call(
        Method::DELETE,
        &format!("/api/v1/api-keys/{id}"),
        Some(&f.far_province.token),
        None,
    )
    .await
    .problem(404);
    app.call(
        Method::DELETE,
        &format!("/api/v1/api-keys/{id}"),
        Some(&f.province.token),
        None,
    )
    .await
    .expect(204);
    app.call(
        Method::DELETE,
        &format!("/api/v1/api-keys/{id}"),
        Some(&f.province.token),
        None,
    )
    .await
    .expect(204);
    app.get("/api/v1/stats/summary", &key).await.problem(401);
    app.get("/api/v1/stats/summary", "gck_not-a-key")
        .await
        .problem(401);
    let revoked = app
        .get("/api/v1/api-keys", &f.province.token)
        .await
        .expect(200);
    assert!(revoked.body["items"][0]["revoked_at"].is_string());
}

#[actix_web::test]
async fn who_manages_keys() {
    let (app, f) = TestApp::init().with_field().await;
    let body = json!({"name": "Ba Đình", "unit_code": BA_DINH});
    // A commune supervisor manages the keys of their commune, and nothing above it.
    let own = app
        .post("/api/v1/api-keys", &f.sup.token, body.clone())
        .await
        .expect(201);
    app.post(
        "/api/v1/api-keys",
        &f.sup.token,
        json!({"name": "Hà Nội", "unit_code": HANOI}),
    )
    .await
    .problem(404);
    let listed = app.get("/api/v1/api-keys", &f.sup.token).await.expect(200);
    assert_eq!(listed.body["items"][0]["id"], own.body["id"]);
    app.post("/api/v1/api-keys", &f.member.token, body.clone())
        .await
        .problem(403);
    app.call(Method::POST, "/api/v1/api-keys", None, Some(body.clone()))
        .await
        .problem(401);
    app.post("/api/v1/api-keys", &f.far_province.token, body.clone())
        .await
        .problem(404);
    let problem = app
        .post(
            "/api/v1/api-keys",
            &f.province.token,
            json!({"name": "", "unit_code": "99999"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["name", "unit_code"]);
    let commune_key = app
        .post("/api/v1/api-keys", &f.province.token, body)
        .await
        .expect(201);
    let key = commune_key.body["key"].as_str().unwrap();
    app.get(&format!("/api/v1/stats/summary?unit={HANOI}"), key)
        .await
        .problem(404);
    app.get(&format!("/api/v1/stats/summary?unit={BA_DINH}"), key)
        .await
        .expect(200);
    app.get("/api/v1/api-keys", &f.member.token)
        .await
        .problem(403);
    assert!(
        app.get("/api/v1/api-keys", &f.far_province.token)
            .await
            .expect(200)
            .body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
