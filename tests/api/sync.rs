//! `POST /api/v1/sync`, `GET /api/v1/sync/state` and `GET /api/v1/meta`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::util::{CITIZEN, assist, signature, visit};
use crate::util::{Reply, TestApp};

fn statuses(reply: &Reply) -> Vec<(String, String)> {
    reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect()
}

/// How many records of `path` the caller reads (one page of up to 500).
pub async fn count(app: &TestApp, token: &str, path: &str) -> usize {
    app.get(&format!("{path}?limit=500"), token)
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .len()
}

#[actix_web::test]
async fn a_mixed_batch_answers_each_record_in_order() {
    let (app, f) = TestApp::init().with_field().await;
    let good_visit = visit(&f.team);
    let mut bad_visit = visit(&f.team);
    bad_visit["people_guided"] = json!(99);
    bad_visit["outcome"] = json!("maybe");
    let mut linked = assist(&f.team, CITIZEN, "install", "success");
    linked["visit_id"] = good_visit["id"].clone();
    let foreign = assist(&f.other_team, CITIZEN, "install", "success");
    let hidden = assist(&f.neighbour_team, CITIZEN, "install", "success");
    let sig = signature(&f.team, CITIZEN, "submitted");
    let batch = json!({
        "visits": [good_visit, bad_visit, "not an object"],
        "vneid_assists": [linked, foreign, hidden],
        "signature_registrations": [sig]
    });
    let reply = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    assert!(!reply.body.to_string().contains(CITIZEN));
    assert_eq!(
        statuses(&reply),
        pairs(&[
            ("visit", "created"),
            ("visit", "invalid"),
            ("visit", "invalid"),
            ("vneid_assist", "created"),
            ("vneid_assist", "invalid"),
            ("vneid_assist", "invalid"),
            ("signature_registration", "created"),
        ])
    );
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0]["id"], batch["visits"][0]["id"]);
    assert_eq!(results[1]["id"], batch["visits"][1]["id"]);
    assert_eq!(Reply::fields(&results[1]), vec!["outcome", "people_guided"]);
    assert!(results[2]["id"].is_null());
    // A volunteer cannot see other teams, even of their own commune.
    assert_eq!(results[4]["errors"][0]["code"], "unknown_team");
    assert_eq!(results[5]["errors"][0]["code"], "unknown_team");
    assert!(results[0]["errors"].as_array().unwrap().is_empty());
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 1);
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/vneid-assists").await,
        1
    );
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/signature-registrations").await,
        1
    );
    let stored = app
        .get(
            &format!(
                "/api/v1/vneid-assists/{}",
                batch["vneid_assists"][0]["id"].as_str().unwrap()
            ),
            &f.member.token,
        )
        .await
        .expect(200);
    assert_eq!(stored.body["visit_id"], batch["visits"][0]["id"]);
    // The retry creates nothing twice.
    let again = app
        .post("/api/v1/sync", &f.member.token, batch)
        .await
        .expect(200);
    assert_eq!(
        statuses(&again),
        pairs(&[
            ("visit", "unchanged"),
            ("visit", "invalid"),
            ("visit", "invalid"),
            ("vneid_assist", "unchanged"),
            ("vneid_assist", "invalid"),
            ("vneid_assist", "invalid"),
            ("signature_registration", "unchanged"),
        ])
    );
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 1);
    let actions = app
        .audit()
        .await
        .into_iter()
        .filter(|(a, _, _)| a == "record.create")
        .count();
    assert_eq!(actions, 3, "one audit entry per created record");
}

#[actix_web::test]
async fn a_retry_after_a_supervisors_change_is_a_conflict() {
    let (app, f) = TestApp::init().with_field().await;
    let batch = json!({"visits": [visit(&f.team), visit(&f.team)]});
    app.post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    let id = batch["visits"][0]["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/visits/{id}"),
        &f.sup.token,
        json!({"note": "Đã sửa"}),
    )
    .await
    .expect(200);
    let again = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    assert_eq!(
        statuses(&again),
        pairs(&[("visit", "conflict"), ("visit", "unchanged")])
    );
    let stored = app
        .get(&format!("/api/v1/visits/{id}"), &f.member.token)
        .await
        .expect(200);
    assert_eq!(stored.body["note"], "Đã sửa", "a conflict never overwrites");
}

