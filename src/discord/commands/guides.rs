//! `/guides list` for everyone, `/guides reload` for moderators of the
//! operator's own servers.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use serenity::all::{Permissions, RoleId};

use crate::discord::render::{fit, limits};
use crate::discord::{AppContext, Data, Error};
use crate::guide::{Counts, GuideLibrary, LoadErrors};
use tokio::sync::oneshot;

/// See or reload the interview guides
// No default_member_permissions here: Discord would apply them to `list` too.
#[poise::command(slash_command, subcommands("list", "reload"), subcommand_required)]
pub async fn guides(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// List the roles you can practise and how many questions each has
#[poise::command(slash_command)]
pub async fn list(ctx: AppContext<'_>) -> Result<(), Error> {
    let lib = ctx.data().guides();
    let mut lines = vec![format!(
        "**{} roles** (use the id with `/ask` or `/mock`):",
        lib.roles().len()
    )];
    for role in lib.roles() {
        lines.push(format!(
            "• `{}` {} — {} questions",
            role.id,
            role.name,
            role.questions.len()
        ));
    }
    super::whisper(ctx, fit(&lines.join("\n"), limits::CONTENT)).await
}

/// Why a member may not reload, or `None` when they may.
pub fn reload_refusal(
    data: &Data,
    guild: Option<u64>,
    permissions: Option<Permissions>,
    roles: &[RoleId],
) -> Option<&'static str> {
    let Some(guild) = guild else {
        return Some("Guides can only be reloaded from inside a server.");
    };
    if !data.config.discord.admin_guilds().any(|g| g == guild) {
        return Some("The guides are shared by every server this bot is in, so only moderators of the operator's own server can reload them. Ask the bot's operator.");
    }
    let manages = permissions.is_some_and(|p| p.contains(Permissions::MANAGE_GUILD));
    let moderator_role = roles
        .iter()
        .any(|r| data.config.discord.moderator_role_ids.contains(&r.get()));
    if manages || moderator_role {
        None
    } else {
        Some("Only moderators (Manage Server, or a moderator role set by the operator) can reload the guides.")
    }
}

/// Reload the guide files (moderators only); the old guides stay if the new ones have errors
#[poise::command(slash_command)]
pub async fn reload(ctx: AppContext<'_>) -> Result<(), Error> {
    let interaction = ctx.interaction;
    let member = interaction.member.as_ref();
    let refusal = reload_refusal(
        ctx.data(),
        interaction.guild_id.map(|g| g.get()),
        member.and_then(|m| m.permissions),
        member.map(|m| m.roles.as_slice()).unwrap_or_default(),
    );
    if let Some(why) = refusal {
        return Err(Error::user(why));
    }
    ctx.defer_ephemeral().await?;
    let started = Instant::now();
    let loaded = reload_in_background(ctx.data().clone(), ctx.data().config.guides.dir.clone())
        .await
        .map_err(|_| Error::Internal("the guide reload thread stopped without an answer".into()))?
        .map_err(Error::Internal)?;
    let took = started.elapsed();
    let text = match loaded {
        Ok(counts) => {
            tracing::info!(%counts, ms = took.as_millis() as u64, "guides reloaded");
            format!("Reloaded the guides in {} ms: {counts}.", took.as_millis())
        }
        Err(errors) => {
            tracing::warn!(problems = errors.0.len(), "guide reload refused");
            reload_errors_text(&errors.0.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        }
    };
    super::whisper(ctx, text).await
}

/// Loads and validates the guides on a thread of its own and, if they are sound,
/// swaps them in there. Loading 10,000 questions is a few hundred milliseconds of
/// CPU: off the async workers so no command waits behind it, in the idle scheduling class so
/// that on a small machine members' commands get the cores first (a reload once a
/// second during an `/ask` stream moved its p99 from 0.6 to 20–35 ms before this,
/// BENCHMARKS.md), and the old library is freed there too rather than on a worker.
fn reload_in_background(
    data: Data,
    dir: PathBuf,
) -> oneshot::Receiver<Result<Result<Counts, LoadErrors>, String>> {
    let (tx, rx) = oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("guide-reload".into())
        .spawn(move || {
            lower_this_threads_priority();
            match GuideLibrary::load(&dir) {
                Ok(library) => {
                    let counts = library.counts();
                    let old = data.swap_guides(library);
                    // Answer first: freeing the old library may wait for commands.
                    let _ = tx.send(Ok(Ok(counts)));
                    free_here(old);
                }
                Err(errors) => {
                    let _ = tx.send(Ok(Err(errors)));
                }
            }
        });
    if let Err(e) = spawned {
        let (tx, rx) = oneshot::channel();
        let _ = tx.send(Err(format!("cannot start the guide reload thread: {e}")));
        return rx;
    }
    rx
}

/// Frees the replaced library on this thread. Commands in flight still hold it (an
/// `/ask` keeps it across its HTTP reply), and whichever let go last used to free it:
/// ~15 ms of work for 10,000 questions on an async worker, the slowest `/ask` of a
/// reload benchmark. So wait (briefly, at this thread's low priority) until ours is the
/// last reference; past the deadline, let the last holder free it after all.
fn free_here(old: Arc<GuideLibrary>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Arc::strong_count(&old) > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(old);
}

/// The idle scheduling class for the calling thread and the reader threads it starts
/// (Linux schedules threads one by one, and new threads inherit the class): it runs
/// only on a core nobody else wants, and any other thread that wakes up takes the core
/// at once. At nice 19 a waking worker could still wait out the reload's time slice,
/// which lifted an `/ask` stream's p99 by 0.2–2 ms in the benchmark. A reload can wait;
/// a member should not. Should the class be refused, nice 19; should that fail too,
/// the reload competes at normal priority, which is only slower for others.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `gettid` cannot fail; `sched_setscheduler` only reads `param`, which
        // lives across the call, and `setpriority` takes plain integers.
        let idle = unsafe { libc::sched_setscheduler(libc::gettid(), libc::SCHED_IDLE, &param) };
        if idle != 0 {
            let niced =
                unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) };
            if niced != 0 {
                tracing::debug!(error = %std::io::Error::last_os_error(), "cannot lower the reload thread's priority");
            }
        }
    }
}

/// As many errors as fit in one message, then how many more there are.
pub fn reload_errors_text(errors: &[String]) -> String {
    let head = format!(
        "The guides were **not** reloaded: {} problem{} found. The previous guides are still in use.\n```\n",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    let mut body = String::new();
    let budget = limits::CONTENT - head.chars().count() - 40;
    let mut shown = 0;
    for e in errors {
        let line = fit(&e.replace("```", "'''"), 300);
        if body.chars().count() + line.chars().count() + 1 > budget {
            break;
        }
        body.push_str(&line);
        body.push('\n');
        shown += 1;
    }
    let mut text = format!("{head}{body}```");
    if shown < errors.len() {
        text.push_str(&format!("…and {} more.", errors.len() - shown));
    }
    text
}
