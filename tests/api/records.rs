//! Field records of the three kinds: validation, idempotency, privacy, duplicate flags,
//! scope, change, void and review.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::util::{BA_DINH, CITIZEN, NGOC_HA, Reply, SAI_GON, TestApp, assist, signature, visit};

fn no_citizen_data(reply: &Reply) {
    let text = reply.body.to_string();
    assert!(!text.contains(CITIZEN), "citizen number leaked: {text}");
    assert!(
        !text.contains("citizen_ref") && !text.contains("citizen_id"),
        "{text}"
    );
}

#[actix_web::test]
async fn visit_is_stored_with_every_field_and_server_fields() {
    let (app, f) = TestApp::init().with_field().await;
    // 17:30 UTC is 00:30 the next day in Vietnam: the record's day is the local one.
    let yesterday = (Utc::now() - Duration::days(1)).date_naive();
    let mut body = visit(&f.team);
    body["occurred_at"] = json!(format!("{yesterday}T17:30:00Z"));
    let created = app
        .post("/api/v1/visits", &f.member.token, body.clone())
        .await
        .expect(201);
    let v = &created.body;
    assert_eq!(v["id"], body["id"]);
    assert_eq!(v["team_id"], f.team.as_str());
    assert_eq!(v["volunteer_id"], f.member.id.as_str());
    assert_eq!(v["commune_code"], BA_DINH);
    assert_eq!(
        v["occurred_on"],
        (yesterday + Duration::days(1)).to_string()
    );
    assert_eq!(
        v["location"],
        json!({"lat": 21.0341, "lon": 105.8372, "accuracy_m": 12.5})
    );
    assert_eq!(v["hamlet"], "Tổ dân phố số 5");
    assert_eq!(v["household_ref"], "KP1-23");
    assert_eq!(v["outcome"], "guided");
    assert_eq!(v["people_guided"], 2);
    assert_eq!(v["topics"], json!(["vneid", "public_services"]));
    assert_eq!(v["review_status"], "pending");
    assert_eq!(v["voided"], false);
    assert!(v["reviewed_by"].is_null() && v["received_at"].is_string());
    let id = v["id"].as_str().unwrap();
    let fetched = app
        .get(&format!("/api/v1/visits/{id}"), &f.lead.token)
        .await
        .expect(200);
    assert_eq!(fetched.body, created.body);
    // Without an id, the server makes one.
    let mut anonymous = visit(&f.team);
    anonymous.as_object_mut().unwrap().remove("id");
    let made = app
        .post("/api/v1/visits", &f.member.token, anonymous)
        .await
        .expect(201);
    assert!(uuid::Uuid::parse_str(made.body["id"].as_str().unwrap()).is_ok());
    // A visit is not an assist.
    app.get(&format!("/api/v1/vneid-assists/{id}"), &f.member.token)
        .await
        .problem(404);
}

