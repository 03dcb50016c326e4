//! Which client call in which step means which Background service: the join of the command
//! analysis (clients and their endpoints) with the network model (what a host name means for
//! the calling step). Computed once per stage; the host, port, ordering and credential rules
//! all read it.

use super::command::{ClientCall, Origin, Service, StepScript, Transport};
use super::graph::StepIndex;
use super::network::{NetworkModel, PortSpace, Resolution};
use super::services::ServiceKind;

/// One client call and the service it is for.
#[derive(Clone, Debug)]
pub struct ServiceUse {
    pub caller: StepIndex,
    /// Index into the caller's `ScriptAnalysis::calls`.
    pub call: usize,
    pub host: HostMeaning,
    /// The service the call is meant for, when hlint can tell (also when the name or port is
    /// wrong: that is what the rules report).
    pub target: Option<StepIndex>,
    /// The port the call uses, given or the tool's default (`None`: not known statically).
    pub port: Option<u16>,
    /// Whether `port` is matched against the target's listening or published ports.
    pub port_space: PortSpace,
}

/// What the host of a call means for the calling step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostMeaning {
    Resolved(Resolution),
    /// No host: the client's default, a Unix-domain socket in the caller's own filesystem.
    Socket,
    /// Given, but not known statically (`-h $DB_HOST` with no value hlint can see).
    Dynamic,
}

