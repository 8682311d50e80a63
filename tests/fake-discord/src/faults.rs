//! Fault injection: error answers and rate limits for the next matching requests, and
//! holding requests until released.

use std::time::Duration;

use crate::{FakeDiscord, Fault, RouteMatcher};

impl FakeDiscord {
    /// Answers the next `times` requests matching `route` with `status` and Discord's body for
    /// it: 403 → 50013 Missing Permissions, 404 → 10003 Unknown Channel, 429 → rate limited
    /// (`retry_after`, `global: false`, `Retry-After` and `X-RateLimit-*` headers), 500 →
    /// Internal Server Error; other statuses get a generic body.
    pub fn fail_next(&self, route: impl Into<RouteMatcher>, status: u16, times: usize) {
        self.shared.faults.lock().unwrap().push(Fault {
            matcher: route.into(),
            status,
            remaining: times,
            retry_after: None,
            global: false,
        });
    }

    /// Like [`Self::fail_next`] with 429, but asking for `retry_after`: the body's
    /// `retry_after` and the `Retry-After` header both carry it in seconds (fractional,
    /// so tests need not wait whole seconds; Discord's header rounds up to whole seconds).
    pub fn fail_next_with_retry_after(
        &self,
        route: impl Into<RouteMatcher>,
        retry_after: Duration,
        times: usize,
    ) {
        self.rate_limit_next(route.into(), retry_after, false, times);
    }

    /// Like [`Self::fail_next_with_retry_after`] for the next matching request, but
    /// Discord's global rate limit (for every route): `global: true` in the body,
    /// `X-RateLimit-Global` and `X-RateLimit-Scope: global` in the headers. Only that
    /// request gets it; what the bot makes of it is up to the bot.
    pub fn fail_next_global_rate_limit(&self, route: impl Into<RouteMatcher>, wait: Duration) {
        self.rate_limit_next(route.into(), wait, true, 1);
    }

    fn rate_limit_next(&self, matcher: RouteMatcher, wait: Duration, global: bool, times: usize) {
        self.shared.faults.lock().unwrap().push(Fault {
            matcher,
            status: 429,
            remaining: times,
            retry_after: Some(wait),
            global,
        });
    }

    /// Parks every request matching `route` (it is recorded as arrived) until [`Self::release`].
    pub fn hold(&self, route: impl Into<RouteMatcher>) {
        self.shared.holds.lock().unwrap().push(route.into());
    }

    /// Lets all held requests proceed and removes all holds.
    pub fn release(&self) {
        self.shared.holds.lock().unwrap().clear();
        self.shared.release.send_modify(|g| *g += 1);
    }
}
