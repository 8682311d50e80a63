//! A pair's rounds: questions, answers, scorecards, swap, the endings and the summary, and
//! a restart in the middle of a round.

use std::sync::Arc;

use interview_coach::guide::{Framework, FrameworkStep};
use interview_coach::session::pairs::{Answered, Note, Swapped};
use interview_coach::store::{EndReason, PairStatus, Scorecard};

use super::*;

async fn a_pair_asks_answers_scores_swaps_and_ends_with_a_summary_of_both_rounds(db: TestDb) {
    let f = fixture(db).await;
    let (pair, first) = f.pair_with_round(ALICE, BOB).await;
    let q1 = any_level("backend", 0);
    assert_eq!(
        (first.number, first.interviewer, first.candidate),
        (1, Some(ALICE), Some(BOB))
    );
    assert_eq!(first.question_id, q1.id);
    assert_eq!(first.role_id, "backend");
    let steps: Vec<String> = q1.framework.steps.iter().map(|s| s.key.clone()).collect();
    assert_eq!(first.step_keys, steps);
    assert_eq!(
        f.pairs.pair_in_thread(THREAD).await.unwrap().unwrap().id,
        pair.id
    );

    // One round at a time.
    let again = f
        .pairs
        .start_round(pair.id, role("backend"), q1, T0 + 3)
        .await
        .unwrap();
    assert_eq!(refused(again), Refusal::RoundRunning);

    // Only the candidate answers; a redelivered message counts once.
    let answer =
        |by, source, text: &'static str, now| f.pairs.answer(pair.id, by, source, text, now);
    assert_eq!(
        refused(answer(ALICE, 11, "me", T0 + 4).await.unwrap()),
        Refusal::NotCandidate
    );
    assert_eq!(
        refused(answer(BOB, 12, "  ", T0 + 4).await.unwrap()),
        Refusal::EmptyAnswer
    );
    let bob_said = "We had duplicate charges; I added idempotency keys.";
    assert_eq!(
        answer(BOB, 13, bob_said, T0 + 5).await.unwrap(),
        Ok(Answered::Recorded(first.id))
    );
    assert_eq!(
        answer(BOB, 13, bob_said, T0 + 6).await.unwrap(),
        Ok(Answered::Duplicate)
    );
    assert_eq!(
        answer(BOB, 14, "Retries reuse the key.", T0 + 7)
            .await
            .unwrap(),
        Ok(Answered::Recorded(first.id))
    );

    // Only the interviewer scores and swaps.
    let scored = f
        .pairs
        .score(first.id, BOB, &all_steps(&first, 3), T0 + 8)
        .await
        .unwrap();
    assert_eq!(refused(scored), Refusal::NotInterviewer);
    f.pairs
        .score(first.id, ALICE, &all_steps(&first, 3), T0 + 8)
        .await
        .unwrap()
        .unwrap();
    let q2 = any_level("backend", 1);
    let swap = f
        .pairs
        .swap(pair.id, BOB, role("backend"), q2, T0 + 9)
        .await
        .unwrap();
    assert_eq!(refused(swap), Refusal::NotInterviewer);
    let Swapped {
        ended,
        round: second,
    } = f
        .pairs
        .swap(pair.id, ALICE, role("backend"), q2, T0 + 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ended.id, ended.ended_at), (first.id, Some(T0 + 10)));
    assert_eq!(
        (second.number, second.interviewer, second.candidate),
        (2, Some(BOB), Some(ALICE)),
        "the roles reverse"
    );
    assert_eq!(second.question_id, q2.id);
    assert_eq!(
        f.pairs.running_round(pair.id).await.unwrap(),
        Some(second.clone())
    );

    // Round 2: Alice answers, Bob scores. Alice may still rescore round 1.
    let alice_said = "I led the migration and measured p99 before and after.";
    answer(ALICE, 21, alice_said, T0 + 11)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refused(answer(BOB, 22, "late", T0 + 11).await.unwrap()),
        Refusal::NotCandidate
    );
    let rating = [(second.step_keys[0].as_str(), 2)];
    f.pairs
        .score(second.id, BOB, &card(&rating), T0 + 12)
        .await
        .unwrap()
        .unwrap();
    f.pairs
        .score(first.id, ALICE, &all_steps(&first, 4), T0 + 13)
        .await
        .unwrap()
        .unwrap();

    let summary = f
        .pairs
        .end(pair.id, EndReason::Finished, T0 + 14)
        .await
        .unwrap();
    let summary = summary.expect("it was open");
    assert_eq!(summary.pair.status, PairStatus::Ended(EndReason::Finished));
    assert_eq!(summary.pair.ended_at, Some(T0 + 14));
    assert_eq!(summary.pair.last_activity_at, T0 + 13);
    assert_eq!(summary.rounds.len(), 2);
    let [one, two] = &summary.rounds[..] else {
        unreachable!()
    };
    assert_eq!(one.round.question_id, q1.id);
    let texts: Vec<&str> = one.answers.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, [bob_said, "Retries reuse the key."]);
    assert_eq!(one.answers[0].source_id, 13);
    let rescored = Scorecard {
        round_id: first.id,
        ratings: steps.iter().map(|k| (k.clone(), 4)).collect(),
        strength: "Clear context up front.".into(),
        improve: "Quantify the result.".into(),
        created_at: T0 + 13,
    };
    assert_eq!(
        one.scorecard,
        Some(rescored),
        "the later scorecard replaced the first"
    );
    assert_eq!(
        two.round.ended_at,
        Some(T0 + 14),
        "ending ends the running round"
    );
    assert_eq!(two.answers.len(), 1);
    let card2 = two.scorecard.as_ref().unwrap();
    assert_eq!(card2.ratings, [(second.step_keys[0].clone(), 2)]);

    // Over: the first ending wins, nothing more is taken, and both may queue again.
    assert_eq!(
        f.pairs
            .end(pair.id, EndReason::Idle, T0 + 15)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        refused(answer(ALICE, 31, "more", T0 + 16).await.unwrap()),
        Refusal::NoRound
    );
    let late = f
        .pairs
        .score(second.id, BOB, &card(&rating), T0 + 16)
        .await
        .unwrap();
    assert_eq!(refused(late), Refusal::PairNotOpen);
    let start = f
        .pairs
        .start_round(pair.id, role("backend"), q1, T0 + 16)
        .await
        .unwrap();
    assert_eq!(refused(start), Refusal::PairNotOpen);
    assert_eq!(f.pairs.pair_in_thread(THREAD).await.unwrap(), None);
    assert_eq!(f.wait(&entry(BOB, Some("backend"), None), T0 + 17).await, 1);
}

