//! Typed node ids: the one way every stage names a spec node (`environment/prod`,
//! `group/caas-admins`, `secret/prod/openai-key`). Used by provenance, the manifest,
//! `graph`, findings and diff keys. A leaf module: it depends on no stage.

use std::fmt;

use serde::{Serialize, Serializer};

/// The kinds of spec node. The one list: top-level node kinds are the variants whose
/// [`NodeKind::is_top_level`] is true; their text is the KDL node name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumIter,
    strum::VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
pub enum NodeKind {
    Alert,
    App,
    Channel,
    Constraint,
    Environment,
    Escalation,
    Group,
    Identity,
    Lint,
    Logging,
    Platform,
    Retention,
    Runbook,
    Sdm,
    Waiver,
    /// Not top-level: a secret of an environment (`secret/prod/openai-key`).
    Secret,
    /// Not top-level: a Pipelines filter of an app.
    Filter,
    /// Not top-level: a resource an environment provides and apps need (`postgres`).
    Resource,
}

impl NodeKind {
    /// The KDL node name (`environment`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether this kind is written as a top-level node of a spec file.
    pub fn is_top_level(self) -> bool {
        !matches!(
            self,
            NodeKind::Secret | NodeKind::Filter | NodeKind::Resource
        )
    }

    /// Every top-level kind, in name order.
    pub fn top_level() -> impl Iterator<Item = NodeKind> + Clone {
        <NodeKind as strum::VariantArray>::VARIANTS
            .iter()
            .copied()
            .filter(|k| k.is_top_level())
    }

    /// The kind a top-level KDL node name stands for.
    pub fn from_node_name(name: &str) -> Option<NodeKind> {
        name.parse::<NodeKind>().ok().filter(|k| k.is_top_level())
    }
}

/// One spec node: its kind and its name. Ordered by kind, then name; displayed and
/// serialized as `kind/name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId {
    pub kind: NodeKind,
    pub name: String,
}

impl NodeId {
    pub fn new(kind: NodeKind, name: impl AsRef<str>) -> Self {
        Self {
            kind,
            name: name.as_ref().to_string(),
        }
    }

    /// A secret of an environment: `secret/{env}/{name}`.
    pub fn secret(environment: &str, name: &str) -> Self {
        Self::new(NodeKind::Secret, format!("{environment}/{name}"))
    }

    /// A node there is at most one of (`sdm`, `logging`, `retention`): named after
    /// its kind (`sdm/sdm`).
    pub fn singleton(kind: NodeKind) -> Self {
        Self::new(kind, kind.as_str())
    }

    /// Parses `kind/name` (the displayed form).
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, name) = text.split_once('/')?;
        let kind = kind.parse::<NodeKind>().ok()?;
        (!name.is_empty()).then(|| Self::new(kind, name))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

/// Compares with the displayed form (`environment/prod`), without allocating.
impl PartialEq<str> for NodeId {
    fn eq(&self, other: &str) -> bool {
        other
            .split_once('/')
            .is_some_and(|(kind, name)| kind == self.kind.as_str() && name == self.name)
    }
}

impl PartialEq<&str> for NodeId {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for NodeId {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_and_parses_as_kind_slash_name() {
        let id = NodeId::new(NodeKind::Environment, "prod-sdm");
        assert_eq!(id.to_string(), "environment/prod-sdm");
        assert_eq!(NodeId::parse("environment/prod-sdm"), Some(id));
        assert_eq!(
            NodeId::secret("prod", "openai-key").to_string(),
            "secret/prod/openai-key"
        );
        assert_eq!(NodeId::parse("nonsense/x"), None);
        assert_eq!(NodeId::parse("environment/"), None);
    }

    #[test]
    fn top_level_kinds_are_the_kdl_node_names() {
        let names: Vec<&str> = NodeKind::top_level().map(NodeKind::as_str).collect();
        assert!(names.contains(&"environment") && names.contains(&"sdm"));
        assert!(!names.contains(&"secret"));
        assert_eq!(NodeKind::from_node_name("secret"), None);
        assert_eq!(NodeKind::from_node_name("alert"), Some(NodeKind::Alert));
    }

    #[test]
    fn orders_by_kind_then_name() {
        let mut ids = [
            NodeId::new(NodeKind::Group, "a"),
            NodeId::new(NodeKind::Environment, "z"),
            NodeId::new(NodeKind::Environment, "b"),
        ];
        ids.sort();
        let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["environment/b", "environment/z", "group/a"]);
    }
}