#[actix_web::test]
async fn create_is_idempotent() {
    let (app, f) = TestApp::init().with_field().await;
    let body = visit(&f.team);
    let first = app
        .post("/api/v1/visits", &f.member.token, body.clone())
        .await
        .expect(201);
    let again = app
        .post("/api/v1/visits", &f.member.token, body.clone())
        .await
        .expect(200);
    assert_eq!(first.body, again.body);
    // The same instant in another offset is the same content.
    let mut same = body.clone();
    let utc = chrono::DateTime::parse_from_rfc3339(body["occurred_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    same["occurred_at"] = json!(utc.to_rfc3339());
    app.post("/api/v1/visits", &f.member.token, same)
        .await
        .expect(200);
    let mut other = body.clone();
    other["people_guided"] = json!(3);
    app.post("/api/v1/visits", &f.member.token, other)
        .await
        .problem(409);
    // Someone else reusing the id is a conflict too, and learns nothing.
    let stolen = app
        .post("/api/v1/visits", &f.lead.token, body.clone())
        .await
        .problem(409);
    assert!(!stolen.to_string().contains("KP1-23"));
    let id = body["id"].as_str().unwrap();
    let stored = app
        .get(&format!("/api/v1/visits/{id}"), &f.member.token)
        .await
        .expect(200);
    assert_eq!(stored.body, first.body, "a conflict changes nothing");
    // An id taken by another kind conflicts as well.
    let mut clash = assist(&f.team, CITIZEN, "install", "success");
    clash["id"] = body["id"].clone();
    app.post("/api/v1/vneid-assists", &f.member.token, clash)
        .await
        .problem(409);
}

#[actix_web::test]
async fn concurrent_identical_creates_store_one_row() {
    let (app, f) = TestApp::init().with_field().await;
    for _ in 0..3 {
        let body = assist(&f.team, CITIZEN, "register_level1", "pending");
        let (a, b) = futures_util::future::join(
            app.post("/api/v1/vneid-assists", &f.member.token, body.clone()),
            app.post("/api/v1/vneid-assists", &f.member.token, body.clone()),
        )
        .await;
        let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![200, 201], "{} / {}", a.body, b.body);
        assert_eq!(a.body, b.body);
    }
    let list = app
        .get("/api/v1/vneid-assists?limit=500", &f.member.token)
        .await
        .expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn visit_validation_lists_every_field() {
    let (app, f) = TestApp::init().with_field().await;
    let mut body = visit(&f.team);
    body["id"] = json!("not-a-uuid");
    body["occurred_at"] = json!((Utc::now() + Duration::minutes(30)).to_rfc3339());
    body["location"] = json!({"lat": 35.0, "lon": 139.0, "accuracy_m": -1});
    body["note"] = json!("x".repeat(501));
    body["hamlet"] = json!("x".repeat(101));
    body["household_ref"] = json!("x".repeat(33));
    body["people_guided"] = json!(51);
    body["topics"] = json!(["vneid", "vneid"]);
    let problem = app
        .post("/api/v1/visits", &f.member.token, body)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec![
            "hamlet",
            "household_ref",
            "id",
            "location.accuracy_m",
            "location.lat",
            "location.lon",
            "note",
            "occurred_at",
            "people_guided",
            "topics"
        ]
    );
    let mut old = visit(&f.team);
    old["occurred_at"] = json!((Utc::now() - Duration::days(61)).to_rfc3339());
    old["outcome"] = json!("not_home");
    let problem = app
        .post("/api/v1/visits", &f.member.token, old)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["occurred_at", "people_guided"]
    );
    for (field, value) in [
        ("outcome", json!("maybe")),
        ("topics", json!(["gardening"])),
        ("occurred_at", json!("14/03/2026")),
        ("colour", json!("red")),
    ] {
        let mut bad = visit(&f.team);
        bad[field] = value;
        let problem = app
            .post("/api/v1/visits", &f.member.token, bad)
            .await
            .problem(422);
        assert!(
            Reply::fields(&problem)[0].starts_with(field),
            "{field}: {problem}"
        );
    }
    // Type errors and rule errors come back together.
    let mut mixed = visit(&f.team);
    mixed["outcome"] = json!("maybe");
    mixed["topics"] = json!(["vneid", 3]);
    mixed["people_guided"] = json!("two");
    mixed["location"] = json!({"lat": "north", "lon": 105.8});
    mixed["note"] = json!("x".repeat(501));
    let problem = app
        .post("/api/v1/visits", &f.member.token, mixed)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec![
            "location.lat",
            "note",
            "outcome",
            "people_guided",
            "topics[1]"
        ]
    );
    let problem = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            json!({"birth_year": "1985", "sex": "x"}),
        )
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec![
            "action",
            "birth_year",
            "citizen_id",
            "occurred_at",
            "result",
            "sex",
            "team_id"
        ]
    );
    let mut missing = visit(&f.team);
    missing.as_object_mut().unwrap().remove("outcome");
    let problem = app
        .post("/api/v1/visits", &f.member.token, missing)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["outcome"]);
    app.call(Method::POST, "/api/v1/visits", None, Some(visit(&f.team)))
        .await
        .problem(401);
    let list = app.get("/api/v1/visits", &f.member.token).await.expect(200);
    assert!(
        list.body["items"].as_array().unwrap().is_empty(),
        "nothing invalid was stored"
    );
}

