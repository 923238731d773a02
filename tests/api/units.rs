//! `GET /api/v1/units` and `/units/{code}`, and re-importing the map.

use actix_web::http::Method;
use actix_web::web;
use gocua::access::Role;

use crate::util::{BA_DINH, HANOI, Reply, SAI_GON, TestApp};

fn codes(reply: &Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn units_need_a_token() {
    let app = TestApp::init().empty().await;
    let reply = app.call(Method::GET, "/api/v1/units", None, None).await;
    assert_eq!(reply.headers.get("www-authenticate").unwrap(), "Bearer");
    reply.problem(401);
    app.call(Method::GET, "/api/v1/units/01", Some("not-a-jwt"), None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn search_ignores_diacritics_and_case() {
    let app = TestApp::init().empty().await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    for q in [
        "ba%20dinh",
        "BA%20%C4%90%C3%8CNH",
        "ba%20%C4%91inh",
        "Ph%C6%B0%E1%BB%9Dng%20Ba%20%C4%90%C3%ACnh",
    ] {
        let reply = app
            .get(&format!("/api/v1/units?q={q}"), &v.token)
            .await
            .expect(200);
        assert!(
            codes(&reply).contains(&BA_DINH.to_owned()),
            "q={q}: {}",
            reply.body
        );
    }
    let reply = app
        .get("/api/v1/units?q=ba%20dinh&parent=01", &v.token)
        .await
        .expect(200);
    assert_eq!(codes(&reply), vec![BA_DINH]);
    let unit = &reply.body["items"][0];
    assert_eq!(unit["name"], "Phường Ba Đình");
    assert_eq!(unit["kind"], "phuong");
    assert_eq!(unit["parent_code"], HANOI);
    assert_eq!(unit["active"], true);
}

#[actix_web::test]
async fn filters_and_paginates_in_code_order() {
    let app = TestApp::init().empty().await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let provinces = app
        .get("/api/v1/units?parent=&kind=tinh&limit=500", &v.token)
        .await
        .expect(200);
    let tinh = codes(&provinces);
    let cities = app
        .get("/api/v1/units?kind=thanh-pho&limit=500", &v.token)
        .await
        .expect(200);
    assert_eq!(tinh.len() + codes(&cities).len(), 34);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/units?parent=01&limit=40&cursor={c}"),
            None => "/api/v1/units?parent=01&limit=40".to_owned(),
        };
        let page = app.get(&path, &v.token).await.expect(200);
        seen.extend(codes(&page));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "pages are in code order without repeats");
    assert_eq!(seen.len(), 126, "Hà Nội has 126 communes and wards");
    // Units are public reference data: a Hà Nội volunteer reads Hồ Chí Minh City's map.
    let other = app
        .get(&format!("/api/v1/units/{SAI_GON}"), &v.token)
        .await
        .expect(200);
    assert_eq!(other.body["parent_code"], "79");
}

#[actix_web::test]
async fn invalid_queries_name_the_parameter() {
    let app = TestApp::init().empty().await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let body = app
        .get("/api/v1/units?limit=0", &v.token)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["limit"]);
    let body = app
        .get("/api/v1/units?limit=501", &v.token)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["limit"]);
    let body = app
        .get("/api/v1/units?limit=abc", &v.token)
        .await
        .problem(400);
    assert_eq!(Reply::fields(&body), vec!["limit"]);
    let body = app
        .get("/api/v1/units?kind=huyen", &v.token)
        .await
        .problem(400);
    assert_eq!(Reply::fields(&body), vec!["kind"]);
    let body = app.get("/api/v1/units?cursor=%%%", &v.token).await;
    assert!(body.status.is_client_error());
    let body = app
        .get("/api/v1/units?cursor=bm90LWEtY3Vyc29y!", &v.token)
        .await
        .problem(422);
    assert_eq!(Reply::fields(&body), vec!["cursor"]);
}

#[actix_web::test]
async fn one_unit_or_404() {
    let app = TestApp::init().empty().await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let unit = app.get("/api/v1/units/01", &v.token).await.expect(200);
    assert_eq!(unit.body["name"], "Hà Nội");
    assert_eq!(unit.body["official_name"], "Thành phố Hà Nội");
    assert!(unit.body["parent_code"].is_null());
    app.get("/api/v1/units/99999", &v.token).await.problem(404);
}

/// A new map renames, adds and drops units: dropped ones stay, inactive.
#[actix_web::test]
async fn import_upserts_and_deactivates() {
    let app = TestApp::init().empty().await;
    let v = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
    let mut lines: Vec<String> = gocua::units::import::EMBEDDED_MAP
        .lines()
        .map(str::to_owned)
        .collect();
    lines.retain(|l| !l.starts_with("00008,"));
    for l in lines.iter_mut() {
        if l.starts_with("00004,") {
            *l = "00004,Phường Ba Đình Mới,phuong,01,Phường Ba Đình Mới".into();
        }
    }
    lines.push("99001,Đặc khu Thử,dac-khu,01,Đặc khu Thử".into());
    let csv = lines.join("\n");
    let pool = app.pool.clone();
    let report = web::block(move || {
        let mut conn = pool.get().unwrap();
        gocua::units::import::import(&mut conn, &csv).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.deactivated),
        (1, 1, 1)
    );
    let renamed = app.get("/api/v1/units/00004", &v.token).await.expect(200);
    assert_eq!(renamed.body["name"], "Phường Ba Đình Mới");
    let gone = app.get("/api/v1/units/00008", &v.token).await.expect(200);
    assert_eq!(gone.body["active"], false);
    let found = app
        .get("/api/v1/units?q=dac%20khu%20thu", &v.token)
        .await
        .expect(200);
    assert_eq!(codes(&found), vec!["99001"]);
    // The user of a unit that is still there keeps working.
    app.get("/api/v1/me", &v.token).await.expect(200);
}
