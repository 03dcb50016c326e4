//! The Docker engine, as `--execute` uses it: a thin layer over `bollard` that labels every
//! container, network and volume it makes with the run id (`hlint.run=<id>`), so that a run,
//! an interrupted run or `hlint clean` can find and remove them.
//!
//! Works with Docker Engine 20.10 (API 1.41) and newer: the API version is negotiated
//! ([`Engine::connect`]) before anything else. `DOCKER_HOST` is honoured (`unix://`,
//! `tcp://`); without it the local socket is used.

mod archive;

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, Mount, MountType, NetworkCreateRequest,
    NetworkingConfig, PortBinding, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, DownloadFromContainerOptions, KillContainerOptions,
    ListContainersOptions, ListNetworksOptions, ListVolumesOptions, LogsOptions,
    RemoveContainerOptions, RemoveVolumeOptions, StartContainerOptions, UploadToContainerOptions,
    WaitContainerOptions,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt};

/// The label every object of a run carries; its value is the run id.
pub const RUN_LABEL: &str = "hlint.run";

/// How to start an engine, for the message when none answers.
pub const HOW_TO_START: &str = "start a Docker engine (as root: `scripts/docker-engine` in the \
hlint repository installs Debian's docker.io and starts dockerd; or `systemctl start docker`, \
or `dockerd &`), or point DOCKER_HOST at one (unix:///path/docker.sock, tcp://host:2375; \
Podman: unix:///run/podman/podman.sock)";

/// An engine error, in one line.
#[derive(Debug)]
pub struct EngineError(pub String);

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EngineError {}

impl From<bollard::errors::Error> for EngineError {
    fn from(error: bollard::errors::Error) -> Self {
        EngineError(error.to_string())
    }
}

/// A reachable engine.
#[derive(Clone)]
pub struct Engine {
    docker: Docker,
    /// `Docker 20.10.24, API 1.41`.
    pub description: String,
}

/// What a container runs and where.
#[derive(Clone, Debug, Default)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// `None` keeps the image's ENTRYPOINT (and then its CMD when `cmd` is `None`).
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<(String, String)>,
    pub working_dir: Option<String>,
    /// `(volume name, mount path)`.
    pub volumes: Vec<(String, String)>,
    /// `(directory on the engine's machine, mount path)`: only ever the run's workspace.
    pub binds: Vec<(String, String)>,
    /// `portBindings`: `(host port, container port)`, TCP, published on every address.
    pub ports: Vec<(u16, u16)>,
    /// A user network and the aliases on it.
    pub network: Option<(String, Vec<String>)>,
    /// `container:<id>`: share that container's network namespace.
    pub network_mode: Option<String>,
    pub privileged: bool,
    pub user: Option<String>,
}

