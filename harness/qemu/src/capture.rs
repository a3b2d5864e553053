//! Background readers that keep the tails of QEMU's stderr/stdout and of
//! the guest's serial console.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::text::ByteTail;

/// A JoinHandle that aborts its task when dropped.
#[derive(Debug)]
pub(crate) struct AbortOnDrop(pub(crate) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A shared tail fed by reader tasks; `progress` carries the total byte
/// count and closes when every reader has finished.
#[derive(Debug, Clone)]
pub(crate) struct Tail {
    buf: Arc<Mutex<ByteTail>>,
    progress: watch::Receiver<u64>,
}

/// The writing side of a [`Tail`].
#[derive(Debug, Clone)]
pub(crate) struct TailWriter {
    buf: Arc<Mutex<ByteTail>>,
    progress: Arc<watch::Sender<u64>>,
}

pub(crate) fn tail(cap: usize) -> (TailWriter, Tail) {
    let buf = Arc::new(Mutex::new(ByteTail::new(cap)));
    let (tx, rx) = watch::channel(0);
    (
        TailWriter {
            buf: buf.clone(),
            progress: Arc::new(tx),
        },
        Tail { buf, progress: rx },
    )
}

fn lock(m: &Mutex<ByteTail>) -> MutexGuard<'_, ByteTail> {
    // A reader task cannot panic while holding the lock, but never let a
    // poisoned lock take the harness down with it.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl TailWriter {
    /// Spawns a task copying `src` into the tail until EOF or error.
    pub(crate) fn spawn_reader<R>(&self, mut src: R) -> AbortOnDrop
    where
        R: AsyncRead + Unpin + Send + 'static,
    {
        let w = self.clone();
        AbortOnDrop(tokio::spawn(async move {
            let mut chunk = vec![0u8; 8192];
            loop {
                match src.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let total = {
                            let mut b = lock(&w.buf);
                            b.push(&chunk[..n]);
                            b.total()
                        };
                        w.progress.send_replace(total);
                    }
                }
            }
        }))
    }
}

impl Tail {
    pub(crate) fn text(&self) -> String {
        lock(&self.buf).text()
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        lock(&self.buf).bytes()
    }

    pub(crate) fn total(&self) -> u64 {
        lock(&self.buf).total()
    }

    fn find_since(&self, needle: &[u8], since: u64) -> Option<u64> {
        lock(&self.buf).find_since(needle, since)
    }

    /// Waits until the bytes from stream offset `since` on contain
    /// `needle`. `Ok(Some(end))` found (offset just past it), `Ok(None)`
    /// the stream ended without it, `Err(())` timed out.
    pub(crate) async fn wait_for(
        &self,
        needle: &[u8],
        since: u64,
        timeout: Duration,
    ) -> Result<Option<u64>, ()> {
        let mut rx = self.progress.clone();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(end) = self.find_since(needle, since) {
                return Ok(Some(end));
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Ok(self.find_since(needle, since)),
                Err(_) => return Err(()),
            }
        }
    }

    /// Waits (bounded) until every reader has finished, so the tail holds
    /// everything a process that just exited wrote.
    pub(crate) async fn settle(&self, within: Duration) {
        let mut rx = self.progress.clone();
        let _ = tokio::time::timeout(within, async { while rx.changed().await.is_ok() {} }).await;
    }
}
