//! The guide loader against the fixture directories in `tests/fixtures/guides`:
//! one broken directory per kind of mistake, each checked for the exact
//! `path:line:column: message` lines; a small valid library for templates,
//! overrides and lookups; and the shipped `guides/`.
//!
//! Paths are relative to the package root (where cargo runs integration
//! tests), so they appear in the messages exactly as they are passed in.
//! Line and column numbers were counted by hand from the fixture files.

mod support;

use std::path::Path;

use interview_coach::guide::{limits, Category, Expect, FollowUp, GuideLibrary, Stage};
use support::copy_dir;

const FIXTURES: &str = "tests/fixtures/guides";

/// Every error line for a fixture directory that must fail to load.
fn errors_in(dir: &str) -> Vec<String> {
    match GuideLibrary::load(dir) {
        Ok(lib) => panic!("{dir} loaded ({}) but should not", lib.counts()),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

/// Asserts the exact errors of `tests/fixtures/guides/NAME`, each given
/// relative to that directory.
fn assert_errors(name: &str, expected: &[&str]) {
    let dir = format!("{FIXTURES}/{name}");
    let want: Vec<String> = expected.iter().map(|e| format!("{dir}/{e}")).collect();
    assert_eq!(errors_in(&dir), want, "errors for {dir}");
}

fn valid() -> GuideLibrary {
    GuideLibrary::load(format!("{FIXTURES}/valid")).unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------
// One directory per kind of mistake.

#[test]
fn malformed_toml_points_at_the_unclosed_string() {
    assert_errors(
        "malformed-toml",
        &["tester.toml:4:15: invalid TOML: invalid basic string, expected `\"`"],
    );
}

#[test]
fn unknown_fields_are_reported_with_the_closest_known_field() {
    assert_errors(
        "unknown-field",
        &[
            "tester.toml:5:1: unknown field `alias` in role `tester`; did you mean `aliases`?",
            "tester.toml:21:1: unknown field `answer_word` in question `first-bug`; did you mean `answer_words`?",
            "tester.toml:26:1: unknown field `hint` in follow-up #1 in question `first-bug`; expected one of: question, checks, expects, answer_words",
        ],
    );
}

#[test]
fn missing_fields_are_reported_at_their_table_even_when_the_role_is_incomplete() {
    // The role lacks `stakeholders`; its question is still checked.
    assert_errors(
        "missing-field",
        &[
            "tester.toml:2:1: role `tester` is missing the required field `stakeholders`",
            "tester.toml:10:1: question `first-bug` in role `tester` is missing the required field `why`",
            "tester.toml:19:1: follow-up #1 in question `first-bug` is missing the required field `checks`",
        ],
    );
}

#[test]
fn wrong_types_are_reported_once_at_the_value() {
    // A field that is there but of the wrong type is not also "missing".
    assert_errors(
        "wrong-type",
        &[
            "tester.toml:5:11: `aliases` in role `tester` must be a list of strings, found a string",
            "tester.toml:8:21: `skills` in role `tester` must be a list of strings, found an integer in it",
            "tester.toml:13:10: `pytest` in [role.synonyms] must be a list of strings, found a string",
            "tester.toml:19:9: `stage` in question `first-bug` must be a string, found an integer",
            "tester.toml:24:16: `answer_words` in question `first-bug` must be a pair of whole numbers like [150, 300], found an integer",
            "tester.toml:28:10: `checks` in follow-up #1 in question `first-bug` must be a string, found a boolean",
        ],
    );
}

#[test]
fn a_role_id_used_in_two_files_is_reported_in_the_later_file() {
    assert_errors(
        "duplicate-role-id",
        &[&format!(
            "tester.toml:3:6: role id `tester` is already used by role `tester` ({FIXTURES}/duplicate-role-id/qa.toml:3)"
        )],
    );
}

#[test]
fn an_alias_already_taken_by_another_role_is_reported() {
    // `quality` is qa's alias; `qa` is its id. Both lead to role `qa`.
    let first = format!("{FIXTURES}/duplicate-alias/qa.toml:3");
    assert_errors(
        "duplicate-alias",
        &[
            &format!("tester.toml:5:12: alias `quality` is already used by role `qa` ({first})"),
            &format!("tester.toml:5:23: alias `qa` is already used by role `qa` ({first})"),
        ],
    );
}

#[test]
fn a_question_id_used_twice_in_one_role_is_reported_at_the_second() {
    assert_errors(
        "duplicate-question-id",
        &["tester.toml:26:6: duplicate question id `first-bug` in role `tester` (first at line 12)"],
    );
}

#[test]
fn ids_and_aliases_must_be_lowercase_slugs() {
    assert_errors(
        "bad-id-uppercase",
        &[
            "tester.toml:5:12: alias `QA` must use only lowercase letters a-z, digits and `-` (not at either end)",
            "tester.toml:13:6: question id `First-Bug` must use only lowercase letters a-z, digits and `-` (not at either end)",
        ],
    );
}

#[test]
fn ids_longer_than_forty_characters_are_rejected_and_forty_is_fine() {
    assert_eq!(limits::ID_MAX, 40);
    assert_errors(
        "bad-id-too-long",
        &["tester.toml:3:6: role id `software-quality-assurance-test-engineers` is 41 characters long; the limit is 40"],
    );
}

#[test]
fn unknown_frameworks_get_a_suggestion_or_the_list_of_known_ones() {
    assert_errors(
        "unknown-framework",
        &[
            "tester.toml:17:13: unknown framework `STAR`; did you mean `star`?",
            "tester.toml:31:13: unknown framework `five-whys`; known frameworks: star",
        ],
    );
}

#[test]
fn unknown_templates_get_a_suggestion() {
    assert_errors(
        "unknown-template",
        &["tester.toml:12:12: unknown template `tell-me-abut-yourself`; did you mean `tell-me-about-yourself`?"],
    );
}

#[test]
fn unknown_and_unclosed_placeholders_point_at_the_brace() {
    // Line 13 has `é` (one column, two bytes) and escaped quotes before the
    // placeholder: the column is counted in characters of the file as written.
    let known = "known placeholders: {role}, {a_role}, {field}, {a_field}, {focus}, {skills}, {metrics}, {stakeholders}, {focus_area}, {skill}, {metric}, {stakeholder} (write `{{` for a literal brace)";
    assert_errors(
        "unknown-placeholder",
        &[
            &format!("tester.toml:13:38: unknown placeholder `{{team}}`; {known}"),
            "tester.toml:16:17: unclosed `{`; write `{{` for a literal brace",
            &format!("tester.toml:22:30: unknown placeholder `{{stakeholdres}}`; {known}"),
        ],
    );
}

#[test]
fn required_lists_must_not_be_empty() {
    assert_errors(
        "empty-list",
        &[
            "tester.toml:6:9: `focus` in role `tester` must not be empty",
            "tester.toml:11:1: `tips` in question `first-bug` in role `tester` must not be empty",
        ],
    );
}

#[test]
fn question_text_over_256_characters_is_rejected() {
    assert_errors(
        "question-too-long",
        &["tester.toml:13:8: text of question `first-bug` is 257 characters long; the limit is 256"],
    );
}

#[test]
fn a_field_over_1024_characters_is_rejected() {
    assert_errors(
        "field-too-long",
        &[
            "tester.toml:16:7: `why` of question `first-bug` is 1025 characters long; the limit is 1024",
            "tester.toml:23:10: a follow-up's `checks` of question `first-bug` is 1025 characters long; the limit is 1024",
        ],
    );
}

#[test]
fn an_example_over_4000_characters_is_rejected_and_the_limits_themselves_are_fine() {
    // The second question's text, why and example are exactly 256, 1024 and
    // 4000 characters long and raise nothing.
    assert_eq!(
        (
            limits::QUESTION_TEXT_MAX,
            limits::FIELD_MAX,
            limits::EXAMPLE_MAX
        ),
        (256, 1024, 4000)
    );
    assert_errors(
        "example-too-long",
        &["tester.toml:20:11: the example answer of question `first-bug` is 4001 characters long; the limit is 4000"],
    );
}

#[test]
fn a_template_too_long_for_one_role_is_reported_at_that_roles_question() {
    assert_errors(
        "templated-too-long",
        &["tester.toml:12:12: text of question `tell-me-about-yourself` is 291 characters long once the role's vocabulary is filled in; the limit is 256"],
    );
}

#[test]
fn a_file_that_is_neither_a_role_nor_a_shared_file_is_an_error() {
    assert_errors(
        "neither-role-nor-shared",
        &["notes.toml:1:1: this file is neither a role file (it has no [role] table) nor a shared file (no [[frameworks]] or [[templates]]); see guides/README.md"],
    );
}

#[test]
fn a_file_that_is_both_a_role_and_a_shared_file_is_an_error() {
    assert_errors(
        "role-and-shared",
        &["tester.toml:1:1: a file is either a role file ([role]) or a shared file ([[frameworks]], [[templates]]), not both; move the shared tables to their own file"],
    );
}

#[test]
fn shared_files_without_any_role_are_an_error() {
    assert_eq!(
        errors_in(&format!("{FIXTURES}/only-shared")),
        [format!(
            "{FIXTURES}/only-shared: no role files found (a role file has a [role] table); see guides/README.md"
        )]
    );
}

#[test]
fn every_error_in_two_files_is_reported_sorted_by_file_line_and_column() {
    let data_toml = format!("{FIXTURES}/several-errors/data.toml");
    assert_errors(
        "several-errors",
        &[
            "data.toml:5:8: role name is 63 characters long; the limit is 60 (it goes into thread names)",
            "data.toml:12:1: unknown field `colour` in role `data-analyst`; expected one of: id, name, aliases, field, focus, skills, metrics, stakeholders, synonyms",
            "data.toml:19:12: duplicate question id `tell-me-about-yourself` in role `data-analyst` (first at line 15)",
            "data.toml:22:1: question `messy-data` in role `data-analyst` is missing the required field `follow_ups`",
            "data.toml:27:26: unknown placeholder `{quality}`; known placeholders: {role}, {a_role}, {field}, {a_field}, {focus}, {skills}, {metrics}, {stakeholders}, {focus_area}, {skill}, {metric}, {stakeholder} (write `{{` for a literal brace)",
            "data.toml:28:13: unknown framework `STAR`; did you mean `star`?",
            &format!("tester.toml:3:6: role id `tester` is already used by role `data-analyst` ({data_toml}:4)"),
            "tester.toml:14:12: unknown category `behavior`; use one of: general, behavioral, technical, system-design, situational",
            "tester.toml:17:13: unknown framework `starr`; did you mean `star`?",
            "tester.toml:26:6: a question built from template `tell-me-about-yourself` takes the template's id; remove `id` or drop `template`",
        ],
    );
}

#[test]
fn errors_carry_their_parts_and_display_one_per_line() {
    let errors = GuideLibrary::load(format!("{FIXTURES}/unknown-framework")).unwrap_err();
    let first = &errors.0[0];
    assert_eq!(
        first.path,
        Path::new(FIXTURES).join("unknown-framework/tester.toml")
    );
    assert_eq!((first.line, first.column), (17, 13));
    assert_eq!(
        first.message,
        "unknown framework `STAR`; did you mean `star`?"
    );
    let shown = errors.to_string();
    assert_eq!(shown.lines().count(), 2);
    assert!(shown.starts_with(&format!("{FIXTURES}/unknown-framework/tester.toml:17:13: ")));
}

// ---------------------------------------------------------------------------
// Directories that cannot be used at all.

#[test]
fn a_missing_directory_is_one_error() {
    let dir = format!("{FIXTURES}/does-not-exist");
    assert_eq!(
        errors_in(&dir),
        [format!("{dir}: guide directory not found")]
    );
}

#[test]
fn a_file_instead_of_a_directory_is_one_error() {
    let file = format!("{FIXTURES}/valid/tester.toml");
    assert_eq!(
        errors_in(&file),
        [format!(
            "{file}: is not a directory; pass the folder that holds the guide files"
        )]
    );
}

#[test]
fn an_empty_directory_is_one_error() {
    // Git keeps no empty folders, so this one is made here.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().display().to_string();
    assert_eq!(
        errors_in(&dir),
        [format!("{dir}: no guide files (*.toml) in this directory")]
    );
}

#[test]
fn hidden_files_and_files_that_are_not_toml_are_not_guides() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "# notes\n").unwrap();
    std::fs::write(tmp.path().join(".draft.toml"), "not = [valid").unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    std::fs::write(tmp.path().join(".git/config.toml"), "[core]\n").unwrap();
    let dir = tmp.path().display().to_string();
    assert_eq!(
        errors_in(&dir),
        [format!("{dir}: no guide files (*.toml) in this directory")]
    );
}

#[test]
fn a_guide_file_that_is_not_utf8_is_reported_where_the_bad_byte_is() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new(&format!("{FIXTURES}/valid")), tmp.path());
    std::fs::write(
        tmp.path().join("broken.toml"),
        b"[role]\nid = \"caf\xe9\"\n".as_slice(),
    )
    .unwrap();
    let dir = tmp.path().display().to_string();
    assert_eq!(
        errors_in(&dir),
        [format!(
            "{dir}/broken.toml:2:10: file is not valid UTF-8 text"
        )]
    );
}

