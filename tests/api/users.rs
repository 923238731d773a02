//! `/api/v1/users`: lower roles only, inside the caller's scope, 404 outside it.

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, HCMC, NGOC_HA, PASSWORD, Reply, SAI_GON, TestApp};

fn new_user(app: &TestApp, role: &str, unit: Option<&str>) -> Value {
    json!({
        "phone": app.phone(),
        "full_name": "Trần Văn Đức",
        "role": role,
        "unit_code": unit,
        "password": PASSWORD,
    })
}

#[actix_web::test]
async fn admin_creates_a_province_supervisor() {
    let (app, admin) = TestApp::init().with_admin().await;
    let body = json!({"phone": "+84 988 111 222", "full_name": "Lê Thị Thu", "role": "province_supervisor", "unit_code": HANOI, "password": PASSWORD});
    let created = app
        .post("/api/v1/users", &admin.token, body)
        .await
        .expect(201);
    assert_eq!(created.body["phone"], "+84988111222");
    assert_eq!(created.body["full_name"], "Lê Thị Thu");
    assert_eq!(created.body["role"], "province_supervisor");
    assert_eq!(created.body["unit_code"], HANOI);
    assert_eq!(created.body["active"], true);
    assert!(created.body.get("password_hash").is_none());
    let id = created.body["id"].as_str().unwrap();
    let fetched = app
        .get(&format!("/api/v1/users/{id}"), &admin.token)
        .await
        .expect(200);
    assert_eq!(fetched.body, created.body);
    app.login("0988111222", PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn creating_users_needs_a_token_and_a_higher_role() {
    let app = TestApp::init().empty().await;
    app.call(
        Method::POST,
        "/api/v1/users",
        None,
        Some(new_user(&app, "volunteer", Some(BA_DINH))),
    )
    .await
    .problem(401);
    let volunteer = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    app.post(
        "/api/v1/users",
        &volunteer.token,
        new_user(&app, "volunteer", Some(BA_DINH)),
    )
    .await
    .problem(403);
    let commune = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    app.post(
        "/api/v1/users",
        &commune.token,
        new_user(&app, "commune_supervisor", Some(BA_DINH)),
    )
    .await
    .problem(403);
    app.post(
        "/api/v1/users",
        &commune.token,
        new_user(&app, "volunteer", Some(BA_DINH)),
    )
    .await
    .expect(201);
    let admin = app.admin().await;
    app.post("/api/v1/users", &admin.token, new_user(&app, "admin", None))
        .await
        .problem(403);
}

#[actix_web::test]
async fn creating_outside_scope_is_404() {
    let app = TestApp::init().empty().await;
    let province = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
    app.post(
        "/api/v1/users",
        &province.token,
        new_user(&app, "volunteer", Some(SAI_GON)),
    )
    .await
    .problem(404);
    app.post(
        "/api/v1/users",
        &province.token,
        new_user(&app, "commune_supervisor", Some(NGOC_HA)),
    )
    .await
    .expect(201);
    let commune = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    app.post(
        "/api/v1/users",
        &commune.token,
        new_user(&app, "volunteer", Some(NGOC_HA)),
    )
    .await
    .problem(404);
}

#[actix_web::test]
async fn invalid_user_lists_every_field() {
    let (app, admin) = TestApp::init().with_admin().await;
    let body = json!({"phone": "024 3825 1234", "full_name": "  ", "role": "province_supervisor", "unit_code": BA_DINH, "password": "ngan"});
    let problem = app
        .post("/api/v1/users", &admin.token, body)
        .await
        .problem(422);
    assert_eq!(
        Reply::fields(&problem),
        vec!["full_name", "password", "phone", "unit_code"]
    );
    let body = json!({"phone": "0912000111", "full_name": "A", "role": "volunteer", "unit_code": "77777", "password": PASSWORD});
    let problem = app
        .post("/api/v1/users", &admin.token, body)
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["code"], "unknown_unit");
    let body = json!({"phone": "0912000111", "full_name": "A", "role": "chief", "unit_code": BA_DINH, "password": PASSWORD});
    let problem = app
        .post("/api/v1/users", &admin.token, body)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["role"]);
    let body =
        json!({"phone": "0912000111", "full_name": "A", "role": "volunteer", "password": PASSWORD});
    let problem = app
        .post("/api/v1/users", &admin.token, body)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["unit_code"]);
}

#[actix_web::test]
async fn duplicate_phone_is_409_whatever_the_spelling() {
    let (app, admin) = TestApp::init().with_admin().await;
    let mut body = new_user(&app, "commune_supervisor", Some(BA_DINH));
    body["phone"] = json!("0977000111");
    app.post("/api/v1/users", &admin.token, body.clone())
        .await
        .expect(201);
    body["phone"] = json!("+84 977 000 111");
    app.post("/api/v1/users", &admin.token, body)
        .await
        .problem(409);
}

