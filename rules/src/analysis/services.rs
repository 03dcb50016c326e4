//! What hlint knows about common service images, kept as data ([`SERVICE_IMAGES`]) that a
//! few small functions read: which image is which service, which ports it listens on and
//! how they are changed, what environment it needs, what it creates, how it authenticates.
//!
//! The facts come from each image's documentation and entrypoint script (Docker Hub's
//! official-image pages, docker-library's `docker-entrypoint.sh`, Bitnami's and vendors'
//! READMEs) and, for PostgreSQL, from harness-ci-facts.md ("PostgreSQL official image").
//! Each table entry names its source.

mod image;
mod ports;
mod table;

use hlint_schema::model::KeyValue;
use hlint_schema::Span;

pub use image::{ImageRef, TagKind};
pub use ports::{entrypoint_words, listening_ports, split_word, ListeningPort, PortOrigin};
pub use table::SERVICE_IMAGES;

/// One word of a command line, with the source span it came from: an `entrypoint` item
/// (split on whitespace) or a word of a parsed `command` script.
pub type Word = (String, Span);

/// The service a server speaks for, whatever image packages it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    Postgres,
    Mysql,
    Mariadb,
    Redis,
    Valkey,
    Mongo,
    Rabbitmq,
    Elasticsearch,
    Opensearch,
    Memcached,
    Kafka,
    Localstack,
    Minio,
    Zookeeper,
}

impl ServiceKind {
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Postgres => "PostgreSQL",
            ServiceKind::Mysql => "MySQL",
            ServiceKind::Mariadb => "MariaDB",
            ServiceKind::Redis => "Redis",
            ServiceKind::Valkey => "Valkey",
            ServiceKind::Mongo => "MongoDB",
            ServiceKind::Rabbitmq => "RabbitMQ",
            ServiceKind::Elasticsearch => "Elasticsearch",
            ServiceKind::Opensearch => "OpenSearch",
            ServiceKind::Memcached => "Memcached",
            ServiceKind::Kafka => "Kafka",
            ServiceKind::Localstack => "LocalStack",
            ServiceKind::Minio => "MinIO",
            ServiceKind::Zookeeper => "ZooKeeper",
        }
    }

    /// MySQL-protocol servers: their clients take `localhost` to mean the unix socket, so
    /// over TCP (another container) `127.0.0.1` is the name to use (harness-ci-facts.md,
    /// "How a later step reaches a Background service").
    pub fn localhost_means_socket(self) -> bool {
        matches!(self, ServiceKind::Mysql | ServiceKind::Mariadb)
    }
}

/// One family of images of a service: the images, and how their entrypoint behaves.
#[derive(Debug)]
pub struct ServiceImage {
    pub kind: ServiceKind,
    /// Repository paths (`postgres`, `bitnami/postgresql`), matched against the end of an
    /// image's path on any registry; the longest matching path wins across the table.
    pub repositories: &'static [&'static str],
    /// The ports the server listens on by default, each with the settings that move it.
    pub ports: &'static [PortSpec],
    /// The image's entrypoint script (what an `entrypoint` must repeat to keep it).
    pub entrypoint_script: Option<&'static str>,
    /// Server programs: the first word of a command line (or the word after an entrypoint
    /// script) that names this service when no image says it (a service run on the host).
    pub server_commands: &'static [&'static str],
    /// Environment variables only this image family reads: they name the service when
    /// no image does.
    pub env_signature: &'static [&'static str],
    pub data_dir: Option<DataDir>,
    /// What the entrypoint refuses to start without.
    pub required_env: &'static [EnvRequirement],
    /// What the entrypoint creates on first start, from which variable.
    pub provisions: &'static [Provision],
    pub auth: Option<&'static AuthFacts>,
    pub clients: &'static [ClientTool],
    /// Where these facts come from.
    pub source: &'static str,
}

/// A port a server listens on, and what changes it. Command-line settings win over
/// environment variables; the last command-line setting wins.
#[derive(Debug)]
pub struct PortSpec {
    pub default: u16,
    /// What the port is for (`"sql"`, `"http"`, `"management"`, ...).
    pub role: &'static str,
    pub settings: &'static [PortSetting],
}

/// One way of moving a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortSetting {
    /// A short option: `-p 5433` (two words, or one word with a space) or `-p5433`.
    Short(&'static str),
    /// A long option: `--port=5433`, and also `--port 5433` when `separate` is true.
    Long { name: &'static str, separate: bool },
    /// A server setting given through a flag: `-c port=5433` or `-cport=5433` (postgres),
    /// `-E http.port=9201` (Elasticsearch).
    Setting {
        flag: &'static str,
        key: &'static str,
    },
    /// An environment variable; its value is a port, `:PORT`, `HOST:PORT` or a list of
    /// listeners whose first one is used (`PLAINTEXT://:9092,CONTROLLER://:9093`).
    Env(&'static str),
}

/// Where the server keeps its data.
#[derive(Debug)]
pub struct DataDir {
    /// The variable that moves it (`PGDATA`), if any.
    pub variable: Option<&'static str>,
    /// Defaults by image major version: the last entry whose `from_major` is at most the
    /// image's major (or the last entry for an unknown version) applies; `{major}` in the
    /// path stands for the major version.
    pub defaults: &'static [(u32, &'static str)],
}

