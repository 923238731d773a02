//! Group commit of single creates (issue 22). Each `POST /visits` (and the other kinds)
//! used to store its one record in a transaction of its own: on PostgreSQL about seven
//! statements and a commit per record, with every volunteer of a commune updating the same
//! rollup rows. Here the creates that arrive while earlier ones are being stored wait in a
//! queue and are stored together by [`service::store_all`], the function a 1,000-record sync
//! uses: one multi-row insert of records and of audit rows, rollup deltas summed per key
//! before one upsert per key, one commit.
//!
//! Per-record outcomes stay exact: nobody is answered before the group's commit, so an
//! acknowledged record is durable; if the group fails for any reason but an unreachable
//! database, each of its records is stored again alone, so a record that cannot be stored
//! fails by itself and takes no other with it. A few groups are stored at once (the number
//! is the writer's, [`crate::db::Writer::groups_at_once`]); while they run, the next group
//! gathers.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, oneshot};

use super::error::{RecordError, RecordResult};
use super::model::RecordRow;
use super::queue::{CreateQueue, GROUP_MAX, Pending};
use super::service::{self, Created};
use crate::db::DbError;
use crate::state::AppState;

/// Stores a prepared record with the creates that arrive alongside it and answers what
/// [`service::store_all`] says about it. The first create starts the task that takes
/// groups off `queue` (on the caller's thread, as actix's own tasks run).
pub async fn store(
    state: &Arc<AppState>,
    queue: &CreateQueue,
    row: RecordRow,
) -> RecordResult<Created> {
    if let Some(receiver) = queue.take_receiver() {
        tokio::task::spawn_local(gather(state.clone(), receiver));
    }
    let (answer, answered) = oneshot::channel();
    let lost = |what: &str| RecordError::Database(DbError::Internal(anyhow::anyhow!("{what}")));
    queue
        .send(Pending { row, answer })
        .map_err(|_| lost("the create queue has stopped"))?;
    answered.await.map_err(|_| lost("a create was lost"))?
}

/// Takes groups off the queue as store slots free up, for as long as the state lives.
async fn gather(state: Arc<AppState>, mut queue: mpsc::UnboundedReceiver<Pending>) {
    let slots = Arc::new(Semaphore::new(state.write_groups_at_once()));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let Some(first) = queue.recv().await else {
            return;
        };
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match queue.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let state = state.clone();
        tokio::task::spawn_local(async move {
            store_group(&state, group).await;
            drop(slot);
        });
    }
}

async fn store_group(state: &AppState, group: Vec<Pending>) {
    let (rows, answers): (Vec<RecordRow>, Vec<_>) =
        group.into_iter().map(|p| (p.row, p.answer)).unzip();
    let alone = rows.len() == 1;
    let (size, began) = (rows.len(), std::time::Instant::now());
    let retry = if alone { Vec::new() } else { rows.clone() };
    let stored = state
        .write_records(move |conn| service::store_all(conn, rows))
        .await;
    crate::metrics::create_group(size, began.elapsed());
    match stored {
        Ok(created) if created.len() == answers.len() => {
            for (answer, created) in answers.into_iter().zip(created) {
                let _ = answer.send(Ok(created));
            }
        }
        Err(e) if alone => {
            if let Some(answer) = answers.into_iter().next() {
                let _ = answer.send(Err(e));
            }
        }
        Err(RecordError::Database(DbError::Unavailable)) => {
            for answer in answers {
                let _ = answer.send(Err(RecordError::Database(DbError::Unavailable)));
            }
        }
        outcome => {
            if let Err(e) = outcome {
                tracing::warn!(error = %e, records = answers.len(), "a create group failed; storing each alone");
            }
            let each = retry
                .into_iter()
                .zip(answers)
                .map(|(row, answer)| async move {
                    let _ = answer.send(store_alone(state, row).await);
                });
            futures_util::future::join_all(each).await;
        }
    }
}

async fn store_alone(state: &AppState, row: RecordRow) -> RecordResult<Created> {
    state
        .write_records(move |conn| {
            service::store_all(conn, vec![row])?
                .pop()
                .ok_or(RecordError::RecordNotFound)
        })
        .await
}
