//! Certified periods: a commune certifies a finished week or month, the province accepts
//! (the period locks), returns or reopens; late records are never refused.

use actix_web::http::Method;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::util::visit;
use crate::util::{BA_DINH, HANOI, NGOC_HA, Reply, TestApp};

const PATH: &str = "/api/v1/certifications";

fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(7)).date_naive()
}

/// Last ISO week (finished), as `YYYY-Www`, and its Wednesday.
fn last_week() -> (String, NaiveDate) {
    let wednesday = today()
        - Duration::days(7 + i64::from(today().weekday().num_days_from_monday()))
        + Duration::days(2);
    let w = wednesday.iso_week();
    (format!("{}-W{:02}", w.year(), w.week()), wednesday)
}

/// A visit at 10:00 local time on `day`.
fn visit_on(team: &str, day: NaiveDate) -> Value {
    let mut v = visit(team);
    v["occurred_at"] = json!(format!("{day}T10:00:00+07:00"));
    v
}

#[actix_web::test]
async fn certify_accept_lock_reopen_and_return() {
    let (app, f) = TestApp::init().with_field().await;
    let (week, wednesday) = last_week();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let made = app
            .post(
                "/api/v1/visits",
                &f.member.token,
                visit_on(&f.team, wednesday),
            )
            .await
            .expect(201);
        ids.push(made.body["id"].as_str().unwrap().to_owned());
    }
    let certify = |token: String, unit: &str, period: &str| {
        let body = json!({"unit_code": unit, "period": period, "note": "Đã rà soát với các tổ"});
        let app = &app;
        async move { app.post(PATH, &token, body).await }
    };

    // Bad input, roles and scope.
    certify(f.member.token.clone(), BA_DINH, &week)
        .await
        .problem(403);
    app.call(
        Method::POST,
        PATH,
        None,
        Some(json!({"unit_code": BA_DINH, "period": week})),
    )
    .await
    .problem(401);
    let problem = certify(f.sup.token.clone(), BA_DINH, "2026-13")
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["code"], "invalid_period");
    let this_week = {
        let w = today().iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    };
    let problem = certify(f.sup.token.clone(), BA_DINH, &this_week)
        .await
        .problem(422);
    assert_eq!(
        (
            &problem["errors"][0]["field"],
            &problem["errors"][0]["code"]
        ),
        (&json!("period"), &json!("not_ended"))
    );
    let problem = certify(f.province.token.clone(), HANOI, &week)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["unit_code"]);
    certify(f.sup.token.clone(), NGOC_HA, &week)
        .await
        .problem(404);

    // The commune certifies: every metric as it stands.
    let submitted = certify(f.sup.token.clone(), BA_DINH, &week)
        .await
        .expect(201);
    let id = submitted.body["id"].as_str().unwrap().to_owned();
    assert_eq!(submitted.body["status"], "submitted");
    assert_eq!(submitted.body["period"], week.as_str());
    assert_eq!(submitted.body["metrics"]["visits"], 2);
    assert_eq!(submitted.body["metrics"]["people_guided"], 4);
    assert_eq!(submitted.body["submitted_by"], f.sup.id.as_str());
    assert_eq!(submitted.body["unit_name"], "Phường Ba Đình");
    certify(f.province.token.clone(), BA_DINH, &week)
        .await
        .problem(409);
    let one = format!("{PATH}/{id}");

    // Only the province (or an admin) decides.
    app.post(&format!("{one}/accept"), &f.sup.token, json!({}))
        .await
        .problem(403);
    app.post(&format!("{one}/accept"), &f.far_province.token, json!({}))
        .await
        .problem(404);
    let accepted = app
        .post(
            &format!("{one}/accept"),
            &f.province.token,
            json!({"note": "Đã đối chiếu"}),
        )
        .await
        .expect(200);
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["decided_by"], f.province.id.as_str());
    app.post(&format!("{one}/accept"), &f.province.token, json!({}))
        .await
        .problem(409);
    app.post(
        &format!("{one}/return"),
        &f.province.token,
        json!({"note": "Muộn"}),
    )
    .await
    .problem(409);

    // The period is locked: no change, void or review of its records.
    let record = format!("/api/v1/visits/{}", ids[0]);
    let locked = app
        .patch(&record, &f.sup.token, json!({"people_guided": 3}))
        .await
        .problem(409);
    assert_eq!(locked["type"], "urn:gocua:problem:period-locked");
    assert_eq!(locked["certification_id"], id.as_str());
    assert_eq!(locked["errors"][0]["code"], "period_locked");
    app.post(
        &format!("{record}/void"),
        &f.sup.token,
        json!({"reason": "Nhầm"}),
    )
    .await
    .problem(409);
    app.post(
        &format!("{record}/review"),
        &f.sup.token,
        json!({"status": "approved"}),
    )
    .await
    .problem(409);
    // Moving a record of another week into the locked one is a change inside it too.
    let outside = app
        .post(
            "/api/v1/visits",
            &f.member.token,
            visit_on(&f.team, wednesday - Duration::days(7)),
        )
        .await
        .expect(201);
    let moved = app
        .patch(
            &format!("/api/v1/visits/{}", outside.body["id"].as_str().unwrap()),
            &f.sup.token,
            json!({"occurred_at": format!("{wednesday}T09:00:00+07:00")}),
        )
        .await
        .problem(409);
    assert_eq!(moved["certification_id"], id.as_str());

    // Creates are never refused: one by the API, one from an offline phone's batch.
    app.post(
        "/api/v1/visits",
        &f.member.token,
        visit_on(&f.team, wednesday),
    )
    .await
    .expect(201);
    let synced = app
        .post(
            "/api/v1/sync",
            &f.member.token,
            json!({"visits": [visit_on(&f.team, wednesday)]}),
        )
        .await
        .expect(200);
    assert_eq!(synced.body["results"][0]["status"], "created");

    // The snapshot stands; the live figures and the changes since move.
    let shown = app.get(&one, &f.province.token).await.expect(200);
    assert_eq!(shown.body["metrics"]["visits"], 2);
    assert_eq!(shown.body["live_metrics"]["visits"], 4);
    assert_eq!(shown.body["changes_since"], 2);
    let listed = app
        .get(
            &format!("{PATH}?unit={HANOI}&period={week}&status=accepted"),
            &f.province.token,
        )
        .await
        .expect(200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert!(items[0].get("live_metrics").is_none());
    let none = app
        .get(&format!("{PATH}?status=submitted"), &f.province.token)
        .await
        .expect(200);
    assert!(none.body["items"].as_array().unwrap().is_empty());
    app.get(&format!("{PATH}?period=2026-W99"), &f.province.token)
        .await
        .problem(422);
    app.get(&one, &f.member.token).await.problem(403);
    app.get(&one, &f.far_province.token).await.problem(404);
    app.call(Method::GET, &one, None, None).await.problem(401);

    // Reopened with a reason: unlocked, and the commune may certify again.
    let problem = app
        .post(
            &format!("{one}/reopen"),
            &f.province.token,
            json!({"reason": "  "}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["reason"]);
    app.post(
        &format!("{one}/reopen"),
        &f.sup.token,
        json!({"reason": "Sai"}),
    )
    .await
    .problem(403);
    let reopened = app
        .post(
            &format!("{one}/reopen"),
            &f.province.token,
            json!({"reason": "Xã phát hiện lượt thăm nhập trùng"}),
        )
        .await
        .expect(200);
    assert_eq!(reopened.body["status"], "reopened");
    assert_eq!(
        reopened.body["reopen_reason"],
        "Xã phát hiện lượt thăm nhập trùng"
    );
    app.patch(&record, &f.sup.token, json!({"people_guided": 3}))
        .await
        .expect(200);
    app.post(
        &format!("{one}/reopen"),
        &f.province.token,
        json!({"reason": "Lại"}),
    )
    .await
    .problem(409);

    // Certified again, then returned with a note, then certified once more.
    let again = certify(f.sup.token.clone(), BA_DINH, &week)
        .await
        .expect(201);
    assert_eq!(again.body["metrics"]["visits"], 4);
    let again_path = format!("{PATH}/{}", again.body["id"].as_str().unwrap());
    let problem = app
        .post(
            &format!("{again_path}/return"),
            &f.province.token,
            json!({}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["note"]);
    let returned = app
        .post(
            &format!("{again_path}/return"),
            &f.province.token,
            json!({"note": "Thiếu số liệu tổ 2"}),
        )
        .await
        .expect(200);
    assert_eq!(returned.body["status"], "returned");
    assert_eq!(returned.body["decision_note"], "Thiếu số liệu tổ 2");
    certify(f.sup.token.clone(), BA_DINH, &week)
        .await
        .expect(201);

    let steps: Vec<String> = app
        .audit()
        .await
        .into_iter()
        .map(|(action, _, _)| action)
        .filter(|a| a.starts_with("certification."))
        .collect();
    assert_eq!(
        steps,
        [
            "certification.submit",
            "certification.accept",
            "certification.reopen",
            "certification.submit",
            "certification.return",
            "certification.submit"
        ]
    );

    // A dashboard key of the province reads its communes' certifications, and writes none.
    let key = app
        .post(
            "/api/v1/api-keys",
            &f.province.token,
            json!({"name": "Bảng điều khiển", "unit_code": HANOI}),
        )
        .await
        .expect(201)
        .body["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app.get(PATH, &key).await.expect(200);
    assert_eq!(read.body["items"].as_array().unwrap().len(), 3);
    app.get(&one, &key).await.expect(200);
    app.post(&format!("{one}/reopen"), &key, json!({"reason": "x"}))
        .await
        .problem(403);
}

#[actix_web::test]
async fn of_two_concurrent_certifications_one_wins() {
    let (app, f) = TestApp::init().with_field().await;
    let (week, _) = last_week();
    let body = json!({"unit_code": BA_DINH, "period": week});
    let (a, b) = futures_util::future::join(
        app.post(PATH, &f.sup.token, body.clone()),
        app.post(PATH, &f.province.token, body.clone()),
    )
    .await;
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409], "{} / {}", a.body, b.body);
    let listed = app.get(PATH, &f.province.token).await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_month_covers_its_days() {
    let (app, f) = TestApp::init().with_field().await;
    let first_of_this = today().with_day(1).unwrap();
    let last_month = first_of_this - Duration::days(1);
    let period = format!("{:04}-{:02}", last_month.year(), last_month.month());
    let made = app
        .post(
            PATH,
            &f.sup.token,
            json!({"unit_code": BA_DINH, "period": period}),
        )
        .await
        .expect(201);
    assert_eq!(
        made.body["from"],
        last_month.with_day(1).unwrap().to_string()
    );
    assert_eq!(made.body["to"], last_month.to_string());
    assert!(made.body.get("note").is_some());
}
