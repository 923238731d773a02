//! The edge (issue 31): an integral JSON number is an integer wherever one is taken (`2.0`,
//! `2e0` stored as 2), a fraction is 422 naming the field, and no message names a type of
//! the implementation, in either language.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::sessions::session;
use crate::util::{BA_DINH, Reply, TestApp};
use crate::util::{CITIZEN, assist, visit};

/// Words of Rust that must never reach a person.
const RUST_WORDS: [&str; 14] = [
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f64", "usize", "struct", "Vec",
    "Option", "enum ",
];

/// Sends raw JSON text (so `2.0` and `2e0` reach the server as written).
async fn send_text(app: &TestApp, path: &str, token: &str, text: String, lang: &str) -> Reply {
    let res = app
        .server
        .request(Method::POST, app.server.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Accept-Language", lang))
        .send_body(text)
        .await
        .unwrap();
    Reply::read(res).await
}

/// `body` as text with `field`'s value written as `number` exactly.
fn with_number(body: &Value, field: &str, number: &str) -> String {
    let mut body = body.clone();
    body[field] = json!("@@NUMBER@@");
    body.to_string().replace("\"@@NUMBER@@\"", number)
}

fn only_error(problem: &Value) -> (String, String, String) {
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    let e = &errors[0];
    (
        e["field"].as_str().unwrap().to_owned(),
        e["code"].as_str().unwrap().to_owned(),
        e["message"].as_str().unwrap().to_owned(),
    )
}

/// Checks the words of a problem; its random `request_id` is left out (a UUID may hold `f64`).
fn assert_no_rust(problem: &Value) {
    let mut words = problem.clone();
    words.as_object_mut().unwrap().remove("request_id");
    let text = words.to_string();
    for word in RUST_WORDS {
        assert!(!text.contains(word), "{word} in {text}");
    }
}

#[actix_web::test]
async fn integral_numbers_are_integers_on_every_kind_and_fractions_are_refused() {
    let (app, f) = TestApp::init().with_field().await;
    let token = f.member.token.as_str();
    for number in ["2.0", "2e0", "2.000"] {
        let body = visit(&f.team);
        let created = send_text(
            &app,
            "/api/v1/visits",
            token,
            with_number(&body, "people_guided", number),
            "vi",
        )
        .await
        .expect(201);
        assert_eq!(created.body["people_guided"], json!(2), "{number}");
        let id = body["id"].as_str().unwrap();
        let stored = app
            .get(&format!("/api/v1/visits/{id}"), token)
            .await
            .expect(200);
        assert!(stored.body["people_guided"].is_i64(), "{}", stored.body);
        assert_eq!(stored.body["people_guided"], json!(2));
        // Retried as plain `2`, the same record is unchanged.
        let retried = app.post("/api/v1/visits", token, body).await.expect(200);
        assert_eq!(retried.body["people_guided"], json!(2));
    }
    let session_body = session(&f.team, 30);
    send_text(
        &app,
        "/api/v1/training-sessions",
        token,
        with_number(&session_body, "attendees", "30.0"),
        "vi",
    )
    .await
    .expect(201);
    let assist_body = assist(&f.team, CITIZEN, "install", "success");
    send_text(
        &app,
        "/api/v1/vneid-assists",
        token,
        with_number(&assist_body, "birth_year", "1985.0"),
        "vi",
    )
    .await
    .expect(201);

    for (lang, words) in [
        ("vi", "Phải là số nguyên"),
        ("en", "must be a whole number"),
    ] {
        let refused = send_text(
            &app,
            "/api/v1/visits",
            token,
            with_number(&visit(&f.team), "people_guided", "2.5"),
            lang,
        )
        .await
        .problem(422);
        assert_eq!(
            only_error(&refused),
            (
                "people_guided".to_owned(),
                "invalid_type".to_owned(),
                words.to_owned()
            )
        );
        assert_no_rust(&refused);
    }
    let refused = send_text(
        &app,
        "/api/v1/training-sessions",
        token,
        with_number(&session(&f.team, 30), "attendees", "30.5"),
        "en",
    )
    .await
    .problem(422);
    assert_eq!(only_error(&refused).0, "attendees");
}

#[actix_web::test]
async fn a_sync_batch_takes_integral_numbers_and_names_a_fraction() {
    let (app, f) = TestApp::init().with_field().await;
    let whole = visit(&f.team);
    let half = visit(&f.team);
    let text = format!(
        r#"{{"visits": [{}, {}]}}"#,
        with_number(&whole, "people_guided", "3.0"),
        with_number(&half, "people_guided", "3.5")
    );
    let reply = send_text(&app, "/api/v1/sync", &f.member.token, text, "en")
        .await
        .expect(200);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "created", "{}", reply.body);
    assert_eq!(results[1]["status"], "invalid");
    assert_eq!(results[1]["errors"][0]["field"], "people_guided");
    assert_eq!(results[1]["errors"][0]["message"], "must be a whole number");
    let id = whole["id"].as_str().unwrap();
    let stored = app
        .get(&format!("/api/v1/visits/{id}"), &f.member.token)
        .await
        .expect(200);
    assert_eq!(stored.body["people_guided"], json!(3));
}

#[actix_web::test]
async fn population_figures_take_integral_numbers() {
    let (app, admin) = TestApp::init().with_admin().await;
    let text = r#"{"year": 2025.0, "residents": 9800.0, "adults": 6.2e3, "aged_15_plus": 6900, "households": 2600}"#;
    let reply = app
        .server
        .request(
            Method::PUT,
            app.server
                .url(&format!("/api/v1/units/{BA_DINH}/population")),
        )
        .insert_header(("Authorization", format!("Bearer {}", admin.token)))
        .insert_header(("Content-Type", "application/json"))
        .send_body(text)
        .await
        .unwrap();
    let set = Reply::read(reply).await.expect(200);
    assert_eq!(set.body["adults"], json!(6200));
    assert_eq!(set.body["year"], json!(2025));
}

#[actix_web::test]
async fn wrong_types_are_told_in_words_for_people_in_both_languages() {
    let (app, f) = TestApp::init().with_field().await;
    let cases = [
        ("location", json!("Hà Nội"), "must be an object"),
        ("topics", json!("vneid"), "must be a list"),
        ("people_guided", json!("hai"), "must be a whole number"),
        (
            "people_guided",
            json!(3_000_000_000_i64),
            "out of the allowed range",
        ),
        ("occurred_at", json!(5), "must be text"),
        ("team_id", json!(["x"]), "must be text"),
        ("note", json!(5), "must be text"),
        ("outcome", json!("maybe"), "must be one of: "),
    ];
    for (field, value, english) in cases {
        for lang in ["vi", "en"] {
            let mut body = visit(&f.team);
            body[field] = value.clone();
            let refused = send_text(
                &app,
                "/api/v1/visits",
                &f.member.token,
                body.to_string(),
                lang,
            )
            .await
            .problem(422);
            assert_no_rust(&refused);
            let errors = refused["errors"].as_array().unwrap();
            let error = errors
                .iter()
                .find(|e| e["field"] == field)
                .unwrap_or_else(|| panic!("{field}: {refused}"));
            let message = error["message"].as_str().unwrap();
            if lang == "en" {
                assert!(message.starts_with(english), "{field}: {message}");
            } else {
                assert!(
                    !message.is_empty() && !message.contains("must"),
                    "{message}"
                );
            }
        }
    }
}
