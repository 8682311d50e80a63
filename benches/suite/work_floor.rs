//! The same-work floor: the least a serenity bot can do to send what the bot sends and store
//! what it stores. It answers every slash command with a copy of one of the bot's real
//! `/ask` replies (the same embed and buttons, so the same bytes to build, send and have
//! echoed), and every member's message by committing a record of the size the bot commits
//! for an answer, to the same backend, then posting a copy of one of the bot's real thread
//! replies (content and buttons). No coaching, no interview state, no outbox.
//!
//! SQLite: one file in WAL with `synchronous = NORMAL`, the bot's own settings
//! (`src/store/sqlite/open.rs`), written by one writer thread that commits whatever is
//! queued in one transaction, as the bot's writer does. PostgreSQL: a pool of connections
//! (the bot's size) and one `INSERT` per answer, its own transaction.
//!
//! It runs in the floor's process ([`super::floor::run_if_requested`]) when [`ENV`] names
//! a [`Spec`] file.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serenity::all::{
    ActionRow, ActionRowComponent, CommandInteraction, Context, CreateActionRow,
    CreateAllowedMentions, CreateButton, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, Embed, Message,
};

/// Set (to a [`Spec`] file) in the environment of a process that should be the same-work
/// floor.
pub const ENV: &str = "IC_BENCH_WORK_FLOOR";

/// What the same-work floor sends and stores, taken from the bot in the same run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Spec {
    /// The `data` of one of the bot's `/ask` callbacks (embeds and buttons).
    pub ask: Value,
    /// The body of one of the bot's posts in an interview thread (content and buttons).
    pub post: Value,
    /// Stored with each answer's text: as many bytes as the bot stores with it (feedback,
    /// the interview's next state, the queued post), made of the same JSON.
    pub record: String,
    /// Where to store: an SQLite file, or else PostgreSQL at this URL.
    pub sqlite: Option<PathBuf>,
    pub postgres: Option<String>,
}

impl Spec {
    /// Writes the spec to `path`, for the floor's process to read.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

pub struct WorkFloor {
    ask_content: Option<String>,
    ask_embeds: Vec<Embed>,
    ask_rows: Vec<ActionRow>,
    post_content: String,
    post_rows: Vec<ActionRow>,
    log: Log,
}

fn rows(v: &Value) -> Result<Vec<ActionRow>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        v => serde_json::from_value(v.clone()).map_err(|e| format!("components: {e}")),
    }
}

fn create_rows(rows: &[ActionRow]) -> Vec<CreateActionRow> {
    rows.iter()
        .map(|row| {
            CreateActionRow::Buttons(
                row.components
                    .iter()
                    .filter_map(|c| match c {
                        ActionRowComponent::Button(b) => Some(CreateButton::from(b.clone())),
                        _ => None,
                    })
                    .collect(),
            )
        })
        .collect()
}

impl WorkFloor {
    /// Reads the spec at `path` and opens the store it names.
    pub async fn start(path: &Path) -> Result<WorkFloor, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let spec: Spec = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let log = match (&spec.sqlite, &spec.postgres) {
            (Some(file), _) => Log::Sqlite(SqliteLog::open(file, spec.record.clone())?),
            (None, Some(url)) => Log::Postgres(PgLog::open(url, spec.record.clone()).await?),
            (None, None) => return Err("the spec names no store".into()),
        };
        Ok(WorkFloor {
            ask_content: spec.ask["content"].as_str().map(str::to_string),
            ask_embeds: match &spec.ask["embeds"] {
                Value::Null => Vec::new(),
                v => serde_json::from_value(v.clone()).map_err(|e| format!("embeds: {e}"))?,
            },
            ask_rows: rows(&spec.ask["components"])?,
            post_content: spec.post["content"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            post_rows: rows(&spec.post["components"])?,
            log,
        })
    }

    /// Answers a slash command with the copy of the bot's `/ask` reply.
    pub async fn answer(&self, ctx: &Context, cmd: &CommandInteraction) {
        let mut reply = CreateInteractionResponseMessage::new()
            .embeds(
                self.ask_embeds
                    .iter()
                    .cloned()
                    .map(CreateEmbed::from)
                    .collect(),
            )
            .components(create_rows(&self.ask_rows))
            .allowed_mentions(CreateAllowedMentions::new());
        if let Some(content) = &self.ask_content {
            reply = reply.content(content);
        }
        if let Err(e) = cmd
            .create_response(&ctx.http, CreateInteractionResponse::Message(reply))
            .await
        {
            eprintln!("same-work floor: cannot answer an interaction: {e}");
        }
    }

