//! The queue single creates wait in for their group (group commit: `records/group.rs`). One
//! per process: the composition root makes it and hands it to every worker (`app::Node`).

use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

use super::error::RecordResult;
use super::model::{Created, RecordRow};

/// Creates stored in one transaction at most (one multi-row insert of records).
pub const GROUP_MAX: usize = 500;

/// A prepared record waiting for its group, and where its answer goes.
pub struct Pending {
    /// The record to store.
    pub row: RecordRow,
    /// Where its outcome goes.
    pub answer: oneshot::Sender<RecordResult<Created>>,
}

/// The queue of creates waiting to be stored. Its task starts with the first create.
#[derive(Debug)]
pub struct CreateQueue {
    sender: mpsc::UnboundedSender<Pending>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Pending>>>,
}

impl Default for CreateQueue {
    fn default() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            sender,
            receiver: Mutex::new(Some(receiver)),
        }
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("id", &self.row.id).finish()
    }
}

impl CreateQueue {
    /// The receiving end, once: whoever gets it runs the queue.
    pub fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<Pending>> {
        self.receiver.lock().ok().and_then(|mut r| r.take())
    }

    /// Queues a create; `Err` gives it back when nobody runs the queue any more.
    pub fn send(&self, pending: Pending) -> Result<(), Box<Pending>> {
        self.sender.send(pending).map_err(|e| Box::new(e.0))
    }
}
