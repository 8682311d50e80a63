//! The queue: matching by role and level, who interviews first, one entry and one pair
//! per member, leaving, expiry with the injected clock, settings, simultaneous joins.

use interview_coach::store::{NewInterview, PairSettings, PairStatus, QueueEntry};

use super::*;

async fn members_waiting_for_the_same_role_are_matched_and_the_longer_waiting_asks_first(
    db: TestDb,
) {
    let f = fixture(db).await;
    assert_eq!(f.wait(&entry(ALICE, Some("backend"), None), T0).await, 1);
    // Another role is another line.
    assert_eq!(f.wait(&entry(BOB, Some("frontend"), None), T0 + 5).await, 1);

    let joined = f.join(&entry(CAROL, Some("backend"), None), T0 + 30).await;
    let QueueJoin::Matched {
        pair,
        partner,
        replaced,
    } = joined
    else {
        panic!("expected a match: {joined:?}");
    };
    assert_eq!(pair.guild_id, GUILD);
    assert_eq!(pair.first_interviewer, Some(ALICE), "Alice waited longer");
    assert_eq!(pair.first_candidate, Some(CAROL));
    assert_eq!(pair.role.as_deref(), Some("backend"));
    assert_eq!(pair.level, None);
    assert_eq!(pair.status, PairStatus::Open);
    assert_eq!((pair.created_at, pair.last_activity_at), (T0 + 30, T0 + 30));
    assert_eq!(pair.thread_id, None, "the room is opened afterwards");
    // Alice's entry comes back with the reply to edit ("you have a partner").
    assert_eq!(partner.user_id, ALICE);
    assert_eq!(partner.reply, reply(ALICE, 1));
    assert_eq!(partner.joined_at, T0);
    assert_eq!(replaced, None);

    let left: Vec<u64> = f
        .pairs
        .queue(GUILD)
        .await
        .unwrap()
        .iter()
        .map(|e| e.user_id)
        .collect();
    assert_eq!(left, [BOB], "both matched members left the queue");
    assert_eq!(
        f.pairs.active_pair(GUILD, ALICE).await.unwrap(),
        Some(pair.clone())
    );
    assert_eq!(f.pairs.active_pair(GUILD, CAROL).await.unwrap(), Some(pair));
    assert_eq!(f.pairs.active_pair(GUILD, BOB).await.unwrap(), None);
}

async fn any_role_matches_a_role_and_another_any(db: TestDb) {
    let f = fixture(db).await;
    f.wait(&entry(ALICE, None, None), T0).await;
    let pair = f.matched(&entry(BOB, Some("frontend"), None), T0 + 1).await;
    assert_eq!(pair.first_interviewer, Some(ALICE));
    assert_eq!(
        pair.role.as_deref(),
        Some("frontend"),
        "the role someone asked for"
    );

    f.wait(&entry(CAROL, Some("qa"), None), T0 + 2).await;
    let pair = f.matched(&entry(DAVE, None, None), T0 + 3).await;
    assert_eq!(pair.role.as_deref(), Some("qa"));
    assert_eq!(
        (pair.first_interviewer, pair.first_candidate),
        (Some(CAROL), Some(DAVE))
    );

    // Two members who take any role: a pair without a role (each round has its own).
    let other = |user| NewQueueEntry {
        guild_id: OTHER_GUILD,
        ..entry(user, None, None)
    };
    f.wait(&other(ALICE), T0 + 10).await;
    let pair = f.matched(&other(BOB), T0 + 11).await;
    assert_eq!(pair.role, None);
    assert_eq!(pair.guild_id, OTHER_GUILD);
}

async fn levels_match_when_equal_or_when_either_has_none(db: TestDb) {
    let f = fixture(db).await;
    let backend = |user, level| entry(user, Some("backend"), level);
    f.wait(&backend(ALICE, Some(Level::Senior)), T0).await;
    // Another level does not fit: Bob waits behind Alice in the backend line.
    assert_eq!(f.wait(&backend(BOB, Some(Level::Junior)), T0 + 1).await, 2);

    // No level fits anyone: the longest waiting, Alice, is taken, and her level kept.
    let pair = f.matched(&backend(CAROL, None), T0 + 2).await;
    assert_eq!(pair.first_candidate, Some(CAROL));
    assert_eq!(pair.first_interviewer, Some(ALICE));
    assert_eq!(pair.level, Some(Level::Senior));

    // The same level fits.
    let pair = f.matched(&backend(DAVE, Some(Level::Junior)), T0 + 3).await;
    assert_eq!(pair.first_interviewer, Some(BOB));
    assert_eq!(pair.level, Some(Level::Junior));
    assert!(f.pairs.queue(GUILD).await.unwrap().is_empty());

    // `any` role still needs a compatible level.
    let other = |user, role: Option<&str>, level| NewQueueEntry {
        guild_id: OTHER_GUILD,
        ..entry(user, role, level)
    };
    f.wait(&other(ALICE, Some("qa"), Some(Level::Staff)), T0)
        .await;
    assert_eq!(f.wait(&other(BOB, None, Some(Level::Mid)), T0 + 1).await, 2);
}

