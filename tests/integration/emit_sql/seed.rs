//! The rows a scrub test seeds, each with its fate written by hand: chats (pinned,
//! archived, in folders, shared, tagged, internal, with files), tags, the legacy
//! `chatidtag`, files and vector chunks, aged around the conversation and file
//! boundaries; and on the later schemas the rows that hang off chats and files
//! (messages, file links of chats, knowledge bases and channels, shared links, access
//! grants, automation runs) with the rows they hang off.

use std::collections::{BTreeMap, BTreeSet};

use super::Days;
use super::database::{Schema, Vectors};

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
/// The server's clock in epoch seconds, as Open WebUI writes it (`int(time.time())`).
const NOW: &str = "floor(extract(epoch FROM now()))::bigint";

/// A timestamp column's value.
#[derive(Clone, Copy)]
enum At {
    /// This many seconds before the server's `now()` (negative: in the future).
    Ago(i64),
    /// An absolute epoch second.
    Epoch(i64),
    Null,
}

use At::{Ago, Epoch, Null};

impl At {
    fn sql(self) -> String {
        match self {
            Ago(seconds) => format!("({NOW} - ({seconds}))"),
            Epoch(seconds) => seconds.to_string(),
            Null => "NULL".to_string(),
        }
    }
}

/// What must happen to a seeded row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Kept,
    /// Goes when the environment deletes conversations by age.
    Conversations,
    /// Goes when the environment deletes files by age.
    Files,
    /// Goes when it deletes files and can read the vectors' metadata (JSONB).
    FilesByMetadata,
    /// Goes when it deletes conversations or files by age (a link of a chat to a file).
    Either,
    /// Stays, with its `chat_id` set to NULL, when it deletes conversations by age.
    Detached,
}

use Fate::{Conversations, Detached, Either, Files, FilesByMetadata, Kept};

/// The seeding SQL and each row's fate, by its dump key (`chat|id`, `tag|user/id`, ...).
pub struct Seed {
    pub sql: String,
    fates: BTreeMap<String, Fate>,
}

impl Seed {
    fn add(&mut self, key: String, fate: Fate, sql: &str) {
        self.sql.push_str(sql);
        assert!(
            self.fates.insert(key, fate).is_none(),
            "seed keys are unique"
        );
    }

    pub fn keys(&self) -> BTreeSet<&String> {
        self.fates.keys().collect()
    }

    /// The keys that must be gone after a scrub with these retentions.
    pub fn gone(&self, days: Days, vectors: Vectors) -> BTreeSet<String> {
        self.fates
            .iter()
            .filter(|(_, fate)| match fate {
                Kept | Detached => false,
                Conversations => days.conversations.is_some(),
                Files => days.files.is_some(),
                FilesByMetadata => days.files.is_some() && vectors == Vectors::Jsonb,
                Either => days.conversations.is_some() || days.files.is_some(),
            })
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// The keys whose `chat_id` must be NULL after a scrub with these retentions.
    pub fn detached(&self, days: Days) -> BTreeSet<String> {
        self.fates
            .iter()
            .filter(|(_, fate)| **fate == Detached && days.conversations.is_some())
            .map(|(key, _)| key.clone())
            .collect()
    }
}

fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn opt_lit(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_string(), lit)
}

/// A `chat` row. By default user `u1`'s, created long ago (the last update counts).
struct Chat {
    id: &'static str,
    user: Option<&'static str>,
    updated: At,
    created: At,
    pinned: bool,
    archived: bool,
    share_id: Option<&'static str>,
    folder: Option<&'static str>,
    meta: &'static str,
    file: Option<&'static str>,
    /// v0.11.4's `timer_at` (nanoseconds), set while a timer chat waits.
    timer_at: Option<i64>,
}

const CHAT_COLUMNS: &str =
    "id, user_id, title, chat, created_at, updated_at, share_id, archived, pinned, meta, folder_id";

