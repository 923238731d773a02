//! A team's share of the register on its phones (`GET /sync/households`): all of it first,
//! then only changes, and `removed` for what left, through creates, changes, moves, closes,
//! hamlet reassignment and rearrangements, across pages of 500 while writes go on.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::households::{assign, hamlet, household};
use crate::util::{BA_DINH, TestApp, TestUser};

/// A phone's copy of its team's share: households by id, with the cursor it holds.
#[derive(Default)]
struct Phone {
    households: BTreeMap<String, Value>,
    cursor: Option<String>,
    pages: usize,
}

impl Phone {
    /// Pulls until nothing more waits, applying each page as a phone would; `between` runs
    /// after the first page, so writes land while the phone is paging.
    async fn pull(&mut self, app: &TestApp, who: &TestUser, team: &str) {
        loop {
            let mut path = format!("/api/v1/sync/households?team_id={team}");
            if let Some(c) = &self.cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = app.get(&path, &who.token).await.expect(200).body;
            let items = page["items"].as_array().unwrap();
            let removed = page["removed"].as_array().unwrap();
            assert!(items.len() <= 500 && removed.len() <= 500);
            for id in removed {
                self.households.remove(id.as_str().unwrap());
            }
            for h in items {
                self.households
                    .insert(h["id"].as_str().unwrap().to_owned(), h.clone());
            }
            self.cursor = Some(page["cursor"].as_str().unwrap().to_owned());
            self.pages += 1;
            if page["has_more"] != true {
                return;
            }
        }
    }

    fn ids(&self) -> Vec<String> {
        self.households.keys().cloned().collect()
    }
}

