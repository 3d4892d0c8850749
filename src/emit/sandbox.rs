//! Emit stage, documents family: the limits a document template renders within.
//! A spec's `templates/` override is code the spec's author runs on the machine
//! that builds, so it gets no way out and no way to hang or abort the build:
//!
//! - no function that reads the environment or the clock (tera 1.20 registers
//!   `get_env` always, `now` and `get_random` with its `builtins` feature; each is
//!   replaced by one that fails saying so). tera reads files only when asked to
//!   load them (`Tera::new` with a glob, `add_template_file`); charter only adds
//!   raw text, so `include`, `import` and `extends` reach the three documents only;
//! - `range` yields at most [`Limits::range_items`] numbers per render in all;
//! - blocks and brackets nest at most [`MAX_NESTING`] deep, and no template
//!   includes itself or calls its own macro, directly or through others (tera has
//!   no depth bound: either would overflow the stack, which aborts the process);
//! - rendering happens on a worker thread with its own stack, writes at most
//!   [`Limits::max_output`] bytes, and is given up after [`Limits::timeout`].

// tera's `Function` trait takes its arguments as a `HashMap`, and its AST holds
// `HashMap`s; nothing here reaches output in their order.
#![allow(clippy::disallowed_types)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use serde_json::Value;
use tera::ast::{Expr, ExprVal, FunctionCall, Node};

/// How deep `{% %}` blocks and brackets inside tags may nest in a template.
pub(crate) const MAX_NESTING: usize = 64;

/// What one render may use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub timeout: Duration,
    pub max_output: usize,
    pub range_items: usize,
    pub stack: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_output: 64 << 20,
            range_items: 1_000_000,
            stack: 64 << 20,
        }
    }
}

/// A function a template may not call: it fails, naming what to do instead.
struct Unavailable(&'static str);

impl tera::Function for Unavailable {
    fn call(&self, _: &HashMap<String, Value>) -> tera::Result<Value> {
        Err(tera::Error::msg(format!(
            "`{}` is not available in charter templates: a template sees only the data \
             charter passes it (see \"Documents\" in docs/artifacts.md)",
            self.0
        )))
    }
}

/// tera's `range(end, start=0, step_by=1)`, drawing on a budget of items shared by
/// every call of one render.
struct BoundedRange {
    left: Arc<AtomicUsize>,
    limit: usize,
}

fn usize_arg(
    args: &HashMap<String, Value>,
    name: &str,
    default: Option<usize>,
) -> tera::Result<usize> {
    match args.get(name) {
        Some(value) => value
            .as_u64()
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| {
                tera::Error::msg(format!(
                    "Function `range` received {name}={value} but `{name}` can only be a number"
                ))
            }),
        None => default.ok_or_else(|| {
            tera::Error::msg(format!(
                "Function `range` was called without a `{name}` argument"
            ))
        }),
    }
}

impl tera::Function for BoundedRange {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let start = usize_arg(args, "start", Some(0))?;
        let step = usize_arg(args, "step_by", Some(1))?;
        let end = usize_arg(args, "end", None)?;
        if start > end {
            return Err(tera::Error::msg(
                "Function `range` was called with a `start` argument greater than the `end` one",
            ));
        }
        if step == 0 {
            return Err(tera::Error::msg(
                "Function `range` was called with `step_by` 0",
            ));
        }
        let count = (end - start).div_ceil(step);
        let fits = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(count)
            })
            .is_ok();
        if !fits {
            return Err(tera::Error::msg(format!(
                "`range` would yield more than {} numbers in one document: a loop without bound?",
                self.limit
            )));
        }
        Ok(Value::Array(
            (start..end).step_by(step).map(Value::from).collect(),
        ))
    }
}