/// One of `any_of` must hold, or the entrypoint refuses to start.
#[derive(Debug)]
pub struct EnvRequirement {
    pub any_of: &'static [EnvCondition],
    /// What happens otherwise (for messages).
    pub otherwise: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvCondition {
    /// The variable is set to a non-empty value.
    Set(&'static str),
    /// The variable is set to this value (compared without case).
    Equals(&'static str, &'static str),
}

/// Something the entrypoint creates on first start.
#[derive(Debug)]
pub struct Provision {
    pub what: Provisioned,
    pub variable: &'static str,
    pub default: ProvisionDefault,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provisioned {
    Database,
    User,
    Password,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvisionDefault {
    /// Nothing is created unless the variable is set.
    None,
    Literal(&'static str),
    /// The value of another provision of the same image (`POSTGRES_DB` defaults to the
    /// value of `POSTGRES_USER`, itself `postgres` by default).
    SameAs(Provisioned),
}

/// How the server checks clients.
#[derive(Debug)]
pub struct AuthFacts {
    /// The method over the network, by image major version (last entry not above the
    /// major applies; unknown version: the last entry).
    pub network_method: &'static [(u32, &'static str)],
    /// Where connections are trusted without a password.
    pub trusted: &'static [&'static str],
    /// The variable that replaces the network method for every host, if any.
    pub method_env: Option<&'static str>,
    /// Where a client takes its password from.
    pub password_sources: &'static [&'static str],
    /// A client library too old for the network method: (method, library, first major that
    /// can do it).
    pub client_minimum: Option<(&'static str, &'static str, u32)>,
}

/// A client program and how it is told where the server is.
#[derive(Debug)]
pub struct ClientTool {
    pub name: &'static str,
    pub host_flags: &'static [&'static str],
    pub port_flags: &'static [&'static str],
    pub host_env: &'static [&'static str],
    pub port_env: &'static [&'static str],
    /// Whether it authenticates (a readiness probe such as `pg_isready` does not).
    pub authenticates: bool,
}

/// How a Background step's service was recognised.
#[derive(Clone, Debug, PartialEq)]
pub enum IdentifiedBy {
    Image(ImageRef),
    /// A server program in the command line (the word's span).
    Command(Span),
    /// A variable only that image family reads (the key's span).
    Environment(Span),
}

#[derive(Clone, Debug)]
pub struct Identification {
    pub service: &'static ServiceImage,
    pub by: IdentifiedBy,
}

/// The table entry for an image reference, and the parsed reference. `None` when the text
/// is not an image reference (empty, an expression) or names no service hlint knows.
pub fn identify_image(image: &str) -> Option<(ImageRef, &'static ServiceImage)> {
    let parsed = ImageRef::parse(image)?;
    let path = parsed.path().to_ascii_lowercase();
    let service = SERVICE_IMAGES
        .iter()
        .flat_map(|service| service.repositories.iter().map(move |repo| (repo, service)))
        .filter(|(repo, _)| {
            path == **repo
                || path
                    .strip_suffix(**repo)
                    .is_some_and(|rest| rest.ends_with('/'))
        })
        .max_by_key(|(repo, _)| repo.len())
        .map(|(_, service)| service)?;
    Some((parsed, service))
}

/// The service of a Background step: from its image when it has one, else from its command
/// line (a server program) or its environment (a variable only one image family reads), as
/// for a service run directly on the machine.
pub fn identify(image: Option<&str>, argv: &[Word], env: &[KeyValue]) -> Option<Identification> {
    if let Some(image) = image.filter(|image| !image.trim().is_empty()) {
        return identify_image(image).map(|(parsed, service)| Identification {
            service,
            by: IdentifiedBy::Image(parsed),
        });
    }
    let program = |word: &Word| {
        let name = word.0.rsplit('/').next().unwrap_or(&word.0).to_string();
        (name, word.1)
    };
    let mut programs: Vec<(String, Span)> = argv.first().map(program).into_iter().collect();
    if programs
        .first()
        .is_some_and(|(name, _)| name.ends_with("entrypoint.sh"))
    {
        programs.extend(argv.get(1).map(program));
    }
    for (name, span) in &programs {
        if let Some(service) = SERVICE_IMAGES
            .iter()
            .find(|service| service.server_commands.contains(&name.as_str()))
        {
            return Some(Identification {
                service,
                by: IdentifiedBy::Command(*span),
            });
        }
    }
    SERVICE_IMAGES.iter().find_map(|service| {
        let entry = env
            .iter()
            .find(|entry| service.env_signature.contains(&entry.key.value.as_str()))?;
        Some(Identification {
            service,
            by: IdentifiedBy::Environment(entry.key.span),
        })
    })
}

