//! Emit stage, retention scrub: the sealed model → `sql/<env>/retention.sql` for every
//! deployed environment (SDM twins included) whose spec sets a `conversations` or
//! `files` retention, when the spec has an `open-webui` app.
//!
//! Open WebUI deletes nothing by age, so the scrub is plain Postgres SQL that a scheduled
//! job runs with `psql -v ON_ERROR_STOP=1 -f generated/sql/<env>/retention.sql`: one
//! transaction, idempotent, judged against the database clock. It is written against
//! the schema of [`SCHEMA_VERSION`] (alembic head `d4c1a8e37b62`) and runs unchanged on
//! [`OLDEST_SCHEMA_VERSION`] (head `d31026856c01`) and on every alembic revision between
//! (the chain is linear): a statement on a table that an older database lacks is inside
//! a `DO` block that checks `to_regclass(..)` first.
//!
//! - `chat` (`created_at`, `updated_at` epoch seconds; `meta` JSON with the tag ids under
//!   `tags`, and `internal`/`parent_chat_id` for the internal chats of sub-agents and
//!   timers). In v0.6.18 a shared link is a copy of the chat in `chat` whose `id` is the
//!   link's `share_id` and whose `user_id` is `shared-<chat id>`; from revision
//!   `c1d2e3f4a5b6` on it is a row of `shared_chat` (foreign key to `chat`, ON DELETE
//!   CASCADE) with an `access_grant` (`resource_type` `shared_chat`, `resource_id` the
//!   chat id, no foreign key).
//! - `chat_message` and `chat_file` (v0.11.4): foreign keys to `chat` (and `file`), ON
//!   DELETE CASCADE. `automation_run.chat_id`: no foreign key; the app sets it to NULL
//!   when it deletes the chat.
//! - `tag` (primary key `id`, `user_id`), referenced only from `chat.meta.tags`.
//! - `file` (`created_at`, `updated_at` epoch seconds). Deleting a chat does not delete
//!   its files. `knowledge_file`, `channel_file` (v0.11.4): foreign keys to `file`, ON
//!   DELETE CASCADE; `access_grant` rows with `resource_type` `file`: no foreign key.
//! - `document_chunk` (pgvector, when it keeps vectors in this database): a file's
//!   chunks in collection `file-<id>`, and copies in knowledge collections with
//!   `vmetadata.file_id`.
//!
//! Dependent rows are deleted explicitly before the rows they hang off, so the result
//! does not depend on the foreign keys' ON DELETE actions (and a key without CASCADE
//! does not block the delete). The legacy `chatidtag` table is no longer read by the app
//! and is left alone.

use crate::emit::{Artifact, Context, EmitError, HEADER};
use crate::id::{NodeId, NodeKind};
use crate::model::{App, Environment, Model, Retention};
use crate::model::{AppKind, DataClass, ResourceKind};

/// The newest Open WebUI release whose database schema the scrub is written for.
pub const SCHEMA_VERSION: &str = "v0.11.4";

/// Its alembic head revision.
const SCHEMA_HEAD: &str = "d4c1a8e37b62";

/// The oldest release whose schema the scrub also runs on.
pub const OLDEST_SCHEMA_VERSION: &str = "v0.6.18";

/// Its alembic head revision.
const OLDEST_SCHEMA_HEAD: &str = "d31026856c01";

/// The tables the conversations part deletes from (named in the header), its own first.
const CONVERSATION_TABLES: &[&str] = &[
    "chat",
    "chat_message",
    "chat_file",
    "shared_chat",
    "access_grant",
    "tag",
];

/// The tables the files part deletes from (named in the header), its own first.
const FILE_TABLES: &[&str] = &[
    "file",
    "chat_file",
    "knowledge_file",
    "channel_file",
    "access_grant",
    "document_chunk",
];

/// The widest header line: lists wrap before it.
const HEADER_WIDTH: usize = 88;

/// Seconds in a retention day: ages are compared in epoch seconds.
const DAY_SECONDS: u64 = 86_400;

