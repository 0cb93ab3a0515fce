//! Small readers and writers over SIP messages: raw header values, the number in a URI,
//! a caller's identity, a tag on a final response.

use crate::engine::switch::Party;
use bytesstr::BytesStr;
use sip_core::transport::OutgoingResponse;
use sip_types::Headers;
use sip_types::Name;
use sip_types::header::typed::FromTo;
use sip_types::uri::SipUri;
use sip_types::uri::SipUriUserPart;

/// The first value of header `name`, as text.
pub fn header(headers: &Headers, name: &Name) -> Option<String> {
    headers.get_raw(name).next().map(|v| v.as_str().to_string())
}

/// The first value of a header named by text (extension headers like `Priority`).
pub fn header_named(headers: &Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.as_print_str().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str().to_string())
}

/// The user part of a SIP URI (percent-decoded), empty when there is none.
pub fn uri_user(uri: &SipUri) -> String {
    match &uri.user_part {
        SipUriUserPart::Empty => String::new(),
        SipUriUserPart::User(user) => user.as_str().to_string(),
        SipUriUserPart::UserPw(pw) => pw.user.as_str().to_string(),
    }
}

/// The number inside a name-addr or URI text: `"Ada" <sip:+1555@pbx>` → `+1555`,
/// `<tel:+1555;phone-context=x>` → `+1555`. Visual separators are kept out.
pub fn number_in(text: &str) -> Option<String> {
    let inner = match (text.find('<'), text.rfind('>')) {
        (Some(a), Some(b)) if a < b => &text[a + 1..b],
        _ => text.trim(),
    };
    let rest = inner
        .strip_prefix("sips:")
        .or_else(|| inner.strip_prefix("sip:"))
        .or_else(|| inner.strip_prefix("tel:"))?;
    let end = rest.find(['@', ';', '?', '>']).unwrap_or(rest.len());
    let number: String = percent_decode(&rest[..end])
        .chars()
        .filter(|c| !matches!(c, '-' | '.' | '(' | ')' | ' '))
        .collect();
    (!number.is_empty()).then_some(number)
}

/// The display name of a name-addr (`"Ada Lovelace" <sip:…>` → `Ada Lovelace`).
pub fn display_name(text: &str) -> String {
    let Some(lt) = text.find('<') else {
        return String::new();
    };
    text[..lt].trim().trim_matches('"').trim().to_string()
}

/// `%23` → `#`, and other escapes; bad escapes are kept as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(value) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The caller of a request as the board shows it: the asserted identity when `asserted`
/// is believed, else the From header.
pub fn caller_party(from: &FromTo, asserted: Option<&str>) -> Party {
    if let Some(pai) = asserted
        && let Some(number) = number_in(pai)
    {
        return Party {
            number,
            name: display_name(pai),
        };
    }
    Party {
        number: uri_user(&from.uri.uri),
        name: from
            .uri
            .name
            .as_ref()
            .map(|n| n.as_str().trim_matches('"').to_string())
            .unwrap_or_default(),
    }
}

/// A message body as text, if it has one and it is UTF-8.
pub fn body_text(body: &[u8]) -> Option<String> {
    (!body.is_empty())
        .then(|| std::str::from_utf8(body).ok().map(str::to_string))
        .flatten()
}

/// Puts a To tag on a final response sent outside any dialog (RFC 3261 §8.2.6.2).
pub fn tag_response(response: &mut OutgoingResponse, tag: &str) {
    let tag = BytesStr::from(tag.to_string());
    let _ = response.msg.headers.edit(Name::TO, |to: &mut FromTo| {
        if to.tag.is_none() {
            to.tag = Some(tag.clone());
        }
    });
}
