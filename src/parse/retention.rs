//! Lowers `retention { CLASS "DURATION" hot="DURATION"; override TARGET CLASS="DURATION" ... }`.

use kdl::KdlNode;
use strum::VariantNames;

use crate::diag::code::Code;
use crate::diag::finding::Finding;
use crate::parse::grammar::{check_name, period, word};
use crate::parse::reader::{Ctx, NodeReader, repeated_child, unknown_child};
use crate::source::{Span, Spanned};
use crate::spec::{DataClass, OverrideTarget, Retention, RetentionOverride, RetentionRule, Tier};

pub(crate) fn lower(ctx: &mut Ctx<'_>, node: &KdlNode) -> Retention {
    let mut r = NodeReader::new(ctx, node);
    r.set_what("`retention`".to_string());
    r.finish(ctx);
    let mut retention = Retention {
        defaults: Vec::new(),
        overrides: Vec::new(),
        span: r.name_span,
    };
    let mut known: Vec<&str> = DataClass::VARIANTS.to_vec();
    known.push("override");
    for child in r.children() {
        let name = child.name().value();
        if name == "override" {
            retention.overrides.extend(lower_override(ctx, child));
        } else if let Some(class) = DataClass::parse(name) {
            let class = Spanned::new(class, ctx.span(child.name().span()));
            if let Some(first) = retention
                .defaults
                .iter()
                .find(|d| d.class.value == class.value)
            {
                repeated_child(ctx, child, first.class.span, "`retention`");
                continue;
            }
            retention.defaults.extend(lower_rule(ctx, child, class));
        } else {
            unknown_child(ctx, child, "`retention`", &known);
        }
    }
    report_repeated_overrides(ctx, &retention);
    retention
}

/// Two overrides of one target that set the same class: which one applies would
/// depend on the order of the files.
fn report_repeated_overrides(ctx: &mut Ctx<'_>, retention: &Retention) {
    let mut seen: std::collections::BTreeMap<(String, DataClass), Span> =
        std::collections::BTreeMap::new();
    for o in &retention.overrides {
        let target = match &o.target {
            OverrideTarget::Environment(e) => format!("environment `{}`", e.value),
            OverrideTarget::Sdm(_) => "SDM twins".to_string(),
            OverrideTarget::Tier(t) => format!("tier `{}`", t.value.as_str()),
        };
        for (class, _) in &o.periods {
            if let Some(first) = seen.get(&(target.clone(), class.value)) {
                ctx.report(
                    Finding::new(
                        Code::DuplicateProperty,
                        class.span,
                        format!(
                            "retention of {} for {target} is set by two overrides",
                            class.value.as_str()
                        ),
                    )
                    .label("set again here")
                    .related(*first, "first set here")
                    .help("keep one value per data class and target"),
                );
            } else {
                seen.insert((target.clone(), class.value), class.span);
            }
        }
    }
}

fn lower_rule(
    ctx: &mut Ctx<'_>,
    node: &KdlNode,
    class: Spanned<DataClass>,
) -> Option<RetentionRule> {
    let mut r = NodeReader::new(ctx, node);
    let what = format!("retention of {}", class.value.as_str());
    let value = r.arg_str(
        ctx,
        "a duration",
        &format!("{} \"365d\"", class.value.as_str()),
    );
    let hot = if class.value.is_log() {
        r.prop_duration(ctx, "hot")
            .filter(|h| crate::parse::grammar::whole_days(ctx, h, "the hot phase").is_some())
    } else {
        None
    };
    r.finish(ctx);
    r.no_children(ctx);
    let period = period(ctx, &value?, &what)?;
    Some(RetentionRule {
        class,
        period,
        hot,
        span: r.name_span,
    })
}

fn lower_override(ctx: &mut Ctx<'_>, node: &KdlNode) -> Option<RetentionOverride> {
    let mut r = NodeReader::new(ctx, node);
    let span = r.name_span;
    let env = r.opt_arg_str(ctx, "an environment name");
    let sdm = r.prop_bool(ctx, "sdm");
    let tier = r.prop_str(ctx, "tier");
    let mut targets = Vec::new();
    if let Some(env) = env {
        targets.extend(check_name(ctx, env, "environment").map(OverrideTarget::Environment));
    }
    match sdm {
        Some(s) if s.value => targets.push(OverrideTarget::Sdm(s.span)),
        Some(s) => ctx.report(
            Finding::new(
                Code::InvalidValue,
                s.span,
                "`override sdm=#false` selects nothing",
            )
            .label("only #true selects the SDM twins")
            .help("write `override sdm=#true ...`, or remove the override"),
        ),
        None => {}
    }
    if let Some(tier) = tier {
        targets.extend(word::<Tier>(ctx, &tier, "tier").map(OverrideTarget::Tier));
    }
    let mut periods = Vec::new();
    for class in DataClass::ALL {
        let key = class.as_str();
        if let Some(value) = r.prop_str(ctx, key) {
            let what = format!("retention of {key}");
            if let Some(p) = period(ctx, &value, &what) {
                periods.push((Spanned::new(*class, value.span), p));
            }
        }
    }
    let had_target = !targets.is_empty()
        || r.arg_count() > 0
        || r.node.entry("sdm").is_some()
        || r.node.entry("tier").is_some();
    r.finish(ctx);
    r.no_children(ctx);
    if targets.len() > 1 {
        ctx.report(
            Finding::new(
                Code::UnexpectedArgument,
                span,
                "an override selects one target: an environment, `sdm=#true` or `tier=`",
            )
            .label("several targets")
            .help("split it into one `override` per target"),
        );
        return None;
    }
    if !had_target {
        report_no_target(ctx, span);
        return None;
    }
    if periods.is_empty() && targets.len() == 1 {
        ctx.report(
            Finding::new(
                Code::MissingValue,
                span,
                "this override changes no retention",
            )
            .label("no data class given")
            .help(
                "add the classes it changes: override \"dev\" conversations=\"30d\" files=\"30d\"",
            ),
        );
    }
    Some(RetentionOverride {
        target: targets.pop()?,
        periods,
        span,
    })
}

fn report_no_target(ctx: &mut Ctx<'_>, span: Span) {
    ctx.report(
        Finding::new(Code::MissingValue, span, "`override` needs a target")
            .label("no environment, `sdm=#true` or `tier=`")
            .help("write override \"dev\" ..., override sdm=#true ..., or override tier=\"production\" ..."),
    );
}
