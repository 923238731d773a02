//! The household register: registering doors of the team's hamlets, offline changes merged
//! field by field with nothing lost, closing, the provinces' definition of a digital family,
//! visits naming households, and households in sync batches.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::util::{BA_DINH, Field, HANOI, NGOC_HA, Reply, TestApp, TestUser};
use crate::util::{hours_ago, visit};

/// A hamlet of `commune` made by an admin; returns its code.
pub async fn hamlet(app: &TestApp, commune: &str, name: &str) -> String {
    let admin = app.admin().await;
    app.post(
        &format!("/api/v1/units/{commune}/hamlets"),
        &admin.token,
        json!({"name": name, "kind": "to-dan-pho", "valid_from": "2026-01-01"}),
    )
    .await
    .expect(201)
    .body["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Gives a team these hamlets.
pub async fn assign(app: &TestApp, sup: &TestUser, team: &str, hamlets: &[&str]) {
    app.call(
        Method::PUT,
        &format!("/api/v1/teams/{team}/hamlets"),
        Some(&sup.token),
        Some(json!({"hamlet_codes": hamlets})),
    )
    .await
    .expect(200);
}

/// A registration body for `hamlet` with this label.
pub fn household(hamlet: &str, label: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "hamlet_code": hamlet,
        "label": label,
        "address": "Số 12 ngõ 3 phố Đội Cấn",
        "members": 4,
        "adults": 3,
        "criteria": {"smart_device": true, "internet": true, "vneid_all_adults": false},
        "observed_at": hours_ago(3)
    })
}

/// The field with a hamlet held by the team (Tổ 1) and another held by the other team.
async fn world() -> (TestApp, Field, String, String) {
    let (app, f) = TestApp::init().with_field().await;
    let ours = hamlet(&app, BA_DINH, "Tổ dân phố số 1").await;
    let theirs = hamlet(&app, BA_DINH, "Tổ dân phố số 2").await;
    assign(&app, &f.sup, &f.team, &[&ours]).await;
    assign(&app, &f.sup, &f.other_team, &[&theirs]).await;
    (app, f, ours, theirs)
}

async fn register(app: &TestApp, by: &TestUser, body: Value) -> Reply {
    app.post("/api/v1/households", &by.token, body).await
}