const FILE_COLUMNS: &str = "id, user_id, hash, filename, path, data, meta, created_at, updated_at";

impl Chat {
    fn new(id: &'static str, updated: At) -> Self {
        Self {
            id,
            user: Some("u1"),
            updated,
            created: Epoch(1_600_000_000),
            pinned: false,
            archived: false,
            share_id: None,
            folder: None,
            meta: "{}",
            file: None,
            timer_at: None,
        }
    }

    fn timer_at(self, nanoseconds: i64) -> Self {
        Self {
            timer_at: Some(nanoseconds),
            ..self
        }
    }

    fn created(self, created: At) -> Self {
        Self { created, ..self }
    }

    fn user(self, user: Option<&'static str>) -> Self {
        Self { user, ..self }
    }

    fn pinned(self) -> Self {
        Self {
            pinned: true,
            ..self
        }
    }

    fn archived(self) -> Self {
        Self {
            archived: true,
            ..self
        }
    }

    fn shared_as(self, link: &'static str) -> Self {
        Self {
            share_id: Some(link),
            ..self
        }
    }

    fn in_folder(self) -> Self {
        Self {
            folder: Some("folder-1"),
            ..self
        }
    }

    fn meta(self, meta: &'static str) -> Self {
        Self { meta, ..self }
    }

    /// A file attached to the chat's message (in the chat JSON; later schemas also link
    /// it in `chat_file`, seeded on its own).
    fn with_file(self, file: &'static str) -> Self {
        Self {
            file: Some(file),
            ..self
        }
    }