/// The team's share as the server has it: open households of the team's hamlets.
async fn truth(app: &TestApp, sup: &TestUser, team: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/households?team={team}&limit=500");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path, &sup.token).await.expect(200).body;
        for h in page["items"].as_array().unwrap() {
            ids.push(h["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    ids.sort();
    ids
}

/// Registers `n` households of `hamlet` through sync; returns their ids.
async fn many(app: &TestApp, who: &TestUser, hamlet: &str, prefix: &str, n: usize) -> Vec<String> {
    let bodies: Vec<Value> = (0..n)
        .map(|i| household(hamlet, &format!("{prefix}-{i}")))
        .collect();
    let ids = bodies
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    let results = app
        .post("/api/v1/sync", &who.token, json!({"households": bodies}))
        .await
        .expect(200)
        .body;
    for r in results["results"].as_array().unwrap() {
        assert_eq!(r["status"], "created", "{r}");
    }
    ids
}

#[actix_web::test]
async fn a_phone_gets_exactly_its_teams_share_through_every_kind_of_change() {
    let (app, f) = TestApp::init().with_field().await;
    let ours = hamlet(&app, BA_DINH, "Tổ dân phố số 1").await;
    let theirs = hamlet(&app, BA_DINH, "Tổ dân phố số 2").await;
    assign(&app, &f.sup, &f.team, &[&ours]).await;
    assign(&app, &f.sup, &f.other_team, &[&theirs]).await;
    let mine = many(&app, &f.member, &ours, "A", 520).await;
    many(&app, &f.outsider, &theirs, "B", 3).await;

    // The first pull pages through everything; writes land between its pages.
    let mut phone = Phone::default();
    let mut path = format!("/api/v1/sync/households?team_id={}", f.team);
    let first = app.get(&path, &f.member.token).await.expect(200).body;
    // 500 a page (fewer on PostgreSQL while other transactions hold the horizon back).
    assert!(first["items"].as_array().unwrap().len() <= 500);
    assert_eq!(first["has_more"], true);
    for h in first["items"].as_array().unwrap() {
        phone
            .households
            .insert(h["id"].as_str().unwrap().to_owned(), h.clone());
    }
    phone.cursor = Some(first["cursor"].as_str().unwrap().to_owned());
    let sent = phone.ids()[0].clone();
    let changed = app
        .patch(
            &format!("/api/v1/households/{sent}"),
            &f.lead.token,
            json!({"base_version": 1, "members": 9, "adults": 2}),
        )
        .await
        .expect(200)
        .body;
    let late = many(&app, &f.lead, &ours, "C", 1).await;
    phone.pull(&app, &f.member, &f.team).await;
    assert_eq!(phone.ids(), truth(&app, &f.sup, &f.team).await);
    assert_eq!(phone.households[&sent]["version"], changed["version"]);
    assert!(phone.households.contains_key(&late[0]));
    assert_eq!(phone.households.len(), 521);

    // Nothing changed: nothing sent.
    let before = phone.pages;
    phone.pull(&app, &f.member, &f.team).await;
    assert_eq!(phone.pages, before + 1);

    // A close and a move away are removals; the household moved in comes to the other team.
    app.post(
        &format!("/api/v1/households/{}/close", mine[1]),
        &f.member.token,
        json!({"reason": "moved_away"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/households/{}", mine[2]),
        &f.sup.token,
        json!({"base_version": 1, "hamlet_code": theirs}),
    )
    .await
    .expect(200);
    // Follow `has_more`: on PostgreSQL a change waits below the horizon of transactions
    // still open elsewhere.
    path = format!("/api/v1/sync/households?team_id={}", f.team);
    let mut cursor = phone.cursor.clone().unwrap();
    let (mut items, mut removed) = (Vec::new(), Vec::new());
    loop {
        let delta = app
            .get(&format!("{path}&cursor={cursor}"), &f.member.token)
            .await
            .expect(200)
            .body;
        items.extend(delta["items"].as_array().unwrap().clone());
        for r in delta["removed"].as_array().unwrap() {
            removed.push(r.as_str().unwrap().to_owned());
        }
        cursor = delta["cursor"].as_str().unwrap().to_owned();
        if delta["has_more"] != true {
            break;
        }
    }
    assert_eq!(items, Vec::<Value>::new());
    removed.sort();
    let mut expected = vec![mine[1].clone(), mine[2].clone()];
    expected.sort();
    assert_eq!(removed, expected);
    phone.pull(&app, &f.member, &f.team).await;
    assert_eq!(phone.ids(), truth(&app, &f.sup, &f.team).await);
    let mut other = Phone::default();
    other.pull(&app, &f.outsider, &f.other_team).await;
    assert_eq!(other.households.len(), 4);
    assert!(other.households.contains_key(&mine[2]));

    // Hamlets reassigned: the team's phones receive the hamlet given and drop the one
    // taken, across pages.
    assign(&app, &f.sup, &f.team, &[&theirs]).await;
    phone.pull(&app, &f.member, &f.team).await;
    assert_eq!(phone.ids(), truth(&app, &f.sup, &f.team).await);
    assert_eq!(phone.households.len(), 4);
    other.pull(&app, &f.outsider, &f.other_team).await;
    assert_eq!(other.households.len(), 4);

    // Nobody else's share: a volunteer of another team, another commune's supervisor.
    app.get(&path, &f.outsider.token).await.problem(404);
    app.get(&path, &f.neighbour.token).await.problem(404);
    app.get(&format!("{path}&cursor=bogus"), &f.member.token)
        .await
        .problem(400);
    app.get(&path, &f.sup.token).await.expect(200);
}

#[actix_web::test]
async fn households_follow_merges_and_splits() {
    let (app, f) = TestApp::init().with_field().await;
    let one = hamlet(&app, BA_DINH, "Tổ 1").await;
    let two = hamlet(&app, BA_DINH, "Tổ 2").await;
    let three = hamlet(&app, BA_DINH, "Tổ 3").await;
    assign(&app, &f.sup, &f.team, &[&one, &two, &three]).await;
    let a = many(&app, &f.member, &one, "A", 2).await;
    let b = many(&app, &f.member, &two, "B", 1).await;
    let c = many(&app, &f.member, &three, "C", 1).await;
    let mut phone = Phone::default();
    phone.pull(&app, &f.member, &f.team).await;
    assert_eq!(phone.households.len(), 4);
    let done = app
        .post(
            &format!("/api/v1/units/{BA_DINH}/rearrangements"),
            &f.sup.token,
            json!({"effective_on": crate::util::local_day(0).to_string(),
                   "merges": [{"from": [one, two], "name": "Tổ 1-2", "kind": "to-dan-pho"}],
                   "splits": [{"from": three, "into": [{"name": "Tổ 3A", "kind": "to-dan-pho"}, {"name": "Tổ 3B", "kind": "to-dan-pho"}]}]}),
        )
        .await
        .expect(201)
        .body;
    let created: Vec<&str> = done["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    phone.pull(&app, &f.member, &f.team).await;
    assert_eq!(phone.households.len(), 4);
    for id in a.iter().chain(&b) {
        assert_eq!(phone.households[id]["hamlet_code"], created[0]);
        assert_eq!(phone.households[id]["needs_placement"], false);
    }
    assert_eq!(phone.households[&c[0]]["hamlet_code"], created[1]);
    assert_eq!(phone.households[&c[0]]["needs_placement"], true);
    // A volunteer places it; a phone registering on the old list lands in the merged hamlet.
    let placed = app
        .patch(
            &format!("/api/v1/households/{}", c[0]),
            &f.member.token,
            json!({"base_version": 1, "hamlet_code": created[2]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(placed["needs_placement"], false);
    assert_eq!(placed["hamlet_code"], created[2]);
    let old_list = app
        .post(
            "/api/v1/households",
            &f.member.token,
            household(&one, "Z-1"),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(old_list["hamlet_code"], created[0]);
}
