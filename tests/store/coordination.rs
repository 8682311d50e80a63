//! What the bot's processes agree on through the database: the guide revision in service
//! and when each process's shards may identify.

use super::*;

async fn a_reload_published_by_one_process_is_seen_by_another(db: TestDb) {
    let (first, second) = (db.open().await, db.open().await);
    assert_eq!(second.guide_revision().await.unwrap(), None);

    let published = first.publish_guide_revision("digest-a", T0).await.unwrap();
    assert_eq!(published.revision, 1);
    let again = first
        .publish_guide_revision("digest-b", T0 + 9)
        .await
        .unwrap();
    assert_eq!(again.revision, 2);

    let seen = second.guide_revision().await.unwrap().unwrap();
    assert_eq!(seen, again);
    assert_eq!(seen.digest, "digest-b");
    assert_eq!(seen.published_at, T0 + 9);
}

/// Eight processes asking at the same instant get eight windows, one after another,
/// whichever store they ask through; a later ask after every window has passed starts at
/// once.
async fn identify_windows_follow_one_another_across_processes(db: TestDb) {
    let stores = [db.open().await, db.open().await];
    let now = T0 * 1000;
    let window = 6_000;
    let asks: Vec<_> = (0..8)
        .map(|i| {
            let store = stores[i % 2].clone();
            tokio::spawn(async move { store.reserve_identify(now, window).await.unwrap() })
        })
        .collect();
    let mut starts = Vec::new();
    for ask in asks {
        starts.push(ask.await.unwrap());
    }
    starts.sort_unstable();
    let expected: Vec<i64> = (0..8).map(|i| now + i * window).collect();
    assert_eq!(starts, expected);

    let later = now + 8 * window + 60_000;
    assert_eq!(
        stores[0].reserve_identify(later, window).await.unwrap(),
        later
    );
}

on_both_backends!(
    a_reload_published_by_one_process_is_seen_by_another,
    identify_windows_follow_one_another_across_processes,
);
