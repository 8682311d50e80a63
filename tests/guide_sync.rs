//! A guide reload accepted in one process reaches the others through the database; a
//! process whose own guide folder fails validation keeps the guides it serves. Two
//! `Interviews` on one database stand for two processes, each with its own copy of the
//! guide folder, as on two machines.

#[path = "common/backends.rs"]
#[macro_use]
mod backends;
#[path = "common/guide_files.rs"]
mod guide_files;

use std::path::PathBuf;

use backends::TestDb;
use guide_files::{add_platform_role, copy_dir, shipped_guides};
use interview_coach::config::Config;
use interview_coach::guide::GuideLibrary;
use interview_coach::session::guide_sync::Followed;
use interview_coach::session::{Interviews, Reloaded};

/// A process: the shipped guides copied to its own folder, on the shared database.
async fn process(db: &TestDb, name: &str) -> (Interviews, PathBuf) {
    let dir = db.dir.path().join(name);
    copy_dir(&shipped_guides(), &dir);
    let mut config = Config::default();
    config.guides.dir = dir.clone();
    let library = GuideLibrary::load(&dir).unwrap();
    (Interviews::new(config, library, db.open().await), dir)
}

/// Looking for reloads finds nothing new.
async fn nothing_new(process: &Interviews) {
    assert!(matches!(
        process.follow_guide_reloads().await.unwrap(),
        Followed::Nothing
    ));
}

async fn a_reload_in_one_process_reaches_the_other(db: TestDb) {
    let (first, first_dir) = process(&db, "first").await;
    let (second, second_dir) = process(&db, "second").await;
    // The first look only learns the revision in service.
    nothing_new(&first).await;
    nothing_new(&second).await;

    // The operator updates both machines' folders; a moderator reloads in the first.
    add_platform_role(&first_dir);
    add_platform_role(&second_dir);
    assert!(second.guides().role("platform").is_none());
    assert!(matches!(
        first.reload_guides().await.unwrap(),
        Reloaded::Done { .. }
    ));
    match second.follow_guide_reloads().await.unwrap() {
        Followed::Reloaded { revision, same } => {
            assert_eq!(revision, 1);
            assert!(same, "both folders hold the same files");
        }
        other => panic!("not followed: {other:?}"),
    }
    assert!(second.guides().role("platform").is_some());
    assert_eq!(second.guides().digest(), first.guides().digest());
    // Nothing new for either now; the first does not reload its own reload again.
    nothing_new(&first).await;
    nothing_new(&second).await;

    // The second machine's copy is broken when the next reload comes: it keeps serving.
    std::fs::remove_file(first_dir.join("platform.toml")).unwrap();
    std::fs::write(second_dir.join("broken.toml"), "[role]\nid = \"Bad Id\"\n").unwrap();
    assert!(matches!(
        first.reload_guides().await.unwrap(),
        Reloaded::Done { .. }
    ));
    assert!(first.guides().role("platform").is_none());
    match second.follow_guide_reloads().await.unwrap() {
        Followed::Refused { revision, problems } => {
            assert_eq!(revision, 2);
            assert!(
                problems.iter().any(|p| p.contains("broken.toml:2:6")),
                "{problems:?}"
            );
        }
        other => panic!("not refused: {other:?}"),
    }
    assert!(second.guides().role("platform").is_some());
    // Not retried every few seconds: only the next reload is followed.
    assert!(matches!(
        second.follow_guide_reloads().await.unwrap(),
        Followed::Nothing
    ));
}

on_both_backends!(a_reload_in_one_process_reaches_the_other);
