//! The retention scrub, `sql/<env>/retention.sql`: the emitted text for the repo's
//! spec, the examples and two small specs (snapshots and asserts), and every file run
//! with psql against a real `PostgreSQL` server that holds the tables of Open WebUI
//! v0.11.4, of v0.6.18 and of a revision between (their real column types and foreign
//! keys, with and without ON DELETE CASCADE), seeded with rows of many ages around each
//! boundary and the rows that hang off them: exactly the expired rows and their
//! dependent rows go, every other row is left as it was, and a second run deletes
//! nothing.
//!
//! The server is the one `scripts/with-postgres.sh` starts (it sets
//! `CHARTER_TEST_PG_URL`); without it the database tests fail rather than skip.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use charter::emit::{Artifact, ArtifactSet};

use crate::support;

mod database;
mod seed;

use database::{Database, Schema, Vectors, Version, parse_dump};
use seed::{Seed, seed};

/// The schemas every scrub is run on: the newest and the oldest release.
const VERSIONS: [Version; 2] = [Version::V0_6_18, Version::V0_11_4];

// ---------------------------------------------------------------------------
// Emitting
// ---------------------------------------------------------------------------

fn emit_dir(dir: &Path) -> ArtifactSet {
    let sources = support::load(dir);
    let outcome = support::compile(&sources);
    assert!(
        !outcome.has_errors(),
        "{}",
        support::human(&sources, &outcome)
    );
    let model = outcome.model.expect("a model without errors");
    let context = charter::emit::Context {
        spec_digest: charter::emit::spec_digest(&sources),
        commit: None,
        templates: charter::cmd::load::load_templates(dir).expect("templates"),
    };
    charter::emit::emit(&model, &context).expect("emit")
}

fn scrubs(set: &ArtifactSet) -> BTreeMap<String, Artifact> {
    set.iter()
        .filter(|a| a.path.starts_with("sql/"))
        .map(|a| (a.path.clone(), a.clone()))
        .collect()
}

/// How long each class lives in an environment, as a scrub must apply it: days, or
/// `None` when nothing of that class is deleted (forever, or not set).
#[derive(Debug, Clone, Copy)]
struct Days {
    conversations: Option<i64>,
    files: Option<i64>,
}

/// The repo spec's environments and their retention, written out by hand
/// (policies/retention.kdl) so that a wrong number in the SQL fails the database tests.
const REPO: &[(&str, Days)] = &[
    (
        "dev",
        Days {
            conversations: Some(30),
            files: Some(30),
        },
    ),
    (
        "prod",
        Days {
            conversations: Some(400),
            files: Some(180),
        },
    ),
    (
        "prod-sdm",
        Days {
            conversations: Some(30),
            files: Some(30),
        },
    ),
    (
        "staging",
        Days {
            conversations: Some(365),
            files: Some(180),
        },
    ),
    (
        "staging-sdm",
        Days {
            conversations: Some(30),
            files: Some(30),
        },
    ),
];

/// A spec with one Open WebUI app and the given `retention` lines.
fn small_spec(dir: &Path, retention: &str) {
    let text = format!(
        r##"platform "keep" {{
    owner "keep-team" chat="#keep" email="keep@example.com"
}}

app "chat" kind="open-webui" {{
    image "ghcr.io/open-webui/open-webui" tag="v0.6.18"
    port 8080
    needs "db"
}}

environment "dev" {{
    tier "development"
    account "111111111111"
    region "us-west-2" primary=#true
    domain "keep-dev.example.com"
    scale "chat" min=1 max=1
    resource "db" kind="postgres"
    secret "webui-secret-key" store="ssm" for="chat" env="WEBUI_SECRET_KEY" rotate="90d"
    secret "database-url" store="secrets-manager" for="chat" env="DATABASE_URL" rotate="90d"
}}

retention {{
{retention}
}}

lint "retention/forever" level="allow"
"##
    );
    std::fs::write(dir.join("charter.kdl"), text).expect("write spec");
}

