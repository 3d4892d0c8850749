//! Emit stage, documents family: the sealed model → Markdown for people, rendered
//! with tera templates. `docs/policy.md` (for auditors), `docs/runbooks/<env>.md`
//! (for operators; each runbook under `## <name>`, so the alarms' links
//! `docs/runbooks/<env>.md#<name>` resolve) and `docs/onboarding/<env>.md` (for the
//! service's users), for every deployed environment, SDM twins included.
//!
//! The built-in templates (`templates/*.md.tera`) are compiled into the binary; a
//! spec overrides one by putting a file of the same name in its `templates/` folder
//! (passed in [`Context::templates`]). Templates get plain data (see `views`) and
//! the `md` and `code` filters to place it; every rendered document is normalized
//! (no trailing spaces, single blank lines, one trailing newline). Templates render
//! within the limits of [`crate::emit::sandbox`]: no access to the environment, no
//! recursion, bounded time and output.

mod markdown;
mod views;

use serde::Serialize;

use crate::emit::sandbox::{self, Limits, RenderError, Renderer};
use crate::emit::{Artifact, Context, EmitError};
use crate::id::{NodeId, NodeKind};
use crate::model::{Environment, Model};

pub(crate) const POLICY: &str = "policy.md.tera";
pub(crate) const RUNBOOK: &str = "runbook.md.tera";
pub(crate) const ONBOARDING: &str = "onboarding.md.tera";

/// The built-in templates: (name, text).
pub(crate) const BUILT_IN: [(&str, &str); 3] = [
    (POLICY, include_str!("../../templates/policy.md.tera")),
    (RUNBOOK, include_str!("../../templates/runbook.md.tera")),
    (
        ONBOARDING,
        include_str!("../../templates/onboarding.md.tera"),
    ),
];

pub(crate) fn emit(model: &Model, context: &Context) -> Result<Vec<Artifact>, EmitError> {
    let tera = engine(context, Limits::default())?;
    let mut out = Vec::new();

    let policy = views::policy(model, context);
    out.push(
        Artifact::new("docs/policy.md", render(&tera, POLICY, &policy)?)
            .from_nodes(policy_nodes(model)),
    );
    for env in model.environments.values() {
        let view = views::runbooks(model, env);
        let mut nodes = env_nodes(model, env);
        for alert in &view.alerts {
            nodes.push(NodeId::new(NodeKind::Alert, &alert.name));
            nodes.extend(
                alert
                    .notify
                    .iter()
                    .map(|c| NodeId::new(NodeKind::Channel, &c.name)),
            );
            if let Some(e) = &alert.escalation {
                nodes.push(NodeId::new(NodeKind::Escalation, &e.name));
                nodes.extend(
                    e.levels
                        .iter()
                        .map(|l| NodeId::new(NodeKind::Channel, &l.channel.name)),
                );
            }
        }
        nodes.extend(
            model
                .runbooks
                .keys()
                .map(|r| NodeId::new(NodeKind::Runbook, r)),
        );
        out.push(
            Artifact::new(
                format!("docs/runbooks/{}.md", env.name),
                render(&tera, RUNBOOK, &view)?,
            )
            .from_nodes(nodes),
        );

        let view = views::onboarding(model, env);
        let mut nodes = env_nodes(model, env);
        nodes.extend(
            model
                .identity
                .iter()
                .map(|i| NodeId::new(NodeKind::Identity, &i.name)),
        );
        // Listed or counted, the guide is drawn from the groups its policy admits.
        if let Some(policy) = model.access.of(&env.name) {
            let admitted: Vec<_> = policy.groups(model).map(|(g, _)| g).collect();
            nodes.extend(crate::emit::manifest::group_sources(
                model,
                admitted.into_iter(),
            ));
        }
        if let Some(site) = &view.sdm_site {
            nodes.push(NodeId::new(NodeKind::Environment, &site.name));
            nodes.push(NodeId::singleton(NodeKind::Sdm));
        }
        if env.retention.values().next().is_some() {
            nodes.push(NodeId::singleton(NodeKind::Retention));
        }
        out.push(
            Artifact::new(
                format!("docs/onboarding/{}.md", env.name),
                render(&tera, ONBOARDING, &view)?,
            )
            .from_nodes(nodes),
        );
    }
    Ok(out)
}