async fn the_longest_waiting_fitting_member_is_taken_first(db: TestDb) {
    let f = fixture(db).await;
    // Alice takes any role at senior level; Bob wants backend at junior: they do not fit.
    f.wait(&entry(ALICE, None, Some(Level::Senior)), T0).await;
    f.wait(&entry(BOB, Some("backend"), Some(Level::Junior)), T0 + 10)
        .await;
    // Both fit Carol. Alice has waited longer, so she is taken, even though Bob asked for
    // exactly Carol's role.
    let pair = f
        .matched(&entry(CAROL, Some("backend"), None), T0 + 20)
        .await;
    assert_eq!(
        (pair.first_interviewer, pair.first_candidate),
        (Some(ALICE), Some(CAROL))
    );
    assert_eq!(
        (pair.role.as_deref(), pair.level),
        (Some("backend"), Some(Level::Senior))
    );
    // Bob is still there for the next one, and interviews first.
    let pair = f.matched(&entry(DAVE, None, None), T0 + 30).await;
    assert_eq!(
        (pair.first_interviewer, pair.first_candidate),
        (Some(BOB), Some(DAVE))
    );
    assert_eq!(pair.level, Some(Level::Junior));
}

async fn joining_again_replaces_the_entry_and_keeps_the_place_in_the_line(db: TestDb) {
    let f = fixture(db).await;
    f.wait(&entry(ALICE, Some("backend"), None), T0).await;
    f.wait(&entry(BOB, Some("frontend"), None), T0 + 10).await;
    f.wait(&entry(CAROL, Some("mobile"), Some(Level::Staff)), T0 + 15)
        .await;

    // Alice switches to qa with a new interaction: still one entry, her old place kept,
    // and the old reply handed back to be edited.
    let again = NewQueueEntry {
        reply: reply(ALICE, 2),
        ..entry(ALICE, Some("qa"), None)
    };
    let QueueJoin::Waiting {
        entry: stored,
        position,
        replaced,
    } = f.join(&again, T0 + 20).await
    else {
        panic!("expected to wait");
    };
    assert_eq!(
        (stored.joined_at, stored.expires_at),
        (T0, T0 + 20 + 10 * MINUTE)
    );
    assert_eq!(position, 1);
    assert_eq!(replaced, Some(reply(ALICE, 1)));
    let queue = f.pairs.queue(GUILD).await.unwrap();
    assert_eq!(queue.len(), 3);
    assert_eq!(queue[0].role, WantedRole::Role("qa".into()));
    assert_eq!(queue[0].reply, reply(ALICE, 2));

    // Switching to frontend matches Bob; Alice's place (T0) is older than Bob's, so she
    // interviews first.
    let again = NewQueueEntry {
        reply: reply(ALICE, 3),
        ..entry(ALICE, Some("frontend"), None)
    };
    let QueueJoin::Matched { pair, replaced, .. } = f.join(&again, T0 + 40).await else {
        panic!("expected a match");
    };
    assert_eq!(pair.first_interviewer, Some(ALICE));
    assert_eq!(pair.first_candidate, Some(BOB));
    assert_eq!(replaced, Some(reply(ALICE, 2)));
    let queue = f.pairs.queue(GUILD).await.unwrap();
    assert_eq!(queue.iter().map(|e| e.user_id).collect::<Vec<_>>(), [CAROL]);
}

