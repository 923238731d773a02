//! Hostile clients: stalled and trickling bodies, oversized and deeply nested JSON, huge
//! strings, and list limits. Each is refused quickly with problem+json, and the server keeps
//! serving others.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use gocua::access::Role;
use serde_json::json;

use crate::util::visit;
use crate::util::{BA_DINH, HANOI, Reply, TestApp};

/// Sends a request head and the first `sent` bytes of a body that claims `length` bytes,
/// then `trickle` more bytes one every `every`; returns the answer and how long it took.
fn slow_post(
    addr: &str,
    length: usize,
    sent: usize,
    trickle: usize,
    every: Duration,
) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let start = Instant::now();
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n{}",
        " ".repeat(sent)
    )
    .unwrap();
    for _ in 0..trickle {
        std::thread::sleep(every);
        if stream.write_all(b" ").is_err() {
            break;
        }
    }
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).unwrap_or(0);
    (
        String::from_utf8_lossy(&answer[..n]).into_owned(),
        start.elapsed(),
    )
}

#[actix_web::test]
async fn stalled_and_trickling_bodies_time_out_with_408() {
    let app = TestApp::init()
        .with_config(|c| {
            c.body_idle_timeout = Duration::from_secs(1);
            c.body_timeout = Duration::from_secs(3);
        })
        .empty()
        .await;
    let addr = app.server.addr().to_string();
    let stalled = {
        let addr = addr.clone();
        std::thread::spawn(move || slow_post(&addr, 100, 10, 0, Duration::ZERO))
    };
    let trickling = {
        let addr = addr.clone();
        std::thread::spawn(move || slow_post(&addr, 100, 0, 60, Duration::from_millis(300)))
    };
    // While both hang on, others are served.
    let admin = app.admin().await;
    app.get("/api/v1/me", &admin.token).await.expect(200);

    let (answer, took) = stalled.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        took < Duration::from_secs(3),
        "stalled body answered after {took:?}"
    );
    let (answer, took) = trickling.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(6),
        "trickling body answered after {took:?}"
    );
}

#[actix_web::test]
async fn oversized_nested_and_huge_inputs_are_refused() {
    let (app, f) = TestApp::init().with_field().await;

    // Larger than the limit, declared: refused from the header alone, before the body is
    // sent (a client still sending when the server closes would only see a broken pipe).
    let addr = app.server.addr();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        3 * 1024 * 1024
    );
    let answer = actix_web::web::block(move || -> std::io::Result<String> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
        stream.write_all(head.as_bytes())?;
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).trim_end().ends_with('}') {
            match stream.read(&mut chunk)? {
                0 => break,
                n => answer.extend_from_slice(&chunk[..n]),
            }
        }
        Ok(String::from_utf8_lossy(&answer).into_owned())
    })
    .await
    .unwrap()
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // Streamed without a length: refused once the limit is read (the stream ends one chunk
    // past it, so the client is done sending by the time the answer comes).
    let big = vec![b' '; 2 * 1024 * 1024 + 64 * 1024];
    let mut res = app
        .server
        .post("/api/v1/sync")
        .insert_header(("content-type", "application/json"))
        .insert_header(("Authorization", format!("Bearer {}", f.member.token)))
        .send_stream(futures_util::stream::iter(
            big.chunks(64 * 1024)
                .map(|c| Ok::<_, std::io::Error>(actix_web::web::Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        ))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    let _ = res.body().await;

    // Nesting far past what any record has: refused by the parser's depth limit, not a crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for path in ["/api/v1/sync", "/api/v1/visits"] {
        let mut res = app
            .server
            .post(path)
            .insert_header(("content-type", "application/json"))
            .insert_header(("Authorization", format!("Bearer {}", f.member.token)))
            .send_body(format!(r#"{{"visits": {deep}}}"#))
            .await
            .unwrap();
        assert!(
            [400, 422].contains(&res.status().as_u16()),
            "{path}: {}",
            res.status()
        );
        let _ = res.body().await;
    }

    // A 1.5 MB note fits the body limit but not the field: 422 naming it, nothing stored.
    let mut body = visit(&f.team);
    body["note"] = json!("ư".repeat(750_000));
    let problem = app
        .post("/api/v1/visits", &f.member.token, body.clone())
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["note"]);
    app.get(
        &format!("/api/v1/visits/{}", body["id"].as_str().unwrap()),
        &f.member.token,
    )
    .await
    .problem(404);

    // The server is still itself.
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
}

#[actix_web::test]
async fn every_list_caps_its_limit() {
    let (app, admin) = TestApp::init().with_admin().await;
    let sup = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
    let team = app
        .post(
            "/api/v1/teams",
            &sup.token,
            json!({"commune_code": BA_DINH, "name": "Tổ giới hạn"}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let webhook = app
        .post(
            "/api/v1/webhooks",
            &admin.token,
            json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": ["record.created"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let spec = gocua::app::openapi();
    let mut lists = 0;
    for (path, item) in &spec.paths.paths {
        let Some(get) = &item.get else { continue };
        let has_limit = get
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, utoipa::openapi::RefOr::T(p) if p.name == "limit"));
        if !has_limit {
            continue;
        }
        lists += 1;
        let base = if path == "/api/v1/follow-ups" {
            format!("{path}?team={team}&")
        } else if path == "/api/v1/webhooks/{id}/deliveries" {
            format!("/api/v1/webhooks/{webhook}/deliveries?")
        } else {
            format!("{path}?")
        };
        for (limit, status) in [("500", 200), ("501", 422), ("0", 422), ("-1", 422)] {
            let reply = app.get(&format!("{base}limit={limit}"), &admin.token).await;
            assert_eq!(
                reply.status.as_u16(),
                status,
                "{path} limit={limit}: {}",
                reply.body
            );
            if status == 422 {
                assert_eq!(Reply::fields(&reply.body), vec!["limit"], "{path}");
            }
        }
    }
    assert!(lists >= 10, "only {lists} list endpoints found");
}
