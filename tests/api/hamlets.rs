//! Hamlets and residential groups: codes given by the server, names unique per commune,
//! rearrangements (merges and splits) with lineage, records and teams naming hamlets, and
//! the commune's figures per hamlet on today's map and as recorded.

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, NGOC_HA, Reply, TestApp, TestUser};
use crate::util::{CITIZEN, assist, hours_ago, local_day, visit};

async fn add(app: &TestApp, by: &TestUser, commune: &str, body: Value) -> Reply {
    app.post(&format!("/api/v1/units/{commune}/hamlets"), &by.token, body)
        .await
}

/// A hamlet of Ba Đình that began on 1 January 2026; returns its code.
async fn hamlet(app: &TestApp, by: &TestUser, name: &str) -> String {
    let body = json!({"name": name, "kind": "to-dan-pho", "valid_from": "2026-01-01"});
    let made = add(app, by, BA_DINH, body).await.expect(201).body;
    made["code"].as_str().unwrap().to_owned()
}

async fn rearrange(app: &TestApp, by: &TestUser, commune: &str, body: Value) -> Reply {
    app.post(
        &format!("/api/v1/units/{commune}/rearrangements"),
        &by.token,
        body,
    )
    .await
}

/// A hamlet of Ngọc Hà, the neighbouring ward, made by an admin.
async fn foreign_hamlet(app: &TestApp) -> String {
    let admin = app.admin().await;
    let made = add(
        app,
        &admin,
        NGOC_HA,
        json!({"name": "Tổ 1", "kind": "thon"}),
    )
    .await
    .expect(201);
    made.body["code"].as_str().unwrap().to_owned()
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_commune_supervisor_adds_lists_and_renames_hamlets() {
    let (app, f) = TestApp::init().with_field().await;
    let first = add(
        &app,
        &f.sup,
        BA_DINH,
        json!({"name": "Tổ dân phố số 1", "kind": "to-dan-pho"}),
    )
    .await
    .expect(201)
    .body;
    assert_eq!(first["code"], "00004-1");
    assert_eq!(first["level"], "hamlet");
    assert_eq!(first["kind"], "to-dan-pho");
    assert_eq!(first["parent_code"], BA_DINH);
    assert_eq!(first["valid_from"], local_day(0).to_string());
    assert_eq!(first["valid_to"], Value::Null);
    assert_eq!(first["predecessors"], json!([]));
    let second = add(
        &app,
        &f.province,
        BA_DINH,
        json!({"name": "Khu phố 2", "kind": "khu-pho", "valid_from": "2026-01-01"}),
    )
    .await
    .expect(201)
    .body;
    assert_eq!(second["code"], "00004-2");
    // The same name ignoring case and diacritics is taken; another commune may use it.
    let taken = add(
        &app,
        &f.sup,
        BA_DINH,
        json!({"name": "to dan PHO so 1", "kind": "to-dan-pho"}),
    )
    .await
    .problem(409);
    assert_eq!(taken["status"], 409);
    let admin = app.admin().await;
    let other = add(
        &app,
        &admin,
        NGOC_HA,
        json!({"name": "Tổ dân phố số 1", "kind": "to-dan-pho"}),
    )
    .await
    .expect(201)
    .body;
    assert_eq!(other["code"], "00008-1");

    let list = app
        .get(&format!("/api/v1/units?parent={BA_DINH}"), &f.member.token)
        .await
        .expect(200)
        .body;
    assert_eq!(codes(&list["items"]), ["00004-1", "00004-2"]);
    let kind = |query: &str| {
        let path = format!("/api/v1/units?{query}");
        let token = f.member.token.clone();
        let app = &app;
        async move { app.get(&path, &token).await.expect(200).body }
    };
    assert_eq!(codes(&kind("kind=khu-pho").await["items"]), ["00004-2"]);
    assert_eq!(kind("parent=00004&kind=phuong").await["items"], json!([]));
    assert_eq!(kind("parent=01&kind=thon").await["items"], json!([]));
    // Communes are still listed under their province, with their level.
    let communes = app
        .get(
            &format!("/api/v1/units?parent={HANOI}&limit=1"),
            &f.member.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(communes["items"][0]["level"], "commune");
    let before = app
        .get(
            &format!("/api/v1/units?parent={BA_DINH}&as_of=2025-12-31"),
            &f.member.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(before["items"], json!([]));

    let renamed = app
        .patch(
            "/api/v1/units/00004-2",
            &f.sup.token,
            json!({"name": "Khu phố 2A"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(renamed["name"], "Khu phố 2A");
    let got = app
        .get("/api/v1/units/00004-2", &f.member.token)
        .await
        .expect(200)
        .body;
    assert_eq!(got["name"], "Khu phố 2A");
    assert_eq!(got["level"], "hamlet");
    let audit = app.audit().await;
    let actions: Vec<&str> = audit.iter().map(|a| a.0.as_str()).collect();
    assert!(actions.contains(&"hamlet.create"));
    assert!(actions.contains(&"hamlet.rename"));
}

#[actix_web::test]
async fn hamlet_changes_are_refused_to_the_wrong_people_and_bad_input() {
    let (app, f) = TestApp::init().with_field().await;
    let body = json!({"name": "Tổ 9", "kind": "to-dan-pho"});
    // Unauthenticated, a volunteer, another commune's supervisor, another province's.
    app.call(
        Method::POST,
        "/api/v1/units/00004/hamlets",
        None,
        Some(body.clone()),
    )
    .await
    .problem(401);
    add(&app, &f.lead, BA_DINH, body.clone()).await.problem(403);
    let ngoc_ha = app.seed_user(Role::CommuneSupervisor, Some(NGOC_HA)).await;
    add(&app, &ngoc_ha, BA_DINH, body.clone())
        .await
        .problem(404);
    add(&app, &f.far_province, BA_DINH, body.clone())
        .await
        .problem(404);
    // A province is not a commune; bad kinds, names and dates name their field.
    let admin = app.admin().await;
    let e = add(&app, &admin, HANOI, body.clone()).await.problem(422);
    assert_eq!(Reply::fields(&e), ["commune_code"]);
    let e = add(
        &app,
        &f.sup,
        BA_DINH,
        json!({"name": "Tổ 9", "kind": "xom"}),
    )
    .await
    .problem(422);
    assert_eq!(Reply::fields(&e), ["kind"]);
    let e = add(&app, &f.sup, BA_DINH, json!({"name": "  ", "kind": "thon"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&e), ["name"]);
    let e = add(
        &app,
        &f.sup,
        BA_DINH,
        json!({"name": "Tổ 9", "kind": "thon", "valid_from": "1990-01-01"}),
    )
    .await
    .problem(422);
    assert_eq!(Reply::fields(&e), ["valid_from"]);
    // Renaming: only hamlets, only by the same roles.
    let code = hamlet(&app, &f.sup, "Tổ 9").await;
    let e = app
        .patch("/api/v1/units/00004", &admin.token, json!({"name": "X"}))
        .await
        .problem(422);
    assert_eq!(e["errors"][0]["code"], "not_a_hamlet");
    app.patch(
        &format!("/api/v1/units/{code}"),
        &f.lead.token,
        json!({"name": "X"}),
    )
    .await
    .problem(403);
    app.patch(
        &format!("/api/v1/units/{code}"),
        &ngoc_ha.token,
        json!({"name": "X"}),
    )
    .await
    .problem(404);
    app.patch("/api/v1/units/00004-99", &f.sup.token, json!({"name": "X"}))
        .await
        .problem(404);
    app.get("/api/v1/units/00004-99", &f.sup.token)
        .await
        .problem(404);
    // Nothing was made by the refused calls.
    let list = app
        .get(&format!("/api/v1/units?parent={BA_DINH}"), &f.sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(codes(&list["items"]), [code]);
}

#[actix_web::test]
async fn a_rearrangement_merges_and_splits_with_lineage_both_ways() {
    let (app, f) = TestApp::init().with_field().await;
    let a = hamlet(&app, &f.sup, "Tổ 1").await;
    let b = hamlet(&app, &f.sup, "Tổ 2").await;
    let c = hamlet(&app, &f.sup, "Tổ 3").await;
    let keep = hamlet(&app, &f.sup, "Tổ 4").await;
    app.call(
        Method::PUT,
        &format!("/api/v1/teams/{}/hamlets", f.team),
        Some(&f.sup.token),
        Some(json!({"hamlet_codes": [a.clone(), c.clone(), keep.clone()]})),
    )
    .await
    .expect(200);
    let effective = local_day(10);
    let done = rearrange(
        &app,
        &f.sup,
        BA_DINH,
        json!({
            "effective_on": effective,
            "note": "Nghị quyết 05/NQ-HĐND",
            "merges": [{"from": [a.clone(), b.clone()], "name": "Tổ 1", "kind": "to-dan-pho"}],
            "splits": [{"from": c.clone(), "into": [
                {"name": "Tổ 3A", "kind": "to-dan-pho"},
                {"name": "Tổ 3B", "kind": "khu-dan-cu"}
            ]}]
        }),
    )
    .await
    .expect(201)
    .body;
    assert_eq!(done["effective_on"], effective.to_string());
    assert_eq!(done["closed"], json!([a, b, c]));
    let created = codes(&done["created"]);
    assert_eq!(created, ["00004-5", "00004-6", "00004-7"]);
    assert_eq!(done["created"][0]["predecessors"], json!([a, b]));
    assert_eq!(done["created"][0]["valid_from"], effective.to_string());
    assert_eq!(done["created"][2]["kind"], "khu-dan-cu");
    // The closed ones end the day before and point at their successors.
    let old = app
        .get(&format!("/api/v1/units/{a}"), &f.member.token)
        .await
        .expect(200)
        .body;
    assert_eq!(old["valid_to"], local_day(11).to_string());
    assert_eq!(old["successors"], json!(["00004-5"]));
    assert_eq!(old["active"], false);
    let split = app
        .get(&format!("/api/v1/units/{c}"), &f.member.token)
        .await
        .expect(200)
        .body;
    assert_eq!(split["successors"], json!(["00004-6", "00004-7"]));
    // Today's list and the list of a day before the change.
    let now = app
        .get(&format!("/api/v1/units?parent={BA_DINH}"), &f.member.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        codes(&now["items"]),
        [
            keep.clone(),
            created[0].clone(),
            created[1].clone(),
            created[2].clone()
        ]
    );
    let then = app
        .get(
            &format!("/api/v1/units?parent={BA_DINH}&as_of={}", local_day(11)),
            &f.member.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        codes(&then["items"]),
        [a.clone(), b.clone(), c.clone(), keep.clone()]
    );
    // The team held a and c: it now holds their successors.
    let team = app
        .get(&format!("/api/v1/teams/{}", f.team), &f.lead.token)
        .await
        .expect(200)
        .body;
    assert_eq!(
        team["hamlet_codes"],
        json!([keep, "00004-5", "00004-6", "00004-7"])
    );
    // Listed for every signed-in caller, audited.
    let list = app
        .get(
            &format!("/api/v1/units/{BA_DINH}/rearrangements"),
            &f.neighbour.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(list["items"][0]["id"], done["id"]);
    assert_eq!(list["items"][0]["closed"], done["closed"]);
    assert_eq!(codes(&list["items"][0]["created"]), created);
    let audit = app.audit().await;
    assert!(
        audit
            .iter()
            .any(|(action, object, actor)| action == "hamlet.rearrange"
                && object == BA_DINH
                && actor.as_deref() == Some(f.sup.id.as_str()))
    );
}

#[actix_web::test]
async fn a_bad_rearrangement_changes_nothing() {
    let (app, f) = TestApp::init().with_field().await;
    let a = hamlet(&app, &f.sup, "Tổ 1").await;
    let b = hamlet(&app, &f.sup, "Tổ 2").await;
    let c = hamlet(&app, &f.sup, "Tổ 3").await;
    let foreign = foreign_hamlet(&app).await;
    let day = local_day(5);
    let merge =
        |from: Vec<&str>, name: &str| json!({"from": from, "name": name, "kind": "to-dan-pho"});
    let cases = [
        (
            json!({"effective_on": day, "merges": [merge(vec![&a], "Tổ 9")]}),
            "merges[0].from",
            "merge_needs_two",
        ),
        (
            json!({"effective_on": day, "merges": [merge(vec![&a, &foreign], "Tổ 9")]}),
            "merges[0].from[1]",
            "wrong_hamlet",
        ),
        (
            json!({"effective_on": day, "merges": [merge(vec![&a, "00004-77"], "Tổ 9")]}),
            "merges[0].from[1]",
            "wrong_hamlet",
        ),
        (
            json!({"effective_on": day, "merges": [merge(vec![&a, &b], "Tổ 9")],
                   "splits": [{"from": b, "into": [{"name": "X", "kind": "thon"}, {"name": "Y", "kind": "thon"}]}]}),
            "splits[0].from",
            "hamlet_in_two_changes",
        ),
        (
            json!({"effective_on": day, "splits": [{"from": c, "into": [{"name": "X", "kind": "thon"}]}]}),
            "splits[0].into",
            "split_needs_two",
        ),
        (
            json!({"effective_on": "2025-12-31", "merges": [merge(vec![&a, &b], "Tổ 9")]}),
            "effective_on",
            "before_hamlet_began",
        ),
        (json!({"effective_on": day}), "merges", "empty"),
    ];
    for (body, field, code) in cases {
        let e = rearrange(&app, &f.sup, BA_DINH, body.clone())
            .await
            .problem(422);
        assert_eq!(e["errors"][0]["field"], field, "{body}");
        assert_eq!(e["errors"][0]["code"], code, "{body}");
    }
    // A new name that a hamlet kept open already has.
    rearrange(
        &app,
        &f.sup,
        BA_DINH,
        json!({"effective_on": day, "merges": [merge(vec![&a, &b], "tổ 3")]}),
    )
    .await
    .problem(409);
    // Roles and scope.
    let body = json!({"effective_on": day, "merges": [merge(vec![&a, &b], "Tổ 9")]});
    rearrange(&app, &f.lead, BA_DINH, body.clone())
        .await
        .problem(403);
    rearrange(&app, &f.far_province, BA_DINH, body.clone())
        .await
        .problem(404);
    app.call(
        Method::POST,
        "/api/v1/units/00004/rearrangements",
        None,
        Some(body.clone()),
    )
    .await
    .problem(401);
    // Nothing changed: the three are open, no hamlet was made, nothing is listed.
    let list = app
        .get(&format!("/api/v1/units?parent={BA_DINH}"), &f.sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(codes(&list["items"]), [a.clone(), b.clone(), c.clone()]);
    let none = app
        .get(
            &format!("/api/v1/units/{BA_DINH}/rearrangements"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(none["items"], json!([]));
    // The good one goes through once; its hamlets cannot be rearranged again.
    rearrange(&app, &f.sup, BA_DINH, body.clone())
        .await
        .expect(201);
    let e = rearrange(&app, &f.sup, BA_DINH, body).await.problem(422);
    assert_eq!(e["errors"][0]["code"], "hamlet_closed");
    let e = app
        .patch(
            &format!("/api/v1/units/{a}"),
            &f.sup.token,
            json!({"name": "Tổ 1 mới"}),
        )
        .await
        .problem(422);
    assert_eq!(e["errors"][0]["code"], "hamlet_closed");
}

#[actix_web::test]
async fn a_rename_racing_a_rearrangement_never_renames_a_closed_hamlet() {
    let (app, f) = TestApp::init().with_field().await;
    for round in 0..6 {
        let a = hamlet(&app, &f.sup, &format!("A{round}")).await;
        let b = hamlet(&app, &f.sup, &format!("B{round}")).await;
        let body = json!({
            "effective_on": local_day(3),
            "merges": [{"from": [a, b], "name": format!("AB{round}"), "kind": "thon"}]
        });
        let path = format!("/api/v1/units/{a}");
        let rename = app.patch(
            &path,
            &f.sup.token,
            json!({"name": format!("A{round} mới")}),
        );
        let merge = rearrange(&app, &f.sup, BA_DINH, body);
        let (renamed, merged) = futures_util::future::join(rename, merge).await;
        merged.expect(201);
        let after = app
            .get(&format!("/api/v1/units/{a}"), &f.sup.token)
            .await
            .expect(200)
            .body;
        assert!(after["valid_to"].is_string());
        match renamed.status.as_u16() {
            // Renamed first, then closed: the name is the new one.
            200 => assert_eq!(after["name"], format!("A{round} mới")),
            // Closed first: the rename was refused and the name is the old one.
            422 => assert_eq!(after["name"], format!("A{round}")),
            other => panic!("rename answered {other}"),
        }
    }
}

#[actix_web::test]
async fn records_take_a_hamlet_of_their_commune_even_a_closed_one() {
    let (app, f) = TestApp::init().with_field().await;
    let a = hamlet(&app, &f.sup, "Tổ 1").await;
    let b = hamlet(&app, &f.sup, "Tổ 2").await;
    let mut body = visit(&f.team);
    body["hamlet_code"] = json!(a);
    let made = app
        .post("/api/v1/visits", &f.lead.token, body.clone())
        .await
        .expect(201)
        .body;
    assert_eq!(made["hamlet_code"], a.as_str());
    assert_eq!(made["hamlet"], "Tổ dân phố số 5");
    // Sent again: unchanged.
    app.post("/api/v1/visits", &f.lead.token, body)
        .await
        .expect(200);
    rearrange(
        &app,
        &f.sup,
        BA_DINH,
        json!({"effective_on": local_day(1), "merges": [{"from": [a, b], "name": "Tổ 1", "kind": "to-dan-pho"}]}),
    )
    .await
    .expect(201);
    // An offline phone's old list: the closed code is stored, by sync too.
    let mut late = visit(&f.team);
    late["hamlet_code"] = json!(a);
    app.post("/api/v1/visits", &f.lead.token, late)
        .await
        .expect(201);
    let mut synced = visit(&f.team);
    synced["hamlet_code"] = json!(b);
    let out = app
        .post("/api/v1/sync", &f.lead.token, json!({"visits": [synced]}))
        .await
        .expect(200)
        .body;
    assert_eq!(out["results"][0]["status"], "created", "{out}");
    // Another commune's hamlet, an unknown one, or a malformed code: 422 wrong_hamlet.
    let foreign = foreign_hamlet(&app).await;
    for bad in [foreign.as_str(), "00004-99", "tổ 1", "00004-01"] {
        let mut body = visit(&f.team);
        body["hamlet_code"] = json!(bad);
        let e = app
            .post("/api/v1/visits", &f.lead.token, body)
            .await
            .problem(422);
        assert_eq!(e["errors"][0]["field"], "hamlet_code", "{bad}");
        assert_eq!(e["errors"][0]["code"], "wrong_hamlet", "{bad}");
    }
    let mut bad = visit(&f.team);
    bad["hamlet_code"] = json!(foreign);
    let out = app
        .post("/api/v1/sync", &f.lead.token, json!({"visits": [bad]}))
        .await
        .expect(200)
        .body;
    assert_eq!(out["results"][0]["status"], "invalid");
    assert_eq!(out["results"][0]["errors"][0]["code"], "wrong_hamlet");
    // A change may set and clear it.
    let id = made["id"].as_str().unwrap();
    let changed = app
        .patch(
            &format!("/api/v1/visits/{id}"),
            &f.lead.token,
            json!({"hamlet_code": "00004-3"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(changed["hamlet_code"], "00004-3");
    let e = app
        .patch(
            &format!("/api/v1/visits/{id}"),
            &f.lead.token,
            json!({"hamlet_code": foreign}),
        )
        .await
        .problem(422);
    assert_eq!(e["errors"][0]["code"], "wrong_hamlet");
    let csv = app
        .get_bytes(
            &format!("/api/v1/exports/visits.csv?unit={BA_DINH}"),
            &f.sup.token,
            None,
        )
        .await;
    let text = String::from_utf8(csv.2).unwrap();
    assert!(text.lines().next().unwrap().contains("hamlet_code"));
    assert!(text.contains("00004-3"));
}

#[actix_web::test]
async fn teams_are_given_current_hamlets_of_their_commune() {
    let (app, f) = TestApp::init().with_field().await;
    let a = hamlet(&app, &f.sup, "Tổ 1").await;
    let b = hamlet(&app, &f.sup, "Tổ 2").await;
    let path = format!("/api/v1/teams/{}/hamlets", f.team);
    let put = |token: String, body: Value| {
        let (app, path) = (&app, &path);
        async move { app.call(Method::PUT, path, Some(&token), Some(body)).await }
    };
    let team = put(
        f.sup.token.clone(),
        json!({"hamlet_codes": [b.clone(), a.clone()]}),
    )
    .await
    .expect(200)
    .body;
    assert_eq!(team["hamlet_codes"], json!([a, b]));
    let listed = app
        .get("/api/v1/teams", &f.lead.token)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["items"][0]["hamlet_codes"], json!([a, b]));
    // Errors name the item; nothing changes.
    let foreign = foreign_hamlet(&app).await;
    let e = put(
        f.sup.token.clone(),
        json!({"hamlet_codes": [a.clone(), foreign]}),
    )
    .await
    .problem(422);
    assert_eq!(e["errors"][0]["field"], "hamlet_codes[1]");
    assert_eq!(e["errors"][0]["code"], "wrong_hamlet");
    let e = put(
        f.sup.token.clone(),
        json!({"hamlet_codes": [a.clone(), a.clone()]}),
    )
    .await
    .problem(422);
    assert_eq!(e["errors"][0]["field"], "hamlet_codes[1]");
    put(f.lead.token.clone(), json!({"hamlet_codes": []}))
        .await
        .problem(403);
    put(f.far_province.token.clone(), json!({"hamlet_codes": []}))
        .await
        .problem(404);
    app.call(Method::PUT, &path, None, Some(json!({"hamlet_codes": []})))
        .await
        .problem(401);
    let team = app
        .get(&format!("/api/v1/teams/{}", f.team), &f.lead.token)
        .await
        .expect(200)
        .body;
    assert_eq!(team["hamlet_codes"], json!([a, b]));
    // The phone's state carries the team's hamlets and the commune's pick list.
    let state = app
        .get("/api/v1/sync/state", &f.lead.token)
        .await
        .expect(200)
        .body;
    assert_eq!(state["teams"][0]["hamlet_codes"], json!([a, b]));
    assert_eq!(codes(&state["hamlets"]), [a.clone(), b.clone()]);
    rearrange(
        &app,
        &f.sup,
        BA_DINH,
        json!({"effective_on": local_day(1), "merges": [{"from": [a, b], "name": "Tổ 1", "kind": "to-dan-pho"}]}),
    )
    .await
    .expect(201);
    let state = app
        .get("/api/v1/sync/state", &f.lead.token)
        .await
        .expect(200)
        .body;
    assert_eq!(state["teams"][0]["hamlet_codes"], json!(["00004-3"]));
    assert_eq!(codes(&state["hamlets"]), ["00004-3"]);
    assert_eq!(state["hamlets"][0]["predecessors"], json!([a, b]));
    // A closed hamlet cannot be given to a team.
    let e = put(f.sup.token.clone(), json!({"hamlet_codes": [a]}))
        .await
        .problem(422);
    assert_eq!(e["errors"][0]["code"], "hamlet_closed");
}

/// A visit of `team` logged `hours` ago in hamlet `code` (none for `None`).
fn visit_in(team: &str, code: Option<&str>, hours: i64) -> Value {
    let mut body = visit(team);
    body["occurred_at"] = json!(hours_ago(hours));
    if let Some(code) = code {
        body["hamlet_code"] = json!(code);
    }
    body
}

fn row<'a>(rows: &'a Value, key: Option<&str>) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"].as_str() == key)
        .unwrap_or_else(|| panic!("no row {key:?} in {rows}"))
}

fn visits(rows: &Value, key: Option<&str>) -> i64 {
    row(rows, key)["metrics"]["visits"].as_i64().unwrap()
}

#[actix_web::test]
async fn figures_per_hamlet_follow_merges_and_keep_splits_on_the_closed_row() {
    let (app, f) = TestApp::init().with_field().await;
    let a = hamlet(&app, &f.sup, "Tổ 1").await;
    let b = hamlet(&app, &f.sup, "Tổ 2").await;
    let c = hamlet(&app, &f.sup, "Tổ 3").await;
    let d = hamlet(&app, &f.sup, "Tổ 4").await;
    let log = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/v1/visits", &token, body).await.expect(201) }
    };
    // Before the change (15 days ago): 2 in a, 1 in b, 3 in c, 1 in d, 1 without a hamlet.
    let before = 15 * 24;
    for (code, n) in [(&a, 2), (&b, 1), (&c, 3), (&d, 1)] {
        for _ in 0..n {
            log(
                f.lead.token.clone(),
                visit_in(&f.team, Some(code.as_str()), before),
            )
            .await;
        }
    }
    log(f.member.token.clone(), visit_in(&f.team, None, before)).await;
    let mut helped = assist(&f.team, CITIZEN, "install", "success");
    helped["hamlet_code"] = json!(c);
    app.post("/api/v1/vneid-assists", &f.lead.token, helped)
        .await
        .expect(201);
    let done = rearrange(
        &app,
        &f.sup,
        BA_DINH,
        json!({
            "effective_on": local_day(10),
            "merges": [{"from": [a.clone(), b.clone()], "name": "Tổ 1-2", "kind": "to-dan-pho"}],
            "splits": [{"from": c.clone(), "into": [
                {"name": "Tổ 3A", "kind": "to-dan-pho"}, {"name": "Tổ 3B", "kind": "to-dan-pho"}
            ]}]
        }),
    )
    .await
    .expect(201)
    .body;
    let created = codes(&done["created"]);
    let (ab, c1) = (created[0].clone(), created[1].clone());
    // After it: 2 in the merged hamlet, 1 in a part of the split, and 1 from an old list in a.
    for _ in 0..2 {
        log(
            f.lead.token.clone(),
            visit_in(&f.team, Some(ab.as_str()), 2),
        )
        .await;
    }
    log(
        f.member.token.clone(),
        visit_in(&f.team, Some(c1.as_str()), 2),
    )
    .await;
    log(
        f.member.token.clone(),
        visit_in(&f.team, Some(a.as_str()), 2),
    )
    .await;

    let range = format!("from={}&to={}", local_day(30), local_day(0));
    let summary = app
        .get(
            &format!("/api/v1/stats/summary?unit={BA_DINH}&{range}"),
            &f.sup.token,
        )
        .await
        .expect(200)
        .body;
    let total = summary["metrics"]["visits"].as_i64().unwrap();
    assert_eq!(total, 12);
    let path =
        |map: &str| format!("/api/v1/stats/breakdown?unit={BA_DINH}&by=hamlet&map={map}&{range}");

    let current = app
        .get(&path("current"), &f.sup.token)
        .await
        .expect(200)
        .body;
    assert_eq!(current["by"], "hamlet");
    assert_eq!(current["map"], "current");
    let rows = &current["rows"];
    // a and b (and the late record sent with a) are under the merged hamlet.
    assert_eq!(visits(rows, Some(ab.as_str())), 2 + 1 + 2 + 1);
    // The split hamlet's records before the change stay on its closed row.
    assert_eq!(visits(rows, Some(c.as_str())), 3);
    assert_eq!(row(rows, Some(c.as_str()))["closed"], true);
    assert_eq!(visits(rows, Some(c1.as_str())), 1);
    assert_eq!(row(rows, Some(c1.as_str()))["closed"], false);
    assert_eq!(visits(rows, Some(d.as_str())), 1);
    assert_eq!(visits(rows, None), 1);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["key"] != a.as_str() && r["key"] != b.as_str())
    );
    // The other part of the split is listed with zeros.
    assert_eq!(visits(rows, Some(created[2].as_str())), 0);
    let sum: i64 = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metrics"]["visits"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, total);
    assert_eq!(rows.as_array().unwrap().last().unwrap()["key"], Value::Null);

    let recorded = app
        .get(&path("as_recorded"), &f.sup.token)
        .await
        .expect(200)
        .body;
    let rows = &recorded["rows"];
    assert_eq!(visits(rows, Some(a.as_str())), 3);
    assert_eq!(row(rows, Some(a.as_str()))["closed"], true);
    assert_eq!(visits(rows, Some(b.as_str())), 1);
    assert_eq!(visits(rows, Some(ab.as_str())), 2);
    assert_eq!(visits(rows, Some(c.as_str())), 3);
    assert_eq!(visits(rows, None), 1);
    let sum: i64 = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["metrics"]["visits"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, total);
    assert_eq!(
        row(rows, Some(c.as_str()))["metrics"]["unique_citizens_assisted"],
        1
    );
    assert_eq!(
        row(rows, Some(a.as_str()))["metrics"]["active_volunteers"],
        2
    );

    // CSV, as elsewhere, with the closed column.
    let csv = app
        .get_bytes(
            &format!("/api/v1/stats/breakdown.csv?unit={BA_DINH}&by=hamlet&{range}"),
            &f.sup.token,
            None,
        )
        .await;
    assert_eq!(csv.0, 200);
    let text = String::from_utf8(csv.2).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header
            .trim_start_matches('\u{feff}')
            .starts_with("key,label,")
    );
    assert!(header.ends_with(",closed"));
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("{c},")) && l.ends_with(",true"))
    );

    // On a province, or with map but not by=hamlet: 422 naming the parameter.
    let e = app
        .get(
            &format!("/api/v1/stats/breakdown?unit={HANOI}&by=hamlet"),
            &f.province.token,
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&e), ["by"]);
    let e = app
        .get(
            &format!("/api/v1/stats/breakdown?unit={BA_DINH}&by=team&map=current"),
            &f.sup.token,
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&e), ["map"]);
    let e = app
        .get(
            &format!("/api/v1/stats/breakdown?unit={BA_DINH}&by=hamlet&map=today"),
            &f.sup.token,
        )
        .await
        .problem(400);
    assert!(e.to_string().contains("map"));
    // Outside scope and unauthenticated.
    app.get(&path("current"), &f.far_province.token)
        .await
        .problem(404);
    app.call(Method::GET, &path("current"), None, None)
        .await
        .problem(401);
    crate::stats::rollups_match(&app).await;
}

#[actix_web::test]
async fn hamlets_carry_population_and_targets_and_a_commune_sums_them() {
    let (app, f) = TestApp::init().with_field().await;
    let a = hamlet(&app, &f.sup, "Tổ 1").await;
    let b = hamlet(&app, &f.sup, "Tổ 2").await;
    let figures = |residents: i64, households: i64| {
        json!({"year": 2025, "residents": residents, "adults": residents / 2,
               "aged_15_plus": residents * 3 / 4, "households": households})
    };
    let put = |code: &str, token: &str, body: Value| {
        let path = format!("/api/v1/units/{code}/population");
        let (app, token) = (&app, token.to_owned());
        async move { app.call(Method::PUT, &path, Some(&token), Some(body)).await }
    };
    // The commune's supervisor sets its hamlets' figures, not the commune's own.
    put(&a, &f.sup.token, figures(1000, 300)).await.expect(200);
    put(&b, &f.province.token, figures(600, 150))
        .await
        .expect(200);
    put(BA_DINH, &f.sup.token, figures(1600, 450))
        .await
        .problem(403);
    put(&a, &f.lead.token, figures(1, 1)).await.problem(403);
    put(&a, &f.far_province.token, figures(1, 1))
        .await
        .problem(403);
    put("00004-99", &f.sup.token, figures(1, 1))
        .await
        .problem(404);
    let e = put(&a, &f.sup.token, figures(-1, 0)).await.problem(422);
    assert!(Reply::fields(&e).contains(&"residents".to_owned()));
    let own = app
        .get(&format!("/api/v1/units/{a}/population"), &f.lead.token)
        .await
        .expect(200)
        .body;
    assert_eq!(own["residents"], 1000);
    assert_eq!(own["derived"], false);
    // A commune without figures of its own sums its current hamlets'.
    let summed = app
        .get(
            &format!("/api/v1/units/{BA_DINH}/population"),
            &f.lead.token,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(summed["residents"], 1600);
    assert_eq!(summed["households"], 450);
    assert_eq!(summed["derived"], true);

    // Campaign targets name hamlets of the campaign's commune.
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &f.sup.token,
            json!({"name": "Tháng cao điểm", "unit_code": BA_DINH,
                   "starts_on": local_day(20), "ends_on": local_day(-20)}),
        )
        .await
        .expect(201)
        .body;
    let id = campaign["id"].as_str().unwrap();
    let targets = format!("/api/v1/campaigns/{id}/targets");
    let foreign = foreign_hamlet(&app).await;
    let e = app
        .call(
            Method::PUT,
            &targets,
            Some(&f.sup.token),
            Some(json!([{"unit_code": foreign, "metric": "visits", "target": 5}])),
        )
        .await
        .problem(422);
    assert_eq!(e["errors"][0]["field"], "[0].unit_code");
    app.call(
        Method::PUT,
        &targets,
        Some(&f.sup.token),
        Some(json!([
            {"unit_code": a, "metric": "visits", "target": 10},
            {"unit_code": b, "metric": "visits", "percent": 10, "of": "households"}
        ])),
    )
    .await
    .expect(200);
    for _ in 0..3 {
        app.post(
            "/api/v1/visits",
            &f.lead.token,
            visit_in(&f.team, Some(a.as_str()), 2),
        )
        .await
        .expect(201);
    }
    let progress = app
        .get(&format!("/api/v1/campaigns/{id}/progress"), &f.sup.token)
        .await
        .expect(200)
        .body;
    let row_of = |code: &str| {
        progress["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_code"] == code)
            .unwrap_or_else(|| panic!("no row {code} in {progress}"))
            .clone()
    };
    let ra = row_of(&a);
    assert_eq!(ra["unit_name"], "Tổ 1");
    assert_eq!(ra["target"], 10);
    assert_eq!(ra["actual"], 3);
    let rb = row_of(&b);
    assert_eq!(rb["target"], 15);
    assert_eq!(rb["population"], 150);
    assert_eq!(rb["actual"], 0);
    assert_eq!(row_of(BA_DINH)["actual"], 3);
}
