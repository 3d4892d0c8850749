//! The test `PostgreSQL` server (started by `scripts/with-postgres.sh`), a fresh
//! database per test, the tables of Open WebUI v0.6.18, v0.11.4 and a revision between
//! (from their alembic migrations, read in the released wheels), and a dump of every
//! row.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The test server: its admin URL and the psql to reach it with.
#[derive(Clone)]
struct Server {
    url: String,
    psql: String,
}

fn server() -> Server {
    let url = std::env::var("CHARTER_TEST_PG_URL").unwrap_or_default();
    assert!(
        !url.is_empty(),
        "CHARTER_TEST_PG_URL is not set: run the tests through scripts/with-postgres.sh \
         (for example `scripts/with-postgres.sh cargo test --test integration emit_sql`), \
         after `scripts/install-validators.sh postgres` has installed PostgreSQL"
    );
    let psql = std::env::var("CHARTER_TEST_PSQL").unwrap_or_else(|_| "psql".to_string());
    Server { url, psql }
}

/// A fresh database for one test, dropped at the end.
pub struct Database {
    server: Server,
    name: String,
    url: String,
}

impl Database {
    pub fn create(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let server = server();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "charter_{}_{}_{n}",
            label.replace('-', "_"),
            std::process::id()
        );
        let base = server
            .url
            .rsplit_once('/')
            .map_or(server.url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        let create = format!("CREATE DATABASE {name}");
        let output = run_psql(&server, &server.url, &["-c", &create], None);
        assert!(
            output.status.success(),
            "{create}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Self { server, name, url }
    }

    /// Runs SQL from standard input; fails the test on any error. Gives the output.
    pub fn execute(&self, sql: &str) -> String {
        let output = run_psql(&self.server, &self.url, &["-f", "-"], Some(sql));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "psql failed: {stderr}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs a scrub file the way the scheduled job does (`psql -v ON_ERROR_STOP=1 -f`).
    pub fn run_file(&self, path: &Path) -> Output {
        run_psql(
            &self.server,
            &self.url,
            &["-f", &path.display().to_string()],
            None,
        )
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = run_psql(&self.server, &self.server.url, &["-c", &drop], None);
    }
}

fn run_psql(server: &Server, url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(&server.psql)
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url])
        .args(args)
        .env_remove("PGOPTIONS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (run scripts/install-validators.sh postgres)",
                server.psql
            )
        });
    let mut input = child.stdin.take().expect("stdin");
    if let Some(sql) = stdin {
        input.write_all(sql.as_bytes()).expect("write to psql");
    }
    drop(input);
    child.wait_with_output().expect("psql output")
}

/// How `document_chunk` (pgvector) looks in the database under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vectors {
    /// pgvector in this database, metadata as JSONB (the default).
    Jsonb,
    /// `PGVECTOR_PGCRYPTO`: text and metadata encrypted (bytea).
    Encrypted,
    /// Vectors elsewhere (another vector store, or `PGVECTOR_DB_URL`).
    Absent,
}

/// The Open WebUI database schema under test, by alembic revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// v0.6.18, head `d31026856c01`: `chat`, `tag`, `chatidtag`, `file`; shared links
    /// are copies in `chat`.
    V0_6_18,
    /// Revision `e1f2a3b4c5d6`, the one before `shared_chat`: `chat_message`,
    /// `chat_file`, `knowledge_file`, `channel_file`, `access_grant` and
    /// `automation_run` exist, shared links are still copies in `chat`.
    BeforeSharedChat,
    /// v0.11.4, head `d4c1a8e37b62`: shared links are `shared_chat` rows.
    V0_11_4,
}

/// A test database's tables.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub version: Version,
    pub vectors: Vectors,
    /// Whether the `file` table exists (left out only to make a scrub fail).
    pub with_file: bool,
    /// Whether the foreign keys to `chat` and `file` delete on cascade, as the
    /// migrations create them; without, they are plain (NO ACTION) keys, which block
    /// the delete of a row that is still referenced.
    pub cascade: bool,
}

