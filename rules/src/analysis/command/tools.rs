//! What hlint knows about the client programs found in scripts: their options, positional
//! arguments, environment variables, defaults and what makes a call a readiness probe.
//! Data, in one table; `clients` reads calls with it.
//!
//! Sources: the man pages of psql, pg_isready, pg_dump (PostgreSQL 16, "Environment" and
//! libpq "Environment Variables"), mysql / mysqladmin (MySQL 8.0 "Command Options",
//! "Environment Variables"), redis-cli (Redis docs), mongosh ("Options"), curl, wget,
//! OpenBSD nc, ncat, telnet, and the bash manual (`/dev/tcp/host/port` redirections).
//!
//! Note on `-H`: none of these tools takes a host with `-H` (psql and mysql `-H` mean HTML
//! output, curl `-H` is a header), so `-H` is never read as a host.

/// A client program hlint recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    Psql,
    PgIsready,
    PgDump,
    Mysql,
    Mysqladmin,
    Mariadb,
    RedisCli,
    Mongosh,
    Mongo,
    Curl,
    Wget,
    Netcat,
    Telnet,
    /// A bash redirection to `/dev/tcp/HOST/PORT`.
    DevTcp,
}

/// The kind of service a client talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Postgres,
    Mysql,
    Redis,
    Mongo,
    Amqp,
    Http,
    /// A bare TCP connection (`nc`, `telnet`, `/dev/tcp`).
    Tcp,
}

/// What an option or positional argument sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Host,
    Port,
    User,
    Database,
    Password,
    /// Asks for a password on the terminal (psql `-W`): fails in CI.
    PasswordPrompt,
    /// A connection URI (redis-cli `-u`, curl `--url`).
    Uri,
    /// A database name, or a URI / `key=value` connection string (psql `-d`, positional).
    DatabaseOrConnection,
    /// mongosh's positional `[db address]`: a URI, `host:port/db`, `host/db` or `db`.
    Address,
    /// A URL (curl, wget positional).
    Url,
    /// A Unix socket path (mysql `-S`, redis-cli `-s`).
    Socket,
    /// mysql `--protocol`.
    Protocol,
    /// A sub-command (`mysqladmin ping`, `redis-cli ping`).
    Command,
    /// Code to run (mongosh `--eval`).
    Eval,
    /// A retry count (curl `--retry`, wget `--tries`, mysqladmin `--wait`).
    Retry,
    /// A flag that makes the call a probe (`nc -z`, `wget --spider`, `curl --head`).
    ProbeFlag,
    /// An option file that may hold a password (mysql `--defaults-file`).
    PasswordFile,
    /// Any other option that takes a value (skipped so the value is not a positional).
    Other,
}

/// Whether an option takes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    None,
    /// In the same word (`-p5433`, `--port=5433`) or the next one.
    Required,
    /// Only in the same word (`-ppassword`, `--password=pw`); alone it means "prompt".
    Optional,
}

/// One option: every name it has (`-h`, `--host`), its argument and what it sets.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    pub names: &'static [&'static str],
    pub arg: Arg,
    pub field: Field,
}

const fn opt(names: &'static [&'static str], arg: Arg, field: Field) -> Opt {
    Opt { names, arg, field }
}

/// How the default host of a tool is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostDefault {
    /// No default: the host must be given (curl, nc, telnet).
    None,
    /// A Unix-domain socket (libpq: `/var/run/postgresql` or `/tmp`).
    UnixSocket,
    /// `localhost`, which the MySQL client reads as its Unix socket unless told TCP.
    MysqlLocalhost,
    /// A loopback TCP address.
    Loopback(&'static str),
}

/// When a call is a readiness probe rather than a real use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeRule {
    /// Every call is a probe (pg_isready, telnet, `/dev/tcp`).
    Always,
    /// Never a probe (psql, pg_dump, mysql): always a real use.
    Never,
    /// A probe when a `Command` positional is one of these (case-insensitive).
    Command(&'static [&'static str]),
    /// A probe when a `ProbeFlag` option is given.
    Flag,
    /// A probe when `--eval` code mentions one of these.
    Eval(&'static [&'static str]),
    /// A probe when a `ProbeFlag` is given or the URL path looks like a health endpoint.
    HealthUrl,
}

