//! `/api/v1/campaigns` and targets: who creates, who sees, what a target may be.

use actix_web::http::Method;
use chrono::{Duration, Utc};
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, Reply, SAI_GON, TestApp};

fn campaign(unit: &str) -> Value {
    let today = Utc::now().date_naive();
    json!({"name": "100 ngày bình dân học vụ số", "unit_code": unit, "starts_on": (today - Duration::days(10)).to_string(), "ends_on": (today + Duration::days(89)).to_string()})
}

#[actix_web::test]
async fn create_and_read_campaigns_by_scope() {
    let (app, f) = TestApp::init().with_field().await;
    let far_volunteer = app.seed_user(Role::Volunteer, Some(SAI_GON)).await;
    let hanoi = app
        .post("/api/v1/campaigns", &f.province.token, campaign(HANOI))
        .await
        .expect(201);
    assert_eq!(hanoi.body["name"], "100 ngày bình dân học vụ số");
    assert_eq!(hanoi.body["unit_code"], HANOI);
    assert_eq!(hanoi.body["targets"], json!([]));
    let ba_dinh = app
        .post("/api/v1/campaigns", &f.sup.token, campaign(BA_DINH))
        .await
        .expect(201);
    app.post("/api/v1/campaigns", &f.sup.token, campaign(HANOI))
        .await
        .problem(404);
    app.post(
        "/api/v1/campaigns",
        &f.far_province.token,
        campaign(BA_DINH),
    )
    .await
    .problem(404);
    app.post("/api/v1/campaigns", &f.member.token, campaign(BA_DINH))
        .await
        .problem(403);
    app.call(
        Method::POST,
        "/api/v1/campaigns",
        None,
        Some(campaign(BA_DINH)),
    )
    .await
    .problem(401);
    let bad = json!({"name": " ", "unit_code": "99999", "starts_on": "2026-03-10", "ends_on": "2026-03-01"});
    let problem = app
        .post("/api/v1/campaigns", &f.sup.token, bad)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["ends_on", "name", "unit_code"]
    );
    let long = json!({"name": "Dài", "unit_code": BA_DINH, "starts_on": "2026-01-01", "ends_on": "2027-01-02"});
    let problem = app
        .post("/api/v1/campaigns", &f.sup.token, long)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["ends_on"]);
    let problem = app.post("/api/v1/campaigns", &f.sup.token, json!({"name": "X", "unit_code": BA_DINH, "starts_on": "first of March", "ends_on": "2026-03-01"})).await.problem(422);
    assert_eq!(Reply::fields(&problem), vec!["starts_on"]);
    // A Ba Đình volunteer sees both; the province sees both; Sài Gòn sees neither.
    let ids = |r: &Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let both = vec![
        ba_dinh.body["id"].as_str().unwrap().to_owned(),
        hanoi.body["id"].as_str().unwrap().to_owned(),
    ];
    assert_eq!(
        ids(&app
            .get("/api/v1/campaigns", &f.member.token)
            .await
            .expect(200)),
        both
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/campaigns", &f.province.token)
            .await
            .expect(200)),
        both
    );
    assert!(
        ids(&app
            .get("/api/v1/campaigns", &far_volunteer.token)
            .await
            .expect(200))
        .is_empty()
    );
    assert_eq!(
        ids(&app
            .get(
                &format!("/api/v1/campaigns?unit={BA_DINH}"),
                &f.province.token
            )
            .await
            .expect(200)),
        both[..1].to_vec()
    );
    app.get(
        &format!("/api/v1/campaigns?unit={HANOI}"),
        &far_volunteer.token,
    )
    .await
    .problem(404);
    let path = format!("/api/v1/campaigns/{}", hanoi.body["id"].as_str().unwrap());
    app.get(&path, &f.member.token).await.expect(200);
    app.get(&path, &far_volunteer.token).await.problem(404);
    app.get(&path, &f.far_province.token).await.problem(404);
    app.call(Method::GET, &path, None, None).await.problem(401);
    let past = (Utc::now() - Duration::days(30)).date_naive();
    assert!(
        ids(&app
            .get(
                &format!("/api/v1/campaigns?open_on={past}"),
                &f.member.token
            )
            .await
            .expect(200))
        .is_empty()
    );
    // Running campaigns reach the phone with its sync state.
    let state = app
        .get("/api/v1/sync/state", &f.member.token)
        .await
        .expect(200);
    let running: Vec<&str> = state.body["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(running.len(), 2);
}

