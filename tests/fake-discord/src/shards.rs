//! Sharding as Discord documents it: which shard a guild's events go to, which `shard`
//! arrays an IDENTIFY may carry, and the limit on how fast sessions may start.
//!
//! - Routing: a guild's events go to shard `(guild_id >> 22) % num_shards`; events without a
//!   guild (DMs) go to shard 0.
//! - IDENTIFY's `shard` is `[shard_id, num_shards]`, `[0, 1]` when absent. A `shard_id` not
//!   below `num_shards` is closed with 4010 (Invalid shard). When the fake is configured with
//!   more than one shard ([`FakeDiscordBuilder::shards`](crate::FakeDiscordBuilder::shards)),
//!   an unsharded IDENTIFY is closed with 4011 (Sharding required) and another `num_shards`
//!   with 4010. Discord is that strict only for bots on large-bot sharding (their count must
//!   be a multiple of the one Discord assigned); the fake is stricter so that two bot
//!   processes configured with different counts fail at once instead of silently leaving
//!   guilds without a shard.
//! - Session starts: IDENTIFYs are bucketed by `shard_id % max_concurrency`, and each bucket
//!   may start one session per window (5 s on Discord). One that comes sooner is answered,
//!   as Discord documents, with op 9 Invalid Session (`d: false`), and recorded as an
//!   [`IdentifyViolation`]. RESUMEs do not count.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::id_of;

/// The shard that receives a guild's events when the bot runs `num_shards` shards:
/// `(guild_id >> 22) % num_shards`. Guild ids below `1 << 22` (like
/// [`fixtures::GUILD_ID`](crate::fixtures::GUILD_ID)) are on shard 0; `1 << 22` is on
/// shard 1 of 2.
pub fn shard_of_guild(guild_id: u64, num_shards: u64) -> u64 {
    (guild_id >> 22) % num_shards.max(1)
}

/// Whether a session identified as `shard` gets the events of `guild` (`None`: an event
/// without a guild, which only shard 0 gets).
pub(crate) fn serves(shard: [u64; 2], guild: Option<u64>) -> bool {
    match guild {
        Some(g) => shard_of_guild(g, shard[1]) == shard[0],
        None => shard[0] == 0,
    }
}

/// The guild a dispatch belongs to: its `guild_id`, or for the guild's own events its `id`.
pub(crate) fn guild_of_event(t: &str, d: &Value) -> Option<u64> {
    if let Some(g) = id_of(&d["guild_id"]) {
        return Some(g);
    }
    match t {
        "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE" => id_of(&d["id"]),
        _ => None,
    }
}

/// The `shard` of an IDENTIFY's `d`: `Ok(None)` when absent, `Err` when it is not two
/// non-negative integers.
pub(crate) fn parse_shard(d: &Value) -> Result<Option<[u64; 2]>, ()> {
    match d.get("shard") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) if a.len() == 2 => match (a[0].as_u64(), a[1].as_u64()) {
            (Some(id), Some(total)) => Ok(Some([id, total])),
            _ => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// Checks an IDENTIFY's shard against the fake's shard count; returns the shard the session
/// serves, or the close code and reason Discord uses.
pub(crate) fn check_shard(
    shard: Result<Option<[u64; 2]>, ()>,
    configured: u64,
) -> Result<[u64; 2], (u16, &'static str)> {
    const INVALID: (u16, &str) = (4010, "Invalid shard.");
    let [id, total] = shard.map_err(|()| INVALID)?.unwrap_or([0, 1]);
    if total == 0 || id >= total {
        return Err(INVALID);
    }
    if configured > 1 {
        if total == 1 {
            return Err((4011, "Sharding required."));
        }
        if total != configured {
            return Err(INVALID);
        }
    }
    Ok([id, total])
}

/// An IDENTIFY refused because its bucket had already started a session within the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifyViolation {
    /// The refused IDENTIFY's `[shard_id, num_shards]`.
    pub shard: [u64; 2],
    /// Its rate-limit bucket, `shard_id % max_concurrency`.
    pub bucket: u64,
    /// How long after the bucket's previous session start it came.
    pub since_previous: Duration,
    /// When it arrived.
    pub at: Instant,
}

