//! `POST /api/v1/sync`, `GET /api/v1/sync/state` and `GET /api/v1/meta`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::records::{CITIZEN, Field, assist, signature, visit};
use crate::util::{Reply, TestApp};

fn statuses(reply: &Reply) -> Vec<(String, String)> {
    reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect()
}

async fn count(app: &TestApp, token: &str, path: &str) -> usize {
    app.get(&format!("{path}?limit=500"), token)
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[actix_web::test]
async fn a_mixed_batch_answers_each_record_in_order() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let good_visit = visit(&f.team);
    let mut bad_visit = visit(&f.team);
    bad_visit["people_guided"] = json!(99);
    bad_visit["outcome"] = json!("maybe");
    let mut linked = assist(&f.team, CITIZEN, "install", "success");
    linked["visit_id"] = good_visit["id"].clone();
    let foreign = assist(&f.other_team, CITIZEN, "install", "success");
    let hidden = assist(&f.neighbour_team, CITIZEN, "install", "success");
    let sig = signature(&f.team, CITIZEN, "submitted");
    let batch = json!({
        "visits": [good_visit, bad_visit, "not an object"],
        "vneid_assists": [linked, foreign, hidden],
        "signature_registrations": [sig]
    });
    let reply = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    assert!(!reply.body.to_string().contains(CITIZEN));
    assert_eq!(
        statuses(&reply),
        pairs(&[
            ("visit", "created"),
            ("visit", "invalid"),
            ("visit", "invalid"),
            ("vneid_assist", "created"),
            ("vneid_assist", "invalid"),
            ("vneid_assist", "invalid"),
            ("signature_registration", "created"),
        ])
    );
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0]["id"], batch["visits"][0]["id"]);
    assert_eq!(results[1]["id"], batch["visits"][1]["id"]);
    assert_eq!(Reply::fields(&results[1]), vec!["outcome", "people_guided"]);
    assert!(results[2]["id"].is_null());
    // A volunteer cannot see other teams, even of their own commune.
    assert_eq!(results[4]["errors"][0]["code"], "unknown_team");
    assert_eq!(results[5]["errors"][0]["code"], "unknown_team");
    assert!(results[0]["errors"].as_array().unwrap().is_empty());
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 1);
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/vneid-assists").await,
        1
    );
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/signature-registrations").await,
        1
    );
    let stored = app
        .get(
            &format!(
                "/api/v1/vneid-assists/{}",
                batch["vneid_assists"][0]["id"].as_str().unwrap()
            ),
            &f.member.token,
        )
        .await
        .expect(200);
    assert_eq!(stored.body["visit_id"], batch["visits"][0]["id"]);
    // The retry creates nothing twice.
    let again = app
        .post("/api/v1/sync", &f.member.token, batch)
        .await
        .expect(200);
    assert_eq!(
        statuses(&again),
        pairs(&[
            ("visit", "unchanged"),
            ("visit", "invalid"),
            ("visit", "invalid"),
            ("vneid_assist", "unchanged"),
            ("vneid_assist", "invalid"),
            ("vneid_assist", "invalid"),
            ("signature_registration", "unchanged"),
        ])
    );
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 1);
    let actions = app
        .audit()
        .await
        .into_iter()
        .filter(|(a, _, _)| a == "record.create")
        .count();
    assert_eq!(actions, 3, "one audit entry per created record");
}

#[actix_web::test]
async fn a_retry_after_a_supervisors_change_is_a_conflict() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let batch = json!({"visits": [visit(&f.team), visit(&f.team)]});
    app.post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    let id = batch["visits"][0]["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/visits/{id}"),
        &f.sup.token,
        json!({"note": "Đã sửa"}),
    )
    .await
    .expect(200);
    let again = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    assert_eq!(
        statuses(&again),
        pairs(&[("visit", "conflict"), ("visit", "unchanged")])
    );
    let stored = app
        .get(&format!("/api/v1/visits/{id}"), &f.member.token)
        .await
        .expect(200);
    assert_eq!(stored.body["note"], "Đã sửa", "a conflict never overwrites");
}

