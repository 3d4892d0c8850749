//! The rows a scrub test seeds, each with its fate written by hand: chats (pinned,
//! archived, in folders, shared, tagged, with files), tags, the legacy `chatidtag`,
//! files and vector chunks, aged around the conversation and file boundaries.

use std::collections::{BTreeMap, BTreeSet};

use super::Days;
use super::database::Vectors;

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
}

use Fate::{Conversations, Files, FilesByMetadata, Kept};

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
                Kept => false,
                Conversations => days.conversations.is_some(),
                Files => days.files.is_some(),
                FilesByMetadata => days.files.is_some() && vectors == Vectors::Jsonb,
            })
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

    /// A file attached to the chat's message (v0.6.18 links files only in chat JSON).
    fn with_file(self, file: &'static str) -> Self {
        Self {
            file: Some(file),
            ..self
        }
    }

    fn insert(&self) -> String {
        let files = self.file.map_or(String::new(), |f| {
            format!(r#"{{"type": "file", "id": "{f}", "url": "/api/v1/files/{f}"}}"#)
        });
        let message =
            format!(r#"{{"id": "m1", "role": "user", "content": "hi", "files": [{files}]}}"#);
        let body = format!(
            r#"{{"title": "t", "messages": [{message}], "history": {{"currentId": "m1"}}}}"#
        );
        let values = [
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
        format!(
            "INSERT INTO chat ({CHAT_COLUMNS}) VALUES ({});\n",
            values.join(", ")
        )
    }
}

/// The rows of one test, aged around the conversation boundary `n` and the file
/// boundary `m` (days). `exact` adds rows one second either side of and exactly at
/// each boundary: stable only when seeded in the scrub's own transaction, whose
/// `now()` does not move.
pub fn seed(n: i64, m: i64, exact: bool, vectors: Vectors, with_file: bool) -> Seed {
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
        // A shared link is a copy (id = share_id, user `shared-<chat>`) that follows its
        // chat whatever its own age; a copy whose chat is already gone is a dead link.
        (
            Chat::new("shared-old", old).shared_as("link-old"),
            Conversations,
        ),
        (
            Chat::new("link-old", Ago(60)).user(Some("shared-shared-old")),
            Conversations,
        ),
        (
            Chat::new("shared-recent", Ago(60)).shared_as("link-recent"),
            Kept,
        ),
        (
            Chat::new("link-recent", Ago(nd + 30 * DAY)).user(Some("shared-shared-recent")),
            Kept,
        ),
        (
            Chat::new("link-dead", Ago(60)).user(Some("shared-deleted-earlier")),
            Conversations,
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
        // Files are not deleted with their chats, nor kept by them.
        (
            Chat::new("with-old-file", Ago(60)).with_file("f-in-live-chat"),
            Kept,
        ),
        (
            Chat::new("expired-with-new-file", old).with_file("f-in-expired-chat"),
            Conversations,
        ),
    ];
    if exact {
        chats.extend([
            (Chat::new("n-minus-1s", Ago(nd - 1)), Kept),
            (Chat::new("n-exact", Ago(nd)), Kept),
            (Chat::new("n-plus-1s", Ago(nd + 1)), Conversations),
        ]);
    }
    for (chat, fate) in &chats {
        seed.add(format!("chat|{}", chat.id), *fate, &chat.insert());
    }

    for (user, id, fate) in [
        ("u1", "only-old", Conversations),
        ("u1", "both", Kept),
        ("u1", "never-used", Kept),
        ("u1", "odd", Kept),
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

    if with_file {
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
            let sql = format!(
                "INSERT INTO file ({FILE_COLUMNS}) VALUES ({});\n",
                values.join(", ")
            );
            seed.add(format!("file|{id}"), fate, &sql);
        }
    }

    if vectors != Vectors::Absent {
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
            let (text, metadata) = if vectors == Vectors::Encrypted {
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