#[actix_web::test]
async fn list_follows_scope_filters_and_pages() {
    let (app, admin) = TestApp::init().with_admin().await;
    let province = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
    let a = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let b = app.seed_user(Role::CommuneSupervisor, Some(NGOC_HA)).await;
    let far = app.seed_user(Role::Volunteer, Some(SAI_GON)).await;
    let ids = |r: &Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.get("/api/v1/users", &province.token).await.expect(200);
    let seen = ids(&all);
    assert_eq!(
        seen,
        vec![b.id.clone(), a.id.clone(), province.id.clone()],
        "newest first, Hà Nội only"
    );
    assert!(!seen.contains(&far.id) && !seen.contains(&admin.id));
    let national = app
        .get("/api/v1/users?limit=500", &admin.token)
        .await
        .expect(200);
    assert_eq!(ids(&national).len(), 5);
    let vols = app
        .get("/api/v1/users?role=volunteer", &province.token)
        .await
        .expect(200);
    assert_eq!(ids(&vols), vec![a.id.clone()]);
    let in_unit = app
        .get(&format!("/api/v1/users?unit={NGOC_HA}"), &province.token)
        .await
        .expect(200);
    assert_eq!(ids(&in_unit), vec![b.id.clone()]);
    let by_name = app
        .get("/api/v1/users?q=NGUOI%20THU", &province.token)
        .await
        .expect(200);
    assert_eq!(ids(&by_name).len(), 3);
    let by_phone = app
        .get(
            &format!("/api/v1/users?q={}", a.phone.replace("+84", "0")),
            &province.token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&by_phone), vec![a.id.clone()]);
    let first = app
        .get("/api/v1/users?limit=2", &province.token)
        .await
        .expect(200);
    assert_eq!(ids(&first), vec![b.id.clone(), a.id.clone()]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/users?limit=2&cursor={cursor}"),
            &province.token,
        )
        .await
        .expect(200);
    assert_eq!(ids(&second), vec![province.id.clone()]);
    assert!(second.body["next_cursor"].is_null());
    app.get(&format!("/api/v1/users?unit={HCMC}"), &province.token)
        .await
        .problem(404);
    app.get("/api/v1/users", &a.token).await.problem(403);
    app.call(Method::GET, "/api/v1/users", None, None)
        .await
        .problem(401);
    let bad = app
        .get("/api/v1/users?role=boss", &province.token)
        .await
        .problem(400);
    assert_eq!(Reply::fields(&bad), vec!["role"]);
}

#[actix_web::test]
async fn get_user_in_scope_self_or_404() {
    let app = TestApp::init().empty().await;
    let commune = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let mine = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let theirs = app.seed_user(Role::Volunteer, Some(NGOC_HA)).await;
    app.get(&format!("/api/v1/users/{}", mine.id), &commune.token)
        .await
        .expect(200);
    app.get(&format!("/api/v1/users/{}", theirs.id), &commune.token)
        .await
        .problem(404);
    app.get(
        "/api/v1/users/00000000-0000-0000-0000-000000000000",
        &commune.token,
    )
    .await
    .problem(404);
    app.get(&format!("/api/v1/users/{}", mine.id), &mine.token)
        .await
        .expect(200);
    app.get(&format!("/api/v1/users/{}", commune.id), &mine.token)
        .await
        .problem(403);
    app.call(
        Method::GET,
        &format!("/api/v1/users/{}", mine.id),
        None,
        None,
    )
    .await
    .problem(401);
}

#[actix_web::test]
async fn patch_renames_promotes_and_disables() {
    let app = TestApp::init().empty().await;
    let province = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let path = format!("/api/v1/users/{}", v.id);
    let renamed = app
        .patch(&path, &province.token, json!({"full_name": "Phạm Thị Lan"}))
        .await
        .expect(200);
    assert_eq!(renamed.body["full_name"], "Phạm Thị Lan");
    let found = app
        .get("/api/v1/users?q=pham%20thi%20lan", &province.token)
        .await
        .expect(200);
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    let promoted = app
        .patch(
            &path,
            &province.token,
            json!({"role": "commune_supervisor"}),
        )
        .await
        .expect(200);
    assert_eq!(promoted.body["role"], "commune_supervisor");
    app.get("/api/v1/users", &v.token).await.expect(200);
    let body = app
        .patch(
            &path,
            &province.token,
            json!({"role": "province_supervisor"}),
        )
        .await
        .problem(403);
    assert!(
        body["detail"].as_str().unwrap().contains("thấp hơn"),
        "{body}"
    );
    app.patch(&path, &province.token, json!({"active": false}))
        .await
        .expect(200);
    app.get("/api/v1/me", &v.token).await.problem(401);
    app.login(&v.phone, PASSWORD).await.problem(401);
    let back = app
        .patch(&path, &province.token, json!({"active": true}))
        .await
        .expect(200);
    assert_eq!(back.body["active"], true);
    app.login(&v.phone, PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn patch_rules() {
    let app = TestApp::init().empty().await;
    let commune = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let peer = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let far = app.seed_user(Role::Volunteer, Some(SAI_GON)).await;
    let path = format!("/api/v1/users/{}", v.id);
    app.call(Method::PATCH, &path, None, Some(json!({"full_name": "X"})))
        .await
        .problem(401);
    app.patch(&path, &v.token, json!({"full_name": "X"}))
        .await
        .problem(403);
    app.patch(
        &format!("/api/v1/users/{}", peer.id),
        &commune.token,
        json!({"full_name": "X"}),
    )
    .await
    .problem(403);
    app.patch(
        &format!("/api/v1/users/{}", commune.id),
        &commune.token,
        json!({"active": false}),
    )
    .await
    .problem(403);
    app.patch(&path, &commune.token, json!({"role": "commune_supervisor"}))
        .await
        .problem(403);
    app.patch(
        &format!("/api/v1/users/{}", far.id),
        &commune.token,
        json!({"full_name": "X"}),
    )
    .await
    .problem(404);
    let body = app
        .patch(
            &path,
            &commune.token,
            json!({"full_name": "", "nickname": "x"}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["nickname"]);
    let body = app
        .patch(&path, &commune.token, json!({"full_name": ""}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["full_name"]);
    let body = app
        .patch(&path, &commune.token, json!({"active": "no"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["active"]);
    let unchanged = app.get(&path, &commune.token).await.expect(200);
    assert_eq!(
        unchanged.body["full_name"],
        format!("Người thử {}", v.phone.replace("+84", "0"))
    );
}
