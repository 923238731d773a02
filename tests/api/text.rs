//! Control characters (U+0000–U+001F but tab and newline in free text, and U+007F) are
//! refused with 422 naming the field, in every body and query parameter, before anything
//! is stored, and alike on both databases (PostgreSQL cannot store U+0000 at all).

use serde_json::{Value, json};

use crate::sync::count;
use crate::util::{CITIZEN, signature, visit};
use crate::util::{Reply, TestApp};

const BAD: [&str; 5] = ["\u{0}", "\u{1}", "\u{1b}", "\r", "\u{7f}"];

#[actix_web::test]
async fn every_text_field_of_a_record_refuses_control_characters() {
    let (app, f) = TestApp::init().with_field().await;
    for bad in BAD {
        for field in ["hamlet", "note", "household_ref", "team_id", "id"] {
            let mut body = visit(&f.team);
            body[field] = json!(format!("Tổ 5{bad}"));
            let problem = app
                .post("/api/v1/visits", &f.member.token, body)
                .await
                .problem(422);
            assert_eq!(Reply::fields(&problem), [field], "{field} {bad:?}");
            assert_eq!(problem["errors"][0]["code"], "control_character");
        }
        let mut body = visit(&f.team);
        body["topics"] = json!(["vneid", format!("other{bad}")]);
        let problem = app
            .post("/api/v1/visits", &f.member.token, body)
            .await
            .problem(422);
        assert_eq!(Reply::fields(&problem), ["topics[1]"]);
        let mut body = signature(&f.team, CITIZEN, "submitted");
        body["provider"] = json!(format!("VNPT{bad}CA"));
        let problem = app
            .post("/api/v1/signature-registrations", &f.member.token, body)
            .await
            .problem(422);
        assert_eq!(Reply::fields(&problem), ["provider"]);
    }
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 0);
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/signature-registrations").await,
        0
    );
    // Tab and newline are text in a note, never in a hamlet.
    let mut body = visit(&f.team);
    body["note"] = json!("Dòng một\n\tdòng hai");
    let created = app
        .post("/api/v1/visits", &f.member.token, body)
        .await
        .expect(201);
    assert_eq!(created.body["note"], "Dòng một\n\tdòng hai");
    let mut body = visit(&f.team);
    body["hamlet"] = json!("Tổ\t5");
    let problem = app
        .post("/api/v1/visits", &f.member.token, body)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), ["hamlet"]);
    // A change is refused the same way and leaves the record as it was.
    let id = created.body["id"].as_str().unwrap();
    let problem = app
        .patch(
            &format!("/api/v1/visits/{id}"),
            &f.member.token,
            json!({"hamlet": "Thôn\u{0}2"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), ["hamlet"]);
    let now = app
        .get(&format!("/api/v1/visits/{id}"), &f.member.token)
        .await
        .expect(200);
    assert_eq!(now.body["hamlet"], created.body["hamlet"]);
    assert_eq!(now.body["updated_at"], created.body["updated_at"]);
    let problem = app
        .post(
            &format!("/api/v1/visits/{id}/review"),
            &f.sup.token,
            json!({"status": "rejected", "note": "sai\u{0}"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), ["note"]);
}

#[actix_web::test]
async fn a_batch_refuses_only_the_record_with_a_control_character() {
    let (app, f) = TestApp::init().with_field().await;
    let good = visit(&f.team);
    let mut bad = visit(&f.team);
    bad["hamlet"] = json!("Thôn\u{0}1");
    bad["note"] = json!("\u{7}");
    let reply = app
        .post(
            "/api/v1/sync",
            &f.member.token,
            json!({"visits": [bad, good]}),
        )
        .await
        .expect(200);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "invalid");
    let mut fields: Vec<&str> = results[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, ["hamlet", "note"]);
    assert_eq!(results[1]["status"], "created");
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 1);
}

#[actix_web::test]
async fn other_bodies_and_every_query_parameter_refuse_control_characters() {
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    let problem = app
        .post(
            "/api/v1/teams",
            &f.sup.token,
            json!({"commune_code": "00004", "name": "Tổ\u{0}3"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), ["name"]);
    let problem = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({"phone": "0912000111", "full_name": "Lê\u{1b}Thu", "role": "province_supervisor",
                   "unit_code": "01", "password": "mật-khẩu-đủ-dài"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), ["full_name"]);
    for (path, field) in [
        ("/api/v1/units?q=ba%00dinh", "q"),
        ("/api/v1/units?parent=0%001", "parent"),
        ("/api/v1/visits?team=%00", "team"),
        ("/api/v1/users?q=%09", "q"),
        ("/api/v1/stats/summary?unit=01%7F", "unit"),
        ("/api/v1/sync/state?since=%0A", "since"),
    ] {
        let problem = app.get(path, &admin.token).await.problem(422);
        assert_eq!(Reply::fields(&problem), [field], "{path}");
        assert_eq!(problem["errors"][0]["code"], "control_character");
    }
    let teams: Value = app
        .get("/api/v1/teams", &f.sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        teams["items"].as_array().unwrap().len(),
        2,
        "no team was made"
    );
    // A control character in a path is no object's id: 404, never a database error.
    for path in [
        "/api/v1/units/%00",
        "/api/v1/visits/%00",
        "/api/v1/teams/a%00b",
        "/api/v1/users/%00",
        "/api/v1/campaigns/%00",
    ] {
        app.get(path, &admin.token).await.problem(404);
    }
}
