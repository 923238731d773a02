//! Rollups stay equal to a recount from the records after any mix of creates, changes,
//! reviews and voids, and `rebuild` reproduces them.

use actix_web::web;
use serde_json::{Value, json};

use crate::util::{Field, assist, hours_ago, signature, visit};
use crate::util::{TestApp, local_day};

/// A small deterministic generator, so a failing mix can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

pub async fn rollups_match(app: &TestApp) {
    let pool = app.pool.clone();
    web::block(move || {
        let mut conn = pool.get().unwrap();
        let expected = gocua::records::tally::recount(&mut conn).unwrap();
        let stored = gocua::stats::rollups::stored(&mut conn).unwrap();
        assert_eq!(
            stored.daily, expected.daily,
            "daily rollups differ from a recount"
        );
        assert_eq!(
            stored.communes, expected.communes,
            "commune rollups differ from a recount"
        );
        assert_eq!(
            stored.citizens, expected.citizens,
            "citizen rollups differ from a recount"
        );
        assert_eq!(
            stored.spans, expected.spans,
            "distinct spans differ from the ones the rollups give"
        );
        assert!(
            !expected.daily.is_empty()
                && !expected.citizens.is_empty()
                && !expected.spans.is_empty()
        );
        let rebuilt = gocua::records::tally::rebuild(&mut conn).unwrap();
        assert_eq!(rebuilt, expected.sizes());
        let again = gocua::stats::rollups::stored(&mut conn).unwrap();
        assert_eq!(again, expected, "rebuild reproduces the rollups");
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn rollups_equal_a_recount_after_a_random_mix() {
    let (app, f) = TestApp::init().with_field().await;
    let mut rng = Lcg(std::env::var("GOCUA_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261123));
    let citizens = ["001185012345", "001185022222", "001185033333"];
    let mut made: Vec<(&str, String)> = Vec::new();
    for i in 0..60 {
        let citizen = citizens[rng.next(3) as usize];
        let hours = 1 + rng.next(72) as i64;
        let (path, mut body): (&str, Value) = match rng.next(4) {
            0 => {
                let mut v = visit(&f.team);
                v["outcome"] = json!(["guided", "not_home", "follow_up"][rng.next(3) as usize]);
                if v["outcome"] == "not_home" {
                    v["people_guided"] = json!(0);
                }
                ("/api/v1/visits", v)
            }
            1 => {
                let action = ["install", "activate_level2", "digital_skills_certificate"]
                    [rng.next(3) as usize];
                let result = ["success", "pending"][rng.next(2) as usize];
                (
                    "/api/v1/vneid-assists",
                    assist(&f.team, citizen, action, result),
                )
            }
            2 => {
                let status = ["submitted", "issued"][rng.next(2) as usize];
                (
                    "/api/v1/signature-registrations",
                    signature(&f.team, citizen, status),
                )
            }
            _ => (
                "/api/v1/training-sessions",
                crate::sessions::session(&f.team, 1 + rng.next(60) as i64),
            ),
        };
        body["occurred_at"] = json!(hours_ago(hours));
        let author = if i % 2 == 0 { &f.member } else { &f.lead };
        let created = app.post(path, &author.token, body).await.expect(201);
        made.push((path, created.body["id"].as_str().unwrap().to_owned()));
    }
    for _ in 0..60 {
        let (path, id) = made[rng.next(made.len() as u64) as usize].clone();
        let one = format!("{path}/{id}");
        let reply = match rng.next(5) {
            0 => {
                let change = match path {
                    "/api/v1/visits" => {
                        json!({"people_guided": rng.next(5), "outcome": "guided", "occurred_at": hours_ago(1 + rng.next(48) as i64)})
                    }
                    "/api/v1/vneid-assists" => {
                        json!({"result": (["success", "pending"][rng.next(2) as usize])})
                    }
                    "/api/v1/training-sessions" => {
                        json!({"attendees": 1 + rng.next(80), "people_helped": 0})
                    }
                    _ => {
                        json!({"status": (["submitted", "issued", "failed"][rng.next(3) as usize])})
                    }
                };
                app.patch(&one, &f.sup.token, change).await
            }
            1 => {
                app.post(
                    &format!("{one}/review"),
                    &f.sup.token,
                    json!({"status": "approved"}),
                )
                .await
            }
            2 => {
                app.post(
                    &format!("{one}/review"),
                    &f.sup.token,
                    json!({"status": "rejected", "note": "Sai"}),
                )
                .await
            }
            3 => {
                app.post(
                    &format!("{one}/review"),
                    &f.sup.token,
                    json!({"status": "flagged", "note": "Xem lại"}),
                )
                .await
            }
            _ => {
                app.post(
                    &format!("{one}/void"),
                    &f.sup.token,
                    json!({"reason": "Nhập nhầm"}),
                )
                .await
            }
        };
        assert!(matches!(reply.status.as_u16(), 200 | 409), "{}", reply.body);
    }
    rollups_match(&app).await;
}

/// Distinct citizens and volunteers over every window of the last five days, at a commune,
/// per commune and at the province, equal a count of who was there, before and after a
/// void takes away a day in the middle of a citizen's and a volunteer's days.
#[actix_web::test]
async fn distinct_people_count_once_in_every_window() {
    use crate::util::{BA_DINH, HANOI, NGOC_HA};
    let (app, f) = TestApp::init().with_field().await;
    let (x, y) = ("001185012345", "001185022222");
    // Who helped which citizen, where and how many days ago.
    let plan = [
        (&f.member, &f.team, BA_DINH, x, 5),
        (&f.member, &f.team, BA_DINH, x, 2),
        (&f.lead, &f.team, BA_DINH, x, 3),
        (&f.lead, &f.team, BA_DINH, y, 2),
        (&f.neighbour, &f.neighbour_team, NGOC_HA, x, 4),
        (&f.neighbour, &f.neighbour_team, NGOC_HA, y, 1),
    ];
    let mut ids = Vec::new();
    for (who, team, _, citizen, days) in &plan {
        let mut body = assist(team, citizen, "install", "success");
        body["occurred_at"] = json!(local(*days, "10:00:00"));
        let made = app
            .post("/api/v1/vneid-assists", &who.token, body)
            .await
            .expect(201);
        let id = made.body["id"].as_str().unwrap().to_owned();
        // A second install for one citizen waits for a reviewer; approved, it counts.
        if made.body["review_status"] == "flagged" {
            app.post(
                &format!("/api/v1/vneid-assists/{id}/review"),
                &f.province.token,
                json!({"status": "approved"}),
            )
            .await
            .expect(200);
        }
        ids.push(id);
    }
    let check = |alive: Vec<bool>| {
        let (app, plan, f) = (&app, &plan, &f);
        async move {
            for last in 1..=5i64 {
                for first in last..=5i64 {
                    let period = format!("from={}&to={}", local_day(first), local_day(last));
                    let expected = |unit: &str| {
                        let there =
                            plan.iter()
                                .zip(&alive)
                                .filter(|((_, _, commune, _, days), alive)| {
                                    **alive
                                        && (unit == HANOI || *commune == unit)
                                        && (last..=first).contains(days)
                                });
                        let citizens: std::collections::HashSet<&str> =
                            there.clone().map(|(p, _)| p.3).collect();
                        let volunteers: std::collections::HashSet<&str> =
                            there.map(|(p, _)| p.0.id.as_str()).collect();
                        (citizens.len() as i64, volunteers.len() as i64)
                    };
                    let numbers = |m: &Value| {
                        (
                            m["unique_citizens_assisted"].as_i64().unwrap(),
                            m["active_volunteers"].as_i64().unwrap(),
                        )
                    };
                    for unit in [BA_DINH, NGOC_HA, HANOI] {
                        let summary = app
                            .get(
                                &format!("/api/v1/stats/summary?unit={unit}&{period}"),
                                &f.province.token,
                            )
                            .await
                            .expect(200);
                        assert_eq!(
                            numbers(&summary.body["metrics"]),
                            expected(unit),
                            "{unit} {period}"
                        );
                    }
                    let rows = app
                        .get(
                            &format!("/api/v1/stats/breakdown?unit={HANOI}&by=unit&{period}"),
                            &f.province.token,
                        )
                        .await
                        .expect(200);
                    for commune in [BA_DINH, NGOC_HA] {
                        let row = rows.body["rows"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|r| r["key"] == commune)
                            .unwrap();
                        assert_eq!(
                            numbers(&row["metrics"]),
                            expected(commune),
                            "{commune} row {period}"
                        );
                    }
                }
            }
        }
    };
    check(vec![true; plan.len()]).await;
    app.post(
        &format!("/api/v1/vneid-assists/{}/void", ids[2]),
        &f.sup.token,
        json!({"reason": "Nhập nhầm"}),
    )
    .await
    .expect(200);
    check(vec![true, true, false, true, true, true]).await;
    rollups_match(&app).await;
}

/// `occurred_at` at a local time `days` days ago.
fn local(days: i64, time: &str) -> String {
    format!("{}T{time}+07:00", local_day(days))
}

async fn make(app: &TestApp, token: &str, path: &str, mut body: Value, when: String) -> String {
    body["occurred_at"] = json!(when);
    app.post(path, token, body).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The twelve metrics in the contract's order: visits, households_guided, people_guided,
/// vneid_installs, vneid_level2_activations, unique_citizens_assisted, signatures_submitted,
/// signatures_issued, active_volunteers, digital_skills_certified, training_sessions,
/// training_attendees.
fn metrics(n: [i64; 12]) -> Value {
    json!({
        "visits": n[0], "households_guided": n[1], "people_guided": n[2],
        "vneid_installs": n[3], "vneid_level2_activations": n[4], "unique_citizens_assisted": n[5],
        "signatures_submitted": n[6], "signatures_issued": n[7], "active_volunteers": n[8],
        "digital_skills_certified": n[9], "training_sessions": n[10], "training_attendees": n[11],
        "households_reached": 0, "digital_families": 0
    })
}

#[actix_web::test]
async fn every_metric_on_a_fixed_data_set() {
    use crate::util::{BA_DINH, HANOI, NGOC_HA, Reply};
    use actix_web::http::Method;
    let (app, f) = TestApp::init().with_field().await;
    let (d1, d2) = (local_day(2), local_day(1));
    let (m, l) = (&f.member.token, &f.lead.token);
    let mut v = visit(&f.team);
    v["people_guided"] = json!(2);
    make(&app, m, "/api/v1/visits", v, local(2, "23:30:00")).await;
    let mut v = visit(&f.team);
    v["outcome"] = json!("not_home");
    v["people_guided"] = json!(0);
    make(&app, m, "/api/v1/visits", v, local(2, "08:00:00")).await;
    let mut v = visit(&f.team);
    v["outcome"] = json!("follow_up");
    v["people_guided"] = json!(1);
    make(&app, m, "/api/v1/visits", v, local(1, "10:00:00")).await;
    let mut v = visit(&f.team);
    v["people_guided"] = json!(3);
    let voided = make(&app, l, "/api/v1/visits", v, local(1, "11:00:00")).await;
    app.post(
        &format!("/api/v1/visits/{voided}/void"),
        l,
        json!({"reason": "Nhầm"}),
    )
    .await
    .expect(200);
    let (a, b, c) = ("001185012345", "001185022222", "001185033333");
    make(
        &app,
        m,
        "/api/v1/vneid-assists",
        assist(&f.team, a, "install", "success"),
        local(2, "09:00:00"),
    )
    .await;
    make(
        &app,
        m,
        "/api/v1/vneid-assists",
        assist(&f.team, a, "activate_level2", "success"),
        local(1, "09:00:00"),
    )
    .await;
    let dup = make(
        &app,
        l,
        "/api/v1/vneid-assists",
        assist(&f.team, a, "activate_level2", "success"),
        local(1, "09:30:00"),
    )
    .await;
    make(
        &app,
        m,
        "/api/v1/vneid-assists",
        assist(&f.team, b, "install", "pending"),
        local(1, "10:00:00"),
    )
    .await;
    let rejected = make(
        &app,
        l,
        "/api/v1/vneid-assists",
        assist(&f.team, b, "install", "success"),
        local(1, "10:30:00"),
    )
    .await;
    app.post(
        &format!("/api/v1/vneid-assists/{rejected}/review"),
        &f.sup.token,
        json!({"status": "rejected", "note": "Sai"}),
    )
    .await
    .expect(200);
    make(
        &app,
        m,
        "/api/v1/signature-registrations",
        signature(&f.team, c, "submitted"),
        local(2, "14:00:00"),
    )
    .await;
    make(
        &app,
        m,
        "/api/v1/signature-registrations",
        signature(&f.team, c, "issued"),
        local(1, "14:00:00"),
    )
    .await;
    make(
        &app,
        l,
        "/api/v1/signature-registrations",
        signature(&f.team, c, "issued"),
        local(1, "15:00:00"),
    )
    .await;
    make(
        &app,
        &f.neighbour.token,
        "/api/v1/visits",
        visit(&f.neighbour_team),
        local(1, "16:00:00"),
    )
    .await;

    let period = format!("from={d1}&to={d2}");
    let summary = |unit: &str, token: &str, extra: &str| {
        let path = format!("/api/v1/stats/summary?unit={unit}&{period}{extra}");
        let token = token.to_owned();
        let app = &app;
        async move { app.get(&path, &token).await }
    };
    let ba_dinh = summary(BA_DINH, &f.sup.token, "").await.expect(200);
    assert_eq!(ba_dinh.body["unit_code"], BA_DINH);
    assert_eq!(ba_dinh.body["from"], d1.to_string());
    assert_eq!(
        ba_dinh.body["metrics"],
        metrics([3, 1, 3, 1, 1, 1, 2, 1, 1, 0, 0, 0])
    );
    // The 23:30 visit counts on its own local day.
    let day_one = app
        .get(
            &format!("/api/v1/stats/summary?unit={BA_DINH}&from={d1}&to={d1}"),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(day_one.body["metrics"]["visits"], 2);
    // Approving the flagged duplicate makes it count (its citizen was already counted).
    app.post(
        &format!("/api/v1/vneid-assists/{dup}/review"),
        &f.sup.token,
        json!({"status": "approved"}),
    )
    .await
    .expect(200);
    let after = summary(BA_DINH, &f.sup.token, "").await.expect(200);
    assert_eq!(
        after.body["metrics"],
        metrics([3, 1, 3, 1, 2, 1, 2, 1, 2, 0, 0, 0])
    );
    let approved = summary(BA_DINH, &f.sup.token, "&review=approved")
        .await
        .expect(200);
    assert_eq!(
        approved.body["metrics"],
        metrics([0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0])
    );
    let province = summary(HANOI, &f.province.token, "").await.expect(200);
    assert_eq!(
        province.body["metrics"],
        metrics([4, 2, 5, 1, 2, 1, 2, 1, 3, 0, 0, 0])
    );
    let default_unit = app
        .get(
            &format!("/api/v1/stats/summary?{period}"),
            &f.province.token,
        )
        .await
        .expect(200);
    assert_eq!(default_unit.body["unit_code"], HANOI);
    assert_eq!(default_unit.body["metrics"], province.body["metrics"]);
    // Volunteers read their teams' numbers only.
    let outsider = summary(BA_DINH, &f.outsider.token, "").await.expect(200);
    assert_eq!(
        outsider.body["metrics"],
        metrics([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    );
    let member = summary(BA_DINH, m, "").await.expect(200);
    assert_eq!(member.body["metrics"], after.body["metrics"]);
    // Scope, input.
    summary(BA_DINH, &f.far_province.token, "")
        .await
        .problem(404);
    summary(NGOC_HA, &f.sup.token, "").await.problem(404);
    app.call(Method::GET, "/api/v1/stats/summary", None, None)
        .await
        .problem(401);
    let problem = app
        .get(
            &format!("/api/v1/stats/summary?from={d2}&to={d1}&review=all"),
            &f.sup.token,
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["review", "to"]);
    app.get("/api/v1/stats/summary?from=yesterday", &f.sup.token)
        .await
        .problem(400);

    // Breakdowns.
    let by =
        |what: &str, unit: &str| format!("/api/v1/stats/breakdown?unit={unit}&by={what}&{period}");
    let units = app
        .get(&by("unit", HANOI), &f.province.token)
        .await
        .expect(200);
    let rows = units.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 126, "every commune of Hà Nội, zeros included");
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(row(BA_DINH)["metrics"], after.body["metrics"]);
    assert_eq!(row(BA_DINH)["label"], "Phường Ba Đình");
    assert_eq!(
        row(NGOC_HA)["metrics"],
        metrics([1, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    );
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let problem = app
        .get(&by("unit", BA_DINH), &f.sup.token)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["by"]);
    let teams = app
        .get(&by("team", BA_DINH), &f.sup.token)
        .await
        .expect(200);
    assert_eq!(teams.body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(teams.body["rows"][0]["key"], f.team.as_str());
    assert_eq!(teams.body["rows"][0]["label"], "Tổ 1");
    let people = app
        .get(&by("volunteer", BA_DINH), &f.sup.token)
        .await
        .expect(200);
    let mut found: Vec<(String, i64)> = people.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["metrics"]["vneid_level2_activations"].as_i64().unwrap(),
            )
        })
        .collect();
    found.sort();
    let mut want = vec![(f.member.id.clone(), 1), (f.lead.id.clone(), 1)];
    want.sort();
    assert_eq!(found, want);
    let days = app.get(&by("day", BA_DINH), &f.sup.token).await.expect(200);
    let day_rows = days.body["rows"].as_array().unwrap();
    assert_eq!(day_rows.len(), 2);
    assert_eq!(day_rows[0]["key"], d1.to_string());
    assert_eq!(
        day_rows[0]["metrics"],
        metrics([2, 1, 2, 1, 0, 1, 1, 0, 1, 0, 0, 0])
    );
    assert_eq!(
        day_rows[1]["metrics"],
        metrics([1, 0, 1, 0, 2, 1, 1, 1, 2, 0, 0, 0])
    );
    let months = app
        .get(&by("month", BA_DINH), &f.sup.token)
        .await
        .expect(200);
    let month_sum: i64 = months.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metrics"]["visits"].as_i64().unwrap())
        .sum();
    assert_eq!(month_sum, 3);
    assert!(months.body["rows"][0]["key"].as_str().unwrap().len() == 7);
    let weeks = app
        .get(&by("week", BA_DINH), &f.sup.token)
        .await
        .expect(200);
    assert!(
        weeks.body["rows"][0]["key"]
            .as_str()
            .unwrap()
            .contains("-W")
    );
    // CSV, by suffix or by Accept header: BOM, header row, Vietnamese labels intact.
    let (status, headers, bytes) = app
        .get_bytes(
            &format!("/api/v1/stats/breakdown.csv?unit={HANOI}&by=unit&{period}"),
            &f.province.token,
            None,
        )
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
    assert_eq!(
        text.lines().next().unwrap(),
        "key,label,visits,households_guided,people_guided,vneid_installs,vneid_level2_activations,unique_citizens_assisted,signatures_submitted,signatures_issued,active_volunteers,digital_skills_certified,training_sessions,training_attendees,households_reached,digital_families"
    );
    assert!(
        text.contains(&format!(
            "{BA_DINH},Phường Ba Đình,3,1,3,1,2,1,2,1,2,0,0,0,0,0"
        )),
        "{text}"
    );
    assert_eq!(text.lines().count(), 127);
    let (status, _, bytes) = app
        .get_bytes(
            &format!("/api/v1/stats/summary?unit={BA_DINH}&{period}"),
            &f.sup.token,
            Some("text/csv"),
        )
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text.lines().nth(1).unwrap(),
        format!("{BA_DINH},{d1},{d2},3,1,3,1,2,1,2,1,2,0,0,0,0,0")
    );
    let (status, headers, _) = app
        .get_bytes(
            &format!("/api/v1/stats/summary.csv?unit={BA_DINH}"),
            &f.far_province.token,
            None,
        )
        .await;
    assert_eq!(
        (
            status,
            headers.get("content-type").unwrap().to_str().unwrap()
        ),
        (404, "application/problem+json")
    );
    app.get(
        &format!("/api/v1/stats/breakdown?unit={BA_DINH}&by=province"),
        &f.sup.token,
    )
    .await
    .problem(400);
    app.get(&by("team", BA_DINH), &f.far_province.token)
        .await
        .problem(404);
}

#[actix_web::test]
async fn anomalies_name_the_volunteer_the_reason_and_the_records() {
    use actix_web::http::Method;
    let (app, f) = TestApp::init().with_field().await;
    let hour = (chrono::Utc::now() - chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H")
        .to_string();
    let mut rush = Vec::new();
    for i in 0..13 {
        let mut v = visit(&f.team);
        v["occurred_at"] = json!(format!("{hour}:{:02}:00Z", i * 4));
        v["household_ref"] = json!(format!("KP1-{i}"));
        rush.push(v);
    }
    let reply = app
        .post("/api/v1/sync", &f.member.token, json!({"visits": rush}))
        .await
        .expect(200);
    assert!(
        reply.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "created")
    );
    app.post(
        "/api/v1/vneid-assists",
        &f.member.token,
        assist(&f.team, "001185012345", "install", "success"),
    )
    .await
    .expect(201);
    for i in 0..3 {
        let mut far = visit(&f.team);
        far["location"] = json!({"lat": 10.7769, "lon": 106.7009, "accuracy_m": 5});
        far["household_ref"] = json!(format!("XA-{i}"));
        app.post("/api/v1/visits", &f.lead.token, far)
            .await
            .expect(201);
        let dup = app
            .post(
                "/api/v1/vneid-assists",
                &f.lead.token,
                assist(&f.team, "001185012345", "install", "success"),
            )
            .await
            .expect(201);
        assert_eq!(dup.body["review_status"], "flagged");
    }
    app.post("/api/v1/visits", &f.outsider.token, visit(&f.other_team))
        .await
        .expect(201);
    let found = app
        .get("/api/v1/stats/anomalies", &f.sup.token)
        .await
        .expect(200);
    let mut pairs: Vec<(String, String, usize)> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["volunteer_id"].as_str().unwrap().to_owned(),
                a["reason"].as_str().unwrap().to_owned(),
                a["record_ids"].as_array().unwrap().len(),
            )
        })
        .collect();
    pairs.sort();
    for a in found.body["items"].as_array().unwrap() {
        let links: Vec<&serde_json::Value> = a["records"].as_array().unwrap().iter().collect();
        let ids: Vec<&serde_json::Value> = links.iter().map(|l| &l["id"]).collect();
        assert_eq!(
            ids,
            a["record_ids"]
                .as_array()
                .unwrap()
                .iter()
                .collect::<Vec<_>>()
        );
        let kinds: Vec<&str> = links.iter().map(|l| l["kind"].as_str().unwrap()).collect();
        if a["reason"] == "many_duplicate_flags" {
            assert!(kinds.iter().all(|k| *k == "vneid_assist"), "{kinds:?}");
        }
        if a["reason"] == "many_households_one_spot" {
            assert!(kinds.iter().all(|k| *k == "visit"), "{kinds:?}");
        }
    }
    let mut want = vec![
        (f.member.id.clone(), "too_many_per_hour".to_owned(), 13),
        (
            f.member.id.clone(),
            "many_households_one_spot".to_owned(),
            13,
        ),
        (f.lead.id.clone(), "far_from_commune".to_owned(), 3),
        (f.lead.id.clone(), "many_duplicate_flags".to_owned(), 3),
    ];
    want.sort();
    assert_eq!(pairs, want);
    app.get("/api/v1/stats/anomalies", &f.member.token)
        .await
        .problem(403);
    app.get("/api/v1/stats/anomalies?unit=00004", &f.far_province.token)
        .await
        .problem(404);
    app.call(Method::GET, "/api/v1/stats/anomalies", None, None)
        .await
        .problem(401);
    app.get(
        "/api/v1/stats/anomalies?from=2026-03-10&to=2026-03-01",
        &f.sup.token,
    )
    .await
    .problem(422);
}

/// With `GOCUA_DATABASE_READ_URL`, statistics read the replica and everything else the
/// primary: here the "replica" is a separate empty database, so a record created on the
/// primary is listed but not yet counted.
#[actix_web::test]
async fn statistics_read_the_read_pool() {
    let (replica_url, _replica) = crate::util::fresh_database();
    let url = replica_url.clone();
    web::block(move || {
        let config = gocua::config::Config::with_defaults(
            url,
            crate::util::test_secrets().0,
            crate::util::test_secrets().1,
        );
        gocua::cli::prepare_database(&config).map(drop)
    })
    .await
    .unwrap()
    .unwrap();
    let (app, f) = TestApp::init()
        .with_config(|c| c.read_database = Some(replica_url))
        .with_field()
        .await;
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let listed = app.get("/api/v1/visits", &f.sup.token).await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let summary = app
        .get(
            &format!("/api/v1/stats/summary?unit={}", crate::util::BA_DINH),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(summary.body["metrics"]["visits"], 0);

    let direct = TestApp::init().empty().await;
    let f = Field::new(&direct).await;
    direct
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let summary = direct
        .get(
            &format!("/api/v1/stats/summary?unit={}", crate::util::BA_DINH),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(
        summary.body["metrics"]["visits"], 1,
        "without a replica the count is immediate"
    );
}

#[actix_web::test]
async fn a_breakdown_per_population_ranks_units_by_coverage() {
    use crate::util::{BA_DINH, HANOI, NGOC_HA};
    use actix_web::http::Method;
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    app.call(
        Method::PUT,
        &format!("/api/v1/units/{BA_DINH}/population"),
        Some(&admin.token),
        Some(json!({"year": 2025, "residents": 90, "adults": 40, "aged_15_plus": 50, "households": 30})),
    )
    .await
    .expect(200);
    for _ in 0..2 {
        app.post("/api/v1/visits", &f.member.token, visit(&f.team))
            .await
            .expect(201);
    }
    let path = format!("/api/v1/stats/breakdown?unit={HANOI}&by=unit&per=adults");
    let reply = app.get(&path, &f.province.token).await.expect(200);
    let row = |code: &str| {
        reply.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == code)
            .unwrap()
            .clone()
    };
    let ba_dinh = row(BA_DINH);
    assert_eq!(ba_dinh["population"], 40);
    assert_eq!(ba_dinh["per_100"]["visits"], 5.0);
    assert_eq!(ba_dinh["per_100"]["households_guided"], 5.0);
    assert_eq!(ba_dinh["per_100"]["people_guided"], 10.0);
    assert_eq!(ba_dinh["per_100"]["active_volunteers"], 2.5);
    let ngoc_ha = row(NGOC_HA);
    assert!(ngoc_ha["population"].is_null() && ngoc_ha["per_100"].is_null());
    // Without per, rows are as before.
    let plain = app
        .get(&path.replace("&per=adults", ""), &f.province.token)
        .await
        .expect(200);
    assert!(plain.body["rows"][0].get("population").is_none());
    let csv = app
        .get_bytes(
            &path.replace("breakdown?", "breakdown.csv?"),
            &f.province.token,
            None,
        )
        .await;
    assert_eq!(csv.0, 200);
    let text = String::from_utf8_lossy(&csv.2);
    let header = text.lines().next().unwrap();
    assert!(header.ends_with(",population,visits_per_100,households_guided_per_100,people_guided_per_100,vneid_installs_per_100,vneid_level2_activations_per_100,unique_citizens_assisted_per_100,signatures_submitted_per_100,signatures_issued_per_100,active_volunteers_per_100,digital_skills_certified_per_100,training_sessions_per_100,training_attendees_per_100,households_reached_per_100,digital_families_per_100"), "{header}");
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("{BA_DINH},")) && l.contains(",40,5,")),
        "{text}"
    );
    let problem = app
        .get(
            &format!("/api/v1/stats/breakdown?unit={HANOI}&by=team&per=adults"),
            &f.province.token,
        )
        .await
        .problem(422);
    assert_eq!(crate::util::Reply::fields(&problem), vec!["per"]);
    let problem = app
        .get(&path.replace("per=adults", "per=people"), &f.province.token)
        .await
        .problem(400);
    assert_eq!(crate::util::Reply::fields(&problem), vec!["per"]);
    app.call(Method::GET, &path, None, None).await.problem(401);
    app.get(&path, &f.far_province.token).await.problem(404);
}
