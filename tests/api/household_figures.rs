//! `GET /api/v1/stats/households`: doors counted once however often visited, digital
//! families by the province's definition (which applies at once), digital residential
//! areas, per hamlet and per unit, as of a day from the history.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::households::{assign, hamlet, household};
use crate::util::{BA_DINH, HANOI, Reply, TestApp, TestUser, local_day, visit};

const ALL_FIVE: &str = r#"{"smart_device": true, "internet": true, "vneid_all_adults": true, "online_public_services": true, "cashless_payment": true}"#;

async fn figures(app: &TestApp, who: &TestUser, q: &str) -> Value {
    app.get(&format!("/api/v1/stats/households?{q}"), &who.token)
        .await
        .expect(200)
        .body
}

fn row<'a>(body: &'a Value, key: &str) -> &'a Value {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {body}"))
}

#[actix_web::test]
async fn doors_count_once_and_the_definition_decides_at_once() {
    let (app, f) = TestApp::init().with_field().await;
    let ours = hamlet(&app, BA_DINH, "Tổ dân phố số 1").await;
    let theirs = hamlet(&app, BA_DINH, "Tổ dân phố số 2").await;
    assign(&app, &f.sup, &f.team, &[&ours]).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        let mut body = household(&ours, &format!("D-{n}"));
        if n < 10 {
            body["criteria"] = serde_json::from_str(ALL_FIVE).unwrap();
        }
        ids.push(
            app.post("/api/v1/households", &f.member.token, body)
                .await
                .expect(201)
                .body["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Three guided visits to one door, a not-home visit to another: two visited, one reached.
    for (id, outcome) in [
        (&ids[0], "guided"),
        (&ids[0], "guided"),
        (&ids[0], "guided"),
        (&ids[1], "not_home"),
    ] {
        let mut v = visit(&f.team);
        v["household_id"] = json!(id);
        v["outcome"] = json!(outcome);
        if outcome == "not_home" {
            v["people_guided"] = json!(0);
        }
        app.post("/api/v1/visits", &f.member.token, v)
            .await
            .expect(201);
    }
    // A closed household counts nowhere.
    let gone = app
        .post(
            "/api/v1/households",
            &f.member.token,
            household(&ours, "GONE"),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/households/{gone}/close"),
        &f.member.token,
        json!({"reason": "demolished"}),
    )
    .await
    .expect(200);

    let ward = figures(&app, &f.sup, &format!("unit={BA_DINH}")).await;
    assert_eq!(ward["by"], "hamlet");
    let r = row(&ward, &ours);
    assert_eq!(r["label"], "Tổ dân phố số 1");
    assert_eq!(r["households"], 12);
    assert_eq!(r["visited"], 2);
    assert_eq!(r["reached"], 1);
    assert_eq!(r["digital_families"], 10);
    assert_eq!(r["digital_family_share"], 83.3);
    assert_eq!(r["criteria"]["smart_device"], 12);
    assert_eq!(r["criteria"]["vneid_all_adults"], 10);
    assert_eq!(r["criteria"]["digital_skills"], 0);
    assert_eq!(r["digital_residential_area"], true);
    let empty = row(&ward, &theirs);
    assert_eq!(empty["households"], 0);
    assert_eq!(empty["digital_residential_area"], false);
    assert_eq!(empty["digital_family_share"], Value::Null);

    // Before anything was registered: nothing.
    let yesterday = figures(
        &app,
        &f.sup,
        &format!("unit={BA_DINH}&as_of={}", local_day(1)),
    )
    .await;
    assert_eq!(row(&yesterday, &ours)["households"], 0);

    // The province counts its communes' digital residential areas; a key reads it too.
    let province = figures(&app, &f.province, &format!("unit={HANOI}")).await;
    assert_eq!(province["by"], "unit");
    let commune = row(&province, BA_DINH);
    assert_eq!(commune["households"], 12);
    assert_eq!(commune["digital_families"], 10);
    assert_eq!(commune["digital_residential_areas"], 1);
    assert!(commune.get("digital_residential_area").is_none());
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
    let by_key = app
        .get(&format!("/api/v1/stats/households?unit={BA_DINH}"), &key)
        .await
        .expect(200)
        .body;
    assert_eq!(row(&by_key, &ours)["households"], 12);
    assert!(!by_key.to_string().contains("Đội Cấn"), "never an address");
    app.get("/api/v1/households", &key).await.problem(403);

    // A volunteer sees the hamlets of their teams only.
    let mine = figures(&app, &f.member, &format!("unit={BA_DINH}")).await;
    assert_eq!(mine["rows"].as_array().unwrap().len(), 1);

    // The register short of the hamlet's population figure: no longer an area.
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{ours}/population"),
        Some(&f.sup.token),
        Some(json!({"year": 2026, "residents": 60, "adults": 40, "aged_15_plus": 45, "households": 14})),
    )
    .await
    .expect(200);
    let short = figures(&app, &f.sup, &format!("unit={BA_DINH}")).await;
    assert_eq!(row(&short, &ours)["digital_residential_area"], false);
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{ours}/population"),
        Some(&f.sup.token),
        Some(json!({"year": 2026, "residents": 60, "adults": 40, "aged_15_plus": 45, "households": 13})),
    )
    .await
    .expect(200);
    let enough = figures(&app, &f.sup, &format!("unit={BA_DINH}")).await;
    assert_eq!(row(&enough, &ours)["digital_residential_area"], true);

    // A stricter definition moves both flags at once.
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{HANOI}/digital-family"),
        Some(&f.province.token),
        Some(json!({"criteria": ["smart_device", "digital_skills"], "residential_area_share": 80})),
    )
    .await
    .expect(200);
    let strict = figures(&app, &f.sup, &format!("unit={BA_DINH}")).await;
    assert_eq!(row(&strict, &ours)["digital_families"], 0);
    assert_eq!(row(&strict, &ours)["digital_residential_area"], false);
    let looser = json!({"criteria": ["smart_device"], "residential_area_share": 100});
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{HANOI}/digital-family"),
        Some(&f.province.token),
        Some(looser),
    )
    .await
    .expect(200);
    let loose = figures(&app, &f.sup, &format!("unit={BA_DINH}")).await;
    assert_eq!(row(&loose, &ours)["digital_families"], 12);
    assert_eq!(row(&loose, &ours)["digital_residential_area"], true);
    let past = figures(
        &app,
        &f.sup,
        &format!("unit={BA_DINH}&as_of={}", local_day(1)),
    )
    .await;
    assert_eq!(row(&past, &ours)["digital_families"], 0);

    // Bad questions.
    let p = app
        .get(
            &format!(
                "/api/v1/stats/households?unit={BA_DINH}&as_of={}",
                local_day(-2)
            ),
            &f.sup.token,
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["as_of"]);
    let p = app
        .get(
            &format!("/api/v1/stats/households?unit={HANOI}&by=hamlet"),
            &f.province.token,
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["by"]);
    app.get(
        &format!("/api/v1/stats/households?unit={BA_DINH}"),
        &f.far_province.token,
    )
    .await
    .problem(404);
    app.get("/api/v1/stats/households", "").await.problem(401);
}

