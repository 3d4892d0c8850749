//! Group inheritance: `role` overrides, `models` and `features` union (Open `WebUI`
//! permissions are additive), `share` merges per object. `directory` is the group's
//! own binding and is never inherited.

use crate::spec::{Group, Share};

pub(crate) fn merge(parent: &Group, child: &Group) -> Group {
    let mut models = parent.models.clone();
    for m in &child.models {
        if !models.iter().any(|p| p.value == m.value) {
            models.push(m.clone());
        }
    }
    let mut features = parent.features.clone();
    for f in &child.features {
        if !features.iter().any(|p| p.value == f.value) {
            features.push(f.clone());
        }
    }
    let share = match (&parent.share, &child.share) {
        (None, None) => None,
        (Some(only), None) | (None, Some(only)) => Some(only.clone()),
        (Some(p), Some(c)) => {
            let mut levels = p.levels.clone();
            for (object, level) in &c.levels {
                levels.retain(|(o, _)| o != object);
                levels.push((*object, level.clone()));
            }
            Some(Share {
                levels,
                span: c.span,
            })
        }
    };
    Group {
        name: child.name.clone(),
        span: child.span,
        directory: child.directory.clone(),
        inherits: child.inherits.clone(),
        role: child.role.clone().or_else(|| parent.role.clone()),
        models,
        features,
        share,
    }
}