/// The two small specs: conversations kept forever with files by age, and
/// conversations by age with no files retention at all.
const SMALL: &[(&str, &str, Days)] = &[
    (
        "forever",
        "    conversations \"forever\"\n    files \"90d\"",
        Days {
            conversations: None,
            files: Some(90),
        },
    ),
    (
        "unset-files",
        "    conversations \"7d\"",
        Days {
            conversations: Some(7),
            files: None,
        },
    ),
];

fn small_scrub(name: &str, retention: &str) -> Artifact {
    let dir = tempfile::tempdir().expect("temp dir");
    small_spec(dir.path(), retention);
    let set = emit_dir(dir.path());
    let files = scrubs(&set);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["sql/dev/retention.sql"],
        "spec {name}"
    );
    files["sql/dev/retention.sql"].clone()
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "snapshots/emit_sql", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// What every scrub's text must hold, whatever the environment.
fn assert_well_formed(artifact: &Artifact, env: &str, days: Days) {
    let text = &artifact.contents;
    let path = &artifact.path;
    assert_eq!(*path, format!("sql/{env}/retention.sql"));
    assert!(
        text.starts_with("-- Generated by charter from the spec; do not edit by hand"),
        "{path}: header"
    );
    assert!(
        text.ends_with("\nCOMMIT;\n") && !text.ends_with("\n\n"),
        "{path}: ends with COMMIT and one newline"
    );
    assert!(
        !text.contains('\r') && !text.contains('\t'),
        "{path}: plain \\n text"
    );
    assert_eq!(
        text.matches("\nBEGIN;\n").count(),
        1,
        "{path}: one transaction"
    );
    assert_eq!(
        text.matches("\nCOMMIT;\n").count(),
        1,
        "{path}: one transaction"
    );
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with('\\')),
        "{path}: no psql meta-commands"
    );
    assert!(
        text.contains(&format!("-- Environment:   {env}")),
        "{path}: names the environment"
    );
    assert!(
        text.contains(&format!(
            "--   psql -v ON_ERROR_STOP=1 -f generated/sql/{env}/retention.sql\n"
        )),
        "{path}: names the command the job runs"
    );
    assert!(
        text.contains(
            "-- Schema:        Open WebUI v0.11.4 (alembic head d4c1a8e37b62), and v0.6.18\n\
             --                (d31026856c01) and every revision between"
        ),
        "{path}: names both schema versions"
    );
    assert_guarded(artifact);
    for (class, value) in [("Conversations", days.conversations), ("Files", days.files)] {
        match value {
            Some(d) => {
                let seconds = d * 86_400;
                let header = format!("-- {class}: {d} days (rule: ");
                assert!(
                    text.contains(&header),
                    "{path}: {class} retention in the header"
                );
                assert!(
                    text.contains(&format!(
                        "< floor(extract(epoch FROM now()))::bigint - {seconds}\n"
                    )),
                    "{path}: {class} cutoff of {d} days"
                );
            }
            None => assert!(
                text.contains(&format!("-- {class}: kept forever"))
                    || text.contains(&format!(
                        "-- {class}: the spec sets no retention; nothing to delete."
                    )),
                "{path}: says why no {class} are deleted"
            ),
        }
    }
    if days.conversations.is_none() {
        for statement in [
            "charter_expired_chat",
            "DELETE FROM chat\n",
            "DELETE FROM chat_message",
            "DELETE FROM shared_chat",
            "DELETE FROM tag",
            "WHERE chat_id IN",
            "automation_run",
        ] {
            assert!(
                !text.contains(statement),
                "{path}: deletes no chats ({statement})"
            );
        }
    }
    if days.files.is_none() {
        for statement in [
            "charter_expired_file",
            "DELETE FROM file\n",
            "DELETE FROM knowledge_file",
            "DELETE FROM channel_file",
            "DELETE FROM document_chunk",
            "WHERE file_id IN",
        ] {
            assert!(
                !text.contains(statement),
                "{path}: deletes no files and touches no vectors ({statement})"
            );
        }
    }
}