#[actix_web::test]
async fn assists_check_and_hide_the_citizen_number() {
    let (app, f) = TestApp::init().with_field().await;
    let created = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "install", "success"),
        )
        .await
        .expect(201);
    no_citizen_data(&created);
    assert_eq!(created.body["birth_year"], 1985);
    assert_eq!(created.body["sex"], "female");
    assert_eq!(created.body["action"], "install");
    assert_eq!(created.body["result"], "success");
    assert!(created.body["failure_reason"].is_null());
    let mut wrong = assist(&f.team, CITIZEN, "install", "failed");
    wrong["birth_year"] = json!(1986);
    wrong["sex"] = json!("male");
    let problem = app
        .post("/api/v1/vneid-assists", &f.member.token, wrong)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["citizen_id", "citizen_id", "failure_reason"]
    );
    assert!(!problem.to_string().contains(CITIZEN));
    let mut short = assist(&f.team, "12345", "install", "success");
    short["failure_reason"] = json!("network");
    let problem = app
        .post("/api/v1/vneid-assists", &f.member.token, short)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["citizen_id", "failure_reason"]
    );
    let mut failed = assist(&f.team, CITIZEN, "activate_level2", "failed");
    failed["failure_reason"] = json!("face_match_failed");
    let stored = app
        .post("/api/v1/vneid-assists", &f.member.token, failed)
        .await
        .expect(201);
    assert_eq!(stored.body["failure_reason"], "face_match_failed");
    let mut typed = assist(&f.team, CITIZEN, "install", "success");
    typed["citizen_id"] = json!(1185012345_i64);
    let problem = app
        .post("/api/v1/vneid-assists", &f.member.token, typed)
        .await
        .problem(422);
    assert!(!problem.to_string().contains("1185012345"));
    let list = app
        .get("/api/v1/vneid-assists", &f.sup.token)
        .await
        .expect(200);
    no_citizen_data(&list);
}

#[actix_web::test]
async fn second_success_for_a_citizen_is_flagged() {
    let (app, f) = TestApp::init().with_field().await;
    let first = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "activate_level2", "success"),
        )
        .await
        .expect(201);
    assert_eq!(first.body["review_status"], "pending");
    let first_id = first.body["id"].as_str().unwrap();
    let second = app
        .post(
            "/api/v1/vneid-assists",
            &f.outsider.token,
            assist(&f.other_team, CITIZEN, "activate_level2", "success"),
        )
        .await
        .expect(201);
    assert_eq!(second.body["review_status"], "flagged");
    assert_eq!(second.body["duplicate_of"], first_id);
    assert!(
        second.body["review_note"]
            .as_str()
            .unwrap()
            .contains(first_id)
    );
    no_citizen_data(&second);
    let other_action = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "install", "success"),
        )
        .await
        .expect(201);
    assert_eq!(other_action.body["review_status"], "pending");
    let pending = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "activate_level2", "pending"),
        )
        .await
        .expect(201);
    assert_eq!(pending.body["review_status"], "pending");
    let other_citizen = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, "001185099999", "activate_level2", "success"),
        )
        .await
        .expect(201);
    assert_eq!(other_citizen.body["review_status"], "pending");
}

#[actix_web::test]
async fn signatures_need_age_15_and_flag_a_second_issue() {
    let (app, f) = TestApp::init().with_field().await;
    let submitted = app
        .post(
            "/api/v1/signature-registrations",
            &f.member.token,
            signature(&f.team, CITIZEN, "submitted"),
        )
        .await
        .expect(201);
    no_citizen_data(&submitted);
    assert_eq!(submitted.body["provider"], "VNPT-CA");
    assert_eq!(submitted.body["status"], "submitted");
    let issued = app
        .post(
            "/api/v1/signature-registrations",
            &f.member.token,
            signature(&f.team, CITIZEN, "issued"),
        )
        .await
        .expect(201);
    assert_eq!(issued.body["review_status"], "pending");
    let again = app
        .post(
            "/api/v1/signature-registrations",
            &f.member.token,
            signature(&f.team, CITIZEN, "issued"),
        )
        .await
        .expect(201);
    assert_eq!(again.body["review_status"], "flagged");
    assert_eq!(again.body["duplicate_of"], issued.body["id"]);
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let this_year = chrono::Datelike::year(&Utc::now().with_timezone(&vn).date_naive());
    let young_year = this_year - 14;
    let young_id = format!(
        "001{}{:02}012345",
        if young_year >= 2000 { 2 } else { 0 },
        young_year % 100
    );
    let mut young = signature(&f.team, &young_id, "submitted");
    young["birth_year"] = json!(young_year);
    young["provider"] = json!("  ");
    let problem = app
        .post("/api/v1/signature-registrations", &f.member.token, young)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["birth_year", "provider"]);
    let mut fifteen = signature(
        &f.team,
        &format!(
            "001{}{:02}012345",
            if young_year > 2000 { 2 } else { 0 },
            (young_year - 1) % 100
        ),
        "submitted",
    );
    fifteen["birth_year"] = json!(young_year - 1);
    app.post("/api/v1/signature-registrations", &f.member.token, fifteen)
        .await
        .expect(201);
    let mut bad = signature(&f.team, CITIZEN, "revoked");
    bad["sex"] = json!("female");
    app.post("/api/v1/signature-registrations", &f.member.token, bad)
        .await
        .problem(422);
}

