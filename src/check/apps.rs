//! App-kind checks: `apps/default-secret-key` (Open `WebUI`) and
//! `apps/pipelines-default-key` (Pipelines). Both upstream defaults are public.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::AppKind;

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    for app in &res.spec.apps {
        let (code, var, default) = match app.kind.value {
            AppKind::OpenWebui => (Code::DefaultSecretKey, "WEBUI_SECRET_KEY", "t0p-s3cr3t"),
            AppKind::OpenWebuiPipelines => {
                (Code::PipelinesDefaultKey, "PIPELINES_API_KEY", "0p3n-w3bu!")
            }
            AppKind::Container => continue,
        };
        for d in res.deployed.values().filter(|d| d.twin_of.is_none()) {
            let has = d.env.secrets.iter().any(|s| {
                s.env.value == var && s.consumers.iter().any(|c| c.value == app.name.value)
            });
            if has {
                continue;
            }
            findings.push(
                Finding::new(
                    code,
                    d.env.name.span,
                    format!(
                        "app `{}` has no {var} secret in environment `{}`",
                        app.name.value, d.env.name.value
                    ),
                )
                .label(format!("{var} would default to the public `{default}`"))
                .related(app.kind.span, format!("`{}` app", app.kind.value.as_str()))
                .help(format!(
                    "declare it: secret \"{}\" store=\"ssm\" for=\"{}\" env=\"{var}\" rotate=\"90d\"",
                    var.to_lowercase().replace('_', "-"),
                    app.name.value
                ))
                .environment(&d.env.name.value),
            );
        }
    }
}
