//! Where record writes run. SQLite takes one writer at a time, so on SQLite they run one
//! after the other on a thread of their own that owns the write connection: the connection
//! never sits idle while a writer waits to be woken and scheduled (the cost of handing a
//! one-connection pool from thread to thread), and nobody sleeps in SQLite's busy handler.
//! On PostgreSQL, writes take connections of the main pool like everything else.
//!
//! A write that waited longer than the pool timeout is answered 503 without running, so a
//! stuck database answers as fast as an exhausted pool would; a write that started always
//! runs to its end and answers, so nothing is stored that was not acknowledged.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use super::{DbConn, DbPool};
use crate::config::DatabaseUrl;
use crate::error::{ApiError, ApiResult};

/// The write path of the configured database.
#[derive(Debug)]
pub enum Writer {
    /// PostgreSQL: the main pool.
    Pool(DbPool),
    /// SQLite: the writer thread.
    Thread(WriterThread),
}

impl Writer {
    /// The writer for `url`: a thread of its own for SQLite, `pool` for PostgreSQL.
    pub fn new(url: &DatabaseUrl, pool: &DbPool, timeout: Duration) -> Self {
        match url {
            DatabaseUrl::Sqlite(_) => Self::Thread(WriterThread::start(url.clone(), timeout)),
            DatabaseUrl::Postgres(_) => Self::Pool(pool.clone()),
        }
    }

    /// Runs `work` with the write connection, answering 503 when the database cannot be
    /// reached or the write waited past the pool timeout.
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        match self {
            Self::Pool(pool) => super::run(pool, work).await,
            Self::Thread(thread) => thread.run(work).await,
        }
    }
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The queue of writes and the thread that runs them (it ends when this is dropped).
pub struct WriterThread {
    jobs: mpsc::Sender<Job>,
    timeout: Duration,
}

impl std::fmt::Debug for WriterThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterThread")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The writer thread's connection, opened at the first write and again after one broke.
struct Connection {
    url: DatabaseUrl,
    busy_timeout: Duration,
    open: Option<DbConn>,
}

impl Connection {
    fn get(&mut self) -> ApiResult<&mut DbConn> {
        if self.open.is_none() {
            let conn = super::establish_waiting(&self.url, self.busy_timeout).map_err(|e| {
                tracing::warn!(error = %e, "cannot open the write connection");
                ApiError::Unavailable
            })?;
            self.open = Some(conn);
        }
        self.open.as_mut().ok_or(ApiError::Unavailable)
    }

    /// Drops the connection if the database no longer answers on it.
    fn check_after_failure(&mut self) {
        if let Some(conn) = &mut self.open
            && conn.batch_execute("SELECT 1").is_err()
        {
            self.open = None;
        }
    }
}

impl WriterThread {
    fn start(url: DatabaseUrl, timeout: Duration) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let mut connection = Connection {
            url,
            busy_timeout: timeout,
            open: None,
        };
        let spawned = thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job(&mut connection);
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the SQLite writer thread");
        }
        Self { jobs, timeout }
    }

    async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let (queued, timeout) = (Instant::now(), self.timeout);
        let waiting = crate::metrics::waiting_for_pool();
        let job: Job = Box::new(move |connection: &mut Connection| {
            drop(waiting);
            if queued.elapsed() > timeout {
                tracing::warn!("a write waited past the pool timeout");
                let _ = answer.send(Err(ApiError::Unavailable));
                return;
            }
            let result = match connection.get() {
                Ok(conn) => catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
                    // Whatever the panic left half done is rolled back with the connection.
                    connection.open = None;
                    Err(ApiError::Internal(anyhow::anyhow!("a write panicked")))
                }),
                Err(e) => Err(e),
            };
            if let Err(ApiError::Unavailable | ApiError::Internal(_)) = &result {
                connection.check_after_failure();
            }
            let _ = answer.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the writer thread has stopped")))?;
        answered
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a write was lost")))?
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::connection::SimpleConnection;

    use super::WriterThread;
    use crate::config::DatabaseUrl;
    use crate::error::ApiError;

    fn writer(dir: &tempfile::TempDir, timeout: Duration) -> WriterThread {
        WriterThread::start(DatabaseUrl::Sqlite(dir.path().join("w.db")), timeout)
    }

    #[actix_web::test]
    async fn a_panicking_write_leaves_the_writer_serving() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_secs(5));
        let panicked = writer
            .run(|_| -> Result<(), ApiError> { panic!("boom") })
            .await;
        assert!(matches!(panicked, Err(ApiError::Internal(_))));
        let after = writer
            .run(|conn| Ok(conn.batch_execute("CREATE TABLE t (x INTEGER)")?))
            .await;
        assert!(after.is_ok(), "{after:?}");
    }

    #[actix_web::test]
    async fn a_write_that_waited_past_the_timeout_is_refused_unrun() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_millis(100));
        let slow = writer.run(|_| {
            std::thread::sleep(Duration::from_millis(300));
            Ok(())
        });
        let queued = writer.run(|conn| Ok(conn.batch_execute("CREATE TABLE never (x INTEGER)")?));
        let (slow, queued) = futures_util::future::join(slow, queued).await;
        assert!(slow.is_ok());
        assert!(matches!(queued, Err(ApiError::Unavailable)), "{queued:?}");
        let stored = writer
            .run(|conn| Ok(conn.batch_execute("SELECT * FROM never").is_ok()))
            .await;
        assert_eq!(stored.ok(), Some(false), "the refused write did not run");
    }
}
