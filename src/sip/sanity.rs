//! What a UAS checks before it looks at what a request asks (RFC 3261 §8.2, and the
//! invalid messages of RFC 4475 §3.1.2 and §3.3): a strict request line, exactly one
//! From/To/Call-ID/CSeq, a CSeq method that matches, a readable and single
//! `Content-Length`, Via and name-addr values without empty parameters, stray spaces or
//! unbalanced quotes, and no `Require` for an extension we lack.
//!
//! ezk already drops what it cannot parse at all; this catches what its lenient parser
//! lets through. Pure: the raw request line and the headers in, a refusal out.

use sip_types::{Headers, Name};

/// Why a request is turned away before anything else is done with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Insane {
    /// `400 Bad Request`, with a reason phrase naming what is wrong.
    BadRequest(&'static str),
    /// `420 Bad Extension`: these `Require` option tags are not supported.
    BadExtension(Vec<String>),
}

impl Insane {
    /// The status code to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Insane::BadRequest(_) => 400,
            Insane::BadExtension(_) => 420,
        }
    }
}

/// Checks a request whose first line (without CRLF) is `line`, whose method is `method`,
/// with `headers`; `supported` are the option tags this server supports.
pub fn check(
    line: &str,
    method: &str,
    headers: &Headers,
    supported: &[&str],
) -> Result<(), Insane> {
    check_request_line(line, method)?;
    for (name, what) in [
        (Name::FROM, "one From"),
        (Name::TO, "one To"),
        (Name::CALL_ID, "one Call-ID"),
        (Name::CSEQ, "one CSeq"),
    ] {
        if headers.get_raw(&name).count() != 1 {
            return Err(Insane::BadRequest(what));
        }
    }
    for (name, what) in [
        (Name::MAX_FORWARDS, "one Max-Forwards"),
        (Name::CONTENT_LENGTH, "one Content-Length"),
        (Name::CONTENT_TYPE, "one Content-Type"),
    ] {
        if headers.get_raw(&name).count() > 1 {
            return Err(Insane::BadRequest(what));
        }
    }
    let cseq_method = headers
        .get_raw(&Name::CSEQ)
        .next()
        .and_then(|v| v.as_str().split_whitespace().nth(1))
        .unwrap_or_default();
    if cseq_method != method {
        return Err(Insane::BadRequest("CSeq method differs"));
    }
    if let Some(length) = headers.get_raw(&Name::CONTENT_LENGTH).next() {
        let length = length.as_str().trim();
        if length.is_empty()
            || !length.bytes().all(|b| b.is_ascii_digit())
            || length.parse::<u32>().is_err()
        {
            return Err(Insane::BadRequest("Bad Content-Length"));
        }
    }
    for via in headers.get_raw(&Name::VIA) {
        if !via_is_sound(via.as_str()) {
            return Err(Insane::BadRequest("Bad Via"));
        }
    }
    for name in [Name::FROM, Name::TO] {
        for value in headers.get_raw(&name) {
            if !name_addr_is_sound(value.as_str()) {
                return Err(Insane::BadRequest("Bad From or To"));
            }
        }
    }
    if method != "ACK" && method != "CANCEL" {
        let unsupported: Vec<String> = headers
            .get_raw(&Name::REQUIRE)
            .flat_map(|v| v.as_str().split(','))
            .map(str::trim)
            .filter(|tag| !tag.is_empty())
            .filter(|tag| !supported.iter().any(|s| s.eq_ignore_ascii_case(tag)))
            .map(str::to_string)
            .collect();
        if !unsupported.is_empty() {
            return Err(Insane::BadExtension(unsupported));
        }
    }
    Ok(())
}

/// `Method SP Request-URI SP SIP/2.0`, single spaces, nothing trailing, no `<>` around
/// the URI and no headers (`?`) in a SIP URI (RFC 3261 §19.1.1 forbids them there).
fn check_request_line(line: &str, method: &str) -> Result<(), Insane> {
    let bad = Insane::BadRequest("Bad Request-Line");
    let mut parts = line.split(' ');
    let (Some(m), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad);
    };
    if m != method || version != "SIP/2.0" || uri.is_empty() {
        return Err(bad);
    }
    if uri.starts_with('<') || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad);
    }
    let lower = uri.to_ascii_lowercase();
    // `?` is legal in a user part; headers follow the host.
    let host_on = uri.rsplit_once('@').map_or(uri, |(_, host)| host);
    if (lower.starts_with("sip:") || lower.starts_with("sips:")) && host_on.contains('?') {
        return Err(Insane::BadRequest("Headers in Request-URI"));
    }
    Ok(())
}

/// A Via value (one or more comma-separated via-parms) with no empty element or parameter.
fn via_is_sound(value: &str) -> bool {
    value.split(',').all(|element| {
        let mut params = element.split(';');
        let sent = params.next().unwrap_or_default();
        !sent.trim().is_empty() && params.all(|p| !p.trim().is_empty())
    })
}

