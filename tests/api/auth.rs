//! Sign-in, token rotation and reuse detection, sign-out, `/me`, password change, and the
//! failed-login throttle.

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::json;

use crate::util::{BA_DINH, PASSWORD, Reply, TestApp};

#[actix_web::test]
async fn login_accepts_every_spelling_of_the_phone() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let national = u.phone.replace("+84", "0");
    let spaced = format!(
        "+84 {} {} {}",
        &u.phone[3..6],
        &u.phone[6..9],
        &u.phone[9..]
    );
    for phone in [national, u.phone.trim_start_matches('+').to_owned(), spaced] {
        let reply = app.login(&phone, PASSWORD).await.expect(200);
        assert_eq!(reply.body["token_type"], "Bearer");
        assert_eq!(reply.body["expires_in"], 900);
        assert!(reply.body["refresh_token"].as_str().unwrap().len() >= 40);
        assert_eq!(reply.body["user"]["id"], u.id.as_str());
        assert_eq!(reply.body["user"]["phone"], u.phone.as_str());
        assert!(reply.body["user"].get("password_hash").is_none());
    }
}

#[actix_web::test]
async fn wrong_password_and_unknown_phone_look_the_same() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let wrong = app.login(&u.phone, "sai-mat-khau").await.problem(401);
    let unknown = app.login("0399999999", PASSWORD).await.problem(401);
    assert_eq!(wrong["detail"], unknown["detail"]);
}

#[actix_web::test]
async fn login_input_errors() {
    let app = TestApp::init().empty().await;
    let body = app.login("12345", PASSWORD).await.problem(422);
    assert_eq!(Reply::fields(&body), vec!["phone"]);
    let body = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": "0912345678"})),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["password"]);
    let body = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": "0912345678", "password": "x", "remember": true})),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["remember"]);
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    let body = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": 912345678, "password": "x"})),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["phone"]);
    assert!(
        !body.to_string().contains("912345678"),
        "errors never echo submitted values"
    );
    app.raw(
        "/api/v1/auth/login",
        "application/json",
        b"{\"phone\": ".to_vec(),
    )
    .await
    .problem(400);
    app.raw("/api/v1/auth/login", "text/plain", b"{}".to_vec())
        .await
        .problem(415);
}

#[actix_web::test]
async fn oversized_body_is_413() {
    let app = TestApp::init()
        .with_config(|c| c.max_body_bytes = 1024)
        .empty()
        .await;
    let big = json!({"phone": "0912345678", "password": "x".repeat(2000)});
    app.raw(
        "/api/v1/auth/login",
        "application/json",
        big.to_string().into_bytes(),
    )
    .await
    .problem(413);
}

#[actix_web::test]
async fn failed_logins_are_throttled_per_phone() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    for _ in 0..5 {
        app.login(&u.phone, "sai-mat-khau").await.problem(401);
    }
    let reply = app.login(&u.phone, PASSWORD).await;
    let retry: u64 = reply
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=901).contains(&retry));
    reply.problem(429);
    // Another phone from the same address is not blocked by this phone's failures.
    let other = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    app.login(&other.phone, PASSWORD).await.expect(200);
}

#[actix_web::test]
async fn failed_logins_are_throttled_per_address() {
    let app = TestApp::init()
        .with_config(|c| c.login_failures_per_address = 3)
        .empty()
        .await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    for i in 0..3 {
        app.login(&format!("098765432{i}"), "sai-mat-khau")
            .await
            .problem(401);
    }
    app.login(&u.phone, PASSWORD).await.problem(429);
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_login() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let refresh = |token: &str| {
        app.call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": token})),
        )
    };
    let second = refresh(&u.refresh_token).await.expect(200);
    let second_refresh = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, u.refresh_token);
    let access = second.body["access_token"].as_str().unwrap();
    app.get("/api/v1/me", access).await.expect(200);
    // Replaying the spent token is refused and ends the whole login...
    refresh(&u.refresh_token).await.problem(401);
    // ...so even the newest token of that login no longer works.
    refresh(&second_refresh).await.problem(401);
    // Another login of the same user is untouched.
    let other = app.signed_in(&u.phone).await;
    refresh(&other.refresh_token).await.expect(200);
    refresh("not-a-token").await.problem(401);
    let body = app
        .call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({})))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["refresh_token"]);
}

#[actix_web::test]
async fn logout_ends_the_login() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let out = |token: &str| {
        app.call(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refresh_token": token})),
        )
    };
    out(&u.refresh_token).await.expect(204);
    out(&u.refresh_token).await.expect(204);
    out("unknown").await.expect(204);
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": u.refresh_token})),
    )
    .await
    .problem(401);
    app.call(
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(json!({"token": "x"})),
    )
    .await
    .problem(422);
}

