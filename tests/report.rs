//! What the coach says about an answer: a follow-up's answer judged on what
//! the follow-up expects (`feedback::judge`, `feedback::follow_up_text`), the
//! ranked observations on a main answer (`feedback::feedback_text`) and the
//! interview summary (`feedback::summarise`).
//!
//! Most analyses here are written out as JSON (the shape `feedback --json`
//! prints), so each rule is tested on exactly the findings it reads, whatever
//! the analyser makes of a text; a few go through the analyser on the shipped
//! guides, end to end.

use interview_coach::coach::feedback::{self, Analysis, AnswerContext, ExpectFinding, LibraryCues};
use interview_coach::guide::{Expect, GuideLibrary};
use serde_json::{json, Value};

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).unwrap()
}

/// A STAR answer's analysis: `covered` steps of situation, task, action,
/// result; `numbers` results; "I" and "we" counts; fillers; its length in
/// words at 150 a minute, against `band`.
struct Shape<'a> {
    covered: &'a [&'a str],
    numbers: &'a [&'a str],
    i: u32,
    we: u32,
    fillers: &'a [(&'a str, u32)],
    hedges: &'a [(&'a str, u32)],
    words: u32,
    band: (u32, u32),
    metric_used: bool,
}

impl Default for Shape<'_> {
    fn default() -> Self {
        Shape {
            covered: &["situation", "task", "action", "result"],
            numbers: &["40%"],
            i: 6,
            we: 1,
            fillers: &[],
            hedges: &[],
            words: 220,
            band: (150, 300),
            metric_used: true,
        }
    }
}

fn analysis(s: Shape<'_>) -> Analysis {
    let steps: Vec<Value> = [
        ("situation", "Situation"),
        ("task", "Task"),
        ("action", "Action"),
        ("result", "Result"),
    ]
    .iter()
    .map(|(key, name)| {
        let covered = s.covered.contains(key);
        json!({
            "key": key, "name": name, "covered": covered,
            "evidence": covered.then(|| json!({"phrase": "it", "excerpt": "it"})),
            "wants_numbers": *key == "result",
            "wants_ownership": *key == "action",
        })
    })
    .collect();
    let numbers: Vec<Value> = s
        .numbers
        .iter()
        .map(|n| json!({"text": n, "number": n, "kind": "percent", "value": 40.0, "measure": "latency", "metric": "latency"}))
        .collect();
    let verdict = match (s.i, s.we) {
        (0, 0) => "no-first-person",
        (0, _) => "only-we",
        (i, w) if i >= 2 * w => "mostly-i",
        (i, w) if w >= 2 * i => "mostly-we",
        _ => "mixed",
    };
    let (lo, hi) = s.band;
    let band = if s.words < lo {
        "short"
    } else if s.words > hi {
        "long"
    } else {
        "within"
    };
    let counts = |list: &[(&str, u32)]| -> Vec<Value> {
        list.iter()
            .map(|(p, c)| json!({"phrase": p, "count": c}))
            .collect()
    };
    let metric = json!({"term": "latency", "kind": "metric", "written": "latency", "count": 1});
    let missed = json!({"term": "latency", "kind": "metric"});
    serde_json::from_value(json!({
        "framework": "star",
        "steps": steps,
        "quantified_results": numbers,
        "role_terms": {
            "used": if s.metric_used { vec![metric] } else { vec![] },
            "missed": if s.metric_used { vec![] } else { vec![missed] },
        },
        "ownership": {"singular": s.i, "plural": s.we, "verdict": verdict},
        "length": {"words": s.words, "seconds": s.words * 60 / 150, "target_words": [lo, hi], "band": band},
        "fillers": counts(s.fillers),
        "hedges": counts(s.hedges),
        "top_words": [],
        "negated": [],
    }))
    .unwrap()
}

fn follow_up(s: Shape<'_>) -> Analysis {
    analysis(Shape {
        band: (40, 150),
        ..s
    })
}

fn verdicts(findings: &[ExpectFinding]) -> Vec<(String, Option<bool>)> {
    findings.iter().map(|f| (f.expects.id(), f.met)).collect()
}

// ---------------------------------------------------------------------------
// Follow-up answers.