/// The client program `name` (a path's last component counts), with the service it talks to.
pub fn find_client(name: &str) -> Option<(&'static ServiceImage, &'static ClientTool)> {
    let name = name.rsplit('/').next().unwrap_or(name);
    SERVICE_IMAGES.iter().find_map(|service| {
        service
            .clients
            .iter()
            .find(|client| client.name == name)
            .map(|client| (service, client))
    })
}

/// The value of `name` in `env`, as written (the first, if repeated).
fn env_value<'e>(env: &'e [KeyValue], name: &str) -> Option<&'e KeyValue> {
    env.iter().find(|entry| entry.key.value == name)
}

/// The entry of a by-major-version list that applies to `major` (`None`: the newest).
fn by_major<T: Copy>(list: &[(u32, T)], major: Option<u32>) -> Option<T> {
    match major {
        Some(major) => list
            .iter()
            .rev()
            .find(|(from, _)| *from <= major)
            .map(|(_, v)| *v),
        None => list.last().map(|(_, v)| *v),
    }
}

impl EnvCondition {
    pub fn variable(self) -> &'static str {
        match self {
            EnvCondition::Set(name) | EnvCondition::Equals(name, _) => name,
        }
    }

    /// Whether `env` satisfies the condition (an expression value counts as satisfying it:
    /// hlint cannot know what it holds).
    pub fn holds(self, env: &[KeyValue]) -> bool {
        let Some(entry) = env_value(env, self.variable()) else {
            return false;
        };
        let value = entry.value.value.trim();
        if hlint_schema::model::is_expression(value) {
            return true;
        }
        match self {
            EnvCondition::Set(_) => !value.is_empty(),
            EnvCondition::Equals(_, expected) => value.eq_ignore_ascii_case(expected),
        }
    }
}

impl ServiceImage {
    /// The default ports, in table order.
    pub fn default_ports(&self) -> Vec<u16> {
        self.ports.iter().map(|port| port.default).collect()
    }

    /// The requirements `env` does not meet.
    pub fn unmet_requirements(&self, env: &[KeyValue]) -> Vec<&'static EnvRequirement> {
        self.required_env
            .iter()
            .filter(|requirement| !requirement.any_of.iter().any(|c| c.holds(env)))
            .collect()
    }

    /// The provision of `what`, if this image creates one.
    pub fn provision(&self, what: Provisioned) -> Option<&'static Provision> {
        self.provisions.iter().find(|p| p.what == what)
    }

    /// The name (or password) the entrypoint gives `what` under `env`: the variable's value,
    /// else its default. `None` when nothing is created (or the value is an expression).
    pub fn provisioned(&self, what: Provisioned, env: &[KeyValue]) -> Option<String> {
        let mut what = what;
        // `SameAs` chains are short; the bound only guards against a table mistake.
        for _ in 0..4 {
            let provision = self.provision(what)?;
            if let Some(entry) = env_value(env, provision.variable) {
                let value = entry.value.value.trim();
                if !value.is_empty() {
                    return (!hlint_schema::model::is_expression(value)).then(|| value.to_string());
                }
            }
            match provision.default {
                ProvisionDefault::None => return None,
                ProvisionDefault::Literal(value) => return Some(value.to_string()),
                ProvisionDefault::SameAs(other) => what = other,
            }
        }
        None
    }

    /// The data directory under `env` for image major version `major`.
    pub fn data_dir(&self, env: &[KeyValue], major: Option<u32>) -> Option<String> {
        let dir = self.data_dir.as_ref()?;
        if let Some(entry) = dir.variable.and_then(|name| env_value(env, name)) {
            if !entry.value.value.trim().is_empty() {
                return Some(entry.value.value.trim().to_string());
            }
        }
        let path = by_major(dir.defaults, major)?;
        let version = major.map_or_else(|| "<version>".to_string(), |m| m.to_string());
        Some(path.replace("{major}", &version))
    }

    /// The authentication method over the network for image major version `major`
    /// (`None`: unknown or `latest`, the newest), `method_env` taken into account.
    pub fn network_auth_method(&self, env: &[KeyValue], major: Option<u32>) -> Option<String> {
        let auth = self.auth?;
        if let Some(entry) = auth.method_env.and_then(|name| env_value(env, name)) {
            let value = entry.value.value.trim();
            if !value.is_empty() {
                return Some(value.to_string());
            }
        }
        by_major(auth.network_method, major).map(str::to_string)
    }

    /// True when `name` is the image's entrypoint script (as a path or a bare name).
    pub fn is_entrypoint_script(&self, name: &str) -> bool {
        let base = name.rsplit('/').next().unwrap_or(name);
        self.entrypoint_script
            .is_some_and(|script| script == name || script.rsplit('/').next() == Some(base))
    }
}

#[cfg(test)]
mod tests;