/// Registers a household of `hamlet` with this label; returns its id.
async fn registered(app: &TestApp, by: &TestUser, hamlet: &str, label: &str) -> String {
    id_of(
        &register(app, by, household(hamlet, label))
            .await
            .expect(201)
            .body,
    )
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_volunteer_registers_a_door_of_the_teams_hamlet() {
    let (app, f, ours, theirs) = world().await;
    let body = household(&ours, "KP1-23");
    let made = register(&app, &f.member, body.clone())
        .await
        .expect(201)
        .body;
    assert_eq!(made["hamlet_code"], ours.as_str());
    assert_eq!(made["commune_code"], BA_DINH);
    assert_eq!(made["label"], "KP1-23");
    assert_eq!(made["address"], "Số 12 ngõ 3 phố Đội Cấn");
    assert_eq!(made["version"], 1);
    assert_eq!(made["closed"], false);
    assert_eq!(made["needs_placement"], false);
    assert_eq!(made["digital_family"], false);
    assert_eq!(
        made["criteria"],
        json!({"smart_device": true, "internet": true, "vneid_all_adults": false,
               "online_public_services": null, "cashless_payment": null, "digital_skills": null,
               "digital_signature": null, "online_safety": null})
    );
    // A retry is answered with the household; other content under the id is a conflict.
    let again = register(&app, &f.member, body.clone())
        .await
        .expect(200)
        .body;
    assert_eq!(again["id"], made["id"]);
    let mut other = body.clone();
    other["members"] = json!(5);
    register(&app, &f.member, other).await.problem(409);
    // Another phone registering the same door, in other case, learns which household it is.
    let dup = register(&app, &f.lead, household(&ours, "kp1-23"))
        .await
        .problem(409);
    assert_eq!(dup["type"], "urn:gocua:problem:duplicate-label");
    assert_eq!(dup["duplicate_of"], made["id"]);
    assert_eq!(Reply::fields(&dup), ["label"]);
    // Hamlets the caller's teams do not hold: 403 in the commune, 404 beyond it.
    register(&app, &f.member, household(&theirs, "X-1"))
        .await
        .problem(403);
    let far = hamlet(&app, NGOC_HA, "Tổ 9").await;
    register(&app, &f.member, household(&far, "X-1"))
        .await
        .problem(404);
    // The commune's supervisor registers anywhere in the commune; nothing leaked elsewhere.
    register(&app, &f.sup, household(&theirs, "X-1"))
        .await
        .expect(201);
    let id = id_of(&made);
    app.get(&format!("/api/v1/households/{id}"), &f.outsider.token)
        .await
        .problem(404);
    app.get(&format!("/api/v1/households/{id}"), &f.neighbour.token)
        .await
        .problem(404);
    let read = app
        .get(&format!("/api/v1/households/{id}"), &f.province.token)
        .await
        .expect(200)
        .body;
    assert_eq!(read["address"], "Số 12 ngõ 3 phố Đội Cấn");
    let audit = app.audit().await;
    assert!(
        audit
            .iter()
            .any(|(action, object, _)| action == "household.create" && *object == id)
    );
}

#[actix_web::test]
async fn bad_households_are_refused_naming_each_field() {
    let (app, f, ours, _) = world().await;
    let mut body = household(&ours, "");
    body["members"] = json!(0);
    body["adults"] = json!(-1);
    body["address"] = json!("x".repeat(201));
    body["id"] = json!("not-a-uuid");
    let p = register(&app, &f.member, body).await.problem(422);
    let mut fields = Reply::fields(&p);
    fields.sort();
    assert_eq!(fields, ["address", "adults", "id", "label", "members"]);
    let mut body = household(&ours, "A");
    body["adults"] = json!(5);
    let p = register(&app, &f.member, body).await.problem(422);
    assert_eq!(Reply::fields(&p), ["adults"]);
    let mut body = household(&ours, "A");
    body["criteria"] = json!({"owns_a_tv": true});
    let p = register(&app, &f.member, body).await.problem(422);
    assert_eq!(Reply::fields(&p), ["criteria.owns_a_tv"]);
    let mut body = household(&ours, "A");
    body["members"] = json!(2.5);
    let p = register(&app, &f.member, body).await.problem(422);
    assert_eq!(Reply::fields(&p), ["members"]);
    let mut body = household(&ours, "A");
    body["members"] = json!(2.0);
    body["adults"] = json!(2e0);
    register(&app, &f.member, body).await.expect(201);
    let mut body = household(&ours, "B");
    body["label"] = json!("x".repeat(33));
    let p = register(&app, &f.member, body).await.problem(422);
    assert_eq!(Reply::fields(&p), ["label"]);
}

async fn change(app: &TestApp, by: &TestUser, id: &str, body: Value) -> Reply {
    app.patch(&format!("/api/v1/households/{id}"), &by.token, body)
        .await
}

#[actix_web::test]
async fn two_phones_offline_merge_field_by_field_and_nothing_is_lost() {
    let (app, f, ours, _) = world().await;
    let made = register(&app, &f.member, household(&ours, "KP1-1"))
        .await
        .expect(201)
        .body;
    let id = id_of(&made);
    // Phone A (seen 2 hours ago) and phone B (seen 1 hour ago) both start from version 1.
    let a = change(
        &app,
        &f.member,
        &id,
        json!({"base_version": 1, "observed_at": hours_ago(2), "members": 5, "criteria": {"internet": false}}),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(a["version"], 2);
    assert_eq!(a["merged"], false);
    assert_eq!(a["conflicts"], json!([]));
    let b = change(
        &app,
        &f.lead,
        &id,
        json!({"base_version": 1, "observed_at": hours_ago(1), "members": 6, "adults": 4, "criteria": {"cashless_payment": true}}),
    )
    .await
    .expect(200)
    .body;
    // Same field: B saw it later and wins; different fields: both kept.
    assert_eq!(b["version"], 3);
    assert_eq!(b["merged"], true);
    assert_eq!(b["conflicts"], json!(["members"]));
    assert_eq!(b["members"], 6);
    assert_eq!(b["adults"], 4);
    assert_eq!(b["criteria"]["internet"], false);
    assert_eq!(b["criteria"]["cashless_payment"], true);
    // A phone that saw it earlier than the stored change loses the field, keeps the others.
    let c = change(
        &app,
        &f.member,
        &id,
        json!({"base_version": 2, "observed_at": hours_ago(5), "members": 7, "criteria": {"online_safety": true}}),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(c["members"], 6);
    assert_eq!(c["criteria"]["online_safety"], true);
    assert_eq!(c["conflicts"], json!(["members"]));
    // Nothing is lost: every value sent is in the history, oldest first.
    let history = app
        .get(&format!("/api/v1/households/{id}/history"), &f.sup.token)
        .await
        .expect(200)
        .body;
    let items = history["items"].as_array().unwrap();
    let versions: Vec<i64> = items
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    assert_eq!(items[0]["changes"]["members"], json!([null, 4]));
    assert_eq!(items[1]["changes"]["members"], json!([4, 5]));
    assert_eq!(
        items[1]["changes"]["criteria.internet"],
        json!([true, false])
    );
    assert_eq!(items[2]["changes"]["members"], json!([5, 6]));
    assert_eq!(items[2]["changed_by"], f.lead.id.as_str());
    assert_eq!(
        items[3]["changes"],
        json!({"criteria.online_safety": [null, true]})
    );
    // A change that changes nothing stores nothing; a version from the future is refused.
    let same = change(
        &app,
        &f.member,
        &id,
        json!({"base_version": 4, "members": 6}),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(same["version"], 4);
    let p = change(
        &app,
        &f.member,
        &id,
        json!({"base_version": 9, "members": 2}),
    )
    .await
    .problem(422);
    assert_eq!(Reply::fields(&p), ["base_version"]);
    let p = change(
        &app,
        &f.member,
        &id,
        json!({"base_version": 4, "adults": 9}),
    )
    .await
    .problem(422);
    assert_eq!(Reply::fields(&p), ["adults"]);
    change(
        &app,
        &f.outsider,
        &id,
        json!({"base_version": 4, "members": 2}),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn a_closed_household_counts_nowhere_stays_readable_and_cannot_change() {
    let (app, f, ours, _) = world().await;
    let keep = registered(&app, &f.member, &ours, "A-1").await;
    let twice = registered(&app, &f.member, &ours, "A-2").await;
    let close = |id: &str| format!("/api/v1/households/{id}/close");
    let p = app
        .post(
            &close(&twice),
            &f.member.token,
            json!({"reason": "duplicate"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["duplicate_of"]);
    let p = app
        .post(
            &close(&twice),
            &f.member.token,
            json!({"reason": "moved_away", "duplicate_of": keep}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["duplicate_of"]);
    app.post(&close(&twice), &f.member.token, json!({"reason": "sold"}))
        .await
        .problem(422);
    let closed = app
        .post(
            &close(&twice),
            &f.member.token,
            json!({"reason": "duplicate", "duplicate_of": keep}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["closed_reason"], "duplicate");
    assert_eq!(closed["duplicate_of"], keep.as_str());
    app.post(
        &close(&twice),
        &f.member.token,
        json!({"reason": "demolished"}),
    )
    .await
    .problem(409);
    change(
        &app,
        &f.member,
        &twice,
        json!({"base_version": 2, "members": 2}),
    )
    .await
    .problem(409);
    app.get(&format!("/api/v1/households/{twice}"), &f.member.token)
        .await
        .expect(200);
    let open = app
        .get(
            &format!("/api/v1/households?hamlet={ours}"),
            &f.member.token,
        )
        .await
        .expect(200)
        .body;
    let ids: Vec<&str> = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [keep.as_str()]);
    let shut = app
        .get(
            &format!("/api/v1/households?hamlet={ours}&closed=true"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(shut["items"][0]["id"], twice.as_str());
    // The label is free again once its household is closed.
    register(&app, &f.member, household(&ours, "A-2"))
        .await
        .expect(201);
}

#[actix_web::test]
async fn the_list_filters_and_pages_within_the_callers_share() {
    let (app, f, ours, theirs) = world().await;
    for n in 0..5 {
        let mut body = household(&ours, &format!("KP-{n}"));
        if n < 2 {
            body["criteria"] = json!({"smart_device": true, "internet": true, "vneid_all_adults": true, "online_public_services": true, "cashless_payment": true});
        }
        register(&app, &f.member, body).await.expect(201);
    }
    register(&app, &f.outsider, household(&theirs, "KP-9"))
        .await
        .expect(201);
    let list = |who: &TestUser, q: &str| {
        let path = format!("/api/v1/households?{q}");
        let token = who.token.clone();
        let app = &app;
        async move { app.get(&path, &token).await.expect(200).body }
    };
    let labels = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["label"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        labels(&list(&f.member, "").await),
        ["KP-0", "KP-1", "KP-2", "KP-3", "KP-4"]
    );
    assert_eq!(labels(&list(&f.outsider, "").await), ["KP-9"]);
    assert_eq!(labels(&list(&f.sup, "").await).len(), 6);
    assert_eq!(
        labels(&list(&f.sup, "digital_family=true").await),
        ["KP-0", "KP-1"]
    );
    assert_eq!(
        labels(&list(&f.member, "digital_family=false").await),
        ["KP-2", "KP-3", "KP-4"]
    );
    assert_eq!(
        labels(&list(&f.sup, &format!("team={}", f.other_team)).await),
        ["KP-9"]
    );
    assert_eq!(labels(&list(&f.sup, "q=kp-3").await), ["KP-3"]);
    let first = list(&f.member, "limit=2").await;
    assert_eq!(labels(&first), ["KP-0", "KP-1"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    assert_eq!(
        labels(&list(&f.member, &format!("limit=2&cursor={cursor}")).await),
        ["KP-2", "KP-3"]
    );
    app.get(
        &format!("/api/v1/households?hamlet={theirs}"),
        &f.member.token,
    )
    .await
    .problem(404);
    app.get(
        &format!("/api/v1/households?team={}", f.team),
        &f.neighbour.token,
    )
    .await
    .problem(404);
    app.get("/api/v1/households?limit=0", &f.member.token)
        .await
        .problem(422);
    // A visit since yesterday takes a household off the "not visited" list.
    let visited = list(&f.member, "q=kp-0").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut v = visit(&f.team);
    v["household_id"] = json!(visited);
    app.post("/api/v1/visits", &f.member.token, v)
        .await
        .expect(201);
    let day = crate::util::local_day(1);
    assert_eq!(
        labels(&list(&f.member, &format!("not_visited_since={day}")).await),
        ["KP-1", "KP-2", "KP-3", "KP-4"]
    );
}

#[actix_web::test]
async fn the_provinces_definition_decides_at_once() {
    let (app, f, ours, _) = world().await;
    let mut body = household(&ours, "D-1");
    body["criteria"] = json!({"smart_device": true, "internet": true, "vneid_all_adults": true, "online_public_services": true, "cashless_payment": true});
    let id = id_of(&register(&app, &f.member, body).await.expect(201).body);
    let path = format!("/api/v1/units/{HANOI}/digital-family");
    let standard = app.get(&path, &f.member.token).await.expect(200).body;
    assert_eq!(
        standard,
        json!({"criteria": ["smart_device", "internet", "vneid_all_adults", "online_public_services", "cashless_payment"], "residential_area_share": 80})
    );
    let flag = format!("/api/v1/households/{id}");
    let read = |body: Value| body["digital_family"].clone();
    assert_eq!(
        read(app.get(&flag, &f.member.token).await.expect(200).body),
        true
    );
    let stricter =
        json!({"criteria": ["digital_skills", "smart_device"], "residential_area_share": 70});
    app.call(
        Method::PUT,
        &path,
        Some(&f.sup.token),
        Some(stricter.clone()),
    )
    .await
    .problem(403);
    app.call(
        Method::PUT,
        &path,
        Some(&f.far_province.token),
        Some(stricter.clone()),
    )
    .await
    .problem(404);
    let p = app
        .call(
            Method::PUT,
            &path,
            Some(&f.province.token),
            Some(json!({"criteria": ["owns_a_tv"], "residential_area_share": 0})),
        )
        .await
        .problem(422);
    assert!(
        Reply::fields(&p).contains(&"criteria[0]".to_owned())
            || Reply::fields(&p).contains(&"criteria".to_owned()),
        "{p}"
    );
    let p = app
        .call(
            Method::PUT,
            &path,
            Some(&f.province.token),
            Some(json!({"criteria": [], "residential_area_share": 101})),
        )
        .await
        .problem(422);
    let mut fields = Reply::fields(&p);
    fields.sort();
    assert_eq!(fields, ["criteria", "residential_area_share"]);
    let set = app
        .call(Method::PUT, &path, Some(&f.province.token), Some(stricter))
        .await
        .expect(200)
        .body;
    assert_eq!(set["criteria"], json!(["smart_device", "digital_skills"]));
    assert_eq!(
        read(app.get(&flag, &f.member.token).await.expect(200).body),
        false
    );
    let p = app
        .get(
            &format!("/api/v1/units/{BA_DINH}/digital-family"),
            &f.sup.token,
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["province_code"]);
}

#[actix_web::test]
async fn visits_name_households_and_a_later_visit_closes_the_follow_up() {
    let (app, f, ours, _) = world().await;
    let id = registered(&app, &f.member, &ours, "F-1").await;
    let mut first = visit(&f.team);
    first["household_id"] = json!(id);
    first["household_ref"] = Value::Null;
    first["outcome"] = json!("follow_up");
    first["people_guided"] = json!(0);
    first["occurred_at"] = json!(hours_ago(5));
    let stored = app
        .post("/api/v1/visits", &f.member.token, first)
        .await
        .expect(201)
        .body;
    assert_eq!(stored["household_id"], id.as_str());
    let open = app
        .get(
            &format!("/api/v1/follow-ups?team={}", f.team),
            &f.member.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let mut later = visit(&f.team);
    later["household_id"] = json!(id);
    later["household_ref"] = Value::Null;
    app.post("/api/v1/visits", &f.member.token, later)
        .await
        .expect(201);
    let open = app
        .get(
            &format!("/api/v1/follow-ups?team={}", f.team),
            &f.member.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(open["items"], json!([]));
    let mut bad = visit(&f.team);
    bad["household_id"] = json!(uuid::Uuid::new_v4().to_string());
    let p = app
        .post("/api/v1/visits", &f.member.token, bad)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["household_id"]);
    let mut bad = visit(&f.team);
    bad["household_id"] = json!("KP1-23");
    let p = app
        .post("/api/v1/visits", &f.member.token, bad)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["household_id"]);
}

#[actix_web::test]
async fn a_sync_batch_stores_households_before_the_visits_naming_them() {
    let (app, f, ours, theirs) = world().await;
    let existing = register(&app, &f.member, household(&ours, "S-0"))
        .await
        .expect(201)
        .body;
    let old = id_of(&existing);
    let fresh = household(&ours, "S-1");
    let fresh_id = id_of(&fresh);
    let mut v = visit(&f.team);
    v["household_id"] = json!(fresh_id);
    let batch = json!({
        "visits": [v],
        "households": [
            fresh,
            household(&ours, "s-0"),
            household(&theirs, "S-2"),
            {"id": old, "base_version": 1, "members": 2, "adults": 2},
            {"id": old, "base_version": 1, "observed_at": hours_ago(9), "members": 3},
            {"label": "no id"}
        ]
    });
    let results = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200)
        .body["results"]
        .clone();
    let statuses: Vec<(&str, &str)> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("household", "created"),
            ("household", "duplicate"),
            ("household", "invalid"),
            ("household", "updated"),
            ("household", "merged"),
            ("household", "invalid"),
            ("visit", "created"),
        ]
    );
    assert_eq!(results[1]["duplicate_of"], old.as_str());
    assert_eq!(results[2]["errors"][0]["code"], "hamlet_not_held");
    assert_eq!(results[4]["conflicts"], json!(["members"]));
    let now = app
        .get(&format!("/api/v1/households/{old}"), &f.member.token)
        .await
        .expect(200)
        .body;
    assert_eq!(now["members"], 2);
    // The same batch again creates nothing.
    let again = app
        .post("/api/v1/sync", &f.member.token, batch)
        .await
        .expect(200)
        .body["results"]
        .clone();
    assert_eq!(again[0]["status"], "unchanged");
    assert_eq!(again[6]["status"], "unchanged");
}

#[actix_web::test]
async fn erasure_forgets_the_address_and_label_and_every_count_stays() {
    let (app, f, ours, _) = world().await;
    let mut body = household(&ours, "E-1");
    body["criteria"] = json!({"smart_device": true, "internet": true, "vneid_all_adults": true, "online_public_services": true, "cashless_payment": true});
    let id = id_of(&register(&app, &f.member, body).await.expect(201).body);
    change(
        &app,
        &f.member,
        &id,
        json!({"base_version": 1, "address": "Số 14 ngõ 3", "label": "E-2"}),
    )
    .await
    .expect(200);
    let before = app
        .get(
            &format!("/api/v1/stats/households?unit={BA_DINH}"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    let erase = json!({"household_id": id, "reason": "Yêu cầu của chủ hộ, phiếu số 3"});
    app.post(
        "/api/v1/privacy/erase-household",
        &f.sup.token,
        erase.clone(),
    )
    .await
    .problem(403);
    app.post(
        "/api/v1/privacy/erase-household",
        &f.far_province.token,
        erase.clone(),
    )
    .await
    .problem(404);
    let p = app
        .post(
            "/api/v1/privacy/erase-household",
            &f.province.token,
            json!({"household_id": id, "reason": " "}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&p), ["reason"]);
    let erased = app
        .post("/api/v1/privacy/erase-household", &f.province.token, erase)
        .await
        .expect(200)
        .body;
    assert_eq!(erased["address"], Value::Null);
    assert_ne!(erased["label"], "E-2");
    let history = app
        .get(
            &format!("/api/v1/households/{id}/history"),
            &f.province.token,
        )
        .await
        .expect(200)
        .body
        .to_string();
    assert!(!history.contains("Đội Cấn") && !history.contains("Số 14") && !history.contains("E-2"));
    let after = app
        .get(
            &format!("/api/v1/stats/households?unit={BA_DINH}"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(before["rows"], after["rows"]);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|(action, object, _)| action == "household.erase" && *object == id)
    );
}

#[actix_web::test]
async fn retention_clears_the_addresses_of_households_closed_long_ago() {
    let (app, f, ours, _) = world().await;
    let open = registered(&app, &f.member, &ours, "R-1").await;
    let closed = registered(&app, &f.member, &ours, "R-2").await;
    app.post(
        &format!("/api/v1/households/{closed}/close"),
        &f.member.token,
        json!({"reason": "moved_away"}),
    )
    .await
    .expect(200);
    let pool = app.pool.clone();
    let cutoff = chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(1);
    let n = actix_web::web::block(move || {
        gocua::households::erase::expire_addresses(&mut pool.get().unwrap(), cutoff)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(n, 1);
    let read = |id: String| {
        let app = &app;
        let token = f.sup.token.clone();
        async move {
            app.get(&format!("/api/v1/households/{id}"), &token)
                .await
                .expect(200)
                .body
        }
    };
    assert_eq!(read(closed.clone()).await["address"], Value::Null);
    assert_eq!(read(open).await["address"], "Số 12 ngõ 3 phố Đội Cấn");
    let history = app
        .get(
            &format!("/api/v1/households/{closed}/history"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body
        .to_string();
    assert!(!history.contains("Đội Cấn"));
}
