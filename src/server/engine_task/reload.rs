//! A reloaded configuration in the engine task: the engine switches first (it may refuse,
//! and then nothing changes), then the file's tokens and the SIP side's trusted peers, then
//! the switches, the lamps and the store follow, as after an admin command.

use super::EngineTask;
use crate::engine::{EngineSetup, Instant, merge_reload};
use crate::protocol::ErrorBody;
use crate::server::auth::TokenEntry;
use crate::server::ops;
use crate::server::reload::ReloadRequest;
use crate::store::AuditEntry;
use serde_json::{Value, json};

/// Tokens from the configuration file are `config:N`.
const CONFIG_TOKEN: &str = "config:";

/// The parts of the setup that differ between `a` and `b`, by their config names.
fn changed_parts(a: &EngineSetup, b: &EngineSetup) -> Vec<&'static str> {
    let mut parts = Vec::new();
    if (
        &a.park_extension,
        &a.directed_prefix,
        &a.reception,
        a.retrieve_ring_time,
    ) != (
        &b.park_extension,
        &b.directed_prefix,
        &b.reception,
        b.retrieve_ring_time,
    ) {
        parts.push("park");
    }
    let lists = [
        ("ranges", a.ranges != b.ranges),
        ("policies", a.policies != b.policies),
        ("users", a.users != b.users),
        ("groups", a.groups != b.groups),
        ("assignments", a.assignments != b.assignments),
        ("allow_list", a.allow_list != b.allow_list),
    ];
    parts.extend(lists.iter().filter(|(_, c)| *c).map(|(name, _)| *name));
    parts
}

impl EngineTask {
    /// Applies a reloaded configuration, all or nothing; `ok` says what changed. Audited
    /// as `engine.reload` by whoever asked (`sighup` for the signal).
    pub(super) fn reload(
        &mut self,
        now: Instant,
        request: ReloadRequest,
    ) -> Result<Value, ErrorBody> {
        let by = request.by.clone();
        let result = self.apply_reload(now, request);
        if let Some(store) = &self.store {
            store.audit(AuditEntry {
                at: self.clock.utc().at(now),
                user: by,
                op: "engine.reload".into(),
                args_json: match &result {
                    Ok(ok) => ok.to_string(),
                    Err(e) => json!({ "refused": e.message }).to_string(),
                },
                result: match &result {
                    Ok(_) => "ok".into(),
                    Err(e) => serde_json::to_value(e.code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| "internal".into()),
                },
            });
        }
        result
    }

    fn apply_reload(&mut self, now: Instant, request: ReloadRequest) -> Result<Value, ErrorBody> {
        let ReloadRequest { old_seed, plan, .. } = request;
        let current = self.engine.setup().clone();
        let next = merge_reload(&current, &old_seed, &plan.seed);
        let mut changed = changed_parts(&current, &next);
        if !changed.is_empty() {
            self.engine
                .handle_reload(now, next)
                .map_err(|e| ops::engine_error(&e))?;
            // The engine normalizes (adds `global`, renumbers ranks): say what it kept.
            changed = changed_parts(&current, self.engine.setup());
        }
        let from_file: Vec<TokenEntry> = plan.tokens.entries().to_vec();
        let running: Vec<TokenEntry> = self
            .tokens
            .entries()
            .iter()
            .filter(|t| t.id.starts_with(CONFIG_TOKEN))
            .cloned()
            .collect();
        if running != from_file {
            for t in &running {
                self.tokens.remove(&t.id);
            }
            for t in from_file {
                self.tokens.insert(t);
            }
            changed.push("tokens");
        }
        if let (Some(sip), Some(trusted)) = (&self.sip, plan.trusted)
            && sip.trusted() != trusted
        {
            sip.set_trusted(trusted);
            changed.push("sip.trusted");
        }
        let setup_changed = changed
            .iter()
            .any(|c| !matches!(*c, "tokens" | "sip.trusted"));
        if setup_changed {
            if let Some(sim) = &mut self.sim {
                sim.set_groups(&self.engine.setup().groups);
            }
            if let Some(sip) = &self.sip {
                sip.update_directory(self.engine.setup());
            }
            self.lamps_changed = true;
            if let Some(store) = &self.store {
                // The store's directory wins at the next start: it must hold the reload.
                store.put_setup(self.engine.setup());
            }
        }
        self.pump(now);
        Ok(json!({ "changed": changed, "restart_needed": plan.restart_needed }))
    }
}
