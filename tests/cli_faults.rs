//! The command line when what is around it goes wrong: output to a closed
//! pipe or a full disk, for every command that prints, and `run` with a bad
//! config file or API base, which must say every problem and exit 1 before it
//! touches Discord or the database.

mod support;

use std::path::Path;

use support::cli::{closed_pipe, full_disk, run_with, ROOT};

const GUIDES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/guides");

// ---------------------------------------------------------------------------
// Output that cannot be written, for every command that prints.

fn printing_commands() -> Vec<(Vec<&'static str>, &'static [u8])> {
    let g = |args: &'static str| {
        let mut all = vec!["--guides", GUIDES];
        all.extend(args.split_whitespace());
        all
    };
    vec![
        (g("roles"), b""),
        (g("check"), b""),
        (g("show backend"), b""),
        (g("show backend tell-me-about-yourself"), b""),
        (
            g("practice --role backend --questions 1 --follow-ups 0"),
            b"I cut p99 latency by 40% by batching writes.\n\n",
        ),
        (
            g("feedback --role backend --question tell-me-about-yourself --json"),
            b"I led a team of 4 and cut costs by 30%.",
        ),
    ]
}

#[test]
fn output_to_a_closed_pipe_ends_quietly_with_0() {
    // `interview-coach roles | head -1`, with `head` gone before the first write.
    for (args, stdin) in printing_commands() {
        let r = run_with(Path::new(ROOT), &args, stdin, &[], Some(closed_pipe()));
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn output_to_a_full_disk_is_one_error_line_and_exit_1() {
    for (args, stdin) in printing_commands() {
        let r = run_with(Path::new(ROOT), &args, stdin, &[], Some(full_disk()));
        assert_eq!(
            (r.code, r.stderr_lines()),
            (
                1,
                vec![
                    "error: cannot write to standard output: No space left on device (os error 28)"
                ]
            ),
            "{args:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// `run` with a bad config: every problem, before Discord or the database.

#[test]
fn run_with_a_bad_config_lists_every_problem_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    // A server that stands in for Discord: the bot must never connect to it.
    let discord = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    discord.set_nonblocking(true).unwrap();
    let base = format!("http://{}", discord.local_addr().unwrap());
    let db = tmp.path().join("data/bot.db");
    let config = format!(
        "[discord]\nguild_id = 0\napi_base = {base:?}\n\n[mock]\nquestions = 0\n\n\
         [storage]\npath = {db:?}\nretention_days = 0\n"
    );
    std::fs::write(tmp.path().join("bad.toml"), config).unwrap();
    let env = [("DISCORD_TOKEN", "fake-bot-token.for-tests")];
    let r = run_with(
        tmp.path(),
        &["run", "--config", "bad.toml"],
        b"",
        &env,
        None,
    );
    assert_eq!(r.code, 3, "a config error's exit code");
    assert_eq!(
        r.stderr_lines(),
        [
            "bad.toml:2:12: [discord] guild_id must be a server id, and Discord ids are never 0; remove the key to register the commands globally",
            "bad.toml:6:13: [mock] questions must be between 1 and 5, not 0",
            "bad.toml:10:18: [storage] retention_days must be at least 1, not 0 (0 would delete every finished interview at start)",
            "error: 3 problems in the config file bad.toml",
        ]
    );
    assert!(!db.parent().unwrap().exists(), "the database was created");
    let connected = discord.accept().map(|_| ());
    assert_eq!(
        connected.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "the bot connected"
    );
}

#[test]
fn run_with_one_bad_value_is_one_line_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let token = ("DISCORD_TOKEN", "fake-bot-token.for-tests");
    for (config, env, line) in [
        (
            "[storage]\npath = \":memory:\"\n",
            vec![token],
            "error: bad.toml:2:8: [storage] path must be a database file path, not \":memory:\": SQLite would keep a separate temporary database per connection, and nothing would be saved",
        ),
        (
            "[discord]\napi_base = \"not a url\"\n",
            vec![token],
            "error: bad.toml:2:12: [discord] api_base must be an http:// or https:// URL such as \"http://127.0.0.1:8080\", not \"not a url\" (relative URL without a base)",
        ),
        (
            "[discord]\nguild = 1\n",
            vec![token],
            "error: bad.toml:2:1: unknown field `guild`, expected one of `guild_id`, `moderator_role_ids`, `admin_guild_ids`, `message_content`, `members_intent`, `token`, `api_base`, `startup_retry_secs`, `gateway_timeout_secs`, `delivery_max_backoff_ms`, `shards`",
        ),
        (
            "",
            vec![token, ("DISCORD_API_BASE", "127.0.0.1:8080")],
            "error: --api-base (or DISCORD_API_BASE): must be an http:// or https:// URL such as \"http://127.0.0.1:8080\", not \"127.0.0.1:8080\" (relative URL without a base)",
        ),
    ] {
        std::fs::write(tmp.path().join("bad.toml"), config).unwrap();
        let r = run_with(tmp.path(), &["run", "--config", "bad.toml"], b"", &env, None);
        assert_eq!(r.stderr_lines(), [line], "stderr");
        assert_eq!(r.code, 3, "a config error's exit code");
    }
    assert!(
        !tmp.path().join("data").exists(),
        "the database was created"
    );
}