#[actix_web::test]
async fn batches_are_limited_to_1000_records() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let visits: Vec<Value> = (0..600).map(|_| visit(&f.team)).collect();
    let assists: Vec<Value> = (0..401)
        .map(|_| assist(&f.team, CITIZEN, "install", "pending"))
        .collect();
    let problem = app
        .post(
            "/api/v1/sync",
            &f.member.token,
            json!({"visits": visits, "vneid_assists": assists}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["batch"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1000")
    );
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/visits").await,
        0,
        "nothing stored"
    );
    let full: Vec<Value> = (0..1000).map(|_| visit(&f.team)).collect();
    let reply = app
        .post("/api/v1/sync", &f.member.token, json!({"visits": full}))
        .await
        .expect(200);
    assert!(statuses(&reply).iter().all(|(_, s)| s == "created"));
    assert_eq!(reply.body["results"].as_array().unwrap().len(), 1000);
}

#[actix_web::test]
async fn concurrent_identical_batches_store_each_record_once() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let visits: Vec<Value> = (0..50).map(|_| visit(&f.team)).collect();
    let assists: Vec<Value> = (0..50)
        .map(|i| assist(&f.team, &format!("0011850{i:05}"), "install", "pending"))
        .collect();
    let batch = json!({"visits": visits, "vneid_assists": assists});
    let (a, b) = futures_util::future::join(
        app.post("/api/v1/sync", &f.member.token, batch.clone()),
        app.post("/api/v1/sync", &f.member.token, batch.clone()),
    )
    .await;
    let (a, b) = (a.expect(200), b.expect(200));
    for (x, y) in statuses(&a).iter().zip(statuses(&b)) {
        let mut both = vec![x.1.clone(), y.1.clone()];
        both.sort();
        assert_eq!(both, vec!["created", "unchanged"]);
    }
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 50);
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/vneid-assists").await,
        50
    );
}

async fn review_of(app: &TestApp, token: &str, path: &str, id: &Value) -> (Value, Value) {
    let body = app
        .get(&format!("{path}/{}", id.as_str().unwrap()), token)
        .await
        .expect(200)
        .body;
    (body["review_status"].clone(), body["duplicate_of"].clone())
}

#[actix_web::test]
async fn a_repeat_within_a_batch_is_flagged_against_the_earlier_record() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let first = assist(&f.team, CITIZEN, "install", "success");
    let repeat = assist(&f.team, CITIZEN, "install", "success");
    let other_action = assist(&f.team, CITIZEN, "activate_level2", "success");
    let issued = signature(&f.team, CITIZEN, "issued");
    let issued_again = signature(&f.team, CITIZEN, "issued");
    let batch = json!({
        "vneid_assists": [first, repeat, other_action],
        "signature_registrations": [issued, issued_again]
    });
    let reply = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    assert!(statuses(&reply).iter().all(|(_, s)| s == "created"));
    let (assists, signatures) = ("/api/v1/vneid-assists", "/api/v1/signature-registrations");
    let token = &f.member.token;
    let a = &batch["vneid_assists"];
    let s = &batch["signature_registrations"];
    assert_eq!(
        review_of(&app, token, assists, &a[0]["id"]).await,
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        review_of(&app, token, assists, &a[1]["id"]).await,
        (json!("flagged"), a[0]["id"].clone())
    );
    assert_eq!(
        review_of(&app, token, assists, &a[2]["id"]).await,
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        review_of(&app, token, signatures, &s[0]["id"]).await,
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        review_of(&app, token, signatures, &s[1]["id"]).await,
        (json!("flagged"), s[0]["id"].clone())
    );
    // A later batch repeats the original, not the record already flagged.
    let later = assist(&f.team, CITIZEN, "install", "success");
    let reply = app
        .post(
            "/api/v1/sync",
            token,
            json!({"vneid_assists": [later.clone()]}),
        )
        .await
        .expect(200);
    assert_eq!(reply.body["results"][0]["status"], "created");
    assert_eq!(
        review_of(&app, token, assists, &later["id"]).await,
        (json!("flagged"), a[0]["id"].clone())
    );
}

