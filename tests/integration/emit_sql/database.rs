//! The test `PostgreSQL` server (started by `scripts/with-postgres.sh`), a fresh
//! database per test, Open WebUI v0.6.18's tables, and a dump of every row.

use std::collections::BTreeMap;
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

/// Open WebUI v0.6.18's `chat`, `tag` and legacy `chatidtag` tables, as its alembic
/// migrations leave them on `PostgreSQL` (head d31026856c01).
const CHAT_TABLES: &str = "
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
    meta JSON DEFAULT '{}' NOT NULL,
    folder_id TEXT
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
";

/// Open WebUI v0.6.18's `file` table.
const FILE_TABLE: &str = "
CREATE TABLE file (
    id VARCHAR NOT NULL PRIMARY KEY,
    user_id VARCHAR,
    filename TEXT,
    meta JSON,
    created_at BIGINT,
    hash TEXT,
    data JSON,
    updated_at BIGINT,
    path TEXT,
    access_control JSON
);
";

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

/// The tables of a test database: the chat tables, `file` unless left out, and
/// `document_chunk` as `vectors` says.
pub fn schema(vectors: Vectors, with_file: bool) -> String {
    let mut sql = CHAT_TABLES.to_string();
    if with_file {
        sql.push_str(FILE_TABLE);
    }
    match vectors {
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

/// A query listing every row of the tables as `{tag}|table|key|row as JSON`.
pub fn dump_sql(tag: &str, vectors: Vectors, with_file: bool) -> String {
    let mut tables = vec![
        ("chat", "id"),
        ("tag", "user_id || '/' || id"),
        ("chatidtag", "id"),
    ];
    if with_file {
        tables.push(("file", "id"));
    }
    if vectors != Vectors::Absent {
        tables.push(("document_chunk", "id"));
    }
    let parts: Vec<String> = tables
        .iter()
        .map(|(table, key)| {
            format!(
                "SELECT '{tag}|{table}|' || {key} || '|' || row_to_json(t)::text FROM {table} t"
            )
        })
        .collect();
    format!("{} ORDER BY 1;\n", parts.join("\nUNION ALL "))
}

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