#[test]
fn a_short_answer_with_a_number_to_a_number_follow_up_is_told_only_that() {
    // "What changed, in numbers?" — "p99 fell from 900 ms to 180 ms in a week."
    let a = follow_up(Shape {
        covered: &["result"],
        numbers: &["180 ms"],
        i: 0,
        we: 0,
        words: 12,
        ..Shape::default()
    });
    let findings = feedback::judge(&a, &[Expect::Number]);
    assert_eq!(verdicts(&findings), [("number".to_string(), Some(true))]);
    let text = feedback::follow_up_text(&a, &findings);
    assert_eq!(
        text,
        [
            "At 12 words (about 4 s), the answer is under the 40–150 words a follow-up answer \
             needs; add a sentence on how you know, or what it meant.",
            "It gives what the follow-up asked for: a number (\"180 ms\"); keep follow-up \
             answers this direct.",
        ]
    );
    // Nothing about the framework's other steps, "I", or the main band.
    for line in &text {
        for whole_answer in ["Situation", "Task", "Action", "150–300", "\"we\""] {
            assert!(!line.contains(whole_answer), "{line}");
        }
    }
}

#[test]
fn what_a_follow_up_expects_and_the_answer_leaves_out_comes_first() {
    let a = follow_up(Shape {
        covered: &["situation"],
        numbers: &[],
        i: 0,
        we: 3,
        words: 60,
        ..Shape::default()
    });
    let expects = [
        Expect::Ownership,
        Expect::Number,
        Expect::Step("result".into()),
    ];
    let findings = feedback::judge(&a, &expects);
    assert_eq!(
        verdicts(&findings),
        [
            ("ownership".to_string(), Some(false)),
            ("number".to_string(), Some(false)),
            ("step:result".to_string(), Some(false)),
        ]
    );
    let text = feedback::follow_up_text(&a, &findings);
    assert_eq!(text.len(), 3, "{text:#?}");
    assert_eq!(
        text[0],
        "The answer says \"we\" 3 times and \"I\" not at all; say which part was yours."
    );
    assert_eq!(
        text[1],
        "The answer gives no number; say what changed and by how much."
    );
    assert!(
        text[2].starts_with("The answer has no clear Result step; add it: "),
        "{text:#?}"
    );
}

#[test]
fn a_follow_up_that_expects_nothing_is_judged_on_its_length_alone() {
    let within = follow_up(Shape {
        covered: &[],
        numbers: &[],
        words: 75,
        ..Shape::default()
    });
    assert_eq!(
        feedback::follow_up_text(&within, &[]),
        [
            "At 75 words (about 30 s), the answer is within the 40–150 words a follow-up answer \
          needs; keep follow-up answers this direct."
        ]
    );
    let long = follow_up(Shape {
        words: 240,
        ..Shape::default()
    });
    let text = feedback::follow_up_text(&long, &[]);
    assert_eq!(text.len(), 1);
    assert!(
        text[0].starts_with("At 240 words (about 1m 36s), the answer runs over the 40–150"),
        "{text:#?}"
    );
    // A follow-up's own band replaces the default.
    let own = analysis(Shape {
        words: 240,
        band: (100, 300),
        ..Shape::default()
    });
    assert!(feedback::follow_up_text(&own, &[])[0].contains("within the 100–300 words"));
}

#[test]
fn a_step_the_framework_lacks_is_not_judged_and_not_remarked_on() {
    let a = follow_up(Shape::default());
    let findings = feedback::judge(&a, &[Expect::Step("deep-dive".into())]);
    assert_eq!(verdicts(&findings), [("step:deep-dive".to_string(), None)]);
    let text = feedback::follow_up_text(&a, &findings);
    assert!(text.iter().all(|l| !l.contains("deep-dive")), "{text:#?}");
}

