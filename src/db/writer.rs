//! Where record writes run. SQLite takes one writer at a time, so on SQLite they run one
//! after the other on a thread of their own that owns the write connection, in groups:
//! the writes waiting when the thread comes round run inside one `BEGIN IMMEDIATE`
//! transaction, each in its own savepoint (its `conn.transaction` nests), and the group
//! commits once. The connection never sits idle while a writer waits to be woken, nobody
//! sleeps in SQLite's busy handler, and one `fsync` covers the group. A write that fails
//! rolls back to its savepoint and leaves the others of its group alone. Every answer is
//! sent only after the group's commit, so an acknowledged write is durable; when the
//! commit fails, every write of the group answers 503 and none is stored. On PostgreSQL,
//! writes take connections of the main pool like everything else.
//!
//! A write that waited longer than the pool timeout is answered 503 without running, so a
//! stuck database answers as fast as an exhausted pool would. Checkpoints (copying the WAL
//! into the database file) run on a thread of their own, so no write waits for one.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};

use super::{DbConn, DbError, DbPool, WorkError};
use crate::config::DatabaseUrl;

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

    /// How many groups of record writes are worth running at once: on SQLite two (one
    /// running on the writer thread, the next queued behind it, so the thread never waits
    /// for the next group to form); on PostgreSQL two, so one group's round trips overlap
    /// another's (measured: one or four stored fewer creates per second than two, since
    /// more groups at once make each smaller).
    pub fn groups_at_once(&self) -> usize {
        match self {
            Self::Pool(_) => 2,
            Self::Thread(_) => 2,
        }
    }

    /// Runs `work` with the write connection, answering 503 when the database cannot be
    /// reached or the write waited past the pool timeout. `work` makes its changes inside
    /// its own `conn.transaction`: on SQLite that is the savepoint that keeps a failed
    /// write out of its group's commit.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        match self {
            Self::Pool(pool) => super::run(pool, work).await,
            Self::Thread(thread) => thread.run(work).await,
        }
    }
}

/// Runs a write and returns how to answer it once its group's fate is known.
type Work = Box<dyn FnOnce(&mut JobContext) -> Answer + Send>;

/// A write and when it was queued.
struct Job {
    queued: Instant,
    work: Work,
}

/// Sends a write's answer: its own result if the group committed, 503 if not.
type Answer = Box<dyn FnOnce(bool) + Send>;

/// Writes taken into one transaction at most.
const GROUP_MAX: usize = 64;

/// What a job sees: the open connection (none when its group could not begin), and
/// whether a job of the group panicked.
struct JobContext<'a> {
    conn: Option<&'a mut DbConn>,
    panicked: bool,
}

/// The queue of writes and the thread that runs them (it ends when this is dropped).
pub struct WriterThread {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for WriterThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterThread").finish_non_exhaustive()
    }
}

/// The writer thread's connection, opened at the first write and again after one broke.
struct Connection {
    url: DatabaseUrl,
    busy_timeout: Duration,
    open: Option<DbConn>,
}

impl Connection {
    fn get(&mut self) -> Result<&mut DbConn, DbError> {
        if self.open.is_none() {
            let conn = super::establish_waiting(&self.url, self.busy_timeout).map_err(|e| {
                tracing::warn!(error = %e, "cannot open the write connection");
                DbError::Unavailable
            })?;
            let mut conn = conn;
            // The checkpointer thread copies the WAL into the database instead, so no
            // write waits for a checkpoint's copying and `fsync` (SQLite runs one in the
            // committing connection every 1,000 pages otherwise: several times a second
            // when writes arrive flat out).
            if let Err(e) = conn.batch_execute("PRAGMA wal_autocheckpoint = 0") {
                tracing::warn!(error = %e, "the write connection checkpoints itself");
            }
            self.open = Some(conn);
        }
        self.open.as_mut().ok_or(DbError::Unavailable)
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
        let (stop, stopped) = mpsc::channel::<()>();
        let checkpoint_url = connection.url.clone();
        let spawned = thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                // Ends the checkpointer when the writer ends.
                let _stop = stop;
                while let Ok(first) = queue.recv() {
                    let mut group = vec![first];
                    group.extend(queue.try_iter().take(GROUP_MAX - 1));
                    run_group(&mut connection, group, timeout);
                }
            })
            .and_then(|_| {
                thread::Builder::new()
                    .name("sqlite-checkpoint".into())
                    .spawn(move || checkpoint_until(&checkpoint_url, &stopped))
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the SQLite writer threads");
        }
        Self { jobs }
    }

    async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: WorkError,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let waiting = crate::metrics::waiting_for_pool();
        let work: Work = Box::new(move |context: &mut JobContext| {
            drop(waiting);
            let result = match &mut context.conn {
                None => Err(DbError::Unavailable.into()),
                Some(conn) => catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
                    context.panicked = true;
                    Err(DbError::Internal(anyhow::anyhow!("a write panicked")).into())
                }),
            };
            Box::new(move |committed: bool| {
                let _ = answer.send(if committed {
                    result
                } else {
                    result.and(Err(DbError::Unavailable.into()))
                });
            })
        });
        let job = Job {
            queued: Instant::now(),
            work,
        };
        self.jobs
            .send(job)
            .map_err(|_| DbError::Internal(anyhow::anyhow!("the writer thread has stopped")))?;
        answered
            .await
            .map_err(|_| DbError::Internal(anyhow::anyhow!("a write was lost")))?
    }
}

