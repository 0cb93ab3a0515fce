//! The `application/dialog-info+xml` document of RFC 4235: what a busy lamp shows, written
//! as text. Pure; every value from outside (names, numbers, ids) is escaped, and characters
//! XML 1.0 cannot carry are dropped, so the document is always well-formed.

use std::fmt::Write;

/// The MIME type of the document.
pub const CONTENT_TYPE: &str = "application/dialog-info+xml";

/// The namespace of the document's elements.
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:dialog-info";

/// A dialog's state (RFC 4235 §3.7.1); the lamp colour a phone picks follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// Ringing: a call waits to be answered (or picked up).
    Early,
    /// Established: a parked call sits on the code.
    Confirmed,
    /// Over, or nothing there: the lamp is dark.
    Terminated,
}

impl DialogState {
    /// The element's text.
    pub fn as_str(self) -> &'static str {
        match self {
            DialogState::Early => "early",
            DialogState::Confirmed => "confirmed",
            DialogState::Terminated => "terminated",
        }
    }
}

/// One side of a dialog: an identity URI and the name shown with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// A SIP URI (`sip:+15550100@host`).
    pub uri: String,
    /// The display name, if any.
    pub display: Option<String>,
}

/// One `<dialog>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogEntry {
    /// The dialog's id, unique within the document.
    pub id: String,
    /// Its state.
    pub state: DialogState,
    /// `recipient` when the call came in to the watched resource (every call parkdesk
    /// shows does), `None` for a dark lamp.
    pub recipient: bool,
    /// The watched resource's side (the code, or the member a call rings).
    pub local: Option<Participant>,
    /// The other side (the caller).
    pub remote: Option<Participant>,
}

/// A whole `dialog-info` document (always `state="full"`: every NOTIFY carries the full
/// state, so a phone that missed one is right again with the next).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogInfo {
    /// The watched resource's URI.
    pub entity: String,
    /// The document's version within its subscription: 0 first, then one higher each time.
    pub version: u64,
    /// The dialogs; none for a resource that was never busy.
    pub dialogs: Vec<DialogEntry>,
}

impl DialogInfo {
    /// The document as XML text.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(256 + self.dialogs.len() * 256);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<dialog-info xmlns=\"{NAMESPACE}\" version=\"{}\" state=\"full\" entity=\"{}\">",
            self.version,
            escape(&self.entity)
        );
        for dialog in &self.dialogs {
            let _ = write!(out, "  <dialog id=\"{}\"", escape(&dialog.id));
            if dialog.recipient {
                out.push_str(" direction=\"recipient\"");
            }
            out.push_str(">\n");
            let _ = writeln!(out, "    <state>{}</state>", dialog.state.as_str());
            if let Some(local) = &dialog.local {
                participant(&mut out, "local", local);
            }
            if let Some(remote) = &dialog.remote {
                participant(&mut out, "remote", remote);
            }
            out.push_str("  </dialog>\n");
        }
        out.push_str("</dialog-info>\n");
        out
    }
}

fn participant(out: &mut String, side: &str, who: &Participant) {
    let uri = escape(&who.uri);
    let _ = write!(out, "    <{side}>\n      <identity");
    if let Some(display) = &who.display {
        let _ = write!(out, " display=\"{}\"", escape(display));
    }
    let _ = writeln!(out, ">{uri}</identity>");
    let _ = writeln!(out, "      <target uri=\"{uri}\"/>");
    let _ = writeln!(out, "    </{side}>");
}

/// Text made safe for XML content and attribute values: markup characters become entities,
/// and characters XML 1.0 does not allow (most controls, U+FFFE, U+FFFF) are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Whitespace in an attribute is normalised by parsers: keep it as a reference.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document (§2.2 `Char`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}