#[actix_web::test]
async fn me_shows_role_and_unit() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let me = app.get("/api/v1/me", &u.token).await.expect(200);
    assert_eq!(me.body["role"], "commune_supervisor");
    assert_eq!(me.body["unit_code"], BA_DINH);
    assert_eq!(me.body["unit"]["name"], "Phường Ba Đình");
    assert!(me.body.get("password_hash").is_none());
    app.call(Method::GET, "/api/v1/me", None, None)
        .await
        .problem(401);
    app.get("/api/v1/me", &format!("{}x", u.token))
        .await
        .problem(401);
}

#[actix_web::test]
async fn expired_and_foreign_tokens_are_refused() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let now = jsonwebtoken::get_current_timestamp();
    let sign = |exp: u64, key: &str, aud: &str| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json!({"sub": u.id, "exp": exp, "iat": now - 1000, "iss": "gocua", "aud": aud, "gen": 0}),
            &EncodingKey::from_secret(key.as_bytes()),
        )
        .unwrap()
    };
    let key = "test-jwt-secret-that-is-long-enough-0001";
    app.get("/api/v1/me", &sign(now + 600, key, "gocua-api"))
        .await
        .expect(200);
    app.get("/api/v1/me", &sign(now - 120, key, "gocua-api"))
        .await
        .problem(401);
    app.get("/api/v1/me", &sign(now + 600, key, "other-api"))
        .await
        .problem(401);
    app.get("/api/v1/me", &sign(now + 600, &"x".repeat(40), "gocua-api"))
        .await
        .problem(401);
}

#[actix_web::test]
async fn password_change_ends_every_session() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let second = app.signed_in(&u.phone).await;
    let change = |body| app.post("/api/v1/me/password", &u.token, body);
    let body = change(json!({"current_password": "sai", "new_password": "mat-khau-moi-456"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["current_password"]);
    let body = change(json!({"current_password": PASSWORD, "new_password": "ngan"}))
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["new_password"]);
    app.call(
        Method::POST,
        "/api/v1/me/password",
        None,
        Some(json!({"current_password": PASSWORD, "new_password": "mat-khau-moi-456"})),
    )
    .await
    .problem(401);
    change(json!({"current_password": PASSWORD, "new_password": "mat-khau-moi-456"}))
        .await
        .expect(204);
    app.get("/api/v1/me", &u.token).await.problem(401);
    app.get("/api/v1/me", &second.token).await.problem(401);
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": second.refresh_token})),
    )
    .await
    .problem(401);
    app.login(&u.phone, PASSWORD).await.problem(401);
    app.login(&u.phone, "mat-khau-moi-456").await.expect(200);
}

/// Two refreshes racing with one token: one wins, the other counts as reuse, and the whole
/// login ends (the winner's new token included). Never a 5xx.
#[actix_web::test]
async fn racing_refreshes_end_the_login() {
    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let body = json!({"refresh_token": u.refresh_token});
    let (a, b) = futures_util::future::join(
        app.call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(body.clone()),
        ),
        app.call(Method::POST, "/api/v1/auth/refresh", None, Some(body)),
    )
    .await;
    let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 401], "{} / {}", a.body, b.body);
    let winner = if a.status.as_u16() == 200 { a } else { b };
    let next = winner.body["refresh_token"].as_str().unwrap();
    app.call(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": next})),
    )
    .await
    .problem(401);
}

/// A server started with `GOCUA_JWT_SECRET=NEW,OLD` accepts tokens signed with `OLD` until
/// `OLD` is dropped, and signs new ones with `NEW`.
#[actix_web::test]
async fn rotated_signing_keys_keep_old_tokens_until_retired() {
    use std::sync::Arc;

    use gocua::app;
    use gocua::config::{Config, Secret};
    use gocua::state::AppState;

    let app = TestApp::init().empty().await;
    let u = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let (old, citizen) = crate::util::test_secrets();
    let new = Secret::new("jwt", "a-brand-new-signing-key-long-enough-002").unwrap();
    let server = |retired: Vec<Secret>| {
        let mut config = Config::with_defaults(
            gocua::config::DatabaseUrl::Sqlite("unused.db".into()),
            new.clone(),
            citizen.clone(),
        );
        config.jwt_retired = retired;
        let node = app::Node::new(AppState::new(config, app.pool.clone()));
        let spec = Arc::new(app::openapi());
        actix_test::start(move || app::build(node.clone(), (*spec).clone()))
    };
    let me = |srv: &actix_test::TestServer, token: &str| {
        srv.get("/api/v1/me")
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
    };
    let rotating = server(vec![old]);
    assert_eq!(me(&rotating, &u.token).await.unwrap().status(), 200);
    let mut res = rotating
        .post("/api/v1/auth/login")
        .send_json(&json!({"phone": u.phone, "password": PASSWORD}))
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    let fresh = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.call(Method::GET, "/api/v1/me", Some(&fresh), None)
            .await
            .status,
        401,
        "a server that only knows the old key refuses the new key's tokens"
    );
    let retired = server(Vec::new());
    assert_eq!(me(&retired, &u.token).await.unwrap().status(), 401);
    assert_eq!(me(&retired, &fresh).await.unwrap().status(), 200);
}
