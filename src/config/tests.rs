//! The config file's parsing and checks, with the exact lines an operator sees.

use super::*;

fn parse(text: &str) -> Config {
    Config::from_toml(Path::new("c.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every error line for `text`, as the command line prints them.
fn errors(text: &str) -> Vec<String> {
    match Config::from_toml(Path::new("bad.toml"), text) {
        Ok(c) => panic!("loaded: {c:?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn debug_never_shows_the_token() {
    let config = parse("[discord]\ntoken = \"very-secret-token\"\n");
    let shown = format!("{config:?}");
    assert!(!shown.contains("very-secret-token"));
    assert!(shown.contains("redacted"));
}

#[test]
fn environment_token_wins_over_file() {
    let config = parse("[discord]\ntoken = \"from-file\"\n");
    let token = |env: Option<&str>| config.token(env.map(String::from)).unwrap();
    assert_eq!(token(Some("from-env")).expose(), "from-env");
    assert_eq!(token(None).expose(), "from-file");
    assert_eq!(token(Some("  ")).expose(), "from-file");
    assert!(Config::default().token(None).is_none());
}

#[test]
fn a_given_api_base_wins_and_is_checked() {
    let config = parse("[discord]\napi_base = \"http://file.test/\"\n");
    let base = |given| config.api_base(given, "DISCORD_API_BASE").unwrap();
    assert_eq!(base(None).as_deref(), Some("http://file.test"));
    assert_eq!(base(Some(" ")).as_deref(), Some("http://file.test"));
    assert_eq!(
        base(Some("https://proxy.test:8443/")).as_deref(),
        Some("https://proxy.test:8443")
    );
    assert_eq!(
        config
            .api_base(Some("not a url"), "DISCORD_API_BASE")
            .unwrap_err()
            .to_string(),
        "DISCORD_API_BASE: must be an http:// or https:// URL such as \"http://127.0.0.1:8080\", not \"not a url\" (relative URL without a base)"
    );
    assert_eq!(Config::default().api_base(None, "x").unwrap(), None);
}

#[test]
fn the_database_url_variable_wins_and_is_checked_without_being_repeated() {
    let mut config = parse("[storage]\nurl = \"postgres://file@db.test/coach\"\n");
    config.apply_database_url(Some("  ".into())).unwrap();
    assert_eq!(
        config.storage.url.as_ref().unwrap().expose(),
        "postgres://file@db.test/coach"
    );
    config
        .apply_database_url(Some("postgres://env:pw@db.test/coach".into()))
        .unwrap();
    assert_eq!(
        config.storage.url.as_ref().unwrap().expose(),
        "postgres://env:pw@db.test/coach"
    );
    let refused = config
        .apply_database_url(Some("mysql://env:hunter2@db.test/coach".into()))
        .unwrap_err()
        .to_string();
    assert!(
        refused.starts_with("INTERVIEW_COACH_DATABASE_URL: must be a PostgreSQL URL"),
        "{refused}"
    );
    assert!(!refused.contains("hunter2"), "{refused}");
}

#[test]
fn defaults_and_unknown_keys() {
    let config = parse("");
    assert!(config.discord.message_content);
    assert_eq!(config.mock.questions, 2);
    assert_eq!(config.storage.retention_days, 180);
    assert_eq!(
        errors("[discord]\nguild = 1\n\n[storag]\npath = \"x.db\"\n"),
        [
            "bad.toml:2:1: unknown field `guild`, expected one of `guild_id`, `moderator_role_ids`, `admin_guild_ids`, `message_content`, `members_intent`, `token`, `api_base`, `startup_retry_secs`, `gateway_timeout_secs`, `delivery_max_backoff_ms`, `shards`",
            "bad.toml:4:2: unknown table `storag`, expected one of `discord`, `guides`, `mock`, `storage`, `metrics`",
        ]
    );
}

#[test]
fn example_config_parses() {
    let config = parse(include_str!("../../config.example.toml"));
    assert_eq!(config.mock.idle_minutes, 30);
}

#[test]
fn every_value_out_of_range_is_reported_at_once_where_it_is() {
    let text = "\
[discord]
guild_id = 0
moderator_role_ids = [5, 0]
admin_guild_ids = [0]
api_base = \"not a url\"
[guides]
dir = \"\"
[mock]
questions = 6
follow_ups = 9
idle_minutes = 0
[storage]
path = \":memory:\"
retention_days = 0
";
    assert_eq!(
        errors(text),
        [
            "bad.toml:2:12: [discord] guild_id must be a server id, and Discord ids are never 0; remove the key to register the commands globally",
            "bad.toml:3:26: [discord] moderator_role_ids must hold Discord ids, and Discord ids are never 0",
            "bad.toml:4:20: [discord] admin_guild_ids must hold Discord ids, and Discord ids are never 0",
            "bad.toml:5:12: [discord] api_base must be an http:// or https:// URL such as \"http://127.0.0.1:8080\", not \"not a url\" (relative URL without a base)",
            "bad.toml:7:7: [guides] dir must name the guide folder, not be empty",
            "bad.toml:9:13: [mock] questions must be between 1 and 5, not 6",
            "bad.toml:10:14: [mock] follow_ups must be between 0 and 5, not 9",
            "bad.toml:11:16: [mock] idle_minutes must be at least 1, not 0",
            "bad.toml:13:8: [storage] path must be a database file path, not \":memory:\": SQLite would keep a separate temporary database per connection, and nothing would be saved",
            "bad.toml:14:18: [storage] retention_days must be at least 1, not 0 (0 would delete every finished interview at start)",
        ]
    );
}

#[test]
fn other_bad_urls_and_paths() {
    for (base, why) in [
        ("ftp://h.test", "the scheme is `ftp`"),
        ("http://h.test/?a=1", "it has a query or fragment"),
        ("unix:/run/discord.sock", "the scheme is `unix`"),
    ] {
        let e = errors(&format!("[discord]\napi_base = {base:?}\n"));
        assert!(
            e[0].starts_with("bad.toml:2:12: [discord] api_base"),
            "{e:?}"
        );
        assert!(e[0].contains(why), "{e:?}");
    }
    for path in ["", "data/"] {
        let e = errors(&format!("[storage]\npath = {path:?}\n"));
        assert!(
            e[0].starts_with("bad.toml:2:8: [storage] path must be a database file path"),
            "{e:?}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let e = errors(&format!("[storage]\npath = {:?}\n", dir.path()));
    assert!(e[0].contains("not the folder"), "{e:?}");
}

#[test]
fn type_errors_in_several_tables_and_ranges_are_all_reported() {
    assert_eq!(
        errors(
            "[mock]\nquestions = \"two\"\n[storage]\nretention_days = -1\n[guides]\ndir = \"\"\n"
        ),
        [
            "bad.toml:2:13: invalid type: string \"two\", expected u8",
            "bad.toml:4:18: invalid value: integer `-1`, expected u32",
            "bad.toml:6:7: [guides] dir must name the guide folder, not be empty",
        ]
    );
}

#[test]
fn syntax_errors_come_alone_with_their_positions() {
    let e = errors("[mock]\nquestions = \n[storage\nretention_days = 0\n");
    assert!(e.len() >= 2, "{e:?}");
    assert!(e[0].starts_with("bad.toml:2:"), "{e:?}");
    assert!(
        e.iter().all(|l| !l.contains("retention_days must")),
        "{e:?}"
    );
}

#[test]
fn discord_retry_windows_have_defaults_and_no_zero_gateway_timeout() {
    let config = parse("");
    assert_eq!(config.discord.startup_retry_secs, 60);
    assert_eq!(config.discord.gateway_timeout_secs, 300);
    assert_eq!(
        parse("[discord]\nstartup_retry_secs = 0\n")
            .discord
            .startup_retry_secs,
        0
    );
    assert!(
        Config::from_toml(Path::new("c.toml"), "[discord]\ngateway_timeout_secs = 0\n").is_err()
    );
}

#[test]
fn the_busy_timeout_has_a_default_and_a_range() {
    assert_eq!(parse("").storage.busy_timeout_ms, 5000);
    let config = parse("[storage]\nbusy_timeout_ms = 100\n");
    assert_eq!(config.storage.busy_timeout_ms, 100);
    for (value, column) in [("99", 19), ("60001", 19)] {
        assert_eq!(
            errors(&format!("[storage]\nbusy_timeout_ms = {value}\n")),
            [format!(
                "bad.toml:2:{column}: [storage] busy_timeout_ms must be between 100 and 60000, not {value}"
            )]
        );
    }
}

#[test]
fn delivery_backoff_has_a_default_and_a_range() {
    assert_eq!(parse("").discord.delivery_max_backoff_ms, 30_000);
    let config = parse("[discord]\ndelivery_max_backoff_ms = 100\n");
    assert_eq!(config.discord.delivery_max_backoff_ms, 100);
    assert_eq!(
        errors("[discord]\ndelivery_max_backoff_ms = 50\n"),
        ["bad.toml:2:27: [discord] delivery_max_backoff_ms must be between 100 and 600000, not 50"]
    );
}

#[test]
fn a_shard_range_is_read_and_a_wrong_one_named_at_its_place() {
    let config = parse("[discord]\nshards = \"2-3/4\"\n");
    let range = config.discord.shard_range().unwrap();
    assert_eq!((range.first, range.last, range.total), (2, 3, 4));
    assert!(!range.runs_shard_zero());
    assert_eq!(
        parse("").discord.shard_range(),
        None,
        "default: every shard"
    );
    let lines = errors("[discord]\nshards = \"0-4/4\"\n");
    assert_eq!(
        lines,
        ["bad.toml:2:10: [discord] shards runs shard 4 of 4, but shards are numbered 0 to 3"]
    );
}

#[test]
fn the_container_config_loads() {
    let config = parse(include_str!("../../deploy/container-config.toml"));
    assert_eq!(config.guides.dir, Path::new("/app/guides"));
    assert_eq!(config.storage.path, Path::new("/data/interview-coach.db"));
    assert_eq!(
        config.metrics.listen_addr(),
        Some("0.0.0.0:9464".parse().unwrap())
    );
}