/// Runs a group of writes in one transaction and answers each after the commit. Writes
/// that waited past `timeout` are answered 503 unrun; the others wait for the lock no
/// longer than the oldest of them has left.
fn run_group(connection: &mut Connection, group: Vec<Job>, timeout: Duration) {
    let (live, stale): (Vec<Job>, Vec<Job>) = group
        .into_iter()
        .partition(|job| job.queued.elapsed() <= timeout);
    if !stale.is_empty() {
        tracing::warn!(writes = stale.len(), "writes waited past the pool timeout");
        refuse(stale);
    }
    let Some(oldest) = live.iter().map(|job| job.queued).min() else {
        return;
    };
    let budget = timeout
        .saturating_sub(oldest.elapsed())
        .max(Duration::from_millis(1));
    let began = connection.get().and_then(|conn| match conn {
        DbConn::Sqlite(c) => c
            .batch_execute(&format!("PRAGMA busy_timeout = {}", budget.as_millis()))
            .and_then(|()| AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"))
            .map_err(DbError::from),
        DbConn::Postgres(_) => Err(DbError::Internal(anyhow::anyhow!(
            "the writer thread is for SQLite"
        ))),
    });
    if began.is_err() {
        connection.check_after_failure();
        refuse(live);
        return;
    }
    let Some(conn) = connection.open.as_mut() else {
        return;
    };
    let mut context = JobContext {
        conn: Some(conn),
        panicked: false,
    };
    let answers: Vec<Answer> = live
        .into_iter()
        .map(|job| (job.work)(&mut context))
        .collect();
    let panicked = context.panicked;
    let committed = !panicked
        && connection.open.as_mut().is_some_and(|conn| {
            <DbConn as diesel::Connection>::TransactionManager::commit_transaction(conn).is_ok()
        });
    if !committed {
        // Whatever a panic or a failed commit left is rolled back with the connection.
        connection.open = None;
    }
    for answer in answers {
        answer(committed);
    }
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Runs a passive checkpoint every [`CHECKPOINT_EVERY`] on a connection of its own until
/// `stopped` closes. Passive: it copies what no reader still needs and never waits for
/// the writer, which keeps appending meanwhile; on an idle database it is a no-op.
fn checkpoint_until(url: &DatabaseUrl, stopped: &mpsc::Receiver<()>) {
    let mut conn: Option<DbConn> = None;
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
        if conn.is_none() {
            conn = super::establish(url).ok();
        }
        if let Some(c) = &mut conn
            && let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
        {
            tracing::warn!(error = %e, "checkpoint failed");
            conn = None;
        }
    }
}

/// Answers writes 503 without running them.
fn refuse(jobs: Vec<Job>) {
    let mut context = JobContext {
        conn: None,
        panicked: false,
    };
    for job in jobs {
        (job.work)(&mut context)(false);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::connection::SimpleConnection;

    use super::WriterThread;
    use crate::config::DatabaseUrl;
    use crate::db::DbError;

    fn writer(dir: &tempfile::TempDir, timeout: Duration) -> WriterThread {
        WriterThread::start(DatabaseUrl::Sqlite(dir.path().join("w.db")), timeout)
    }

    #[actix_web::test]
    async fn a_panicking_write_leaves_the_writer_serving() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_secs(5));
        let panicked = writer
            .run(|_| -> Result<(), DbError> { panic!("boom") })
            .await;
        assert!(matches!(panicked, Err(DbError::Internal(_))));
        let after = writer
            .run(|conn| Ok::<_, DbError>(conn.batch_execute("CREATE TABLE t (x INTEGER)")?))
            .await;
        assert!(after.is_ok(), "{after:?}");
    }

    #[actix_web::test]
    async fn a_write_that_waited_past_the_timeout_is_refused_unrun() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(&dir, Duration::from_millis(100));
        let slow = writer.run(|_| {
            std::thread::sleep(Duration::from_millis(300));
            Ok::<_, DbError>(())
        });
        // Sent once the slow write's group has started, so it waits in the queue.
        let queued = async {
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            writer
                .run(|conn| Ok::<_, DbError>(conn.batch_execute("CREATE TABLE never (x INTEGER)")?))
                .await
        };
        let (slow, queued) = futures_util::future::join(slow, queued).await;
        assert!(slow.is_ok());
        assert!(matches!(queued, Err(DbError::Unavailable)), "{queued:?}");
        let stored = writer
            .run(|conn| Ok::<_, DbError>(conn.batch_execute("SELECT * FROM never").is_ok()))
            .await;
        assert_eq!(stored.ok(), Some(false), "the refused write did not run");
    }

    fn insert(conn: &mut crate::db::DbConn, x: i32) -> Result<(), DbError> {
        use diesel::Connection;
        conn.transaction::<_, DbError, _>(|c| {
            c.batch_execute(&format!("INSERT INTO t VALUES ({x})"))?;
            Ok(())
        })
    }

    async fn stored(writer: &WriterThread) -> Vec<i32> {
        writer
            .run(|conn| {
                use diesel::prelude::*;
                #[derive(QueryableByName)]
                struct Row {
                    #[diesel(sql_type = diesel::sql_types::Integer)]
                    x: i32,
                }
                let rows: Vec<Row> = diesel::sql_query("SELECT x FROM t ORDER BY x").load(conn)?;
                Ok::<_, DbError>(rows.into_iter().map(|r| r.x).collect())
            })
            .await
            .unwrap()
    }

    async fn writer_with_table(dir: &tempfile::TempDir) -> WriterThread {
        let writer = writer(dir, Duration::from_secs(5));
        writer
            .run(|conn| Ok::<_, DbError>(conn.batch_execute("CREATE TABLE t (x INTEGER)")?))
            .await
            .unwrap();
        writer
    }

    /// Holds the writer so that the writes sent meanwhile run as one group.
    fn hold(writer: &WriterThread) -> impl std::future::Future<Output = Result<(), DbError>> {
        writer.run(|_| {
            std::thread::sleep(Duration::from_millis(200));
            Ok(())
        })
    }

    #[actix_web::test]
    async fn a_failing_write_rolls_back_alone_in_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer_with_table(&dir).await;
        let (held, one, refused, three) = futures_util::future::join4(
            hold(&writer),
            writer.run(|conn| insert(conn, 1)),
            writer.run(|conn| {
                insert(conn, 2)?;
                use diesel::Connection;
                conn.transaction::<(), DbError, _>(|c| {
                    c.batch_execute("INSERT INTO t VALUES (22)")?;
                    Err(DbError::Query(diesel::result::Error::RollbackTransaction))
                })
            }),
            writer.run(|conn| insert(conn, 3)),
        )
        .await;
        assert!(held.is_ok() && one.is_ok() && three.is_ok());
        assert!(matches!(refused, Err(DbError::Query(_))));
        assert_eq!(stored(&writer).await, vec![1, 2, 3]);
    }

    #[actix_web::test]
    async fn a_panic_in_a_group_answers_nobody_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer_with_table(&dir).await;
        let (_, before_panic, panicked) = futures_util::future::join3(
            hold(&writer),
            writer.run(|conn| insert(conn, 10)),
            writer.run(|_| -> Result<(), DbError> { panic!("boom") }),
        )
        .await;
        assert!(matches!(before_panic, Err(DbError::Unavailable)));
        assert!(matches!(panicked, Err(DbError::Internal(_))));
        assert!(stored(&writer).await.is_empty());
    }

    #[actix_web::test]
    async fn the_checkpointer_copies_the_wal_into_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer_with_table(&dir).await;
        let file = dir.path().join("w.db");
        let before = std::fs::metadata(&file).unwrap().len();
        writer
            .run(|conn| {
                conn.batch_execute(
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
                     INSERT INTO t SELECT x FROM n",
                )?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        // The writer itself never checkpoints, so the rows reach the file only through
        // the checkpointer.
        let mut grown = false;
        for _ in 0..50 {
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            if std::fs::metadata(&file).unwrap().len() > before + 4096 * 10 {
                grown = true;
                break;
            }
        }
        assert!(grown, "the database file still holds {before} bytes");
    }
}
