//! Reading (and, for tests of stale state, changing) the modelled channels, threads,
//! messages and application commands.

use serde_json::Value;

use crate::{Channel, FakeDiscord, Message};

impl FakeDiscord {
    /// A channel or thread by id (deleted ones are gone).
    pub fn channel(&self, id: u64) -> Option<Channel> {
        self.shared.model.lock().unwrap().channels.get(&id).cloned()
    }

    /// Removes a channel or thread as if it was deleted while the bot was away: no
    /// THREAD_DELETE or CHANNEL_DELETE is dispatched, and later requests for it get
    /// Discord's 404 (Unknown Channel). Returns whether it existed.
    pub fn delete_channel_unannounced(&self, id: u64) -> bool {
        self.shared
            .model
            .lock()
            .unwrap()
            .channels
            .remove(&id)
            .is_some()
    }

    /// All threads, oldest first.
    pub fn threads(&self) -> Vec<Channel> {
        let model = self.shared.model.lock().unwrap();
        let mut t: Vec<Channel> = model
            .channels
            .values()
            .filter(|c| c.is_thread())
            .cloned()
            .collect();
        t.sort_by_key(|c| c.id);
        t
    }

    /// All guild voice channels (type 2), oldest first.
    pub fn voice_channels(&self) -> Vec<Channel> {
        let model = self.shared.model.lock().unwrap();
        let mut v: Vec<Channel> = model
            .channels
            .values()
            .filter(|c| c.kind == crate::model::channel_type::GUILD_VOICE)
            .cloned()
            .collect();
        v.sort_by_key(|c| c.id);
        v
    }

    /// The transcript of a channel or thread: user messages that were dispatched and
    /// everything the bot posted there (incl. interaction responses), after edits/deletes.
    pub fn messages(&self, channel_id: u64) -> Vec<Message> {
        self.shared
            .model
            .lock()
            .unwrap()
            .snapshot_messages(channel_id, self.shared.cfg.bot.id)
    }

    /// One message by id.
    pub fn message(&self, id: u64) -> Option<Message> {
        let model = self.shared.model.lock().unwrap();
        model
            .messages
            .get(&id)
            .map(|m| Message::from_json(m.json.clone(), m.origin, self.shared.cfg.bot.id))
    }

    /// The global commands as last registered (Discord's answer objects, with ids).
    pub fn commands(&self) -> Vec<Value> {
        self.shared.model.lock().unwrap().commands_global.clone()
    }

    /// The guild's commands as last registered.
    pub fn guild_commands(&self, guild_id: u64) -> Vec<Value> {
        self.shared
            .model
            .lock()
            .unwrap()
            .commands_guild
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }
}
