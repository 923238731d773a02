//! Residents' rights: what is held about a resident, found by their number in scope, and
//! erasure of the link that keeps every count and stops duplicate detection.

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{CITIZEN, assist, signature, team_with};
use crate::util::{HANOI, Reply, SAI_GON, TestApp};

const OTHER: &str = "001185099999";

async fn lookup(app: &TestApp, token: &str, citizen: &str) -> Value {
    app.post(
        "/api/v1/privacy/lookup",
        token,
        json!({"citizen_id": citizen}),
    )
    .await
    .expect(200)
    .body
}

async fn erase(app: &TestApp, token: &str, citizen: &str, reason: &str) -> Reply {
    app.post(
        "/api/v1/privacy/erase",
        token,
        json!({"citizen_id": citizen, "reason": reason}),
    )
    .await
}

/// Every figure a supervisor reads for Hà Nội over the last 59 days, to compare before
/// and after.
async fn figures(app: &TestApp, token: &str) -> Vec<Value> {
    let from =
        (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive() - chrono::Duration::days(59);
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/stats/summary?unit={HANOI}&from={from}"),
        format!("/api/v1/stats/breakdown?unit={HANOI}&by=unit&from={from}"),
        format!("/api/v1/stats/breakdown?unit={HANOI}&by=day&from={from}"),
        format!("/api/v1/stats/breakdown?unit={HANOI}&by=volunteer&from={from}"),
        format!("/api/v1/stats/breakdown?unit={HANOI}&by=month&from={from}"),
    ] {
        out.push(app.get(&path, token).await.expect(200).body);
    }
    out
}

fn rollups_match(app: &TestApp) {
    let mut conn = app.pool.get().unwrap();
    let fresh = gocua::records::tally::recount(&mut conn).unwrap();
    assert!(
        fresh == gocua::stats::rollups::stored(&mut conn).unwrap(),
        "check-rollups would fail"
    );
}

#[actix_web::test]
async fn a_lookup_finds_the_residents_records_in_scope_and_nothing_else() {
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    let installed = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "install", "success"),
        )
        .await
        .expect(201);
    let signed = app
        .post(
            "/api/v1/signature-registrations",
            &f.member.token,
            signature(&f.team, CITIZEN, "submitted"),
        )
        .await
        .expect(201);
    app.post(
        "/api/v1/vneid-assists",
        &f.member.token,
        assist(&f.team, OTHER, "install", "success"),
    )
    .await
    .expect(201);

    let held = lookup(&app, &f.province.token, CITIZEN).await;
    let items = held["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{held}");
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&installed.body["id"].as_str().unwrap()));
    assert!(ids.contains(&signed.body["id"].as_str().unwrap()));
    let assist_item = items.iter().find(|i| i["kind"] == "vneid_assist").unwrap();
    assert_eq!(assist_item["action"], "install");
    assert_eq!(assist_item["result"], "success");
    assert_eq!(assist_item["commune_code"], crate::util::BA_DINH);
    assert!(assist_item["occurred_on"].is_string());
    let signature_item = items
        .iter()
        .find(|i| i["kind"] == "signature_registration")
        .unwrap();
    assert_eq!(signature_item["status"], "submitted");
    let text = held.to_string();
    assert!(!text.contains(CITIZEN) && !text.contains("citizen_ref"));
    assert_eq!(
        lookup(&app, &admin.token, CITIZEN).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Another province: an empty list, the same answer as for a resident nobody knows.
    assert_eq!(
        lookup(&app, &f.far_province.token, CITIZEN).await,
        json!({"items": []})
    );
    assert_eq!(
        lookup(&app, &f.province.token, "001190000001").await,
        json!({"items": []})
    );

    // Roles that may not, no token, bad numbers (never echoed).
    for token in [&f.sup.token, &f.member.token] {
        app.post(
            "/api/v1/privacy/lookup",
            token,
            json!({"citizen_id": CITIZEN}),
        )
        .await
        .problem(403);
    }
    app.call(
        Method::POST,
        "/api/v1/privacy/lookup",
        None,
        Some(json!({"citizen_id": CITIZEN})),
    )
    .await
    .problem(401);
    for bad in ["12345", "000185012345", "00118501234x", "0011850123456"] {
        let problem = app
            .post(
                "/api/v1/privacy/lookup",
                &f.province.token,
                json!({"citizen_id": bad}),
            )
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "citizen_id", "{bad}");
        assert!(!problem.to_string().contains(bad), "{problem}");
    }

    let audit = app
        .get("/api/v1/audit?limit=500", &admin.token)
        .await
        .expect(200)
        .body;
    let lookups = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "privacy.lookup")
        .count();
    assert_eq!(lookups, 4, "each look-up audited, refused ones aside");
    assert!(!audit.to_string().contains(CITIZEN));
}

