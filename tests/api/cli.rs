//! The `gocua` binary itself: configuration rules, key file, create-user, import-units,
//! openapi, and `serve` answering on a real port.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use actix_web::web;
use gocua::config::DatabaseUrl;

fn gocua(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gocua"));
    cmd.current_dir(dir).env("RUST_LOG", "info");
    for (key, _) in std::env::vars() {
        if key.starts_with("GOCUA_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Starts `gocua serve` on a free port in `dir`; returns the process, its address and
/// the rest of its log (complete once it exits).
fn serve(
    dir: &std::path::Path,
) -> (
    std::process::Child,
    String,
    std::thread::JoinHandle<Vec<String>>,
) {
    let mut child = gocua(dir)
        .arg("serve")
        .env("GOCUA_BIND", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect());
    (child, addr, log)
}

#[test]
fn unknown_database_scheme_is_a_clear_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = gocua(dir.path())
        .args(["migrate"])
        .env("GOCUA_DATABASE_URL", "mysql://root@localhost/gocua")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported scheme"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file may appear"
    );
}

#[test]
fn postgres_refuses_to_start_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = gocua(dir.path())
        .args(["migrate"])
        .env(
            "GOCUA_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("GOCUA_JWT_SECRET"));
    let short = gocua(dir.path())
        .args(["migrate"])
        .env(
            "GOCUA_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        )
        .env("GOCUA_JWT_SECRET", "short")
        .env("GOCUA_CITIZEN_ID_KEY", "c".repeat(40))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32 bytes"));
}

#[test]
fn sqlite_generates_a_private_key_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || gocua(dir.path()).args(["migrate"]).output().unwrap();
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let keys = dir.path().join("gocua.db.keys");
    let mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let before = std::fs::read_to_string(&keys).unwrap();
    assert!(String::from_utf8_lossy(&first.stderr).contains("generated GOCUA_JWT_SECRET"));
    assert!(run().status.success());
    assert_eq!(
        std::fs::read_to_string(&keys).unwrap(),
        before,
        "keys are generated only once"
    );
}

#[actix_web::test]
async fn create_user_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = gocua(dir.path())
        .args([
            "create-user",
            "--role",
            "commune_supervisor",
            "--phone",
            "0912 345 678",
            "--name",
            "Hoàng Văn Nam",
            "--unit",
            "00004",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("mật-khẩu-dòng-lệnh\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("+84912345678"));
    let db = DatabaseUrl::Sqlite(dir.path().join("gocua.db"));
    let user = web::block(move || {
        let mut conn = gocua::db::establish(&db).unwrap();
        gocua::users::queries::find_by_phone(&mut conn, "+84912345678")
            .unwrap()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(user.full_name, "Hoàng Văn Nam");
    assert_eq!(user.unit_code.as_deref(), Some("00004"));
    assert!(gocua::access::password::verify(
        "mật-khẩu-dòng-lệnh",
        &user.password_hash
    ));
    let bad = gocua(dir.path())
        .args([
            "create-user",
            "--role",
            "volunteer",
            "--phone",
            "0912345679",
            "--name",
            "X",
            "--unit",
            "01",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let out = {
        let mut bad = bad;
        bad.stdin
            .take()
            .unwrap()
            .write_all(b"long-enough-password\n")
            .unwrap();
        bad.wait_with_output().unwrap()
    };
    assert!(
        !out.status.success(),
        "a volunteer cannot belong to a province"
    );
}

#[test]
fn import_units_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    assert!(gocua(dir.path()).arg("migrate").status().unwrap().success());
    let mut csv = gocua::units::import::EMBEDDED_MAP
        .replace("00004,Phường Ba Đình,", "00004,Phường Ba Đình Mới,");
    csv.push_str("99002,Xã Thử,xa,01,Xã Thử\n");
    let file = dir.path().join("map.csv");
    std::fs::write(&file, csv).unwrap();
    let out = gocua(dir.path())
        .arg("import-units")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "units: 1 inserted, 1 updated, 0 deactivated"
    );
    std::fs::write(
        &file,
        "code,name,kind,parent_code,official_name\n01,X,huyen,,X\n",
    )
    .unwrap();
    let out = gocua(dir.path())
        .arg("import-units")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind"));
}

#[test]
fn import_population_stores_all_rows_or_names_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("population.csv");
    std::fs::write(
        &file,
        "code,year,residents,adults,aged_15_plus,households\n00004,2025,9800,6200,6900,2600\n",
    )
    .unwrap();
    let out = gocua(dir.path())
        .arg("import-population")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "population: figures of 1 units stored"
    );
    std::fs::write(
        &file,
        "code,year,residents,adults,aged_15_plus,households\n00004,2025,9800,6200,6900,2600\n00008,2025,-5,0,0,0\n",
    )
    .unwrap();
    let out = gocua(dir.path())
        .arg("import-population")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 3: residents"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn import_hamlets_creates_every_row_or_none_and_prints_the_codes() {
    use diesel::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hamlets.csv");
    let import = || {
        gocua(dir.path())
            .arg("import-hamlets")
            .arg(&file)
            .output()
            .unwrap()
    };
    std::fs::write(
        &file,
        "commune_code,name,kind,valid_from\n00004,Tổ dân phố 1,to-dan-pho,2025-07-01\n00004,Tổ dân phố 2,to-dan-pho,\n00008,Thôn Đông,thon,2025-07-01\n",
    )
    .unwrap();
    let out = import();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("line 2: 00004-1"), "{printed}");
    assert!(printed.contains("line 3: 00004-2"), "{printed}");
    assert!(printed.contains("line 4: 00008-1"), "{printed}");
    // A bad line (an unknown kind, a name the commune already has) names its line and
    // stores nothing, not even the good lines before it.
    for (body, said) in [
        (
            "00004,Tổ dân phố 3,to-dan-pho,\n00004,Tổ 4,xom,\n",
            "line 3: unknown kind",
        ),
        (
            "00004,Tổ dân phố 3,to-dan-pho,\n00004,tổ dân phố 1,to-dan-pho,\n",
            "line 3",
        ),
        ("00004,Tổ dân phố 3,to-dan-pho,\n01,Tổ 4,thon,\n", "line 3"),
    ] {
        std::fs::write(&file, format!("commune_code,name,kind,valid_from\n{body}")).unwrap();
        let out = import();
        assert!(!out.status.success(), "{body}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{err}");
    }
    let mut conn =
        diesel::SqliteConnection::establish(&dir.path().join("gocua.db").to_string_lossy())
            .unwrap();
    let stored: i64 = diesel::sql_query("SELECT COUNT(*) AS n FROM hamlets")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
    assert_eq!(stored, 3);
}

/// The demo's wards have residential groups, two of them merged in the past, and records
/// in them on both sides of the merge.
#[test]
fn the_demo_has_hamlets_and_a_merge_in_the_past() {
    use diesel::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let seeded = gocua(dir.path()).arg("seed-demo").output().unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    assert!(
        gocua(dir.path())
            .arg("check-rollups")
            .output()
            .unwrap()
            .status
            .success()
    );
    let mut conn =
        diesel::SqliteConnection::establish(&dir.path().join("gocua.db").to_string_lossy())
            .unwrap();
    let count = |conn: &mut diesel::SqliteConnection, sql: &str| {
        diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
    };
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM rearrangements"),
        3
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM hamlets WHERE valid_to IS NOT NULL"
        ),
        6
    );
    let closed_before = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM records r JOIN hamlets h ON h.code = r.hamlet_code \
         WHERE h.valid_to IS NOT NULL AND r.occurred_on <= h.valid_to",
    );
    let merged_after = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM records r JOIN hamlet_lineage l ON l.to_code = r.hamlet_code",
    );
    assert!(closed_before > 0 && merged_after > 0);
    let outside = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM records r JOIN hamlets h ON h.code = r.hamlet_code \
         WHERE r.occurred_on < h.valid_from OR r.occurred_on > COALESCE(h.valid_to, r.occurred_on)",
    );
    assert_eq!(outside, 0, "every record names a hamlet valid on its day");
}

