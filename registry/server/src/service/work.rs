//! Where schemas are parsed and judged: a few dedicated threads with large
//! stacks, off the async workers. The pool's size bounds how many parses
//! and checks run at once (and so their memory); a request waits for its
//! turn and its answer no longer than the time budget (then 503); work
//! whose request has gone (answered by the budget, or its client
//! disconnected) is skipped or stopped between versions; and a panic inside
//! a parser or checker becomes an invalid-schema answer, never a dead
//! process or worker.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::{ServiceError, ServiceResult};

/// A job as the threads see it.
type Job = Box<dyn FnOnce() + Send>;

/// Tells a running job whether its request still waits for the answer.
#[derive(Clone, Debug)]
pub(super) struct StillWanted(Arc<oneshot::Sender<()>>);

impl StillWanted {
    /// Whether the request still waits (check between steps of long work).
    pub(super) fn get(&self) -> bool {
        !self.0.is_closed()
    }
}

/// The pool of schema threads.
#[derive(Debug)]
pub(super) struct SchemaWork {
    jobs: mpsc::Sender<Job>,
    budget: Duration,
}

impl SchemaWork {
    /// Starts `threads` threads with `stack_bytes` of stack each; each
    /// request's work must end within `budget`.
    pub(super) fn start(threads: usize, stack_bytes: usize, budget: Duration) -> SchemaWork {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("herald-schema-{index}"))
                .stack_size(stack_bytes)
                .spawn(move || {
                    loop {
                        let job = {
                            let queue = queue.lock().unwrap_or_else(|p| p.into_inner());
                            queue.recv()
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the registry is gone
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "a schema thread could not start");
            }
        }
        SchemaWork { jobs, budget }
    }

    /// Runs `work` on a schema thread and returns its answer: 503 when the
    /// budget runs out first, 42201 when it panics (`what` names the
    /// work in that message).
    pub(super) async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        work: impl FnOnce(&StillWanted) -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let (answer, answered) = oneshot::channel();
        let (alive, _request) = oneshot::channel::<()>();
        let wanted = StillWanted(Arc::new(alive));
        // The work is traced as a child of the request's current span, with
        // the request's subscriber (the schema threads have none of their own).
        let parent = tracing::Span::current();
        let dispatch = tracing::dispatcher::get_default(tracing::Dispatch::clone);
        let job: Job = Box::new(move || {
            if answer.is_closed() {
                return; // nobody waits any more: skipped
            }
            let outcome = tracing::dispatcher::with_default(&dispatch, || {
                let span =
                    tracing::debug_span!(parent: &parent, "herald.schema_work", otel.name = what);
                let _entered = span.enter();
                catch_unwind(AssertUnwindSafe(|| work(&wanted)))
            });
            let _ = answer.send(outcome);
        });
        if self.jobs.send(job).is_err() {
            return Err(ServiceError::Busy("no schema thread is running".to_owned()));
        }
        // `_request` lives as long as this future: dropping it (the budget
        // ran out, or the client went away) tells the job to stop.
        match tokio::time::timeout(self.budget, answered).await {
            Ok(Ok(Ok(answer))) => answer,
            Ok(Ok(Err(_panic))) => Err(ServiceError::InvalidSchema(format!(
                "Invalid schema: {what} failed on this input (the schema is malformed in a way the parser does not report)"
            ))),
            Ok(Err(_)) => Err(ServiceError::Busy("the schema work stopped".to_owned())),
            Err(_) => Err(ServiceError::Busy(format!(
                "{what} took longer than the time budget of {} ms; try a smaller schema or fewer versions, or raise --schema-work-budget-ms",
                self.budget.as_millis()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_panics_and_the_budget() {
        let work = SchemaWork::start(1, 1 << 20, Duration::from_millis(200));
        assert_eq!(work.run("adding", |_| Ok(1 + 1)).await.ok(), Some(2));
        let panicked = work
            .run("parsing", |_| -> ServiceResult<()> {
                panic!("a parser bug")
            })
            .await;
        assert!(
            matches!(&panicked, Err(ServiceError::InvalidSchema(m)) if m.contains("parsing")),
            "{panicked:?}"
        );
        let (stopped, was_stopped) = std::sync::mpsc::channel();
        let slow = work
            .run("checking", move |wanted| {
                while wanted.get() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let _ = stopped.send(());
                Ok(())
            })
            .await;
        assert!(matches!(slow, Err(ServiceError::Busy(_))), "{slow:?}");
        // The job saw that nobody waits any more and stopped.
        assert!(was_stopped.recv_timeout(Duration::from_secs(10)).is_ok());
        // The thread is free again.
        assert_eq!(work.run("adding", |_| Ok(3)).await.ok(), Some(3));
    }
}