impl Engine {
    /// Connects (honouring `DOCKER_HOST`), negotiates the API version and pings; fails at
    /// once, saying how to start an engine, when none answers.
    pub async fn connect() -> Result<Engine, EngineError> {
        let where_ = std::env::var("DOCKER_HOST")
            .unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned());
        let unreachable = |error: &dyn std::fmt::Display| {
            EngineError(format!(
                "no Docker engine answers at {where_} ({error}): {HOW_TO_START}"
            ))
        };
        let docker = if std::env::var_os("DOCKER_HOST").is_some() {
            Docker::connect_with_defaults()
        } else {
            Docker::connect_with_local_defaults()
        }
        .map_err(|e| unreachable(&e))?;
        let docker = tokio::time::timeout(Duration::from_secs(10), docker.negotiate_version())
            .await
            .map_err(|_| unreachable(&"no answer within 10s"))?
            .map_err(|e| unreachable(&e))?;
        let version = docker.version().await.map_err(|e| unreachable(&e))?;
        let description = format!(
            "Docker {}, API {}",
            version.version.unwrap_or_default(),
            version.api_version.unwrap_or_default()
        );
        Ok(Engine {
            docker,
            description,
        })
    }

    fn labels(run: &str) -> HashMap<String, String> {
        HashMap::from([(RUN_LABEL.to_owned(), run.to_owned())])
    }

    pub async fn image_exists(&self, image: &str) -> bool {
        self.docker.inspect_image(image).await.is_ok()
    }

    /// Pulls `image`, calling `progress` with each new status line (`<layer>: Downloading`,
    /// once a layer and status, not every byte); the engine's message when it fails.
    pub async fn pull(
        &self,
        image: &str,
        mut progress: impl FnMut(&str),
    ) -> Result<(), EngineError> {
        let options = CreateImageOptions {
            from_image: Some(image.to_owned()),
            ..Default::default()
        };
        let mut stream = self.docker.create_image(Some(options), None, None);
        let mut last: HashMap<String, String> = HashMap::new();
        while let Some(item) = stream.next().await {
            let info = item?;
            if let Some(detail) = info.error_detail {
                return Err(EngineError(detail.message.unwrap_or_default()));
            }
            let Some(status) = info.status else { continue };
            let layer = info.id.unwrap_or_default();
            if last.get(&layer) != Some(&status) {
                progress(&if layer.is_empty() {
                    status.clone()
                } else {
                    format!("{layer}: {status}")
                });
                last.insert(layer, status);
            }
        }
        Ok(())
    }

    /// Unpacks the tar archive `tar` into `path` of container `id` (created or running).
    pub async fn upload(&self, id: &str, path: &str, tar: Vec<u8>) -> Result<(), EngineError> {
        let options = UploadToContainerOptions {
            path: path.to_owned(),
            ..Default::default()
        };
        self.docker
            .upload_to_container(id, Some(options), bollard::body_full(tar.into()))
            .await?;
        Ok(())
    }

    pub async fn create_network(&self, run: &str, name: &str) -> Result<String, EngineError> {
        let response = self
            .docker
            .create_network(NetworkCreateRequest {
                name: name.to_owned(),
                driver: Some("bridge".to_owned()),
                labels: Some(Self::labels(run)),
                ..Default::default()
            })
            .await?;
        Ok(response.id)
    }

    pub async fn create_volume(&self, run: &str, name: &str) -> Result<String, EngineError> {
        let volume = self
            .docker
            .create_volume(VolumeCreateRequest {
                name: Some(name.to_owned()),
                labels: Some(Self::labels(run)),
                ..Default::default()
            })
            .await?;
        Ok(volume.name)
    }

    /// Creates (not starts) a container; returns its id.
    pub async fn create_container(
        &self,
        run: &str,
        spec: &ContainerSpec,
    ) -> Result<String, EngineError> {
        let mounts = spec
            .volumes
            .iter()
            .map(|(volume, target)| Mount {
                target: Some(target.clone()),
                source: Some(volume.clone()),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            })
            .chain(spec.binds.iter().map(|(dir, target)| Mount {
                target: Some(target.clone()),
                source: Some(dir.clone()),
                typ: Some(MountType::BIND),
                ..Default::default()
            }))
            .collect::<Vec<_>>();
        let port_bindings: HashMap<String, Option<Vec<PortBinding>>> = spec
            .ports
            .iter()
            .map(|(host, container)| {
                (
                    format!("{container}/tcp"),
                    Some(vec![PortBinding {
                        host_ip: None,
                        host_port: Some(host.to_string()),
                    }]),
                )
            })
            .fold(HashMap::new(), |mut map, (port, bindings)| {
                // Two host ports for one container port: both published.
                match map.entry(port) {
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        if let (Some(have), Some(more)) = (e.get_mut(), bindings) {
                            have.extend(more);
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(bindings);
                    }
                }
                map
            });
        let exposed_ports =
            (!port_bindings.is_empty()).then(|| port_bindings.keys().cloned().collect::<Vec<_>>());
        let networking_config = spec
            .network
            .as_ref()
            .map(|(network, aliases)| NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    network.clone(),
                    EndpointSettings {
                        aliases: Some(aliases.clone()),
                        ..Default::default()
                    },
                )])),
            });
        let network_mode = spec
            .network_mode
            .clone()
            .or_else(|| spec.network.as_ref().map(|(network, _)| network.clone()));
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            entrypoint: spec.entrypoint.clone(),
            cmd: spec.cmd.clone(),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            working_dir: spec.working_dir.clone(),
            user: spec.user.clone(),
            labels: Some(Self::labels(run)),
            exposed_ports,
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            host_config: Some(HostConfig {
                mounts: (!mounts.is_empty()).then_some(mounts),
                network_mode,
                privileged: Some(spec.privileged),
                port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
                init: Some(false),
                ..Default::default()
            }),
            networking_config,
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(spec.name.clone()),
            ..Default::default()
        };
        let response = self.docker.create_container(Some(options), body).await?;
        Ok(response.id)
    }

    pub async fn start(&self, id: &str) -> Result<(), EngineError> {
        self.docker
            .start_container(id, None::<StartContainerOptions>)
            .await?;
        Ok(())
    }

    /// Waits for the container to exit; its exit code.
    pub async fn wait(&self, id: &str) -> Result<i64, EngineError> {
        let mut stream = self.docker.wait_container(id, None::<WaitContainerOptions>);
        match stream.next().await {
            Some(Ok(response)) => Ok(response.status_code),
            // bollard reports a non-zero exit as an error carrying the code.
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(error)) => Err(error.into()),
            None => Err(EngineError(format!("no exit status for container {id}"))),
        }
    }

    /// The container's output, followed until it exits: chunks of stdout and stderr.
    pub fn follow_logs(&self, id: &str) -> impl Stream<Item = Result<Vec<u8>, EngineError>> {
        let options = LogsOptions {
            follow: true,
            stdout: true,
            stderr: true,
            tail: "all".to_owned(),
            ..Default::default()
        };
        self.docker.logs(id, Some(options)).map(|item| {
            item.map(|out| out.into_bytes().to_vec())
                .map_err(Into::into)
        })
    }

    /// Is the container running, and its exit code if not.
    pub async fn state(&self, id: &str) -> Result<(bool, Option<i64>), EngineError> {
        let inspect = self.docker.inspect_container(id, None).await?;
        let state = inspect.state.unwrap_or_default();
        let running = state.running.unwrap_or(false);
        Ok((running, if running { None } else { state.exit_code }))
    }

    pub async fn kill(&self, id: &str) -> Result<(), EngineError> {
        self.docker
            .kill_container(
                id,
                Some(KillContainerOptions {
                    signal: "SIGKILL".to_owned(),
                }),
            )
            .await?;
        Ok(())
    }

    /// The content of the file at `path` in the (running or stopped) container.
    pub async fn read_file(&self, id: &str, path: &str) -> Result<Vec<u8>, EngineError> {
        let options = DownloadFromContainerOptions {
            path: path.to_owned(),
        };
        let mut stream = Box::pin(self.docker.download_from_container(id, Some(options)));
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            tar.extend_from_slice(&chunk?);
        }
        archive::first_file(&tar)
            .ok_or_else(|| EngineError(format!("`{path}` in container {id} is not a file")))
    }

    /// Removes every container, network and volume labelled with `run` (every run's when
    /// `run` is `None`); the number of each removed.
    pub async fn remove_labelled(&self, run: Option<&str>) -> Result<Removed, EngineError> {
        let filter = match run {
            Some(run) => format!("{RUN_LABEL}={run}"),
            None => RUN_LABEL.to_owned(),
        };
        let filters = HashMap::from([("label".to_owned(), vec![filter])]);
        let mut removed = Removed::default();
        let mut errors = Vec::new();
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(filters.clone()),
                ..Default::default()
            }))
            .await?;
        // The holder of a Kubernetes pod goes last: the step containers use its namespace.
        let mut ids: Vec<(bool, String)> = containers
            .into_iter()
            .filter_map(|c| {
                let holder = c.names.iter().flatten().any(|n| n.ends_with("-pod"));
                c.id.map(|id| (holder, id))
            })
            .collect();
        ids.sort();
        // One at a time: Docker 20.10's libnetwork can deadlock when endpoints of one network
        // are deleted while its DNS records are read (moby/moby#46661, fixed in later 20.10 releases),
        // and concurrent removals make that race likelier.
        for (_, id) in ids {
            match self
                .docker
                .remove_container(
                    &id,
                    Some(RemoveContainerOptions {
                        force: true,
                        v: true,
                        ..Default::default()
                    }),
                )
                .await
            {
                Ok(()) => removed.containers += 1,
                Err(error) => errors.push(format!("container {id}: {error}")),
            }
        }
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptions {
                filters: Some(filters.clone()),
            }))
            .await?;
        for network in networks {
            let Some(id) = network.id else { continue };
            match self.docker.remove_network(&id).await {
                Ok(()) => removed.networks += 1,
                Err(error) => errors.push(format!("network {id}: {error}")),
            }
        }
        let volumes = self
            .docker
            .list_volumes(Some(ListVolumesOptions {
                filters: Some(filters),
            }))
            .await?;
        for volume in volumes.volumes.into_iter().flatten() {
            match self
                .docker
                .remove_volume(&volume.name, Some(RemoveVolumeOptions { force: true }))
                .await
            {
                Ok(()) => removed.volumes += 1,
                Err(error) => errors.push(format!("volume {}: {error}", volume.name)),
            }
        }
        if errors.is_empty() {
            Ok(removed)
        } else {
            Err(EngineError(format!(
                "could not remove {}",
                errors.join("; ")
            )))
        }
    }
}

/// What a cleanup removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub containers: usize,
    pub networks: usize,
    pub volumes: usize,
}