#[actix_web::test]
async fn visit_id_must_be_a_visit_of_the_same_team() {
    let (app, f) = TestApp::init().with_field().await;
    let own = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let theirs = app
        .post("/api/v1/visits", &f.outsider.token, visit(&f.other_team))
        .await
        .expect(201);
    let an_assist = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "install", "pending"),
        )
        .await
        .expect(201);
    let mut body = assist(&f.team, CITIZEN, "install", "pending");
    body["visit_id"] = own.body["id"].clone();
    let linked = app
        .post("/api/v1/vneid-assists", &f.member.token, body)
        .await
        .expect(201);
    assert_eq!(linked.body["visit_id"], own.body["id"]);
    for wrong in [
        theirs.body["id"].clone(),
        an_assist.body["id"].clone(),
        json!(uuid::Uuid::new_v4().to_string()),
        json!("nope"),
    ] {
        let mut body = signature(&f.team, CITIZEN, "submitted");
        body["visit_id"] = wrong;
        let problem = app
            .post("/api/v1/signature-registrations", &f.member.token, body)
            .await
            .problem(422);
        assert_eq!(Reply::fields(&problem), vec!["visit_id"]);
    }
}

#[actix_web::test]
async fn logging_and_reading_follow_team_and_scope() {
    let (app, f) = TestApp::init().with_field().await;
    // Only members log for a team.
    app.post("/api/v1/visits", &f.outsider.token, visit(&f.team))
        .await
        .problem(404);
    app.post("/api/v1/visits", &f.neighbour.token, visit(&f.team))
        .await
        .problem(404);
    app.post("/api/v1/visits", &f.sup.token, visit(&f.team))
        .await
        .problem(403);
    app.post("/api/v1/visits", &f.far_province.token, visit(&f.team))
        .await
        .problem(404);
    let mut ghost = visit(&f.team);
    ghost["team_id"] = json!(uuid::Uuid::new_v4().to_string());
    app.post("/api/v1/visits", &f.member.token, ghost)
        .await
        .problem(404);
    let created = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    app.post("/api/v1/visits", &f.outsider.token, visit(&f.other_team))
        .await
        .expect(201);
    app.post(
        "/api/v1/visits",
        &f.neighbour.token,
        visit(&f.neighbour_team),
    )
    .await
    .expect(201);
    let path = format!("/api/v1/visits/{}", created.body["id"].as_str().unwrap());
    app.get(&path, &f.lead.token).await.expect(200);
    app.get(&path, &f.sup.token).await.expect(200);
    app.get(&path, &f.province.token).await.expect(200);
    app.get(&path, &f.outsider.token).await.problem(404);
    app.get(&path, &f.neighbour.token).await.problem(404);
    app.get(&path, &f.far_province.token).await.problem(404);
    app.call(Method::GET, &path, None, None).await.problem(401);
    let count = |r: &Reply| r.body["items"].as_array().unwrap().len();
    assert_eq!(
        count(&app.get("/api/v1/visits", &f.member.token).await.expect(200)),
        1
    );
    assert_eq!(
        count(&app.get("/api/v1/visits", &f.sup.token).await.expect(200)),
        2
    );
    assert_eq!(
        count(
            &app.get("/api/v1/visits", &f.province.token)
                .await
                .expect(200)
        ),
        3
    );
    assert_eq!(
        count(
            &app.get("/api/v1/visits", &f.far_province.token)
                .await
                .expect(200)
        ),
        0
    );
    assert_eq!(
        count(
            &app.get(&format!("/api/v1/visits?unit={NGOC_HA}"), &f.province.token)
                .await
                .expect(200)
        ),
        1
    );
    assert_eq!(
        count(
            &app.get(
                &format!("/api/v1/visits?team={}", f.other_team),
                &f.sup.token
            )
            .await
            .expect(200)
        ),
        1
    );
    assert_eq!(
        count(
            &app.get(
                &format!("/api/v1/visits?volunteer={}", f.member.id),
                &f.province.token
            )
            .await
            .expect(200)
        ),
        1
    );
    app.get(&format!("/api/v1/visits?unit={SAI_GON}"), &f.sup.token)
        .await
        .problem(404);
    let today = crate::util::local_day(0);
    let tomorrow = today + Duration::days(1);
    assert_eq!(
        count(
            &app.get(
                &format!("/api/v1/visits?from={tomorrow}"),
                &f.province.token
            )
            .await
            .expect(200)
        ),
        0
    );
    app.get(
        &format!("/api/v1/visits?from={tomorrow}&to={today}"),
        &f.province.token,
    )
    .await
    .problem(422);
    app.get("/api/v1/visits?from=yesterday", &f.province.token)
        .await
        .problem(400);
    app.get("/api/v1/visits?review_status=maybe", &f.province.token)
        .await
        .problem(400);
    let pending = app
        .get(
            "/api/v1/visits?review_status=pending&limit=2",
            &f.province.token,
        )
        .await
        .expect(200);
    assert_eq!(count(&pending), 2);
    let cursor = pending.body["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/visits?review_status=pending&limit=2&cursor={cursor}"),
            &f.province.token,
        )
        .await
        .expect(200);
    assert_eq!(count(&rest), 1);
}