/// The session-start limit: per bucket, when it last started a session.
#[derive(Debug)]
pub(crate) struct IdentifyLimit {
    enforced: bool,
    max_concurrency: u64,
    window: Duration,
    last_start: HashMap<u64, Instant>,
    violations: Vec<IdentifyViolation>,
    started: u64,
}

impl IdentifyLimit {
    pub fn new(enforced: bool, max_concurrency: u64, window: Duration) -> Self {
        IdentifyLimit {
            enforced,
            max_concurrency: max_concurrency.max(1),
            window,
            last_start: HashMap::new(),
            violations: Vec::new(),
            started: 0,
        }
    }

    /// Lets a session for `shard` start at `at`, or records and returns the violation.
    pub fn admit(&mut self, shard: [u64; 2], at: Instant) -> Result<(), IdentifyViolation> {
        let bucket = shard[0] % self.max_concurrency;
        if let Some(prev) = self.last_start.get(&bucket) {
            let since_previous = at.saturating_duration_since(*prev);
            if self.enforced && since_previous < self.window {
                let v = IdentifyViolation {
                    shard,
                    bucket,
                    since_previous,
                    at,
                };
                self.violations.push(v.clone());
                return Err(v);
            }
        }
        self.last_start.insert(bucket, at);
        self.started += 1;
        Ok(())
    }

    pub fn violations(&self) -> Vec<IdentifyViolation> {
        self.violations.clone()
    }

    /// How many sessions were started (IDENTIFYs answered with READY).
    pub fn started(&self) -> u64 {
        self.started
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guilds_route_by_the_documented_formula() {
        assert_eq!(shard_of_guild(2000, 2), 0);
        assert_eq!(shard_of_guild(1 << 22, 2), 1);
        assert_eq!(shard_of_guild(3 << 22, 2), 1);
        assert_eq!(shard_of_guild(3 << 22, 3), 0);
        assert!(serves([0, 1], Some(1 << 22)));
        assert!(serves([0, 2], None));
        assert!(!serves([1, 2], None));
        assert_eq!(guild_of_event("GUILD_CREATE", &json!({"id": "7"})), Some(7));
        assert_eq!(
            guild_of_event("MESSAGE_CREATE", &json!({"guild_id": "8", "id": "9"})),
            Some(8)
        );
        assert_eq!(guild_of_event("MESSAGE_CREATE", &json!({"id": "9"})), None);
    }

    #[test]
    fn shard_arrays_are_checked_against_the_configured_count() {
        let check = |d: Value, n| check_shard(parse_shard(&d), n).map_err(|(code, _)| code);
        assert_eq!(check(json!({}), 1), Ok([0, 1]));
        assert_eq!(check(json!({"shard": [1, 2]}), 1), Ok([1, 2]));
        assert_eq!(check(json!({"shard": [2, 2]}), 1), Err(4010));
        assert_eq!(check(json!({"shard": [0, 0]}), 1), Err(4010));
        assert_eq!(check(json!({"shard": ["0", 1]}), 1), Err(4010));
        assert_eq!(check(json!({"shard": [1, 2]}), 2), Ok([1, 2]));
        assert_eq!(check(json!({"shard": [1, 3]}), 2), Err(4010));
        assert_eq!(check(json!({}), 2), Err(4011));
        assert_eq!(check(json!({"shard": [0, 1]}), 2), Err(4011));
    }

    #[test]
    fn each_bucket_starts_one_session_per_window() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut one = IdentifyLimit::new(true, 1, ms(100));
        assert!(one.admit([0, 2], t0).is_ok());
        let v = one.admit([1, 2], t0 + ms(30)).unwrap_err();
        assert_eq!((v.shard, v.bucket, v.since_previous), ([1, 2], 0, ms(30)));
        // The refused one does not start the window again.
        assert!(one.admit([1, 2], t0 + ms(100)).is_ok());
        assert_eq!((one.started(), one.violations().len()), (2, 1));

        let mut two = IdentifyLimit::new(true, 2, ms(100));
        assert!(two.admit([0, 4], t0).is_ok());
        assert!(two.admit([1, 4], t0).is_ok());
        assert_eq!(two.admit([2, 4], t0 + ms(10)).unwrap_err().bucket, 0);

        let mut off = IdentifyLimit::new(false, 1, ms(100));
        assert!(off.admit([0, 1], t0).is_ok());
        assert!(off.admit([0, 1], t0).is_ok());
        assert_eq!(off.started(), 2);
    }
}