#[actix_web::test]
async fn targets_follow_the_campaigns_unit() {
    let (app, f) = TestApp::init().with_field().await;
    let hanoi = app
        .post("/api/v1/campaigns", &f.province.token, campaign(HANOI))
        .await
        .expect(201);
    let path = format!(
        "/api/v1/campaigns/{}/targets",
        hanoi.body["id"].as_str().unwrap()
    );
    let targets = json!([
        {"unit_code": HANOI, "metric": "vneid_level2_activations", "target": 50000},
        {"unit_code": BA_DINH, "metric": "signatures_submitted", "target": 200}
    ]);
    let set = app
        .call(
            Method::PUT,
            &path,
            Some(&f.province.token),
            Some(targets.clone()),
        )
        .await
        .expect(200);
    assert_eq!(set.body["targets"].as_array().unwrap().len(), 2);
    assert_eq!(
        set.body["targets"][0],
        json!({"unit_code": BA_DINH, "metric": "signatures_submitted", "target": 200})
    );
    let bad = json!([
        {"unit_code": SAI_GON, "metric": "visits", "target": 10},
        {"unit_code": BA_DINH, "metric": "smartphone_users", "target": 10},
        {"unit_code": BA_DINH, "metric": "visits", "target": -1},
        {"unit_code": HANOI, "metric": "visits", "target": 5},
        {"unit_code": HANOI, "metric": "visits", "target": 6}
    ]);
    let problem = app
        .call(Method::PUT, &path, Some(&f.province.token), Some(bad))
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["[0].unit_code", "[1].metric", "[2].target", "[4].metric"]
    );
    let kept = app
        .get(&path.replace("/targets", ""), &f.member.token)
        .await
        .expect(200);
    assert_eq!(
        kept.body["targets"].as_array().unwrap().len(),
        2,
        "a refused change keeps the old targets"
    );
    app.call(
        Method::PUT,
        &path,
        Some(&f.sup.token),
        Some(targets.clone()),
    )
    .await
    .problem(403);
    app.call(
        Method::PUT,
        &path,
        Some(&f.member.token),
        Some(targets.clone()),
    )
    .await
    .problem(403);
    app.call(
        Method::PUT,
        &path,
        Some(&f.far_province.token),
        Some(targets.clone()),
    )
    .await
    .problem(404);
    app.call(Method::PUT, &path, None, Some(targets))
        .await
        .problem(401);
    let replaced = app
        .call(
            Method::PUT,
            &path,
            Some(&f.province.token),
            Some(json!([{"unit_code": HANOI, "metric": "active_volunteers", "target": 300}])),
        )
        .await
        .expect(200);
    assert_eq!(
        replaced.body["targets"],
        json!([{"unit_code": HANOI, "metric": "active_volunteers", "target": 300}])
    );
}

#[actix_web::test]
async fn progress_against_pro_rated_targets() {
    use crate::util::{hours_ago, visit};
    let (app, f) = TestApp::init().with_field().await;
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let today = Utc::now().with_timezone(&vn).date_naive();
    let body = json!({"name": "Chiến dịch 100 ngày", "unit_code": HANOI, "starts_on": (today - Duration::days(10)).to_string(), "ends_on": (today + Duration::days(89)).to_string()});
    let c = app
        .post("/api/v1/campaigns", &f.province.token, body)
        .await
        .expect(201);
    let id = c.body["id"].as_str().unwrap();
    app.call(
        Method::PUT,
        &format!("/api/v1/campaigns/{id}/targets"),
        Some(&f.province.token),
        Some(json!([{"unit_code": HANOI, "metric": "visits", "target": 100}, {"unit_code": BA_DINH, "metric": "visits", "target": 10}])),
    )
    .await
    .expect(200);
    for _ in 0..2 {
        let mut v = visit(&f.team);
        v["occurred_at"] = json!(hours_ago(1));
        app.post("/api/v1/visits", &f.member.token, v)
            .await
            .expect(201);
    }
    app.post(
        "/api/v1/visits",
        &f.neighbour.token,
        visit(&f.neighbour_team),
    )
    .await
    .expect(201);
    let path = format!("/api/v1/campaigns/{id}/progress?by=unit");
    let progress = app.get(&path, &f.province.token).await.expect(200);
    assert_eq!(progress.body["campaign_id"], id);
    let rows = progress.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 127, "the province and each of its 126 communes");
    let row = |unit: &str| {
        rows.iter()
            .find(|r| r["unit_code"] == unit)
            .unwrap()
            .clone()
    };
    assert_eq!(
        row(HANOI),
        json!({"unit_code": HANOI, "unit_name": "Hà Nội", "metric": "visits", "target": 100, "target_percent": null, "of": null, "population": null, "coverage": null, "actual": 3, "percent": 3.0, "expected_by_now": 11.0, "status": "behind"})
    );
    assert_eq!(
        row(BA_DINH),
        json!({"unit_code": BA_DINH, "unit_name": "Phường Ba Đình", "metric": "visits", "target": 10, "target_percent": null, "of": null, "population": null, "coverage": null, "actual": 2, "percent": 20.0, "expected_by_now": 1.1, "status": "ahead"})
    );
    let ngoc_ha = row(crate::util::NGOC_HA);
    assert_eq!(
        (
            ngoc_ha["actual"].as_i64(),
            ngoc_ha["target"].is_null(),
            ngoc_ha["status"].is_null()
        ),
        (Some(1), true, true)
    );
    // A commune supervisor sees their commune's rows only.
    let mine = app.get(&path, &f.sup.token).await.expect(200);
    let units: Vec<&str> = mine.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit_code"].as_str().unwrap())
        .collect();
    assert_eq!(units, vec![BA_DINH]);
    app.get(&path, &f.far_province.token).await.problem(404);
    app.call(Method::GET, &path, None, None).await.problem(401);
    let problem = app
        .get(
            &format!("/api/v1/campaigns/{id}/progress?by=team"),
            &f.province.token,
        )
        .await
        .problem(400);
    assert_eq!(Reply::fields(&problem), vec!["by"]);
}

