//! `[discord] shards = "0-3/16"`: which of the bot's gateway shards this process runs.
//!
//! Discord sends a server's events on shard `(guild_id >> 22) % total` (direct messages
//! on shard 0), so a process that runs shards `first..=last` of `total` sees exactly the
//! servers it owns, and [`ShardRange::owns`] says which those are for work the process
//! starts by itself (sweeps, scheduled posts).

use std::fmt;

/// The most shards a bot may be split into here: far past any bot Discord serves today
/// (one shard per 2,500 servers at most), small enough that a typo stands out.
pub const MAX_TOTAL: u32 = 16_384;

/// Shards `first..=last` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

impl ShardRange {
    /// Reads `first-last/total` (or `n/total` for one shard), with white space allowed
    /// around the parts. `Err` says what is wrong, for the config's error line.
    pub fn parse(text: &str) -> Result<ShardRange, String> {
        let shape = || {
            format!(
                "must be `first-last/total` (e.g. \"0-3/16\": this process runs shards 0 to 3 of 16), not {text:?}"
            )
        };
        let (range, total) = text.split_once('/').ok_or_else(shape)?;
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| shape());
        let total = number(total)?;
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(range)?;
                (n, n)
            }
        };
        if total == 0 || total > MAX_TOTAL {
            return Err(format!(
                "has {total} shards in all; the total must be between 1 and {MAX_TOTAL}"
            ));
        }
        if first > last {
            return Err(format!(
                "runs shards {first} to {last}: the first must not come after the last"
            ));
        }
        if last >= total {
            return Err(format!(
                "runs shard {last} of {total}, but shards are numbered 0 to {}",
                total - 1
            ));
        }
        Ok(ShardRange { first, last, total })
    }

    /// The shard that carries a server's events.
    pub fn shard_of(guild_id: u64, total: u32) -> u32 {
        ((guild_id >> 22) % u64::from(total.max(1))) as u32
    }

    /// Whether this process runs the shard of `guild_id` (`None`: a direct message, which
    /// Discord sends on shard 0).
    pub fn owns(&self, guild_id: Option<u64>) -> bool {
        let shard = guild_id.map_or(0, |g| Self::shard_of(g, self.total));
        (self.first..=self.last).contains(&shard)
    }

    /// Whether this process runs shard 0, which registers the global commands.
    pub fn runs_shard_zero(&self) -> bool {
        self.first == 0
    }
}

impl fmt::Display for ShardRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}/{}", self.first, self.last, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_and_refuse_with_a_reason() {
        assert_eq!(
            ShardRange::parse("0-3/16"),
            Ok(ShardRange {
                first: 0,
                last: 3,
                total: 16
            })
        );
        assert_eq!(
            ShardRange::parse(" 5 / 8 "),
            Ok(ShardRange {
                first: 5,
                last: 5,
                total: 8
            })
        );
        let wrong = |s: &str| ShardRange::parse(s).unwrap_err();
        assert!(wrong("0-3").contains("first-last/total"));
        assert!(wrong("a-b/2").contains("first-last/total"));
        assert!(wrong("0-3/0").contains("between 1 and"));
        assert!(wrong("3-1/4").contains("must not come after"));
        assert!(wrong("0-4/4").contains("numbered 0 to 3"));
    }

    #[test]
    fn a_server_belongs_to_the_shard_discord_sends_it_on() {
        // Discord's documented example: shard_id = (guild_id >> 22) % num_shards.
        let guild = 197_038_439_483_310_086_u64;
        let shard = ShardRange::shard_of(guild, 16);
        assert_eq!(u64::from(shard), (guild >> 22) % 16);
        let mine = ShardRange {
            first: shard,
            last: shard,
            total: 16,
        };
        assert!(mine.owns(Some(guild)));
        let other = ShardRange {
            first: (shard + 1) % 16,
            last: (shard + 1) % 16,
            total: 16,
        };
        assert!(!other.owns(Some(guild)));
        // Direct messages come on shard 0.
        assert!(ShardRange {
            first: 0,
            last: 0,
            total: 2
        }
        .owns(None));
        assert!(!ShardRange {
            first: 1,
            last: 1,
            total: 2
        }
        .owns(None));
    }
}
