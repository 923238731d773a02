//! The wire around the JSON: gzip request bodies (the size limit on what they inflate to),
//! compressed answers, `Cache-Control` and `Vary`, and CSV cells no spreadsheet runs.

use std::io::{Read, Write};

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::util::visit;
use crate::util::{Reply, TestApp};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// POSTs `body` with a `Content-Encoding`, as a phone on a slow link does.
async fn post_encoded(
    app: &TestApp,
    path: &str,
    token: &str,
    encoding: &str,
    body: Vec<u8>,
) -> Reply {
    let res = app
        .server
        .post(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Content-Encoding", encoding))
        .send_body(body)
        .await
        .unwrap();
    Reply::read(res).await
}

#[actix_web::test]
async fn a_gzip_batch_of_1000_records_syncs() {
    let (app, f) = TestApp::init().with_field().await;
    let visits: Vec<Value> = (0..1000).map(|_| visit(&f.team)).collect();
    let raw = serde_json::to_vec(&json!({"visits": visits})).unwrap();
    let packed = gzip(&raw);
    assert!(
        packed.len() * 4 < raw.len(),
        "{} vs {}",
        packed.len(),
        raw.len()
    );
    let reply = post_encoded(&app, "/api/v1/sync", &f.member.token, "gzip", packed)
        .await
        .expect(200);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    assert!(results.iter().all(|r| r["status"] == "created"));
    let listed = app
        .get("/api/v1/visits?limit=500", &f.member.token)
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 500);
    // A single create may come gzipped too.
    let one = serde_json::to_vec(&visit(&f.team)).unwrap();
    post_encoded(&app, "/api/v1/visits", &f.member.token, "gzip", gzip(&one))
        .await
        .expect(201);
}

#[actix_web::test]
async fn bombs_corrupt_and_unknown_encodings_are_refused() {
    let (app, f) = TestApp::init()
        .with_config(|c| c.max_body_bytes = 64 * 1024)
        .with_field()
        .await;
    // 50 MB of spaces (valid JSON whitespace) packs into ~50 KB, under the limit as sent.
    let mut bomb = b"{\"visits\": []".to_vec();
    bomb.extend(std::iter::repeat_n(b' ', 50 * 1024 * 1024));
    bomb.push(b'}');
    let packed = gzip(&bomb);
    assert!(packed.len() < 64 * 1024);
    let problem = post_encoded(&app, "/api/v1/sync", &f.member.token, "gzip", packed)
        .await
        .problem(413);
    assert!(problem["detail"].as_str().unwrap().contains("65536"));
    post_encoded(
        &app,
        "/api/v1/sync",
        &f.member.token,
        "gzip",
        b"not gzip at all".to_vec(),
    )
    .await
    .problem(400);
    let body = serde_json::to_vec(&json!({"visits": [visit(&f.team)]})).unwrap();
    post_encoded(&app, "/api/v1/sync", &f.member.token, "br", body)
        .await
        .problem(415);
    let listed = app.get("/api/v1/visits", &f.member.token).await.expect(200);
    assert_eq!(listed.body["items"], json!([]), "nothing was stored");
}

#[actix_web::test]
async fn answers_are_compressed_when_asked() {
    let (app, f) = TestApp::init().with_field().await;
    let visits: Vec<Value> = (0..200).map(|_| visit(&f.team)).collect();
    app.post("/api/v1/sync", &f.member.token, json!({"visits": visits}))
        .await
        .expect(200);
    for (encoding, unpack) in [
        (
            "gzip",
            (|b: &[u8]| {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(b)
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }) as fn(&[u8]) -> Vec<u8>,
        ),
        ("br", |b: &[u8]| {
            let mut out = Vec::new();
            brotli_decompress(b, &mut out);
            out
        }),
    ] {
        let mut res = app
            .server
            .get("/api/v1/visits?limit=200")
            .insert_header(("Authorization", format!("Bearer {}", f.member.token)))
            .insert_header(("Accept-Encoding", encoding))
            .no_decompress()
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers().get("content-encoding").unwrap(),
            encoding,
            "{encoding}"
        );
        let vary = res
            .headers()
            .get_all("vary")
            .map(|v| v.to_str().unwrap().to_lowercase())
            .collect::<Vec<_>>()
            .join(",");
        assert!(vary.contains("accept-encoding"), "{vary}");
        let packed = res.body().limit(16 * 1024 * 1024).await.unwrap();
        let page: Value = serde_json::from_slice(&unpack(&packed)).unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 200);
    }
    let plain = app
        .server
        .get("/api/v1/visits")
        .insert_header(("Authorization", format!("Bearer {}", f.member.token)))
        .insert_header(("Accept-Encoding", "identity"))
        .no_decompress()
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
}