async fn scorecards_rate_the_rounds_own_steps_from_one_to_four_with_two_notes(db: TestDb) {
    let f = fixture(db).await;
    let (_, round) = f.pair_with_round(ALICE, BOB).await;
    let step = round.step_keys[0].clone();
    let (pairs, id) = (&f.pairs, round.id);
    let score = |card: NewScorecard| async move {
        refused(pairs.score(id, ALICE, &card, T0 + 5).await.unwrap())
    };
    assert_eq!(score(card(&[])).await, Refusal::NoRatings);
    assert_eq!(
        score(card(&[("charisma", 3)])).await,
        Refusal::UnknownStep("charisma".into())
    );
    assert_eq!(
        score(card(&[(&step, 2), (&step, 3)])).await,
        Refusal::RatedTwice(step.clone())
    );
    for rating in [0, 5] {
        assert_eq!(
            score(card(&[(&step, rating)])).await,
            Refusal::RatingOutOfRange {
                step: step.clone(),
                rating
            }
        );
    }
    let mut blank = card(&[(&step, 2)]);
    blank.strength = " \n ".into();
    assert_eq!(score(blank).await, Refusal::EmptyNote(Note::Strength));
    let mut long = card(&[(&step, 2)]);
    long.improve = "x".repeat(1001);
    assert_eq!(
        score(long).await,
        Refusal::NoteTooLong {
            note: Note::Improve,
            chars: 1001
        }
    );
    assert_eq!(
        f.db.count("SELECT COUNT(*) FROM pair_scorecards").await,
        0,
        "nothing stored"
    );

    // Some steps may go unrated; notes are kept trimmed.
    let mut partial = card(&[(&step, 1)]);
    partial.strength = "  Calm under follow-ups.  ".into();
    let kept = f
        .pairs
        .score(round.id, ALICE, &partial, T0 + 6)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.strength, "Calm under follow-ups.");
    let summary = f
        .summary(&f.pairs.active_pair(GUILD, ALICE).await.unwrap().unwrap())
        .await;
    let stored = summary.rounds[0].scorecard.clone().unwrap();
    assert_eq!(
        (stored.ratings, stored.strength),
        (vec![(step, 1)], kept.strength)
    );
}