impl ServiceUse {
    /// The call; its spans are script offsets ([`StepScript::file_span`] of
    /// [`ServiceUse::script`] maps them).
    pub fn call<'s>(&self, scripts: &'s [Option<StepScript<'_>>]) -> &'s ClientCall {
        &self.script(scripts).calls[self.call]
    }

    /// The call with its spans in the file ([`StepScript::in_file`]).
    pub fn call_in_file<'s>(&self, scripts: &'s [Option<StepScript<'_>>]) -> &'s ClientCall {
        &self.script(scripts).in_file().calls[self.call]
    }

    /// The caller's script.
    pub fn script<'s, 'a>(&self, scripts: &'s [Option<StepScript<'a>>]) -> &'s StepScript<'a> {
        scripts[self.caller.index()]
            .as_ref()
            .expect("uses come from analysed scripts")
    }
}

/// True when a client speaking `service` can talk to a server of `kind`.
pub fn speaks(service: Service, kind: ServiceKind) -> bool {
    match service {
        Service::Postgres => kind == ServiceKind::Postgres,
        Service::Mysql => matches!(kind, ServiceKind::Mysql | ServiceKind::Mariadb),
        Service::Redis => matches!(kind, ServiceKind::Redis | ServiceKind::Valkey),
        Service::Mongo => kind == ServiceKind::Mongo,
        Service::Amqp => kind == ServiceKind::Rabbitmq,
        Service::Http => matches!(
            kind,
            ServiceKind::Elasticsearch
                | ServiceKind::Opensearch
                | ServiceKind::Localstack
                | ServiceKind::Minio
                | ServiceKind::Rabbitmq
        ),
        Service::Tcp => true,
    }
}

/// Every client call of the stage's scripts, with the service it is for.
pub fn find_uses(network: &NetworkModel, scripts: &[Option<StepScript<'_>>]) -> Vec<ServiceUse> {
    let mut uses = Vec::new();
    for (index, script) in scripts.iter().enumerate() {
        let Some(script) = script else { continue };
        let caller = StepIndex::new(index);
        for (call_index, call) in script.calls.iter().enumerate() {
            uses.push(service_use(network, caller, call_index, call));
        }
    }
    uses
}

fn service_use(
    network: &NetworkModel,
    caller: StepIndex,
    call_index: usize,
    call: &ClientCall,
) -> ServiceUse {
    let port = call.port.number();
    let host = if call.transport == Transport::UnixSocket
        || (call.host.value.is_none() && call.host.origin == Origin::Default)
    {
        HostMeaning::Socket
    } else {
        match call.host.value.as_deref() {
            Some(host) if !call.host.dynamic => {
                HostMeaning::Resolved(network.resolve(host, caller))
            }
            _ => HostMeaning::Dynamic,
        }
    };
    let compatible = |step: StepIndex| {
        network
            .service(step)
            .and_then(|svc| svc.service())
            .is_none_or(|image| speaks(call.service, image.kind))
    };
    let (target, port_space) = match &host {
        HostMeaning::Resolved(Resolution::Service {
            service,
            port_space,
        }) => (Some(*service), *port_space),
        HostMeaning::Resolved(Resolution::WrongName { intended, .. }) => {
            (Some(*intended), PortSpace::Listening)
        }
        HostMeaning::Resolved(Resolution::Loopback { reachable }) => {
            let candidates: Vec<_> = reachable
                .iter()
                .filter(|reach| compatible(reach.service))
                .collect();
            let by_port = candidates.iter().find(|reach| {
                port.is_some_and(|p| {
                    ports_of(network, reach.service, reach.port_space).contains(&p)
                })
            });
            match (by_port, candidates.as_slice()) {
                (Some(reach), _) => (Some(reach.service), reach.port_space),
                (None, [only]) => (Some(only.service), only.port_space),
                _ => (None, PortSpace::Listening),
            }
        }
        HostMeaning::Socket => {
            let candidates: Vec<_> = network
                .services()
                .iter()
                .filter(|svc| compatible(svc.step))
                .collect();
            match candidates.as_slice() {
                [only] => (Some(only.step), PortSpace::Listening),
                _ => (None, PortSpace::Listening),
            }
        }
        _ => (None, PortSpace::Listening),
    };
    ServiceUse {
        caller,
        call: call_index,
        host,
        target,
        port,
        port_space,
    }
}

/// The ports of a service in a port space: those it listens on, or its published host ports.
pub fn ports_of(network: &NetworkModel, service: StepIndex, space: PortSpace) -> Vec<u16> {
    let Some(svc) = network.service(service) else {
        return Vec::new();
    };
    match space {
        PortSpace::Listening => svc.port_numbers(),
        PortSpace::Published => svc
            .published
            .iter()
            .filter_map(|binding| binding.host)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use hlint_schema::model::build;
    use hlint_schema::yaml::{load_str, LoadLimits};

    use super::*;
    use crate::analysis::network::WrongNameReason;
    use crate::analysis::stage::analyse;

    fn uses_of(text: &str) -> Vec<(String, HostMeaning, Option<String>, Option<u16>)> {
        let loaded = load_str(text, LoadLimits::default());
        let pipeline = build(&loaded.tree).unwrap();
        let stages = analyse(&pipeline, &loaded.tree, text);
        let stage = &stages[0];
        stage
            .uses
            .iter()
            .map(|u| {
                let caller = stage.graph.id(u.caller).unwrap().to_owned();
                let target = u.target.and_then(|t| stage.graph.id(t)).map(str::to_owned);
                (caller, u.host.clone(), target, u.port)
            })
            .collect()
    }

    #[test]
    fn cloud_seed_uses_wrong_names_for_services_on_the_machine() {
        let uses = uses_of(include_str!(
            "../../../schema/tests/data/health-checks-cloud.yaml"
        ));
        let run_1 = uses.iter().find(|u| u.0 == "Run_1").unwrap();
        assert!(
            matches!(
                &run_1.1,
                HostMeaning::Resolved(Resolution::WrongName {
                    reason: WrongNameReason::ServiceOnHost,
                    ..
                })
            ),
            "{run_1:?}"
        );
        assert_eq!(run_1.2.as_deref(), Some("Background_1"));
        assert_eq!(run_1.3, Some(5433));
    }

    #[test]
    fn kubernetes_seed_reaches_each_service_on_localhost_by_port() {
        let uses = uses_of(include_str!(
            "../../../schema/tests/data/health-checks-kubernetes.yaml"
        ));
        let targets: Vec<_> = uses
            .iter()
            .map(|u| (u.0.as_str(), u.2.as_deref()))
            .collect();
        assert!(
            targets.contains(&("Run_1", Some("Background_1"))),
            "{uses:?}"
        );
        assert!(
            targets.contains(&("Run_2", Some("Background_2"))),
            "{uses:?}"
        );
    }
}