// ---------------------------------------------------------------------------
// A valid library: templates, overrides, lookups, suggestions.

#[test]
fn what_a_follow_up_expects_is_checked_where_it_is_written() {
    // Ids are known and listed once; a step is one of the framework's: the
    // template's own, checked at the template, or the one a role swaps in,
    // checked at that role's `template = …` line.
    assert_errors(
        "bad-expects",
        &[
            "shared/templates.toml:15:22: follow-up #1 in template `failure` expects step `outcome`, but framework `star` has no such step; its steps are: situation, action, result",
            "tester.toml:16:12: follow-up #1 in question `lessons` expects step `action`, but framework `present-past-future` has no such step; its steps are: present, past",
            "tester.toml:33:12: unknown expectation `numbers` in follow-up #1 in question `first-bug`; did you mean `number`? use one of: number, ownership, tradeoff, people, learning, step:<key>",
            "tester.toml:33:36: `ownership` is in `expects` of follow-up #1 in question `first-bug` twice",
            "tester.toml:33:49: step key `Result` in `expects` of follow-up #1 in question `first-bug` must be a framework step's key (lowercase letters a-z, digits and `-`), as in `step:result`",
            "tester.toml:34:16: `answer_words` in follow-up #1 in question `first-bug` must be a pair of whole numbers like [150, 300], found an array",
            "tester.toml:39:11: `expects` in follow-up #2 in question `first-bug` must be a list of strings, found a string",
            "tester.toml:54:12: follow-up #1 in question `worst-bug` expects step `resolution`, but framework `star` has no such step; its steps are: situation, action, result",
        ],
    );
}