#[actix_web::test]
async fn batches_are_limited_to_1000_records() {
    let (app, f) = TestApp::init().with_field().await;
    let visits: Vec<Value> = (0..600).map(|_| visit(&f.team)).collect();
    let assists: Vec<Value> = (0..401)
        .map(|_| assist(&f.team, CITIZEN, "install", "pending"))
        .collect();
    let problem = app
        .post(
            "/api/v1/sync",
            &f.member.token,
            json!({"visits": visits, "vneid_assists": assists}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["batch"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1,000"),
        "{problem}"
    );
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/visits").await,
        0,
        "nothing stored"
    );
    let full: Vec<Value> = (0..1000).map(|_| visit(&f.team)).collect();
    let reply = app
        .post("/api/v1/sync", &f.member.token, json!({"visits": full}))
        .await
        .expect(200);
    assert!(statuses(&reply).iter().all(|(_, s)| s == "created"));
    assert_eq!(reply.body["results"].as_array().unwrap().len(), 1000);
}

#[actix_web::test]
async fn concurrent_identical_batches_store_each_record_once() {
    let (app, f) = TestApp::init().with_field().await;
    let visits: Vec<Value> = (0..50).map(|_| visit(&f.team)).collect();
    let assists: Vec<Value> = (0..50)
        .map(|i| assist(&f.team, &format!("0011850{i:05}"), "install", "pending"))
        .collect();
    let batch = json!({"visits": visits, "vneid_assists": assists});
    let (a, b) = futures_util::future::join(
        app.post("/api/v1/sync", &f.member.token, batch.clone()),
        app.post("/api/v1/sync", &f.member.token, batch.clone()),
    )
    .await;
    let (a, b) = (a.expect(200), b.expect(200));
    for (x, y) in statuses(&a).iter().zip(statuses(&b)) {
        let mut both = vec![x.1.clone(), y.1.clone()];
        both.sort();
        assert_eq!(both, vec!["created", "unchanged"]);
    }
    assert_eq!(count(&app, &f.member.token, "/api/v1/visits").await, 50);
    assert_eq!(
        count(&app, &f.member.token, "/api/v1/vneid-assists").await,
        50
    );
}

async fn review_of(app: &TestApp, token: &str, path: &str, id: &Value) -> (Value, Value) {
    let body = app
        .get(&format!("{path}/{}", id.as_str().unwrap()), token)
        .await
        .expect(200)
        .body;
    (body["review_status"].clone(), body["duplicate_of"].clone())
}

#[actix_web::test]
async fn a_repeat_within_a_batch_is_flagged_against_the_earlier_record() {
    let (app, f) = TestApp::init().with_field().await;
    let first = assist(&f.team, CITIZEN, "install", "success");
    let repeat = assist(&f.team, CITIZEN, "install", "success");
    let other_action = assist(&f.team, CITIZEN, "activate_level2", "success");
    let issued = signature(&f.team, CITIZEN, "issued");
    let issued_again = signature(&f.team, CITIZEN, "issued");
    let batch = json!({
        "vneid_assists": [first, repeat, other_action],
        "signature_registrations": [issued, issued_again]
    });
    let reply = app
        .post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    assert!(statuses(&reply).iter().all(|(_, s)| s == "created"));
    let (assists, signatures) = ("/api/v1/vneid-assists", "/api/v1/signature-registrations");
    let token = &f.member.token;
    let a = &batch["vneid_assists"];
    let s = &batch["signature_registrations"];
    assert_eq!(
        review_of(&app, token, assists, &a[0]["id"]).await,
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        review_of(&app, token, assists, &a[1]["id"]).await,
        (json!("flagged"), a[0]["id"].clone())
    );
    assert_eq!(
        review_of(&app, token, assists, &a[2]["id"]).await,
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        review_of(&app, token, signatures, &s[0]["id"]).await,
        (json!("pending"), Value::Null)
    );
    assert_eq!(
        review_of(&app, token, signatures, &s[1]["id"]).await,
        (json!("flagged"), s[0]["id"].clone())
    );
    // A later batch repeats the original, not the record already flagged.
    let later = assist(&f.team, CITIZEN, "install", "success");
    let reply = app
        .post(
            "/api/v1/sync",
            token,
            json!({"vneid_assists": [later.clone()]}),
        )
        .await
        .expect(200);
    assert_eq!(reply.body["results"][0]["status"], "created");
    assert_eq!(
        review_of(&app, token, assists, &later["id"]).await,
        (json!("flagged"), a[0]["id"].clone())
    );
}

#[actix_web::test]
async fn the_same_id_twice_in_one_batch() {
    let (app, f) = TestApp::init().with_field().await;
    let one = visit(&f.team);
    let mut changed = one.clone();
    changed["note"] = json!("khác");
    let reply = app
        .post(
            "/api/v1/sync",
            &f.member.token,
            json!({"visits": [one, one.clone(), changed]}),
        )
        .await
        .expect(200);
    assert_eq!(
        statuses(&reply),
        pairs(&[
            ("visit", "created"),
            ("visit", "unchanged"),
            ("visit", "conflict")
        ])
    );
}

#[actix_web::test]
async fn sync_input_errors() {
    let (app, f) = TestApp::init().with_field().await;
    app.call(
        Method::POST,
        "/api/v1/sync",
        None,
        Some(json!({"visits": []})),
    )
    .await
    .problem(401);
    let problem = app
        .post("/api/v1/sync", &f.member.token, json!({"visit": []}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["visit"]);
    app.post("/api/v1/sync", &f.member.token, json!({"visits": {}}))
        .await
        .problem(422);
    let empty = app
        .post("/api/v1/sync", &f.member.token, json!({}))
        .await
        .expect(200);
    assert!(empty.body["results"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn state_returns_teams_and_review_changes() {
    let (app, f) = TestApp::init().with_field().await;
    let batch = json!({"visits": [visit(&f.team), visit(&f.team)]});
    app.post("/api/v1/sync", &f.member.token, batch.clone())
        .await
        .expect(200);
    let first = app
        .get("/api/v1/sync/state", &f.member.token)
        .await
        .expect(200);
    assert_eq!(first.body["teams"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["teams"][0]["id"], f.team.as_str());
    assert_eq!(
        first.body["teams"][0]["members"].as_array().unwrap().len(),
        2
    );
    assert!(
        first.body["record_changes"].as_array().unwrap().is_empty(),
        "nothing reviewed yet"
    );
    let cursor = first.body["cursor"].as_str().unwrap().to_owned();
    let id = batch["visits"][0]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/visits/{id}/review"),
        &f.lead.token,
        json!({"status": "rejected", "note": "Sai hộ"}),
    )
    .await
    .expect(200);
    let next = app
        .get(
            &format!("/api/v1/sync/state?since={cursor}"),
            &f.member.token,
        )
        .await
        .expect(200);
    let changes = next.body["record_changes"].as_array().unwrap();
    let change = changes
        .iter()
        .find(|c| c["id"] == id)
        .expect("the review is reported");
    assert_eq!(change["review_status"], "rejected");
    assert_eq!(change["review_note"], "Sai hộ");
    assert_eq!(change["kind"], "visit");
    let other = app
        .get("/api/v1/sync/state", &f.outsider.token)
        .await
        .expect(200);
    assert!(other.body["record_changes"].as_array().unwrap().is_empty());
    assert_eq!(other.body["teams"][0]["id"], f.other_team.as_str());
    app.get("/api/v1/sync/state?since=garbage!", &f.member.token)
        .await
        .problem(400);
    app.call(Method::GET, "/api/v1/sync/state", None, None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn meta_tells_version_limits_and_time() {
    let app = TestApp::init().empty().await;
    let meta = app
        .call(Method::GET, "/api/v1/meta", None, None)
        .await
        .expect(200);
    assert_eq!(meta.body["service"], "gocua");
    assert_eq!(meta.body["api_version"], "v1");
    assert_eq!(meta.body["server_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta.body["limits"]["sync_batch_max"], 1000);
    assert_eq!(meta.body["limits"]["late_sync_days"], 60);
    assert_eq!(meta.body["limits"]["max_body_bytes"], 2 * 1024 * 1024);
    let server =
        chrono::DateTime::parse_from_rfc3339(meta.body["server_time"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - server.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 5
    );
}

/// Follows `cursor` from `since` while `has_more`, as a phone does; the changes received, in
/// order, and the last cursor.
async fn pull(app: &TestApp, token: &str, since: Option<String>) -> (Vec<Value>, String) {
    let mut changes = Vec::new();
    let mut cursor = since;
    for _ in 0..20 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/sync/state?since={c}"),
            None => "/api/v1/sync/state".to_owned(),
        };
        let page = app.get(&path, token).await.expect(200);
        let items = page.body["record_changes"].as_array().unwrap();
        assert!(items.len() <= 500, "a page holds at most 500 changes");
        changes.extend(items.iter().cloned());
        cursor = Some(page.body["cursor"].as_str().unwrap().to_owned());
        if page.body["has_more"] == false {
            return (changes, cursor.unwrap());
        }
    }
    panic!("the pull never ended");
}

/// A supervisor's (or lead's) action on a record: `action` is `review` or `void`.
async fn act(app: &TestApp, token: &str, path: &str, action: &str, body: Value) {
    app.post(&format!("/api/v1/{path}/{action}"), token, body)
        .await
        .expect(200);
}

fn ids(changes: &[Value]) -> Vec<String> {
    changes
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_pull_after_1500_synced_records_delivers_exactly_the_changes_and_ends() {
    let (app, f) = TestApp::init().with_field().await;
    let mut sent = Vec::new();
    for size in [1000, 500] {
        let visits: Vec<Value> = (0..size).map(|_| visit(&f.team)).collect();
        sent.extend(visits.iter().map(|v| v["id"].as_str().unwrap().to_owned()));
        let reply = app
            .post("/api/v1/sync", &f.member.token, json!({"visits": visits}))
            .await
            .expect(200);
        assert!(
            reply.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "created")
        );
    }
    let (none, start) = pull(&app, &f.member.token, None).await;
    assert!(none.is_empty(), "records nobody touched are not changes");
    let (approved, rejected, voided) = (&sent[10], &sent[1200], &sent[1499]);
    act(
        &app,
        &f.sup.token,
        &format!("visits/{approved}"),
        "review",
        json!({"status": "approved"}),
    )
    .await;
    act(
        &app,
        &f.sup.token,
        &format!("visits/{rejected}"),
        "review",
        json!({"status": "rejected", "note": "Trùng hộ đã thăm"}),
    )
    .await;
    act(
        &app,
        &f.sup.token,
        &format!("visits/{voided}"),
        "void",
        json!({"reason": "Nhập nhầm"}),
    )
    .await;
    for since in [None, Some(start)] {
        let (changes, _) = pull(&app, &f.member.token, since).await;
        assert_eq!(
            ids(&changes),
            vec![approved.clone(), rejected.clone(), voided.clone()],
            "exactly the three changes, oldest first"
        );
        assert_eq!(changes[0]["review_status"], "approved");
        assert_eq!(changes[1]["review_status"], "rejected");
        assert_eq!(changes[1]["review_note"], "Trùng hộ đã thăm");
        assert_eq!(changes[1]["record"]["review_status"], "rejected");
        assert_eq!(changes[2]["voided"], true);
        assert_eq!(changes[2]["record"]["void_reason"], "Nhập nhầm");
    }
}

#[actix_web::test]
async fn changes_made_while_a_phone_pages_arrive() {
    let (app, f) = TestApp::init().with_field().await;
    // 600 successful installs for one citizen: 599 are flagged as duplicates at create,
    // each a change the phone must pull, so the pull takes two pages.
    let assists: Vec<Value> = (0..600)
        .map(|_| assist(&f.team, CITIZEN, "install", "success"))
        .collect();
    let first_id = assists[0]["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/sync",
        &f.member.token,
        json!({"vneid_assists": assists}),
    )
    .await
    .expect(200);
    let page = app
        .get("/api/v1/sync/state", &f.member.token)
        .await
        .expect(200);
    assert_eq!(page.body["has_more"], true);
    let seen = ids(page.body["record_changes"].as_array().unwrap());
    assert_eq!(seen.len(), 500);
    assert!(!seen.contains(&first_id), "the original was not flagged");
    // Between two pages, a supervisor approves the original and rejects a flagged record
    // the phone has already received.
    let again = seen[3].clone();
    act(
        &app,
        &f.sup.token,
        &format!("vneid-assists/{first_id}"),
        "review",
        json!({"status": "approved"}),
    )
    .await;
    act(
        &app,
        &f.sup.token,
        &format!("vneid-assists/{again}"),
        "review",
        json!({"status": "rejected", "note": "Trùng"}),
    )
    .await;
    let cursor = page.body["cursor"].as_str().unwrap().to_owned();
    let (rest, _) = pull(&app, &f.member.token, Some(cursor)).await;
    let rest_ids = ids(&rest);
    assert_eq!(rest.len(), 99 + 2, "the other flags, then both reviews");
    assert_eq!(rest_ids[99..], [first_id.clone(), again.clone()]);
    assert_eq!(rest[100]["review_status"], "rejected");
    let mut all: Vec<String> = seen.into_iter().chain(rest_ids).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 600, "every record's change arrived");
}

/// A change stamped before a phone's page but committed after it must still arrive: on
/// PostgreSQL a transaction holds its change open while a later one commits and the phone
/// pulls; on SQLite, which has one writer, it is held open while the phone pulls.
#[actix_web::test]
async fn a_change_that_commits_late_is_not_skipped() {
    use diesel::connection::SimpleConnection;
    let (app, f) = TestApp::init().with_field().await;
    let (early, late) = (visit(&f.team), visit(&f.team));
    let early_id = early["id"].as_str().unwrap().to_owned();
    let late_id = late["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/sync",
        &f.member.token,
        json!({"visits": [early, late]}),
    )
    .await
    .expect(200);
    let (_, cursor) = pull(&app, &f.member.token, None).await;
    let mut held = app.pool.get().unwrap();
    let on_postgres = matches!(&*held as &gocua::db::DbConn, gocua::db::DbConn::Postgres(_));
    held.batch_execute("BEGIN").unwrap();
    let stamp = gocua::db::change_stamp(&mut held).unwrap();
    let seen = gocua::records::queries::find(&mut held, &early_id)
        .unwrap()
        .unwrap()
        .updated_at;
    let at = gocua::clock::now();
    assert!(
        gocua::records::queries::review(
            &mut held, &early_id, seen, "approved", &f.sup.id, None, at, stamp
        )
        .unwrap()
    );
    if on_postgres {
        app.post(
            &format!("/api/v1/visits/{late_id}/review"),
            &f.sup.token,
            json!({"status": "approved"}),
        )
        .await
        .expect(200);
    }
    let during = app
        .get(
            &format!("/api/v1/sync/state?since={cursor}"),
            &f.member.token,
        )
        .await
        .expect(200);
    assert_eq!(
        during.body["record_changes"],
        json!([]),
        "nothing is delivered past a change still open"
    );
    // PostgreSQL holds the committed later change back and says to ask again.
    assert_eq!(during.body["has_more"], on_postgres);
    let cursor = during.body["cursor"].as_str().unwrap().to_owned();
    held.batch_execute("COMMIT").unwrap();
    drop(held);
    if !on_postgres {
        app.post(
            &format!("/api/v1/visits/{late_id}/review"),
            &f.sup.token,
            json!({"status": "approved"}),
        )
        .await
        .expect(200);
    }
    let (after, _) = pull(&app, &f.member.token, Some(cursor)).await;
    let mut got = ids(&after);
    got.sort();
    let mut want = vec![early_id, late_id];
    want.sort();
    assert_eq!(got, want, "both changes arrive after the commit");
}
