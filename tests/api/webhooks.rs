//! Webhooks against a real local receiver: signed deliveries of the unit's events, in
//! order, retried after a 500 and a timeout, `failed` at the end of a (shortened) schedule,
//! stopped by a delete, and receivers on the server's own network refused.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::util::{CITIZEN, assist, visit};
use crate::util::{HANOI, Reply, TestApp};

/// How a receiver answers one delivery.
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    Slow(Duration),
}

#[derive(Default)]
struct Shared {
    got: Mutex<Vec<(HashMap<String, String>, String)>>,
    plan: Mutex<VecDeque<Answer>>,
    otherwise: Mutex<Option<u16>>,
}

/// A dashboard's receiver on 127.0.0.1, answering as planned (200 once the plan is spent).
struct Receiver {
    server: actix_test::TestServer,
    shared: Arc<Shared>,
}

async fn hook(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    shared
        .got
        .lock()
        .unwrap()
        .push((headers, String::from_utf8_lossy(&body).into_owned()));
    let next = shared.plan.lock().unwrap().pop_front();
    let otherwise = shared.otherwise.lock().unwrap().unwrap_or(200);
    match next.unwrap_or(Answer::Status(otherwise)) {
        Answer::Status(code) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish()
        }
        Answer::Slow(wait) => {
            actix_web::rt::time::sleep(wait).await;
            HttpResponse::Ok().finish()
        }
    }
}

impl Receiver {
    fn start(plan: &[Answer], otherwise: u16) -> Self {
        let shared = Arc::new(Shared::default());
        shared.plan.lock().unwrap().extend(plan.iter().copied());
        *shared.otherwise.lock().unwrap() = Some(otherwise);
        let data = web::Data::from(shared.clone());
        let server = actix_test::start(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .route("/hook", web::post().to(hook))
        });
        Self { server, shared }
    }

    fn url(&self) -> String {
        self.server.url("/hook")
    }

    fn bodies(&self) -> Vec<Value> {
        self.got()
            .into_iter()
            .map(|(_, b)| serde_json::from_str(&b).unwrap())
            .collect()
    }

    fn got(&self) -> Vec<(HashMap<String, String>, String)> {
        self.shared.got.lock().unwrap().clone()
    }

    /// Waits until `n` deliveries arrived (at most 20 s).
    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        while self.got().len() < n && start.elapsed() < Duration::from_secs(20) {
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let bodies = self.bodies();
        assert!(
            bodies.len() >= n,
            "{} of {n} deliveries: {bodies:?}",
            bodies.len()
        );
        bodies
    }
}

/// A server that delivers fast: polls every 50 ms, retries after 1 s, then 2 s, …, gives up
/// 6 s after the event, and waits 1 s for an answer.
fn quick(private: bool) -> impl FnOnce(&mut gocua::config::Config) + 'static {
    move |c| {
        c.webhooks.allow_private = private;
        c.webhooks.poll = Duration::from_millis(50);
        c.webhooks.first_retry = Duration::from_secs(1);
        c.webhooks.give_up_after = Duration::from_secs(6);
        c.webhooks.timeout = Duration::from_secs(1);
    }
}

fn verified(secret: &str, headers: &HashMap<String, String>, body: &str) -> bool {
    let signature = &headers["gocua-signature"];
    let (t, v1) = signature
        .split_once(',')
        .map(|(t, v)| (t.trim_start_matches("t="), v.trim_start_matches("v1=")))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    want == v1
}

/// A Hà Nội webhook of `record.created` only.
async fn created_in_hanoi(app: &TestApp, token: &str, url: &str) -> Value {
    subscribe(app, token, url, HANOI, json!(["record.created"])).await
}

async fn subscribe(app: &TestApp, token: &str, url: &str, unit: &str, events: Value) -> Value {
    app.post(
        "/api/v1/webhooks",
        token,
        json!({"url": url, "unit_code": unit, "events": events, "description": "Bảng điều khiển"}),
    )
    .await
    .expect(201)
    .body
}

