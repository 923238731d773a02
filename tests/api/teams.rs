//! `/api/v1/teams` and membership: supervisors in scope manage, members read, the rest 404.

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, NGOC_HA, Reply, SAI_GON, TestApp, TestUser};

async fn put_member(app: &TestApp, token: &str, team: &str, user: &str, body: Value) -> Reply {
    let path = format!("/api/v1/teams/{team}/members/{user}");
    app.call(Method::PUT, &path, Some(token), Some(body)).await
}

async fn make_team(app: &TestApp, by: &TestUser, commune: &str, name: &str) -> Value {
    app.post(
        "/api/v1/teams",
        &by.token,
        json!({"commune_code": commune, "name": name, "area": "Tổ dân phố 1–5"}),
    )
    .await
    .expect(201)
    .body
}

#[actix_web::test]
async fn commune_supervisor_builds_a_team() {
    let app = TestApp::init().empty().await;
    let sup = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let lead = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let member = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let team = make_team(&app, &sup, BA_DINH, "Tổ công nghệ số số 1").await;
    assert_eq!(team["commune_code"], BA_DINH);
    assert_eq!(team["name"], "Tổ công nghệ số số 1");
    assert_eq!(team["area"], "Tổ dân phố 1–5");
    assert_eq!(team["active"], true);
    let id = team["id"].as_str().unwrap();
    put_member(&app, &sup.token, id, &lead.id, json!({"role": "lead"}))
        .await
        .expect(200);
    let after = put_member(&app, &sup.token, id, &member.id, json!({"role": "member"}))
        .await
        .expect(200);
    let members = after.body["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["user_id"], lead.id.as_str());
    assert_eq!(members[0]["role"], "lead");
    assert_eq!(members[1]["role"], "member");
    assert_eq!(members[1]["user_role"], "volunteer");
    // Changing a member's place keeps one membership.
    let after = put_member(&app, &sup.token, id, &member.id, json!({"role": "lead"}))
        .await
        .expect(200);
    assert_eq!(after.body["members"].as_array().unwrap().len(), 2);
    // Members see the team, in /me and in the list.
    let me = app.get("/api/v1/me", &member.token).await.expect(200);
    assert_eq!(me.body["teams"][0]["team_id"], id);
    assert_eq!(me.body["teams"][0]["role"], "lead");
    let mine = app.get("/api/v1/teams", &member.token).await.expect(200);
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    app.get(&format!("/api/v1/teams/{id}"), &member.token)
        .await
        .expect(200);
    // Removal.
    app.call(
        Method::DELETE,
        &format!("/api/v1/teams/{id}/members/{}", member.id),
        Some(&sup.token),
        None,
    )
    .await
    .expect(204);
    app.call(
        Method::DELETE,
        &format!("/api/v1/teams/{id}/members/{}", member.id),
        Some(&sup.token),
        None,
    )
    .await
    .problem(404);
    app.get(&format!("/api/v1/teams/{id}"), &member.token)
        .await
        .problem(404);
    let actions: Vec<String> = app.audit().await.into_iter().map(|(a, _, _)| a).collect();
    for wanted in [
        "team.create",
        "team.member_put",
        "team.member_remove",
        "auth.login",
        "user.create",
    ] {
        assert!(
            actions.iter().any(|a| a == wanted),
            "{wanted} not audited: {actions:?}"
        );
    }
}

#[actix_web::test]
async fn team_rules_and_scope() {
    let app = TestApp::init().empty().await;
    let sup = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let province = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
    let far_sup = app.seed_user(Role::ProvinceSupervisor, Some("79")).await;
    let volunteer = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let neighbour = app.seed_user(Role::Volunteer, Some(NGOC_HA)).await;
    let far = app.seed_user(Role::Volunteer, Some(SAI_GON)).await;
    app.call(
        Method::POST,
        "/api/v1/teams",
        None,
        Some(json!({"commune_code": BA_DINH, "name": "T"})),
    )
    .await
    .problem(401);
    app.post(
        "/api/v1/teams",
        &volunteer.token,
        json!({"commune_code": BA_DINH, "name": "T"}),
    )
    .await
    .problem(403);
    app.post(
        "/api/v1/teams",
        &sup.token,
        json!({"commune_code": NGOC_HA, "name": "T"}),
    )
    .await
    .problem(404);
    let body = app
        .post(
            "/api/v1/teams",
            &sup.token,
            json!({"commune_code": HANOI, "name": "", "area": "x".repeat(201)}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["area", "commune_code", "name"]);
    let team = make_team(&app, &sup, BA_DINH, "Tổ 1").await;
    app.post(
        "/api/v1/teams",
        &province.token,
        json!({"commune_code": BA_DINH, "name": "Tổ 1"}),
    )
    .await
    .problem(409);
    let id = team["id"].as_str().unwrap();
    let path = format!("/api/v1/teams/{id}");
    // Reads: the province sees it, another province does not, a non-member volunteer does not.
    app.get(&path, &province.token).await.expect(200);
    app.get(&path, &far_sup.token).await.problem(404);
    app.get(&path, &volunteer.token).await.problem(404);
    app.call(Method::GET, &path, None, None).await.problem(401);
    let listed = app
        .get(&format!("/api/v1/teams?unit={HANOI}"), &province.token)
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let none = app.get("/api/v1/teams", &far_sup.token).await.expect(200);
    assert!(none.body["items"].as_array().unwrap().is_empty());
    app.get(&format!("/api/v1/teams?unit={HANOI}"), &far_sup.token)
        .await
        .problem(404);
    app.get("/api/v1/teams?limit=0", &sup.token)
        .await
        .problem(422);
    // Members must be users of the team's commune; outside scope is 404.
    let body = put_member(
        &app,
        &province.token,
        id,
        &neighbour.id,
        json!({"role": "member"}),
    )
    .await
    .problem(422);
    assert_eq!(Reply::fields(&body), vec!["user_id"]);
    put_member(&app, &sup.token, id, &far.id, json!({"role": "member"}))
        .await
        .problem(404);
    put_member(
        &app,
        &sup.token,
        id,
        "no-such-user",
        json!({"role": "member"}),
    )
    .await
    .problem(404);
    let body = put_member(&app, &sup.token, id, &volunteer.id, json!({"role": "boss"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["role"]);
    put_member(
        &app,
        &volunteer.token,
        id,
        &volunteer.id,
        json!({"role": "lead"}),
    )
    .await
    .problem(403);
    put_member(
        &app,
        &far_sup.token,
        id,
        &volunteer.id,
        json!({"role": "lead"}),
    )
    .await
    .problem(404);
    // Rename, deactivate: no new members while inactive.
    let renamed = app
        .patch(&path, &sup.token, json!({"name": "Tổ Ba Đình 1"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["name"], "Tổ Ba Đình 1");
    app.patch(&path, &volunteer.token, json!({"name": "X"}))
        .await
        .problem(403);
    app.patch(&path, &far_sup.token, json!({"name": "X"}))
        .await
        .problem(404);
    let body = app
        .patch(&path, &sup.token, json!({"name": "", "colour": "red"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["colour"]);
    let off = app
        .patch(&path, &sup.token, json!({"active": false}))
        .await
        .expect(200);
    assert_eq!(off.body["active"], false);
    put_member(
        &app,
        &sup.token,
        id,
        &volunteer.id,
        json!({"role": "member"}),
    )
    .await
    .problem(409);
    app.call(
        Method::DELETE,
        &format!("{path}/members/{}", volunteer.id),
        Some(&volunteer.token),
        None,
    )
    .await
    .problem(403);
}

#[actix_web::test]
async fn a_user_may_be_in_several_teams_of_their_commune() {
    let app = TestApp::init().empty().await;
    let sup = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    for name in ["Tổ A", "Tổ B"] {
        let team = make_team(&app, &sup, BA_DINH, name).await;
        let id = team["id"].as_str().unwrap();
        app.call(
            Method::PUT,
            &format!("/api/v1/teams/{id}/members/{}", v.id),
            Some(&sup.token),
            Some(json!({"role": "member"})),
        )
        .await
        .expect(200);
    }
    let me = app.get("/api/v1/me", &v.token).await.expect(200);
    let names: Vec<&str> = me.body["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Tổ A", "Tổ B"]);
    let page = app.get("/api/v1/teams?limit=1", &v.token).await.expect(200);
    assert_eq!(page.body["items"][0]["name"], "Tổ B");
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(&format!("/api/v1/teams?limit=1&cursor={cursor}"), &v.token)
        .await
        .expect(200);
    assert_eq!(next.body["items"][0]["name"], "Tổ A");
    assert!(next.body["next_cursor"].is_null());
}
