//! Rollups stay equal to a recount from the records after any mix of creates, changes,
//! reviews and voids, and `rebuild` reproduces them.

use actix_web::web;
use serde_json::{Value, json};

use crate::records::{Field, assist, hours_ago, signature, visit};
use crate::util::TestApp;

/// A small deterministic generator, so a failing mix can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

async fn rollups_match(app: &TestApp) {
    let pool = app.pool.clone();
    web::block(move || {
        let mut conn = pool.get().unwrap();
        let (daily, citizens) = gocua::stats::rollups::recount(&mut conn).unwrap();
        let (stored_daily, stored_citizens) = gocua::stats::rollups::stored(&mut conn).unwrap();
        let expected = daily;
        assert_eq!(
            stored_daily, expected,
            "daily rollups differ from a recount"
        );
        assert_eq!(
            stored_citizens, citizens,
            "citizen rollups differ from a recount"
        );
        assert!(!expected.is_empty());
        let rebuilt = gocua::stats::rollups::rebuild(&mut conn).unwrap();
        assert_eq!(rebuilt.0, expected.len());
        let (again, _) = gocua::stats::rollups::stored(&mut conn).unwrap();
        assert_eq!(again, expected, "rebuild reproduces the rollups");
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn rollups_equal_a_recount_after_a_random_mix() {
    let app = TestApp::new().await;
    let f = Field::new(&app).await;
    let mut rng = Lcg(std::env::var("GOCUA_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261123));
    let citizens = ["001185012345", "001185022222", "001185033333"];
    let mut made: Vec<(&str, String)> = Vec::new();
    for i in 0..60 {
        let citizen = citizens[rng.next(3) as usize];
        let hours = 1 + rng.next(72) as i64;
        let (path, mut body): (&str, Value) = match rng.next(3) {
            0 => {
                let mut v = visit(&f.team);
                v["outcome"] = json!(["guided", "not_home", "follow_up"][rng.next(3) as usize]);
                if v["outcome"] == "not_home" {
                    v["people_guided"] = json!(0);
                }
                ("/api/v1/visits", v)
            }
            1 => {
                let action = ["install", "activate_level2"][rng.next(2) as usize];
                let result = ["success", "pending"][rng.next(2) as usize];
                (
                    "/api/v1/vneid-assists",
                    assist(&f.team, citizen, action, result),
                )
            }
            _ => {
                let status = ["submitted", "issued"][rng.next(2) as usize];
                (
                    "/api/v1/signature-registrations",
                    signature(&f.team, citizen, status),
                )
            }
        };
        body["occurred_at"] = json!(hours_ago(hours));
        let author = if i % 2 == 0 { &f.member } else { &f.lead };
        let created = app.post(path, &author.token, body).await.expect(201);
        made.push((path, created.body["id"].as_str().unwrap().to_owned()));
    }
    for _ in 0..60 {
        let (path, id) = made[rng.next(made.len() as u64) as usize].clone();
        let one = format!("{path}/{id}");
        let reply = match rng.next(5) {
            0 => {
                let change = match path {
                    "/api/v1/visits" => {
                        json!({"people_guided": rng.next(5), "outcome": "guided", "occurred_at": hours_ago(1 + rng.next(48) as i64)})
                    }
                    "/api/v1/vneid-assists" => {
                        json!({"result": (["success", "pending"][rng.next(2) as usize])})
                    }
                    _ => {
                        json!({"status": (["submitted", "issued", "failed"][rng.next(3) as usize])})
                    }
                };
                app.patch(&one, &f.sup.token, change).await
            }
            1 => {
                app.post(
                    &format!("{one}/review"),
                    &f.sup.token,
                    json!({"status": "approved"}),
                )
                .await
            }
            2 => {
                app.post(
                    &format!("{one}/review"),
                    &f.sup.token,
                    json!({"status": "rejected", "note": "Sai"}),
                )
                .await
            }
            3 => {
                app.post(
                    &format!("{one}/review"),
                    &f.sup.token,
                    json!({"status": "flagged", "note": "Xem lại"}),
                )
                .await
            }
            _ => {
                app.post(
                    &format!("{one}/void"),
                    &f.sup.token,
                    json!({"reason": "Nhập nhầm"}),
                )
                .await
            }
        };
        assert!(matches!(reply.status.as_u16(), 200 | 409), "{}", reply.body);
    }
    rollups_match(&app).await;
}
