//! Emit stage, ESSP (Elasticsearch) family: the sealed model → per deployed
//! environment (SDM twins included) and log stream (`app`, `audit`, `access`), a
//! composable index template `essp/<env>/<stream>.index-template.json` (the body of
//! `PUT _index_template/<index>`) and an ILM policy `essp/<env>/<stream>.ilm.json`
//! (the body of `PUT _ilm/policy/<index>`).
//!
//! Each stream is a data stream named exactly after the environment's index
//! (`caas-webui-app-prod`); the template's only pattern is that name, so templates
//! of different environments can never overlap (a trailing `-*` would let
//! `caas-webui-app-prod-*` also match the twin's `caas-webui-app-prod-sdm-...`).
//! The mappings type the fields Open WebUI writes (its `LOG_FORMAT=json` lines and
//! its audit entries) when the platform runs an `open-webui` app; unknown fields
//! stay in `_source` but are not indexed (`dynamic: false`), so a new field can
//! never reject a document. The ILM policy rolls over after the stream's `hot`
//! duration and deletes what the retention leaves after it, counted from the
//! rollover, so no document outlives the retention (its longest life).

use serde_json::{Map, Value, json};

use crate::emit::{Artifact, Context, EmitError, HEADER};
use crate::id::{NodeId, NodeKind};
use crate::model::{AppKind, DataClass};
use crate::model::{Environment, Model, Retention};

/// Priority of every charter template: above Elasticsearch's built-in templates
/// (`logs-*-*` and friends are 100). Charter's own templates never overlap each
/// other (exact data stream names), so one priority serves them all.
pub const PRIORITY: u64 = 200;

/// Version of charter's mappings: bump when a mapping below changes.
pub const TEMPLATE_VERSION: u64 = 1;

/// Rollover age when the retention class has no `hot=` duration.
pub const DEFAULT_HOT_DAYS: u64 = 1;

/// Rollover size: Elasticsearch's recommended primary shard size ceiling.
pub const MAX_PRIMARY_SHARD_SIZE: &str = "50gb";

/// The log streams, in output order, with the retention class of each.
const STREAMS: &[(&str, DataClass)] = &[
    ("app", DataClass::AppLogs),
    ("audit", DataClass::AuditLogs),
    ("access", DataClass::AccessLogs),
];

pub(crate) fn emit(model: &Model, _context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let open_webui = model.apps.values().any(|a| a.kind.0 == AppKind::OpenWebui);
    let mut out = Vec::new();
    for env in model.environments.values() {
        for &(stream, class) in STREAMS {
            let Some(index) = env.logging.indices.get(stream) else {
                continue;
            };
            if env.shares_base_storage() {
                continue; // the base's own index template and policy cover it
            }
            let retention = env.retention.get(&class).copied();
            let mut sources = vec![env.id(), NodeId::singleton(NodeKind::Logging)];
            if retention.is_some() {
                sources.push(NodeId::singleton(NodeKind::Retention));
            }
            if env.sdm.is_some() {
                sources.push(NodeId::singleton(NodeKind::Sdm));
            }
            let template = index_template(model, env, stream, index, open_webui);
            out.push(
                Artifact::json(
                    format!("essp/{}/{stream}.index-template.json", env.name),
                    &template,
                )?
                .from_nodes(sources.clone())
                .schema("essp-index-template.schema.json"),
            );
            let policy = ilm_policy(model, env, (stream, index), class, retention);
            out.push(
                Artifact::json(format!("essp/{}/{stream}.ilm.json", env.name), &policy)?
                    .from_nodes(sources)
                    .schema("essp-ilm-policy.schema.json"),
            );
        }
    }
    Ok(out)
}

/// An SDM twin with shared storage (an error unless waived) writes into its base's
/// indices: the base's template and policy already cover them.
fn meta(model: &Model, env: &Environment, stream: &str, index: &str) -> Map<String, Value> {
    let mut meta = Map::new();
    meta.insert("generator".into(), json!("charter"));
    meta.insert("notice".into(), json!(HEADER));
    meta.insert("platform".into(), json!(model.platform.name));
    meta.insert("environment".into(), json!(env.name));
    meta.insert(
        "sdm_of".into(),
        json!(env.sdm.as_ref().map(|s| s.of.as_str())),
    );
    meta.insert("stream".into(), json!(stream));
    meta.insert("data_stream".into(), json!(index));
    meta
}

