//! `GET /api/v1/audit`: scope, filters, pages.

use actix_web::http::Method;
use serde_json::Value;

use crate::util::visit;
use crate::util::{BA_DINH, NGOC_HA, SAI_GON, TestApp};

fn units(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["unit_code"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[actix_web::test]
async fn supervisors_read_their_scopes_audit() {
    let (app, f) = TestApp::init().with_field().await;
    let created = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let province = app
        .get("/api/v1/audit?limit=500", &f.province.token)
        .await
        .expect(200);
    let seen = units(&province.body);
    assert!(seen.iter().any(|u| u == BA_DINH) && seen.iter().any(|u| u == NGOC_HA));
    assert!(
        seen.iter()
            .all(|u| u == "01" || u == BA_DINH || u == NGOC_HA),
        "{seen:?}"
    );
    let entry = province.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "record.create")
        .unwrap()
        .clone();
    assert_eq!(entry["object_id"], created.body["id"]);
    assert_eq!(entry["object_kind"], "visit");
    assert_eq!(entry["actor_id"], f.member.id.as_str());
    let commune = app
        .get("/api/v1/audit?limit=500", &f.sup.token)
        .await
        .expect(200);
    assert!(units(&commune.body).iter().all(|u| u == BA_DINH));
    let far = app
        .get("/api/v1/audit?limit=500", &f.far_province.token)
        .await
        .expect(200);
    assert!(units(&far.body).iter().all(|u| u == "79"));
    let mine = app
        .get(
            &format!("/api/v1/audit?actor={}", f.sup.id),
            &f.province.token,
        )
        .await
        .expect(200);
    assert!(
        mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_id"] == f.sup.id.as_str())
    );
    assert!(!mine.body["items"].as_array().unwrap().is_empty());
    let only = app
        .get(
            &format!("/api/v1/audit?unit={NGOC_HA}&limit=500"),
            &f.province.token,
        )
        .await
        .expect(200);
    assert!(units(&only.body).iter().all(|u| u == NGOC_HA));
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(2);
    let none = app
        .get(&format!("/api/v1/audit?from={tomorrow}"), &f.province.token)
        .await
        .expect(200);
    assert!(none.body["items"].as_array().unwrap().is_empty());
    let first = app
        .get("/api/v1/audit?limit=2", &f.province.token)
        .await
        .expect(200);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/audit?limit=2&cursor={cursor}"),
            &f.province.token,
        )
        .await
        .expect(200);
    assert_ne!(first.body["items"][0]["id"], second.body["items"][0]["id"]);
    app.get(&format!("/api/v1/audit?unit={SAI_GON}"), &f.province.token)
        .await
        .problem(404);
    app.get("/api/v1/audit", &f.member.token).await.problem(403);
    app.call(Method::GET, "/api/v1/audit", None, None)
        .await
        .problem(401);
    app.get(
        "/api/v1/audit?from=2026-03-10&to=2026-03-01",
        &f.province.token,
    )
    .await
    .problem(422);
}