#[test]
fn repo_spec_has_a_scrub_per_environment_with_its_retention() {
    let set = emit_dir(&support::repo_root());
    let files = scrubs(&set);
    let expected: BTreeSet<String> = REPO
        .iter()
        .map(|(env, _)| format!("sql/{env}/retention.sql"))
        .collect();
    assert_eq!(
        files.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every deployed environment, twins included"
    );
    for (env, days) in REPO {
        let artifact = &files[&format!("sql/{env}/retention.sql")];
        assert_well_formed(artifact, env, *days);
        assert!(
            artifact
                .sources
                .iter()
                .any(|s| *s == format!("environment/{env}")),
            "provenance: {:?}",
            artifact.sources
        );
        assert!(
            artifact.sources.iter().any(|s| s == "retention/retention"),
            "provenance: {:?}",
            artifact.sources
        );
        assert!(artifact.schema.is_none(), "SQL has no JSON Schema");
        snapshot(&format!("repo-{env}"), &artifact.contents);
    }
    // The twins say whose twin they are; the regular environments do not.
    assert!(
        files["sql/prod-sdm/retention.sql"]
            .contents
            .contains("-- Environment:   prod-sdm (SDM twin of `prod`)")
    );
    assert!(
        files["sql/prod-sdm/retention.sql"]
            .sources
            .iter()
            .any(|s| s == "sdm/sdm")
    );
    assert!(
        !files["sql/prod/retention.sql"]
            .contents
            .contains("SDM twin")
    );
    // The same model gives the same bytes.
    assert_eq!(scrubs(&emit_dir(&support::repo_root())), files);
}