fn index_template(
    model: &Model,
    env: &Environment,
    stream: &str,
    index: &str,
    open_webui: bool,
) -> Value {
    let (record, properties) = match stream {
        "app" => app_record(open_webui),
        "audit" => audit_record(open_webui),
        _ => ("access", access_properties()),
    };
    let mut meta = meta(model, env, stream, index);
    meta.insert("record".into(), json!(record));
    json!({
        "index_patterns": [index],
        "data_stream": {},
        "priority": PRIORITY,
        "template": {
            "settings": {
                "index.lifecycle.name": index,
            },
            "mappings": {
                "dynamic": false,
                "properties": properties,
            },
        },
        "version": TEMPLATE_VERSION,
        "_meta": meta,
    })
}

/// Fields every stream has: the event time the shipper sets (a data stream requires
/// `@timestamp`) and the raw line when it is not JSON.
fn base_properties() -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("@timestamp".into(), json!({"type": "date"}));
    p.insert("message".into(), json!({"type": "text"}));
    p
}

/// Application logs: with an `open-webui` app, the fields of Open WebUI's
/// `LOG_FORMAT=json` lines (`ts`, `level`, `msg`, `caller`, `extra`, `error`,
/// `stacktrace`; `open_webui/utils/logger.py` and `env.py` of the release the Katana
/// mapping targets); otherwise only `level`.
fn app_record(open_webui: bool) -> (&'static str, Map<String, Value>) {
    let mut p = base_properties();
    p.insert(
        "level".into(),
        json!({"type": "keyword", "ignore_above": 64}),
    );
    if !open_webui {
        return ("generic-app-log", p);
    }
    p.insert(
        "ts".into(),
        json!({"type": "date", "ignore_malformed": true}),
    );
    p.insert("msg".into(), json!({"type": "text"}));
    p.insert(
        "caller".into(),
        json!({"type": "keyword", "ignore_above": 1024}),
    );
    // Loguru's bound context. An audit entry on stdout (ENABLE_AUDIT_STDOUT) carries
    // the request and response bodies here: never indexed.
    p.insert(
        "extra".into(),
        json!({
            "properties": {
                "trace_id": {"type": "keyword", "ignore_above": 64},
                "span_id": {"type": "keyword", "ignore_above": 64},
                "request_object": disabled(),
                "response_object": disabled(),
            }
        }),
    );
    // A string (a traceback, from the early standard-library formatter) or an
    // object (`type`, `message`, `stacktrace`, from the Loguru sink): kept, not
    // indexed, so neither shape can reject the line.
    p.insert("error".into(), disabled());
    p.insert("stacktrace".into(), json!({"type": "text"}));
    ("open-webui-json-log", p)
}

/// Kept in `_source`, never parsed or indexed; accepts any JSON value.
fn disabled() -> Value {
    json!({"type": "object", "enabled": false})
}

/// The fields of an Open WebUI audit entry (`AuditLogEntry` in
/// `open_webui/utils/audit.py`). Request and response bodies are kept in `_source`
/// but never indexed: they may hold conversation text.
fn audit_entry_properties() -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("id".into(), json!({"type": "keyword", "ignore_above": 128}));
    p.insert(
        "user".into(),
        json!({
            "properties": {
                "id": {"type": "keyword", "ignore_above": 128},
                "name": {"type": "keyword", "ignore_above": 256},
                "email": {"type": "keyword", "ignore_above": 256},
                "role": {"type": "keyword", "ignore_above": 64},
            }
        }),
    );
    p.insert(
        "audit_level".into(),
        json!({"type": "keyword", "ignore_above": 64}),
    );
    p.insert(
        "verb".into(),
        json!({"type": "keyword", "ignore_above": 16}),
    );
    p.insert(
        "request_uri".into(),
        json!({"type": "keyword", "ignore_above": 2048}),
    );
    p.insert(
        "user_agent".into(),
        json!({"type": "keyword", "ignore_above": 1024}),
    );
    p.insert(
        "source_ip".into(),
        json!({"type": "ip", "ignore_malformed": true}),
    );
    p.insert("request_object".into(), disabled());
    p.insert("response_object".into(), disabled());
    p.insert(
        "response_status_code".into(),
        json!({"type": "integer", "ignore_malformed": true}),
    );
    p
}

