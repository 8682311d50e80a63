//! Processes sharing one database each find only their own servers' work: the lists that
//! sweeps and starts read take the process's shards, `(guild_id >> 22) % total`.

use super::*;

use interview_coach::store::DailySchedule;

/// On shard 1 of 2 (and of 4: shard 3).
const ON_ONE: u64 = 900_000_000_000_000_001;
/// On shard 0 of 2 (and of 4: shard 0).
const ON_ZERO: u64 = 900_000_000_004_194_305;

fn of_two(shard: u32) -> ShardFilter {
    ShardFilter {
        first: shard,
        last: shard,
        total: 2,
    }
}

fn schedule(guild_id: u64) -> DailySchedule {
    DailySchedule {
        guild_id,
        channel_id: 50,
        post_time: "09:00".into(),
        timezone: "Europe/Berlin".into(),
        roles: vec!["backend".into()],
        level: None,
        board_day: "monday".into(),
        last_day: None,
        last_board_day: None,
    }
}

async fn each_process_lists_only_the_servers_on_its_shards(db: TestDb) {
    assert!(of_two(1).owns(ON_ONE) && of_two(0).owns(ON_ZERO));
    assert!(!of_two(0).owns(ON_ONE) && !of_two(1).owns(ON_ZERO));
    let store = db.open().await;
    let zero = create(&store, &new_interview(ON_ZERO, ALICE, 10), T0).await;
    let one = create(&store, &new_interview(ON_ONE, BOB, 20), T0).await;
    store
        .enqueue(zero.id, &[message(10, "a")], T0)
        .await
        .unwrap();
    store
        .enqueue(one.id, &[message(20, "b")], T0)
        .await
        .unwrap();
    store
        .set_daily_schedule(&schedule(ON_ZERO), T0)
        .await
        .unwrap();
    store
        .set_daily_schedule(&schedule(ON_ONE), T0)
        .await
        .unwrap();

    let later = T0 + 10_000;
    for (shards, interview, guild) in [(of_two(0), &zero, ON_ZERO), (of_two(1), &one, ON_ONE)] {
        let idle = store.idle_interviews(later, 60, shards).await.unwrap();
        assert_eq!(
            idle.iter().map(|i| i.id).collect::<Vec<_>>(),
            [interview.id]
        );
        assert_eq!(
            store.open_threads(shards).await.unwrap(),
            [interview.thread_id]
        );
        let pending = store.pending_outbox(shards).await.unwrap();
        assert!(pending.iter().all(|item| item.interview_id == interview.id));
        assert_eq!(pending.len(), 1);
        let schedules = store.daily_schedules(shards).await.unwrap();
        assert_eq!(
            schedules.iter().map(|s| s.guild_id).collect::<Vec<_>>(),
            [guild]
        );
    }
    // One process running both shards, or every shard, sees both.
    let both = ShardFilter {
        first: 0,
        last: 1,
        total: 2,
    };
    assert_eq!(
        store.idle_interviews(later, 60, both).await.unwrap().len(),
        2
    );
    assert_eq!(
        store.pending_outbox(ShardFilter::ALL).await.unwrap().len(),
        2
    );
    assert_eq!(
        store.daily_schedules(ShardFilter::ALL).await.unwrap().len(),
        2
    );
    // Four shards over two processes: ON_ONE is on shard 3.
    let upper = ShardFilter {
        first: 2,
        last: 3,
        total: 4,
    };
    let idle = store.idle_interviews(later, 60, upper).await.unwrap();
    assert_eq!(idle.iter().map(|i| i.id).collect::<Vec<_>>(), [one.id]);
}

on_both_backends!(each_process_lists_only_the_servers_on_its_shards);