/// Everything hlint knows about one client.
#[derive(Clone, Copy, Debug)]
pub struct ToolSpec {
    pub tool: Tool,
    /// Program names (basenames).
    pub programs: &'static [&'static str],
    pub service: Service,
    pub default_host: HostDefault,
    pub default_port: Option<u16>,
    pub options: &'static [Opt],
    /// What positional arguments mean, in order (extra positionals are ignored, except
    /// that every positional is a `Command` for tools whose first one is).
    pub positional: &'static [Field],
    /// Environment variables the tool reads.
    pub env: &'static [(&'static str, Field)],
    /// Files that hold passwords for this tool; a mention in the script counts as a source.
    pub password_files: &'static [&'static str],
    /// URI schemes the tool accepts in a URI argument.
    pub uri_schemes: &'static [&'static str],
    /// libpq: parameters of a URI / connection string in dbname override `-h`/`-p`/`-U`.
    pub uri_overrides_options: bool,
    pub probe: ProbeRule,
    /// getopt-style: `-hHOST` and `-qAt` clusters; options may follow positionals.
    pub getopt: bool,
    /// Parsing of options stops at the first positional (redis-cli: the rest is the command).
    pub options_end_at_positional: bool,
    /// Positionals after the listed ones mean what the last one means (`mysqladmin a b`).
    pub repeat_last_positional: bool,
}

const POSTGRES_ENV: &[(&str, Field)] = &[
    ("PGHOST", Field::Host),
    ("PGHOSTADDR", Field::Host),
    ("PGPORT", Field::Port),
    ("PGUSER", Field::User),
    ("PGDATABASE", Field::Database),
    ("PGPASSWORD", Field::Password),
    ("PGPASSFILE", Field::PasswordFile),
];

const MYSQL_ENV: &[(&str, Field)] = &[
    ("MYSQL_HOST", Field::Host),
    ("MYSQL_TCP_PORT", Field::Port),
    ("MYSQL_PWD", Field::Password),
    ("MYSQL_UNIX_PORT", Field::Socket),
];