#[test]
fn the_people_are_found_by_the_roles_stakeholders_and_the_sentence_model() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let role = lib.role("backend").unwrap();
    let q = role.question("owned-risky-migration").unwrap();
    let ctx = AnswerContext::for_question(role, q);
    let people = [Expect::People];
    let told = feedback::follow_up_feedback(
        "I told the SRE team and the product managers a week ahead, in the weekly review, \
         and posted the runbook in their channel.",
        &ctx,
        &people,
        (40, 150),
        cues,
    );
    assert_eq!(
        verdicts(&told.findings),
        [("people".to_string(), Some(true))]
    );
    // The extra step the judging used is not in the stored analysis.
    let keys: Vec<&str> = told.analysis.steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["situation", "task", "action", "result"]);
    assert_eq!(told.analysis.length.target_words, (40, 150));
    assert!(
        told.headline.starts_with("follow-up · people yes · "),
        "{}",
        told.headline
    );
}

#[test]
fn a_coachs_probe_expects_its_step_and_what_the_framework_wants_there() {
    let lib = library();
    let cues = lib.cues().unwrap();
    assert_eq!(
        feedback::probe_expects("star", "result", cues),
        [Expect::Step("result".into()), Expect::Number]
    );
    assert_eq!(
        feedback::probe_expects("star", "action", cues),
        [Expect::Step("action".into()), Expect::Ownership]
    );
    assert_eq!(
        feedback::probe_expects("star", "situation", cues),
        [Expect::Step("situation".into())]
    );
    // The probe the main answer's feedback proposes says the same.
    let role = lib.role("backend").unwrap();
    let q = role.question("owned-risky-migration").unwrap();
    let ctx = AnswerContext::for_question(role, q);
    let a = feedback::analyse(
        "We had no metrics, we basically just fixed it together.",
        &ctx,
        cues,
    );
    let probe = feedback::follow_up_probe(&a, &ctx.framework.steps).expect("a probe");
    assert_eq!(
        probe.expects,
        feedback::probe_expects("star", &probe.step, cues)
    );
}

// ---------------------------------------------------------------------------
// Main answers: at most three observations, most useful first.

#[test]
fn fillers_heard_often_are_shown_with_which_and_how_many() {
    // 150 words is a minute: 12 fillers and hedges, 12 a minute.
    let a = analysis(Shape {
        covered: &["situation", "action"],
        numbers: &[],
        words: 150,
        fillers: &[("um", 5), ("like ,", 3)],
        hedges: &[("i think", 4)],
        ..Shape::default()
    });
    let text = feedback::feedback_text(&a);
    assert_eq!(text.len(), 3, "{text:#?}");
    assert!(text[0].starts_with("The answer has no clear Task and Result steps"));
    assert!(text[1].starts_with("Your answer names no result in numbers"));
    // Ahead of "we" and length: heard in every other sentence.
    assert_eq!(
        text[2],
        "Filler and hedge words come about 12 times a minute (12 in all), most often \"um\" 5 \
         times, \"I think\" 4 times, and \"like\" 3 times; pause instead, and the same points \
         sound surer."
    );
}

#[test]
fn fillers_are_not_remarked_on_below_four_a_minute_or_three_in_all() {
    // Two minutes, six fillers: three a minute, as people talk.
    let slow = analysis(Shape {
        words: 300,
        fillers: &[("um", 4), ("you know", 2)],
        ..Shape::default()
    });
    assert!(feedback::feedback_text(&slow)
        .iter()
        .all(|l| !l.contains("Filler")));
    // Two in a ten-second answer are twelve a minute, but only two.
    let brief = analysis(Shape {
        words: 25,
        fillers: &[("um", 2)],
        ..Shape::default()
    });
    assert!(feedback::feedback_text(&brief)
        .iter()
        .all(|l| !l.contains("Filler")));
    // Eight in two minutes are four a minute: heard.
    let heard = analysis(Shape {
        words: 300,
        fillers: &[("um", 8)],
        ..Shape::default()
    });
    assert!(feedback::feedback_text(&heard)
        .iter()
        .any(|l| l.starts_with("Filler and hedge words come about 4 times a minute (8 in all)")));
}