/// Audit entries: with an `open-webui` app, Open WebUI's audit entry in both the
/// shapes it is written: the audit file's line (the entry's fields at the top, with
/// `timestamp` in epoch seconds) and, with `ENABLE_AUDIT_STDOUT`, a `LOG_FORMAT=json`
/// line whose `extra` holds the entry.
fn audit_record(open_webui: bool) -> (&'static str, Map<String, Value>) {
    let mut p = base_properties();
    if !open_webui {
        return ("generic-audit-log", p);
    }
    p.insert(
        "ts".into(),
        json!({"type": "date", "ignore_malformed": true}),
    );
    p.insert(
        "level".into(),
        json!({"type": "keyword", "ignore_above": 64}),
    );
    p.insert("msg".into(), json!({"type": "text"}));
    p.insert(
        "caller".into(),
        json!({"type": "keyword", "ignore_above": 1024}),
    );
    p.insert(
        "timestamp".into(),
        json!({"type": "date", "format": "epoch_second", "ignore_malformed": true}),
    );
    p.extend(audit_entry_properties());
    let mut extra = audit_entry_properties();
    extra.insert("auditable".into(), json!({"type": "boolean"}));
    extra.insert("extra".into(), disabled());
    p.insert("extra".into(), json!({"properties": extra}));
    ("open-webui-audit-entry", p)
}

/// Access logs, load balancer style: charter's record, which the shipper fills
/// from the load balancer's access log (see docs/artifacts.md).
fn access_properties() -> Map<String, Value> {
    let mut p = base_properties();
    p.insert(
        "client_ip".into(),
        json!({"type": "ip", "ignore_malformed": true}),
    );
    p.insert(
        "method".into(),
        json!({"type": "keyword", "ignore_above": 16}),
    );
    p.insert(
        "path".into(),
        json!({"type": "keyword", "ignore_above": 2048}),
    );
    p.insert(
        "status".into(),
        json!({"type": "integer", "ignore_malformed": true}),
    );
    p.insert(
        "bytes".into(),
        json!({"type": "long", "ignore_malformed": true}),
    );
    p.insert(
        "duration_ms".into(),
        json!({"type": "float", "ignore_malformed": true}),
    );
    p.insert(
        "user_agent".into(),
        json!({"type": "keyword", "ignore_above": 1024}),
    );
    p.insert(
        "user".into(),
        json!({"type": "keyword", "ignore_above": 256}),
    );
    p
}

fn ilm_policy(
    model: &Model,
    env: &Environment,
    (stream, index): (&str, &str),
    class: DataClass,
    retention: Option<Retention>,
) -> Value {
    let hot_days = retention
        .and_then(|r| r.hot_days)
        .unwrap_or(DEFAULT_HOT_DAYS)
        .max(1);
    let mut phases = Map::new();
    phases.insert(
        "hot".into(),
        json!({
            "min_age": "0ms",
            "actions": {
                "rollover": {
                    "max_age": format!("{hot_days}d"),
                    "max_primary_shard_size": MAX_PRIMARY_SHARD_SIZE,
                }
            }
        }),
    );
    let delete_days = retention.filter(|r| !r.forever).and_then(|r| r.days);
    if let Some(days) = delete_days {
        // ILM counts the delete phase's `min_age` from the rollover, and an index
        // rolls over after at most `hot_days`: a document lives at most
        // `hot_days + min_age`, so `min_age` is what the retention leaves after
        // the hot phase (retention is the longest any record lives).
        let after_rollover = days.saturating_sub(hot_days);
        phases.insert(
            "delete".into(),
            json!({"min_age": format!("{after_rollover}d"), "actions": {"delete": {}}}),
        );
    }
    let mut meta = meta(model, env, stream, index);
    meta.insert("class".into(), json!(class.as_str()));
    meta.insert("retention_days".into(), json!(delete_days));
    meta.insert(
        "forever".into(),
        json!(retention.is_some_and(|r| r.forever)),
    );
    meta.insert("hot_days".into(), json!(hot_days));
    meta.insert("rule".into(), json!(retention.map(|r| r.rule)));
    json!({"policy": {"phases": phases, "_meta": meta}})
}