const PSQL_OPTIONS: &[Opt] = &[
    opt(&["-h", "--host"], Arg::Required, Field::Host),
    opt(&["-p", "--port"], Arg::Required, Field::Port),
    opt(&["-U", "--username"], Arg::Required, Field::User),
    opt(
        &["-d", "--dbname"],
        Arg::Required,
        Field::DatabaseOrConnection,
    ),
    opt(&["-W", "--password"], Arg::None, Field::PasswordPrompt),
    opt(
        &[
            "-c",
            "--command",
            "-f",
            "--file",
            "-o",
            "--output",
            "-v",
            "--set",
            "--variable",
            "-P",
            "--pset",
            "-F",
            "--field-separator",
            "-R",
            "--record-separator",
            "-T",
            "--table-attr",
            "-L",
            "--log-file",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const PG_ISREADY_OPTIONS: &[Opt] = &[
    opt(&["-h", "--host"], Arg::Required, Field::Host),
    opt(&["-p", "--port"], Arg::Required, Field::Port),
    opt(&["-U", "--username"], Arg::Required, Field::User),
    opt(
        &["-d", "--dbname"],
        Arg::Required,
        Field::DatabaseOrConnection,
    ),
    opt(&["-t", "--timeout"], Arg::Required, Field::Other),
];

const PG_DUMP_OPTIONS: &[Opt] = &[
    opt(&["-h", "--host"], Arg::Required, Field::Host),
    opt(&["-p", "--port"], Arg::Required, Field::Port),
    opt(&["-U", "--username"], Arg::Required, Field::User),
    opt(
        &["-d", "--dbname"],
        Arg::Required,
        Field::DatabaseOrConnection,
    ),
    opt(&["-W", "--password"], Arg::None, Field::PasswordPrompt),
    opt(
        &[
            "-f",
            "--file",
            "-F",
            "--format",
            "-j",
            "--jobs",
            "-n",
            "--schema",
            "-N",
            "--exclude-schema",
            "-t",
            "--table",
            "-T",
            "--exclude-table",
            "-Z",
            "--compress",
            "-E",
            "--encoding",
            "-S",
            "--superuser",
            "--role",
            "--lock-wait-timeout",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const MYSQL_OPTIONS: &[Opt] = &[
    opt(&["-h", "--host"], Arg::Required, Field::Host),
    opt(&["-P", "--port"], Arg::Required, Field::Port),
    opt(&["-u", "--user"], Arg::Required, Field::User),
    opt(&["-D", "--database"], Arg::Required, Field::Database),
    opt(&["-p", "--password"], Arg::Optional, Field::Password),
    opt(&["-S", "--socket"], Arg::Required, Field::Socket),
    opt(&["--protocol"], Arg::Required, Field::Protocol),
    opt(
        &["--defaults-file", "--defaults-extra-file", "--login-path"],
        Arg::Required,
        Field::PasswordFile,
    ),
    opt(&["-w", "--wait"], Arg::Optional, Field::Retry),
    opt(
        &[
            "-e",
            "--execute",
            "--connect-timeout",
            "--default-character-set",
            "-O",
            "--set-variable",
            "--ssl-mode",
            "--ssl-ca",
            "--init-command",
            "--tee",
            "--pager",
            "--sleep",
            "--count",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const REDIS_OPTIONS: &[Opt] = &[
    opt(&["-h"], Arg::Required, Field::Host),
    opt(&["-p"], Arg::Required, Field::Port),
    opt(&["-a", "--pass"], Arg::Required, Field::Password),
    opt(&["--user"], Arg::Required, Field::User),
    opt(&["-u"], Arg::Required, Field::Uri),
    opt(&["-n"], Arg::Required, Field::Database),
    opt(&["-s"], Arg::Required, Field::Socket),
    opt(&["-r"], Arg::Required, Field::Retry),
    opt(
        &[
            "-i",
            "-d",
            "-D",
            "--cacert",
            "--cert",
            "--key",
            "--sni",
            "--eval",
            "--pattern",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const MONGO_OPTIONS: &[Opt] = &[
    opt(&["--host"], Arg::Required, Field::Host),
    opt(&["--port"], Arg::Required, Field::Port),
    opt(&["-u", "--username"], Arg::Required, Field::User),
    // mongosh prompts when `-p` has no value (it is last, or an option follows).
    opt(&["-p", "--password"], Arg::Required, Field::Password),
    opt(&["--eval"], Arg::Required, Field::Eval),
    opt(
        &[
            "--authenticationDatabase",
            "--authenticationMechanism",
            "-f",
            "--file",
            "--tlsCAFile",
            "--tlsCertificateKeyFile",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const CURL_OPTIONS: &[Opt] = &[
    opt(&["--url"], Arg::Required, Field::Url),
    opt(&["--retry"], Arg::Required, Field::Retry),
    opt(&["-I", "--head"], Arg::None, Field::ProbeFlag),
    opt(&["-u", "--user"], Arg::Required, Field::User),
    opt(
        &[
            "-o",
            "--output",
            "-w",
            "--write-out",
            "-H",
            "--header",
            "-d",
            "--data",
            "--data-raw",
            "--data-binary",
            "--data-urlencode",
            "-X",
            "--request",
            "-m",
            "--max-time",
            "--connect-timeout",
            "--retry-delay",
            "--retry-max-time",
            "-A",
            "--user-agent",
            "-e",
            "--referer",
            "-F",
            "--form",
            "-T",
            "--upload-file",
            "-x",
            "--proxy",
            "-b",
            "--cookie",
            "-c",
            "--cookie-jar",
            "-K",
            "--config",
            "-E",
            "--cert",
            "--cacert",
            "--key",
            "-r",
            "--range",
            "-z",
            "--time-cond",
            "--resolve",
            "--connect-to",
            "-y",
            "--speed-time",
            "-Y",
            "--speed-limit",
            "--json",
            "--oauth2-bearer",
            "-U",
            "--proxy-user",
            "--interface",
            "--unix-socket",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const WGET_OPTIONS: &[Opt] = &[
    opt(&["--spider"], Arg::None, Field::ProbeFlag),
    opt(&["-t", "--tries"], Arg::Required, Field::Retry),
    opt(&["--user", "--http-user"], Arg::Required, Field::User),
    opt(
        &["--password", "--http-password"],
        Arg::Required,
        Field::Password,
    ),
    opt(
        &[
            "-O",
            "--output-document",
            "-o",
            "--output-file",
            "-a",
            "--append-output",
            "-T",
            "--timeout",
            "-w",
            "--wait",
            "--header",
            "-U",
            "--user-agent",
            "-P",
            "--directory-prefix",
            "--post-data",
            "--body-data",
            "--method",
            "-e",
            "--execute",
            "--waitretry",
            "--read-timeout",
            "--connect-timeout",
            "--dns-timeout",
        ],
        Arg::Required,
        Field::Other,
    ),
];

const NETCAT_OPTIONS: &[Opt] = &[
    opt(&["-z", "--zero"], Arg::None, Field::ProbeFlag),
    // `-p` is the *source* port for nc.
    opt(
        &[
            "-w",
            "--wait",
            "-p",
            "--source-port",
            "-s",
            "--source",
            "-i",
            "--delay",
            "-q",
            "-x",
            "--proxy",
            "-X",
            "--proxy-type",
            "-I",
            "-O",
            "-T",
            "-V",
            "-M",
            "-m",
            "-e",
            "--exec",
            "-c",
            "--sh-exec",
            "-G",
            "-g",
            "-o",
            "--output",
        ],
        Arg::Required,
        Field::Other,
    ),
];

/// The tool table.
/// `mongosh`; the legacy `mongo` shell reads its command line the same way.
const MONGOSH: ToolSpec = ToolSpec {
    tool: Tool::Mongosh,
    programs: &["mongosh"],
    service: Service::Mongo,
    default_host: HostDefault::Loopback("127.0.0.1"),
    default_port: Some(27017),
    options: MONGO_OPTIONS,
    positional: &[Field::Address],
    env: &[],
    password_files: &[],
    uri_schemes: &["mongodb", "mongodb+srv"],
    uri_overrides_options: false,
    probe: ProbeRule::Eval(&["ping", "isMaster", "hello", "serverStatus"]),
    getopt: false,
    options_end_at_positional: false,
    repeat_last_positional: false,
};

pub const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        tool: Tool::Psql,
        programs: &["psql"],
        service: Service::Postgres,
        default_host: HostDefault::UnixSocket,
        default_port: Some(5432),
        options: PSQL_OPTIONS,
        positional: &[Field::DatabaseOrConnection, Field::User],
        env: POSTGRES_ENV,
        password_files: &[".pgpass"],
        uri_schemes: &["postgres", "postgresql"],
        uri_overrides_options: true,
        probe: ProbeRule::Never,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::PgIsready,
        programs: &["pg_isready"],
        service: Service::Postgres,
        default_host: HostDefault::UnixSocket,
        default_port: Some(5432),
        options: PG_ISREADY_OPTIONS,
        positional: &[],
        env: POSTGRES_ENV,
        password_files: &[".pgpass"],
        uri_schemes: &["postgres", "postgresql"],
        uri_overrides_options: true,
        probe: ProbeRule::Always,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::PgDump,
        programs: &["pg_dump", "pg_dumpall"],
        service: Service::Postgres,
        default_host: HostDefault::UnixSocket,
        default_port: Some(5432),
        options: PG_DUMP_OPTIONS,
        positional: &[Field::DatabaseOrConnection],
        env: POSTGRES_ENV,
        password_files: &[".pgpass"],
        uri_schemes: &["postgres", "postgresql"],
        uri_overrides_options: true,
        probe: ProbeRule::Never,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::Mysql,
        programs: &["mysql"],
        service: Service::Mysql,
        default_host: HostDefault::MysqlLocalhost,
        default_port: Some(3306),
        options: MYSQL_OPTIONS,
        positional: &[Field::Database],
        env: MYSQL_ENV,
        password_files: &[".my.cnf", ".mylogin.cnf"],
        uri_schemes: &[],
        uri_overrides_options: false,
        probe: ProbeRule::Never,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::Mariadb,
        programs: &["mariadb"],
        service: Service::Mysql,
        default_host: HostDefault::MysqlLocalhost,
        default_port: Some(3306),
        options: MYSQL_OPTIONS,
        positional: &[Field::Database],
        env: MYSQL_ENV,
        password_files: &[".my.cnf"],
        uri_schemes: &[],
        uri_overrides_options: false,
        probe: ProbeRule::Never,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::Mysqladmin,
        programs: &["mysqladmin", "mariadb-admin"],
        service: Service::Mysql,
        default_host: HostDefault::MysqlLocalhost,
        default_port: Some(3306),
        options: MYSQL_OPTIONS,
        positional: &[Field::Command],
        env: MYSQL_ENV,
        password_files: &[".my.cnf", ".mylogin.cnf"],
        uri_schemes: &[],
        uri_overrides_options: false,
        probe: ProbeRule::Command(&["ping", "status"]),
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: true,
    },
    ToolSpec {
        tool: Tool::RedisCli,
        programs: &["redis-cli", "valkey-cli"],
        service: Service::Redis,
        default_host: HostDefault::Loopback("127.0.0.1"),
        default_port: Some(6379),
        options: REDIS_OPTIONS,
        positional: &[Field::Command],
        env: &[("REDISCLI_AUTH", Field::Password)],
        password_files: &[],
        uri_schemes: &["redis", "rediss"],
        uri_overrides_options: false,
        probe: ProbeRule::Command(&["ping"]),
        getopt: false,
        options_end_at_positional: true,
        repeat_last_positional: false,
    },
    MONGOSH,
    // The legacy `mongo` shell takes the same options.
    ToolSpec {
        tool: Tool::Mongo,
        programs: &["mongo"],
        ..MONGOSH
    },
    ToolSpec {
        tool: Tool::Curl,
        programs: &["curl"],
        service: Service::Http,
        default_host: HostDefault::None,
        default_port: None,
        options: CURL_OPTIONS,
        positional: &[Field::Url],
        env: &[],
        password_files: &[".netrc"],
        uri_schemes: &["http", "https"],
        uri_overrides_options: false,
        probe: ProbeRule::HealthUrl,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::Wget,
        programs: &["wget"],
        service: Service::Http,
        default_host: HostDefault::None,
        default_port: None,
        options: WGET_OPTIONS,
        positional: &[Field::Url],
        env: &[],
        password_files: &[".netrc", ".wgetrc"],
        uri_schemes: &["http", "https"],
        uri_overrides_options: false,
        probe: ProbeRule::HealthUrl,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::Netcat,
        programs: &["nc", "ncat", "netcat"],
        service: Service::Tcp,
        default_host: HostDefault::None,
        default_port: None,
        options: NETCAT_OPTIONS,
        positional: &[Field::Host, Field::Port],
        env: &[],
        password_files: &[],
        uri_schemes: &[],
        uri_overrides_options: false,
        probe: ProbeRule::Flag,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::Telnet,
        programs: &["telnet"],
        service: Service::Tcp,
        default_host: HostDefault::None,
        default_port: Some(23),
        options: &[],
        positional: &[Field::Host, Field::Port],
        env: &[],
        password_files: &[],
        uri_schemes: &[],
        uri_overrides_options: false,
        probe: ProbeRule::Always,
        getopt: true,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
    ToolSpec {
        tool: Tool::DevTcp,
        programs: &[],
        service: Service::Tcp,
        default_host: HostDefault::None,
        default_port: None,
        options: &[],
        positional: &[],
        env: &[],
        password_files: &[],
        uri_schemes: &[],
        uri_overrides_options: false,
        probe: ProbeRule::Always,
        getopt: false,
        options_end_at_positional: false,
        repeat_last_positional: false,
    },
];

/// URI schemes hlint parses, the service behind each and its default port.
pub const URI_SCHEMES: &[(&str, Service, u16)] = &[
    ("postgres", Service::Postgres, 5432),
    ("postgresql", Service::Postgres, 5432),
    ("mysql", Service::Mysql, 3306),
    ("redis", Service::Redis, 6379),
    ("rediss", Service::Redis, 6379),
    ("mongodb", Service::Mongo, 27017),
    ("mongodb+srv", Service::Mongo, 27017),
    ("amqp", Service::Amqp, 5672),
    ("amqps", Service::Amqp, 5671),
    ("http", Service::Http, 80),
    ("https", Service::Http, 443),
];

/// Path words of health endpoints (`/health`, `/healthz`, `/ready`, `/_cluster/health`).
pub const HEALTH_PATHS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "ready",
    "readyz",
    "readiness",
    "live",
    "livez",
    "liveness",
    "ping",
    "status",
    "alive",
    "_cluster/health",
    "actuator/health",
];

/// Commands (after wrappers) that run a client inside another container or host: their
/// arguments are never read as client calls of this script.
pub const REMOTE_RUNNERS: &[&str] = &["docker", "podman", "kubectl", "ssh", "nerdctl"];

pub fn tool_spec(tool: Tool) -> &'static ToolSpec {
    TOOLS
        .iter()
        .find(|spec| spec.tool == tool)
        .expect("every tool has a row")
}

/// The tool run by program `name` (a basename).
pub fn tool_for_program(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|spec| spec.programs.contains(&name))
}

/// The service and default port of a URI scheme (case-insensitive).
pub fn scheme_info(scheme: &str) -> Option<(Service, u16)> {
    URI_SCHEMES
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(scheme))
        .map(|&(_, service, port)| (service, port))
}

impl ToolSpec {
    /// The option called `name` (`-h`, `--host`).
    pub fn option(&self, name: &str) -> Option<&'static Opt> {
        self.options.iter().find(|o| o.names.contains(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_one_row_and_programs_are_unique() {
        let mut programs: Vec<&str> = Vec::new();
        for spec in TOOLS {
            assert_eq!(tool_spec(spec.tool).tool, spec.tool);
            programs.extend(spec.programs.iter().copied());
        }
        let count = programs.len();
        programs.sort_unstable();
        programs.dedup();
        assert_eq!(programs.len(), count);
        assert_eq!(
            tool_for_program("pg_isready").unwrap().tool,
            Tool::PgIsready
        );
        assert!(tool_for_program("docker").is_none());
    }

    #[test]
    fn no_tool_reads_capital_h_as_host() {
        for spec in TOOLS {
            if let Some(o) = spec.option("-H") {
                assert_ne!(o.field, Field::Host, "{:?}", spec.tool);
            }
        }
    }
}