async fn a_question_must_suit_the_pairs_role_and_level_and_have_at_most_four_steps(db: TestDb) {
    let f = fixture(db).await;
    let senior = |user| entry(user, Some("backend"), Some(Level::Senior));
    f.wait(&senior(ALICE), T0).await;
    let pair = f.matched(&senior(BOB), T0 + 1).await;
    let start =
        |role: &'static Role, q: &'static Question| f.pairs.start_round(pair.id, role, q, T0 + 2);

    let frontend_q = question("frontend", "page-performance");
    assert_eq!(
        refused(start(role("frontend"), frontend_q).await.unwrap()),
        Refusal::OtherRole {
            pair_role: "backend".into()
        }
    );
    assert_eq!(
        refused(start(role("backend"), frontend_q).await.unwrap()),
        Refusal::NotInRole
    );
    let junior_only = question("backend", "internship-project");
    assert_eq!(
        refused(start(role("backend"), junior_only).await.unwrap()),
        Refusal::OtherLevel
    );

    // A framework of five steps cannot be scored in one message.
    let mut five = any_level("backend", 0).clone();
    let mut framework: Framework = (*five.framework).clone();
    while framework.steps.len() < 5 {
        let n = framework.steps.len();
        framework.steps.push(FrameworkStep {
            key: format!("extra-{n}"),
            ..framework.steps[0].clone()
        });
    }
    five.framework = Arc::new(framework);
    let refusal = f
        .pairs
        .start_round(pair.id, role("backend"), &five, T0 + 2)
        .await
        .unwrap();
    assert_eq!(refused(refusal), Refusal::TooManySteps { steps: 5 });
    assert_eq!(
        f.pairs.running_round(pair.id).await.unwrap(),
        None,
        "nothing started"
    );

    let senior_q = question("backend", "lead-change-across-teams");
    let round = start(role("backend"), senior_q).await.unwrap().unwrap();
    assert_eq!(round.question_id, "lead-change-across-teams");

    // A pair that takes any role asks from any role, round by round.
    f.wait(&entry(CAROL, None, None), T0).await;
    let open = f.matched(&entry(DAVE, None, None), T0 + 1).await;
    let round = f
        .pairs
        .start_round(open.id, role("frontend"), frontend_q, T0 + 2)
        .await;
    assert_eq!(round.unwrap().unwrap().role_id, "frontend");
    let backend_q = any_level("backend", 2);
    let swapped = f
        .pairs
        .swap(open.id, CAROL, role("backend"), backend_q, T0 + 3)
        .await;
    assert_eq!(swapped.unwrap().unwrap().round.role_id, "backend");
}

async fn swap_pressed_twice_at_once_starts_one_round(db: TestDb) {
    let f = fixture(db).await;
    let (pair, _) = f.pair_with_round(ALICE, BOB).await;
    let swap = |n| {
        let pairs = f.pairs.clone();
        tokio::spawn(async move {
            let q = any_level("backend", n);
            pairs
                .swap(pair.id, ALICE, role("backend"), q, T0 + 5)
                .await
                .unwrap()
        })
    };
    let (a, b) = tokio::join!(swap(1), swap(2));
    let outcomes = [a.unwrap(), b.unwrap()];
    let done = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(done, 1, "{outcomes:?}");
    for outcome in &outcomes {
        if let Err(refusal) = outcome {
            // Refused in the write (another swap committed first) or before it (Alice is
            // already the candidate).
            assert!(
                matches!(refusal, Refusal::RoundChanged | Refusal::NotInterviewer),
                "{refusal:?}"
            );
        }
    }
    let summary = f.summary(&pair).await;
    assert_eq!(summary.rounds.len(), 2);
    assert_eq!(summary.rounds[1].round.interviewer, Some(BOB));
}