#[test]
fn openapi_command_prints_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let out = gocua(dir.path()).arg("openapi").output().unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::to_value(gocua::app::openapi()).unwrap()
    );
}

#[actix_web::test]
async fn serve_listens_and_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, _log) = serve(dir.path());
    let client = awc::Client::default();
    let mut res = client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "sqlite");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// SIGTERM stops accepting connections but lets a request in flight finish, then the
/// process exits cleanly.
#[test]
fn sigterm_finishes_requests_in_flight_then_exits() {
    use std::io::Read;
    use std::net::TcpStream;

    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, drained) = serve(dir.path());
    let body = r#"{"phone":"0912345678","password":"not-the-password"}"#;
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    // Time for a worker to accept the connection and read the first bytes, even with the
    // other tests loading both cores.
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while TcpStream::connect(&addr).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "still accepting after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let log = drained.join().unwrap().join("\n");
    assert!(log.contains("gocua stopped"), "{log}");
}

/// A citizen number sent through the real server never reaches its log, its answers or its
/// database file.
#[actix_web::test]
async fn citizen_numbers_stay_out_of_logs_answers_and_the_database_file() {
    const NUMBER: &str = "001185054321";
    let dir = tempfile::tempdir().unwrap();
    let mut admin = gocua(dir.path())
        .args([
            "create-user",
            "--role",
            "admin",
            "--phone",
            "0900000001",
            "--name",
            "Quản trị",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    admin
        .stdin
        .take()
        .unwrap()
        .write_all(b"admin-password-123\n")
        .unwrap();
    assert!(admin.wait().unwrap().success());
    let log_path = dir.path().join("server.log");
    let mut child = gocua(dir.path())
        .arg("serve")
        .env("GOCUA_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "debug")
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .spawn()
        .unwrap();
    let addr = loop {
        let log = std::fs::read_to_string(&log_path).unwrap();
        if let Some(rest) = log.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        assert!(child.try_wait().unwrap().is_none(), "server exited: {log}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let client = awc::Client::default();
    let url = |p: &str| format!("http://{addr}{p}");
    let mut answers = String::new();
    let mut call = async |method: &str,
                          path: &str,
                          token: Option<&str>,
                          body: serde_json::Value|
           -> serde_json::Value {
        let mut req = match method {
            "PUT" => client.put(url(path)),
            _ => client.post(url(path)),
        };
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let mut res = req.send_json(&body).await.unwrap();
        let bytes = res.body().await.unwrap();
        answers.push_str(&String::from_utf8_lossy(&bytes));
        serde_json::from_slice(&bytes).unwrap_or_default()
    };
    let login = call(
        "POST",
        "/api/v1/auth/login",
        None,
        serde_json::json!({"phone": "0900000001", "password": "admin-password-123"}),
    )
    .await;
    let admin_token = login["access_token"].as_str().unwrap().to_owned();
    let volunteer = call(
        "POST",
        "/api/v1/users",
        Some(&admin_token),
        serde_json::json!({"phone": "0900000002", "full_name": "Tình nguyện viên", "role": "volunteer", "unit_code": "00004", "password": "volunteer-pw-123"}),
    )
    .await;
    let team = call(
        "POST",
        "/api/v1/teams",
        Some(&admin_token),
        serde_json::json!({"commune_code": "00004", "name": "Tổ 1"}),
    )
    .await;
    let team_id = team["id"].as_str().unwrap().to_owned();
    call(
        "PUT",
        &format!(
            "/api/v1/teams/{team_id}/members/{}",
            volunteer["id"].as_str().unwrap()
        ),
        Some(&admin_token),
        serde_json::json!({"role": "member"}),
    )
    .await;
    let login = call(
        "POST",
        "/api/v1/auth/login",
        None,
        serde_json::json!({"phone": "0900000002", "password": "volunteer-pw-123"}),
    )
    .await;
    let token = login["access_token"].as_str().unwrap().to_owned();
    let when = chrono::Utc::now().to_rfc3339();
    let assist = serde_json::json!({"team_id": team_id, "occurred_at": when, "citizen_id": NUMBER, "birth_year": 1985, "action": "install", "result": "success"});
    let stored = call(
        "POST",
        "/api/v1/vneid-assists",
        Some(&token),
        assist.clone(),
    )
    .await;
    assert_eq!(stored["result"], "success", "{stored}");
    let mut wrong = assist.clone();
    wrong["birth_year"] = serde_json::json!(1990);
    call("POST", "/api/v1/vneid-assists", Some(&token), wrong).await;
    let signature = serde_json::json!({"team_id": team_id, "occurred_at": when, "citizen_id": NUMBER, "birth_year": 1985, "provider": "VNPT-CA", "status": "issued"});
    call(
        "POST",
        "/api/v1/signature-registrations",
        Some(&token),
        signature,
    )
    .await;
    // A resident's look-up and erasure: the number travels in, never out or into the log.
    let held = call(
        "POST",
        "/api/v1/privacy/lookup",
        Some(&admin_token),
        serde_json::json!({"citizen_id": NUMBER}),
    )
    .await;
    assert_eq!(held["items"].as_array().unwrap().len(), 2, "{held}");
    let erased = call(
        "POST",
        "/api/v1/privacy/erase",
        Some(&admin_token),
        serde_json::json!({"citizen_id": NUMBER, "reason": "Yêu cầu của công dân"}),
    )
    .await;
    assert_eq!(erased["erased_records"], 2, "{erased}");
    let search = client
        .get(url("/api/v1/users?q=0900000002"))
        .insert_header(("Authorization", format!("Bearer {admin_token}")))
        .insert_header(("X-Request-Id", "trace-me-42"))
        .send()
        .await
        .unwrap();
    assert_eq!(search.status().as_u16(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!answers.contains(NUMBER), "an answer held the number");
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("vneid-assists"),
        "the log should show the requests: {log}"
    );
    assert!(!log.contains(NUMBER), "the log held the number");
    for secret in [
        "admin-password-123",
        "volunteer-pw-123",
        admin_token.as_str(),
        token.as_str(),
        "0900000002",
        "84900000002",
    ] {
        assert!(!log.contains(secret), "the log held {secret:?}");
    }
    let access: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("gocua::access"))
        .collect();
    let volunteer_id = volunteer["id"].as_str().unwrap();
    assert!(
        access
            .iter()
            .any(|l| l.contains("route=/api/v1/vneid-assists")
                && l.contains("status=201")
                && l.contains("method=POST")
                && l.contains(&format!("user_id={volunteer_id}"))
                && l.contains("request_id=")
                && l.contains("latency_ms=")),
        "one line per request with route, status, user and request id: {access:?}"
    );
    // The client's request id is the line's only one, in its span as in its fields.
    let traced = access
        .iter()
        .find(|l| l.contains("method=GET route=/api/v1/users"))
        .expect("the search's line");
    let ids: Vec<&str> = traced
        .split("request_id=")
        .skip(1)
        .map(|rest| rest.split([' ', '}']).next().unwrap())
        .collect();
    assert_eq!(ids, ["trace-me-42", "trace-me-42"], "{traced}");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("gocua.db")
        {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(NUMBER.len()).any(|w| w == NUMBER.as_bytes()),
                "{} held the number",
                path.display()
            );
        }
    }
}

#[test]
fn rollup_commands_check_and_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let check = gocua(dir.path()).arg("check-rollups").output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("rollups match a recount"));
    let rebuild = gocua(dir.path()).arg("rebuild-rollups").output().unwrap();
    assert!(rebuild.status.success());
    assert_eq!(
        String::from_utf8_lossy(&rebuild.stdout).trim(),
        "rollups rebuilt: 0 daily rows, 0 commune rows, 0 citizen rows"
    );
}