#[test]
fn examples_have_no_scrub() {
    // Neither example runs Open WebUI or keeps conversations or files.
    for example in ["minimal", "container-service"] {
        let set = emit_dir(&support::repo_root().join("examples").join(example));
        assert!(
            scrubs(&set).is_empty(),
            "examples/{example}: {:?}",
            scrubs(&set).keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn forever_and_unset_classes_delete_nothing_and_say_so() {
    for (name, retention, days) in SMALL {
        let artifact = small_scrub(name, retention);
        assert_well_formed(&artifact, "dev", *days);
        snapshot(&format!("small-{name}"), &artifact.contents);
    }
    let forever = small_scrub("forever", SMALL[0].1);
    assert!(
        forever
            .contents
            .contains("-- Conversations: forever (rule: default; nothing is deleted)\n")
    );
    assert!(
        forever
            .contents
            .contains("-- Conversations: kept forever (rule: default); nothing to delete.\n")
    );
    let unset = small_scrub("unset-files", SMALL[1].1);
    assert!(
        unset
            .contents
            .contains("-- Files:         not set in the spec (nothing is deleted)\n")
    );
    assert!(
        unset
            .contents
            .contains("-- Files: the spec sets no retention; nothing to delete.\n")
    );
}

// ---------------------------------------------------------------------------
// Against PostgreSQL
// ---------------------------------------------------------------------------

/// The tables that exist in every supported schema (v0.6.18 on): the only ones a
/// statement may touch outside a `DO` block that checks the table exists.
const ALWAYS: &[&str] = &["chat", "tag", "file"];

/// Every `DELETE FROM t` or `UPDATE t` outside a `DO` block names a table of v0.6.18;
/// inside one, it follows an `IF to_regclass('t') IS ...` check of that same table.
fn assert_guarded(artifact: &Artifact) {
    let path = &artifact.path;
    let mut in_block = false;
    let mut guard: Option<String> = None;
    let mut statements = 0;
    for line in artifact.contents.lines() {
        let line = line.trim();
        if line == "DO $charter$" {
            in_block = true;
            guard = None;
        } else if line == "$charter$;" {
            in_block = false;
        } else if let Some(rest) = line.strip_prefix("IF to_regclass('") {
            guard = rest.split_once('\'').map(|(t, _)| t.to_string());
        }
        let table = line
            .strip_prefix("DELETE FROM ")
            .or_else(|| line.strip_prefix("UPDATE "))
            .and_then(|rest| rest.split_whitespace().next());
        let Some(table) = table else { continue };
        statements += 1;
        if in_block {
            assert_eq!(
                guard.as_deref(),
                Some(table),
                "{path}: `{line}` is not inside a check that {table} exists"
            );
        } else {
            assert!(
                ALWAYS.contains(&table),
                "{path}: `{line}` touches {table} without checking that it exists"
            );
        }
    }
    assert!(!in_block, "{path}: unterminated DO block");
    if artifact.contents.contains("DELETE FROM chat\n") {
        assert!(statements >= 7, "{path}: {statements} statements");
    }
}

#[test]
fn statements_on_later_tables_are_guarded_and_name_both_versions() {
    let files = scrubs(&emit_dir(&support::repo_root()));
    let dev = &files["sql/dev/retention.sql"].contents;
    for table in [
        "chat_message",
        "chat_file",
        "shared_chat",
        "access_grant",
        "automation_run",
        "knowledge_file",
        "channel_file",
        "document_chunk",
    ] {
        assert!(
            dev.contains(&format!("IF to_regclass('{table}') IS")),
            "dev: {table} is checked"
        );
    }
    assert!(dev.contains(
        "-- Deletes from:  chat, chat_message, chat_file, shared_chat, access_grant, tag, file,\n\
         --                knowledge_file, channel_file, document_chunk\n"
    ));
    assert!(dev.contains("-- Updates:       automation_run (chat_id of a deleted chat"));
    assert!(dev.contains("-- App:           webui (image tag v0.11.4)\n"));
    // Dependent rows go before the rows they hang off.
    let position = |needle: &str| {
        dev.find(needle)
            .unwrap_or_else(|| panic!("dev: no `{needle}`"))
    };
    let chats = position("DELETE FROM chat\nWHERE id IN");
    for dependent in [
        "DELETE FROM chat_message\n        WHERE chat_id",
        "DELETE FROM chat_file\n        WHERE chat_id",
        "DELETE FROM shared_chat\n",
        "WHERE resource_type = 'shared_chat'",
        "UPDATE automation_run SET chat_id = NULL",
    ] {
        assert!(
            position(dependent) < chats,
            "dev: {dependent} before the chats"
        );
    }
    let files_at = position("DELETE FROM file\nWHERE id IN");
    for dependent in [
        "DELETE FROM chat_file\n        WHERE file_id",
        "DELETE FROM knowledge_file\n",
        "DELETE FROM channel_file\n",
        "WHERE resource_type = 'file'",
    ] {
        let at = position(dependent);
        assert!(
            at > chats && at < files_at,
            "dev: {dependent} before the files"
        );
    }
    // A forever class names none of its tables.
    let forever = small_scrub("forever", SMALL[0].1);
    assert!(forever.contents.contains(
        "-- Deletes from:  file, chat_file, knowledge_file, channel_file, access_grant,\n\
         --                document_chunk\n"
    ));
    assert!(!forever.contents.contains("automation_run"));
}

/// After equals before less exactly the expected rows; the rows left are unchanged,
/// except the detached ones, whose `chat_id` is now NULL.
fn assert_scrubbed(
    what: &str,
    seed: &Seed,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    gone: &BTreeSet<String>,
    detached: &BTreeSet<String>,
) {
    let present: BTreeSet<&String> = before.keys().collect();
    assert_eq!(
        present,
        seed.keys(),
        "{what}: every seeded row is there before the scrub"
    );
    let deleted: BTreeSet<String> = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    let wrongly_deleted: Vec<&String> = deleted.difference(gone).collect();
    let wrongly_kept: Vec<&String> = gone.difference(&deleted).collect();
    assert!(
        wrongly_deleted.is_empty() && wrongly_kept.is_empty(),
        "{what}: deleted but should stay: {wrongly_deleted:?}; \
         should be gone but stayed: {wrongly_kept:?}"
    );
    let extra: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(extra.is_empty(), "{what}: rows appeared: {extra:?}");
    for (key, row) in after {
        let mut expected: serde_json::Value =
            serde_json::from_str(&before[key]).expect("a row as JSON");
        if detached.contains(key) {
            assert_ne!(
                expected["chat_id"],
                serde_json::Value::Null,
                "{what}: {key}"
            );
            expected["chat_id"] = serde_json::Value::Null;
        }
        let actual: serde_json::Value = serde_json::from_str(row).expect("a row as JSON");
        assert_eq!(
            actual, expected,
            "{what}: {key} is unchanged (but for a detached chat_id)"
        );
    }
}

/// The scrub run in the transaction that seeds the rows, so `now()` is the same
/// instant for both and the rows at and one second around each boundary are stable.
fn check_boundaries(label: &str, scrub: &Artifact, days: Days, schema: Schema) {
    let db = Database::create(&format!("{label}_{}", schema.label()));
    db.execute(&schema.sql());
    let n = days.conversations.unwrap_or(30);
    let m = days.files.unwrap_or(30);
    let seed = seed(n, m, true, schema);
    // The scrub's own BEGIN warns that a transaction is open; its COMMIT ends both.
    let script = format!(
        "BEGIN;\n{}{}{}{}",
        seed.sql,
        schema.dump_sql("before"),
        scrub.contents,
        schema.dump_sql("after")
    );
    let output = db.execute(&script);
    let before = parse_dump(&output, "before");
    let after = parse_dump(&output, "after");
    let what = format!(
        "{} on {} (in the seeding transaction)",
        scrub.path,
        schema.label()
    );
    assert_scrubbed(
        &what,
        &seed,
        &before,
        &after,
        &seed.gone(days, schema.vectors),
        &seed.detached(days),
    );
}

/// The scrub run as the scheduled job runs it (`psql -v ON_ERROR_STOP=1 -f FILE`) on
/// rows seeded before, at least an hour away from each boundary; then run again,
/// which must change nothing.
fn check_as_the_job(label: &str, scrub: &Artifact, days: Days, schema: Schema) {
    let db = Database::create(&format!("{label}_{}", schema.label()));
    db.execute(&schema.sql());
    let n = days.conversations.unwrap_or(30);
    let m = days.files.unwrap_or(30);
    let seed = seed(n, m, false, schema);
    db.execute(&format!("BEGIN;\n{}COMMIT;\n", seed.sql));
    let dump = || parse_dump(&db.execute(&schema.dump_sql("rows")), "rows");
    let before = dump();

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("retention.sql");
    std::fs::write(&file, &scrub.contents).expect("write scrub");
    let what = format!("{} on {}", scrub.path, schema.label());
    let mut first = BTreeMap::new();
    for run in 1..=2 {
        let output = db.run_file(&file);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{what}: run {run} failed: {stderr}"
        );
        assert!(
            stderr.trim().is_empty(),
            "{what}: run {run} printed: {stderr}"
        );
        let after = dump();
        if run == 1 {
            assert_scrubbed(
                &what,
                &seed,
                &before,
                &after,
                &seed.gone(days, schema.vectors),
                &seed.detached(days),
            );
            first = after;
        } else {
            assert_eq!(after, first, "{what}: a second run changes nothing");
        }
    }
}

#[test]
fn repo_scrubs_delete_exactly_the_expired_rows_at_each_boundary() {
    let files = scrubs(&emit_dir(&support::repo_root()));
    for (env, days) in REPO {
        let scrub = &files[&format!("sql/{env}/retention.sql")];
        for version in VERSIONS {
            check_boundaries(&format!("exact_{env}"), scrub, *days, Schema::of(version));
        }
    }
}

#[test]
fn repo_scrubs_run_as_the_job_runs_them_twice() {
    let files = scrubs(&emit_dir(&support::repo_root()));
    for (env, days) in REPO {
        let scrub = &files[&format!("sql/{env}/retention.sql")];
        for version in VERSIONS {
            check_as_the_job(&format!("job_{env}"), scrub, *days, Schema::of(version));
        }
    }
}

#[test]
fn repo_scrubs_on_a_revision_between_and_with_keys_that_do_not_cascade() {
    // The revision before shared_chat has the later tables but still shares by copying
    // chats (with messages of the copies); and with plain foreign keys (NO ACTION) a
    // dependent row the scrub forgot would make it fail.
    let files = scrubs(&emit_dir(&support::repo_root()));
    for (env, days) in REPO {
        let scrub = &files[&format!("sql/{env}/retention.sql")];
        for schema in [
            Schema::of(Version::BeforeSharedChat),
            Schema::of(Version::BeforeSharedChat).without_cascade(),
            Schema::of(Version::V0_11_4).without_cascade(),
        ] {
            check_as_the_job(&format!("job_{env}"), scrub, *days, schema);
        }
    }
    let (env, days) = REPO[0];
    let scrub = &files[&format!("sql/{env}/retention.sql")];
    check_boundaries(
        "exact_between",
        scrub,
        days,
        Schema::of(Version::BeforeSharedChat),
    );
    check_boundaries(
        "exact_nocascade",
        scrub,
        days,
        Schema::of(Version::V0_11_4).without_cascade(),
    );
}

#[test]
fn keys_without_cascade_do_block_a_plain_delete() {
    // The no-cascade schema is a real test: deleting an expired chat or file with its
    // dependent rows still there fails.
    let schema = Schema::of(Version::V0_11_4).without_cascade();
    let db = Database::create("plain_delete");
    db.execute(&schema.sql());
    db.execute(&format!(
        "BEGIN;\n{}COMMIT;\n",
        seed(30, 30, false, schema).sql
    ));
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, sql) in [
        ("chat", "DELETE FROM chat WHERE id = 'n-plus-1d';"),
        ("file", "DELETE FROM file WHERE id = 'f-m-plus-1d';"),
        ("shared", "DELETE FROM chat WHERE id = 'shared-old';"),
        ("messages", "DELETE FROM chat WHERE id = 'pinned-old';"),
        (
            "knowledge",
            "DELETE FROM file WHERE id = 'f-knowledge-old';",
        ),
    ] {
        let file = dir.path().join(format!("{name}.sql"));
        std::fs::write(&file, sql).expect("write");
        let output = db.run_file(&file);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{sql} must fail");
        assert!(
            stderr.contains("violates foreign key constraint"),
            "{sql}: {stderr}"
        );
    }
}

#[test]
fn scrubs_without_pgvector_or_with_encrypted_vector_metadata() {
    let files = scrubs(&emit_dir(&support::repo_root()));
    let (env, days) = REPO[0];
    let scrub = &files[&format!("sql/{env}/retention.sql")];
    for version in VERSIONS {
        for vectors in [Vectors::Absent, Vectors::Encrypted] {
            check_as_the_job("vectors", scrub, days, Schema::of(version).vectors(vectors));
        }
    }
}

#[test]
fn small_spec_scrubs_delete_only_the_classes_with_a_retention() {
    for (name, retention, days) in SMALL {
        let scrub = small_scrub(name, retention);
        for version in VERSIONS {
            let schema = Schema::of(version);
            check_boundaries(&format!("small_exact_{name}"), &scrub, *days, schema);
            check_as_the_job(&format!("small_job_{name}"), &scrub, *days, schema);
        }
    }
}

#[test]
fn a_failing_scrub_changes_nothing() {
    // Without a `file` table the files part fails after the chats were deleted: the
    // transaction is rolled back and psql exits non-zero (ON_ERROR_STOP).
    let files = scrubs(&emit_dir(&support::repo_root()));
    let scrub = &files["sql/dev/retention.sql"];
    let schema = Schema::of(Version::V0_6_18)
        .vectors(Vectors::Absent)
        .without_file();
    let db = Database::create("failing");
    db.execute(&schema.sql());
    let seed = seed(30, 30, false, schema);
    db.execute(&format!("BEGIN;\n{}COMMIT;\n", seed.sql));
    let before = db.execute(&schema.dump_sql("rows"));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("retention.sql");
    std::fs::write(&file, &scrub.contents).expect("write scrub");
    let output = db.run_file(&file);
    assert!(
        !output.status.success(),
        "psql must fail without a file table"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(r#"relation "file" does not exist"#),
        "{stderr}"
    );
    let after = db.execute(&schema.dump_sql("rows"));
    assert_eq!(after, before, "nothing was deleted");
}