async fn a_pair_ends_when_its_thread_or_a_member_is_gone_or_it_idles(db: TestDb) {
    let f = fixture(db).await;
    let (pair, _) = f.pair_with_round(ALICE, BOB).await;
    let gone = f
        .pairs
        .thread_gone(THREAD, T0 + 10)
        .await
        .unwrap()
        .expect("ended");
    assert_eq!(gone.pair.id, pair.id);
    assert_eq!(gone.pair.status, PairStatus::Ended(EndReason::ThreadGone));
    assert_eq!(gone.rounds[0].round.ended_at, Some(T0 + 10));
    assert_eq!(f.pairs.thread_gone(THREAD, T0 + 11).await.unwrap(), None);

    // A member leaves the server: their pair ends and their queue entry elsewhere stays.
    f.wait(&entry(CAROL, Some("qa"), None), T0).await;
    let pair = f.matched(&entry(DAVE, Some("qa"), None), T0 + 1).await;
    let elsewhere = NewQueueEntry {
        guild_id: OTHER_GUILD,
        ..entry(DAVE, None, None)
    };
    // (In a pair in GUILD, Dave may still wait in another server.)
    f.wait(&elsewhere, T0 + 2).await;
    let left = f.pairs.member_gone(GUILD, DAVE, T0 + 3).await.unwrap();
    let ended = left.pair.expect("Dave's pair ended");
    assert_eq!(ended.pair.id, pair.id);
    assert_eq!(ended.pair.status, PairStatus::Ended(EndReason::MemberGone));
    assert_eq!(left.queue, None, "no entry in this server");
    assert_eq!(f.pairs.queue(OTHER_GUILD).await.unwrap().len(), 1);
    let left = f
        .pairs
        .member_gone(OTHER_GUILD, DAVE, T0 + 4)
        .await
        .unwrap();
    assert_eq!(
        (left.pair, left.queue.map(|e| e.user_id)),
        (None, Some(DAVE))
    );

    // Idle: measured from the last activity, whatever the clock says.
    f.wait(&entry(ALICE, Some("backend"), None), T0 + 100).await;
    let quiet = f
        .matched(&entry(BOB, Some("backend"), None), T0 + 100)
        .await;
    f.wait(&entry(CAROL, Some("backend"), None), T0 + 100).await;
    let busy = f
        .matched(&entry(DAVE, Some("backend"), None), T0 + 100)
        .await;
    assert!(f.pairs.touch(busy.id, T0 + 500).await.unwrap());
    let idle = 30 * MINUTE;
    assert!(f
        .pairs
        .end_idle(T0 + 100 + idle, idle as u64)
        .await
        .unwrap()
        .is_empty());
    let ended = f
        .pairs
        .end_idle(T0 + 101 + idle, idle as u64)
        .await
        .unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].pair.id, quiet.id);
    assert_eq!(ended[0].pair.status, PairStatus::Ended(EndReason::Idle));
    assert!(!f.pairs.touch(quiet.id, T0 + 102 + idle).await.unwrap());
    let open: Vec<_> = f
        .pairs
        .open_pairs()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(open, [busy.id]);
}

/// The bot is stopped (or killed) mid-round: reopening the database finds the queue, the
/// open pair with its room and running round, and what was said, and the round goes on.
async fn the_queue_and_an_open_pair_survive_reopening_the_database(db: TestDb) {
    let f = fixture(db).await;
    let (pair, round) = f.pair_with_round(ALICE, BOB).await;
    f.pairs
        .answer(pair.id, BOB, 40, "Before the restart.", T0 + 3)
        .await
        .unwrap()
        .unwrap();
    f.wait(&entry(CAROL, Some("frontend"), Some(Level::Mid)), T0 + 4)
        .await;
    // No close: as if the process had been killed (the commits are durable already).
    drop(f.pairs);
    drop(f.store);

    let store = f.db.open().await;
    let pairs = Pairs::new(store);
    let queue = pairs.queue(GUILD).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0].user_id, queue[0].level, queue[0].reply.clone()),
        (CAROL, Some(Level::Mid), reply(CAROL, 1))
    );
    let open = pairs.open_pairs().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].id, open[0].thread_id), (pair.id, Some(THREAD)));
    assert_eq!(
        pairs.pair_in_thread(THREAD).await.unwrap().map(|p| p.id),
        Some(pair.id)
    );
    assert_eq!(
        pairs.running_round(pair.id).await.unwrap(),
        Some(round.clone())
    );

    pairs
        .answer(pair.id, BOB, 41, "After it.", T0 + 60)
        .await
        .unwrap()
        .unwrap();
    pairs
        .score(round.id, ALICE, &all_steps(&round, 2), T0 + 61)
        .await
        .unwrap()
        .unwrap();
    let summary = pairs
        .end(pair.id, EndReason::Finished, T0 + 62)
        .await
        .unwrap()
        .unwrap();
    let texts: Vec<&str> = summary.rounds[0]
        .answers
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(texts, ["Before the restart.", "After it."]);
    // Still the first interaction's reply: the queue time runs from the stored times.
    let expired = pairs.expire(T0 + 4 + 10 * MINUTE).await.unwrap();
    assert_eq!(expired.len(), 1);
}

on_both_backends!(
    a_pair_asks_answers_scores_swaps_and_ends_with_a_summary_of_both_rounds,
    scorecards_rate_the_rounds_own_steps_from_one_to_four_with_two_notes,
    a_question_must_suit_the_pairs_role_and_level_and_have_at_most_four_steps,
    swap_pressed_twice_at_once_starts_one_round,
    a_pair_ends_when_its_thread_or_a_member_is_gone_or_it_idles,
    the_queue_and_an_open_pair_survive_reopening_the_database,
);
