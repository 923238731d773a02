//! The digital-skills certificate ("Bình dân học vụ số" through VNeID): an assist action
//! and the metric `digital_skills_certified`, counted once per citizen through records,
//! sync, rollups, campaign progress, statistics, exports and anomalies.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::stats::rollups_match;
use crate::util::assist;
use crate::util::{BA_DINH, HANOI, Reply, TestApp};

const ANH: &str = "001185012345";
const BINH: &str = "001185022222";
const CHI: &str = "001185033333";

fn certificate(team: &str, citizen: &str, result: &str) -> Value {
    assist(team, citizen, "digital_skills_certificate", result)
}

#[actix_web::test]
async fn certificates_count_once_per_citizen_everywhere() {
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{BA_DINH}/population"),
        Some(&admin.token),
        Some(json!({"year": 2025, "residents": 9800, "adults": 6200, "aged_15_plus": 6900, "households": 2600})),
    )
    .await
    .expect(200);
    let today = chrono::Utc::now().date_naive();
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &f.province.token,
            json!({"name": "100 ngày", "unit_code": HANOI,
                   "starts_on": (today - chrono::Duration::days(10)).to_string(),
                   "ends_on": (today + chrono::Duration::days(89)).to_string()}),
        )
        .await
        .expect(201);
    let id = campaign.body["id"].as_str().unwrap().to_owned();
    let targets = app
        .call(
            Method::PUT,
            &format!("/api/v1/campaigns/{id}/targets"),
            Some(&f.province.token),
            Some(json!([
                {"unit_code": BA_DINH, "metric": "digital_skills_certified", "percent": 40, "of": "adults"},
                {"unit_code": BA_DINH, "metric": "signatures_submitted", "percent": 5, "of": "aged_15_plus"},
                {"unit_code": HANOI, "metric": "digital_skills_certified", "target": 10}
            ])),
        )
        .await
        .expect(200);
    assert_eq!(
        targets.body["targets"][0],
        json!({"unit_code": BA_DINH, "metric": "digital_skills_certified", "target": 2480, "percent": 40.0, "of": "adults", "population": 6200})
    );
    assert_eq!(
        targets.body["targets"][1],
        json!({"unit_code": BA_DINH, "metric": "signatures_submitted", "target": 345, "percent": 5.0, "of": "aged_15_plus", "population": 6900})
    );

    // One by one: the first certificate of a citizen counts, a repeat is flagged.
    let first = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            certificate(&f.team, ANH, "success"),
        )
        .await
        .expect(201);
    assert_eq!(first.body["action"], "digital_skills_certificate");
    assert_eq!(first.body["review_status"], "pending");
    let mut repeats = Vec::new();
    for _ in 0..3 {
        let repeat = app
            .post(
                "/api/v1/vneid-assists",
                &f.lead.token,
                certificate(&f.team, ANH, "success"),
            )
            .await
            .expect(201);
        assert_eq!(repeat.body["review_status"], "flagged");
        assert_eq!(repeat.body["duplicate_of"], first.body["id"]);
        repeats.push(repeat.body["id"].as_str().unwrap().to_owned());
    }
    // An installation for the same citizen is another action: not a repeat.
    let install = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, ANH, "install", "success"),
        )
        .await
        .expect(201);
    assert_eq!(install.body["review_status"], "pending");
    // Through sync, as an offline phone sends them.
    let batch = json!({"vneid_assists": [
        certificate(&f.team, BINH, "pending"),
        certificate(&f.team, CHI, "success"),
    ]});
    let synced = app
        .post("/api/v1/sync", &f.member.token, batch)
        .await
        .expect(200);
    let statuses: Vec<(&str, &str)> = synced.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        vec![("vneid_assist", "created"), ("vneid_assist", "created")]
    );
    // A misspelt action is named.
    let problem = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CHI, "digital_skills", "success"),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["action"]);

    // Three repeated certificates out of three records: the lead is listed.
    let found = app
        .get("/api/v1/stats/anomalies", &f.sup.token)
        .await
        .expect(200);
    let listed = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["volunteer_id"] == f.lead.id.as_str() && a["reason"] == "many_duplicate_flags")
        .expect("the lead's repeated certificates are an anomaly");
    assert_eq!(listed["record_ids"].as_array().unwrap().len(), 3);

    let summary = |unit: &str, extra: &str| {
        let path = format!("/api/v1/stats/summary?unit={unit}{extra}");
        let token = f.province.token.clone();
        let app = &app;
        async move { app.get(&path, &token).await.expect(200).body["metrics"].clone() }
    };
    let metrics = summary(BA_DINH, "").await;
    assert_eq!(metrics["digital_skills_certified"], 2, "{metrics}");
    assert_eq!(metrics["unique_citizens_assisted"], 2, "{metrics}");
    assert_eq!(metrics["vneid_installs"], 1, "{metrics}");
    assert_eq!(
        summary(BA_DINH, "&review=approved").await["digital_skills_certified"],
        0
    );
    let progress = app
        .get(&format!("/api/v1/campaigns/{id}/progress"), &f.sup.token)
        .await
        .expect(200);
    let row = progress.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_code"] == BA_DINH && r["metric"] == "digital_skills_certified")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &row["metric"],
            &row["target"],
            &row["actual"],
            &row["population"]
        ),
        (
            &json!("digital_skills_certified"),
            &json!(2480),
            &json!(2),
            &json!(6200)
        )
    );

    // A reviewer who approves a repeat makes it count, approved, like any duplicate.
    app.post(
        &format!("/api/v1/vneid-assists/{}/review", repeats[0]),
        &f.sup.token,
        json!({"status": "approved"}),
    )
    .await
    .expect(200);
    assert_eq!(summary(BA_DINH, "").await["digital_skills_certified"], 3);
    assert_eq!(
        summary(BA_DINH, "&review=approved").await["digital_skills_certified"],
        1
    );
    rollups_match(&app).await;

    // Per 100 adults, in the CSV of a province's communes.
    let (status, _, bytes) = app
        .get_bytes(
            &format!("/api/v1/stats/breakdown.csv?unit={HANOI}&by=unit&per=adults"),
            &f.province.token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let ba_dinh: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with(&format!("{BA_DINH},")))
        .unwrap()
        .split(',')
        .collect();
    let cell = |name: &str| ba_dinh[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(cell("digital_skills_certified"), "3");
    assert_eq!(cell("digital_skills_certified_per_100"), "0");
    assert_eq!(cell("population"), "6200");

    // The export names the action.
    let (_, _, bytes) = app
        .get_bytes("/api/v1/exports/vneid-assists.csv", &f.sup.token, None)
        .await;
    let export = String::from_utf8_lossy(&bytes).into_owned();
    assert_eq!(export.matches(",digital_skills_certificate,").count(), 6);
}
