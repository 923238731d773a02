//! Group commit of single creates (issue 22): creates that arrive together are stored in one
//! transaction, and each still gets its own exact answer and counts once.

use std::collections::HashMap;

use actix_web::web;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::util::{BA_DINH, TestApp, local_day};
use crate::util::{assist, hours_ago, visit};

/// What one concurrent create expects: 201 alone, or one of a pair sent with one id.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Sent {
    Alone,
    SameContent(usize),
    OtherContent(usize),
}

#[actix_web::test]
async fn creates_sent_together_get_their_own_answers_and_count_once() {
    let (app, f) = TestApp::init().with_field().await;
    let mut sends: Vec<(&str, Value, Sent)> = Vec::new();
    for i in 0..24 {
        let author = if i % 2 == 0 { &f.lead } else { &f.member };
        sends.push((&author.token, visit(&f.team), Sent::Alone));
    }
    for pair in 0..6 {
        let body = visit(&f.team);
        sends.push((&f.member.token, body.clone(), Sent::SameContent(pair)));
        sends.push((&f.member.token, body, Sent::SameContent(pair)));
    }
    for pair in 0..4 {
        let body = visit(&f.team);
        let mut other = body.clone();
        other["note"] = json!("Nội dung khác, cùng mã");
        sends.push((&f.lead.token, body, Sent::OtherContent(pair)));
        sends.push((&f.lead.token, other, Sent::OtherContent(pair)));
    }
    let replies = join_all(
        sends
            .iter()
            .map(|(token, body, _)| app.post("/api/v1/visits", token, body.clone())),
    )
    .await;

    let mut pairs: HashMap<String, Vec<u16>> = HashMap::new();
    let mut authors: HashMap<String, String> = HashMap::new();
    for ((token, body, sent), reply) in sends.iter().zip(&replies) {
        let id = body["id"].as_str().unwrap().to_owned();
        match sent {
            Sent::Alone => assert_eq!(reply.status, 201, "{:?}", reply.body),
            _ => pairs
                .entry(format!("{sent:?}"))
                .or_default()
                .push(reply.status.as_u16()),
        }
        if reply.status == 201 {
            assert_eq!(reply.body["id"], body["id"]);
            assert_eq!(
                reply.body["note"], body["note"],
                "the answer is its own record"
            );
            let author = if *token == f.lead.token {
                &f.lead.id
            } else {
                &f.member.id
            };
            authors.insert(id, author.clone());
        }
    }
    for (sent, mut statuses) in pairs {
        statuses.sort_unstable();
        let expected = if sent.starts_with("Same") {
            [200, 201]
        } else {
            [201, 409]
        };
        assert_eq!(statuses, expected, "{sent}");
    }
    assert_eq!(authors.len(), 34);

    let listed = app
        .get(
            &format!("/api/v1/visits?team={}&limit=500", f.team),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 34);
    let summary = app
        .get(
            &format!(
                "/api/v1/stats/summary?unit={BA_DINH}&from={}&to={}",
                local_day(1),
                local_day(0)
            ),
            &f.sup.token,
        )
        .await
        .expect(200);
    assert_eq!(summary.body["metrics"]["visits"], 34);
    assert_eq!(summary.body["metrics"]["people_guided"], 68);

    // Each create is audited once, by its own author, though groups mix authors.
    let audited: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|(action, _, _)| action == "record.create")
        .collect();
    assert_eq!(audited.len(), 34);
    for (_, id, actor) in audited {
        assert_eq!(actor.as_ref(), authors.get(&id), "audit of {id}");
    }

    let pool = app.pool.clone();
    let (stored, recount) = web::block(move || {
        let mut conn = pool.get().unwrap();
        (
            gocua::stats::rollups::stored(&mut conn).unwrap(),
            gocua::records::tally::recount(&mut conn).unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(stored, recount, "summed deltas equal a recount");
}

/// The concurrent creates of several communes' volunteers are stored once each, whichever
/// group they fall in, and none waits on another commune's rows for ever (rows are written
/// in key order, so groups running at once cannot deadlock).
#[actix_web::test]
async fn creates_of_two_communes_sent_together_are_all_stored() {
    let (app, f) = TestApp::init().with_field().await;
    let sends: Vec<(&str, Value)> = (0..60)
        .map(|i| match i % 3 {
            0 => (f.lead.token.as_str(), visit(&f.team)),
            1 => (f.member.token.as_str(), visit(&f.team)),
            _ => (f.neighbour.token.as_str(), visit(&f.neighbour_team)),
        })
        .collect();
    let replies = join_all(
        sends
            .iter()
            .map(|(token, body)| app.post("/api/v1/visits", token, body.clone())),
    )
    .await;
    assert!(replies.iter().all(|r| r.status == 201));
    let province = app
        .get(
            &format!(
                "/api/v1/stats/summary?unit=01&from={}&to={}",
                local_day(1),
                local_day(0)
            ),
            &f.province.token,
        )
        .await
        .expect(200);
    assert_eq!(province.body["metrics"]["visits"], 60);
}

/// Concurrent writers that start and stop people's counted days (first records of a day,
/// voids of the last one) keep the rollups and distinct spans equal to a recount: on
/// PostgreSQL a writer reads a person's days only when one of its rows crossed zero, after
/// storing its own rows, and these writes cross zero together.
#[actix_web::test]
async fn concurrent_writes_that_start_and_stop_days_keep_the_counts() {
    let (app, f) = TestApp::init().with_field().await;
    let citizens = ["001185012345", "001185022222", "001185033333"];
    let authors = [&f.lead, &f.member];
    let first: Vec<(&str, Value, &str)> = (0..36)
        .map(|i| {
            let mut body = if i % 3 == 0 {
                visit(&f.team)
            } else {
                assist(&f.team, citizens[i % 3], "install", "success")
            };
            body["occurred_at"] = json!(hours_ago(1 + 24 * (i as i64 % 4)));
            let path = if i % 3 == 0 {
                "/api/v1/visits"
            } else {
                "/api/v1/vneid-assists"
            };
            (path, body, authors[i % 2].token.as_str())
        })
        .collect();
    let replies = join_all(
        first
            .iter()
            .map(|(path, body, token)| app.post(path, token, body.clone())),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    // Void every record of two days while the same people start two other days.
    let voids = first
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 4 == 0 || i % 4 == 2)
        .map(|(_, (path, body, _))| {
            (
                format!("{path}/{}/void", body["id"].as_str().unwrap()),
                json!({"reason": "Nhập nhầm"}),
                f.sup.token.as_str(),
            )
        });
    let more = (0..12).map(|i| {
        let mut body = assist(&f.team, citizens[i % 3], "install", "success");
        body["occurred_at"] = json!(hours_ago(12 + 24 * (i as i64 % 2) + 48));
        (
            "/api/v1/vneid-assists".to_owned(),
            body,
            authors[i % 2].token.as_str(),
        )
    });
    let second: Vec<(String, Value, &str)> = voids.chain(more).collect();
    let replies = join_all(
        second
            .iter()
            .map(|(path, body, token)| app.post(path, token, body.clone())),
    )
    .await;
    for ((path, _, _), reply) in second.iter().zip(&replies) {
        let expected = if path.ends_with("/void") { 200 } else { 201 };
        assert_eq!(reply.status, expected, "{path}: {:?}", reply.body);
    }
    crate::stats::rollups_match(&app).await;
}