impl Schema {
    /// A schema as the version's migrations leave it, with pgvector metadata in JSONB.
    pub fn of(version: Version) -> Self {
        Self {
            version,
            vectors: Vectors::Jsonb,
            with_file: true,
            cascade: true,
        }
    }

    pub fn vectors(self, vectors: Vectors) -> Self {
        Self { vectors, ..self }
    }

    pub fn without_file(self) -> Self {
        assert_eq!(self.version, Version::V0_6_18, "later tables need file");
        Self {
            with_file: false,
            ..self
        }
    }

    pub fn without_cascade(self) -> Self {
        Self {
            cascade: false,
            ..self
        }
    }

    /// Whether the tables that came after v0.6.18 exist.
    pub fn later(self) -> bool {
        self.version >= Version::BeforeSharedChat
    }

    /// Whether shared links are `shared_chat` rows (else copies in `chat`).
    pub fn shared_chat(self) -> bool {
        self.version >= Version::V0_11_4
    }

    /// A short name for test labels and messages.
    pub fn label(self) -> String {
        let version = match self.version {
            Version::V0_6_18 => "v0_6_18",
            Version::BeforeSharedChat => "e1f2a3b4c5d6",
            Version::V0_11_4 => "v0_11_4",
        };
        let vectors = match self.vectors {
            Vectors::Jsonb => "",
            Vectors::Encrypted => "_encrypted",
            Vectors::Absent => "_novectors",
        };
        let cascade = if self.cascade { "" } else { "_nocascade" };
        format!("{version}{vectors}{cascade}")
    }

    /// The DDL of the tables.
    pub fn sql(self) -> String {
        let mut sql = chat_tables(self.version);
        if self.with_file {
            sql.push_str(&file_table(self.version));
        }
        if self.later() {
            let on_delete = if self.cascade {
                " ON DELETE CASCADE"
            } else {
                ""
            };
            sql.push_str(&later_tables(self.version).replace(" ON DELETE CASCADE", on_delete));
        }
        match self.vectors {
            Vectors::Jsonb => sql.push_str(CHUNK_TABLE),
            Vectors::Encrypted => {
                let encrypted = CHUNK_TABLE
                    .replace("text TEXT", "text BYTEA")
                    .replace("JSONB", "BYTEA");
                sql.push_str(&encrypted);
            }
            Vectors::Absent => {}
        }
        sql
    }

    /// The tables and the key of a row in each, as the dump lists them.
    fn tables(self) -> Vec<(&'static str, &'static str)> {
        let mut tables = vec![
            ("chat", "id"),
            ("tag", "user_id || '/' || id"),
            ("chatidtag", "id"),
        ];
        if self.with_file {
            tables.push(("file", "id"));
        }
        if self.later() {
            tables.extend([
                ("chat_message", "id"),
                ("chat_file", "id"),
                ("knowledge", "id"),
                ("knowledge_file", "id"),
                ("channel", "id"),
                ("message", "id"),
                ("channel_file", "id"),
                ("access_grant", "id"),
                ("automation_run", "id"),
            ]);
        }
        if self.shared_chat() {
            tables.extend([("shared_chat", "id"), ("knowledge_directory", "id")]);
        }
        if self.vectors != Vectors::Absent {
            tables.push(("document_chunk", "id"));
        }
        tables
    }

    /// A query listing every row of the tables as `{tag}|table|key|row as JSON`.
    pub fn dump_sql(self, tag: &str) -> String {
        let parts: Vec<String> = self
            .tables()
            .iter()
            .map(|(table, key)| {
                format!(
                    "SELECT '{tag}|{table}|' || {key} || '|' || row_to_json(t)::text FROM {table} t"
                )
            })
            .collect();
        format!("{} ORDER BY 1;\n", parts.join("\nUNION ALL "))
    }
}

