//! Plain-text rendering of guides for the terminal.

use std::fmt::Write;

use crate::guide::{template::join_list, Question, Role};

/// A role's vocabulary and its questions, for `show ROLE`.
pub fn role_overview(role: &Role) -> String {
    let v = &role.vocabulary;
    let mut s = String::new();
    let _ = writeln!(s, "{} ({})", role.name, role.id);
    if !role.aliases.is_empty() {
        let _ = writeln!(s, "Also called: {}", join_list(&role.aliases));
    }
    let _ = writeln!(s, "Focus: {}", join_list(&v.focus));
    let _ = writeln!(s, "Skills: {}", join_list(&v.skills));
    let _ = writeln!(s, "Measured in: {}", join_list(&v.metrics));
    let _ = writeln!(s, "Works with: {}", join_list(&v.stakeholders));
    let _ = writeln!(s, "\nQuestions ({}):", role.questions.len());
    for q in &role.questions {
        let _ = writeln!(s, "  {:<32} [{}] {}", q.id, q.category.id(), q.text);
    }
    let _ = writeln!(
        s,
        "\nShow one with: interview-coach show {} QUESTION_ID",
        role.id
    );
    s
}

/// Everything `/ask` shows for one question, plus the example answer.
pub fn question_guide(role: &Role, q: &Question) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} · {} · {} · {}\n",
        role.name,
        q.id,
        q.category.label(),
        q.stage.label()
    );
    let _ = writeln!(s, "{}\n", q.text);
    let _ = writeln!(s, "Why recruiters ask this\n{}\n", q.why);
    let fw = &q.framework;
    let _ = writeln!(
        s,
        "How to structure your answer: {}\n{}",
        fw.name, fw.summary
    );
    for (i, step) in fw.steps.iter().enumerate() {
        let _ = writeln!(s, "  {}. {}: {}", i + 1, step.name, step.guidance);
    }
    let _ = writeln!(s, "Tips:");
    for tip in q.tips.iter().chain(&fw.tips) {
        let _ = writeln!(s, "  - {tip}");
    }
    let _ = writeln!(s, "\nExample answer\n{}\n", q.example);
    let _ = writeln!(s, "Follow-up questions to prepare for");
    for (i, f) in q.follow_ups.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}. {}\n     This checks: {}",
            i + 1,
            f.question,
            f.checks
        );
    }
    s
}