/// On the demo's month of every kind (training sessions included), the rollups match a
/// recount; one attendee too many in one row is found, and a rebuild puts it right.
#[test]
fn check_rollups_finds_a_wrong_training_count_and_rebuild_repairs_it() {
    use diesel::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let seeded = gocua(dir.path()).arg("seed-demo").output().unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let check = || gocua(dir.path()).arg("check-rollups").output().unwrap();
    assert!(check().status.success());
    let mut conn =
        diesel::SqliteConnection::establish(&dir.path().join("gocua.db").to_string_lossy())
            .unwrap();
    let sessions: i64 =
        diesel::sql_query("SELECT COALESCE(SUM(training_sessions), 0) AS n FROM commune_rollups")
            .get_result::<Count>(&mut conn)
            .unwrap()
            .n;
    assert!(sessions > 0, "the demo holds training sessions");
    diesel::sql_query(
        "UPDATE commune_rollups SET training_attendees = training_attendees + 1 \
         WHERE (commune_code, day) = \
         (SELECT commune_code, day FROM commune_rollups WHERE training_sessions > 0 LIMIT 1)",
    )
    .execute(&mut conn)
    .unwrap();
    let wrong = check();
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("rollups differ from a recount"));
    assert!(
        gocua(dir.path())
            .arg("rebuild-rollups")
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(check().status.success());
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The README's walkthrough works as printed against `gocua seed-demo`: its shell block is
/// run with bash (only the address changed), and every curl must succeed.
#[test]
fn readme_walkthrough_works_against_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = gocua(dir.path()).arg("seed-demo").output().unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let printed = String::from_utf8_lossy(&seeded.stdout);
    assert!(printed.contains("0900001111") && printed.contains("gocua-demo-2026"));
    let (mut child, addr, _log) = serve(dir.path());
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("<!-- walkthrough:start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- walkthrough:end -->").next())
        .expect("the README marks its walkthrough");
    let script = block
        .trim()
        .trim_start_matches("```sh")
        .trim_end_matches("```")
        .replace("http://127.0.0.1:8080", &format!("http://{addr}"));
    let run = Command::new("bash")
        .args(["-c", &format!("set -euo pipefail\n{script}")])
        .current_dir(dir.path())
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}\n{out}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.contains(r#""household_ref":"KP1-23""#), "{out}");
    assert_eq!(out.matches(r#""status":"created""#).count(), 2, "{out}");
    assert!(out.contains("expected_by_now"), "{out}");
    assert!(
        out.contains(r#""target_percent":70.0,"of":"adults""#),
        "{out}"
    );
    assert!(out.contains(r#""adults":3400"#), "{out}");
    assert!(out.contains("Tổ công nghệ số cộng đồng số 1"), "{out}");
}

/// `gocua purge-citizen-refs` on the demo (30 days of records) with a 10-day retention:
/// the older records lose their link, say how many, and the rollups still match a recount;
/// a second run finds nothing more.
#[test]
fn purge_citizen_refs_expires_old_links_and_keeps_the_rollups() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = gocua(dir.path()).arg("seed-demo").output().unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let purge = || {
        gocua(dir.path())
            .env("GOCUA_CITIZEN_REF_RETENTION_DAYS", "10")
            .arg("purge-citizen-refs")
            .output()
            .unwrap()
    };
    let first = purge();
    assert!(first.status.success(), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout).to_string();
    let n: usize = said.split_whitespace().next().unwrap().parse().unwrap();
    assert!(n > 0, "{said}");
    assert!(said.contains("older than 10 days"), "{said}");
    let check = gocua(dir.path()).arg("check-rollups").output().unwrap();
    assert!(check.status.success(), "{check:?}");
    let again = String::from_utf8_lossy(&purge().stdout).to_string();
    assert!(again.starts_with("0 records"), "{again}");
}