/// The `chat`, `tag` and legacy `chatidtag` tables, as the alembic migrations leave
/// them on `PostgreSQL`: v0.6.18's, plus the columns later revisions add to `chat`
/// (a3dd5bedd151 `tasks`, `summary`; b7c8d9e0f1a2 `last_read_at`; 9a1b2c3d4e5f
/// `current_message_id`; c49178636c78 `variables`; d4c1a8e37b62 `timer_at`).
fn chat_tables(version: Version) -> String {
    let mut chat_columns = String::new();
    if version >= Version::BeforeSharedChat {
        chat_columns.push_str(",\n    tasks JSON,\n    summary TEXT,\n    last_read_at BIGINT");
    }
    if version >= Version::V0_11_4 {
        chat_columns
            .push_str(",\n    current_message_id TEXT,\n    variables JSON,\n    timer_at BIGINT");
    }
    format!(
        "
CREATE TABLE chat (
    id VARCHAR NOT NULL PRIMARY KEY,
    user_id VARCHAR,
    title TEXT,
    created_at BIGINT,
    updated_at BIGINT,
    share_id TEXT UNIQUE,
    archived BOOLEAN,
    chat JSON,
    pinned BOOLEAN,
    meta JSON DEFAULT '{{}}' NOT NULL,
    folder_id TEXT{chat_columns}
);
CREATE TABLE tag (
    id VARCHAR NOT NULL,
    name VARCHAR,
    user_id VARCHAR NOT NULL,
    meta JSON,
    CONSTRAINT pk_id_user_id PRIMARY KEY (id, user_id)
);
CREATE TABLE chatidtag (
    id VARCHAR NOT NULL PRIMARY KEY,
    tag_name VARCHAR,
    chat_id VARCHAR,
    user_id VARCHAR,
    timestamp BIGINT
);
"
    )
}

/// The `file` table: v0.6.18's; f1e2d3c4b5a6 moves `access_control` into
/// `access_grant` and drops the column.
fn file_table(version: Version) -> String {
    let access_control = if version >= Version::BeforeSharedChat {
        ""
    } else {
        ",\n    access_control JSON"
    };
    format!(
        "
CREATE TABLE file (
    id VARCHAR NOT NULL PRIMARY KEY,
    user_id VARCHAR,
    filename TEXT,
    meta JSON,
    created_at BIGINT,
    hash TEXT,
    data JSON,
    updated_at BIGINT,
    path TEXT{access_control}
);
"
    )
}

