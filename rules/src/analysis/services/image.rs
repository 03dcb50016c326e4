//! Image references (`registry/namespace/name:tag@digest`), parsed into their parts.
//!
//! The grammar is Docker's (distribution's `reference` package): the first path component
//! is a registry when it holds a `.` or a `:` or is `localhost`; the tag follows the last
//! `:` after the last `/`; the digest follows `@`. An image without a registry is on
//! Docker Hub, where a one-component name lives in `library/`.

use hlint_schema::model::is_expression;

/// A parsed image reference. Parts are kept as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io`, `ghcr.io`, `localhost:5000`; `None` means Docker Hub.
    pub registry: Option<String>,
    /// The path components before the name, joined with `/` (`bitnami`, `library`).
    pub namespace: Option<String>,
    pub name: String,
    pub tag: Option<String>,
    /// `sha256:...`.
    pub digest: Option<String>,
}

/// What an image's tag says about its version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagKind {
    /// No tag: Docker pulls `latest`.
    Missing,
    Latest,
    /// A tag starting with a number (`16`, `16.4`, `9-alpine`): its major version.
    Version {
        major: u32,
    },
    /// Any other tag (`alpine`, `bookworm`, `pg16`).
    Other,
}

impl ImageRef {
    /// Parses `text`; `None` for empty text, text with spaces, or a Harness expression or
    /// shell variable, which name no image hlint can judge.
    pub fn parse(text: &str) -> Option<ImageRef> {
        let text = text.trim();
        if text.is_empty()
            || text.contains(char::is_whitespace)
            || is_expression(text)
            || text.contains('$')
        {
            return None;
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (text, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        let mut parts: Vec<&str> = path.split('/').collect();
        if parts.iter().any(|part| part.is_empty()) {
            return None;
        }
        let registry = (parts.len() > 1
            && (parts[0].contains(['.', ':']) || parts[0] == "localhost"))
            .then(|| parts.remove(0).to_string());
        let name = parts.pop()?.to_string();
        let namespace = (!parts.is_empty()).then(|| parts.join("/"));
        Some(ImageRef {
            registry,
            namespace,
            name,
            tag: tag.filter(|tag| !tag.is_empty()),
            digest,
        })
    }

    /// True for Docker Hub, named or implied.
    pub fn is_docker_hub(&self) -> bool {
        matches!(
            self.registry.as_deref(),
            None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io")
        )
    }

    /// The repository path without the registry, and without Docker Hub's `library/`
    /// (`postgres`, `bitnami/postgresql`).
    pub fn path(&self) -> String {
        match self.namespace.as_deref() {
            Some("library") if self.is_docker_hub() => self.name.clone(),
            Some(namespace) => format!("{namespace}/{}", self.name),
            None => self.name.clone(),
        }
    }

    pub fn tag_kind(&self) -> TagKind {
        let Some(tag) = self.tag.as_deref() else {
            return TagKind::Missing;
        };
        if tag == "latest" {
            return TagKind::Latest;
        }
        let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
        match digits.parse() {
            Ok(major) => TagKind::Version { major },
            Err(_) => TagKind::Other,
        }
    }

    /// The tag's major version, when the tag starts with a number.
    pub fn major_version(&self) -> Option<u32> {
        match self.tag_kind() {
            TagKind::Version { major } => Some(major),
            _ => None,
        }
    }

    /// No tag or `latest`: the version changes under the pipeline (unless a digest pins it,
    /// see [`Self::digest`]).
    pub fn is_latest(&self) -> bool {
        matches!(self.tag_kind(), TagKind::Missing | TagKind::Latest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_pipelines_use() {
        let postgres = ImageRef::parse("postgres").unwrap();
        assert_eq!(postgres.path(), "postgres");
        assert_eq!(postgres.tag_kind(), TagKind::Missing);
        assert!(postgres.is_latest() && postgres.is_docker_hub());

        let alpine = ImageRef::parse("postgres:9-alpine").unwrap();
        assert_eq!(alpine.tag.as_deref(), Some("9-alpine"));
        assert_eq!(alpine.major_version(), Some(9));
        assert!(!alpine.is_latest());

        let full = ImageRef::parse("docker.io/library/postgres:16.4@sha256:0123abcd").unwrap();
        assert_eq!(full.registry.as_deref(), Some("docker.io"));
        assert_eq!(full.namespace.as_deref(), Some("library"));
        assert_eq!(full.name, "postgres");
        assert_eq!(full.path(), "postgres");
        assert_eq!(full.major_version(), Some(16));
        assert_eq!(full.digest.as_deref(), Some("sha256:0123abcd"));

        let bitnami = ImageRef::parse("bitnami/postgresql:15").unwrap();
        assert_eq!(bitnami.registry, None);
        assert_eq!(bitnami.path(), "bitnami/postgresql");
        assert_eq!(bitnami.major_version(), Some(15));

        let latest = ImageRef::parse("redis:latest").unwrap();
        assert_eq!(latest.tag_kind(), TagKind::Latest);
        assert_eq!(
            ImageRef::parse("redis:alpine").unwrap().tag_kind(),
            TagKind::Other
        );

        let local = ImageRef::parse("localhost:5000/team/db:1.2").unwrap();
        assert_eq!(local.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(local.path(), "team/db");
        assert!(!local.is_docker_hub());

        let mirror = ImageRef::parse("registry.example.com/library/postgres").unwrap();
        assert_eq!(mirror.path(), "library/postgres");
    }

    #[test]
    fn rejects_what_is_not_an_image() {
        for text in ["", "  ", "<+input>", "$IMAGE", "a b", "a//b"] {
            assert_eq!(ImageRef::parse(text), None, "{text:?}");
        }
    }
}