#[actix_web::test]
async fn an_erasure_keeps_every_count_and_stops_duplicate_detection() {
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    for (action, result) in [
        ("install", "success"),
        ("activate_level2", "success"),
        ("install", "failed"),
    ] {
        let mut a = assist(&f.team, CITIZEN, action, result);
        if result == "failed" {
            a["failure_reason"] = json!("no_smartphone");
        }
        app.post("/api/v1/vneid-assists", &f.member.token, a)
            .await
            .expect(201);
    }
    let repeat = app
        .post(
            "/api/v1/vneid-assists",
            &f.lead.token,
            assist(&f.team, CITIZEN, "install", "success"),
        )
        .await
        .expect(201);
    assert!(
        repeat.body["duplicate_of"].is_string(),
        "a repeat before the erasure is flagged"
    );
    app.post(
        "/api/v1/signature-registrations",
        &f.member.token,
        signature(&f.team, CITIZEN, "issued"),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/vneid-assists",
        &f.member.token,
        assist(&f.team, OTHER, "install", "success"),
    )
    .await
    .expect(201);
    let before = figures(&app, &admin.token).await;
    assert_eq!(before[0]["metrics"]["unique_citizens_assisted"], 2);

    // Bad input changes nothing.
    let problem = erase(&app, &f.province.token, CITIZEN, "  ")
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "reason");
    erase(&app, &f.sup.token, CITIZEN, "Yêu cầu của công dân")
        .await
        .problem(403);
    let elsewhere = erase(&app, &f.far_province.token, CITIZEN, "Yêu cầu của công dân")
        .await
        .expect(200);
    assert_eq!(
        elsewhere.body["erased_records"], 0,
        "nothing of theirs in Hồ Chí Minh"
    );

    let erased = erase(
        &app,
        &f.province.token,
        CITIZEN,
        "Phiếu yêu cầu số 17 ngày 02/12/2026",
    )
    .await
    .expect(200);
    assert_eq!(erased.body, json!({"erased_records": 5}));
    assert_eq!(figures(&app, &admin.token).await, before, "no count moved");
    rollups_match(&app);
    assert_eq!(
        lookup(&app, &admin.token, CITIZEN).await,
        json!({"items": []})
    );
    assert_eq!(
        lookup(&app, &admin.token, OTHER).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "another resident keeps their link"
    );

    // The resident comes back: a new assist is theirs alone, not a repeat of an erased one.
    let fresh = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "install", "success"),
        )
        .await
        .expect(201);
    assert!(fresh.body["duplicate_of"].is_null(), "{}", fresh.body);
    rollups_match(&app);
    let after = figures(&app, &admin.token).await;
    assert_eq!(after[0]["metrics"]["unique_citizens_assisted"], 3);
    assert_eq!(after[0]["metrics"]["vneid_installs"], 3);

    let audit = app
        .get("/api/v1/audit?limit=500", &admin.token)
        .await
        .expect(200)
        .body;
    let erasures: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "privacy.erase")
        .collect();
    assert_eq!(erasures.len(), 2);
    assert!(audit.to_string().contains("Phiếu yêu cầu số 17"));
    assert!(!audit.to_string().contains(CITIZEN));
    if let Some(bytes) = app.sqlite_bytes() {
        assert!(
            !bytes
                .windows(CITIZEN.len())
                .any(|w| w == CITIZEN.as_bytes()),
            "the number is nowhere in the database file"
        );
    }
}