async fn a_member_in_an_open_pair_cannot_join_but_a_solo_mock_does_not_count(db: TestDb) {
    let f = fixture(db).await;
    f.wait(&entry(ALICE, Some("backend"), None), T0).await;
    let pair = f.matched(&entry(BOB, Some("backend"), None), T0 + 1).await;
    for user in [ALICE, BOB] {
        match f.join(&entry(user, Some("backend"), None), T0 + 2).await {
            QueueJoin::InPair(open) => assert_eq!(open.id, pair.id),
            other => panic!("expected a refusal: {other:?}"),
        }
    }
    assert!(
        f.pairs.queue(GUILD).await.unwrap().is_empty(),
        "nothing written"
    );

    // In another server Alice may queue.
    let elsewhere = NewQueueEntry {
        guild_id: OTHER_GUILD,
        ..entry(ALICE, Some("backend"), None)
    };
    f.wait(&elsewhere, T0 + 3).await;

    // Carol is in a solo mock interview and queues all the same.
    let mock = NewInterview {
        guild_id: GUILD,
        thread_id: 55,
        user_id: CAROL,
        role_id: "backend".into(),
        role_name: "Backend engineer".into(),
        state_json: "{}".into(),
        format_version: 1,
    };
    let _ = f.store.create_interview(&mock, &[], T0).await.unwrap();
    f.wait(&entry(CAROL, Some("backend"), None), T0 + 4).await;

    // Once the pair has ended, its members may queue again.
    f.pairs
        .end(pair.id, interview_coach::store::EndReason::Finished, T0 + 5)
        .await
        .unwrap();
    let again = f
        .matched(&entry(ALICE, Some("backend"), None), T0 + 6)
        .await;
    assert_eq!(again.first_interviewer, Some(CAROL));
}

async fn leaving_removes_the_entry_once_and_hands_back_its_reply(db: TestDb) {
    let f = fixture(db).await;
    f.wait(&entry(ALICE, Some("backend"), None), T0).await;
    let left = f
        .pairs
        .leave(GUILD, ALICE)
        .await
        .unwrap()
        .expect("was waiting");
    assert_eq!((left.user_id, left.reply.clone()), (ALICE, reply(ALICE, 1)));
    assert_eq!(f.pairs.leave(GUILD, ALICE).await.unwrap(), None);
    assert_eq!(f.pairs.leave(GUILD, BOB).await.unwrap(), None);
    // Bob finds nobody to match.
    assert_eq!(f.wait(&entry(BOB, Some("backend"), None), T0 + 1).await, 1);
}

async fn waiting_ends_after_the_servers_queue_time_by_the_injected_clock(db: TestDb) {
    let f = fixture(db).await;
    let set = PairSettings {
        channel_id: None,
        queue_minutes: 2,
        voice: false,
    };
    f.pairs.set_settings(GUILD, set, T0).await.unwrap().unwrap();
    f.wait(&entry(ALICE, Some("backend"), None), T0).await;
    f.wait(&entry(BOB, Some("frontend"), None), T0 + 60).await;

    assert!(f
        .pairs
        .expire(T0 + 2 * MINUTE - 1)
        .await
        .unwrap()
        .is_empty());
    // At her time, Alice is no longer matched, even before the expiry has run...
    assert_eq!(
        f.wait(&entry(CAROL, Some("backend"), None), T0 + 2 * MINUTE)
            .await,
        1
    );
    // ...and the expiry hands her entry back, with the reply to edit.
    let expired: Vec<QueueEntry> = f.pairs.expire(T0 + 2 * MINUTE).await.unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].user_id, ALICE);
    assert_eq!(expired[0].expires_at, T0 + 2 * MINUTE);
    assert_eq!(expired[0].reply, reply(ALICE, 1));
    let waiting: Vec<u64> = f
        .pairs
        .queue(GUILD)
        .await
        .unwrap()
        .iter()
        .map(|e| e.user_id)
        .collect();
    assert_eq!(waiting, [BOB, CAROL]);

    // The other server has the default: ten minutes.
    let other = NewQueueEntry {
        guild_id: OTHER_GUILD,
        ..entry(DAVE, None, None)
    };
    let QueueJoin::Waiting { entry: dave, .. } = f.join(&other, T0).await else {
        panic!("expected to wait");
    };
    assert_eq!(dave.expires_at, T0 + 10 * MINUTE);
    let expired = f.pairs.expire(T0 + 10 * MINUTE).await.unwrap();
    let users: Vec<u64> = expired.iter().map(|e| e.user_id).collect();
    assert_eq!(users, [DAVE, BOB, CAROL], "longest waiting first");

    // An expired entry's member joining again starts a new wait.
    f.wait(&entry(ALICE, Some("backend"), None), T0 + 20 * MINUTE)
        .await;
    f.wait(&entry(ALICE, Some("backend"), None), T0 + 40 * MINUTE)
        .await;
    let queue = f.pairs.queue(GUILD).await.unwrap();
    assert_eq!(queue[0].joined_at, T0 + 40 * MINUTE);
}

