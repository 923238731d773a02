//! `GET /api/v1/follow-ups?team=`: open items per kind, oldest first, closed by later work.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::util::TestApp;
use crate::util::{CITIZEN, assist, hours_ago, signature, visit};

fn ids(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["reason"].as_str().unwrap().to_owned(),
                i["record"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn follow_ups_open_and_close() {
    let (app, f) = TestApp::init().with_field().await;
    let post = |path: &'static str, body: Value| app.post(path, &f.member.token, body);
    let at = |mut body: Value, hours: i64| {
        body["occurred_at"] = json!(hours_ago(hours));
        body
    };
    let follow_up = |house: &str, hours: i64| {
        let mut v = at(visit(&f.team), hours);
        v["outcome"] = json!("follow_up");
        v["household_ref"] = json!(house);
        v
    };
    let closed_visit = post("/api/v1/visits", follow_up("KP1-1", 10))
        .await
        .expect(201)
        .body;
    let open_visit = post("/api/v1/visits", follow_up("KP1-2", 9))
        .await
        .expect(201)
        .body;
    let mut revisit = at(visit(&f.team), 8);
    revisit["household_ref"] = json!("KP1-1");
    post("/api/v1/visits", revisit).await.expect(201);
    let pending = post(
        "/api/v1/vneid-assists",
        at(assist(&f.team, CITIZEN, "activate_level2", "pending"), 7),
    )
    .await
    .expect(201)
    .body;
    post(
        "/api/v1/vneid-assists",
        at(assist(&f.team, CITIZEN, "activate_level2", "success"), 6),
    )
    .await
    .expect(201);
    let still_pending = post(
        "/api/v1/vneid-assists",
        at(
            assist(&f.team, "001185099999", "register_level1", "pending"),
            5,
        ),
    )
    .await
    .expect(201)
    .body;
    let changed = post(
        "/api/v1/vneid-assists",
        at(assist(&f.team, "001185088888", "install", "pending"), 5),
    )
    .await
    .expect(201)
    .body;
    app.patch(
        &format!("/api/v1/vneid-assists/{}", changed["id"].as_str().unwrap()),
        &f.member.token,
        json!({"result": "success"}),
    )
    .await
    .expect(200);
    post(
        "/api/v1/signature-registrations",
        at(signature(&f.team, CITIZEN, "submitted"), 4),
    )
    .await
    .expect(201);
    post(
        "/api/v1/signature-registrations",
        at(signature(&f.team, CITIZEN, "issued"), 3),
    )
    .await
    .expect(201);
    let waiting = post(
        "/api/v1/signature-registrations",
        at(signature(&f.team, "001185077777", "submitted"), 2),
    )
    .await
    .expect(201)
    .body;
    let voided = post(
        "/api/v1/signature-registrations",
        at(signature(&f.team, "001185066666", "submitted"), 1),
    )
    .await
    .expect(201)
    .body;
    app.post(
        &format!(
            "/api/v1/signature-registrations/{}/void",
            voided["id"].as_str().unwrap()
        ),
        &f.member.token,
        json!({"reason": "Nhầm"}),
    )
    .await
    .expect(200);
    // Work of another team never closes this team's follow-up.
    let mut elsewhere = at(visit(&f.other_team), 1);
    elsewhere["household_ref"] = json!("KP1-2");
    app.post("/api/v1/visits", &f.outsider.token, elsewhere)
        .await
        .expect(201);

    let path = format!("/api/v1/follow-ups?team={}", f.team);
    let page = app.get(&path, &f.member.token).await.expect(200);
    let expected = vec![
        (
            "visit_follow_up".to_owned(),
            open_visit["id"].as_str().unwrap().to_owned(),
        ),
        (
            "assist_pending".to_owned(),
            still_pending["id"].as_str().unwrap().to_owned(),
        ),
        (
            "signature_submitted".to_owned(),
            waiting["id"].as_str().unwrap().to_owned(),
        ),
    ];
    assert_eq!(ids(&page.body), expected);
    assert_eq!(page.body["items"][0]["kind"], "visit");
    assert_eq!(page.body["items"][0]["record"]["household_ref"], "KP1-2");
    assert!(
        !ids(&page.body)
            .iter()
            .any(|(_, id)| id == closed_visit["id"].as_str().unwrap()
                || id == pending["id"].as_str().unwrap())
    );
    // Pages, oldest first.
    let first = app
        .get(&format!("{path}&limit=2"), &f.lead.token)
        .await
        .expect(200);
    assert_eq!(ids(&first.body), expected[..2].to_vec());
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("{path}&limit=2&cursor={cursor}"), &f.lead.token)
        .await
        .expect(200);
    assert_eq!(ids(&second.body), expected[2..].to_vec());
    // Who may look.
    app.get(&path, &f.sup.token).await.expect(200);
    app.get(&path, &f.province.token).await.expect(200);
    app.get(&path, &f.outsider.token).await.problem(404);
    app.get(&path, &f.far_province.token).await.problem(404);
    app.call(Method::GET, &path, None, None).await.problem(401);
    app.get("/api/v1/follow-ups", &f.member.token)
        .await
        .problem(400);
    app.get(&format!("{path}&limit=0"), &f.member.token)
        .await
        .problem(422);
}
