//! PA announcements: queued per zone with a priority, played by the zone's announcer
//! station, which reports started / finished / failed.
//!
//! A zone with no station fails an announcement at once (and those waiting in it when its
//! last station leaves). A queued announcement for a park that ends first is dropped and
//! never played. One announcement per park waits at a time: asking again returns it.

use super::Engine;
use super::clock::Instant;
use super::command::{AnnounceArgs, CommandOk, ReportArgs, ReportState};
use super::error::EngineError;
use super::events::{Detail, EventName, Subject};
use super::objects::{Announcement, AnnouncementState};
use std::collections::HashMap;

/// The zone used when none is named.
pub const DEFAULT_ZONE: &str = "default";

/// Announcements waiting or playing, and the stations serving each zone.
#[derive(Debug, Default)]
pub struct Announcements {
    /// Queued or playing, in queue order.
    pub live: Vec<Announcement>,
    /// The last id handed out.
    last_id: u64,
    /// Stations per zone.
    stations: HashMap<String, usize>,
}

impl Announcements {
    /// Queued and playing announcements: playing first, then by priority (higher first),
    /// then in queue order.
    pub fn ordered(&self) -> Vec<Announcement> {
        let mut list = self.live.clone();
        list.sort_by_key(|a| {
            (
                a.state != AnnouncementState::Playing,
                -i64::from(a.priority),
            )
        });
        list
    }
}

/// What is said for a park: "Call for {for}, on park {spoken}" or "Call on park {spoken}".
pub fn park_text(for_note: Option<&str>, spoken: &str) -> String {
    match for_note {
        Some(name) if !name.trim().is_empty() => format!("Call for {name}, on park {spoken}"),
        _ => format!("Call on park {spoken}"),
    }
}

/// The parts of a new announcement.
struct Draft {
    code: Option<String>,
    for_note: Option<String>,
    text: String,
    zone: String,
    priority: i32,
    repeat: u8,
}

impl Engine {
    /// `announce`: queue a PA announcement of a parked call's code or of free text.
    pub(super) fn cmd_announce(
        &mut self,
        now: Instant,
        args: AnnounceArgs,
    ) -> Result<CommandOk, EngineError> {
        let repeat = args.repeat.unwrap_or(1);
        if !(1..=5).contains(&repeat) {
            return Err(EngineError::bad(
                "repeat",
                format!("repeat {repeat} is outside 1-5"),
            ));
        }
        let zone = args
            .zone
            .filter(|z| !z.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ZONE.into());
        let text = args.text.filter(|t| !t.trim().is_empty());
        let code = args.code.filter(|c| !c.trim().is_empty());
        let draft = match (code, text) {
            (None, None) => {
                return Err(EngineError::bad(
                    "text",
                    "give a parked call's code or a text",
                ));
            }
            (None, Some(text)) => Draft {
                code: None,
                for_note: None,
                text,
                zone,
                priority: 0,
                repeat,
            },
            (Some(code), text) => {
                let nothing = || EngineError::NotFound(format!("no call is parked on '{code}'"));
                let (_, key) = self.parked_on(&code).ok_or_else(nothing)?;
                let park = self
                    .calls
                    .get(key)
                    .and_then(|r| r.park.as_ref())
                    .ok_or_else(nothing)?;
                let waiting = self.announcements.live.iter().find(|a| {
                    a.code.as_deref() == Some(park.code.as_str())
                        && a.state == AnnouncementState::Queued
                });
                if let Some(existing) = waiting {
                    return Ok(CommandOk::Announced(existing.clone()));
                }
                let for_note = park.for_note.clone();
                let text = text.unwrap_or_else(|| park_text(for_note.as_deref(), &park.spoken));
                Draft {
                    code: Some(park.code.clone()),
                    for_note,
                    text,
                    zone,
                    priority: 0,
                    repeat,
                }
            }
        };
        let draft = Draft {
            priority: args.priority.unwrap_or(0),
            ..draft
        };
        Ok(CommandOk::Announced(self.queue_announcement(now, draft)))
    }

    /// The automatic announcement of a new park (`announce` arg or `announce_on_park`).
    pub(super) fn announce_park(&mut self, now: Instant, code: &str, for_note: Option<&str>) {
        let spoken = super::orbit::spoken(code);
        let draft = Draft {
            code: Some(code.to_string()),
            for_note: for_note.map(str::to_string),
            text: park_text(for_note, &spoken),
            zone: DEFAULT_ZONE.into(),
            priority: 0,
            repeat: 1,
        };
        self.queue_announcement(now, draft);
    }

    /// Numbers the next announcement `a-{first}` (then on up): a new run goes on past the
    /// ids the runs before it handed out. Set before any announcement is made.
    pub fn number_announcements_from(&mut self, first: u64) {
        self.announcements.last_id = first.saturating_sub(1);
    }