/// Where the scrub of an environment is written (the scheduled job runs exactly this
/// file under `generated/`).
pub fn path(environment: &str) -> String {
    format!("sql/{environment}/retention.sql")
}

// Every emitter has the signature the family table in `emit` calls.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let apps: Vec<&App> = model
        .apps
        .values()
        .filter(|app| app.kind.0 == AppKind::OpenWebui)
        .collect();
    if apps.is_empty() {
        return Ok(Vec::new());
    }
    let mut artifacts = Vec::new();
    for environment in model.environments.values() {
        let conversations = environment.retention.get(&DataClass::Conversations);
        let files = environment.retention.get(&DataClass::Files);
        if conversations.is_none() && files.is_none() {
            continue;
        }
        let text = render(model, environment, &apps, conversations, files);
        let mut nodes = vec![environment.id(), NodeId::singleton(NodeKind::Retention)];
        nodes.extend(apps.iter().map(|app| app.id()));
        if environment.sdm.is_some() {
            nodes.push(NodeId::singleton(NodeKind::Sdm));
        }
        artifacts.push(Artifact::new(path(&environment.name), text).from_nodes(nodes));
    }
    Ok(artifacts)
}

/// The whole file: header, then one transaction with a section per data class.
fn render(
    model: &Model,
    environment: &Environment,
    apps: &[&App],
    conversations: Option<&Retention>,
    files: Option<&Retention>,
) -> String {
    let mut out = header(model, environment, apps, conversations, files);
    out.push_str("\nBEGIN;\n");
    out.push('\n');
    out.push_str(&section("Conversations", conversations, CONVERSATIONS));
    out.push('\n');
    out.push_str(&section("Files", files, FILES));
    out.push_str("\nCOMMIT;\n");
    out
}

