//! Announcement templates: `"Call for {for}, on park {code}"` read into words, pauses and
//! the two placeholders, so the composer can take each word from the sound pack.

use super::error::AnnouncerError;

/// The default template, for a call parked for someone.
pub const DEFAULT_TEMPLATE: &str = "Call for {for}, on park {code}";

/// The default template without a name.
pub const DEFAULT_TEMPLATE_WITHOUT_NAME: &str = "Call on park {code}";

/// A pause marked by punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// `,` or `;`: a short breath.
    Comma,
    /// `.`, `!`, `?` or `:`: the end of a sentence.
    Stop,
}

/// One piece of an announcement's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A word, lower case (`call`).
    Word(String),
    /// Digits (and `*`, `#`) written in the text, read one by one (`70` → seven zero).
    Digits(String),
    /// A pause.
    Pause(Pause),
    /// `{for}`: who the call is for.
    Name,
    /// `{code}`: the park code, read digit by digit.
    Code,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

impl Template {
    /// Reads `text`; `{for}` and `{code}` are the placeholders, anything else in braces is
    /// an error.
    pub fn parse(text: &str) -> Result<Template, AnnouncerError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            parts.extend(words(&rest[..open]));
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| AnnouncerError::UnclosedPlaceholder {
                    template: text.to_string(),
                })?;
            match after[..close].trim() {
                "for" => parts.push(Part::Name),
                "code" => parts.push(Part::Code),
                other => {
                    return Err(AnnouncerError::UnknownPlaceholder {
                        template: text.to_string(),
                        placeholder: other.to_string(),
                    });
                }
            }
            rest = &after[close + 1..];
        }
        parts.extend(words(rest));
        Ok(Template {
            text: text.to_string(),
            parts,
        })
    }

    /// A park template: it must say `{code}`.
    pub fn for_park(text: &str) -> Result<Template, AnnouncerError> {
        let template = Template::parse(text)?;
        if !template.parts.contains(&Part::Code) {
            return Err(AnnouncerError::TemplateWithoutCode {
                template: text.to_string(),
            });
        }
        Ok(template)
    }

    /// A park template for calls without a name: it says `{code}` and not `{for}`.
    pub fn for_park_without_name(text: &str) -> Result<Template, AnnouncerError> {
        let template = Template::for_park(text)?;
        if template.parts.contains(&Part::Name) {
            return Err(AnnouncerError::NameInNamelessTemplate {
                template: text.to_string(),
            });
        }
        Ok(template)
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parts in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The literal words it uses (for checking them against a sound pack).
    pub fn literal_words(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Word(w) => Some(w.as_str()),
            _ => None,
        })
    }
}

/// Splits plain text into words, digit runs and pauses. Letters (and apostrophes inside a
/// word) make words; digits, `*` and `#` make digit runs; `,;` and `.!?:` make pauses;
/// everything else separates.
pub fn words(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut word = String::new();
    let mut digits = String::new();
    let flush = |parts: &mut Vec<Part>, word: &mut String, digits: &mut String| {
        let w = word.trim_matches('\'');
        if !w.is_empty() {
            parts.push(Part::Word(w.to_lowercase()));
        }
        word.clear();
        if !digits.is_empty() {
            parts.push(Part::Digits(std::mem::take(digits)));
        }
    };
    for c in text.chars() {
        if c.is_alphabetic() || (c == '\'' && !word.is_empty()) {
            if !digits.is_empty() {
                flush(&mut parts, &mut word, &mut digits);
            }
            word.push(c);
        } else if c.is_ascii_digit() || c == '*' || c == '#' {
            if !word.is_empty() {
                flush(&mut parts, &mut word, &mut digits);
            }
            digits.push(c);
        } else {
            flush(&mut parts, &mut word, &mut digits);
            let pause = match c {
                ',' | ';' => Some(Pause::Comma),
                '.' | '!' | '?' | ':' => Some(Pause::Stop),
                _ => None,
            };
            if let Some(p) = pause {
                // Two marks in a row ("?!", ", ") make one pause, the longer one.
                match parts.last_mut() {
                    Some(Part::Pause(last)) => {
                        if p == Pause::Stop {
                            *last = Pause::Stop;
                        }
                    }
                    _ => parts.push(Part::Pause(p)),
                }
            }
        }
    }
    flush(&mut parts, &mut word, &mut digits);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Part {
        Part::Word(s.into())
    }

    #[test]
    fn the_default_template_reads_as_words_pause_and_placeholders() {
        let t = Template::for_park(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(
            t.parts(),
            &[
                w("call"),
                w("for"),
                Part::Name,
                Part::Pause(Pause::Comma),
                w("on"),
                w("park"),
                Part::Code
            ]
        );
    }

    #[test]
    fn digits_in_text_are_a_run_and_words_are_lower_case() {
        assert_eq!(
            words("Dial *70 NOW!"),
            vec![
                w("dial"),
                Part::Digits("*70".into()),
                w("now"),
                Part::Pause(Pause::Stop)
            ]
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named() {
        let err = Template::parse("Call {name} on {code}").unwrap_err();
        assert!(err.to_string().contains("'{name}'"), "{err}");
    }

    #[test]
    fn an_unclosed_brace_is_an_error() {
        assert!(matches!(
            Template::parse("Call on {code"),
            Err(AnnouncerError::UnclosedPlaceholder { .. })
        ));
    }

    #[test]
    fn a_park_template_must_say_the_code_and_the_nameless_one_no_name() {
        assert!(matches!(
            Template::for_park("Call for {for}"),
            Err(AnnouncerError::TemplateWithoutCode { .. })
        ));
        assert!(matches!(
            Template::for_park_without_name("Call for {for} on {code}"),
            Err(AnnouncerError::NameInNamelessTemplate { .. })
        ));
        assert!(Template::for_park_without_name(DEFAULT_TEMPLATE_WITHOUT_NAME).is_ok());
    }

    #[test]
    fn apostrophes_stay_inside_words_only() {
        assert_eq!(words("'it's'"), vec![w("it's")]);
    }
}