/// Brotli decoding with the decompressor actix-web's own brotli encoder builds on.
fn brotli_decompress(packed: &[u8], out: &mut Vec<u8>) {
    let mut reader = brotli_decompressor::Decompressor::new(packed, 4096);
    reader.read_to_end(out).unwrap();
}

#[actix_web::test]
async fn tokens_and_keys_are_never_stored_by_caches() {
    let (app, f) = TestApp::init().with_field().await;
    let login = app
        .login(&f.member.phone, crate::util::PASSWORD)
        .await
        .expect(200);
    assert_eq!(login.headers.get("cache-control").unwrap(), "no-store");
    let refreshed = app
        .call(
            actix_web::http::Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": login.body["refresh_token"]})),
        )
        .await
        .expect(200);
    assert_eq!(refreshed.headers.get("cache-control").unwrap(), "no-store");
    let key = app
        .post(
            "/api/v1/api-keys",
            &f.sup.token,
            json!({"name": "Bảng điều khiển", "unit_code": "00004"}),
        )
        .await
        .expect(201);
    assert_eq!(key.headers.get("cache-control").unwrap(), "no-store");
}

#[actix_web::test]
async fn csv_cells_never_run_as_formulas_and_negotiated_answers_vary() {
    let (app, f) = TestApp::init().with_field().await;
    let mut body = visit(&f.team);
    body["note"] = json!("=1+1");
    body["hamlet"] = json!("@SUM(A1)");
    body["household_ref"] = json!("-2+3");
    app.post("/api/v1/visits", &f.member.token, body)
        .await
        .expect(201);
    let (status, headers, bytes) = app
        .get_bytes("/api/v1/exports/visits.csv", &f.sup.token, None)
        .await;
    assert_eq!(status, 200);
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8(bytes).unwrap();
    for guarded in ["'=1+1", "'@SUM(A1)", "'-2+3"] {
        assert!(text.contains(guarded), "{guarded} in {text}");
    }
    assert!(!text.contains(",=1+1"), "{text}");
    // A team's name reaches the breakdown's label.
    let team = app
        .post(
            "/api/v1/teams",
            &f.sup.token,
            json!({"commune_code": "00004", "name": "+Tổ 9"}),
        )
        .await
        .expect(201);
    let team_id = team.body["id"].as_str().unwrap();
    app.call(
        actix_web::http::Method::PUT,
        &format!("/api/v1/teams/{team_id}/members/{}", f.member.id),
        Some(&f.sup.token),
        Some(json!({"role": "member"})),
    )
    .await
    .expect(200);
    app.post("/api/v1/visits", &f.member.token, visit(team_id))
        .await
        .expect(201);
    let (_, headers, bytes) = app
        .get_bytes(
            "/api/v1/stats/breakdown?unit=00004&by=team",
            &f.sup.token,
            Some("text/csv"),
        )
        .await;
    assert_eq!(headers.get("vary").unwrap(), "Accept");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("'+Tổ 9"), "{text}");
    assert!(text.contains(team.body["id"].as_str().unwrap()));
    let json = app
        .get("/api/v1/stats/summary?unit=00004", &f.sup.token)
        .await
        .expect(200);
    assert_eq!(json.headers.get("vary").unwrap(), "Accept");
}