/// Replaces what reads the environment or the clock and bounds `range`; returns
/// the budget the renderer refills before each render.
pub(crate) fn secure(tera: &mut tera::Tera, limits: Limits) -> Arc<AtomicUsize> {
    for name in ["get_env", "now", "get_random"] {
        tera.register_function(name, Unavailable(name));
    }
    let left = Arc::new(AtomicUsize::new(limits.range_items));
    tera.register_function(
        "range",
        BoundedRange {
            left: Arc::clone(&left),
            limit: limits.range_items,
        },
    );
    left
}

/// Refuses template text nested deeper than [`MAX_NESTING`], before tera's parser
/// (which recurses per level) sees it: `{% if %}`-like blocks, and brackets inside
/// `{{ }}` and `{% %}`.
pub(crate) fn check_nesting(text: &str) -> Result<(), String> {
    const OPENERS: [&str; 6] = ["if", "for", "macro", "block", "filter", "raw"];
    let mut blocks = 0usize;
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let tag = &rest[open..];
        let close = if tag.starts_with("{{") {
            "}}"
        } else if tag.starts_with("{%") {
            "%}"
        } else if tag.starts_with("{#") {
            "#}"
        } else {
            rest = &rest[open + 1..];
            continue;
        };
        let Some(len) = tag[2..].find(close) else {
            // tera reports the unclosed tag.
            return Ok(());
        };
        let inner = &tag[2..2 + len];
        rest = &tag[2 + len + 2..];
        if close == "#}" {
            continue;
        }
        let mut brackets = 0usize;
        let mut quote = None;
        for c in inner.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'' | '`') => quote = Some(c),
                (None, '(' | '[') => {
                    brackets += 1;
                    if brackets > MAX_NESTING {
                        return Err(format!(
                            "brackets nest more than {MAX_NESTING} levels deep in one tag"
                        ));
                    }
                }
                (None, ')' | ']') => brackets = brackets.saturating_sub(1),
                // Inside a string, and everything else.
                _ => {}
            }
        }
        if close == "%}" {
            let word = inner
                .trim_matches(['-', ' ', '\t', '\n', '\r'])
                .split_whitespace()
                .next()
                .unwrap_or("");
            if OPENERS.contains(&word) {
                blocks += 1;
                if blocks > MAX_NESTING {
                    return Err(format!(
                        "`{{% {word} %}}` blocks nest more than {MAX_NESTING} levels deep"
                    ));
                }
            } else if word.starts_with("end") {
                blocks = blocks.saturating_sub(1);
            }
        }
    }
    Ok(())
}

/// A place rendering can enter: a template's top level, or one of its macros.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    Template(String),
    Macro { template: String, name: String },
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entry::Template(t) => write!(f, "template `{t}`"),
            Entry::Macro { template, name } => write!(f, "macro `{name}` of `{template}`"),
        }
    }
}

/// What each entry can enter next, collected from the templates' syntax trees.
struct Calls<'a> {
    tera: &'a tera::Tera,
    edges: BTreeMap<Entry, BTreeSet<Entry>>,
}

