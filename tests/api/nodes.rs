//! Several API nodes on one database (issue 22): what one node trusts from a moment ago
//! (a caller's session, a team's membership) stops being trusted within
//! `GOCUA_AUTH_CACHE_SECS` everywhere, and at once on the node that made the change.

use std::time::Duration;

use serde_json::json;

use crate::util::TestApp;
use crate::util::visit;

const CACHE: Duration = Duration::from_secs(2);

async fn status(
    srv: &actix_test::TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> u16 {
    let req = srv
        .request(method.parse().unwrap(), srv.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")));
    let res = match body {
        Some(b) => req.send_json(&b).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    res.status().as_u16()
}

#[actix_web::test]
async fn a_disabled_user_and_a_removed_member_stop_here_at_once_and_elsewhere_within_the_cache_time()
 {
    let (app, f) = TestApp::init()
        .with_config(|c| c.auth_cache = CACHE)
        .with_field()
        .await;
    let admin = app.admin().await;
    let other = app.another_node();
    // The other node has checked both volunteers' sessions and memberships.
    for who in [&f.lead, &f.member] {
        let created = status(
            &other,
            "POST",
            "/api/v1/visits",
            &who.token,
            Some(visit(&f.team)),
        );
        assert_eq!(created.await, 201);
    }
    // This node has too.
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    app.get("/api/v1/me", &f.lead.token).await.expect(200);

    app.call(
        actix_web::http::Method::DELETE,
        &format!("/api/v1/teams/{}/members/{}", f.team, f.member.id),
        Some(&f.sup.token),
        None,
    )
    .await
    .expect(204);
    app.patch(
        &format!("/api/v1/users/{}", f.lead.id),
        &admin.token,
        json!({"active": false}),
    )
    .await
    .expect(200);

    // The node that made the changes forgets at once.
    let refused = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await;
    refused.problem(404);
    app.get("/api/v1/me", &f.lead.token).await.problem(401);

    // The other node stops trusting what it read once the cache time has passed.
    actix_web::rt::time::sleep(CACHE + Duration::from_millis(200)).await;
    let late = status(
        &other,
        "POST",
        "/api/v1/visits",
        &f.member.token,
        Some(visit(&f.team)),
    );
    assert_eq!(late.await, 404, "a volunteer sees no team they are not in");
    assert_eq!(
        status(&other, "GET", "/api/v1/me", &f.lead.token, None).await,
        401
    );
    let posted = status(
        &other,
        "POST",
        "/api/v1/visits",
        &f.lead.token,
        Some(visit(&f.team)),
    );
    assert_eq!(posted.await, 401);
}
