//! Inspecting what the fake received: recorded requests, waiting for them, and the
//! violations the checks flagged.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::{FakeDiscord, RecordedRequest, RouteMatcher};

impl FakeDiscord {
    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.lock().unwrap().requests.clone()
    }

    /// The requests matching a route (e.g. [`routes::CREATE_MESSAGE`](crate::routes::CREATE_MESSAGE)).
    pub fn requests_to(&self, route: impl Into<RouteMatcher>) -> Vec<RecordedRequest> {
        let m = route.into();
        self.shared
            .log
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| m.matches(r))
            .cloned()
            .collect()
    }

    /// Every request arriving from now on, in arrival order, as soon as it has been read
    /// (its `status` is still `None`). Cheaper than [`Self::wait_for`] when a load generator
    /// reacts to thousands of requests: one channel send per request instead of waking and
    /// rescanning. Dropping the receiver unsubscribes.
    pub fn subscribe_requests(&self) -> mpsc::UnboundedReceiver<RecordedRequest> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.subscribers.lock().unwrap().push(tx);
        rx
    }

    /// Returns the first request (already received or arriving later) that satisfies `pred`.
    ///
    /// # Panics
    /// On timeout, with a listing of what did arrive and the violations so far.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> RecordedRequest {
        match self.try_wait_for(pred, timeout).await {
            Some(r) => r,
            None => panic!(
                "fake-discord: wait_for timed out after {timeout:?}.\n{}",
                self.describe()
            ),
        }
    }

    /// Like [`Self::wait_for`] but returns `None` on timeout.
    pub async fn try_wait_for(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut next = 0;
        loop {
            // Register interest before scanning so a request pushed in between is not missed.
            let notified = self.shared.log_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let log = self.shared.log.lock().unwrap();
                if let Some(r) = log.requests[next..].iter().find(|r| pred(r)) {
                    return Some(r.clone());
                }
                // Requests still waiting for their answer are scanned again next time, so a
                // predicate on `status` sees the answer once it is set.
                next = log.requests[next..]
                    .iter()
                    .position(|r| r.status.is_none())
                    .map_or(log.requests.len(), |i| next + i);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    /// Waits for the first request to a route; see [`Self::wait_for`].
    pub async fn wait_for_route(
        &self,
        route: impl Into<RouteMatcher>,
        timeout: Duration,
    ) -> RecordedRequest {
        let m = route.into();
        match self.try_wait_for(|r| m.matches(r), timeout).await {
            Some(r) => r,
            None => panic!(
                "fake-discord: no request to {m:?} within {timeout:?}.\n{}",
                self.describe()
            ),
        }
    }

    /// Everything found wrong so far, as readable strings naming route and field.
    pub fn violations(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().violations.clone()
    }

    /// # Panics
    /// If any violation was recorded, listing them and the requests.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        if !v.is_empty() {
            panic!(
                "fake-discord recorded {} violation(s).\n{}",
                v.len(),
                self.describe()
            );
        }
    }

    /// A readable listing of the requests and violations so far (used in panic messages).
    pub fn describe(&self) -> String {
        let log = self.shared.log.lock().unwrap();
        let mut out = format!("{} request(s) arrived:\n", log.requests.len());
        // Long runs (benchmarks) would produce enormous messages; the tail is what matters.
        let skip = log.requests.len().saturating_sub(200);
        if skip > 0 {
            out.push_str(&format!("  … {skip} earlier request(s) omitted\n"));
        }
        for r in &log.requests[skip..] {
            out.push_str("  ");
            out.push_str(&r.short());
            out.push('\n');
        }
        if log.violations.is_empty() {
            out.push_str("no violations\n");
        } else {
            out.push_str(&format!("{} violation(s):\n", log.violations.len()));
            for v in &log.violations {
                out.push_str("  - ");
                out.push_str(v);
                out.push('\n');
            }
        }
        out
    }
}
