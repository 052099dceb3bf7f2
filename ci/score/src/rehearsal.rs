//! Rehearsals: the questions at the end of a chapter, whose answers come
//! from what CI has recorded, so they cannot drift.
//!
//! A chapter writes its questions as TOML in a fenced block, one
//! `[[question]]` each:
//!
//! ````text
//! ```rehearsal
//! [[question]]
//! id = "last-owner"             # unique on the page: keys the reader's progress
//! kind = "predict"              # predict, compile or concept
//! listing = "listing-06-02"     # the crate whose artifacts answer it
//! prompt = "Which of these can Listing 6-2 print?"
//! choices = ["…", "…"]
//! explain = "Why the right answer is right."
//! ```
//! ````
//!
//! - `predict`: each choice is a whole output; a choice is right exactly when
//!   the listing's recorded `output.txt` accepts it under the listing's own
//!   rule ([`recording::Rule`]). Under `exact` one choice is right; under
//!   `any-order` and `per-performer` several may be, and the reader ticks
//!   every one.
//! - `compile`: each choice is `compiles`, an error code (`E0277`), or an
//!   error without a code as rustc words it (`error: future cannot be sent
//!   between threads safely`); the right one is `compiles` for a program
//!   listing, and the recorded error of a negative example.
//! - `interleavings`: each choice is a performance, one `performer: what`
//!   event a line; with `model`, the loom model of the listing that
//!   explored it. A choice is right exactly when the listing's recorded
//!   `performances.txt` holds a performance of that model with exactly
//!   those events in that order ([`recording::performances`]); the reader
//!   ticks every one.
//! - `concept`: the author writes the key, `answer = 2` (the second choice)
//!   or `answer = [1, 3]`; only here, since no artifact decides.
//!
//! Every question needs an explanation, shown once the reader has answered.
//! `prompt`, `explain` and the choices of `compile` and `concept` questions
//! are text with `code` in backticks, written one sentence a line inside
//! `"""` (line breaks become spaces); a `predict` choice is shown as output.
//!
//! A question that names no listing or a missing one, a listing without the
//! recording it needs, a key with no right choice, a key every choice
//! satisfies, or (where one answer is asked) several right choices, fails
//! the build with the chapter's file and the question's line.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use recording::Rule;

/// A chapter as the preprocessor sees it.
pub struct Page<'a> {
    /// The book's root, where `listings/` is.
    pub root: &'a Path,
    /// The chapter's Markdown file on disk, for line numbers.
    pub file: &'a Path,
    /// How a problem names the chapter: `src/ch06-arc.md`.
    pub name: &'a str,
    /// The page the chapter becomes, relative to the book: `ch06-arc.html`.
    pub html: &'a str,
}

/// Error codes a `compile` question may offer, each with a neutral summary
/// after rustc's error index, so no choice reads more specific than the
/// others.
const ERRORS: &[(&str, &str)] = &[
    (
        "E0034",
        "several methods of that name are in scope and the call does not say which",
    ),
    (
        "E0038",
        "the trait cannot be made into a `dyn` trait object",
    ),
    (
        "E0133",
        "an unsafe operation is used outside an `unsafe` block",
    ),
    (
        "E0277",
        "a type does not implement a trait the code requires",
    ),
    ("E0308", "the types do not match"),
    ("E0373", "a closure may outlive a value it borrows"),
    ("E0382", "a value is used after it was moved"),
    ("E0252", "a name is imported twice"),
    ("E0499", "a value is borrowed mutably twice at once"),
    ("E0502", "a value is borrowed mutably while it is borrowed"),
    ("E0505", "a value is moved while it is still borrowed"),
    ("E0506", "a value is assigned to while it is borrowed"),
    ("E0594", "a value that is not mutable is assigned to"),
    ("E0596", "a value that is not mutable is borrowed mutably"),
    ("E0597", "a borrowed value does not live long enough"),
    ("E0599", "the type has no method of that name"),
    ("E0716", "a temporary value is dropped while still borrowed"),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Predict,
    Compile,
    Interleavings,
    Concept,
}

impl Kind {
    fn parse(name: &str) -> Option<Kind> {
        match name {
            "predict" => Some(Kind::Predict),
            "compile" => Some(Kind::Compile),
            "interleavings" => Some(Kind::Interleavings),
            "concept" => Some(Kind::Concept),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Predict => "predict",
            Kind::Compile => "compile",
            Kind::Interleavings => "interleavings",
            Kind::Concept => "concept",
        }
    }

    /// Whether each choice is shown as output (a performance), not text.
    fn shows_output(self) -> bool {
        matches!(self, Kind::Predict | Kind::Interleavings)
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Predict => "Predict the output",
            Kind::Compile => "Will it compile?",
            Kind::Interleavings => "Which interleavings are possible?",
            Kind::Concept => "Concept",
        }
    }
}

/// One question as written, before its key is known.
struct Question {
    line: usize,
    id: String,
    kind: Kind,
    listing: Option<String>,
    /// An interleavings question's loom model.
    model: Option<String>,
    prompt: String,
    choices: Vec<String>,
    explain: String,
    /// A concept question's key, 0-based, and whether it was a list.
    answer: Option<(Vec<usize>, bool)>,
}

/// A question with its key.
struct Keyed {
    question: Question,
    /// Each choice as HTML.
    shown: Vec<String>,
    right: Vec<usize>,
    /// Tick boxes (several may be right) rather than one radio button.
    several: bool,
    rule: Option<Rule>,
}

/// A ```` ```rehearsal ```` block: the line of its opening fence (1-based)
/// and the lines between its fences.
struct Block {
    line: usize,
    body: Vec<String>,
}