    fn insert(&self, schema: Schema) -> String {
        let files = self.file.map_or(String::new(), |f| {
            format!(r#"{{"type": "file", "id": "{f}", "url": "/api/v1/files/{f}"}}"#)
        });
        let message =
            format!(r#"{{"id": "m1", "role": "user", "content": "hi", "files": [{files}]}}"#);
        let body = format!(
            r#"{{"title": "t", "messages": [{message}], "history": {{"currentId": "m1"}}}}"#
        );
        let mut columns = CHAT_COLUMNS.to_string();
        let mut values = vec![
            lit(self.id),
            opt_lit(self.user),
            lit(&format!("Chat {}", self.id)),
            format!("{}::json", lit(&body)),
            self.created.sql(),
            self.updated.sql(),
            opt_lit(self.share_id),
            self.archived.to_string(),
            self.pinned.to_string(),
            format!("{}::json", lit(self.meta)),
            opt_lit(self.folder),
        ];
        if schema.later() {
            // Read when last updated, as the migration that adds the column sets it.
            columns.push_str(", last_read_at");
            values.push(self.updated.sql());
        }
        if schema.shared_chat() {
            columns.push_str(", current_message_id, variables, timer_at");
            values.extend([
                "'m1'".to_string(),
                "'{}'::json".to_string(),
                self.timer_at
                    .map_or_else(|| "NULL".to_string(), |t| t.to_string()),
            ]);
        }
        format!(
            "INSERT INTO chat ({columns}) VALUES ({});\n",
            values.join(", ")
        )
    }
}

/// An insert of `values` (SQL literals) into `table`'s `columns`.
fn insert(table: &str, columns: &str, values: &[String]) -> String {
    format!(
        "INSERT INTO {table} ({columns}) VALUES ({});\n",
        values.join(", ")
    )
}

/// The rows of one test, aged around the conversation boundary `n` and the file
/// boundary `m` (days), for the tables of `schema`. `exact` adds rows one second
/// either side of and exactly at each boundary: stable only when seeded in the scrub's
/// own transaction, whose `now()` does not move.
pub fn seed(n: i64, m: i64, exact: bool, schema: Schema) -> Seed {
    let mut seed = Seed {
        sql: String::new(),
        fates: BTreeMap::new(),
    };
    let (nd, md) = (n * DAY, m * DAY);
    let old = Ago(nd + DAY);

    let mut chats = vec![
        (Chat::new("recent", Ago(0)), Kept),
        (Chat::new("n-minus-1d", Ago(nd - DAY)), Kept),
        (Chat::new("n-minus-1h", Ago(nd - 3600)), Kept),
        (Chat::new("n-plus-1h", Ago(nd + 3600)), Conversations),
        (Chat::new("n-plus-1d", old), Conversations),
        (Chat::new("far-past", Ago(20 * YEAR)), Conversations),
        (
            Chat::new("epoch-zero", Epoch(0)).created(Epoch(0)),
            Conversations,
        ),
        (Chat::new("future", Ago(-DAY)), Kept),
        (
            Chat::new("active-for-years", Ago(60)).created(Ago(10 * YEAR)),
            Kept,
        ),
        (
            Chat::new("never-updated-old", Null).created(old),
            Conversations,
        ),
        (Chat::new("never-updated-new", Null).created(Ago(60)), Kept),
        (Chat::new("no-dates", Null).created(Null), Kept),
        (Chat::new("no-user-old", old).user(None), Conversations),
        // Neither pinning, archiving nor a folder exempts a chat.
        (Chat::new("pinned-old", old).pinned(), Conversations),
        (Chat::new("pinned-recent", Ago(60)).pinned(), Kept),
        (Chat::new("archived-old", old).archived(), Conversations),
        (Chat::new("archived-recent", Ago(60)).archived(), Kept),
        (Chat::new("folder-old", old).in_folder(), Conversations),
        (Chat::new("folder-recent", Ago(60)).in_folder(), Kept),
        // Shared chats: their links follow them (below).
        (
            Chat::new("shared-old", old).shared_as("link-old"),
            Conversations,
        ),
        (
            Chat::new("shared-recent", Ago(60)).shared_as("link-recent"),
            Kept,
        ),
        // Tags are per user; a chat's tags are the ids in meta.tags.
        (
            Chat::new("tagged-old", old).meta(r#"{"tags": ["only-old", "both"]}"#),
            Conversations,
        ),
        (
            Chat::new("tagged-recent", Ago(60)).meta(r#"{"tags": ["both"]}"#),
            Kept,
        ),
        (
            Chat::new("u2-tagged-recent", Ago(60))
                .user(Some("u2"))
                .meta(r#"{"tags": ["only-old"]}"#),
            Kept,
        ),
        (
            Chat::new("u2-tagged-old", old)
                .user(Some("u2"))
                .meta(r#"{"tags": ["u2-old"]}"#),
            Conversations,
        ),
        (
            Chat::new("odd-tags-old", old).meta(r#"{"tags": "odd"}"#),
            Conversations,
        ),
        // An archived chat that still carries a tag keeps it.
        (
            Chat::new("archived-tagged-recent", Ago(60))
                .archived()
                .meta(r#"{"tags": ["archived-keeps"]}"#),
            Kept,
        ),
        (
            Chat::new("tagged-old-2", old).meta(r#"{"tags": ["archived-keeps"]}"#),
            Conversations,
        ),
        // Files are not deleted with their chats, nor kept by them.
        (
            Chat::new("with-old-file", Ago(60)).with_file("f-in-live-chat"),
            Kept,
        ),
        (
            Chat::new("expired-with-new-file", old).with_file("f-in-expired-chat"),
            Conversations,
        ),
        // Internal chats (sub-agent runs, timers, a note's chat) started from a chat
        // (meta.parent_chat_id) of the same user go with it, whatever their own age,
        // and so do the ones they started; by their own age otherwise.
        (
            Chat::new("sub-of-expired", Ago(60)).meta(
                r#"{"internal": true, "type": "subagent", "parent_chat_id": "n-plus-1d"}"#,
            ),
            Conversations,
        ),
        (
            Chat::new("timer-of-sub", Ago(60))
                .meta(
                    r#"{"internal": true, "type": "timer", "parent_chat_id": "sub-of-expired", "status": "pending", "timer_at": 4102444800000000000}"#,
                )
                .timer_at(4_102_444_800_000_000_000),
            Conversations,
        ),
        (
            Chat::new("sub-tagged", Ago(60)).meta(
                r#"{"internal": true, "type": "subagent", "parent_chat_id": "tagged-old", "tags": ["sub-only"]}"#,
            ),
            Conversations,
        ),
        (
            Chat::new("sub-of-kept", Ago(60)).meta(
                r#"{"internal": true, "type": "subagent", "parent_chat_id": "recent"}"#,
            ),
            Kept,
        ),
        (
            Chat::new("sub-old-of-kept", old).meta(
                r#"{"internal": true, "type": "subagent", "parent_chat_id": "recent"}"#,
            ),
            Conversations,
        ),
        (
            Chat::new("sub-other-user", Ago(60)).user(Some("u2")).meta(
                r#"{"internal": true, "type": "subagent", "parent_chat_id": "n-plus-1d"}"#,
            ),
            Kept,
        ),
        (
            Chat::new("not-internal-child", Ago(60))
                .meta(r#"{"parent_chat_id": "n-plus-1d"}"#),
            Kept,
        ),
        (
            Chat::new("internal-false-child", Ago(60))
                .meta(r#"{"internal": false, "parent_chat_id": "n-plus-1d"}"#),
            Kept,
        ),
        (
            Chat::new("sub-of-missing", Ago(60)).meta(
                r#"{"internal": true, "type": "subagent", "parent_chat_id": "never-existed"}"#,
            ),
            Kept,
        ),
        (
            Chat::new("note-chat", Ago(60))
                .meta(r#"{"internal": true, "type": "note", "note_id": "note-1"}"#),
            Kept,
        ),
    ];
    if !schema.shared_chat() {
        // Up to c1d2e3f4a5b6 a shared link is a copy (id = share_id, user
        // `shared-<chat>`) that follows its chat whatever its own age; a copy whose
        // chat is already gone is a dead link.
        chats.extend([
            (
                Chat::new("link-old", Ago(60)).user(Some("shared-shared-old")),
                Conversations,
            ),
            (
                Chat::new("link-recent", Ago(nd + 30 * DAY)).user(Some("shared-shared-recent")),
                Kept,
            ),
            (
                Chat::new("link-dead", Ago(60)).user(Some("shared-deleted-earlier")),
                Conversations,
            ),
        ]);
    }
    if exact {
        chats.extend([
            (Chat::new("n-minus-1s", Ago(nd - 1)), Kept),
            (Chat::new("n-exact", Ago(nd)), Kept),
            (Chat::new("n-plus-1s", Ago(nd + 1)), Conversations),
        ]);
    }
    for (chat, fate) in &chats {
        seed.add(format!("chat|{}", chat.id), *fate, &chat.insert(schema));
    }

    for (user, id, fate) in [
        ("u1", "only-old", Conversations),
        ("u1", "both", Kept),
        ("u1", "never-used", Kept),
        ("u1", "odd", Kept),
        ("u1", "archived-keeps", Kept),
        ("u1", "sub-only", Conversations),
        ("u2", "only-old", Kept),
        ("u2", "u2-old", Conversations),
    ] {
        let sql = format!(
            "INSERT INTO tag (id, name, user_id) VALUES ({}, {}, {});\n",
            lit(id),
            lit(id),
            lit(user)
        );
        seed.add(format!("tag|{user}/{id}"), fate, &sql);
    }
    // The legacy table the app no longer reads: left alone.
    seed.add(
        "chatidtag|legacy-1".to_string(),
        Kept,
        "INSERT INTO chatidtag VALUES ('legacy-1', 'old', 'n-plus-1d', 'u1', 1600000000);\n",
    );

    if schema.with_file {
        let old = Ago(md + DAY);
        // (id, created_at, updated_at): the upload (created_at) counts.
        let mut files = vec![
            ("f-recent", Ago(0), Ago(0), Kept),
            ("f-m-minus-1d", Ago(md - DAY), Ago(md - DAY), Kept),
            ("f-m-minus-1h", Ago(md - 3600), Ago(md - 3600), Kept),
            ("f-m-plus-1h", Ago(md + 3600), Ago(md + 3600), Files),
            ("f-m-plus-1d", old, old, Files),
            ("f-far-past", Ago(20 * YEAR), Ago(20 * YEAR), Files),
            ("f-future", Ago(-DAY), Ago(-DAY), Kept),
            ("f-updated-recently", old, Ago(60), Files),
            ("f-no-created-old", Null, old, Files),
            ("f-no-dates", Null, Null, Kept),
            ("f-in-live-chat", old, old, Files),
            ("f-in-expired-chat", Ago(60), Ago(60), Kept),
            ("f-knowledge-old", old, old, Files),
            ("f-knowledge-new", Ago(60), Ago(60), Kept),
        ];
        if exact {
            files.extend([
                ("f-m-minus-1s", Ago(md - 1), Ago(md - 1), Kept),
                ("f-m-exact", Ago(md), Ago(md), Kept),
                ("f-m-plus-1s", Ago(md + 1), Ago(md + 1), Files),
            ]);
        }
        for (id, created, updated, fate) in files {
            let values = [
                lit(id),
                "'u1', 'abc', 'report.pdf'".to_string(),
                lit(&format!("s3://caas-files/{id}_report.pdf")),
                r#"'{"content": "text"}'::json"#.to_string(),
                r#"'{"name": "report.pdf", "size": 1234}'::json"#.to_string(),
                created.sql(),
                updated.sql(),
            ];
            seed.add(
                format!("file|{id}"),
                fate,
                &insert("file", FILE_COLUMNS, &values),
            );
        }
    }

    if schema.later() {
        later_rows(&mut seed, schema, nd);
    }

    if schema.vectors != Vectors::Absent {
        // A file's own collection `file-<id>`, and its copies in a knowledge collection.
        for (id, collection, file, fate) in [
            ("c-own-old", "file-f-m-plus-1d", Some("f-m-plus-1d"), Files),
            ("c-own-old-no-metadata", "file-f-far-past", None, Files),
            ("c-own-recent", "file-f-recent", Some("f-recent"), Kept),
            (
                "c-knowledge-old",
                "kb-1",
                Some("f-knowledge-old"),
                FilesByMetadata,
            ),
            ("c-knowledge-new", "kb-1", Some("f-knowledge-new"), Kept),
            ("c-knowledge-no-metadata", "kb-1", None, Kept),
            ("c-web-search", "web-search-1", None, Kept),
        ] {
            let metadata =
                file.map(|f| lit(&format!(r#"{{"file_id": "{f}", "name": "report.pdf"}}"#)));
            let (text, metadata) = if schema.vectors == Vectors::Encrypted {
                let bytes =
                    metadata.map_or("NULL".to_string(), |m| format!("convert_to({m}, 'UTF8')"));
                ("convert_to('chunk', 'UTF8')".to_string(), bytes)
            } else {
                (
                    "'chunk'".to_string(),
                    metadata.map_or("NULL".to_string(), |m| format!("{m}::jsonb")),
                )
            };
            let sql = format!(
                "INSERT INTO document_chunk VALUES ({}, '{{0.1,0.2}}', {}, {text}, {metadata});\n",
                lit(id),
                lit(collection)
            );
            seed.add(format!("document_chunk|{id}"), fate, &sql);
        }
    }
    seed
}

/// The rows of the tables after v0.6.18, which hang off the chats and files above (or
/// which those hang off): messages, file links, knowledge bases, channels, shared links
/// (v0.11.4), access grants and automation runs.
fn later_rows(seed: &mut Seed, schema: Schema, nd: i64) {
    // Messages of a chat go with it; a kept chat keeps its messages however old.
    let mut messages = vec![
        ("recent", "m1", Ago(0), Kept),
        ("recent", "m0", Ago(20 * YEAR), Kept),
        ("active-for-years", "m1", Ago(10 * YEAR), Kept),
        ("n-plus-1d", "m1", Ago(nd + DAY), Conversations),
        ("pinned-old", "m1", Ago(nd + DAY), Conversations),
        ("sub-of-expired", "m1", Ago(60), Conversations),
    ];
    if !schema.shared_chat() {
        // Before shared_chat the app wrote messages for shared copies too (the
        // migration to shared_chat deletes them as phantom rows).
        messages.push(("link-old", "m1", Ago(60), Conversations));
    }
    for (chat, message, at, fate) in messages {
        let id = format!("{chat}-{message}");
        let values = [
            lit(&id),
            lit(chat),
            "'u1', 'user'".to_string(),
            r#"'"hi"'::json"#.to_string(),
            "true".to_string(),
            at.sql(),
            at.sql(),
        ];
        seed.add(
            format!("chat_message|{id}"),
            fate,
            &insert(
                "chat_message",
                "id, chat_id, user_id, role, content, done, created_at, updated_at",
                &values,
            ),
        );
    }

    // A chat's link to a file goes with the chat or with the file.
    for (id, chat, file, fate) in [
        (
            "cf-live-chat-old-file",
            "with-old-file",
            "f-in-live-chat",
            Files,
        ),
        (
            "cf-expired-chat-new-file",
            "expired-with-new-file",
            "f-in-expired-chat",
            Conversations,
        ),
        ("cf-both-expired", "n-plus-1d", "f-m-plus-1d", Either),
        ("cf-kept", "recent", "f-recent", Kept),
    ] {
        let values = [
            lit(id),
            "'u1'".to_string(),
            lit(chat),
            lit(file),
            "'m1'".to_string(),
            Ago(60).sql(),
            Ago(60).sql(),
        ];
        seed.add(
            format!("chat_file|{id}"),
            fate,
            &insert(
                "chat_file",
                "id, user_id, chat_id, file_id, message_id, created_at, updated_at",
                &values,
            ),
        );
    }

    // A knowledge base (in a directory on v0.11.4) and a channel: they stay, their links
    // to expired files go.
    seed.add(
        "knowledge|kb-1".to_string(),
        Kept,
        &insert(
            "knowledge",
            "id, user_id, name, description, meta, created_at, updated_at",
            &[
                "'kb-1', 'u1', 'Handbook', 'd', '{}'::json".to_string(),
                Epoch(1_600_000_000).sql(),
                Ago(60).sql(),
            ],
        ),
    );
    let directory = schema.shared_chat().then_some("dir-1");
    if let Some(dir) = directory {
        seed.add(
            format!("knowledge_directory|{dir}"),
            Kept,
            &format!(
                "INSERT INTO knowledge_directory VALUES ({}, 'kb-1', NULL, 'Policies', 'u1', 1600000000, 1600000000);\n",
                lit(dir)
            ),
        );
    }
    for (id, file, fate) in [
        ("kf-old", "f-knowledge-old", Files),
        ("kf-new", "f-knowledge-new", Kept),
    ] {
        let mut columns = "id, user_id, knowledge_id, file_id, created_at, updated_at".to_string();
        let mut values = vec![
            lit(id),
            "'u1', 'kb-1'".to_string(),
            lit(file),
            Ago(60).sql(),
            Ago(60).sql(),
        ];
        if let Some(dir) = directory {
            columns.push_str(", directory_id");
            values.push(lit(dir));
        }
        seed.add(
            format!("knowledge_file|{id}"),
            fate,
            &insert("knowledge_file", &columns, &values),
        );
    }
    seed.add(
        "channel|ch-1".to_string(),
        Kept,
        "INSERT INTO channel (id, user_id, name, type, created_at, updated_at) \
         VALUES ('ch-1', 'u1', 'general', NULL, 1600000000, 1600000000);\n",
    );
    seed.add(
        "message|msg-1".to_string(),
        Kept,
        "INSERT INTO message (id, user_id, channel_id, content, created_at, updated_at) \
         VALUES ('msg-1', 'u1', 'ch-1', 'see attached', 1600000000, 1600000000);\n",
    );
    for (id, file, message, fate) in [
        ("chf-old", "f-m-plus-1d", Some("msg-1"), Files),
        ("chf-new", "f-recent", None, Kept),
    ] {
        let values = [
            lit(id),
            "'u1', 'ch-1'".to_string(),
            lit(file),
            Ago(60).sql(),
            Ago(60).sql(),
            opt_lit(message),
        ];
        seed.add(
            format!("channel_file|{id}"),
            fate,
            &insert(
                "channel_file",
                "id, user_id, channel_id, file_id, created_at, updated_at, message_id",
                &values,
            ),
        );
    }

    // Access grants have no foreign key: a file's go with it, a shared link's with its
    // chat; the resource type must match as well as the id.
    let mut grants = vec![
        ("g-file-old", "file", "f-m-plus-1d", Files),
        ("g-file-new", "file", "f-recent", Kept),
        ("g-knowledge", "knowledge", "kb-1", Kept),
        (
            "g-knowledge-id-of-expired-chat",
            "knowledge",
            "n-plus-1d",
            Kept,
        ),
        ("g-note-id-of-expired-file", "note", "f-m-plus-1d", Kept),
        ("g-file-id-of-expired-chat", "file", "n-plus-1d", Kept),
    ];
    if schema.shared_chat() {
        grants.extend([
            ("g-share-old", "shared_chat", "shared-old", Conversations),
            ("g-share-recent", "shared_chat", "shared-recent", Kept),
        ]);
    }
    for (id, resource_type, resource_id, fate) in grants {
        let values = [
            lit(id),
            lit(resource_type),
            lit(resource_id),
            "'user', '*', 'read'".to_string(),
            Ago(60).sql(),
        ];
        seed.add(
            format!("access_grant|{id}"),
            fate,
            &insert(
                "access_grant",
                "id, resource_type, resource_id, principal_type, principal_id, permission, created_at",
                &values,
            ),
        );
    }

    // An automation run keeps its record and loses its deleted chat.
    for (id, chat, fate) in [
        ("run-expired", Some("n-plus-1d"), Detached),
        ("run-sub-of-expired", Some("sub-of-expired"), Detached),
        ("run-kept", Some("recent"), Kept),
        ("run-no-chat", None, Kept),
    ] {
        let values = [
            lit(id),
            "'auto-1'".to_string(),
            opt_lit(chat),
            "'success'".to_string(),
            Ago(60).sql(),
        ];
        seed.add(
            format!("automation_run|{id}"),
            fate,
            &insert(
                "automation_run",
                "id, automation_id, chat_id, status, created_at",
                &values,
            ),
        );
    }

    if schema.shared_chat() {
        // From c1d2e3f4a5b6 a shared link is a shared_chat row (a snapshot) with a
        // foreign key to its chat: it goes with the chat, whatever its own age.
        for (id, chat, at, fate) in [
            ("link-old", "shared-old", Ago(60), Conversations),
            ("link-recent", "shared-recent", Ago(nd + 30 * DAY), Kept),
        ] {
            let values = [
                lit(id),
                lit(chat),
                "'u1', 't', '{}'::json".to_string(),
                at.sql(),
                at.sql(),
            ];
            seed.add(
                format!("shared_chat|{id}"),
                fate,
                &insert(
                    "shared_chat",
                    "id, chat_id, user_id, title, chat, created_at, updated_at",
                    &values,
                ),
            );
        }
    }
}