#[test]
fn a_strong_answer_gets_one_thing_to_keep_after_what_to_fix() {
    let a = analysis(Shape::default());
    assert_eq!(
        feedback::feedback_text(&a),
        [
            "All 4 steps are there, with \"40%\" backing the result; keep this shape and rehearse \
          it to stay near 1m 28s."
        ]
    );
    // Strong but long: what to cut first, then what to keep (without "stay near").
    let long = analysis(Shape {
        words: 420,
        ..Shape::default()
    });
    let text = feedback::feedback_text(&long);
    assert_eq!(text.len(), 2, "{text:#?}");
    assert!(text[0].contains("runs over the 150–300 word target"));
    assert_eq!(
        text[1],
        "All 4 steps are there, with \"40%\" backing the result; keep this shape."
    );
}

#[test]
fn nothing_is_praised_in_an_answer_too_short_to_judge() {
    // Every step "found" and a number, in 40 words (16 s): no line to keep.
    let a = analysis(Shape {
        words: 40,
        band: (20, 300),
        ..Shape::default()
    });
    let text = feedback::feedback_text(&a);
    assert!(text.iter().all(|l| !l.contains("keep")), "{text:#?}");
    assert_eq!(text.len(), 1);
}

#[test]
fn a_rambling_answer_through_the_analyser_is_told_its_fillers() {
    let lib = library();
    let cues = lib.cues().unwrap();
    let role = lib.role("backend").unwrap();
    let q = role.question("owned-risky-migration").unwrap();
    let ctx = AnswerContext::for_question(role, q);
    let rambling = "Um, so, like, at my last job we had, um, this thing where, you know, the \
        checkout was kind of slow, I guess. And, um, basically I sort of looked at it and, like, \
        I think I found the, um, the cache was, you know, maybe not working. So I kind of fixed \
        it, I guess, and, um, it was basically better after that, like, a lot better. I think \
        the team was happy, you know.";
    let a = feedback::analyse(rambling, &ctx, cues);
    let text = feedback::feedback_text(&a);
    assert!(text.len() <= 3);
    assert!(
        text.iter()
            .any(|l| l.starts_with("Filler and hedge words come about")
                && l.contains("\"um\" 5 times")),
        "{text:#?}"
    );
}

// ---------------------------------------------------------------------------
// The interview summary.

#[test]
fn the_summary_praises_nothing_after_one_word_answers() {
    let one_word = analysis(Shape {
        covered: &[],
        numbers: &[],
        i: 0,
        we: 0,
        words: 1,
        ..Shape::default()
    });
    let s = feedback::summarise(&[one_word.clone(), one_word], &[]);
    assert_eq!(s.answers, 2);
    assert!(s.strengths.is_empty(), "{s:#?}");
    // Its gaps are still named.
    assert!(
        s.gaps.iter().any(|g| g.contains("framework steps")),
        "{s:#?}"
    );
    // The same habits in answers long enough to show them are praised.
    let full = analysis(Shape::default());
    let s = feedback::summarise(&[full.clone(), full], &[]);
    assert!(
        s.strengths.iter().any(|g| g.starts_with("Few filler")),
        "{s:#?}"
    );
}

#[test]
fn the_summary_counts_steps_over_the_main_answers_it_was_given() {
    let no_task = analysis(Shape {
        covered: &["situation", "action", "result"],
        ..Shape::default()
    });
    let full = analysis(Shape::default());
    let s = feedback::summarise(&[no_task.clone(), no_task.clone(), no_task, full], &[]);
    assert_eq!(s.answers, 4);
    assert!(
        s.gaps
            .iter()
            .any(|g| g == "The Task step was missing in 3 of 4 main answers."),
        "{s:#?}"
    );
}

/// Digests stored before they kept the answer's length are praised as they
/// were, when the answer kept to its band.
#[test]
fn old_digests_without_a_length_are_praised_when_within_their_band() {
    let digest = |within: bool| -> feedback::AnswerDigest {
        serde_json::from_value(json!({
            "steps": [], "numbers": true, "owned": true, "within_length": within,
            "few_fillers": true, "named_metric": true,
        }))
        .unwrap()
    };
    let s = feedback::summarise_digests(&[digest(true), digest(true)], &[]);
    assert!(
        s.strengths.iter().any(|g| g.starts_with("Few filler")),
        "{s:#?}"
    );
    let s = feedback::summarise_digests(&[digest(false), digest(false)], &[]);
    assert!(s.strengths.is_empty(), "{s:#?}");
}
