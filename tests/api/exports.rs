//! `GET /api/v1/exports/*.csv`: streamed, scoped, audited, no citizen data.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::util::{CITIZEN, assist, visit};
use crate::util::{SAI_GON, TestApp};

#[actix_web::test]
async fn exports_stream_every_record_in_scope() {
    let (app, f) = TestApp::init().with_field().await;
    let visits: Vec<Value> = (0..1000).map(|_| visit(&f.team)).collect();
    app.post("/api/v1/sync", &f.member.token, json!({"visits": visits}))
        .await
        .expect(200);
    let more: Vec<Value> = (0..234).map(|_| visit(&f.team)).collect();
    let assists: Vec<Value> = (0..3)
        .map(|_| assist(&f.team, CITIZEN, "install", "pending"))
        .collect();
    app.post(
        "/api/v1/sync",
        &f.member.token,
        json!({"visits": more, "vneid_assists": assists}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/visits",
        &f.neighbour.token,
        visit(&f.neighbour_team),
    )
    .await
    .expect(201);

    let (status, headers, bytes) = app
        .get_bytes("/api/v1/exports/visits.csv", &f.sup.token, None)
        .await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("id,team_id,volunteer_id,commune_code,occurred_at"));
    assert!(header.ends_with("household_ref,outcome,people_guided,topics,household_id"));
    assert_eq!(
        lines.count(),
        1234,
        "every Ba Đình visit across pages, not Ngọc Hà's"
    );
    assert!(text.contains("Tổ dân phố số 5"));
    let (_, _, all) = app
        .get_bytes("/api/v1/exports/visits.csv", &f.province.token, None)
        .await;
    assert_eq!(
        String::from_utf8(all[3..].to_vec())
            .unwrap()
            .lines()
            .count(),
        1 + 1235
    );
    let (_, _, bytes) = app
        .get_bytes("/api/v1/exports/vneid-assists.csv", &f.sup.token, None)
        .await;
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(!text.contains(CITIZEN) && !text.contains("citizen"));
    let (_, _, bytes) = app
        .get_bytes(
            "/api/v1/exports/signature-registrations.csv",
            &f.sup.token,
            None,
        )
        .await;
    assert_eq!(
        String::from_utf8(bytes[3..].to_vec())
            .unwrap()
            .lines()
            .count(),
        1
    );
    let exported = app
        .audit()
        .await
        .into_iter()
        .filter(|(a, _, _)| a == "export.records")
        .count();
    assert_eq!(exported, 4);
    let (status, _, _) = app
        .get_bytes("/api/v1/exports/visits.csv", &f.member.token, None)
        .await;
    assert_eq!(status, 403);
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/v1/exports/visits.csv?unit={SAI_GON}"),
            &f.sup.token,
            None,
        )
        .await;
    assert_eq!(status, 404);
    app.call(Method::GET, "/api/v1/exports/visits.csv", None, None)
        .await
        .problem(401);
    app.get(
        "/api/v1/exports/visits.csv?from=2026-03-10&to=2026-03-01",
        &f.sup.token,
    )
    .await
    .problem(422);
}