#[actix_web::test]
async fn percentage_targets_follow_the_population() {
    use crate::util::visit;
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    let population = |households: i64| json!({"year": 2025, "residents": 9800, "adults": 6200, "aged_15_plus": 6900, "households": households});
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{BA_DINH}/population"),
        Some(&admin.token),
        Some(population(2600)),
    )
    .await
    .expect(200);
    let created = app
        .post("/api/v1/campaigns", &f.province.token, campaign(HANOI))
        .await
        .expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let targets_path = format!("/api/v1/campaigns/{id}/targets");
    let put = |body: Value| {
        app.call(
            Method::PUT,
            &targets_path,
            Some(&f.province.token),
            Some(body),
        )
    };
    let set = put(json!([
        {"unit_code": BA_DINH, "metric": "households_guided", "percent": 40, "of": "households"},
        {"unit_code": HANOI, "metric": "visits", "target": 100}
    ]))
    .await
    .expect(200);
    assert_eq!(
        set.body["targets"][0],
        json!({"unit_code": BA_DINH, "metric": "households_guided", "target": 1040, "percent": 40.0, "of": "households", "population": 2600})
    );
    // Bad items are named, and nothing of the request is stored.
    let problem = put(json!([
        {"unit_code": crate::util::NGOC_HA, "metric": "visits", "percent": 10, "of": "adults"},
        {"unit_code": BA_DINH, "metric": "visits", "percent": 0, "of": "adults"},
        {"unit_code": BA_DINH, "metric": "vneid_installs", "percent": 101, "of": "adults"},
        {"unit_code": BA_DINH, "metric": "people_guided", "percent": 10, "of": "people"},
        {"unit_code": BA_DINH, "metric": "signatures_issued", "percent": 10, "target": 5},
        {"unit_code": BA_DINH, "metric": "signatures_submitted", "percent": 10}
    ]))
    .await
    .problem(422);
    let errors: Vec<(String, String)> = problem["errors"]
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
    for expected in [
        ("[0]", "population_missing"),
        ("[1].percent", "out_of_range"),
        ("[2].percent", "out_of_range"),
        ("[3].of", "invalid_choice"),
        ("[4].target", "target_or_percent"),
        ("[5].of", "required"),
    ] {
        assert!(
            errors
                .iter()
                .any(|(f, c)| f == expected.0 && (c == expected.1 || expected.0 == "[3].of")),
            "{expected:?} in {errors:?}"
        );
    }
    let kept = app
        .get(&format!("/api/v1/campaigns/{id}"), &f.province.token)
        .await
        .expect(200);
    assert_eq!(kept.body["targets"], set.body["targets"]);
    for _ in 0..2 {
        app.post("/api/v1/visits", &f.member.token, visit(&f.team))
            .await
            .expect(201);
    }
    let progress_path = format!("/api/v1/campaigns/{id}/progress");
    let row = |progress: &Value| {
        progress["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_code"] == BA_DINH && r["metric"] == "households_guided")
            .unwrap()
            .clone()
    };
    let progress = app.get(&progress_path, &f.sup.token).await.expect(200);
    let ba_dinh = row(&progress.body);
    assert_eq!(
        (
            &ba_dinh["target"],
            &ba_dinh["target_percent"],
            &ba_dinh["of"],
            &ba_dinh["population"],
            &ba_dinh["actual"],
            &ba_dinh["coverage"],
            &ba_dinh["percent"],
            &ba_dinh["status"],
        ),
        (
            &json!(1040),
            &json!(40.0),
            &json!("households"),
            &json!(2600),
            &json!(2),
            &json!(0.1),
            &json!(0.2),
            &json!("behind"),
        )
    );
    // A corrected figure moves the target at once; the campaign itself is untouched.
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{BA_DINH}/population"),
        Some(&admin.token),
        Some(population(3000)),
    )
    .await
    .expect(200);
    let progress = app.get(&progress_path, &f.sup.token).await.expect(200);
    assert_eq!(row(&progress.body)["target"], 1200);
    assert_eq!(row(&progress.body)["population"], 3000);
    let after = app
        .get(&format!("/api/v1/campaigns/{id}"), &f.province.token)
        .await
        .expect(200);
    assert_eq!(after.body["updated_at"], kept.body["updated_at"]);
    assert_eq!(after.body["targets"][0]["target"], 1200);
}
