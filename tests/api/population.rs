//! `GET`/`PUT /api/v1/units/{code}/population` and `gocua import-population`.

use actix_web::http::Method;
use actix_web::web;
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, HCMC, NGOC_HA, TestApp};

fn figures(year: i64, residents: i64, adults: i64, aged_15_plus: i64, households: i64) -> Value {
    json!({"year": year, "residents": residents, "adults": adults,
           "aged_15_plus": aged_15_plus, "households": households})
}

fn path(code: &str) -> String {
    format!("/api/v1/units/{code}/population")
}

async fn put(app: &TestApp, token: &str, code: &str, body: Value) -> crate::util::Reply {
    app.call(Method::PUT, &path(code), Some(token), Some(body))
        .await
}

#[actix_web::test]
async fn figures_are_set_read_and_derived_for_a_province() {
    let (app, admin) = TestApp::init().with_admin().await;
    app.get(&path(BA_DINH), &admin.token).await.problem(404);
    app.get(&path(HANOI), &admin.token).await.problem(404);
    let set = put(
        &app,
        &admin.token,
        BA_DINH,
        figures(2025, 9800, 6200, 6900, 2600),
    )
    .await
    .expect(200);
    assert_eq!(
        set.body,
        json!({"unit_code": BA_DINH, "year": 2025, "residents": 9800, "adults": 6200,
               "aged_15_plus": 6900, "households": 2600, "derived": false})
    );
    put(
        &app,
        &admin.token,
        NGOC_HA,
        figures(2024, 3000, 2000, 2200, 900),
    )
    .await
    .expect(200);
    // Hà Nội has no figures of its own: the sum of its communes' latest.
    let hanoi = app.get(&path(HANOI), &admin.token).await.expect(200);
    assert_eq!(
        hanoi.body,
        json!({"unit_code": HANOI, "year": 2025, "residents": 12800, "adults": 8200,
               "aged_15_plus": 9100, "households": 3500, "derived": true})
    );
    // A later year becomes the figures the commune goes by; an earlier one does not.
    put(
        &app,
        &admin.token,
        BA_DINH,
        figures(2026, 10000, 6300, 7000, 2700),
    )
    .await
    .expect(200);
    put(
        &app,
        &admin.token,
        BA_DINH,
        figures(2023, 9000, 6000, 6500, 2500),
    )
    .await
    .expect(200);
    let ba_dinh = app.get(&path(BA_DINH), &admin.token).await.expect(200);
    assert_eq!(ba_dinh.body["year"], 2026);
    assert_eq!(ba_dinh.body["adults"], 6300);
    // Figures of its own win over the sum.
    put(
        &app,
        &admin.token,
        HANOI,
        figures(2025, 8_700_000, 6_500_000, 7_000_000, 2_600_000),
    )
    .await
    .expect(200);
    let hanoi = app.get(&path(HANOI), &admin.token).await.expect(200);
    assert_eq!(hanoi.body["derived"], false);
    assert_eq!(hanoi.body["residents"], 8_700_000);
    let audited = app
        .audit()
        .await
        .into_iter()
        .filter(|(action, _, _)| action == "population.set")
        .count();
    assert_eq!(audited, 5);
}

#[actix_web::test]
async fn who_may_set_figures() {
    let (app, admin) = TestApp::init().with_admin().await;
    let body = figures(2025, 9800, 6200, 6900, 2600);
    let volunteer = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let commune = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let province = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
    let far = app.seed_user(Role::ProvinceSupervisor, Some(HCMC)).await;
    app.call(Method::PUT, &path(BA_DINH), None, Some(body.clone()))
        .await
        .problem(401);
    for refused in [&volunteer, &commune, &far] {
        put(&app, &refused.token, BA_DINH, body.clone())
            .await
            .problem(403);
    }
    put(&app, &far.token, HANOI, body.clone())
        .await
        .problem(403);
    app.get(&path(BA_DINH), &admin.token).await.problem(404);
    put(&app, &province.token, BA_DINH, body.clone())
        .await
        .expect(200);
    put(&app, &province.token, HANOI, body.clone())
        .await
        .expect(200);
    put(&app, &admin.token, "99999", body.clone())
        .await
        .problem(404);
    // Reference data: everyone signed in reads it, whatever their scope.
    for reader in [&volunteer, &far] {
        app.get(&path(BA_DINH), &reader.token).await.expect(200);
    }
    app.call(Method::GET, &path(BA_DINH), None, None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn bad_figures_name_the_field_and_change_nothing() {
    let (app, admin) = TestApp::init().with_admin().await;
    put(
        &app,
        &admin.token,
        BA_DINH,
        figures(2025, 9800, 6200, 6900, 2600),
    )
    .await
    .expect(200);
    let cases = [
        (
            figures(2025, 9800, 7000, 6900, 2600),
            "adults",
            "inconsistent",
        ),
        (
            figures(2025, 6000, 5000, 6900, 2600),
            "aged_15_plus",
            "inconsistent",
        ),
        (
            figures(2025, 100, 50, 60, 101),
            "households",
            "inconsistent",
        ),
        (figures(2025, -1, 0, 0, 0), "residents", "out_of_range"),
        (figures(1999, 10, 5, 6, 3), "year", "out_of_range"),
        (json!({"year": 2025, "residents": 10}), "adults", "required"),
        (
            json!({"year": 2025, "residents": "many", "adults": 1, "aged_15_plus": 1, "households": 1}),
            "residents",
            "invalid_type",
        ),
    ];
    for (body, field, code) in cases {
        let problem = put(&app, &admin.token, BA_DINH, body.clone())
            .await
            .problem(422);
        let errors = problem["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && (e["code"] == code || code == "invalid_type")),
            "{body}: {problem}"
        );
    }
    let kept = app.get(&path(BA_DINH), &admin.token).await.expect(200);
    assert_eq!(kept.body["adults"], 6200);
    assert_eq!(kept.body["residents"], 9800);
}

async fn import(app: &TestApp, text: &'static str) -> anyhow::Result<usize> {
    let pool = app.pool.clone();
    web::block(move || gocua::population::service::import(&mut pool.get().unwrap(), text))
        .await
        .unwrap()
}

#[actix_web::test]
async fn an_import_stores_every_row_or_none() {
    let (app, admin) = TestApp::init().with_admin().await;
    let stored = import(
        &app,
        "code,year,residents,adults,aged_15_plus,households\n\
         00004,2025,9800,6200,6900,2600\n\
         00008,2025,3000,2000,2200,900\n",
    )
    .await
    .unwrap();
    assert_eq!(stored, 2);
    let hanoi = app.get(&path(HANOI), &admin.token).await.expect(200);
    assert_eq!(hanoi.body["residents"], 12800);
    let bad = import(
        &app,
        "code,year,residents,adults,aged_15_plus,households\n\
         00004,2025,1,1,1,1\n\
         00008,2025,3000,2500,2200,900\n",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(bad.starts_with("line 3: adults"), "{bad}");
    let unknown = import(
        &app,
        "code,year,residents,adults,aged_15_plus,households\n99999,2025,1,1,1,1\n",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(unknown.starts_with("line 2: code"), "{unknown}");
    let header = import(&app, "ma,nam\n00004,2025\n")
        .await
        .unwrap_err()
        .to_string();
    assert!(header.starts_with("line 1:"), "{header}");
    // Nothing of the bad files was stored.
    let ba_dinh = app.get(&path(BA_DINH), &admin.token).await.expect(200);
    assert_eq!(ba_dinh.body["residents"], 9800);
}