    /// Commits the answer with its record, then posts the copy of the bot's thread reply.
    pub async fn reply(&self, ctx: &Context, msg: &Message) {
        let (channel, id) = (msg.channel_id.get() as i64, msg.id.get() as i64);
        if let Err(e) = self.log.commit(channel, id, &msg.content).await {
            eprintln!("same-work floor: cannot store an answer: {e}");
            return;
        }
        let post = CreateMessage::new()
            .content(&self.post_content)
            .components(create_rows(&self.post_rows))
            .allowed_mentions(CreateAllowedMentions::new());
        if let Err(e) = msg.channel_id.send_message(&ctx.http, post).await {
            eprintln!("same-work floor: cannot post: {e}");
        }
    }
}

enum Log {
    Sqlite(SqliteLog),
    Postgres(PgLog),
}

impl Log {
    async fn commit(&self, channel: i64, message: i64, answer: &str) -> Result<(), String> {
        match self {
            Log::Sqlite(log) => log.commit(channel, message, answer).await,
            Log::Postgres(log) => log.commit(channel, message, answer).await,
        }
    }
}

const TABLE: &str = "CREATE TABLE IF NOT EXISTS answers (\
    id INTEGER PRIMARY KEY, channel_id BIGINT NOT NULL, message_id BIGINT NOT NULL, \
    answer TEXT NOT NULL, record TEXT NOT NULL)";

struct Job {
    channel: i64,
    message: i64,
    answer: String,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// One writer thread owning the connection; each batch of queued answers is one
/// transaction (`BEGIN IMMEDIATE` … `COMMIT`).
struct SqliteLog {
    jobs: mpsc::Sender<Job>,
}

impl SqliteLog {
    fn open(file: &Path, record: String) -> Result<SqliteLog, String> {
        let conn = rusqlite::Connection::open(file)
            .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
        let setup = || -> rusqlite::Result<()> {
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.execute_batch(TABLE)
        };
        setup().map_err(|e| format!("cannot set up {}: {e}", file.display()))?;
        let (jobs, rx) = mpsc::channel();
        std::thread::spawn(move || writer(conn, &record, &rx));
        Ok(SqliteLog { jobs })
    }

    async fn commit(&self, channel: i64, message: i64, answer: &str) -> Result<(), String> {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job {
                channel,
                message,
                answer: answer.to_string(),
                done,
            })
            .map_err(|_| "the writer thread is gone".to_string())?;
        wait.await
            .map_err(|_| "the writer thread is gone".to_string())?
    }
}

fn writer(mut conn: rusqlite::Connection, record: &str, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        batch.extend(jobs.try_iter());
        let mut write = || -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO answers (channel_id, message_id, answer, record) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?;
                for job in &batch {
                    insert.execute(rusqlite::params![
                        job.channel,
                        job.message,
                        job.answer,
                        record
                    ])?;
                }
            }
            tx.commit()
        };
        let result = write().map_err(|e| e.to_string());
        for job in batch {
            let _ = job.done.send(result.clone());
        }
    }
}

/// A pool of connections; one `INSERT` (its own transaction) per answer.
struct PgLog {
    pool: deadpool_postgres::Pool,
    record: String,
}

impl PgLog {
    async fn open(url: &str, record: String) -> Result<PgLog, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
        let manager = deadpool_postgres::Manager::from_config(
            config,
            tokio_postgres::NoTls,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(8)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| e.to_string())?;
        let client = pool.get().await.map_err(|e| e.to_string())?;
        client
            .batch_execute(&TABLE.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY"))
            .await
            .map_err(|e| format!("cannot create the table: {e}"))?;
        Ok(PgLog { pool, record })
    }

    async fn commit(&self, channel: i64, message: i64, answer: &str) -> Result<(), String> {
        let client = self.pool.get().await.map_err(|e| e.to_string())?;
        let insert = client
            .prepare_cached(
                "INSERT INTO answers (channel_id, message_id, answer, record) \
                 VALUES ($1, $2, $3, $4)",
            )
            .await
            .map_err(|e| e.to_string())?;
        client
            .execute(&insert, &[&channel, &message, &answer, &self.record])
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