#[actix_web::test]
async fn the_same_id_twice_in_one_batch() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let one = visit(&f.team);
    let mut changed = one.clone();
    changed["note"] = json!("khác");
    let reply = app
        .post(
            "/api/v1/sync",
            &f.member.token,
            json!({"visits": [one, one.clone(), changed]}),
        )
        .await
        .expect(200);
    assert_eq!(
        statuses(&reply),
        pairs(&[
            ("visit", "created"),
            ("visit", "unchanged"),
            ("visit", "conflict")
        ])
    );
}

#[actix_web::test]
async fn sync_input_errors() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    app.call(
        Method::POST,
        "/api/v1/sync",
        None,
        Some(json!({"visits": []})),
    )
    .await
    .problem(401);
    let problem = app
        .post("/api/v1/sync", &f.member.token, json!({"visit": []}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["visit"]);
    app.post("/api/v1/sync", &f.member.token, json!({"visits": {}}))
        .await
        .problem(422);
    let empty = app
        .post("/api/v1/sync", &f.member.token, json!({}))
        .await
        .expect(200);
    assert!(empty.body["results"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn state_returns_teams_and_review_changes() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let batch = json!({"visits": [visit(&f.team), visit(&f.team)]});
    app.post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    let first = app
        .get("/api/v1/sync/state", &f.member.token)
        .await
        .expect(200);
    assert_eq!(first.body["teams"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["teams"][0]["id"], f.team.as_str());
    assert_eq!(
        first.body["teams"][0]["members"].as_array().unwrap().len(),
        2
    );
    assert!(
        first.body["record_changes"].as_array().unwrap().is_empty(),
        "nothing reviewed yet"
    );
    let cursor = first.body["cursor"].as_str().unwrap().to_owned();
    let id = batch["visits"][0]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/visits/{id}/review"),
        &f.lead.token,
        json!({"status": "rejected", "note": "Sai hộ"}),
    )
    .await
    .expect(200);
    let next = app
        .get(
            &format!("/api/v1/sync/state?since={cursor}"),
            &f.member.token,
        )
        .await
        .expect(200);
    let changes = next.body["record_changes"].as_array().unwrap();
    let change = changes
        .iter()
        .find(|c| c["id"] == id)
        .expect("the review is reported");
    assert_eq!(change["review_status"], "rejected");
    assert_eq!(change["review_note"], "Sai hộ");
    assert_eq!(change["kind"], "visit");
    let other = app
        .get("/api/v1/sync/state", &f.outsider.token)
        .await
        .expect(200);
    assert!(other.body["record_changes"].as_array().unwrap().is_empty());
    assert_eq!(other.body["teams"][0]["id"], f.other_team.as_str());
    app.get("/api/v1/sync/state?since=garbage!", &f.member.token)
        .await
        .problem(400);
    app.call(Method::GET, "/api/v1/sync/state", None, None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn meta_tells_version_limits_and_time() {
    let app = TestApp::new().await;
    let meta = app
        .call(Method::GET, "/api/v1/meta", None, None)
        .await
        .expect(200);
    assert_eq!(meta.body["service"], "gocua");
    assert_eq!(meta.body["api_version"], "v1");
    assert_eq!(meta.body["server_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta.body["limits"]["sync_batch_max"], 1000);
    assert_eq!(meta.body["limits"]["late_sync_days"], 60);
    assert_eq!(meta.body["limits"]["max_body_bytes"], 2 * 1024 * 1024);
    let server =
        chrono::DateTime::parse_from_rfc3339(meta.body["server_time"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - server.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 5
    );
}