#[actix_web::test]
async fn a_move_counts_in_the_new_hamlet_from_the_day_it_happened() {
    let (app, f) = TestApp::init().with_field().await;
    let one = hamlet(&app, BA_DINH, "Tổ 1").await;
    let two = hamlet(&app, BA_DINH, "Tổ 2").await;
    assign(&app, &f.sup, &f.team, &[&one, &two]).await;
    let id = app
        .post(
            "/api/v1/households",
            &f.member.token,
            household(&one, "M-1"),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(
        &format!("/api/v1/households/{id}"),
        &f.member.token,
        json!({"base_version": 1, "hamlet_code": two, "criteria": {"digital_skills": true}}),
    )
    .await
    .expect(200);
    let ward = figures(&app, &f.sup, &format!("unit={BA_DINH}")).await;
    assert_eq!(row(&ward, &one)["households"], 0);
    assert_eq!(row(&ward, &two)["households"], 1);
    assert_eq!(row(&ward, &two)["criteria"]["digital_skills"], 1);
    let national = figures(&app, &app.admin().await, "by=unit").await;
    assert_eq!(row(&national, HANOI)["households"], 1);
}

#[actix_web::test]
async fn the_household_metrics_count_doors_in_summaries_breakdowns_and_targets() {
    let (app, f) = TestApp::init().with_field().await;
    let ours = hamlet(&app, BA_DINH, "Tổ dân phố số 1").await;
    assign(&app, &f.sup, &f.team, &[&ours]).await;
    let mut ids = Vec::new();
    for n in 0..4 {
        let mut body = household(&ours, &format!("T-{n}"));
        if n < 3 {
            body["criteria"] = serde_json::from_str(ALL_FIVE).unwrap();
        }
        let made = app
            .post("/api/v1/households", &f.member.token, body)
            .await
            .expect(201);
        ids.push(made.body["id"].as_str().unwrap().to_owned());
    }
    // One door guided three times, another once: two reached, four guided visits.
    for id in [&ids[0], &ids[0], &ids[0], &ids[1]] {
        let mut v = visit(&f.team);
        v["household_id"] = json!(id);
        app.post("/api/v1/visits", &f.member.token, v)
            .await
            .expect(201);
    }
    let summary = app
        .get(
            &format!("/api/v1/stats/summary?unit={BA_DINH}"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(summary["metrics"]["households_guided"], 4);
    assert_eq!(summary["metrics"]["households_reached"], 2);
    assert_eq!(summary["metrics"]["digital_families"], 3);
    let province = app
        .get(
            &format!("/api/v1/stats/breakdown?unit={HANOI}&by=unit"),
            &f.province.token,
        )
        .await
        .expect(200)
        .body;
    let ward = row(&province, BA_DINH);
    assert_eq!(ward["metrics"]["households_reached"], 2);
    assert_eq!(ward["metrics"]["digital_families"], 3);
    for by in ["hamlet", "team", "day", "month"] {
        let b = app
            .get(
                &format!("/api/v1/stats/breakdown?unit={BA_DINH}&by={by}"),
                &f.sup.token,
            )
            .await
            .expect(200)
            .body;
        let reached: i64 = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["metrics"]["households_reached"].as_i64().unwrap())
            .sum();
        assert_eq!(reached, 2, "by={by}: {b}");
        let families: i64 = b["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["metrics"]["digital_families"].as_i64().unwrap())
            .max()
            .unwrap();
        assert_eq!(families, 3, "by={by}: {b}");
    }
    // A target of half the registered households to reach.
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &f.sup.token,
            json!({"name": "Gia đình số", "unit_code": BA_DINH, "starts_on": local_day(3).to_string(), "ends_on": local_day(-30).to_string()}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = app
        .call(
            Method::PUT,
            &format!("/api/v1/campaigns/{campaign}/targets"),
            Some(&f.sup.token),
            Some(json!([
                {"unit_code": BA_DINH, "metric": "households_reached", "percent": 50, "of": "registered_households"},
                {"unit_code": ours, "metric": "digital_families", "target": 4}
            ])),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(set["targets"][0]["population"], 4);
    assert_eq!(set["targets"][0]["target"], 2);
    let progress = app
        .get(
            &format!("/api/v1/campaigns/{campaign}/progress"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    let rows = progress["rows"].as_array().unwrap();
    let reached = rows
        .iter()
        .find(|r| r["metric"] == "households_reached")
        .unwrap();
    assert_eq!(reached["actual"], 2);
    assert_eq!(reached["percent"], 100.0);
    let families = rows
        .iter()
        .find(|r| r["metric"] == "digital_families")
        .unwrap();
    assert_eq!(families["actual"], 3);
}
