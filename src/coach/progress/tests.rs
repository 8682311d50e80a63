use std::collections::HashSet;

use super::chart::{self, ChartText, HEIGHT, WIDTH};
use super::*;
use crate::coach::feedback::{analyse, AnswerContext, LibraryCues};
use crate::guide::GuideLibrary;

const DAY: i64 = 86_400;
const T0: i64 = 1_762_128_000; // 3 Nov 2025, 00:00 UTC

fn library() -> GuideLibrary {
    GuideLibrary::load(concat!(env!("CARGO_MANIFEST_DIR"), "/guides")).expect("shipped guides")
}

/// `answer` analysed by the real analyser as an answer to the backend role's
/// `question`.
fn analysed(lib: &GuideLibrary, question: &str, answer: &str) -> Analysis {
    let role = lib.resolve_role("backend").expect("backend role");
    let q = role.resolve_question(question).expect("question");
    let ctx = AnswerContext::for_question(role, q);
    analyse(answer, &ctx, lib.cues().expect("cue file"))
}

fn example(lib: &GuideLibrary, question: &str) -> String {
    let role = lib.resolve_role("backend").unwrap();
    role.resolve_question(question).unwrap().example.clone()
}

fn point(at: i64, covered: u32, quantified: bool, words: u32, fillers: f64) -> ProgressPoint {
    ProgressPoint {
        at,
        steps_covered: covered,
        steps_total: 4,
        quantified,
        measured: true,
        words,
        target_words: (120, 300),
        fillers_per_minute: fillers,
    }
}

#[test]
fn a_guide_example_answer_covers_every_step_with_a_result_and_no_filler() {
    let lib = library();
    let analysis = analysed(&lib, "disagreement", &example(&lib, "disagreement"));
    let p = ProgressPoint::from_analysis(T0, &analysis);
    assert_eq!(p.at, T0);
    assert!(p.steps_total >= 3, "{p:?}");
    assert_eq!(p.steps_covered, p.steps_total, "{p:?}");
    assert_eq!(p.steps_percent(), Some(100.0));
    assert!(p.quantified && p.measured, "{p:?}");
    assert_eq!(p.words, analysis.length.words);
    assert!(p.within_length(), "{p:?}");
    assert_eq!(p.fillers_per_minute, 0.0);
}

#[test]
fn a_rambling_answer_counts_its_fillers_per_spoken_minute() {
    let lib = library();
    let answer = "Um, so basically we had, you know, a slow API. I mean, I just looked at it \
                  and, um, we fixed some stuff and it was fine, honestly.";
    let analysis = analysed(&lib, "disagreement", answer);
    let p = ProgressPoint::from_analysis(T0, &analysis);
    let fillers: u32 = analysis.fillers.iter().map(|f| f.count).sum();
    assert!(fillers >= 5, "{:?}", analysis.fillers);
    let minutes = f64::from(analysis.length.seconds) / 60.0;
    assert!((p.fillers_per_minute - f64::from(fillers) / minutes).abs() < 1e-9);
    assert!(!p.quantified, "{p:?}");
    assert!(p.steps_covered < p.steps_total, "{p:?}");
    assert!(!p.within_length(), "{p:?}");
}

#[test]
fn an_answer_too_short_to_time_has_no_filler_rate() {
    let lib = library();
    let mut analysis = analysed(&lib, "disagreement", "Um.");
    analysis.length.seconds = 0;
    assert_eq!(
        ProgressPoint::from_analysis(T0, &analysis).fillers_per_minute,
        0.0
    );
}

#[test]
fn no_points_have_no_summary() {
    assert_eq!(summarise(&[]), None);
}

#[test]
fn one_answer_is_its_own_early_and_recent() {
    let s = summarise(&[point(T0, 3, true, 200, 2.0)]).unwrap();
    assert_eq!((s.answers, s.window, s.first_at, s.last_at), (1, 1, T0, T0));
    assert_eq!(
        s.steps,
        Some(Trend {
            early: 75.0,
            recent: 75.0
        })
    );
    assert_eq!((s.quantified, s.measured, s.within_length), (1, 1, 1));
}