/// A From/To value: balanced quotes; an unquoted display name of tokens only; no spaces
/// just inside `<` `>`; no empty parameter.
fn name_addr_is_sound(value: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => quoted = !quoted,
            _ => {}
        }
    }
    if quoted {
        return false;
    }
    let params = match value.rfind('>') {
        Some(gt) => {
            let Some(lt) = value.find('<') else {
                return false;
            };
            if lt > gt {
                return false;
            }
            let display = value[..lt].trim();
            let inner = &value[lt + 1..gt];
            if inner.starts_with(char::is_whitespace) || inner.ends_with(char::is_whitespace) {
                return false;
            }
            if !display.starts_with('"') && !display.chars().all(|c| is_token(c) || c == ' ') {
                return false;
            }
            &value[gt + 1..]
        }
        // An addr-spec without <>: its parameters are the header's.
        None => value.split_once(';').map_or("", |(_, p)| p),
    };
    let params = params.trim();
    let params = params.strip_prefix(';').unwrap_or(params);
    params.is_empty() || params.split(';').all(|p| !p.trim().is_empty())
}

/// RFC 3261's `token` characters.
fn is_token(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytesstr::BytesStr;

    fn headers(lines: &[(&str, &str)]) -> Headers {
        let mut headers = Headers::new();
        for (name, value) in lines {
            headers.insert(
                Name::from(BytesStr::from(name.to_string())),
                BytesStr::from(value.to_string()),
            );
        }
        headers
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1"),
            ("From", "\"Ada\" <sip:201@pbx>;tag=1"),
            ("To", "<sip:700@parkdesk>"),
            ("Call-ID", "abc"),
            ("CSeq", "1 INVITE"),
            ("Content-Length", "0"),
        ]
    }

    const LINE: &str = "INVITE sip:700@parkdesk SIP/2.0";

    #[test]
    fn a_plain_request_passes() {
        assert_eq!(check(LINE, "INVITE", &headers(&good()), &["timer"]), Ok(()));
    }

    #[test]
    fn a_loose_request_line_is_400() {
        for line in [
            "INVITE  sip:700@parkdesk  SIP/2.0",
            "INVITE sip:700@parkdesk SIP/2.0  ",
            "INVITE <sip:700@parkdesk> SIP/2.0",
            "INVITE sip:700@parkdesk; lr SIP/2.0",
            "INVITE sip:700@parkdesk SIP/7.0",
            "INVITE sip:700@parkdesk?Route=%3Csip:x%3E SIP/2.0",
        ] {
            assert_eq!(
                check(line, "INVITE", &headers(&good()), &[]).map_err(|e| e.status()),
                Err(400),
                "{line}"
            );
        }
    }

    #[test]
    fn a_question_mark_in_the_user_part_is_no_header() {
        let line = "X sip:crazy?,/;;*:&pa$s@example.com SIP/2.0";
        let lines: Vec<_> = good()
            .into_iter()
            .map(|(n, v)| if n == "CSeq" { (n, "1 X") } else { (n, v) })
            .collect();
        assert_eq!(check(line, "X", &headers(&lines), &[]), Ok(()));
    }

    #[test]
    fn doubled_or_mismatched_headers_are_400() {
        let mut twice = good();
        twice.push(("To", "<sip:other@x>"));
        assert!(check(LINE, "INVITE", &headers(&twice), &[]).is_err());
        let mut lengths = good();
        lengths.push(("l", "5"));
        assert!(check(LINE, "INVITE", &headers(&lengths), &[]).is_err());
        let mismatch: Vec<_> = good()
            .into_iter()
            .map(|(n, v)| {
                if n == "CSeq" {
                    (n, "1 OPTIONS")
                } else {
                    (n, v)
                }
            })
            .collect();
        assert!(check(LINE, "INVITE", &headers(&mismatch), &[]).is_err());
    }

    #[test]
    fn broken_values_are_400() {
        for (name, value) in [
            ("Content-Length", "-999"),
            ("Content-Length", "99999999999"),
            ("Via", "SIP/2.0/UDP 192.0.2.15;;,;,,"),
            ("To", "\"Mr. J. User <sip:j.user@example.com>"),
            ("From", "Bell, Alexander <sip:a.g.bell@example.com>;tag=43"),
            ("To", "\"Watson, Thomas\" < sip:t.watson@example.org >"),
        ] {
            let lines: Vec<_> = good()
                .into_iter()
                .map(|(n, v)| if n == name { (n, value) } else { (n, v) })
                .collect();
            assert_eq!(
                check(LINE, "INVITE", &headers(&lines), &[]).map_err(|e| e.status()),
                Err(400),
                "{name}: {value}"
            );
        }
    }

    #[test]
    fn a_required_extension_we_lack_is_420_naming_it() {
        let mut lines = good();
        lines.push(("Require", "timer, nothingSupportedHere"));
        assert_eq!(
            check(LINE, "INVITE", &headers(&lines), &["timer", "100rel"]),
            Err(Insane::BadExtension(vec!["nothingSupportedHere".into()]))
        );
    }
}
