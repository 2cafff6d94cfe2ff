//! PURE parsing of what the learner types during a review.

use crate::scheduler::{Answer, Quality};

/// The session commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Help,
    Undo,
    Skip,
    Bury,
    Suspend,
    Edit,
    Related,
    Stats,
    /// Open the card's media with the system viewer: its Nth file (from 1), or the only one.
    Open(Option<usize>),
    Quit,
}

/// Every command with its one-line help, in the order `:help` lists them.
pub const COMMANDS: &[(&str, Command, &str)] = &[
    (":help", Command::Help, "show this help"),
    (
        ":undo",
        Command::Undo,
        "take back the last answer, skip, bury or suspend (repeatable)",
    ),
    (":skip", Command::Skip, "leave this card for now"),
    (":bury", Command::Bury, "hide this card until tomorrow"),
    (
        ":suspend",
        Command::Suspend,
        "stop showing this card until unsuspended",
    ),
    (":edit", Command::Edit, "edit this note in $EDITOR"),
    (":related", Command::Related, "show the linked terms"),
    (":stats", Command::Stats, "this session so far"),
    (
        ":open",
        Command::Open(None),
        "open this card's image or sound with the system viewer (:open N: its Nth file)",
    ),
    (
        ":quit",
        Command::Quit,
        "end the session (Ctrl-D and Ctrl-C too)",
    ),
];

/// One line of input, interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Command(Command),
    /// `a/h/g/e`, `1`-`4` or `q0`-`q5`.
    Grade(Quality),
    /// An empty line: reveal, or accept the suggestion.
    Enter,
    /// Anything else: a typed answer (on reverse cards).
    Text(String),
    /// A `:word` that is no command.
    UnknownCommand(String),
}

/// Reads a grade: `a`/`h`/`g`/`e` (or the words), `1`-`4`, or an exact quality `q0`-`q5`.
pub fn grade(text: &str) -> Option<Quality> {
    let t = text.trim().to_ascii_lowercase();
    let answer = match t.as_str() {
        "a" | "again" | "1" => Answer::Again,
        "h" | "hard" | "2" => Answer::Hard,
        "g" | "good" | "3" => Answer::Good,
        "e" | "easy" | "4" => Answer::Easy,
        _ => {
            let digits = t.strip_prefix('q')?;
            let value: u8 = digits.parse().ok()?;
            return Quality::new(value).ok();
        }
    };
    Some(answer.quality())
}

pub fn parse(text: &str) -> Line {
    let t = text.trim();
    if t.is_empty() {
        return Line::Enter;
    }
    if let Some(word) = t.strip_prefix(':') {
        let word = word.trim().to_ascii_lowercase();
        // Only `:open` takes an argument: a number from 1.
        let (word, argument) = match word.split_once(char::is_whitespace) {
            Some((word, argument)) => (word, Some(argument.trim())),
            None => (word.as_str(), None),
        };
        let found = COMMANDS.iter().find(|(name, _, _)| {
            let name = &name[1..];
            name == word || (!word.is_empty() && name.starts_with(word) && unique_prefix(word))
        });
        return match (found, argument) {
            (Some((_, Command::Open(_), _)), Some(number)) => match number.parse::<usize>() {
                Ok(n) if n >= 1 => Line::Command(Command::Open(Some(n))),
                _ => Line::UnknownCommand(t.to_string()),
            },
            (Some((_, command, _)), None) => Line::Command(*command),
            _ => Line::UnknownCommand(t.to_string()),
        };
    }
    match grade(t) {
        Some(q) => Line::Grade(q),
        None => Line::Text(t.to_string()),
    }
}

fn unique_prefix(word: &str) -> bool {
    COMMANDS
        .iter()
        .filter(|(name, _, _)| name[1..].starts_with(word))
        .count()
        == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_numbers_and_exact_qualities_all_grade() {
        assert_eq!(grade("g"), Some(Answer::Good.quality()));
        assert_eq!(grade(" E "), Some(Answer::Easy.quality()));
        assert_eq!(grade("1"), Some(Answer::Again.quality()));
        assert_eq!(grade("2"), Some(Answer::Hard.quality()));
        assert_eq!(grade("q0").map(Quality::value), Some(0));
        assert_eq!(grade("q5").map(Quality::value), Some(5));
        assert_eq!(grade("q6"), None);
        assert_eq!(grade("5"), None);
        assert_eq!(grade("x"), None);
    }

    #[test]
    fn commands_are_recognised_by_name_or_unique_prefix() {
        assert_eq!(parse(":undo"), Line::Command(Command::Undo));
        assert_eq!(parse(" :Q "), Line::Command(Command::Quit));
        assert_eq!(parse(":s"), Line::UnknownCommand(":s".into()));
        assert_eq!(parse(":sus"), Line::Command(Command::Suspend));
        assert_eq!(
            parse(":frobnicate"),
            Line::UnknownCommand(":frobnicate".into())
        );
        assert_eq!(parse(":open"), Line::Command(Command::Open(None)));
        assert_eq!(parse(":o 2"), Line::Command(Command::Open(Some(2))));
        assert_eq!(parse(" :OPEN  12 "), Line::Command(Command::Open(Some(12))));
        for bad in [":open 0", ":open x", ":open -1", ":undo 2"] {
            assert_eq!(parse(bad), Line::UnknownCommand(bad.into()), "{bad}");
        }
        assert_eq!(parse(""), Line::Enter);
        assert_eq!(parse("self attention"), Line::Text("self attention".into()));
    }
}