/// The tables after v0.6.18 that hang off `chat` and `file` (or that those hang off),
/// with their foreign keys as the migrations create them: 57c599a3cb57 and later
/// (`channel`, `message`), 6a39f3d8e55c, 3e0e00844bb0 and 81cc2ce44d79 (`knowledge`,
/// `knowledge_file`), 6283dc0e4d8d and 81cc2ce44d79 (`channel_file`), c440947495f3
/// (`chat_file`), 8452d01d26d7, 4c5ce3d2f27f and 856c5b02fb54 (`chat_message`),
/// f1e2d3c4b5a6 (`access_grant`), d4e5f6a7b8c9 (`automation_run`); and in v0.11.4
/// c1d2e3f4a5b6 (`shared_chat`) and 3c9b0ca343fd (`knowledge_directory`,
/// `knowledge_file.directory_id`).
fn later_tables(version: Version) -> String {
    let v0_11_4 = version >= Version::V0_11_4;
    let mut sql = String::from(
        "
CREATE TABLE channel (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT,
    name TEXT,
    description TEXT,
    data JSON,
    meta JSON,
    created_at BIGINT,
    updated_at BIGINT,
    type TEXT,
    is_private BOOLEAN,
    archived_at BIGINT,
    archived_by TEXT,
    deleted_at BIGINT,
    deleted_by TEXT,
    updated_by TEXT
);
CREATE TABLE message (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT,
    channel_id TEXT,
    content TEXT,
    data JSON,
    meta JSON,
    created_at BIGINT,
    updated_at BIGINT,
    parent_id TEXT,
    is_pinned BOOLEAN DEFAULT false NOT NULL,
    pinned_at BIGINT,
    pinned_by TEXT,
    reply_to_id TEXT
);
CREATE TABLE knowledge (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    meta JSON,
    created_at BIGINT NOT NULL,
    updated_at BIGINT,
    data JSON
);
",
    );
    if v0_11_4 {
        sql.push_str(
            "
CREATE TABLE knowledge_directory (
    id TEXT NOT NULL,
    knowledge_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (knowledge_id) REFERENCES knowledge (id) ON DELETE CASCADE,
    FOREIGN KEY (parent_id) REFERENCES knowledge_directory (id) ON DELETE CASCADE,
    CONSTRAINT uq_knowledge_directory_knowledge_parent_name UNIQUE (knowledge_id, parent_id, name)
);
",
        );
    }
    let directory = if v0_11_4 {
        ",\n    directory_id TEXT,\n    CONSTRAINT fk_knowledge_file_directory_id FOREIGN KEY (directory_id) \
         REFERENCES knowledge_directory (id) ON DELETE SET NULL"
    } else {
        ""
    };
    let message_columns = if v0_11_4 {
        ",\n    context_summary TEXT,\n    meta JSON"
    } else {
        ""
    };
    write!(
        sql,
        "
CREATE TABLE knowledge_file (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    knowledge_id TEXT NOT NULL REFERENCES knowledge (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL REFERENCES file (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT uq_knowledge_file_knowledge_file UNIQUE (knowledge_id, file_id){directory}
);
CREATE TABLE channel_file (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL REFERENCES file (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    message_id TEXT,
    CONSTRAINT uq_channel_file_channel_file UNIQUE (channel_id, file_id),
    CONSTRAINT fk_channel_file_message_id FOREIGN KEY (message_id) REFERENCES message (id) ON DELETE CASCADE
);
CREATE TABLE chat_file (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    chat_id TEXT NOT NULL REFERENCES chat (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL REFERENCES file (id) ON DELETE CASCADE,
    message_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT uq_chat_file_chat_file UNIQUE (chat_id, file_id)
);
CREATE TABLE chat_message (
    id TEXT NOT NULL PRIMARY KEY,
    chat_id TEXT NOT NULL,
    user_id TEXT,
    role TEXT NOT NULL,
    parent_id TEXT,
    content JSON,
    output JSON,
    model_id TEXT,
    files JSON,
    sources JSON,
    embeds JSON,
    done BOOLEAN,
    status_history JSON,
    error JSON,
    usage JSON,
    created_at BIGINT,
    updated_at BIGINT,
    FOREIGN KEY (chat_id) REFERENCES chat (id) ON DELETE CASCADE{message_columns}
);
CREATE TABLE access_grant (
    id TEXT NOT NULL PRIMARY KEY,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    principal_type TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    permission TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_access_grant_grant UNIQUE (resource_type, resource_id, principal_type, principal_id, permission)
);
CREATE TABLE automation_run (
    id TEXT NOT NULL PRIMARY KEY,
    automation_id TEXT NOT NULL,
    chat_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL
);
"
    )
    .expect("write to a String");
    if v0_11_4 {
        sql.push_str(
            "
CREATE TABLE shared_chat (
    id TEXT NOT NULL PRIMARY KEY,
    chat_id TEXT NOT NULL REFERENCES chat (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    title TEXT,
    chat JSON,
    created_at BIGINT,
    updated_at BIGINT
);
",
        );
    }
    sql
}

/// Open WebUI's pgvector table. Its `vector(n)` column is a real[] here: the scrub
/// never reads it, and the test server has no pgvector extension.
const CHUNK_TABLE: &str = "
CREATE TABLE document_chunk (
    id TEXT PRIMARY KEY,
    vector REAL[],
    collection_name TEXT NOT NULL,
    text TEXT,
    vmetadata JSONB
);
";

/// The rows of a dump tagged `tag`: `table|key` → the row as JSON.
pub fn parse_dump(output: &str, tag: &str) -> BTreeMap<String, String> {
    let prefix = format!("{tag}|");
    output
        .lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(|rest| {
            let (table, rest) = rest.split_once('|').expect("table");
            let (key, row) = rest.split_once('|').expect("key");
            (format!("{table}|{key}"), row.to_string())
        })
        .collect()
}