#[actix_web::test]
async fn a_province_erasure_leaves_another_provinces_records_and_its_counts() {
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    let saigon_sup = app.seed_user(Role::CommuneSupervisor, Some(SAI_GON)).await;
    let saigon = app.seed_user(Role::Volunteer, Some(SAI_GON)).await;
    let saigon_team = team_with(
        &app,
        &saigon_sup,
        SAI_GON,
        "Tổ Sài Gòn",
        &[(&saigon, "lead")],
    )
    .await;
    app.post(
        "/api/v1/vneid-assists",
        &f.member.token,
        assist(&f.team, CITIZEN, "install", "success"),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/vneid-assists",
        &saigon.token,
        assist(&saigon_team, CITIZEN, "activate_level2", "success"),
    )
    .await
    .expect(201);
    let hanoi = figures(&app, &admin.token).await;
    let hcm_before = app
        .get("/api/v1/stats/summary?unit=79", &admin.token)
        .await
        .expect(200)
        .body;
    let erased = erase(
        &app,
        &f.province.token,
        CITIZEN,
        "Yêu cầu của công dân tại Hà Nội",
    )
    .await
    .expect(200);
    assert_eq!(erased.body["erased_records"], 1);
    assert_eq!(figures(&app, &admin.token).await, hanoi);
    let hcm_after = app
        .get("/api/v1/stats/summary?unit=79", &admin.token)
        .await
        .expect(200)
        .body;
    assert_eq!(hcm_after, hcm_before);
    rollups_match(&app);
    let left = lookup(&app, &admin.token, CITIZEN).await;
    let items = left["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        1,
        "Hồ Chí Minh's record keeps its link: {left}"
    );
    assert_eq!(items[0]["commune_code"], SAI_GON);
}

/// An assist `days` days ago, at 10:00 Vietnam time (today: now, which is never in the
/// future, whatever the hour the test runs at).
fn assist_days_ago(team: &str, citizen: &str, action: &str, days: i64) -> Value {
    let mut a = assist(team, citizen, action, "success");
    let day = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
        - chrono::Duration::days(days);
    a["occurred_at"] = if days == 0 {
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    } else {
        json!(format!("{day}T10:00:00+07:00"))
    };
    a
}

#[actix_web::test]
async fn links_past_retention_expire_and_every_count_stays() {
    let (app, f) = TestApp::init().with_field().await;
    let admin = app.admin().await;
    // The resident was helped 40 days ago and again today; another only 40 days ago.
    for body in [
        assist_days_ago(&f.team, CITIZEN, "install", 40),
        assist_days_ago(&f.team, CITIZEN, "activate_level2", 0),
        assist_days_ago(&f.team, OTHER, "install", 40),
    ] {
        app.post("/api/v1/vneid-assists", &f.member.token, body)
            .await
            .expect(201);
    }
    let mut old_signature = signature(&f.team, OTHER, "issued");
    old_signature["occurred_at"] =
        assist_days_ago(&f.team, OTHER, "install", 41)["occurred_at"].clone();
    app.post(
        "/api/v1/signature-registrations",
        &f.member.token,
        old_signature,
    )
    .await
    .expect(201);
    let before = figures(&app, &admin.token).await;
    assert_eq!(before[0]["metrics"]["unique_citizens_assisted"], 2);

    let expired = {
        let mut conn = app.pool.get().unwrap();
        let cutoff = gocua::privacy::retention::cutoff(30);
        let n = gocua::privacy::retention::purge(&mut conn, cutoff).unwrap();
        assert_eq!(
            gocua::privacy::retention::purge(&mut conn, cutoff).unwrap(),
            0
        );
        n
    };
    assert_eq!(expired, 3, "the three records older than 30 days");
    assert_eq!(figures(&app, &admin.token).await, before, "no count moved");
    rollups_match(&app);
    let left = lookup(&app, &admin.token, CITIZEN).await;
    let items = left["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only today's record keeps the link: {left}");
    assert_eq!(items[0]["action"], "activate_level2");
    assert_eq!(
        lookup(&app, &admin.token, OTHER).await,
        json!({"items": []})
    );

    // A new install is not a repeat of the expired one.
    let again = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist_days_ago(&f.team, OTHER, "install", 0),
        )
        .await
        .expect(201);
    assert!(again.body["duplicate_of"].is_null(), "{}", again.body);
    rollups_match(&app);

    // Erasing the resident reaches the expired record too, and still moves no count.
    let before = figures(&app, &admin.token).await;
    let erased = erase(&app, &f.province.token, CITIZEN, "Yêu cầu của công dân")
        .await
        .expect(200);
    assert_eq!(erased.body["erased_records"], 2);
    assert_eq!(figures(&app, &admin.token).await, before);
    rollups_match(&app);
}