async fn settings_default_to_ten_minutes_and_refuse_out_of_range_queue_times(db: TestDb) {
    let f = fixture(db).await;
    let defaults = f.pairs.settings(GUILD).await.unwrap();
    assert_eq!(
        defaults,
        PairSettings {
            channel_id: None,
            queue_minutes: 10,
            voice: false
        }
    );
    for minutes in [0, 15, 60] {
        let bad = PairSettings {
            queue_minutes: minutes,
            ..defaults
        };
        let outcome = f.pairs.set_settings(GUILD, bad, T0).await.unwrap();
        assert_eq!(refused(outcome), Refusal::QueueMinutes(minutes));
    }
    assert_eq!(
        f.pairs.settings(GUILD).await.unwrap(),
        defaults,
        "nothing stored"
    );

    let set = PairSettings {
        channel_id: Some(CHANNEL),
        queue_minutes: 14,
        voice: true,
    };
    f.pairs.set_settings(GUILD, set, T0).await.unwrap().unwrap();
    assert_eq!(f.pairs.settings(GUILD).await.unwrap(), set);
    assert_eq!(f.pairs.settings(OTHER_GUILD).await.unwrap(), defaults);
    let changed = PairSettings {
        channel_id: None,
        ..set
    };
    f.pairs
        .set_settings(GUILD, changed, T0 + 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.pairs.settings(GUILD).await.unwrap(), changed);
}

/// Bob and Carol join at the same moment while Alice waits: exactly one of them is matched
/// with her. Run many times, on one store and across two stores on the same database (two
/// processes: SQLite's write lock serialises them; on PostgreSQL one of two `SERIALIZABLE`
/// transactions is aborted and retried).
async fn two_simultaneous_joins_never_match_the_same_waiting_member(db: TestDb) {
    let f = fixture(db).await;
    let second = Pairs::new(f.db.open().await);
    for round in 0..20u64 {
        let guild = 1_000 + round;
        let at = move |user| NewQueueEntry {
            guild_id: guild,
            ..entry(user, Some("backend"), None)
        };
        f.wait(&at(ALICE), T0).await;
        let other = if round % 2 == 0 { &f.pairs } else { &second };
        let (bob, carol) = tokio::join!(
            tokio::spawn({
                let pairs = f.pairs.clone();
                async move { pairs.join(&at(BOB), T0 + 1).await.unwrap() }
            }),
            tokio::spawn({
                let pairs = other.clone();
                async move { pairs.join(&at(CAROL), T0 + 1).await.unwrap() }
            }),
        );
        let outcomes = [bob.unwrap(), carol.unwrap()];
        let matched: Vec<&Pair> = outcomes
            .iter()
            .filter_map(|o| match o {
                QueueJoin::Matched { pair, .. } => Some(pair),
                _ => None,
            })
            .collect();
        assert_eq!(matched.len(), 1, "round {round}: {outcomes:?}");
        assert_eq!(matched[0].first_interviewer, Some(ALICE));
        let queue = f.pairs.queue(guild).await.unwrap();
        assert_eq!(queue.len(), 1, "round {round}: the other one waits");
        assert!([BOB, CAROL].contains(&queue[0].user_id));
        let open =
            f.db.count(&format!(
                "SELECT COUNT(*) FROM pairs WHERE guild_id = {guild} AND status = 'open'"
            ))
            .await;
        assert_eq!(open, 1, "round {round}");
    }

    // Three at once with nobody waiting: one pair, one left waiting.
    let guild = 5_000;
    let at = move |user| NewQueueEntry {
        guild_id: guild,
        ..entry(user, None, None)
    };
    let joins = [ALICE, BOB, CAROL].map(|user| {
        let pairs = if user == BOB {
            second.clone()
        } else {
            f.pairs.clone()
        };
        tokio::spawn(async move { pairs.join(&at(user), T0).await.unwrap() })
    });
    let mut matched = 0;
    for join in joins {
        if let QueueJoin::Matched { .. } = join.await.unwrap() {
            matched += 1;
        }
    }
    assert_eq!(matched, 1);
    assert_eq!(f.pairs.queue(guild).await.unwrap().len(), 1);
}

on_both_backends!(
    members_waiting_for_the_same_role_are_matched_and_the_longer_waiting_asks_first,
    any_role_matches_a_role_and_another_any,
    levels_match_when_equal_or_when_either_has_none,
    the_longest_waiting_fitting_member_is_taken_first,
    joining_again_replaces_the_entry_and_keeps_the_place_in_the_line,
    a_member_in_an_open_pair_cannot_join_but_a_solo_mock_does_not_count,
    leaving_removes_the_entry_once_and_hands_back_its_reply,
    waiting_ends_after_the_servers_queue_time_by_the_injected_clock,
    settings_default_to_ten_minutes_and_refuse_out_of_range_queue_times,
    two_simultaneous_joins_never_match_the_same_waiting_member,
);
