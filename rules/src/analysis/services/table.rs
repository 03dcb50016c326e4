//! The service table: one entry per image family. Data only; `services.rs` reads it.
//!
//! Entries are listed official image first: when no image names the service (a Background
//! step run on the machine), the first entry whose server program or environment matches
//! is taken.

use super::{
    AuthFacts, ClientTool, DataDir, EnvCondition, EnvRequirement, PortSetting, PortSpec, Provision,
    ProvisionDefault, Provisioned, ServiceImage, ServiceKind,
};
use EnvCondition::{Equals, Set};
use PortSetting::{Env, Long, Setting, Short};

// ---- PostgreSQL ---------------------------------------------------------------------------

/// The server's own options (`postgres -p N`, `-c port=N`, `--port=N`) and `PGPORT`, which
/// the server reads as its default port (harness-ci-facts.md, "PostgreSQL official image").
const POSTGRES_PORT: &[PortSetting] = &[
    Short("-p"),
    Long {
        name: "--port",
        separate: false,
    },
    Setting {
        flag: "-c",
        key: "port",
    },
    Env("PGPORT"),
];

/// Official image: md5 over the network before 14, SCRAM from 14 on; the image's pg_hba.conf
/// trusts the unix socket, 127.0.0.1 and ::1. libpq learnt SCRAM in version 10.
const POSTGRES_AUTH: AuthFacts = AuthFacts {
    network_method: &[(0, "md5"), (14, "scram-sha-256")],
    trusted: &["unix socket", "127.0.0.1", "::1"],
    method_env: Some("POSTGRES_HOST_AUTH_METHOD"),
    password_sources: &["PGPASSWORD", "password in the connection URI", "~/.pgpass"],
    client_minimum: Some(("scram-sha-256", "libpq", 10)),
};

const POSTGRES_CLIENTS: &[ClientTool] = &[
    pg_client("psql", true),
    pg_client("pg_isready", false),
    pg_client("pg_dump", true),
    pg_client("pg_restore", true),
    pg_client("createdb", true),
    pg_client("dropdb", true),
    pg_client("createuser", true),
];

const fn pg_client(name: &'static str, authenticates: bool) -> ClientTool {
    ClientTool {
        name,
        host_flags: &["-h", "--host"],
        port_flags: &["-p", "--port"],
        host_env: &["PGHOST"],
        port_env: &["PGPORT"],
        authenticates,
    }
}

// ---- MySQL and MariaDB ------------------------------------------------------------------

const MYSQL_PORT: &[PortSetting] = &[
    Short("-P"),
    Long {
        name: "--port",
        separate: true,
    },
    Env("MYSQL_TCP_PORT"),
];

const MYSQLX_PORT: &[PortSetting] = &[
    Long {
        name: "--mysqlx-port",
        separate: true,
    },
    Long {
        name: "--mysqlx_port",
        separate: true,
    },
];

const fn mysql_client(name: &'static str, authenticates: bool) -> ClientTool {
    ClientTool {
        name,
        host_flags: &["-h", "--host"],
        port_flags: &["-P", "--port"],
        host_env: &["MYSQL_HOST"],
        port_env: &["MYSQL_TCP_PORT"],
        authenticates,
    }
}

const MYSQL_CLIENTS: &[ClientTool] = &[
    mysql_client("mysql", true),
    mysql_client("mysqladmin", true),
    mysql_client("mysqldump", true),
    mysql_client("mysqlsh", true),
];

const MARIADB_CLIENTS: &[ClientTool] = &[
    mysql_client("mariadb", true),
    mysql_client("mariadb-admin", true),
    mysql_client("mariadb-dump", true),
];

const MYSQL_AUTH: AuthFacts = AuthFacts {
    network_method: &[(0, "mysql_native_password"), (8, "caching_sha2_password")],
    trusted: &[],
    method_env: None,
    password_sources: &["-p/--password", "MYSQL_PWD", "~/.my.cnf"],
    client_minimum: Some(("caching_sha2_password", "libmysqlclient", 8)),
};