/// The template engine with the three document templates (the spec's override of
/// each, else the built-in one) and the Markdown filters, secured and started on
/// its worker. Every template is parsed and checked here, so a broken override
/// fails the build even if nothing would render it.
fn engine(context: &Context, limits: Limits) -> Result<Renderer, EmitError> {
    // An override whose name matches no template would be ignored: refuse it.
    if let Some(unknown) = context
        .templates
        .keys()
        .find(|n| !BUILT_IN.iter().any(|(b, _)| b == n))
    {
        let known: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
        let hint = crate::suggest::did_you_mean(unknown, known.iter().copied())
            .unwrap_or_else(|| format!("the templates are {}", crate::suggest::one_of(&known)));
        return Err(EmitError::Template {
            name: unknown.clone(),
            message: format!("templates/{unknown} overrides no template charter has; {hint}"),
        });
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(Vec::new());
    tera.register_filter("md", filters::Md);
    tera.register_filter("code", filters::Code);
    let budget = sandbox::secure(&mut tera, limits);
    for (name, built_in) in BUILT_IN {
        let text = context.templates.get(name).map_or(built_in, String::as_str);
        sandbox::check_nesting(text).map_err(|message| EmitError::Template {
            name: name.to_string(),
            message,
        })?;
        tera.add_raw_template(name, text)
            .map_err(|e| template_error(name, &e))?;
    }
    let names = BUILT_IN.map(|(name, _)| name);
    sandbox::check_recursion(&tera, &names)
        .map_err(|(name, message)| EmitError::Template { name, message })?;
    Renderer::new(tera, budget, limits).map_err(|e| EmitError::Template {
        name: POLICY.to_string(),
        message: format!("cannot start the template worker: {e}"),
    })
}

fn render(tera: &Renderer, name: &str, view: &impl Serialize) -> Result<String, EmitError> {
    let context = tera::Context::from_serialize(view).map_err(|e| template_error(name, &e))?;
    let text = tera.render(name, context).map_err(|e| match e {
        RenderError::Tera(e) => template_error(name, &e),
        RenderError::Limit(message) => EmitError::Template {
            name: name.to_string(),
            message,
        },
    })?;
    Ok(markdown::normalize(&text))
}

/// A tera error with its whole chain of causes (where the parse failed, which
/// variable was missing), one per line.
fn template_error(name: &str, error: &tera::Error) -> EmitError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push('\n');
        message.push_str(cause.to_string().trim_end());
        source = cause.source();
    }
    EmitError::Template {
        name: name.to_string(),
        message,
    }
}

/// The spec nodes behind the policy: nearly all of it.
fn policy_nodes(model: &Model) -> Vec<NodeId> {
    let mut nodes = vec![model.platform.id()];
    nodes.extend(
        model
            .environments
            .keys()
            .map(|e| NodeId::new(NodeKind::Environment, e)),
    );
    nodes.extend(
        model
            .identity
            .iter()
            .map(|i| NodeId::new(NodeKind::Identity, &i.name)),
    );
    nodes.extend(model.groups.keys().map(|g| NodeId::new(NodeKind::Group, g)));
    nodes.extend(
        model
            .waivers
            .iter()
            .map(|w| NodeId::new(NodeKind::Waiver, &w.code)),
    );
    nodes.extend(
        model
            .constraints
            .iter()
            .map(|c| NodeId::new(NodeKind::Constraint, &c.name)),
    );
    let envs = || model.environments.values();
    if envs().any(|e| e.sdm.is_some()) {
        nodes.push(NodeId::singleton(NodeKind::Sdm));
    }
    if envs().any(|e| !e.retention.is_empty()) {
        nodes.push(NodeId::singleton(NodeKind::Retention));
    }
    if envs().any(|e| e.logging.app_level.is_some() || !e.logging.indices.is_empty()) {
        nodes.push(NodeId::singleton(NodeKind::Logging));
    }
    nodes
}

/// The environment and the platform (whose owner every document names).
fn env_nodes(model: &Model, env: &Environment) -> Vec<NodeId> {
    let mut nodes = vec![model.platform.id(), env.id()];
    if let Some(twin) = &env.sdm {
        nodes.push(NodeId::new(NodeKind::Environment, &twin.of));
        nodes.push(NodeId::singleton(NodeKind::Sdm));
    }
    nodes
}

/// The filters templates place spec text with.
mod filters {
    // tera's `Filter` trait takes its arguments as a `HashMap`; these filters take
    // none and never iterate it.
    #![allow(clippy::disallowed_types)]

    use std::collections::HashMap;

    use serde_json::Value;

    use super::markdown;

    /// `{{ text | md }}`: spec text as escaped inline Markdown (URLs autolinked).
    pub struct Md;

    /// `{{ name | code }}`: a code span; on a list, code spans joined by `, `.
    pub struct Code;

    impl tera::Filter for Md {
        fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
            Ok(Value::String(markdown::value_text(value, markdown::inline)))
        }
    }

    impl tera::Filter for Code {
        fn filter(&self, value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
            Ok(Value::String(markdown::value_text(value, markdown::code)))
        }
    }
}