#[actix_web::test]
async fn a_receiver_gets_the_units_events_signed_and_in_order() {
    let (app, f) = TestApp::init().with_config(quick(true)).with_field().await;
    let receiver = Receiver::start(&[], 200);
    let elsewhere = Receiver::start(&[], 200);
    let admin = app.admin().await;
    let hook = subscribe(
        &app,
        &f.province.token,
        &receiver.url(),
        HANOI,
        json!(["record.created", "record.changed", "certification.changed"]),
    )
    .await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let id = hook["id"].as_str().unwrap().to_owned();
    let shown = app
        .get(&format!("/api/v1/webhooks/{id}"), &f.province.token)
        .await
        .expect(200);
    assert!(shown.body.get("secret").is_none());
    let listed = app
        .get("/api/v1/webhooks", &f.province.token)
        .await
        .expect(200);
    assert!(!listed.body.to_string().contains(&secret));
    subscribe(
        &app,
        &admin.token,
        &elsewhere.url(),
        "79",
        json!(["record.created"]),
    )
    .await;

    let v = app
        .post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let a = app
        .post(
            "/api/v1/vneid-assists",
            &f.member.token,
            assist(&f.team, CITIZEN, "install", "success"),
        )
        .await
        .expect(201);
    let visit_id = v.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/visits/{visit_id}/review"),
        &f.sup.token,
        json!({"status": "approved"}),
    )
    .await
    .expect(200);
    let bodies = receiver.wait_for(3).await;
    let kinds: Vec<(&str, &str)> = bodies
        .iter()
        .map(|b| {
            (
                b["type"].as_str().unwrap(),
                b["data"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("record.created", visit_id.as_str()),
            ("record.created", a.body["id"].as_str().unwrap()),
            ("record.changed", visit_id.as_str()),
        ]
    );
    assert_eq!(bodies[2]["data"]["review_status"], "approved");
    assert_eq!(bodies[0]["data"]["kind"], "visit");
    assert_eq!(bodies[0]["unit_code"], crate::util::BA_DINH);
    for (headers, body) in receiver.got() {
        assert!(verified(&secret, &headers, &body), "{headers:?}");
        let event: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(headers["gocua-event-id"], event["id"].as_str().unwrap());
        assert_eq!(headers["gocua-event-type"], event["type"].as_str().unwrap());
        assert!(
            !body.contains(CITIZEN) && !body.contains("citizen"),
            "{body}"
        );
        assert!(!body.contains(&f.member.phone[1..]), "{body}");
    }
    assert!(!verified(
        "whsec_other",
        &receiver.got()[0].0,
        &receiver.got()[0].1
    ));

    // A test ping, through the outbox like any event.
    let ping = app
        .post(
            &format!("/api/v1/webhooks/{id}/test"),
            &f.province.token,
            json!({}),
        )
        .await
        .expect(202);
    let bodies = receiver.wait_for(4).await;
    assert_eq!(bodies[3]["type"], "ping");
    assert_eq!(bodies[3]["id"], ping.body["event_id"]);

    let log = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?status=delivered"),
            &f.province.token,
        )
        .await
        .expect(200);
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(
        items
            .iter()
            .all(|d| d["attempts"] == 1 && d["last_status_code"] == 200)
    );
    assert!(items[0]["delivered_at"].is_string() && items[0]["next_attempt_at"].is_null());
    assert!(
        elsewhere.got().is_empty(),
        "another province's webhook heard nothing"
    );
}