const MARIADB_AUTH: AuthFacts = AuthFacts {
    network_method: &[(0, "mysql_native_password")],
    trusted: &[],
    method_env: None,
    password_sources: &["-p/--password", "MYSQL_PWD", "~/.my.cnf"],
    client_minimum: None,
};

// ---- Redis and Valkey -------------------------------------------------------------------

const REDIS_PORT: &[PortSetting] = &[Long {
    name: "--port",
    separate: true,
}];

const fn redis_client(name: &'static str) -> ClientTool {
    ClientTool {
        name,
        host_flags: &["-h"],
        port_flags: &["-p"],
        host_env: &[],
        port_env: &[],
        authenticates: false,
    }
}

// ---- MongoDB -----------------------------------------------------------------------------

const MONGO_PORT: &[PortSetting] = &[Long {
    name: "--port",
    separate: true,
}];

const fn mongo_client(name: &'static str) -> ClientTool {
    ClientTool {
        name,
        host_flags: &["--host", "-h"],
        port_flags: &["--port"],
        host_env: &[],
        port_env: &[],
        authenticates: true,
    }
}

// ---- The table ---------------------------------------------------------------------------

const NO_CLIENTS: &[ClientTool] = &[];

pub static SERVICE_IMAGES: &[ServiceImage] = &[
    ServiceImage {
        kind: ServiceKind::Postgres,
        repositories: &[
            "postgres",
            "postgis/postgis",
            "timescale/timescaledb",
            "pgvector/pgvector",
        ],
        ports: &[PortSpec {
            default: 5432,
            role: "sql",
            settings: POSTGRES_PORT,
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["postgres", "postmaster", "pg_ctl"],
        env_signature: &[
            "POSTGRES_PASSWORD",
            "POSTGRES_HOST_AUTH_METHOD",
            "POSTGRES_USER",
            "POSTGRES_DB",
            "POSTGRES_INITDB_ARGS",
            "PGDATA",
        ],
        data_dir: Some(DataDir {
            variable: Some("PGDATA"),
            // From 18 on the image keeps each major version's data apart.
            defaults: &[
                (0, "/var/lib/postgresql/data"),
                (18, "/var/lib/postgresql/{major}/docker"),
            ],
        }),
        required_env: &[EnvRequirement {
            any_of: &[
                Set("POSTGRES_PASSWORD"),
                Equals("POSTGRES_HOST_AUTH_METHOD", "trust"),
            ],
            otherwise: "the entrypoint refuses to initialise the database: \
                        \"superuser password is not specified\"",
        }],
        provisions: &[
            Provision {
                what: Provisioned::User,
                variable: "POSTGRES_USER",
                default: ProvisionDefault::Literal("postgres"),
            },
            Provision {
                what: Provisioned::Password,
                variable: "POSTGRES_PASSWORD",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Database,
                variable: "POSTGRES_DB",
                default: ProvisionDefault::SameAs(Provisioned::User),
            },
        ],
        auth: Some(&POSTGRES_AUTH),
        clients: POSTGRES_CLIENTS,
        source: "hub.docker.com/_/postgres; docker-library/postgres docker-entrypoint.sh; \
                 harness-ci-facts.md (PostgreSQL official image)",
    },
    ServiceImage {
        kind: ServiceKind::Postgres,
        repositories: &["bitnami/postgresql"],
        ports: &[PortSpec {
            default: 5432,
            role: "sql",
            settings: &[
                Short("-p"),
                Setting {
                    flag: "-c",
                    key: "port",
                },
                Env("POSTGRESQL_PORT_NUMBER"),
            ],
        }],
        entrypoint_script: Some("/opt/bitnami/scripts/postgresql/entrypoint.sh"),
        server_commands: &[],
        env_signature: &[
            "POSTGRESQL_PASSWORD",
            "POSTGRESQL_USERNAME",
            "POSTGRESQL_DATABASE",
        ],
        data_dir: Some(DataDir {
            variable: Some("POSTGRESQL_DATA_DIR"),
            defaults: &[(0, "/bitnami/postgresql/data")],
        }),
        required_env: &[EnvRequirement {
            any_of: &[
                Set("POSTGRESQL_PASSWORD"),
                Set("POSTGRES_PASSWORD"),
                Equals("ALLOW_EMPTY_PASSWORD", "yes"),
            ],
            otherwise: "the entrypoint exits: a password is required unless \
                        ALLOW_EMPTY_PASSWORD=yes",
        }],
        provisions: &[
            Provision {
                what: Provisioned::User,
                variable: "POSTGRESQL_USERNAME",
                default: ProvisionDefault::Literal("postgres"),
            },
            Provision {
                what: Provisioned::Password,
                variable: "POSTGRESQL_PASSWORD",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Database,
                variable: "POSTGRESQL_DATABASE",
                default: ProvisionDefault::Literal("postgres"),
            },
        ],
        auth: None,
        clients: POSTGRES_CLIENTS,
        source: "hub.docker.com/r/bitnami/postgresql (Configuration)",
    },
    ServiceImage {
        kind: ServiceKind::Mysql,
        repositories: &["mysql"],
        ports: &[
            PortSpec {
                default: 3306,
                role: "sql",
                settings: MYSQL_PORT,
            },
            PortSpec {
                default: 33060,
                role: "x-protocol",
                settings: MYSQLX_PORT,
            },
        ],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["mysqld"],
        env_signature: &[
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
            "MYSQL_DATABASE",
        ],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/var/lib/mysql")],
        }),
        required_env: &[EnvRequirement {
            any_of: &[
                Set("MYSQL_ROOT_PASSWORD"),
                Set("MYSQL_ALLOW_EMPTY_PASSWORD"),
                Set("MYSQL_RANDOM_ROOT_PASSWORD"),
            ],
            otherwise: "the entrypoint exits: \"Database is uninitialized and password \
                        option is not specified\"",
        }],
        provisions: &[
            Provision {
                what: Provisioned::Database,
                variable: "MYSQL_DATABASE",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::User,
                variable: "MYSQL_USER",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Password,
                variable: "MYSQL_PASSWORD",
                default: ProvisionDefault::None,
            },
        ],
        auth: Some(&MYSQL_AUTH),
        clients: MYSQL_CLIENTS,
        source: "hub.docker.com/_/mysql; docker-library/mysql docker-entrypoint.sh",
    },
    ServiceImage {
        kind: ServiceKind::Mariadb,
        repositories: &["mariadb"],
        ports: &[PortSpec {
            default: 3306,
            role: "sql",
            settings: MYSQL_PORT,
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["mariadbd"],
        env_signature: &[
            "MARIADB_ROOT_PASSWORD",
            "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
            "MARIADB_RANDOM_ROOT_PASSWORD",
            "MARIADB_DATABASE",
        ],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/var/lib/mysql")],
        }),
        required_env: &[EnvRequirement {
            any_of: &[
                Set("MARIADB_ROOT_PASSWORD"),
                Set("MARIADB_ROOT_PASSWORD_HASH"),
                Set("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"),
                Set("MARIADB_RANDOM_ROOT_PASSWORD"),
                Set("MYSQL_ROOT_PASSWORD"),
                Set("MYSQL_ALLOW_EMPTY_PASSWORD"),
                Set("MYSQL_RANDOM_ROOT_PASSWORD"),
            ],
            otherwise: "the entrypoint exits: \"Database is uninitialized and password \
                        option is not specified\"",
        }],
        provisions: &[
            Provision {
                what: Provisioned::Database,
                variable: "MARIADB_DATABASE",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::User,
                variable: "MARIADB_USER",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Password,
                variable: "MARIADB_PASSWORD",
                default: ProvisionDefault::None,
            },
        ],
        auth: Some(&MARIADB_AUTH),
        clients: MARIADB_CLIENTS,
        source: "hub.docker.com/_/mariadb (MYSQL_* names are accepted as aliases)",
    },
    ServiceImage {
        kind: ServiceKind::Redis,
        repositories: &["redis"],
        ports: &[PortSpec {
            default: 6379,
            role: "redis",
            settings: REDIS_PORT,
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["redis-server"],
        env_signature: &[],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/data")],
        }),
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: &[redis_client("redis-cli")],
        source: "hub.docker.com/_/redis",
    },
    ServiceImage {
        kind: ServiceKind::Redis,
        repositories: &["bitnami/redis"],
        ports: &[PortSpec {
            default: 6379,
            role: "redis",
            settings: &[Env("REDIS_PORT_NUMBER")],
        }],
        entrypoint_script: Some("/opt/bitnami/scripts/redis/entrypoint.sh"),
        server_commands: &[],
        env_signature: &["REDIS_PASSWORD"],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/bitnami/redis/data")],
        }),
        required_env: &[EnvRequirement {
            any_of: &[Set("REDIS_PASSWORD"), Equals("ALLOW_EMPTY_PASSWORD", "yes")],
            otherwise: "the entrypoint exits: a password is required unless \
                        ALLOW_EMPTY_PASSWORD=yes",
        }],
        provisions: &[Provision {
            what: Provisioned::Password,
            variable: "REDIS_PASSWORD",
            default: ProvisionDefault::None,
        }],
        auth: None,
        clients: &[redis_client("redis-cli")],
        source: "hub.docker.com/r/bitnami/redis (Configuration)",
    },
    ServiceImage {
        kind: ServiceKind::Valkey,
        repositories: &["valkey/valkey"],
        ports: &[PortSpec {
            default: 6379,
            role: "redis",
            settings: REDIS_PORT,
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["valkey-server"],
        env_signature: &[],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/data")],
        }),
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: &[redis_client("valkey-cli")],
        source: "hub.docker.com/r/valkey/valkey",
    },
    ServiceImage {
        kind: ServiceKind::Mongo,
        repositories: &["mongo"],
        ports: &[PortSpec {
            default: 27017,
            role: "mongodb",
            settings: MONGO_PORT,
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["mongod"],
        env_signature: &[
            "MONGO_INITDB_ROOT_USERNAME",
            "MONGO_INITDB_ROOT_PASSWORD",
            "MONGO_INITDB_DATABASE",
        ],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/data/db")],
        }),
        required_env: &[],
        provisions: &[
            Provision {
                what: Provisioned::User,
                variable: "MONGO_INITDB_ROOT_USERNAME",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Password,
                variable: "MONGO_INITDB_ROOT_PASSWORD",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Database,
                variable: "MONGO_INITDB_DATABASE",
                default: ProvisionDefault::None,
            },
        ],
        auth: None,
        clients: &[mongo_client("mongosh"), mongo_client("mongo")],
        source: "hub.docker.com/_/mongo",
    },
    ServiceImage {
        kind: ServiceKind::Mongo,
        repositories: &["bitnami/mongodb"],
        ports: &[PortSpec {
            default: 27017,
            role: "mongodb",
            settings: &[Env("MONGODB_PORT_NUMBER")],
        }],
        entrypoint_script: Some("/opt/bitnami/scripts/mongodb/entrypoint.sh"),
        server_commands: &[],
        env_signature: &["MONGODB_ROOT_PASSWORD"],
        data_dir: None,
        required_env: &[EnvRequirement {
            any_of: &[
                Set("MONGODB_ROOT_PASSWORD"),
                Equals("ALLOW_EMPTY_PASSWORD", "yes"),
            ],
            otherwise: "the entrypoint exits: a password is required unless \
                        ALLOW_EMPTY_PASSWORD=yes",
        }],
        provisions: &[
            Provision {
                what: Provisioned::User,
                variable: "MONGODB_USERNAME",
                default: ProvisionDefault::None,
            },
            Provision {
                what: Provisioned::Database,
                variable: "MONGODB_DATABASE",
                default: ProvisionDefault::None,
            },
        ],
        auth: None,
        clients: &[],
        source: "hub.docker.com/r/bitnami/mongodb (Configuration)",
    },
    ServiceImage {
        kind: ServiceKind::Rabbitmq,
        repositories: &["rabbitmq"],
        ports: &[
            PortSpec {
                default: 5672,
                role: "amqp",
                settings: &[Env("RABBITMQ_NODE_PORT")],
            },
            // Only the `-management` tags run the management plugin.
            PortSpec {
                default: 15672,
                role: "management",
                settings: &[],
            },
        ],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["rabbitmq-server"],
        env_signature: &["RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/var/lib/rabbitmq")],
        }),
        required_env: &[],
        provisions: &[
            Provision {
                what: Provisioned::User,
                variable: "RABBITMQ_DEFAULT_USER",
                default: ProvisionDefault::Literal("guest"),
            },
            Provision {
                what: Provisioned::Password,
                variable: "RABBITMQ_DEFAULT_PASS",
                default: ProvisionDefault::Literal("guest"),
            },
        ],
        auth: None,
        clients: &[],
        source: "hub.docker.com/_/rabbitmq; rabbitmq.com/docs/networking",
    },
    ServiceImage {
        kind: ServiceKind::Elasticsearch,
        repositories: &["elasticsearch", "elasticsearch/elasticsearch"],
        ports: &[
            PortSpec {
                default: 9200,
                role: "http",
                settings: &[
                    Setting {
                        flag: "-E",
                        key: "http.port",
                    },
                    Env("http.port"),
                    Env("ES_SETTING_HTTP_PORT"),
                ],
            },
            PortSpec {
                default: 9300,
                role: "transport",
                settings: &[
                    Setting {
                        flag: "-E",
                        key: "transport.port",
                    },
                    Env("transport.port"),
                    Env("ES_SETTING_TRANSPORT_PORT"),
                ],
            },
        ],
        entrypoint_script: Some("/usr/local/bin/docker-entrypoint.sh"),
        server_commands: &["elasticsearch"],
        env_signature: &["ELASTIC_PASSWORD"],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/usr/share/elasticsearch/data")],
        }),
        required_env: &[],
        // The superuser is `elastic`; from 8.0 security is on and TLS is used over HTTP.
        provisions: &[Provision {
            what: Provisioned::Password,
            variable: "ELASTIC_PASSWORD",
            default: ProvisionDefault::None,
        }],
        auth: None,
        clients: NO_CLIENTS,
        source: "elastic.co/guide (Install Elasticsearch with Docker)",
    },
    ServiceImage {
        kind: ServiceKind::Opensearch,
        repositories: &["opensearchproject/opensearch"],
        ports: &[
            PortSpec {
                default: 9200,
                role: "http",
                settings: &[
                    Setting {
                        flag: "-E",
                        key: "http.port",
                    },
                    Env("http.port"),
                ],
            },
            PortSpec {
                default: 9600,
                role: "performance-analyzer",
                settings: &[],
            },
        ],
        entrypoint_script: Some("./opensearch-docker-entrypoint.sh"),
        server_commands: &["opensearch"],
        env_signature: &["OPENSEARCH_INITIAL_ADMIN_PASSWORD"],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/usr/share/opensearch/data")],
        }),
        // From 2.12 on the security plugin wants OPENSEARCH_INITIAL_ADMIN_PASSWORD; the table
        // has no minor versions, so it is not listed as required.
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "hub.docker.com/r/opensearchproject/opensearch",
    },
    ServiceImage {
        kind: ServiceKind::Memcached,
        repositories: &["memcached"],
        ports: &[PortSpec {
            default: 11211,
            role: "memcached",
            settings: &[
                Short("-p"),
                Long {
                    name: "--port",
                    separate: true,
                },
            ],
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["memcached"],
        env_signature: &[],
        data_dir: None,
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "hub.docker.com/_/memcached; memcached -h",
    },
    ServiceImage {
        kind: ServiceKind::Kafka,
        repositories: &[
            "bitnami/kafka",
            "confluentinc/cp-kafka",
            "confluentinc/confluent-local",
            "apache/kafka",
        ],
        ports: &[PortSpec {
            default: 9092,
            role: "kafka",
            settings: &[Env("KAFKA_CFG_LISTENERS"), Env("KAFKA_LISTENERS")],
        }],
        entrypoint_script: None,
        server_commands: &["kafka-server-start.sh"],
        env_signature: &[
            "KAFKA_CFG_LISTENERS",
            "KAFKA_LISTENERS",
            "KAFKA_ADVERTISED_LISTENERS",
        ],
        data_dir: None,
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "hub.docker.com/r/bitnami/kafka; docs.confluent.io (cp-kafka configuration)",
    },
    ServiceImage {
        kind: ServiceKind::Localstack,
        repositories: &["localstack/localstack"],
        ports: &[PortSpec {
            default: 4566,
            role: "gateway",
            settings: &[Env("GATEWAY_LISTEN"), Env("EDGE_PORT")],
        }],
        entrypoint_script: Some("docker-entrypoint.sh"),
        server_commands: &["localstack"],
        env_signature: &["LOCALSTACK_AUTH_TOKEN", "GATEWAY_LISTEN"],
        data_dir: None,
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "docs.localstack.cloud (configuration: GATEWAY_LISTEN)",
    },
    ServiceImage {
        kind: ServiceKind::Minio,
        repositories: &["minio/minio"],
        // The console's port is random unless `--console-address` is given: not listed.
        ports: &[PortSpec {
            default: 9000,
            role: "s3",
            settings: &[
                Long {
                    name: "--address",
                    separate: true,
                },
                Env("MINIO_ADDRESS"),
            ],
        }],
        entrypoint_script: Some("/usr/bin/docker-entrypoint.sh"),
        server_commands: &["minio"],
        env_signature: &["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"],
        data_dir: None,
        required_env: &[],
        provisions: &[
            Provision {
                what: Provisioned::User,
                variable: "MINIO_ROOT_USER",
                default: ProvisionDefault::Literal("minioadmin"),
            },
            Provision {
                what: Provisioned::Password,
                variable: "MINIO_ROOT_PASSWORD",
                default: ProvisionDefault::Literal("minioadmin"),
            },
        ],
        auth: None,
        clients: NO_CLIENTS,
        source: "min.io/docs (MinIO server command; root credentials)",
    },
    ServiceImage {
        kind: ServiceKind::Minio,
        repositories: &["bitnami/minio"],
        ports: &[PortSpec {
            default: 9000,
            role: "s3",
            settings: &[Env("MINIO_API_PORT_NUMBER")],
        }],
        entrypoint_script: Some("/opt/bitnami/scripts/minio/entrypoint.sh"),
        server_commands: &[],
        env_signature: &[],
        data_dir: None,
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "hub.docker.com/r/bitnami/minio (Configuration)",
    },
    ServiceImage {
        kind: ServiceKind::Zookeeper,
        repositories: &["zookeeper"],
        ports: &[PortSpec {
            default: 2181,
            role: "client",
            settings: &[],
        }],
        entrypoint_script: Some("/docker-entrypoint.sh"),
        server_commands: &["zkServer.sh"],
        env_signature: &[],
        data_dir: Some(DataDir {
            variable: None,
            defaults: &[(0, "/data")],
        }),
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "hub.docker.com/_/zookeeper",
    },
    ServiceImage {
        kind: ServiceKind::Zookeeper,
        repositories: &["bitnami/zookeeper"],
        ports: &[PortSpec {
            default: 2181,
            role: "client",
            settings: &[Env("ZOO_PORT_NUMBER")],
        }],
        entrypoint_script: Some("/opt/bitnami/scripts/zookeeper/entrypoint.sh"),
        server_commands: &[],
        env_signature: &[],
        data_dir: None,
        required_env: &[],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "hub.docker.com/r/bitnami/zookeeper (Configuration)",
    },
    ServiceImage {
        kind: ServiceKind::Zookeeper,
        repositories: &["confluentinc/cp-zookeeper"],
        ports: &[PortSpec {
            default: 2181,
            role: "client",
            settings: &[Env("ZOOKEEPER_CLIENT_PORT")],
        }],
        entrypoint_script: Some("/etc/confluent/docker/run"),
        server_commands: &[],
        env_signature: &["ZOOKEEPER_CLIENT_PORT"],
        data_dir: None,
        required_env: &[EnvRequirement {
            any_of: &[Set("ZOOKEEPER_CLIENT_PORT")],
            otherwise: "the container exits: ZOOKEEPER_CLIENT_PORT is required",
        }],
        provisions: &[],
        auth: None,
        clients: NO_CLIENTS,
        source: "docs.confluent.io (cp-zookeeper configuration)",
    },
];
