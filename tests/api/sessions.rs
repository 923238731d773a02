//! Training sessions (`/api/v1/training-sessions`): classes, support points and online
//! sessions, the fourth kind of record, with the life of the other three.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, Reply, TestApp};
use crate::util::{hours_ago, visit};

const PATH: &str = "/api/v1/training-sessions";

/// A class for the elderly `hours` ago, with `attendees` people.
pub fn session(team: &str, attendees: i64) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "team_id": team,
        "occurred_at": hours_ago(3),
        "hamlet": "Tổ dân phố số 5",
        "format": "class",
        "audience": ["elderly", "residents"],
        "attendees": attendees,
        "people_helped": attendees / 4,
        "duration_minutes": 120,
        "venue": "Nhà văn hoá tổ dân phố số 5",
        "topics": ["vneid", "public_services"]
    })
}

#[actix_web::test]
async fn a_session_lives_the_life_of_a_record() {
    let (app, f) = TestApp::init().with_field().await;
    let body = session(&f.team, 40);
    let id = body["id"].as_str().unwrap().to_owned();
    let created = app
        .post(PATH, &f.member.token, body.clone())
        .await
        .expect(201);
    assert_eq!(created.body["id"], id.as_str());
    assert_eq!(created.body["format"], "class");
    assert_eq!(created.body["audience"], json!(["residents", "elderly"]));
    assert_eq!(created.body["attendees"], 40);
    assert_eq!(created.body["people_helped"], 10);
    assert_eq!(created.body["duration_minutes"], 120);
    assert_eq!(created.body["venue"], "Nhà văn hoá tổ dân phố số 5");
    assert_eq!(created.body["topics"], json!(["vneid", "public_services"]));
    assert_eq!(created.body["commune_code"], BA_DINH);
    assert_eq!(created.body["review_status"], "pending");

    // Idempotent by id: the same content is 200 with the stored record, other content 409.
    let again = app
        .post(PATH, &f.member.token, body.clone())
        .await
        .expect(200);
    assert_eq!(again.body, created.body);
    let mut other = body.clone();
    other["attendees"] = json!(41);
    app.post(PATH, &f.member.token, other).await.problem(409);
    let mut reordered = body.clone();
    reordered["audience"] = json!(["residents", "elderly"]);
    app.post(PATH, &f.member.token, reordered).await.expect(200);

    // Listed, read, changed, reviewed, voided.
    let one = format!("{PATH}/{id}");
    let list = app.get(PATH, &f.member.token).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    app.get(&one, &f.sup.token).await.expect(200);
    let changed = app
        .patch(
            &one,
            &f.member.token,
            json!({"attendees": 42, "people_helped": 15}),
        )
        .await
        .expect(200);
    assert_eq!(
        (&changed.body["attendees"], &changed.body["people_helped"]),
        (&json!(42), &json!(15))
    );
    let problem = app
        .patch(&one, &f.member.token, json!({"people_helped": 43}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["people_helped"]);
    app.post(
        &format!("{one}/review"),
        &f.member.token,
        json!({"status": "approved"}),
    )
    .await
    .problem(403);
    let reviewed = app
        .post(
            &format!("{one}/review"),
            &f.sup.token,
            json!({"status": "approved", "note": "Đã xem ảnh lớp học"}),
        )
        .await
        .expect(200);
    assert_eq!(reviewed.body["review_status"], "approved");
    // A session is not a visit: the other kinds' paths do not find it.
    app.get(&format!("/api/v1/visits/{id}"), &f.sup.token)
        .await
        .problem(404);
    let summary = app
        .get(
            &format!("/api/v1/stats/summary?unit={BA_DINH}"),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(summary.body["metrics"]["training_sessions"], 1);
    assert_eq!(summary.body["metrics"]["training_attendees"], 42);
    assert_eq!(summary.body["metrics"]["visits"], 0);
    assert_eq!(summary.body["metrics"]["active_volunteers"], 1);
    let voided = app
        .post(
            &format!("{one}/void"),
            &f.sup.token,
            json!({"reason": "Ghi trùng lớp hôm trước"}),
        )
        .await
        .expect(200);
    assert_eq!(voided.body["voided"], true);
    let summary = app
        .get(
            &format!("/api/v1/stats/summary?unit={BA_DINH}"),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(summary.body["metrics"]["training_sessions"], 0);
    let actions: Vec<String> = app
        .audit()
        .await
        .into_iter()
        .filter(|(_, object, _)| *object == id)
        .map(|(action, _, _)| action)
        .collect();
    for action in [
        "record.create",
        "record.update",
        "record.review",
        "record.void",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

#[actix_web::test]
async fn every_broken_rule_is_listed_in_one_answer() {
    let (app, f) = TestApp::init().with_field().await;
    let mut body = session(&f.team, 40);
    body["occurred_at"] = json!(hours_ago(24 * 400));
    body["format"] = json!("lecture");
    body["audience"] = json!(["elderly", "elderly"]);
    body["attendees"] = json!(1001);
    body["people_helped"] = json!(-1);
    body["duration_minutes"] = json!(601);
    body["venue"] = json!("x".repeat(201));
    body["topics"] = json!(["vneid", "vneid"]);
    let problem = app.post(PATH, &f.member.token, body).await.problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec![
            "attendees",
            "audience",
            "duration_minutes",
            "format",
            "occurred_at",
            "people_helped",
            "topics",
            "venue"
        ]
    );
    let mut body = session(&f.team, 10);
    body["people_helped"] = json!(11);
    body["audience"] = json!([]);
    body["duration_minutes"] = json!(9);
    let problem = app.post(PATH, &f.member.token, body).await.problem(422);
    let codes: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for want in [
        ("audience", "required"),
        ("people_helped", "above_attendees"),
        ("duration_minutes", "out_of_range"),
    ] {
        assert!(
            codes.iter().any(|(f, c)| f == want.0 && c == want.1),
            "{want:?} in {codes:?}"
        );
    }
    let mut missing = session(&f.team, 10);
    for field in ["format", "audience", "attendees", "duration_minutes"] {
        missing.as_object_mut().unwrap().remove(field);
    }
    let problem = app.post(PATH, &f.member.token, missing).await.problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["attendees", "audience", "duration_minutes", "format"]
    );
    // Bounds are inclusive, and people_helped defaults to 0.
    let mut edge = session(&f.team, 1000);
    edge["people_helped"] = json!(1000);
    edge["duration_minutes"] = json!(10);
    app.post(PATH, &f.member.token, edge).await.expect(201);
    let mut plain = session(&f.team, 1);
    plain.as_object_mut().unwrap().remove("people_helped");
    plain.as_object_mut().unwrap().remove("venue");
    plain.as_object_mut().unwrap().remove("topics");
    plain["duration_minutes"] = json!(600);
    let stored = app.post(PATH, &f.member.token, plain).await.expect(201);
    assert_eq!(stored.body["people_helped"], 0);
    assert_eq!(stored.body["topics"], json!([]));
    assert!(stored.body["venue"].is_null());
}

#[actix_web::test]
async fn sessions_keep_to_their_scope() {
    let (app, f) = TestApp::init().with_field().await;
    let body = session(&f.team, 20);
    let id = body["id"].as_str().unwrap().to_owned();
    app.call(Method::POST, PATH, None, Some(body.clone()))
        .await
        .problem(401);
    // Another team's volunteer cannot log for this team, nor see it.
    app.post(PATH, &f.outsider.token, body.clone())
        .await
        .problem(404);
    // A supervisor who is not a member cannot log for the team.
    app.post(PATH, &f.sup.token, body.clone())
        .await
        .problem(403);
    app.post(PATH, &f.member.token, body).await.expect(201);
    let one = format!("{PATH}/{id}");
    app.get(&one, &f.outsider.token).await.problem(404);
    app.get(&one, &f.far_province.token).await.problem(404);
    app.get(&one, &f.province.token).await.expect(200);
    let theirs = app.get(PATH, &f.outsider.token).await.expect(200);
    assert!(theirs.body["items"].as_array().unwrap().is_empty());
    app.patch(&one, &f.outsider.token, json!({"attendees": 5}))
        .await
        .problem(404);
    app.get(&format!("{PATH}?unit={HANOI}"), &f.far_province.token)
        .await
        .problem(404);
}

#[actix_web::test]
async fn concurrent_identical_creates_store_one_session() {
    let (app, f) = TestApp::init().with_field().await;
    for _ in 0..3 {
        let body = session(&f.team, 25);
        let (a, b) = futures_util::future::join(
            app.post(PATH, &f.member.token, body.clone()),
            app.post(PATH, &f.member.token, body.clone()),
        )
        .await;
        let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![200, 201], "{} / {}", a.body, b.body);
        assert_eq!(a.body, b.body);
    }
    let list = app.get(PATH, &f.member.token).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn a_phone_syncs_sessions_with_the_other_kinds_and_pulls_their_reviews() {
    let (app, f) = TestApp::init().with_field().await;
    let class = session(&f.team, 35);
    let mut broken = session(&f.team, 5);
    broken["people_helped"] = json!(6);
    let batch = json!({
        "visits": [visit(&f.team)],
        "training_sessions": [class.clone(), broken, session(&f.other_team, 5)]
    });
    let state = app
        .get("/api/v1/sync/state", &f.member.token)
        .await
        .expect(200);
    let cursor = state.body["cursor"].as_str().unwrap().to_owned();
    let reply = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    let results: Vec<(String, String)> = reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(k, s)| (k.to_string(), s.to_string()))
            .collect()
    };
    assert_eq!(
        results,
        pairs(&[
            ("visit", "created"),
            ("training_session", "created"),
            ("training_session", "invalid"),
            ("training_session", "invalid"),
        ])
    );
    assert_eq!(
        reply.body["results"][2]["errors"][0]["field"],
        "people_helped"
    );
    let again = app
        .post("/api/v1/sync", &f.member.token, batch)
        .await
        .expect(200);
    assert_eq!(again.body["results"][1]["status"], "unchanged");
    // The review of the class reaches the phone in its next pull.
    let id = class["id"].as_str().unwrap();
    app.post(
        &format!("{PATH}/{id}/review"),
        &f.lead.token,
        json!({"status": "rejected", "note": "Thiếu danh sách người tham dự"}),
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
    let change = next.body["record_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .expect("the review is pulled")
        .clone();
    assert_eq!(change["kind"], "training_session");
    assert_eq!(change["review_status"], "rejected");
    assert_eq!(change["review_note"], "Thiếu danh sách người tham dự");
}

#[actix_web::test]
async fn sessions_count_in_statistics_targets_and_the_export() {
    let (app, f) = TestApp::init().with_field().await;
    for attendees in [30, 45] {
        app.post(PATH, &f.member.token, session(&f.team, attendees))
            .await
            .expect(201);
    }
    let today = chrono::Utc::now().date_naive();
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &f.province.token,
            json!({"name": "Bình dân học vụ số", "unit_code": HANOI,
                   "starts_on": (today - chrono::Duration::days(10)).to_string(),
                   "ends_on": (today + chrono::Duration::days(89)).to_string()}),
        )
        .await
        .expect(201);
    let id = campaign.body["id"].as_str().unwrap().to_owned();
    app.call(
        Method::PUT,
        &format!("/api/v1/campaigns/{id}/targets"),
        Some(&f.province.token),
        Some(json!([
            {"unit_code": BA_DINH, "metric": "training_sessions", "target": 20},
            {"unit_code": BA_DINH, "metric": "training_attendees", "target": 600}
        ])),
    )
    .await
    .expect(200);
    let progress = app
        .get(&format!("/api/v1/campaigns/{id}/progress"), &f.sup.token)
        .await
        .expect(200);
    let actual = |metric: &str| {
        progress.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_code"] == BA_DINH && r["metric"] == metric)
            .unwrap()["actual"]
            .clone()
    };
    assert_eq!(actual("training_sessions"), 2);
    assert_eq!(actual("training_attendees"), 75);
    let by_team = app
        .get(
            &format!("/api/v1/stats/breakdown?unit={BA_DINH}&by=team"),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(by_team.body["rows"][0]["metrics"]["training_attendees"], 75);
    let (status, _, bytes) = app
        .get_bytes("/api/v1/exports/training-sessions.csv", &f.sup.token, None)
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",format,audience,attendees,people_helped,duration_minutes,venue,topics")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(
            |r| r.ends_with(",120,Nhà văn hoá tổ dân phố số 5,vneid;public_services")
                && r.contains(",class,residents;elderly,")
        ),
        "{rows:?}"
    );
    let (status, _, _) = app
        .get_bytes(
            "/api/v1/exports/training-sessions.csv",
            &f.member.token,
            None,
        )
        .await;
    assert_eq!(status, 403);
}

#[actix_web::test]
async fn overlapping_and_crowded_sessions_are_anomalies() {
    let (app, f) = TestApp::init().with_field().await;
    let log = |token: String, hours: i64, attendees: i64| {
        let mut body = session(&f.team, attendees);
        body["occurred_at"] = json!(hours_ago(hours));
        let app = &app;
        async move {
            app.post(PATH, &token, body).await.expect(201).body["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // Two classes of two hours, an hour apart: the same volunteer cannot teach both.
    let first = log(f.member.token.clone(), 6, 30).await;
    let second = log(f.member.token.clone(), 5, 30).await;
    for hours in [30, 54, 78] {
        log(f.lead.token.clone(), hours, 30).await;
    }
    let crowded = log(f.lead.token.clone(), 100, 400).await;
    let found = app
        .get("/api/v1/stats/anomalies", &f.sup.token)
        .await
        .expect(200);
    let listed = |volunteer: &str, reason: &str| -> Vec<String> {
        let item = found.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["volunteer_id"] == volunteer && a["reason"] == reason)
            .unwrap_or_else(|| panic!("{reason} for {volunteer} in {}", found.body));
        assert!(
            item["records"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["kind"] == "training_session")
        );
        item["record_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        listed(&f.member.id, "overlapping_sessions"),
        vec![first, second]
    );
    assert_eq!(listed(&f.lead.id, "many_attendees"), vec![crowded]);
    let reasons: Vec<&str> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
}