#[actix_web::test]
async fn failures_are_retried_with_doubling_waits_then_failed() {
    let (app, f) = TestApp::init().with_config(quick(true)).with_field().await;
    // A 500, then a receiver slower than the 1 s timeout, then a 200.
    let flaky = Receiver::start(
        &[Answer::Status(500), Answer::Slow(Duration::from_secs(3))],
        200,
    );
    let dead = Receiver::start(&[], 503);
    let flaky_hook = created_in_hanoi(&app, &f.province.token, &flaky.url()).await;
    let dead_hook = created_in_hanoi(&app, &f.province.token, &dead.url()).await;
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    let log = |hook: &Value| {
        let path = format!(
            "/api/v1/webhooks/{}/deliveries",
            hook["id"].as_str().unwrap()
        );
        let app = &app;
        let token = f.province.token.clone();
        async move { app.get(&path, &token).await.expect(200).body["items"][0].clone() }
    };
    let start = Instant::now();
    let mut settled = (Value::Null, Value::Null);
    while start.elapsed() < Duration::from_secs(20) {
        settled = (log(&flaky_hook).await, log(&dead_hook).await);
        if settled.0["status"] != "pending" && settled.1["status"] != "pending" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let (flaky_log, dead_log) = settled;
    assert_eq!(flaky_log["status"], "delivered", "{flaky_log}");
    assert_eq!(flaky_log["attempts"], 3, "{flaky_log}");
    assert_eq!(flaky_log["last_status_code"], 200);
    assert_eq!(dead_log["status"], "failed", "{dead_log}");
    assert_eq!(
        dead_log["attempts"], 3,
        "tried at 0, 1 and 3 s; the next, at 7 s, is past 6 s"
    );
    assert_eq!(dead_log["last_status_code"], 503);
    assert!(dead_log["next_attempt_at"].is_null());
    let bodies = flaky.bodies();
    assert!(
        bodies.iter().all(|b| b["id"] == bodies[0]["id"]),
        "the same event each time"
    );
}

#[actix_web::test]
async fn a_deleted_webhook_gets_nothing_more() {
    let (app, f) = TestApp::init().with_config(quick(true)).with_field().await;
    let receiver = Receiver::start(&[], 500);
    let hook = created_in_hanoi(&app, &f.province.token, &receiver.url()).await;
    let id = hook["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    receiver.wait_for(1).await;
    app.call(
        Method::DELETE,
        &format!("/api/v1/webhooks/{id}"),
        Some(&f.province.token),
        None,
    )
    .await
    .expect(204);
    app.post("/api/v1/visits", &f.member.token, visit(&f.team))
        .await
        .expect(201);
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        receiver.got().len(),
        1,
        "neither the retry nor the new event went out"
    );
    app.get(&format!("/api/v1/webhooks/{id}"), &f.province.token)
        .await
        .problem(404);
    let listed = app
        .get("/api/v1/webhooks", &f.province.token)
        .await
        .expect(200);
    assert!(listed.body["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn receivers_on_the_servers_own_network_are_refused() {
    let (app, f) = TestApp::init().with_field().await;
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "private_address"),
        ("http://localhost/hook", "private_address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "private_address",
        ),
        ("http://10.0.0.8/hook", "private_address"),
        ("http://[::1]/hook", "private_address"),
        ("ftp://dashboard.example/hook", "invalid_url"),
        ("dashboard", "invalid_url"),
    ] {
        let problem = app
            .post(
                "/api/v1/webhooks",
                &f.province.token,
                json!({"url": url, "unit_code": HANOI, "events": ["record.created"]}),
            )
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "url", "{url}");
        assert_eq!(problem["errors"][0]["code"], code, "{url}");
    }
    let problem = app
        .post(
            "/api/v1/webhooks",
            &f.province.token,
            json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": []}),
        )
        .await
        .problem(422);
    assert_eq!(Reply::fields(&problem), vec!["events"]);
    app.post(
        "/api/v1/webhooks",
        &f.province.token,
        json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": ["stats.daily"]}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/webhooks",
        &f.sup.token,
        json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": ["record.created"]}),
    )
    .await
    .problem(403);
    app.post(
        "/api/v1/webhooks",
        &f.far_province.token,
        json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": ["record.created"]}),
    )
    .await
    .problem(404);
}

/// `occurred_at` at 10:00 Vietnam time, `days` days before today there.
fn local_morning(days: i64) -> String {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let day = chrono::Utc::now().with_timezone(&vn).date_naive() - chrono::Duration::days(days);
    format!("{day}T10:00:00+07:00")
}