impl Calls<'_> {
    fn nodes(&mut self, from: &Entry, template: &str, nodes: &[Node]) {
        for node in nodes {
            self.node(from, template, node);
        }
    }

    fn node(&mut self, from: &Entry, template: &str, node: &Node) {
        match node {
            Node::VariableBlock(_, e) => self.expr(from, template, e),
            Node::MacroDefinition(..)
            | Node::Super
            | Node::Text(_)
            | Node::ImportMacro(..)
            | Node::Raw(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Comment(..) => {}
            Node::Extends(_, parent) => self.edge(from, Entry::Template(parent.clone())),
            Node::Include(_, names, _) => {
                for name in names {
                    self.edge(from, Entry::Template(name.clone()));
                }
            }
            Node::Set(_, set) => self.expr(from, template, &set.value),
            Node::FilterSection(_, section, _) => {
                self.call(from, template, &section.filter);
                self.nodes(from, template, &section.body);
            }
            Node::Block(_, block, _) => self.nodes(from, template, &block.body),
            Node::Forloop(_, l, _) => {
                self.expr(from, template, &l.container);
                self.nodes(from, template, &l.body);
                if let Some(empty) = &l.empty_body {
                    self.nodes(from, template, empty);
                }
            }
            Node::If(i, _) => {
                for (_, condition, body) in &i.conditions {
                    self.expr(from, template, condition);
                    self.nodes(from, template, body);
                }
                if let Some((_, body)) = &i.otherwise {
                    self.nodes(from, template, body);
                }
            }
        }
    }

    fn call(&mut self, from: &Entry, template: &str, call: &FunctionCall) {
        for arg in call.args.values() {
            self.expr(from, template, arg);
        }
    }

    fn expr(&mut self, from: &Entry, template: &str, expr: &Expr) {
        for filter in &expr.filters {
            self.call(from, template, filter);
        }
        match &expr.val {
            ExprVal::String(_)
            | ExprVal::Int(_)
            | ExprVal::Float(_)
            | ExprVal::Bool(_)
            | ExprVal::Ident(_)
            | ExprVal::StringConcat(_) => {}
            ExprVal::Math(m) => {
                self.expr(from, template, &m.lhs);
                self.expr(from, template, &m.rhs);
            }
            ExprVal::Logic(l) => {
                self.expr(from, template, &l.lhs);
                self.expr(from, template, &l.rhs);
            }
            ExprVal::In(i) => {
                self.expr(from, template, &i.lhs);
                self.expr(from, template, &i.rhs);
            }
            ExprVal::Test(t) => {
                for arg in &t.args {
                    self.expr(from, template, arg);
                }
            }
            ExprVal::FunctionCall(call) => self.call(from, template, call),
            ExprVal::Array(items) => {
                for item in items {
                    self.expr(from, template, item);
                }
            }
            ExprVal::MacroCall(call) => {
                for arg in call.args.values() {
                    self.expr(from, template, arg);
                }
                let file = if call.namespace == "self" {
                    Some(template.to_string())
                } else {
                    self.tera.get_template(template).ok().and_then(|t| {
                        t.imported_macro_files
                            .iter()
                            .find(|(_, ns)| *ns == call.namespace)
                            .map(|(file, _)| file.clone())
                    })
                };
                if let Some(file) = file {
                    self.edge(
                        from,
                        Entry::Macro {
                            template: file,
                            name: call.name.clone(),
                        },
                    );
                }
            }
        }
    }

    fn edge(&mut self, from: &Entry, to: Entry) {
        self.edges.entry(from.clone()).or_default().insert(to);
    }
}

/// Refuses templates that can enter themselves again (an `include` cycle, a macro
/// that calls itself directly or through others): tera would recurse until the
/// stack overflows. Returns the cycle, in words.
pub(crate) fn check_recursion(tera: &tera::Tera, names: &[&str]) -> Result<(), (String, String)> {
    let mut calls = Calls {
        tera,
        edges: BTreeMap::new(),
    };
    for name in names {
        let Ok(template) = tera.get_template(name) else {
            continue;
        };
        let top = Entry::Template((*name).to_string());
        calls.nodes(&top, name, &template.ast);
        let mut macros: Vec<_> = template.macros.iter().collect();
        macros.sort_by(|a, b| a.0.cmp(b.0));
        for (macro_name, definition) in macros {
            let entry = Entry::Macro {
                template: (*name).to_string(),
                name: macro_name.clone(),
            };
            calls.edges.entry(entry.clone()).or_default();
            calls.nodes(&entry, name, &definition.body);
        }
    }
    // Depth-first search for a back edge, iteratively (the graph is user input).
    let mut state: BTreeMap<&Entry, bool> = BTreeMap::new(); // false: on the path
    for root in calls.edges.keys() {
        if state.contains_key(root) {
            continue;
        }
        let mut path: Vec<(&Entry, Vec<&Entry>)> = vec![(root, next(&calls.edges, root))];
        state.insert(root, false);
        while let Some((at, todo)) = path.last_mut() {
            let at = *at;
            let Some(to) = todo.pop() else {
                state.insert(at, true);
                path.pop();
                continue;
            };
            match state.get(to) {
                Some(true) => {}
                Some(false) => {
                    let from = path.iter().position(|(e, _)| *e == to).unwrap_or(0);
                    let cycle: Vec<String> =
                        path[from..].iter().map(|(e, _)| e.to_string()).collect();
                    let template = match to {
                        Entry::Template(t) | Entry::Macro { template: t, .. } => t.clone(),
                    };
                    return Err((
                        template,
                        format!(
                            "{} enters itself again ({} → {to}); tera has no depth limit, so \
                             charter templates cannot recurse",
                            to,
                            cycle.join(" → ")
                        ),
                    ));
                }
                None => {
                    state.insert(to, false);
                    path.push((to, next(&calls.edges, to)));
                }
            }
        }
    }
    Ok(())
}

