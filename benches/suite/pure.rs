//! The pure parts measured with criterion (`benches/pure.rs`), shared with the smoke test,
//! which runs each once.

use interview_coach::coach::select::{Filter, Picker};
use interview_coach::discord::render::{ask_buttons, AskView};
use interview_coach::guide::{GuideLibrary, Question, Role};
use serenity::all::{CreateActionRow, CreateEmbed};

/// The shipped guides and the role the cases use.
pub struct Cases {
    pub lib: GuideLibrary,
    pub role: String,
}

/// The criterion group name; results are read back under `<criterion home>/pure/…`.
pub const GROUP: &str = "pure";

/// Benchmark ids within [`GROUP`], with what each measures.
pub const SELECT: &str = "select_ask_question";
pub const PLAN: &str = "select_mock_plan";
pub const RENDER: &str = "render_ask_reply";
pub const RENDER_JSON: &str = "render_ask_reply_json";

pub fn describe(id: &str) -> &'static str {
    match id {
        SELECT => "question selection for /ask (`Picker::pick_for`, never the same twice in a row)",
        PLAN => "question plan for /mock (`Picker::plan`, 2 questions)",
        RENDER => "rendering an /ask reply (`AskView::new` + `embed` + buttons)",
        RENDER_JSON => "…and serializing it to the JSON serenity sends",
        _ => "",
    }
}

impl Cases {
    pub fn load() -> Result<Cases, String> {
        let lib = GuideLibrary::load(super::guides::shipped())
            .map_err(|e| format!("the shipped guides do not load:\n{e}"))?;
        Ok(Cases {
            lib,
            role: "backend".into(),
        })
    }

    pub fn role(&self) -> &Role {
        self.lib
            .role(&self.role)
            .or_else(|| self.lib.roles().first())
            .expect("GuideLibrary::load refuses a library without roles")
    }

    pub fn question(&self) -> &Question {
        &self.role().questions[0]
    }
}

pub fn select<'r>(picker: &Picker, user: u64, role: &'r Role) -> Option<&'r Question> {
    picker.pick_for(user, role, Filter::default())
}

pub fn plan<'r>(picker: &Picker, role: &'r Role) -> Vec<&'r Question> {
    picker.plan(role, 2, None, None)
}

pub fn render(role: &Role, q: &Question) -> (CreateEmbed, Vec<CreateActionRow>) {
    (AskView::new(role, q).embed(), ask_buttons(role, q))
}

pub fn render_json(role: &Role, q: &Question) -> String {
    let (embed, buttons) = render(role, q);
    serde_json::json!({"type": 4, "data": {"embeds": [embed], "components": buttons}}).to_string()
}

/// Each case once, checking it produced something (the smoke test).
pub fn run_once() -> Result<(), String> {
    let cases = Cases::load()?;
    let role = cases.role();
    let picker = Picker::seeded(1);
    select(&picker, 1, role).ok_or("no question selected")?;
    if plan(&picker, role).len() != 2 {
        return Err("the plan does not have 2 questions".into());
    }
    let json = render_json(role, cases.question());
    if !json.contains("\"embeds\"") || !json.contains(&cases.question().id) {
        return Err(format!("the rendered reply lacks the question: {json}"));
    }
    Ok(())
}