fn header(
    model: &Model,
    environment: &Environment,
    apps: &[&App],
    conversations: Option<&Retention>,
    files: Option<&Retention>,
) -> String {
    let mut lines = vec![
        HEADER.to_string(),
        String::new(),
        "Retention scrub of the Open WebUI database. Open WebUI deletes nothing by age:"
            .to_string(),
        "this transaction deletes the chats and file rows older than the spec allows.".to_string(),
        String::new(),
        format!("Platform:      {}", model.platform.name),
    ];
    if let Some(repo) = &model.platform.repo {
        lines.push(format!("Spec:          {repo}"));
    }
    let twin = environment
        .sdm
        .as_ref()
        .map_or(String::new(), |sdm| format!(" (SDM twin of `{}`)", sdm.of));
    lines.push(format!("Environment:   {}{twin}", environment.name));
    lines.push(format!("Conversations: {}", describe(conversations)));
    lines.push(format!("Files:         {}", describe(files)));
    for app in apps {
        lines.push(format!("App:           {}", describe_app(app)));
        if let Some(database) = database(environment, app) {
            lines.push(format!("Database:      {database}"));
        }
        if let Some(secret) = environment
            .secrets
            .iter()
            .find(|(_, s)| s.env == "DATABASE_URL" && s.consumers.contains(&app.name))
        {
            lines.push(format!(
                "Connection:    secret `{}` ({} {})",
                secret.0,
                secret.1.store.as_str(),
                secret.1.path
            ));
        }
    }
    let mut tables: Vec<&str> = Vec::new();
    if deletes(conversations) {
        tables.extend(CONVERSATION_TABLES);
    }
    if deletes(files) {
        tables.extend(FILE_TABLES);
    }
    let mut seen = std::collections::BTreeSet::new();
    tables.retain(|table| seen.insert(*table));
    if tables.is_empty() {
        tables.push("none");
    }
    lines.extend([
        format!("Schema:        Open WebUI {SCHEMA_VERSION} (alembic head {SCHEMA_HEAD}), and {OLDEST_SCHEMA_VERSION}"),
        format!(
            "               ({OLDEST_SCHEMA_HEAD}) and every revision between: statements on a table"
        ),
        "               that the database lacks are skipped".to_string(),
    ]);
    lines.extend(wrap("Deletes from:  ", &tables));
    if deletes(conversations) {
        lines.push(
            "Updates:       automation_run (chat_id of a deleted chat set to NULL, as the app does)"
                .to_string(),
        );
    }
    lines.extend([
        String::new(),
        "Run daily, as the job does:".to_string(),
        format!(
            "  psql -v ON_ERROR_STOP=1 -f generated/{}",
            path(&environment.name)
        ),
        "Safe to run at any time and any number of times: one transaction (an error".to_string(),
        "changes nothing), and a second run finds nothing more to delete. Ages are judged"
            .to_string(),
        "against the database clock, now(), in epoch seconds; a day is 86400 seconds.".to_string(),
    ]);
    let mut out = String::new();
    for line in lines {
        if line.is_empty() {
            out.push_str("--\n");
        } else {
            out.push_str("-- ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `label` and the comma-separated `items`, wrapped to [`HEADER_WIDTH`] (less the `-- `
/// prefix) with the continuation lines indented under the first item.
fn wrap(label: &str, items: &[&str]) -> Vec<String> {
    let width = HEADER_WIDTH - "-- ".len();
    let indent = " ".repeat(label.len());
    let mut lines = Vec::new();
    let mut line = label.to_string();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            (*item).to_string()
        };
        let fresh = line.len() == label.len();
        if !fresh && line.len() + 1 + piece.len() > width {
            lines.push(line);
            line = format!("{indent}{piece}");
        } else {
            if !fresh {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    lines.push(line);
    lines
}

/// Whether rows of the class are deleted by age.
fn deletes(retention: Option<&Retention>) -> bool {
    retention.is_some_and(|r| r.days.is_some() && !r.forever)
}

fn describe(retention: Option<&Retention>) -> String {
    match retention {
        None => "not set in the spec (nothing is deleted)".to_string(),
        Some(r) => match r.days {
            Some(days) if !r.forever => format!("{days} days (rule: {})", r.rule),
            _ => format!("forever (rule: {}; nothing is deleted)", r.rule),
        },
    }
}

fn describe_app(app: &App) -> String {
    match &app.image {
        Some(image) => format!("{} (image tag {})", app.name, image.tag),
        None => app.name.clone(),
    }
}

/// The Postgres resource the app needs in this environment, by name and backing store.
fn database(environment: &Environment, app: &App) -> Option<String> {
    app.needs.iter().find_map(|need| {
        let resource = environment.resources.get(need)?;
        matches!(
            resource.kind,
            ResourceKind::AuroraPostgres | ResourceKind::Postgres
        )
        .then(|| {
            format!(
                "resource `{need}` ({} {})",
                resource.kind.as_str(),
                resource.physical_name
            )
        })
    })
}

/// One data class: its statements with the cutoff filled in, or why there are none.
fn section(class: &str, retention: Option<&Retention>, statements: &str) -> String {
    match retention {
        None => format!("-- {class}: the spec sets no retention; nothing to delete.\n"),
        Some(r) => match r.days {
            Some(days) if !r.forever => {
                let seconds = days.saturating_mul(DAY_SECONDS);
                let cutoff = format!("floor(extract(epoch FROM now()))::bigint - {seconds}");
                format!(
                    "-- {class}: {days} days (rule: {}), {seconds} seconds.\n{}",
                    r.rule,
                    statements
                        .replace("{cutoff}", &cutoff)
                        .replace("{days}", &days.to_string())
                )
            }
            _ => format!(
                "-- {class}: kept forever (rule: {}); nothing to delete.\n",
                r.rule
            ),
        },
    }
}

/// Chats, the rows that hang off them, their shared links and their tags. `{cutoff}` is
/// the oldest epoch second kept; `{days}` the retention.
const CONVERSATIONS: &str = r"-- Every chat whose last update (updated_at, else created_at) is older than {days} days
-- goes, pinned, archived, in a folder, shared or internal alike: pinning or archiving
-- does not exempt a chat (a legal hold is a retention override in the spec). The rows
-- are locked, so a chat updated while the scrub runs is judged again and kept.
CREATE TEMPORARY TABLE charter_expired_chat (
    id text PRIMARY KEY,
    user_id text,
    meta jsonb
) ON COMMIT DROP;

INSERT INTO charter_expired_chat (id, user_id, meta)
SELECT id, user_id, meta::jsonb FROM chat
WHERE coalesce(updated_at, created_at) < {cutoff}
  AND coalesce(user_id, '') NOT LIKE 'shared-%'
FOR UPDATE;

-- Internal chats (meta.internal: a sub-agent's run, a timer) that a deleted chat of the
-- same user started (meta.parent_chat_id) go with it whatever their own age, as when a
-- user deletes the chat in the app; and so do the ones they started.
WITH RECURSIVE descendant (id, user_id) AS (
    SELECT id, user_id FROM charter_expired_chat
    UNION
    SELECT child.id, child.user_id
    FROM chat AS child
    JOIN descendant AS parent
      ON child.meta ->> 'parent_chat_id' = parent.id
     AND child.user_id = parent.user_id
    WHERE child.meta ->> 'internal' = 'true'
)
INSERT INTO charter_expired_chat (id, user_id, meta)
SELECT chat.id, chat.user_id, chat.meta::jsonb
FROM chat
JOIN descendant ON descendant.id = chat.id
ON CONFLICT (id) DO NOTHING;

-- Shared links die with their chat. Up to alembic revision c1d2e3f4a5b6 (v0.6.18 among
-- them) sharing copies the chat into a row whose id is the link's share_id and whose
-- user_id is `shared-<chat id>`: every copy whose chat goes here or no longer exists
-- goes (a link whose chat is gone is dead in the app anyway). Later databases have no
-- such copies: their links are shared_chat rows, deleted below.
INSERT INTO charter_expired_chat (id, user_id, meta)
SELECT snapshot.id, snapshot.user_id, snapshot.meta::jsonb
FROM chat AS snapshot
WHERE snapshot.user_id LIKE 'shared-%'
  AND NOT EXISTS (
      SELECT 1 FROM chat AS original
      WHERE original.id = substr(snapshot.user_id, length('shared-') + 1)
        AND NOT EXISTS (
            SELECT 1 FROM charter_expired_chat AS expired
            WHERE expired.id = original.id
        )
  )
ON CONFLICT (id) DO NOTHING;

-- The rows that hang off those chats, where the database has their tables (v0.11.4 has
-- them all, v0.6.18 none), deleted first so that no foreign key, with or without ON
-- DELETE CASCADE, decides what goes: the chats' messages (chat_message), their file
-- links (chat_file; the files themselves stay), their shared links (shared_chat) and
-- the links' access grants (access_grant, resource_type shared_chat, which has no
-- foreign key). An automation run keeps its record and loses its chat (chat_id set to
-- NULL), as in the app.
DO $charter$
BEGIN
    IF to_regclass('chat_message') IS NOT NULL THEN
        DELETE FROM chat_message
        WHERE chat_id IN (SELECT id FROM charter_expired_chat);
    END IF;
    IF to_regclass('chat_file') IS NOT NULL THEN
        DELETE FROM chat_file
        WHERE chat_id IN (SELECT id FROM charter_expired_chat);
    END IF;
    IF to_regclass('shared_chat') IS NOT NULL THEN
        DELETE FROM shared_chat
        WHERE chat_id IN (SELECT id FROM charter_expired_chat);
    END IF;
    IF to_regclass('access_grant') IS NOT NULL THEN
        DELETE FROM access_grant
        WHERE resource_type = 'shared_chat'
          AND resource_id IN (SELECT id FROM charter_expired_chat);
    END IF;
    IF to_regclass('automation_run') IS NOT NULL THEN
        UPDATE automation_run SET chat_id = NULL
        WHERE chat_id IN (SELECT id FROM charter_expired_chat);
    END IF;
END
$charter$;

DELETE FROM chat
WHERE id IN (SELECT id FROM charter_expired_chat);

-- Tags live in chat.meta.tags (tag ids) and in tag (id, user_id). A tag that a deleted
-- chat carried and that no remaining chat of the same user carries goes, as when a user
-- deletes the chat in the app (except that a tag an archived chat still carries stays).
-- Other tags are left alone.
DELETE FROM tag
USING (
    SELECT DISTINCT expired.user_id, listed.tag_id
    FROM charter_expired_chat AS expired
    CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(expired.meta -> 'tags') = 'array'
            THEN expired.meta -> 'tags'
            ELSE '[]'::jsonb
        END
    ) AS listed (tag_id)
) AS dropped
WHERE tag.id = dropped.tag_id
  AND tag.user_id = dropped.user_id
  AND NOT EXISTS (
      SELECT 1 FROM chat
      WHERE chat.user_id = tag.user_id
        AND chat.meta::jsonb -> 'tags' ? tag.id
  );
";

/// File rows, the rows that hang off them and their vectors. `{cutoff}` is the oldest
/// epoch second kept.
const FILES: &str = r"-- Every file row uploaded (created_at, else updated_at) more than {days} days ago goes,
-- whether or not a chat or knowledge base still refers to it: the S3 lifecycle rule
-- expires the object itself after the same time. A chat keeps its messages and shows
-- the attachment as missing; a knowledge base no longer lists the file.
CREATE TEMPORARY TABLE charter_expired_file (
    id text PRIMARY KEY
) ON COMMIT DROP;

INSERT INTO charter_expired_file (id)
SELECT id FROM file
WHERE coalesce(created_at, updated_at) < {cutoff}
FOR UPDATE;

-- The rows that hang off those files, where the database has their tables (v0.11.4 has
-- them all, v0.6.18 none), deleted first so that no foreign key, with or without ON
-- DELETE CASCADE, decides what goes: the links from chats (chat_file), knowledge bases
-- (knowledge_file) and channels (channel_file), and the files' access grants
-- (access_grant, resource_type file, which has no foreign key).
DO $charter$
BEGIN
    IF to_regclass('chat_file') IS NOT NULL THEN
        DELETE FROM chat_file
        WHERE file_id IN (SELECT id FROM charter_expired_file);
    END IF;
    IF to_regclass('knowledge_file') IS NOT NULL THEN
        DELETE FROM knowledge_file
        WHERE file_id IN (SELECT id FROM charter_expired_file);
    END IF;
    IF to_regclass('channel_file') IS NOT NULL THEN
        DELETE FROM channel_file
        WHERE file_id IN (SELECT id FROM charter_expired_file);
    END IF;
    IF to_regclass('access_grant') IS NOT NULL THEN
        DELETE FROM access_grant
        WHERE resource_type = 'file'
          AND resource_id IN (SELECT id FROM charter_expired_file);
    END IF;
END
$charter$;

DELETE FROM file
WHERE id IN (SELECT id FROM charter_expired_file);

-- The expired files' vectors, when pgvector keeps them in this database: the file's own
-- collection `file-<id>`, and its chunks copied into knowledge collections (found by
-- vmetadata.file_id; not possible when PGVECTOR_PGCRYPTO encrypts the metadata).
DO $charter$
BEGIN
    IF to_regclass('document_chunk') IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM document_chunk
    WHERE collection_name IN (SELECT 'file-' || id FROM charter_expired_file);
    IF (
        SELECT atttypid FROM pg_attribute
        WHERE attrelid = to_regclass('document_chunk')
          AND attname = 'vmetadata'
          AND NOT attisdropped
    ) = 'jsonb'::regtype THEN
        DELETE FROM document_chunk
        WHERE vmetadata ->> 'file_id' IN (SELECT id FROM charter_expired_file);
    END IF;
END
$charter$;
";
