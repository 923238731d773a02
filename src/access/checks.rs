//! Where password checks run: threads of their own, one core fewer than the machine has,
//! at a lower CPU priority than the request threads, with a bounded queue and a duty cycle.
//! A login flood (19 MiB and tens of milliseconds of argon2 each) then queues here, gets
//! 429 once the queue is full, and never takes more than a third of a core per thread
//! while checks are waiting: argon2 is memory-hard, so a check slows the request threads
//! beside it through the shared caches and memory bus even when priority keeps it off their
//! cores. A lone login (nothing waiting) runs at full speed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Instant;

/// Why a password could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The queue is full: try again in a second (429 at the edge).
    #[error("too many password checks are waiting")]
    Busy,
    /// The check threads stopped or lost the check.
    #[error("password checks have stopped")]
    Stopped,
}

/// How much lower than the request threads the check threads run (`nice` 10: about a
/// tenth of a busy core's time when every core is wanted by request threads).
const NICENESS: i32 = 10;

/// Checks that may wait per thread; past that, 429 with `Retry-After: 1`.
const QUEUE_PER_THREAD: usize = 16;

/// While checks wait, a thread rests this many times as long as its last check took.
const REST_FACTOR: u32 = 2;

type Job = Box<dyn FnOnce() + Send>;

/// The queue of password checks and its threads (which end when this is dropped).
pub struct PasswordChecks {
    jobs: mpsc::SyncSender<Job>,
    waiting: Arc<AtomicUsize>,
    threads: usize,
}

impl std::fmt::Debug for PasswordChecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChecks")
            .field("threads", &self.threads)
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish()
    }
}

impl PasswordChecks {
    /// Starts `threads` check threads (at least one).
    pub fn start(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let queue = Arc::new(Mutex::new(queue));
        let waiting = Arc::new(AtomicUsize::new(0));
        for i in 0..threads {
            let (queue, waiting) = (queue.clone(), waiting.clone());
            let spawned = thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || run_checks(&queue, &waiting));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-check thread");
            }
        }
        Self {
            jobs,
            waiting,
            threads,
        }
    }

    /// Whether `password` matches the stored PHC string; with none (an unknown phone), a
    /// check against a hash that never matches, so both take the same time. 429 when the
    /// queue is full.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, CheckError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let phc = stored.as_deref().unwrap_or(super::password::dummy_hash());
            let _ = answer.send(super::password::verify(&password, phc));
        });
        self.waiting.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = self.jobs.try_send(job) {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(match e {
                mpsc::TrySendError::Full(_) => CheckError::Busy,
                mpsc::TrySendError::Disconnected(_) => CheckError::Stopped,
            });
        }
        answered.await.map_err(|_| CheckError::Stopped)
    }
}

/// A check thread: takes jobs until the queue closes, resting after each while others wait.
fn run_checks(queue: &Mutex<mpsc::Receiver<Job>>, waiting: &AtomicUsize) {
    lower_priority();
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        waiting.fetch_sub(1, Ordering::SeqCst);
        let started = Instant::now();
        job();
        if waiting.load(Ordering::SeqCst) > 0 {
            thread::sleep(started.elapsed() * REST_FACTOR);
        }
    }
}

/// Lowers the calling thread's priority: on Linux `setpriority(PRIO_PROCESS, 0, …)` acts
/// on the calling thread only. Raising it back would need privileges, hence threads of
/// their own rather than actix's blocking pool.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority takes plain integers and touches no memory of ours.
        let failed = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICENESS) } != 0;
        if failed {
            tracing::warn!("could not lower the priority of a password-check thread");
        }
    }
}

#[cfg(test)]
mod tests {
    #[actix_web::test]
    async fn checks_answer_from_their_threads() {
        let checks = super::PasswordChecks::start(1);
        let stored = crate::access::password::hash("mật khẩu dài").unwrap();
        assert!(
            checks
                .verify("mật khẩu dài".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!checks.verify("sai".into(), Some(stored)).await.unwrap());
        assert!(!checks.verify("mật khẩu dài".into(), None).await.unwrap());
    }

    #[actix_web::test]
    async fn a_full_queue_answers_429_at_once() {
        let checks = super::PasswordChecks::start(1);
        let burst = (0..40).map(|_| checks.verify("sai".into(), None));
        let answers = futures_util::future::join_all(burst).await;
        let refused = answers
            .iter()
            .filter(|a| matches!(a, Err(super::CheckError::Busy)))
            .count();
        assert!(refused >= 40 - 1 - 2 * super::QUEUE_PER_THREAD, "{refused}");
        assert!(answers.iter().any(|a| matches!(a, Ok(false))));
    }
}
