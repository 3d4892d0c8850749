//! Access checks: `access/public-sharing`, `access/admin-without-directory`,
//! `identity/insecure-issuer`.

use crate::diag::code::Code;
use crate::diag::finding::{Finding, Findings};
use crate::resolve::Resolution;
use crate::spec::{Role, ShareLevel};

pub(crate) fn check(res: &Resolution<'_>, findings: &mut Findings) {
    let production = res.deployed.values().find(|d| {
        d.env
            .tier
            .as_ref()
            .is_some_and(|t| t.value == crate::spec::Tier::Production)
    });
    if let Some(prod) = production {
        let shares = res
            .groups
            .values()
            .filter_map(|g| {
                g.group
                    .share
                    .as_ref()
                    .map(|s| (format!("group `{}`", g.group.name.value), s))
            })
            .chain(
                res.spec
                    .sdm
                    .iter()
                    .filter_map(|s| s.share.as_ref().map(|sh| ("`sdm`".to_string(), sh))),
            );
        for (owner, share) in shares {
            for (object, level) in &share.levels {
                if level.value == ShareLevel::Public {
                    findings.push(
                        Finding::new(
                            Code::PublicSharing,
                            level.span,
                            format!(
                                "{owner} may share {object} publicly, and `{}` is production",
                                prod.env.name.value
                            ),
                        )
                        .label("public: every signed-in user sees it")
                        .related(prod.env.name.span, "production environment")
                        .help(format!(
                            "share {object} with `group` or `link` instead of `public`"
                        )),
                    );
                }
            }
        }
    }
    for resolved in res.groups.values() {
        let group = &resolved.group;
        let Some(role) = group.role.as_ref().filter(|r| r.value == Role::Admin) else {
            continue;
        };
        if group.directory.is_some() {
            continue;
        }
        let mut finding = Finding::new(
            Code::AdminWithoutDirectory,
            group.name.span,
            format!("admin group `{}` is bound to no directory group", group.name.value),
        )
        .label("no `directory=`")
        .help(format!(
            "bind it: group \"{}\" directory=\"GD-...\"; admin rights must come from a reviewed directory group",
            group.name.value
        ));
        let own_role = res.spec.groups.iter().any(|g| {
            g.name.value == group.name.value && g.role.as_ref().is_some_and(|r| r.span == role.span)
        });
        finding = finding.related(
            role.span,
            if own_role {
                "admin role"
            } else {
                "admin role inherited from here"
            },
        );
        findings.push(finding);
    }
    for identity in &res.spec.identities {
        let keys = [
            (
                &identity.client_secret,
                "signs in with",
                "the identity's client secret",
                "OAUTH_CLIENT_SECRET",
            ),
            (
                &identity.admin_key,
                "applies access grants with",
                "the identity's admin key",
                "WEBUI_ADMIN_API_KEY",
            ),
        ];
        for (secret, what, label, var) in keys {
            let Some(secret) = secret else { continue };
            for d in res.deployed.values().filter(|d| d.twin_of.is_none()) {
                if d.env.secrets.iter().any(|s| s.name.value == secret.value) {
                    continue;
                }
                findings.push(
                    Finding::new(
                        Code::UnknownReference,
                        d.env.name.span,
                        format!(
                            "environment `{}` has no secret `{}`, which identity `{}` {what}",
                            d.env.name.value, secret.value, identity.name.value
                        ),
                    )
                    .label(format!("no secret `{}`", secret.value))
                    .related(secret.span, label)
                    .help(format!("declare it in the environment or a parent: secret \"{}\" store=\"ssm\" for=\"APP\" env=\"{var}\"", secret.value))
                    .environment(&d.env.name.value),
                );
            }
        }
        if !identity.issuer.starts_with("https://") {
            findings.push(
                Finding::new(
                    Code::InsecureIssuer,
                    identity.issuer.span,
                    format!("identity `{}` has an issuer that is not https", identity.name.value),
                )
                .label("not an https URL")
                .help("use the provider's https issuer URL, like \"https://example.okta.com/oauth2/default\""),
            );
        }
    }
}