#[actix_web::test]
async fn stats_daily_gives_every_commune_of_the_unit_the_day_that_ended_zeros_included() {
    let (app, f) = TestApp::init().with_config(quick(true)).with_field().await;
    let mut yesterday_visit = visit(&f.team);
    yesterday_visit["occurred_at"] = json!(local_morning(1));
    yesterday_visit["people_guided"] = json!(3);
    app.post("/api/v1/visits", &f.member.token, yesterday_visit)
        .await
        .expect(201);
    let mut yesterday_assist = assist(&f.team, CITIZEN, "install", "success");
    yesterday_assist["occurred_at"] = json!(local_morning(1));
    app.post("/api/v1/vneid-assists", &f.member.token, yesterday_assist)
        .await
        .expect(201);
    let mut earlier = visit(&f.team);
    earlier["occurred_at"] = json!(local_morning(2));
    app.post("/api/v1/visits", &f.member.token, earlier)
        .await
        .expect(201);

    let province = Receiver::start(&[], 200);
    let commune = Receiver::start(&[], 200);
    let elsewhere = Receiver::start(&[], 200);
    let admin = app.admin().await;
    let hook = subscribe(
        &app,
        &f.province.token,
        &province.url(),
        HANOI,
        json!(["stats.daily"]),
    )
    .await;
    subscribe(
        &app,
        &admin.token,
        &commune.url(),
        crate::util::BA_DINH,
        json!(["stats.daily", "record.created"]),
    )
    .await;
    subscribe(
        &app,
        &admin.token,
        &elsewhere.url(),
        "79",
        json!(["stats.daily"]),
    )
    .await;
    // Today's record is in no day that has ended (logged now: two hours ago may be
    // yesterday in Vietnam, just after midnight there).
    let mut today = visit(&f.team);
    today["occurred_at"] =
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    app.post("/api/v1/visits", &f.member.token, today)
        .await
        .expect(201);

    let day = local_morning(1)[..10].to_owned();
    let event = &province.wait_for(1).await[0];
    assert_eq!(event["type"], "stats.daily");
    assert_eq!(event["unit_code"], HANOI);
    assert_eq!(event["data"]["day"], day.as_str());
    let communes = event["data"]["communes"].as_array().unwrap();
    let units = app
        .get(
            &format!("/api/v1/units?parent={HANOI}&limit=500"),
            &admin.token,
        )
        .await
        .expect(200);
    assert_eq!(
        communes.len(),
        units.body["items"].as_array().unwrap().len(),
        "every commune of Hà Nội, worked or not"
    );
    let worked: Vec<&Value> = communes
        .iter()
        .filter(|c| c["commune_code"] == crate::util::BA_DINH)
        .collect();
    let m = &worked[0]["metrics"];
    assert_eq!(
        (
            m["visits"].as_i64(),
            m["households_guided"].as_i64(),
            m["people_guided"].as_i64(),
            m["vneid_installs"].as_i64(),
            m["unique_citizens_assisted"].as_i64(),
            m["active_volunteers"].as_i64(),
            m["signatures_issued"].as_i64()
        ),
        (
            Some(1),
            Some(1),
            Some(3),
            Some(1),
            Some(1),
            Some(1),
            Some(0)
        ),
        "yesterday only: neither the day before nor today"
    );
    let idle = communes
        .iter()
        .find(|c| c["commune_code"] != crate::util::BA_DINH)
        .unwrap();
    assert_eq!(idle["metrics"]["visits"], 0, "zeros are sent, not left out");
    assert_eq!(idle["metrics"]["training_attendees"], 0);
    let (headers, body) = &province.got()[0];
    assert!(verified(hook["secret"].as_str().unwrap(), headers, body));
    assert!(!body.contains("citizen_ref") && !body.contains(CITIZEN));

    // A commune's webhook gets that commune alone, and its other events.
    let events = commune.wait_for(2).await;
    let daily: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "stats.daily")
        .collect();
    assert_eq!(daily.len(), 1, "{events:?}");
    let only = daily[0]["data"]["communes"].as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["metrics"]["visits"], 1);
    assert!(events.iter().any(|e| e["type"] == "record.created"));

    // Another province's webhook: its own communes, all zero.
    let theirs = &elsewhere.wait_for(1).await[0];
    assert_eq!(theirs["unit_code"], "79");
    assert!(
        theirs["data"]["communes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["commune_code"].as_str().unwrap().len() == 5 && c["metrics"]["visits"] == 0)
    );

    // Each day goes out once: later rounds send nothing more.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(province.got().len(), 1);
    assert!(
        !province
            .bodies()
            .iter()
            .any(|b| b["type"] == "record.created"),
        "only the events it asked for"
    );
}