    /// The number the next announcement's id will carry.
    pub fn next_announcement_number(&self) -> u64 {
        self.announcements.last_id + 1
    }

    fn queue_announcement(&mut self, now: Instant, draft: Draft) -> Announcement {
        self.announcements.last_id += 1;
        let served = self
            .announcements
            .stations
            .get(&draft.zone)
            .copied()
            .unwrap_or(0)
            > 0;
        let mut announcement = Announcement {
            announcement: format!("a-{}", self.announcements.last_id),
            code: draft.code,
            for_note: draft.for_note,
            text: draft.text,
            zone: draft.zone,
            priority: draft.priority,
            repeat: draft.repeat,
            state: AnnouncementState::Queued,
            reason: None,
            queued_at: now,
        };
        if served {
            self.announcements.live.push(announcement.clone());
            let subject = Subject::Announcement(announcement.clone());
            self.emit(EventName::AnnouncementQueued, subject, Detail::default());
        } else {
            let reason = format!("no announcer station for zone '{}'", announcement.zone);
            announcement.state = AnnouncementState::Failed;
            announcement.reason = Some(reason.clone());
            let detail = Detail {
                reason: Some(reason),
                ..Detail::default()
            };
            self.emit(
                EventName::AnnouncementFailed,
                Subject::Announcement(announcement.clone()),
                detail,
            );
        }
        announcement
    }

    /// `announcement.report`: a station's word on an announcement.
    pub(super) fn cmd_report(&mut self, args: ReportArgs) -> Result<CommandOk, EngineError> {
        let index = self
            .announcements
            .live
            .iter()
            .position(|a| a.announcement == args.announcement)
            .ok_or_else(|| {
                EngineError::NotFound(format!(
                    "no queued or playing announcement '{}'",
                    args.announcement
                ))
            })?;
        match args.state {
            ReportState::Started => {
                let announcement = &mut self.announcements.live[index];
                if announcement.state == AnnouncementState::Playing {
                    return Ok(CommandOk::Done);
                }
                announcement.state = AnnouncementState::Playing;
                // A station's note on what it left out (a name it cannot speak).
                announcement.reason = args.reason.clone();
                let subject = Subject::Announcement(announcement.clone());
                self.emit(EventName::AnnouncementStarted, subject, Detail::default());
            }
            ReportState::Finished => {
                let mut announcement = self.announcements.live.remove(index);
                announcement.state = AnnouncementState::Finished;
                announcement.reason = args.reason.clone().or(announcement.reason);
                let subject = Subject::Announcement(announcement);
                self.emit(EventName::AnnouncementFinished, subject, Detail::default());
            }
            ReportState::Failed => {
                let mut announcement = self.announcements.live.remove(index);
                let reason = args.reason.unwrap_or_else(|| "the station failed".into());
                announcement.state = AnnouncementState::Failed;
                announcement.reason = Some(reason.clone());
                let detail = Detail {
                    reason: Some(reason),
                    ..Detail::default()
                };
                self.emit(
                    EventName::AnnouncementFailed,
                    Subject::Announcement(announcement),
                    detail,
                );
            }
        }
        Ok(CommandOk::Done)
    }

    /// Stations serving `zone` changed; with none left, what waits or plays there fails.
    pub(super) fn on_stations(&mut self, _now: Instant, zone: &str, count: usize) {
        self.announcements.stations.insert(zone.to_string(), count);
        if count > 0 {
            return;
        }
        let reason = format!("no announcer station for zone '{zone}'");
        let (gone, kept) = std::mem::take(&mut self.announcements.live)
            .into_iter()
            .partition(|a| a.zone == zone);
        self.announcements.live = kept;
        for mut announcement in gone {
            announcement.state = AnnouncementState::Failed;
            announcement.reason = Some(reason.clone());
            let detail = Detail {
                reason: Some(reason.clone()),
                ..Detail::default()
            };
            self.emit(
                EventName::AnnouncementFailed,
                Subject::Announcement(announcement),
                detail,
            );
        }
    }

    /// A park ended: its queued announcements are dropped, never played.
    pub(super) fn drop_announcements(&mut self, code: &str, reason: &str) {
        if self.announcements.live.is_empty() {
            return;
        }
        let (dropped, kept) = std::mem::take(&mut self.announcements.live)
            .into_iter()
            .partition(|a: &Announcement| {
                a.code.as_deref() == Some(code) && a.state == AnnouncementState::Queued
            });
        self.announcements.live = kept;
        for mut announcement in dropped {
            announcement.state = AnnouncementState::Dropped;
            announcement.reason = Some(reason.to_string());
            let detail = Detail {
                reason: Some(reason.to_string()),
                ..Detail::default()
            };
            self.emit(
                EventName::AnnouncementDropped,
                Subject::Announcement(announcement),
                detail,
            );
        }
    }
}