#[test]
fn follow_ups_carry_what_they_expect_and_their_own_length() {
    let lib = valid();
    let tester = lib.role("tester").unwrap();
    let flaky = &tester.question("flaky-tests").unwrap().follow_ups;
    assert_eq!(
        flaky[0].expects,
        [Expect::Ownership, Expect::Step("action".into())]
    );
    assert_eq!(flaky[0].answer_words, Some((30, 120)));
    // Neither is required: no expectations, and the cue file's band.
    assert!(flaky[1].expects.is_empty());
    assert_eq!(flaky[1].answer_words, None);
    // A template's follow-ups bring theirs to every role that uses them.
    for role in ["tester", "engineering-manager"] {
        let q = lib
            .role(role)
            .unwrap()
            .question("tell-me-about-yourself")
            .unwrap();
        let expects: Vec<&[Expect]> = q.follow_ups.iter().map(|f| f.expects.as_slice()).collect();
        assert_eq!(
            expects,
            [&[Expect::Learning][..], &[Expect::People][..]],
            "{role}"
        );
    }
    // Stored as their ids, and read back from them.
    let json = serde_json::to_string(&flaky[0]).unwrap();
    assert!(
        json.contains(r#""expects":["ownership","step:action"],"answer_words":[30,120]"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<FollowUp>(&json).unwrap(), flaky[0]);
    let plain = serde_json::to_string(&flaky[1]).unwrap();
    assert!(
        !plain.contains("expects") && !plain.contains("answer_words"),
        "{plain}"
    );
    assert!(serde_json::from_str::<Expect>(r#""numbers""#).is_err());
}

#[test]
fn the_valid_library_loads_with_its_counts() {
    let lib = valid();
    assert_eq!(
        lib.counts().to_string(),
        "3 roles, 7 questions, 2 frameworks, 2 templates in 5 files"
    );
    let ids: Vec<&str> = lib.roles().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["engineering-manager", "support-engineer", "tester"]);
    assert_eq!(lib.dir(), Path::new(FIXTURES).join("valid"));
    assert_eq!(lib.frameworks().len(), 2);
}

#[test]
fn templates_are_filled_from_each_roles_vocabulary() {
    let lib = valid();
    let tester = lib.role("tester").unwrap();
    let q = tester.question("tell-me-about-yourself").unwrap();
    assert_eq!(q.text, "Tell me about yourself as a Test Engineer.");
    assert_eq!(
        q.why,
        "Screeners check that you understand software testing (test plans and automation), \
         tie your work to escaped defects and flaky-test rate, and work well with developers \
         and product managers."
    );
    assert_eq!(
        q.tips,
        [
            "Name tools you have really used: pytest, Playwright, and k6.",
            "Placeholders are written in braces, like {role}.",
        ]
    );
    let follow_ups: Vec<(&str, &str)> = q
        .follow_ups
        .iter()
        .map(|f| (f.question.as_str(), f.checks.as_str()))
        .collect();
    assert_eq!(
        follow_ups,
        [
            (
                "What would you do differently in your next software testing job as Test Engineer?",
                "Whether you learn from experience."
            ),
            (
                "Who did you work with most: developers and product managers?",
                "How you collaborate."
            ),
        ]
    );
    assert_eq!(
        q.example,
        "I am a test engineer who owns the checkout test plans."
    );
    assert_eq!(q.category, Category::General);
    assert_eq!(q.stage, Stage::Screening);
    assert_eq!(q.framework.id, "present-past-future");
    assert_eq!(q.framework.steps.len(), 3);
    assert_eq!(q.answer_words, (100, 200));
    assert_eq!(q.template.as_deref(), Some("tell-me-about-yourself"));

    // The same template reads right for a name that starts with a vowel.
    let em = lib.role("engineering-manager").unwrap();
    let q = em.question("tell-me-about-yourself").unwrap();
    assert_eq!(q.text, "Tell me about yourself as an Engineering Manager.");
    assert_eq!(
        q.follow_ups[0].question,
        "What would you do differently in your next engineering management job as Engineering Manager?"
    );
}

#[test]
fn a_role_can_override_a_templates_fields_and_keep_the_rest() {
    let lib = valid();
    let q = lib.role("tester").unwrap().question("failure").unwrap();
    // Overridden by the role (and still filled in).
    assert_eq!(
        q.text,
        "Tell me about a release you let through that you should have stopped."
    );
    assert_eq!(
        q.why,
        "Testers are the last line of defence; this shows how you own a software testing miss."
    );
    assert_eq!(q.answer_words, (120, 250));
    // Kept from the template.
    assert_eq!(q.category, Category::Behavioral);
    assert_eq!(q.stage, Stage::Final);
    assert_eq!(q.framework.id, "star");
    assert_eq!(
        q.example,
        "The template's own example answer, used by roles that write none."
    );
    assert_eq!(
        q.follow_ups[0].question,
        "How did you tell developers and product managers about it?"
    );

    // Another role using the same template without overrides.
    let em = lib.role("em").unwrap().question("failure").unwrap();
    assert_eq!(
        em.text,
        "Tell me about a piece of work that did not go as planned."
    );
    assert_eq!(
        em.why,
        "Everyone in engineering management ships something that goes wrong."
    );
    assert_eq!(em.answer_words, limits::DEFAULT_ANSWER_WORDS);
}

#[test]
fn a_roles_own_questions_are_filled_too_and_keep_their_order() {
    let lib = valid();
    let tester = lib.role("tester").unwrap();
    let ids: Vec<&str> = tester.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "tell-me-about-yourself",
            "failure",
            "flaky-tests",
            "release-blocker"
        ]
    );
    let q = tester.question("flaky-tests").unwrap();
    assert_eq!(
        q.text,
        "How do you deal with flaky tests in a software testing team?"
    );
    assert_eq!(
        q.tips,
        ["Say how you measured the escaped defects and flaky-test rate."]
    );
    assert_eq!(q.template, None);
    assert_eq!(q.answer_words, (150, 300));
    assert!(tester.has_category(Category::Situational));
    assert!(!tester.has_category(Category::SystemDesign));
}

#[test]
fn the_roles_vocabulary_and_synonyms_are_kept() {
    let lib = valid();
    let tester = lib.role("tester").unwrap();
    assert_eq!(tester.name, "Test Engineer");
    assert_eq!(tester.aliases, ["qa", "quality-assurance"]);
    let v = &tester.vocabulary;
    assert_eq!(v.field, "software testing");
    assert_eq!(v.skills, ["pytest", "Playwright", "k6"]);
    // The order of the terms does not matter; the order of their variants is kept.
    let mut synonyms = v.synonyms.clone();
    synonyms.sort();
    assert_eq!(
        synonyms,
        [
            (
                "k6".to_string(),
                vec!["grafana k6".to_string(), "load tests".to_string()]
            ),
            ("pytest".to_string(), vec!["py.test".to_string()]),
        ]
    );
    assert!(tester.source.ends_with("tester.toml"));
}

#[test]
fn roles_are_found_by_id_alias_or_name_in_any_case() {
    let lib = valid();
    for name in [
        "tester",
        "TESTER",
        "qa",
        "QA",
        "Quality-Assurance",
        "quality_assurance",
        "Test Engineer",
        "  test engineer  ",
        "test-engineer",
    ] {
        assert_eq!(
            lib.role(name).map(|r| r.id.as_str()),
            Some("tester"),
            "lookup of {name:?}"
        );
    }
    assert_eq!(lib.role("EM").unwrap().id, "engineering-manager");
    assert_eq!(
        lib.role("Engineering Manager").unwrap().id,
        "engineering-manager"
    );
    assert!(lib.role("manager").is_none());
}

#[test]
fn an_unknown_role_gets_suggestions() {
    let lib = valid();
    let unknown = lib.resolve_role(" Testr ").unwrap_err();
    assert_eq!(unknown.input, "Testr");
    assert_eq!(unknown.suggestions, ["tester"]);
    // A prefix of an alias leads to its role, named by id.
    assert_eq!(
        lib.resolve_role("quality").unwrap_err().suggestions,
        ["tester"]
    );
    // Nothing close: no suggestions rather than noise.
    assert!(lib
        .resolve_role("astronaut")
        .unwrap_err()
        .suggestions
        .is_empty());
}

#[test]
fn an_unknown_role_gets_at_most_three_suggestions_one_per_role() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new(&format!("{FIXTURES}/valid/shared")),
        &tmp.path().join("shared"),
    );
    let role = std::fs::read_to_string(format!("{FIXTURES}/valid/support.toml")).unwrap();
    for id in [
        "backend",
        "backend-go",
        "backend-java",
        "backend-rust",
        "backend-php",
    ] {
        let file = role
            .replace("\"support-engineer\"", &format!("\"{id}\""))
            .replace("\"Support Engineer\"", &format!("\"Role {id}\""));
        std::fs::write(tmp.path().join(format!("{id}.toml")), file).unwrap();
    }
    let lib = GuideLibrary::load(tmp.path()).unwrap();
    let unknown = lib.resolve_role("backen").unwrap_err();
    // Five roles start with "backen"; the first three (by closeness, then
    // name) are offered, each once although each has an id and a name.
    assert_eq!(
        unknown.suggestions,
        ["backend", "backend-go", "backend-java"]
    );
}