fn next<'a>(edges: &'a BTreeMap<Entry, BTreeSet<Entry>>, at: &Entry) -> Vec<&'a Entry> {
    edges
        .get(at)
        .map(|s| s.iter().rev().collect())
        .unwrap_or_default()
}

/// A writer that fails once more than `left` bytes were written.
struct Capped {
    out: Vec<u8>,
    left: usize,
    full: bool,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.left {
            self.full = true;
            return Err(io::Error::other("output limit reached"));
        }
        self.left -= buf.len();
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Why a render failed.
#[derive(Debug)]
pub(crate) enum RenderError {
    Tera(tera::Error),
    Limit(String),
}

type Job = (
    String,
    tera::Context,
    mpsc::Sender<Result<String, RenderError>>,
);

/// Renders on a worker thread with its own stack, within [`Limits`].
pub(crate) struct Renderer {
    jobs: Option<mpsc::Sender<Job>>,
    limits: Limits,
}

impl Renderer {
    /// Starts the worker; `budget` is what [`secure`] returned for `tera`.
    pub(crate) fn new(
        tera: tera::Tera,
        budget: Arc<AtomicUsize>,
        limits: Limits,
    ) -> io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("charter-templates".to_string())
            .stack_size(limits.stack)
            .spawn(move || {
                for (name, context, reply) in queue {
                    budget.store(limits.range_items, Ordering::Relaxed);
                    let mut out = Capped {
                        out: Vec::new(),
                        left: limits.max_output,
                        full: false,
                    };
                    let result = match tera.render_to(&name, &context, &mut out) {
                        Ok(()) => String::from_utf8(out.out)
                            .map_err(|_| RenderError::Limit("the output is not UTF-8".to_string())),
                        Err(_) if out.full => Err(RenderError::Limit(format!(
                            "the output passed {} MB: a loop without bound?",
                            limits.max_output >> 20
                        ))),
                        Err(e) => Err(RenderError::Tera(e)),
                    };
                    // The caller may have given up waiting.
                    let _ = reply.send(result);
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            limits,
        })
    }

    /// Renders `name`; gives up after the timeout (the worker is left to finish
    /// on its own: the build fails and the process ends).
    pub(crate) fn render(&self, name: &str, context: tera::Context) -> Result<String, RenderError> {
        let (reply, answer) = mpsc::channel();
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send((name.to_string(), context, reply)).is_ok());
        if !sent {
            return Err(RenderError::Limit(
                "the template worker stopped after an earlier template failed".to_string(),
            ));
        }
        match answer.recv_timeout(self.limits.timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(RenderError::Limit(format!(
                "rendering took longer than {} s: a loop without bound?",
                self.limits.timeout.as_secs()
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(RenderError::Limit(
                "the template worker stopped".to_string(),
            )),
        }
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        // Closing the queue ends the worker once it is idle.
        self.jobs.take();
    }
}
