//! A composer from the `[announcer]` settings: the sound pack, the templates, the chime, and
//! espeak-ng if it is installed.

use super::compose::{Composer, Timing};
use super::error::AnnouncerError;
use super::template::Template;
use super::voice::{Espeak, Voice};
use crate::config::AnnouncerSettings;
use crate::sound::SoundPack;
use std::sync::Arc;
use std::time::Duration;

/// A composer as the settings describe it, and what deserves a warning (no voice, template
/// words missing from the pack).
pub fn composer(settings: &AnnouncerSettings) -> Result<(Composer, Vec<String>), AnnouncerError> {
    let pack = SoundPack::load(
        &settings.theme,
        &settings.language,
        settings.sounds.as_deref(),
    )?;
    let template = Template::for_park(&settings.template)?;
    let without_name = Template::for_park_without_name(&settings.template_without_name)?;
    let timing = Timing {
        repeat_gap: Duration::from_millis(settings.repeat_gap_ms),
        ..Timing::default()
    };
    let mut warnings = Vec::new();
    let mut composer = match detect_voice(settings) {
        Ok(voice) => Composer::new(pack, template, without_name, "").with_voice(voice),
        Err(why) => {
            warnings.push(format!("no voice for names and free text: {why}"));
            Composer::new(pack, template, without_name, why)
        }
    };
    composer = composer.with_timing(timing).with_chime(settings.chime);
    warnings.extend(composer.check());
    Ok((composer, warnings))
}

/// espeak-ng as configured, or why there is none.
pub fn detect_voice(settings: &AnnouncerSettings) -> Result<Arc<dyn Voice>, String> {
    if settings.espeak.trim().is_empty() {
        return Err("no speech program is configured ([announcer] espeak = \"\")".into());
    }
    let espeak = Espeak::detect(settings.espeak.trim(), &settings.voice)?;
    Ok(Arc::new(espeak))
}