#[test]
fn an_unknown_question_gets_suggestions() {
    let lib = valid();
    let tester = lib.role("tester").unwrap();
    assert_eq!(
        tester.question(" Flaky-Tests ").map(|q| q.id.as_str()),
        Some("flaky-tests")
    );
    let unknown = tester.resolve_question("flaky-test").unwrap_err();
    assert_eq!(unknown.input, "flaky-test");
    assert_eq!(unknown.suggestions, ["flaky-tests"]);
    let unknown = tester.resolve_question("tell-me").unwrap_err();
    assert_eq!(unknown.suggestions, ["tell-me-about-yourself"]);
    assert!(tester
        .resolve_question("zzzzzz")
        .unwrap_err()
        .suggestions
        .is_empty());
}

// ---------------------------------------------------------------------------
// The guides that ship with the bot.

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/guides");

#[test]
fn the_shipped_guides_load_without_errors() {
    let lib = GuideLibrary::load(SHIPPED).unwrap_or_else(|e| panic!("{e}"));
    let counts = lib.counts();
    assert!(counts.roles >= 11, "{counts}");
    assert!(lib.framework("star").is_some());
    assert!(lib.framework("present-past-future").is_some());
    for role in lib.roles() {
        assert!(
            role.questions.len() >= 5,
            "{} has {} questions",
            role.id,
            role.questions.len()
        );
        // Every role file is named after its role.
        assert_eq!(
            role.source.file_stem().and_then(|s| s.to_str()),
            Some(role.id.as_str())
        );
    }
}