#[actix_web::test]
async fn change_rules() {
    let (app, f) = TestApp::init().with_field().await;
    let created = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "activate_level2", "pending"),
        )
        .await
        .expect(201);
    let id = created.body["id"].as_str().unwrap();
    let path = format!("/api/v1/vneid-assists/{id}");
    let changed = app
        .patch(
            &path,
            &f.member.token,
            json!({"result": "success", "note": "Đã kích hoạt"}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["result"], "success");
    assert_eq!(changed.body["note"], "Đã kích hoạt");
    assert_eq!(changed.body["id"], id);
    assert_eq!(changed.body["team_id"], f.team.as_str());
    no_citizen_data(&changed);
    let problem = app
        .patch(&path, &f.member.token, json!({"result": "failed"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["failure_reason"]);
    let problem = app
        .patch(&path, &f.member.token, json!({"birth_year": 1986}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["citizen_id"]);
    app.patch(&path, &f.member.token, json!({"team_id": f.other_team}))
        .await
        .problem(422);
    app.patch(&path, &f.lead.token, json!({"note": "x"}))
        .await
        .problem(403);
    app.patch(&path, &f.outsider.token, json!({"note": "x"}))
        .await
        .problem(404);
    app.patch(&path, &f.far_province.token, json!({"note": "x"}))
        .await
        .problem(404);
    app.call(Method::PATCH, &path, None, Some(json!({"note": "x"})))
        .await
        .problem(401);
    app.patch(&path, &f.sup.token, json!({"hamlet": "Tổ 7"}))
        .await
        .expect(200);
    // Once reviewed, the author can no longer change it; a supervisor still can.
    app.post(
        &format!("{path}/review"),
        &f.lead.token,
        json!({"status": "approved"}),
    )
    .await
    .expect(200);
    app.patch(&path, &f.member.token, json!({"note": "y"}))
        .await
        .problem(403);
    app.patch(&path, &f.province.token, json!({"note": "y"}))
        .await
        .expect(200);
    // A retry of the original create now conflicts: the stored content changed.
    app.post("/api/v1/vneid-assists", &f.member.token, {
        let mut b = assist(&f.team, CITIZEN, "activate_level2", "pending");
        b["id"] = json!(id);
        b
    })
    .await
    .problem(409);
}

#[actix_web::test]
async fn void_rules() {
    let (app, f) = TestApp::init().with_field().await;
    let created = app
        .post(
            "/api/v1/signature-registrations",
            &f.member.token,
            signature(&f.team, CITIZEN, "submitted"),
        )
        .await
        .expect(201);
    let path = format!(
        "/api/v1/signature-registrations/{}",
        created.body["id"].as_str().unwrap()
    );
    app.post(
        &format!("{path}/void"),
        &f.lead.token,
        json!({"reason": "x"}),
    )
    .await
    .problem(403);
    let problem = app
        .post(
            &format!("{path}/void"),
            &f.member.token,
            json!({"reason": " "}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["reason"]);
    app.post(&format!("{path}/void"), &f.member.token, json!({}))
        .await
        .problem(422);
    let voided = app
        .post(
            &format!("{path}/void"),
            &f.member.token,
            json!({"reason": "Nhập nhầm"}),
        )
        .await
        .expect(200);
    assert_eq!(voided.body["voided"], true);
    assert_eq!(voided.body["void_reason"], "Nhập nhầm");
    app.post(
        &format!("{path}/void"),
        &f.sup.token,
        json!({"reason": "again"}),
    )
    .await
    .problem(409);
    app.patch(&path, &f.sup.token, json!({"note": "x"}))
        .await
        .problem(409);
    app.post(
        &format!("{path}/review"),
        &f.sup.token,
        json!({"status": "approved"}),
    )
    .await
    .problem(409);
    let kept = app.get(&path, &f.member.token).await.expect(200);
    assert_eq!(kept.body["voided"], true);
    let other = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let vpath = format!("/api/v1/visits/{}/void", other.body["id"].as_str().unwrap());
    app.post(&vpath, &f.far_province.token, json!({"reason": "x"}))
        .await
        .problem(404);
    app.call(Method::POST, &vpath, None, Some(json!({"reason": "x"})))
        .await
        .problem(401);
    app.post(&vpath, &f.province.token, json!({"reason": "Trùng lặp"}))
        .await
        .expect(200);
}

#[actix_web::test]
async fn review_rules() {
    let (app, f) = TestApp::init().with_field().await;
    let by_member = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let by_lead = app
        .post("/api/v1/visits", &f.lead.token, visit(&f.team))
        .await
        .expect(201);
    let member_path = format!(
        "/api/v1/visits/{}/review",
        by_member.body["id"].as_str().unwrap()
    );
    let lead_path = format!(
        "/api/v1/visits/{}/review",
        by_lead.body["id"].as_str().unwrap()
    );
    app.post(&lead_path, &f.lead.token, json!({"status": "approved"}))
        .await
        .problem(403);
    app.post(&lead_path, &f.member.token, json!({"status": "approved"}))
        .await
        .problem(403);
    app.post(
        &member_path,
        &f.outsider.token,
        json!({"status": "approved"}),
    )
    .await
    .problem(404);
    app.post(
        &member_path,
        &f.far_province.token,
        json!({"status": "approved"}),
    )
    .await
    .problem(404);
    app.call(
        Method::POST,
        &member_path,
        None,
        Some(json!({"status": "approved"})),
    )
    .await
    .problem(401);
    let problem = app
        .post(&member_path, &f.lead.token, json!({"status": "rejected"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["note"]);
    let problem = app
        .post(&member_path, &f.lead.token, json!({"status": "pending"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["status"]);
    app.post(&member_path, &f.lead.token, json!({"status": "unsure"}))
        .await
        .problem(422);
    let approved = app
        .post(
            &member_path,
            &f.lead.token,
            json!({"status": "approved", "note": "Đã xác minh"}),
        )
        .await
        .expect(200);
    assert_eq!(approved.body["review_status"], "approved");
    assert_eq!(approved.body["reviewed_by"], f.lead.id.as_str());
    assert_eq!(approved.body["review_note"], "Đã xác minh");
    let rejected = app
        .post(
            &lead_path,
            &f.sup.token,
            json!({"status": "rejected", "note": "Sai địa chỉ"}),
        )
        .await
        .expect(200);
    assert_eq!(rejected.body["review_status"], "rejected");
    let listed = app
        .get("/api/v1/visits?review_status=rejected", &f.sup.token)
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let actions: Vec<String> = app.audit().await.into_iter().map(|(a, _, _)| a).collect();
    for wanted in ["record.create", "record.review"] {
        assert!(actions.iter().any(|a| a == wanted), "{wanted} missing");
    }
}