#[test]
fn the_trend_compares_the_first_and_last_third_of_the_answers() {
    // Nine answers, one a day, getting better: thirds of three.
    let points: Vec<ProgressPoint> = (0..9)
        .map(|i| {
            let i32 = i as u32;
            point(
                T0 + i * DAY,
                1 + i32 / 3,
                i >= 4,
                100 + 20 * i32,
                6.0 - f64::from(i32) * 0.5,
            )
        })
        .collect();
    let s = summarise(&points).unwrap();
    assert_eq!(s.window, 3);
    assert_eq!(s.last_at, T0 + 8 * DAY);
    let steps = s.steps.unwrap();
    assert_eq!((steps.early, steps.recent), (25.0, 75.0));
    assert_eq!((s.quantified, s.measured), (5, 9));
    // 100, 120 … 260 words against 120-300: all but the first.
    assert_eq!(s.within_length, 8);
    assert_eq!(s.fillers_per_minute.early, 5.5);
    assert_eq!(s.fillers_per_minute.recent, 2.5);
}

#[test]
fn unmeasured_answers_are_left_out_of_the_results_count_only() {
    let mut points = vec![
        point(T0, 4, false, 150, 0.0),
        point(T0 + DAY, 4, true, 150, 0.0),
    ];
    points[0].measured = false;
    let s = summarise(&points).unwrap();
    assert_eq!((s.quantified, s.measured, s.within_length), (1, 1, 2));
}

#[test]
fn the_window_is_at_most_five_answers() {
    let points: Vec<ProgressPoint> = (0..40).map(|i| point(T0 + i, 2, false, 150, 1.0)).collect();
    assert_eq!(summarise(&points).unwrap().window, TREND_WINDOW);
}

fn text() -> ChartText {
    ChartText {
        title: "Your progress".into(),
        x_axis: "Answers, oldest first".into(),
        steps: "Framework steps covered (%)".into(),
        quantified: "Quantified results (%)".into(),
        length: "Length (words)".into(),
        fillers: "Fillers per minute".into(),
        empty: "No answers yet".into(),
    }
}

/// The PNG's width, height and pixels, decoded.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a buffer size")];
    let info = reader.next_frame(&mut pixels).expect("a PNG frame");
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

fn colours(pixels: &[u8]) -> usize {
    pixels.chunks(3).collect::<HashSet<_>>().len()
}

#[test]
fn a_chart_of_answers_is_a_png_with_lines_and_text() {
    let points: Vec<ProgressPoint> = (0..12)
        .map(|i| {
            point(
                T0 + i * DAY,
                (i % 4 + 1) as u32,
                i % 2 == 0,
                90 + 25 * i as u32,
                4.0 / (i as f64 + 1.0),
            )
        })
        .collect();
    let png = chart::render(&points, &text()).unwrap();
    assert!(png.len() < 1024 * 1024, "{} bytes", png.len());
    let (w, h, pixels) = decode(&png);
    assert_eq!((w, h), (WIDTH, HEIGHT));
    // White, ink, four series colours and the blends of their anti-aliased edges.
    assert!(colours(&pixels) > 20, "{} colours", colours(&pixels));
    // Nothing reads a clock or a random number: the same points, the same bytes.
    assert_eq!(chart::render(&points, &text()).unwrap(), png);
}

#[test]
fn one_answer_and_none_still_make_a_chart() {
    for points in [vec![], vec![point(T0, 0, false, 0, 0.0)]] {
        let png = chart::render(&points, &text()).unwrap();
        let (w, h, pixels) = decode(&png);
        assert_eq!((w, h), (WIDTH, HEIGHT));
        assert!(
            colours(&pixels) > 2,
            "{} points: a flat image",
            points.len()
        );
    }
}

#[test]
fn the_empty_chart_differs_from_a_chart_with_an_answer() {
    let empty = chart::render(&[], &text()).unwrap();
    let one = chart::render(&[point(T0, 2, true, 150, 1.0)], &text()).unwrap();
    assert_ne!(decode(&empty).2, decode(&one).2);
}