#[test]
fn the_shipped_backend_guide_carries_the_seed() {
    let lib = GuideLibrary::load(SHIPPED).unwrap_or_else(|e| panic!("{e}"));
    let backend = lib.role("Backend Engineer").unwrap();
    assert_eq!(backend.id, "backend");
    let v = &backend.vocabulary;
    assert_eq!(
        v.skills,
        [
            "Node.js",
            "Python",
            "Go",
            "PostgreSQL",
            "Redis",
            "queues",
            "API design",
            "observability",
            "cloud services"
        ]
    );
    assert_eq!(
        v.metrics,
        [
            "latency",
            "uptime",
            "error rate",
            "throughput",
            "data correctness",
            "scalability",
            "developer velocity"
        ]
    );
    assert_eq!(
        v.stakeholders,
        [
            "frontend engineers",
            "product managers",
            "data teams",
            "SRE",
            "security",
            "QA",
            "support teams"
        ]
    );
    let q = backend.question("tell-me-about-yourself").unwrap();
    assert_eq!(q.text, "Tell me about yourself as a Backend Engineer.");
    assert_eq!(q.stage, Stage::Screening);
    assert_eq!(q.framework.name, "Present-Past-Future");
    let steps: Vec<&str> = q.framework.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(steps, ["Present", "Past", "Future"]);
    let follow_ups: Vec<&str> = q.follow_ups.iter().map(|f| f.question.as_str()).collect();
    assert_eq!(
        follow_ups,
        [
            "What trade-off did you make there, and how did it affect latency, uptime, error rate, throughput, data correctness, scalability, and developer velocity?",
            "Who was involved, and how did you keep frontend engineers, product managers, data teams, SRE, security, QA, and support teams aligned?",
            "What would you do differently if you met the same backend engineering situation again?",
        ]
    );
    assert!(q.follow_ups.iter().all(|f| !f.checks.is_empty()));
    assert!(q.example.contains("42%"));
}
