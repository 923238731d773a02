//! Answers in the volunteer's language: problem `title`, `detail` and every `message` are
//! Vietnamese by default and English with `Accept-Language: en`; `code` values never
//! change; answers whose words depend on the language say so in `Vary`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::util::visit;
use crate::util::{Reply, TestApp};

/// Sends `body` to `path` with an `Accept-Language`, if any.
async fn in_language(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    language: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut req = app.server.request(method, app.server.url(path));
    if let Some(t) = token {
        req = req.insert_header(("Authorization", format!("Bearer {t}")));
    }
    if let Some(l) = language {
        req = req.insert_header(("Accept-Language", l));
    }
    let res = match body {
        Some(b) => req.send_json(&b).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    Reply::read(res).await
}

fn varies_by_language(reply: &Reply) -> bool {
    reply.headers.get_all("vary").any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-language")
    })
}

#[actix_web::test]
async fn problems_are_vietnamese_by_default_and_english_when_asked() {
    let (app, f) = TestApp::init().with_field().await;
    let mut bad = visit(&f.team);
    bad["people_guided"] = json!(99);
    bad["location"] = json!({"lat": 48.85, "lon": 2.35});
    let mut answers = Vec::new();
    for language in [
        None,
        Some("vi-VN,vi;q=0.9"),
        Some("en-US,en;q=0.9,vi;q=0.5"),
    ] {
        let reply = in_language(
            &app,
            Method::POST,
            "/api/v1/visits",
            Some(f.member.token.as_str()),
            language,
            Some(bad.clone()),
        )
        .await;
        assert!(varies_by_language(&reply), "{:?}", reply.headers);
        let mut problem = reply.problem(422);
        problem.as_object_mut().unwrap().remove("request_id");
        answers.push(problem);
    }
    let (default, vietnamese, english) = (&answers[0], &answers[1], &answers[2]);
    assert_eq!(default, vietnamese, "Vietnamese is the default");
    assert_eq!(default["title"], "Dữ liệu không hợp lệ");
    assert_eq!(english["title"], "Validation failed");
    assert_eq!(english["detail"], "3 fields are invalid");
    assert_eq!(default["detail"], "3 trường không hợp lệ");
    let codes = |p: &Value| -> Vec<(String, String)> {
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().into(),
                    e["code"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(codes(default), codes(english), "codes never change");
    let message = |p: &Value, field: &str| -> String {
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(message(english, "people_guided"), "0 to 50");
    assert_eq!(message(default, "people_guided"), "Từ 0 đến 50");
    assert_eq!(
        message(english, "location.lat"),
        "latitude outside Vietnam (6.0–23.5)"
    );
    assert_eq!(
        message(default, "location.lat"),
        "Vĩ độ nằm ngoài Việt Nam (6.0–23.5)"
    );
    // A one-field 422 names the field in its detail, in either language.
    let vi = app.login("0912", "x").await.problem(422);
    assert_eq!(vi["detail"], "phone: Không phải số di động Việt Nam");
    let en = in_language(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some("en"),
        Some(json!({"phone": "0912", "password": "x"})),
    )
    .await
    .problem(422);
    assert_eq!(en["detail"], "phone: not a Vietnamese mobile number");
    assert_eq!(en["errors"][0]["code"], vi["errors"][0]["code"]);
}

#[actix_web::test]
async fn every_kind_of_problem_speaks_both_languages() {
    let (app, f) = TestApp::init().with_field().await;
    let cases = [
        (
            Method::GET,
            "/api/v1/me",
            None::<&str>,
            401,
            "Hãy gửi Authorization: Bearer <mã truy cập>",
            "send Authorization: Bearer <access token>",
        ),
        (
            Method::GET,
            "/api/v1/visits/0b6c8f4e-1111-4a4a-9c9c-123456789abc",
            Some(f.member.token.as_str()),
            404,
            "Không tìm thấy bản ghi",
            "record not found",
        ),
        (
            Method::GET,
            "/api/v1/nowhere",
            Some(f.member.token.as_str()),
            404,
            "Không có địa chỉ API này",
            "no such endpoint",
        ),
        (
            Method::GET,
            "/api/v1/users",
            Some(f.member.token.as_str()),
            403,
            "Chỉ giám sát viên và quản trị viên được làm việc này",
            "only supervisors and admins may do this",
        ),
        (
            Method::DELETE,
            "/api/v1/me",
            Some(f.member.token.as_str()),
            405,
            "Địa chỉ này chỉ nhận GET",
            "this path answers GET",
        ),
    ];
    for (method, path, token, status, vi, en) in cases {
        let default = in_language(&app, method.clone(), path, token, None, None)
            .await
            .problem(status);
        assert_eq!(default["detail"], vi, "{path}");
        let english = in_language(&app, method, path, token, Some("en"), None)
            .await
            .problem(status);
        assert_eq!(english["detail"], en, "{path}");
        assert_eq!(english["type"], default["type"]);
        assert_ne!(english["title"], default["title"]);
    }
}

#[actix_web::test]
async fn a_sync_answers_each_refused_record_in_the_callers_language() {
    let (app, f) = TestApp::init().with_field().await;
    let mut bad = visit(&f.team);
    bad["people_guided"] = json!(99);
    let batch = json!({"visits": [bad]});
    for (language, words) in [(None, "Từ 0 đến 50"), (Some("en"), "0 to 50")] {
        let reply = in_language(
            &app,
            Method::POST,
            "/api/v1/sync",
            Some(f.member.token.as_str()),
            language,
            Some(batch.clone()),
        )
        .await
        .expect(200);
        assert!(varies_by_language(&reply));
        let error = &reply.body["results"][0]["errors"][0];
        assert_eq!(error["code"], "out_of_range");
        assert_eq!(error["message"], words);
    }
}