/// Replaces every ```` ```rehearsal ```` block of `content` with its
/// questions as HTML; `None` when the chapter has none. The problems of
/// every question are reported together, one a line.
pub fn expand(content: &str, page: &Page) -> Result<Option<String>, String> {
    let found = blocks(content);
    if found.is_empty() {
        return Ok(None);
    }
    // Earlier preprocessors may have changed the lines above a block, so
    // each block is found again in the file the author wrote.
    let on_disk = std::fs::read_to_string(page.file)
        .map(|text| blocks(&text))
        .unwrap_or_default();
    let mut problems = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut number = 0;
    let mut rendered = Vec::new();
    for (index, block) in found.iter().enumerate() {
        let line = match on_disk.get(index) {
            Some(written) if on_disk.len() == found.len() => written.line,
            _ => block.line,
        };
        let questions = match parse_block(&block.body, line) {
            Ok(questions) => questions,
            Err((at, message)) => {
                problems.push(format!("{}:{at}: {message}", page.name));
                rendered.push(String::new());
                continue;
            }
        };
        let mut html = String::from(r#"<div class="rehearsal">"#);
        html.push('\n');
        for question in questions {
            let question = match question {
                Ok(question) => question,
                Err((at, message)) => {
                    problems.push(format!("{}:{at}: {message}", page.name));
                    continue;
                }
            };
            let at = format!("{}:{}", page.name, question.line);
            if seen.contains(&question.id) {
                problems.push(format!(
                    "{at}: question `{}`: a second question with this id \
                     on the page",
                    question.id
                ));
                continue;
            }
            seen.push(question.id.clone());
            match key(question, page.root) {
                Ok(keyed) => {
                    number += 1;
                    html.push_str(&render(&keyed, number, page.html));
                    html.push('\n');
                }
                Err((id, message)) => {
                    problems.push(format!("{at}: question `{id}`: {message}"))
                }
            }
        }
        rendered.push(html);
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let tally = progress(page.html, number);
    let rendered: Vec<String> = rendered
        .into_iter()
        .map(|html| format!("{html}{tally}\n</div>"))
        .collect();
    Ok(Some(replace_blocks(content, &rendered)))
}

/// The opening fence of a rehearsal block: its marker and length.
fn opening(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = trimmed.chars().take_while(|c| *c == marker).count();
    (length >= 3 && trimmed[length..].trim() == "rehearsal")
        .then_some((marker, length))
}

fn closes(line: &str, (marker, length): (char, usize)) -> bool {
    let trimmed = line.trim();
    trimmed.chars().take_while(|c| *c == marker).count() >= length
        && trimmed.chars().all(|c| c == marker)
}

/// Every rehearsal block of `text`, with its span of lines (0-based,
/// fences included).
fn spans(text: &str) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if let Some(fence) = opening(lines[index]) {
            let end = (index + 1..lines.len())
                .find(|&i| closes(lines[i], fence))
                .unwrap_or(lines.len());
            found.push((index, end));
            index = end + 1;
        } else {
            index += 1;
        }
    }
    found
}

fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    spans(text)
        .into_iter()
        .map(|(start, end)| Block {
            line: start + 1,
            body: lines[start + 1..end.min(lines.len())]
                .iter()
                .map(|l| l.to_string())
                .collect(),
        })
        .collect()
}

/// `content` with its rehearsal blocks replaced, in order, by `rendered`.
fn replace_blocks(content: &str, rendered: &[String]) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let mut out = String::new();
    let mut next = 0;
    for ((start, end), html) in spans(content).into_iter().zip(rendered) {
        for line in &lines[next..start] {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(html);
        out.push('\n');
        next = (end + 1).min(lines.len());
    }
    for line in &lines[next..] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A problem in what the author wrote: the line it is about, and what.
type Problem = (usize, String);

/// The questions of a block whose opening fence is on line `line`, each
/// parsed or its problem; a problem with the whole block fails it.
fn parse_block(
    body: &[String],
    line: usize,
) -> Result<Vec<Result<Question, Problem>>, Problem> {
    let text = body.join("\n");
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        let within = text[..offset.min(text.len())].matches('\n').count();
        (
            line + 1 + within,
            format!("not valid TOML: {}", e.message().trim()),
        )
    })?;
    if let Some(other) = table.keys().find(|k| *k != "question") {
        return Err((
            line,
            format!(
                "`{other}` outside a question: start each with [[question]]"
            ),
        ));
    }
    let Some(toml::Value::Array(items)) = table.get("question") else {
        return Err((
            line,
            "a rehearsal block without [[question]] tables".into(),
        ));
    };
    let starts: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[question]]")
        .map(|(i, _)| line + 1 + i)
        .collect();
    Ok(items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let at = starts.get(index).copied().unwrap_or(line);
            let toml::Value::Table(fields) = item else {
                return Err((at, "a question must be a table".into()));
            };
            question(fields, at).map_err(|message| (at, message))
        })
        .collect())
}

const FIELDS: &[&str] = &[
    "id", "kind", "listing", "model", "prompt", "choices", "explain", "answer",
];

fn question(fields: &toml::Table, line: usize) -> Result<Question, String> {
    let id = string(fields, "id")?.unwrap_or_default();
    let named = |message: String| {
        if id.is_empty() {
            message
        } else {
            format!("question `{id}`: {message}")
        }
    };
    if let Some(other) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(named(format!(
            "unknown field `{other}` (a question has {})",
            FIELDS.join(", ")
        )));
    }
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(named(
            "`id` must be a short name of a-z, 0-9 and `-`, unique on the \
             page (it keys the reader's saved answer)"
                .into(),
        ));
    }
    let kind_name = string(fields, "kind").map_err(&named)?;
    let kind = kind_name.as_deref().and_then(Kind::parse).ok_or_else(|| {
        named(
            "`kind` must be \"predict\", \"compile\", \"interleavings\" or \
             \"concept\""
                .into(),
        )
    })?;
    let required = |key: &str| -> Result<String, String> {
        match string(fields, key).map_err(&named)? {
            Some(text) if !text.trim().is_empty() => Ok(text),
            _ => Err(named(format!("`{key}` is required"))),
        }
    };
    let prompt = required("prompt")?;
    let explain = required("explain")
        .map_err(|m| format!("{m}: every question explains its answer"))?;
    for (key, text) in [("prompt", &prompt), ("explain", &explain)] {
        if text.matches('`').count() % 2 == 1 {
            return Err(named(format!("`{key}` has an unmatched backtick")));
        }
    }
    let choices = match fields.get("choices") {
        Some(toml::Value::Array(values)) => values
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| named("every choice must be a string".into()))?,
        _ => return Err(named("`choices` must be a list of strings".into())),
    };
    if choices.len() < 2 {
        return Err(named("a question needs at least two choices".into()));
    }
    if let Some(empty) = choices.iter().position(|c| c.trim().is_empty()) {
        return Err(named(format!("choice {} is empty", letter(empty))));
    }
    for (i, choice) in choices.iter().enumerate() {
        if !kind.shows_output() && choice.matches('`').count() % 2 == 1 {
            return Err(named(format!(
                "choice {} has an unmatched backtick",
                letter(i)
            )));
        }
        if let Some(j) = choices[..i].iter().position(|c| c == choice) {
            return Err(named(format!(
                "choices {} and {} are the same",
                letter(j),
                letter(i)
            )));
        }
    }
    let listing = string(fields, "listing").map_err(&named)?;
    let model = string(fields, "model").map_err(&named)?;
    let answer = match fields.get("answer") {
        None => None,
        Some(value) => Some(answer(value, choices.len()).map_err(&named)?),
    };
    match kind {
        Kind::Concept if listing.is_some() => {
            return Err(named(
                "a concept question names no listing: if a listing's \
                 recording or error answers it, make it `predict` or \
                 `compile`"
                    .into(),
            ))
        }
        Kind::Concept if answer.is_none() => {
            return Err(named(
                "a concept question needs `answer` (1 for the first choice, \
                 or a list such as [1, 3])"
                    .into(),
            ))
        }
        Kind::Interleavings if model.is_none() => {
            return Err(named(
                "an interleavings question needs `model`, the name of the \
                 loom model in its listing's performances.txt"
                    .into(),
            ))
        }
        _ if kind != Kind::Interleavings && model.is_some() => {
            return Err(named(
                "only an interleavings question names a loom `model`".into(),
            ))
        }
        Kind::Predict | Kind::Compile | Kind::Interleavings
            if answer.is_some() =>
        {
            return Err(named(format!(
                "a {} question's key comes from its listing's artifacts: \
                 remove `answer`",
                kind.name()
            )))
        }
        Kind::Predict | Kind::Compile | Kind::Interleavings
            if listing.is_none() =>
        {
            return Err(named(format!(
                "a {} question needs `listing`, the crate whose artifacts \
                 answer it (such as \"listing-06-02\")",
                kind.name()
            )))
        }
        _ => {}
    }
    Ok(Question {
        line,
        id,
        kind,
        listing,
        model,
        prompt,
        choices,
        explain,
        answer,
    })
}

