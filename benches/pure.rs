//! `cargo bench --bench pure`: the bot's pure parts with criterion — question selection and
//! rendering an `/ask` reply. (Feedback analysis has its own bench, `benches/feedback.rs`.)
//! `cargo bench --bench bot` runs this too and puts the results in `BENCHMARKS.md`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use interview_coach::coach::select::Picker;

// The same code the suite and the smoke test use (`pure` finds the guides via `super::guides`).
#[allow(dead_code)]
#[path = "suite/guides.rs"]
mod guides;
#[allow(dead_code)]
#[path = "suite/pure.rs"]
mod pure;

fn benches(c: &mut Criterion) {
    let cases = match pure::Cases::load() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let role = cases.role();
    let question = cases.question();
    let picker = Picker::seeded(1);
    let mut group = c.benchmark_group(pure::GROUP);
    let mut user = 0u64;
    group.bench_function(pure::SELECT, |b| {
        b.iter(|| {
            // Members take turns, as on a server: each pick also updates their last question.
            user = (user + 1) % 1_000;
            black_box(pure::select(&picker, black_box(user), role))
        })
    });
    group.bench_function(pure::PLAN, |b| {
        b.iter(|| black_box(pure::plan(&picker, black_box(role))))
    });
    group.bench_function(pure::RENDER, |b| {
        b.iter(|| black_box(pure::render(black_box(role), black_box(question))))
    });
    group.bench_function(pure::RENDER_JSON, |b| {
        b.iter(|| black_box(pure::render_json(black_box(role), black_box(question))))
    });
    group.finish();
}

criterion_group!(pure_parts, benches);
criterion_main!(pure_parts);
