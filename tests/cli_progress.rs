//! The terminal's local database, run as a person would: `practice --db`
//! records the sessions, `progress` prints the summary and writes a PNG that
//! decodes, `forget` empties the database, and every bad path is one error line.

mod support;

use std::path::Path;

use support::cli::{assert_one_error, run_with, Run};

const GUIDES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/guides");

/// `interview-coach --guides GUIDES ARGS` from `dir`, with dates in UTC.
fn coach(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut all = vec!["--guides", GUIDES];
    all.extend_from_slice(args);
    run_with(dir, &all, stdin, &[("TZ", "UTC")], None)
}

/// One main question and one follow-up (or the coach's probe): two answers.
fn practise(dir: &Path, db: &str) -> Run {
    let answers = "At Vector Payments our checkout API had a p95 latency of 900 ms. I was \
                   responsible for the service, so I profiled it, added a Redis cache in front \
                   of the product lookups and removed two calls every request made. As a \
                   result, p95 fell from 900 ms to 180 ms and timeouts dropped by 60%.\n\n\
                   Um, I would, you know, measure it earlier next time.\n\n";
    let args = [
        "practice",
        "--role",
        "backend",
        "--questions",
        "1",
        "--follow-ups",
        "1",
        "--seed",
        "4",
        "--db",
        db,
    ];
    let run = coach(dir, &args, answers.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("Interview complete"), "{}", run.stdout);
    run
}

fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).expect("a PNG frame");
    (frame.width, frame.height)
}

#[test]
fn practice_records_progress_charts_and_forget_empties_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    practise(here, "data/coach.db");
    practise(here, "data/coach.db");
    assert!(here.join("data/coach.db").is_file());

    // Two sessions of two answers each; only the answers to main questions chart.
    let run = coach(here, &["progress", "--db", "data/coach.db"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("2 answers since "), "{}", lines[0]);
    assert!(
        lines[0].contains("results quantified in 2 of 2"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "Chart written to progress.png");
    assert_eq!(png_size(&here.join("progress.png")), (1000, 700));

    let run = coach(
        here,
        &["progress", "--db", "data/coach.db", "--out", "mine.png"],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("Chart written to mine.png\n"),
        "{}",
        run.stdout
    );
    assert_eq!(png_size(&here.join("mine.png")), (1000, 700));

    let run = coach(here, &["forget", "--db", "data/coach.db"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "Deleted 2 interviews and 4 answers from data/coach.db.\n"
    );

    std::fs::remove_file(here.join("progress.png")).unwrap();
    let run = coach(here, &["progress", "--db", "data/coach.db"], b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "No answers recorded in data/coach.db yet; record some with \
         `interview-coach practice --role ROLE --db data/coach.db`.\n"
    );
    assert!(!here.join("progress.png").exists(), "no chart of nothing");

    let run = coach(here, &["forget", "--db", "data/coach.db"], b"");
    assert_eq!(
        run.stdout,
        "data/coach.db held no interviews; nothing was deleted.\n"
    );
}

#[test]
fn an_interrupted_session_keeps_what_was_answered() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "practice",
        "--role",
        "backend",
        "--questions",
        "2",
        "--db",
        "coach.db",
    ];
    let run = coach(dir.path(), &args, b"I cut our p95 latency by 40%.\n\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Interview ended early"),
        "{}",
        run.stdout
    );
    let run = coach(dir.path(), &["progress", "--db", "coach.db"], b"");
    assert!(run.stdout.starts_with("1 answer, on "), "{}", run.stdout);
    // The next session starts afresh; the ended one stays as it was.
    let run = coach(dir.path(), &args, b"");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = coach(dir.path(), &["forget", "--db", "coach.db"], b"");
    assert_eq!(
        run.stdout,
        "Deleted 2 interviews and 1 answer from coach.db.\n"
    );
}

#[test]
fn practice_without_a_database_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = coach(
        dir.path(),
        &["practice", "--role", "backend", "--questions", "1"],
        b"My answer.\n\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn progress_and_forget_need_an_existing_database_and_create_none() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path();
    for command in ["progress", "forget"] {
        let run = coach(here, &[command, "--db", "none.db"], b"");
        assert_one_error(
            &run,
            "error: the database none.db does not exist; \
             `interview-coach practice --role ROLE --db none.db` records one",
        );
    }
    assert!(!here.join("none.db").exists());
    let run = coach(here, &["progress", "--db", "."], b"");
    assert_one_error(
        &run,
        "error: the database . is not a file; \
         `interview-coach practice --role ROLE --db .` records one",
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "my interview notes, not a database\n".repeat(200)).unwrap();
    for args in [
        &["progress", "--db", "notes.txt"][..],
        &["forget", "--db", "notes.txt"],
        &["practice", "--role", "backend", "--db", "notes.txt"],
    ] {
        let run = coach(dir.path(), args, b"My answer.\n\n");
        assert_eq!(run.code, 1, "{args:?}");
        assert_eq!(
            run.stdout, "",
            "{args:?}: nothing asked before the database opened"
        );
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{args:?}: {}", run.stderr);
        assert!(
            lines[0].starts_with("error: cannot open the database notes.txt: "),
            "{args:?}: {}",
            lines[0]
        );
    }
    let kept = std::fs::read_to_string(&notes).unwrap();
    assert!(kept.starts_with("my interview notes"));
}

#[test]
fn an_unwritable_chart_path_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    practise(dir.path(), "coach.db");
    let run = coach(
        dir.path(),
        &["progress", "--db", "coach.db", "--out", "missing/chart.png"],
        b"",
    );
    assert_one_error(
        &run,
        "error: cannot write the chart to missing/chart.png: No such file or directory \
         (os error 2); give another file with --out",
    );
}