fn string(fields: &toml::Table, key: &str) -> Result<Option<String>, String> {
    match fields.get(key) {
        None => Ok(None),
        Some(toml::Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

/// A concept question's `answer`: 1-based numbers to 0-based indices, and
/// whether it was a list (tick boxes) or one number (radio buttons).
fn answer(
    value: &toml::Value,
    choices: usize,
) -> Result<(Vec<usize>, bool), String> {
    let (numbers, list) = match value {
        toml::Value::Integer(n) => (vec![*n], false),
        toml::Value::Array(items) => (
            items
                .iter()
                .map(toml::Value::as_integer)
                .collect::<Option<Vec<i64>>>()
                .ok_or("`answer` must be numbers")?,
            true,
        ),
        _ => return Err("`answer` must be a number or a list of them".into()),
    };
    let mut indices = Vec::new();
    for n in numbers {
        let index = usize::try_from(n)
            .ok()
            .filter(|&n| (1..=choices).contains(&n))
            .ok_or_else(|| {
                format!("`answer` {n} is not a choice (1 to {choices})")
            })?;
        if !indices.contains(&(index - 1)) {
            indices.push(index - 1);
        }
    }
    indices.sort_unstable();
    if indices.is_empty() {
        return Err("`answer` names no choice".into());
    }
    Ok((indices, list))
}

/// "A", "B", … for the choice at `index`.
fn letter(index: usize) -> char {
    char::from(b'A' + (index % 26) as u8)
}

fn letters(indices: &[usize]) -> String {
    let names: Vec<String> =
        indices.iter().map(|&i| letter(i).to_string()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "Listing 6-2" for `listing-06-02`; `None` for a crate without a number.
pub(crate) fn listing_label(crate_name: &str) -> Option<String> {
    let (chapter, number) =
        crate_name.strip_prefix("listing-")?.split_once('-')?;
    let (chapter, number) =
        (chapter.parse::<u32>().ok()?, number.parse::<u32>().ok()?);
    Some(format!("Listing {chapter}-{number}"))
}

/// The folder of the listing crate `name`: `listings/<chapter>/<name>`.
fn find_listing(root: &Path, name: &str) -> Result<PathBuf, String> {
    let listings = root.join("listings");
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(&listings)
        .map_err(|e| format!("{}: {e}", listings.display()))?
        .flatten()
        .map(|e| e.path())
        .collect();
    chapters.sort();
    chapters
        .into_iter()
        .map(|chapter| chapter.join(name))
        .find(|dir| dir.join("Cargo.toml").is_file())
        .ok_or_else(|| {
            format!("`listing = \"{name}\"`: no such listing under listings/")
        })
}

fn is_negative(dir: &Path) -> Result<bool, String> {
    let kind = recording::book_setting(dir, "kind")?;
    Ok(kind.as_deref() == Some("compile-fail"))
}

/// What a `compile` choice claims.
enum Claim<'a> {
    Compiles,
    Code(&'a str, &'a str),
    Message(&'a str),
}

fn claim(choice: &str) -> Result<Claim<'_>, String> {
    if choice == "compiles" {
        return Ok(Claim::Compiles);
    }
    if let Some(message) = choice.strip_prefix("error: ") {
        return Ok(Claim::Message(message));
    }
    match ERRORS.iter().find(|(code, _)| *code == choice) {
        Some((code, summary)) => Ok(Claim::Code(code, summary)),
        None if choice.len() == 5
            && choice.starts_with('E')
            && choice[1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            Err(format!(
                "{choice} has no summary yet: add it to ERRORS in \
                 ci/score/src/rehearsal.rs"
            ))
        }
        None => Err(format!(
            "`{choice}` is not a compile choice: write `compiles`, an \
             error code such as `E0277`, or `error: ` and the message of \
             an error without a code"
        )),
    }
}

/// The question with its key, derived from the listing's artifacts (or,
/// for a concept question, as written). The error carries the question's
/// id.
fn key(question: Question, root: &Path) -> Result<Keyed, (String, String)> {
    let failed = |message: String| (question.id.clone(), message);
    let (right, several, rule) = match question.kind {
        Kind::Concept => {
            let (right, list) =
                question.answer.clone().unwrap_or((Vec::new(), false));
            (right, list, None)
        }
        Kind::Predict => {
            let (right, rule) = predict(&question, root).map_err(failed)?;
            (right, rule != Rule::Exact, Some(rule))
        }
        Kind::Compile => {
            (compile(&question, root).map_err(failed)?, false, None)
        }
        Kind::Interleavings => {
            (interleavings(&question, root).map_err(failed)?, true, None)
        }
    };
    if right.len() == question.choices.len() {
        return Err(failed(
            "every choice is right: add one that is wrong, so the question \
             asks something"
                .into(),
        ));
    }
    let shown = question
        .choices
        .iter()
        .map(|choice| choice_html(question.kind, choice))
        .collect::<Result<Vec<String>, String>>()
        .map_err(failed)?;
    Ok(Keyed {
        question,
        shown,
        right,
        several,
        rule,
    })
}

/// The listing's folder, after checking that the prompt names it.
fn listing_dir(question: &Question, root: &Path) -> Result<PathBuf, String> {
    let name = question.listing.as_deref().unwrap_or_default();
    let dir = find_listing(root, name)?;
    if let Some(label) = listing_label(name) {
        if !question.prompt.contains(&label) {
            return Err(format!(
                "the prompt must name {label}, the listing that answers it"
            ));
        }
    }
    Ok(dir)
}

fn predict(
    question: &Question,
    root: &Path,
) -> Result<(Vec<usize>, Rule), String> {
    let name = question.listing.as_deref().unwrap_or_default();
    let dir = listing_dir(question, root)?;
    if is_negative(&dir)? {
        return Err(format!(
            "{name} is a negative example and prints nothing: ask a \
             `compile` question about it"
        ));
    }
    let file = dir.join("output.txt");
    let recorded = std::fs::read_to_string(&file).map_err(|_| {
        format!(
            "{name} has no recorded output ({}): run `cargo xtask outputs \
             {name}`",
            relative(root, &file)
        )
    })?;
    let rule = recording::rule_of(&dir)?;
    let right: Vec<usize> = question
        .choices
        .iter()
        .enumerate()
        .filter(|(_, choice)| {
            let mut run = choice.to_string();
            if recorded.ends_with('\n') && !run.ends_with('\n') {
                run.push('\n');
            }
            rule.mismatch(&recorded, &run).is_none()
        })
        .map(|(i, _)| i)
        .collect();
    let outputs = format!(
        "{} under its {} rule; it recorded:\n{}",
        relative(root, &file),
        rule.name(),
        indent(&recorded)
    );
    match right.len() {
        0 => Err(format!("no choice is an output accepted by {outputs}")),
        1 => Ok((right, rule)),
        _ if rule == Rule::Exact => Err(format!(
            "choices {} are all the output of {outputs}",
            letters(&right)
        )),
        _ => Ok((right, rule)),
    }
}

/// The choices that are a performance loom explored: the events of one
/// performance of the question's model in its listing's `performances.txt`.
fn interleavings(
    question: &Question,
    root: &Path,
) -> Result<Vec<usize>, String> {
    use recording::performances;
    let name = question.listing.as_deref().unwrap_or_default();
    let dir = listing_dir(question, root)?;
    let file = dir.join(performances::FILE);
    let text = std::fs::read_to_string(&file).map_err(|_| {
        format!(
            "{name} has no recorded performances ({}): its loom model \
             writes them, with `cargo xtask outputs {name}`",
            relative(root, &file)
        )
    })?;
    let models = performances::parse(&text).map_err(|e| {
        format!("{}:{}: {}", relative(root, &file), e.line, e.message)
    })?;
    let wanted = question.model.as_deref().unwrap_or_default();
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    let model = models.iter().find(|m| m.name == wanted).ok_or_else(|| {
        format!(
            "no model `{wanted}` in {} (it has {})",
            relative(root, &file),
            names.join(", ")
        )
    })?;
    let mut right = Vec::new();
    for (index, choice) in question.choices.iter().enumerate() {
        let events: Vec<&str> = choice.lines().map(str::trim).collect();
        if let Some(line) = events.iter().find(|l| !is_event(l)) {
            return Err(format!(
                "choice {}: `{line}` is not an event: write one \
                 `performer: what` a line, as in {}",
                letter(index),
                relative(root, &file)
            ));
        }
        if model.performances.iter().any(|p| p.events == events) {
            right.push(index);
        }
    }
    if right.is_empty() {
        let explored: String = model
            .performances
            .iter()
            .map(|p| {
                format!("{}:\n{}", p.outcome, indent(&p.events.join("\n")))
            })
            .collect();
        return Err(format!(
            "no choice is a performance loom explored in model `{wanted}` \
             of {}; it recorded:\n{}",
            relative(root, &file),
            indent(&explored)
        ));
    }
    Ok(right)
}

/// A `performer: what` event line.
fn is_event(line: &str) -> bool {
    line.split_once(": ").is_some_and(|(performer, what)| {
        !performer.is_empty()
            && !what.is_empty()
            && performer
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

fn compile(question: &Question, root: &Path) -> Result<Vec<usize>, String> {
    let name = question.listing.as_deref().unwrap_or_default();
    let dir = listing_dir(question, root)?;
    let stderr = if is_negative(&dir)? {
        let file = dir.join("src/main.stderr");
        Some(std::fs::read_to_string(&file).map_err(|_| {
            format!(
                "{name} has no recorded error ({}): run `cargo xtask \
                 outputs {name}`",
                relative(root, &file)
            )
        })?)
    } else {
        None
    };
    let mut right = Vec::new();
    for (index, choice) in question.choices.iter().enumerate() {
        let holds = match (claim(choice)?, &stderr) {
            (Claim::Compiles, stderr) => stderr.is_none(),
            (_, None) => false,
            (Claim::Code(code, _), Some(text)) => text
                .lines()
                .any(|l| l.starts_with(&format!("error[{code}]"))),
            (Claim::Message(message), Some(text)) => {
                text.lines().any(|l| l == format!("error: {message}"))
            }
        };
        if holds {
            right.push(index);
        }
    }
    let truth = match &stderr {
        None => format!("{name} is a program, so it compiles"),
        Some(text) => format!(
            "{name} is a negative example; its recorded error says:\n{}",
            indent(
                &text
                    .lines()
                    .filter(|l| l.starts_with("error"))
                    .map(|l| format!("{l}\n"))
                    .collect::<String>()
            )
        ),
    };
    match right.len() {
        0 => Err(format!("no choice is right: {truth}")),
        1 => Ok(right),
        _ => Err(format!(
            "choices {} are all right, and one answer is asked: {truth}",
            letters(&right)
        )),
    }
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string()
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
}

/// Text with `code` in backticks, as HTML on one line: runs of white
/// space, line breaks included, become one space.
fn inline(text: &str) -> String {
    let mut html = String::new();
    for (index, part) in text.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(html, "<code>{}</code>", escape(part));
            continue;
        }
        let mut space = false;
        for c in part.chars() {
            if c.is_whitespace() {
                space = true;
                continue;
            }
            if space {
                html.push(' ');
                space = false;
            }
            html.push_str(&escape(c.encode_utf8(&mut [0; 4])));
        }
        if space {
            html.push(' ');
        }
    }
    html.trim().to_string()
}

/// One choice as the reader sees it: a recorded output, or text.
fn choice_html(kind: Kind, choice: &str) -> Result<String, String> {
    let text = match kind {
        Kind::Predict | Kind::Interleavings => {
            return Ok(format!(
                r#"<samp class="rehearsal-output">{}</samp>"#,
                escape(choice.trim_end_matches('\n'))
            ))
        }
        Kind::Compile => match claim(choice)? {
            Claim::Compiles => "It compiles.".to_string(),
            Claim::Code(code, summary) => format!(
                "It does not compile: error {code}, {}.",
                inline(summary)
            ),
            Claim::Message(message) => {
                format!("It does not compile: {}.", inline(message))
            }
        },
        Kind::Concept => inline(choice),
    };
    Ok(format!(r#"<span class="rehearsal-text">{text}</span>"#))
}

/// The question as one line of HTML (a blank line would end Markdown's
/// HTML block): a form whose fieldset holds the choices, the Check and
/// Retry buttons and the live feedback that `theme/rehearsal.js` brings to
/// life, and the answer in a `<details>` for a reader without JavaScript.
fn render(keyed: &Keyed, number: usize, page: &str) -> String {
    let question = &keyed.question;
    let stem = page.trim_end_matches(".html").replace('/', "-");
    let id = format!("rehearsal-{stem}-{}", question.id);
    let right: Vec<String> = keyed.right.iter().map(usize::to_string).collect();
    let input = if keyed.several { "checkbox" } else { "radio" };
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<form class="rehearsal-question" id="{id}" data-page="{}" data-question="{}" data-kind="{}" data-answer="{}""#,
        escape(page),
        question.id,
        question.kind.name(),
        right.join(" ")
    );
    if let Some(listing) = &question.listing {
        let _ = write!(html, r#" data-listing="{}""#, escape(listing));
    }
    if let Some(rule) = keyed.rule {
        let _ = write!(html, r#" data-rule="{}""#, rule.name());
    }
    if let Some(model) = &question.model {
        let _ = write!(html, r#" data-model="{}""#, escape(model));
    }
    let hint = if keyed.several {
        "Choose every right answer."
    } else {
        "Choose one answer."
    };
    let _ = write!(
        html,
        r#"><fieldset><legend><span class="rehearsal-kind">{number}. {}</span> <span class="rehearsal-prompt">{}</span> <span class="rehearsal-hint">{hint}</span></legend><ol class="rehearsal-choices" type="A">"#,
        question.kind.title(),
        inline(&question.prompt)
    );
    for index in 0..question.choices.len() {
        let _ = write!(
            html,
            r#"<li><label><input type="{input}" name="{id}" value="{index}"> {}</label></li>"#,
            keyed.shown[index]
        );
    }
    let explain = inline(&question.explain);
    let answer = if keyed.right.len() == 1 {
        format!("The right answer is {}.", letters(&keyed.right))
    } else {
        format!("The right answers are {}.", letters(&keyed.right))
    };
    let _ = write!(
        html,
        r#"</ol></fieldset><div class="rehearsal-actions"><button type="submit" class="rehearsal-check">Check</button> <button type="button" class="rehearsal-retry" disabled>Retry</button></div><div class="rehearsal-feedback" role="status" aria-live="polite" aria-atomic="true"><p class="rehearsal-verdict">Not answered yet.</p><p class="rehearsal-why">{explain}</p></div><details class="rehearsal-answer"><summary>Show the answer</summary><p>{answer}</p><p>{explain}</p></details></form>"#
    );
    html
}

/// The page's tally of `total` questions and its "clear my answers"
/// button. The script fills in the count; the words stay, so nothing moves.
fn progress(page: &str, total: usize) -> String {
    format!(
        r#"<div class="rehearsal-progress" data-page="{}"><p class="rehearsal-tally" aria-atomic="true">Right on this page: <span class="rehearsal-count">0</span> of {total}, kept in this browser only.</p><button type="button" class="rehearsal-clear">Clear my answers on this page</button></div>"#,
        escape(page)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A book root with four listings: an exact and an any-order program,
    /// and two negative examples, one with an error code and one without.
    fn book(name: &str) -> PathBuf {
        let root = std::env::temp_dir()
            .join(format!("rehearsal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let files = [
            (
                "listing-01-01/Cargo.toml",
                "[package]\nname = \"listing-01-01\"\n\n\
                 [package.metadata.book]\noutput = \"exact\"\n",
            ),
            ("listing-01-01/output.txt", "strings: 0 Hz\noboe: 442 Hz\n"),
            (
                "listing-01-02/Cargo.toml",
                "[package]\nname = \"listing-01-02\"\n\n\
                 [package.metadata.book]\noutput = \"any-order\"\n",
            ),
            ("listing-01-02/output.txt", "violins: A4\ncellos: C3\n"),
            (
                "listing-01-03/Cargo.toml",
                "[package]\nname = \"listing-01-03\"\n\n\
                 [package.metadata.book]\nkind = \"compile-fail\"\n",
            ),
            (
                "listing-01-03/src/main.stderr",
                "error[E0505]: cannot move out of `score` because it is \
                 borrowed\n --> src/main.rs:7:19\n",
            ),
            (
                "listing-01-04/Cargo.toml",
                "[package]\nname = \"listing-01-04\"\n\n\
                 [package.metadata.book]\nkind = \"compile-fail\"\n",
            ),
            (
                "listing-01-04/src/main.stderr",
                "error: future cannot be sent between threads safely\n",
            ),
            (
                "listing-01-05/Cargo.toml",
                "[package]\nname = \"listing-01-05\"\n\n\
                 [package.metadata.book]\nloom = true\n",
            ),
            ("listing-01-05/performances.txt", PERFORMANCES),
        ];
        for (file, text) in files {
            let path = root.join("listings/ch01-time").join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(root.join("src")).unwrap();
        root
    }

    /// The chapter `markdown`, written to `src/ch01-time.md` and expanded.
    fn expand_in(
        root: &Path,
        markdown: &str,
    ) -> Result<Option<String>, String> {
        let file = root.join("src/ch01-time.md");
        std::fs::write(&file, markdown).unwrap();
        expand(
            markdown,
            &Page {
                root,
                file: &file,
                name: "src/ch01-time.md",
                html: "ch01-time.html",
            },
        )
    }

    fn chapter(questions: &str) -> String {
        format!("# Time\n\n## Rehearsal\n\n```rehearsal\n{questions}```\n")
    }

    const PREDICT: &str = r#"[[question]]
id = "too-soon"
kind = "predict"
listing = "listing-01-01"
prompt = "Which of these can Listing 1-1 print?"
choices = [
  """
oboe: 442 Hz
strings: 442 Hz
""",
  """
strings: 0 Hz
oboe: 442 Hz
""",
]
explain = "The strings read before the oboe sets the `pitch`."
"#;

    const COMPILE: &str = r#"[[question]]
id = "drop-early"
kind = "compile"
listing = "listing-01-03"
prompt = "Does Listing 1-3 compile?"
choices = ["compiles", "E0505", "E0373"]
explain = "Moving `score` while `part` borrows it is E0505."
"#;

    /// Two models: in `split` a raise can be lost, in `whole` never.
    const PERFORMANCES: &str = "\
model split
iterations 6
wrong a raise is lost

performance right: 140 bpm
    cellos: heard 120 bpm
    cellos: set 130 bpm
    violins: heard 130 bpm
    violins: set 140 bpm

performance wrong: 130 bpm
    cellos: heard 120 bpm
    violins: heard 120 bpm
    cellos: set 130 bpm
    violins: set 130 bpm

model whole
iterations 2
wrong a raise is lost

performance right: 140 bpm
    cellos: raised by 10
    violins: raised by 10
";

    const INTERLEAVINGS: &str = r#"[[question]]
id = "lost-raise"
kind = "interleavings"
listing = "listing-01-05"
model = "split"
prompt = "Which of these performances of Listing 1-5's split raise are possible?"
choices = [
  """
cellos: heard 120 bpm
violins: heard 120 bpm
cellos: set 130 bpm
violins: set 130 bpm
""",
  """
cellos: set 130 bpm
cellos: heard 120 bpm
violins: heard 130 bpm
violins: set 140 bpm
""",
  """
cellos: heard 120 bpm
cellos: set 130 bpm
violins: heard 130 bpm
violins: set 140 bpm
""",
]
explain = "Both may read 120 before either writes; a section writes after it reads."
"#;

    const CONCEPT: &str = r#"[[question]]
id = "data-race"
kind = "concept"
prompt = "What does safe Rust rule out?"
choices = ["Every race condition", "Data races", "Deadlocks"]
answer = 2
explain = "Only data races: the order of synchronized steps is yours."
"#;

    /// The expanded chapter compared with `tests/golden/<name>.html`;
    /// `SCORE_BLESS=1` rewrites it.
    fn golden(name: &str, questions: &str) {
        let root = book(name);
        let html = expand_in(&root, &chapter(questions))
            .unwrap()
            .expect("a rehearsal");
        let golden =
            format!("{}/tests/golden/{name}.html", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("SCORE_BLESS").is_some() {
            std::fs::write(&golden, &html).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert!(
            html == expected,
            "the rehearsal differs from {golden}; if intended, rerun with \
             SCORE_BLESS=1 and review the diff"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_predict_question_matches_its_golden_file() {
        golden("rehearsal-predict", PREDICT);
    }

    #[test]
    fn a_compile_question_matches_its_golden_file() {
        golden("rehearsal-compile", COMPILE);
    }

    #[test]
    fn a_concept_question_matches_its_golden_file() {
        golden("rehearsal-concept", CONCEPT);
    }

    /// The `data-answer` of each question in `html`.
    fn answers(html: &str) -> Vec<&str> {
        html.split(r#"data-answer=""#)
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect()
    }

    #[test]
    fn the_recording_decides_a_predict_key() {
        let root = book("predict-key");
        let html = expand_in(&root, &chapter(PREDICT)).unwrap().unwrap();
        assert_eq!(answers(&html), ["1"]);
        assert!(html.contains(r#"data-rule="exact""#));
        assert!(html.contains(r#"type="radio""#));
        // The recording changes, and so does the key: nobody edits it.
        std::fs::write(
            root.join("listings/ch01-time/listing-01-01/output.txt"),
            "oboe: 442 Hz\nstrings: 442 Hz\n",
        )
        .unwrap();
        let html = expand_in(&root, &chapter(PREDICT)).unwrap().unwrap();
        assert_eq!(answers(&html), ["0"]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn any_order_makes_several_choices_right_and_asks_for_each() {
        let root = book("any-order");
        let question = r#"[[question]]
id = "sections"
kind = "predict"
listing = "listing-01-02"
prompt = "Which of these can Listing 1-2 print?"
choices = ["cellos: C3\nviolins: A4\n", "violins: A4\ncellos: C3", "violins: A4\n"]
explain = "Each thread prints one line, in either order."
"#;
        let html = expand_in(&root, &chapter(question)).unwrap().unwrap();
        assert_eq!(answers(&html), ["0 1"]);
        assert!(html.contains(r#"type="checkbox""#));
        assert!(html.contains("Choose every right answer."));
        assert!(html.contains("The right answers are A and B."));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_negative_without_a_code_is_answered_by_its_message() {
        let root = book("message");
        let question = r#"[[question]]
id = "rc-await"
kind = "compile"
listing = "listing-01-04"
prompt = "Does Listing 1-4 compile?"
choices = ["compiles", "error: future cannot be sent between threads safely"]
explain = "The `Rc` is held across the rest."
"#;
        let html = expand_in(&root, &chapter(question)).unwrap().unwrap();
        assert_eq!(answers(&html), ["1"]);
        assert!(html.contains(
            "It does not compile: future cannot be sent between threads \
             safely."
        ));
        let program = question
            .replace("listing-01-04", "listing-01-01")
            .replace("Listing 1-4", "Listing 1-1");
        let html = expand_in(&root, &chapter(&program)).unwrap().unwrap();
        assert_eq!(answers(&html), ["0"], "a program listing compiles");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The build's message for `questions`, which must fail.
    #[test]
    fn an_interleavings_question_matches_its_golden_file() {
        golden("interleavings", INTERLEAVINGS);
    }

    #[test]
    fn loom_s_recorded_performances_decide_an_interleavings_key() {
        let root = book("interleavings-key");
        let html = expand_in(&root, &chapter(INTERLEAVINGS)).unwrap().unwrap();
        assert!(html.contains(r#"data-kind="interleavings" data-answer="0 2""#));
        assert!(html.contains(r#"<input type="checkbox""#));
        // The recording changes: the lost raise is no longer explored,
        // and the key moves with it.
        let file =
            root.join("listings/ch01-time/listing-01-05/performances.txt");
        let fixed = PERFORMANCES.replace(
            "    violins: heard 120 bpm\n    cellos: set 130 bpm\n",
            "    cellos: set 130 bpm\n    violins: heard 130 bpm\n",
        );
        std::fs::write(&file, fixed).unwrap();
        let html = expand_in(&root, &chapter(INTERLEAVINGS)).unwrap().unwrap();
        assert!(html.contains(r#"data-answer="2""#), "{html}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_interleavings_key_that_no_longer_follows_fails_with_file_and_line() {
        let root = book("interleavings-drift");
        let file =
            root.join("listings/ch01-time/listing-01-05/performances.txt");
        std::fs::write(
            &file,
            PERFORMANCES.replace("violins: set 1", "violins: put 1"),
        )
        .unwrap();
        let message = expand_in(&root, &chapter(INTERLEAVINGS)).unwrap_err();
        assert!(message.starts_with(FIRST), "{message}");
        assert!(
            message.contains("no choice is a performance loom explored"),
            "{message}"
        );
        assert!(message.contains("violins: put 130 bpm"), "{message}");
        std::fs::write(
            &file,
            PERFORMANCES.replace("iterations 6", "iterations six"),
        )
        .unwrap();
        let message = expand_in(&root, &chapter(INTERLEAVINGS)).unwrap_err();
        assert!(
            message.contains(
                "listings/ch01-time/listing-01-05/performances.txt:2:"
            ),
            "{message}"
        );
        std::fs::remove_file(&file).unwrap();
        let message = expand_in(&root, &chapter(INTERLEAVINGS)).unwrap_err();
        assert!(message.contains("no recorded performances"), "{message}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_interleavings_question_names_a_model_that_exists() {
        let unknown = failure(
            "no-model",
            &INTERLEAVINGS.replace("\"split\"", "\"halved\""),
        );
        assert!(unknown.contains("no model `halved`"), "{unknown}");
        assert!(unknown.contains("(it has split, whole)"), "{unknown}");
        let missing = failure(
            "model-missing",
            &INTERLEAVINGS.replace("model = \"split\"\n", ""),
        );
        assert!(missing.contains("needs `model`"), "{missing}");
        let stray = failure(
            "stray-model",
            &COMPILE.replace("kind", "model = \"split\"\nkind"),
        );
        assert!(stray.contains("only an interleavings question"), "{stray}");
        let written = failure(
            "written-key",
            &INTERLEAVINGS.replace("explain", "answer = 1\nexplain"),
        );
        assert!(written.contains("remove `answer`"), "{written}");
        let garbled = failure(
            "not-events",
            &INTERLEAVINGS.replace(
                "cellos: set 130 bpm\ncellos",
                "cellos set 130 bpm\ncellos",
            ),
        );
        assert!(
            garbled.contains("choice B: `cellos set 130 bpm` is not an event"),
            "{garbled}"
        );
    }

    fn failure(name: &str, questions: &str) -> String {
        let root = book(name);
        let message = expand_in(&root, &chapter(questions))
            .expect_err("the build must fail");
        std::fs::remove_dir_all(&root).unwrap();
        message
    }

    /// Line 5 of the chapter opens the block, so its first question is
    /// on line 6.
    const FIRST: &str = "src/ch01-time.md:6: ";

    #[test]
    fn a_missing_listing_fails_with_file_and_line() {
        let message = failure(
            "missing",
            &PREDICT
                .replace("listing-01-01", "listing-01-09")
                .replace("Listing 1-1", "Listing 1-9"),
        );
        assert!(message.starts_with(FIRST), "{message}");
        assert!(message.contains("listing-01-09"), "{message}");
        assert!(message.contains("no such listing"), "{message}");
    }

    #[test]
    fn an_edited_recording_that_no_choice_matches_fails() {
        let root = book("edited");
        std::fs::write(
            root.join("listings/ch01-time/listing-01-01/output.txt"),
            "strings: 0 Hz\noboe: 440 Hz\n",
        )
        .unwrap();
        let message = expand_in(&root, &chapter(PREDICT)).unwrap_err();
        assert!(message.starts_with(FIRST), "{message}");
        assert!(message.contains("no choice is an output"), "{message}");
        assert!(message.contains("oboe: 440 Hz"), "{message}");
        std::fs::remove_dir_all(root.join("listings/ch01-time/listing-01-01"))
            .unwrap();
        std::fs::create_dir_all(root.join("listings/ch01-time/listing-01-01"))
            .unwrap();
        std::fs::write(
            root.join("listings/ch01-time/listing-01-01/Cargo.toml"),
            "[package]\nname = \"listing-01-01\"\n",
        )
        .unwrap();
        let message = expand_in(&root, &chapter(PREDICT)).unwrap_err();
        assert!(message.contains("no recorded output"), "{message}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn two_right_choices_under_exact_fail() {
        let twice = PREDICT.replace(
            "  \"\"\"\noboe: 442 Hz\nstrings: 442 Hz\n\"\"\",",
            "\"strings: 0 Hz\\noboe: 442 Hz\",",
        );
        let message = failure("twice", &twice);
        assert!(message.starts_with(FIRST), "{message}");
        assert!(message.contains("choices A and B"), "{message}");
    }

    #[test]
    fn a_changed_error_code_fails() {
        let root = book("code");
        std::fs::write(
            root.join("listings/ch01-time/listing-01-03/src/main.stderr"),
            "error[E0382]: use of moved value: `score`\n",
        )
        .unwrap();
        let message = expand_in(&root, &chapter(COMPILE)).unwrap_err();
        assert!(message.starts_with(FIRST), "{message}");
        assert!(message.contains("no choice is right"), "{message}");
        assert!(message.contains("error[E0382]"), "{message}");
        std::fs::remove_file(
            root.join("listings/ch01-time/listing-01-03/src/main.stderr"),
        )
        .unwrap();
        let message = expand_in(&root, &chapter(COMPILE)).unwrap_err();
        assert!(message.contains("no recorded error"), "{message}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_author_cannot_write_the_key_of_an_artifact_question() {
        let message = failure(
            "keyed",
            &PREDICT.replace("explain", "answer = 1\nexplain"),
        );
        assert!(message.starts_with(FIRST), "{message}");
        assert!(message.contains("remove `answer`"), "{message}");
    }

    #[test]
    fn each_written_mistake_names_its_question_line() {
        let cases = [
            (CONCEPT.replace("answer = 2\n", ""), "needs `answer`"),
            (CONCEPT.replace("answer = 2", "answer = 4"), "`answer` 4"),
            (
                CONCEPT.replace("answer = 2", "answer = [1, 2, 3]"),
                "every choice is right",
            ),
            (
                PREDICT.replace("explain = ", "explained = "),
                "unknown field `explained`",
            ),
            (
                COMPILE.replace("explain = ", "# "),
                "every question explains",
            ),
            (COMPILE.replace("E0373", "E9999"), "E9999 has no summary"),
            (COMPILE.replace("\"E0373\"", "\"no\""), "`no` is not"),
            (
                PREDICT.replace("Listing 1-1", "it"),
                "must name Listing 1-1",
            ),
            (COMPILE.replace("\"E0373\"", "\"E0505\""), "are the same"),
            (CONCEPT.replace("data-race", "Data Race"), "`id` must be"),
            (CONCEPT.replace("concept", "quiz"), "`kind` must be"),
            (CONCEPT.replace("Deadlocks", "`Mutex"), "unmatched backtick"),
            (
                CONCEPT.replace("the order", "the `order"),
                "`explain` has an unmatched backtick",
            ),
            (
                CONCEPT.replace("What does safe Rust rule out?", "  "),
                "`prompt` is required",
            ),
            (
                CONCEPT.replace(
                    "kind = \"concept\"\n",
                    "kind = \"concept\"\nlisting = \"listing-01-01\"\n",
                ),
                "a concept question names no listing",
            ),
            (
                PREDICT.replace("listing = \"listing-01-01\"\n", ""),
                "needs `listing`",
            ),
            (COMPILE.replace("\"E0373\"", "\"E12\""), "`E12` is not"),
            (COMPILE.replace("\"E0373\"", "\"X0505\""), "`X0505` is not"),
        ];
        for (index, (questions, expected)) in cases.iter().enumerate() {
            let message = failure(&format!("mistake-{index}"), questions);
            assert!(
                message.starts_with(FIRST) && message.contains(expected),
                "case {index}: wanted `{expected}` at {FIRST}, got: {message}"
            );
        }
    }

    #[test]
    fn an_answer_named_twice_is_one_right_choice() {
        let root = book("twice");
        let once = CONCEPT.replace("answer = 2", "answer = [2]");
        let once = expand_in(&root, &chapter(&once)).unwrap();
        let twice = CONCEPT.replace("answer = 2", "answer = [2, 2]");
        assert_eq!(expand_in(&root, &chapter(&twice)).unwrap(), once);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_output_choice_may_hold_a_lone_backtick() {
        let root = book("backtick");
        let odd = PREDICT.replace(
            "]\nexplain",
            "  \"\"\"\noboe: `442 Hz\n\"\"\",\n]\nexplain",
        );
        assert!(odd.contains("oboe: `442 Hz"), "{odd}");
        assert!(expand_in(&root, &chapter(&odd)).is_ok());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_event_is_a_named_performer_and_what_it_did() {
        assert!(is_event("first-violins: bar 1"));
        assert!(is_event("second_violins: bar 1"));
        assert!(!is_event(": bar 1"));
        assert!(!is_event("cellos: "));
        assert!(!is_event("the cellos: bar 1"));
        assert!(!is_event("cellos bar 1"));
    }

    #[test]
    fn a_rehearsal_fence_opens_and_closes_its_block() {
        assert_eq!(opening("```rehearsal"), Some(('`', 3)));
        assert_eq!(opening("   ~~~~ rehearsal "), Some(('~', 4)));
        assert_eq!(opening("    ```rehearsal"), None, "indented code");
        assert_eq!(opening("```text"), None);
        let text = "a\n```rehearsal\nq\n```\nb\n````rehearsal\n```\nq\n````\n";
        assert_eq!(spans(text), [(1, 3), (5, 8)]);
        // A closed block just above an opening does not end it, and a
        // longer fence holds a shorter opening as text.
        assert_eq!(spans("```\nx\n```\n```rehearsal\nq\n```\n"), [(3, 5)]);
        assert_eq!(spans("````rehearsal\n```rehearsal\n````\n"), [(0, 2)]);
    }

    #[test]
    fn every_problem_is_reported_at_its_own_line() {
        let two = format!(
            "{}\n{}",
            PREDICT.replace("Listing 1-1", "it"),
            CONCEPT.replace("answer = 2\n", "")
        );
        let message = failure("two", &two);
        let lines: Vec<&str> = message.lines().collect();
        assert_eq!(lines.len(), 2, "{message}");
        assert!(lines[0].starts_with(FIRST), "{message}");
        let second = 6 + PREDICT.lines().count() + 1;
        assert!(
            lines[1].starts_with(&format!("src/ch01-time.md:{second}: ")),
            "{message}"
        );
        let same = format!("{CONCEPT}{CONCEPT}");
        assert!(failure("same", &same).contains("a second question"));
    }

    #[test]
    fn bad_toml_names_the_line_it_is_on() {
        let message = failure("toml", "[[question]]\nid = \"x\nkind = 1\n");
        assert!(
            message.starts_with("src/ch01-time.md:7: not valid TOML"),
            "{message}"
        );
    }

    #[test]
    fn lines_come_from_the_file_the_author_wrote() {
        let root = book("lines");
        let written = chapter(&PREDICT.replace("Listing 1-1", "it"));
        let file = root.join("src/ch01-time.md");
        std::fs::write(&file, &written).unwrap();
        // An earlier preprocessor expanded an include above the block.
        let content = written.replace("# Time\n", "# Time\na\nb\nc\n");
        let message = expand(
            &content,
            &Page {
                root: &root,
                file: &file,
                name: "src/ch01-time.md",
                html: "ch01-time.html",
            },
        )
        .unwrap_err();
        assert!(message.starts_with(FIRST), "{message}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_rest_of_the_chapter_is_kept_and_a_chapter_without_questions_untouched(
    ) {
        let root = book("rest");
        let markdown = format!("{}\nAfter the rehearsal.\n", chapter(CONCEPT));
        let html = expand_in(&root, &markdown).unwrap().unwrap();
        assert!(html.starts_with("# Time\n\n## Rehearsal\n\n<div class"));
        assert!(html.ends_with("</div>\n\nAfter the rehearsal.\n"));
        assert!(!html.contains("```"));
        assert_eq!(html.matches('\n').count(), 10, "one line per element");
        assert_eq!(expand_in(&root, "# Time\n\n```text\nx\n```\n"), Ok(None));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn labels_and_inline_code() {
        assert_eq!(
            listing_label("listing-06-02").as_deref(),
            Some("Listing 6-2")
        );
        assert_eq!(listing_label("no-listing-04-probe"), None);
        assert_eq!(
            inline("a `Rc<T>`\n  is  <not> `Send`"),
            "a <code>Rc&lt;T&gt;</code> is &lt;not&gt; <code>Send</code>"
        );
        assert_eq!(letters(&[0, 2, 3]), "A, C and D");
    }
}