#[actix_web::test]
async fn a_dead_receivers_outbox_stops_at_its_cap() {
    let (app, f) = TestApp::init()
        .with_config(|c| {
            quick(true)(c);
            c.webhooks.first_retry = Duration::from_secs(600);
            c.webhooks.give_up_after = Duration::from_secs(3600);
            c.webhooks.max_pending = 2;
        })
        .with_field()
        .await;
    let dead = Receiver::start(&[], 503);
    let hook = created_in_hanoi(&app, &f.province.token, &dead.url()).await;
    let id = hook["id"].as_str().unwrap().to_owned();
    for _ in 0..5 {
        app.post("/api/v1/visits", &f.member.token, visit(&f.team))
            .await
            .expect(201);
    }
    let deliveries = |status: &'static str| {
        let path = format!("/api/v1/webhooks/{id}/deliveries?status={status}");
        let (app, token) = (&app, f.province.token.clone());
        async move {
            app.get(&path, &token).await.expect(200).body["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let start = Instant::now();
    while deliveries("failed").await.len() < 3 && start.elapsed() < Duration::from_secs(10) {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let failed = deliveries("failed").await;
    let pending = deliveries("pending").await;
    assert_eq!(
        (failed.len(), pending.len()),
        (3, 2),
        "{failed:?} {pending:?}"
    );
    assert!(
        failed
            .iter()
            .all(|d| d["last_error"].as_str().unwrap().contains("more than 2")),
        "{failed:?}"
    );
    // The newest wait (their ids are time-ordered like the events); the oldest were dropped.
    let mut waiting: Vec<&str> = pending
        .iter()
        .map(|d| d["event_id"].as_str().unwrap())
        .collect();
    let mut dropped: Vec<&str> = failed
        .iter()
        .map(|d| d["event_id"].as_str().unwrap())
        .collect();
    waiting.sort_unstable();
    dropped.sort_unstable();
    assert!(dropped.last() < waiting.first(), "{dropped:?} {waiting:?}");

    let (status, _, bytes) = app.get_bytes("/metrics", "", None).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from {text}"))
    };
    assert!(value("gocua_webhook_dropped_total") >= 3.0);
    assert!(value("gocua_webhook_outbox_depth") >= 2.0);
    assert!(value("gocua_webhook_outbox_oldest_seconds") >= 0.0);
    assert!(text.contains("gocua_webhook_attempts_total{outcome=\"retried\"}"));
}

#[actix_web::test]
async fn two_workers_on_one_database_never_send_a_delivery_twice() {
    let (app, f) = TestApp::init().with_config(quick(true)).with_field().await;
    app.another_worker();
    app.another_worker();
    // Slow answers keep each attempt in flight while the other workers look for work.
    let receiver = Receiver::start(&[Answer::Slow(Duration::from_millis(300)); 6], 200);
    created_in_hanoi(&app, &f.province.token, &receiver.url()).await;
    let mut sent = Vec::new();
    for _ in 0..6 {
        let v = app
            .post("/api/v1/visits", &f.member.token, visit(&f.team))
            .await
            .expect(201);
        sent.push(v.body["id"].as_str().unwrap().to_owned());
    }
    receiver.wait_for(6).await;
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    let got: Vec<String> = receiver
        .bodies()
        .iter()
        .map(|b| b["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, sent, "each once, in order, whichever worker sent it");
}

#[actix_web::test]
async fn certification_changes_reach_the_province_and_the_commune_not_others() {
    let (app, f) = TestApp::init().with_config(quick(true)).with_field().await;
    let province = Receiver::start(&[], 200);
    let commune = Receiver::start(&[], 200);
    let elsewhere = Receiver::start(&[], 200);
    let admin = app.admin().await;
    let events = json!(["certification.changed"]);
    subscribe(
        &app,
        &f.province.token,
        &province.url(),
        HANOI,
        events.clone(),
    )
    .await;
    subscribe(
        &app,
        &admin.token,
        &commune.url(),
        crate::util::BA_DINH,
        events.clone(),
    )
    .await;
    subscribe(
        &app,
        &admin.token,
        &elsewhere.url(),
        crate::util::NGOC_HA,
        events,
    )
    .await;
    let mut worked = visit(&f.team);
    worked["occurred_at"] = json!(local_morning(40));
    app.post("/api/v1/visits", &f.member.token, worked)
        .await
        .expect(201);
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let month = (chrono::Utc::now().with_timezone(&vn).date_naive() - chrono::Duration::days(40))
        .format("%Y-%m")
        .to_string();
    let submitted = app
        .post(
            "/api/v1/certifications",
            &f.sup.token,
            json!({"unit_code": crate::util::BA_DINH, "period": month}),
        )
        .await
        .expect(201);
    let id = submitted.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/certifications/{id}/accept"),
        &f.province.token,
        json!({"note": "Đã đối chiếu"}),
    )
    .await
    .expect(200);

    for receiver in [&province, &commune] {
        let bodies = receiver.wait_for(2).await;
        let seen: Vec<(&str, &str, &str)> = bodies
            .iter()
            .map(|b| {
                (
                    b["type"].as_str().unwrap(),
                    b["data"]["id"].as_str().unwrap(),
                    b["data"]["status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("certification.changed", id.as_str(), "submitted"),
                ("certification.changed", id.as_str(), "accepted"),
            ]
        );
        assert_eq!(bodies[0]["unit_code"], crate::util::BA_DINH);
        assert_eq!(bodies[0]["data"]["metrics"]["visits"], 1);
        assert_eq!(bodies[1]["data"]["decision_note"], "Đã đối chiếu");
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert!(elsewhere.got().is_empty(), "another commune heard nothing");
}
