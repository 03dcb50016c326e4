//! `portBindings` of Background steps (host port -> container port): published on this
//! machine for containers on the stage network, so that steps running on the machine reach
//! a container service at `localhost` and the host port, as on Harness Cloud and VMs. On
//! Kubernetes the pod shares one network namespace and nothing is published.

use std::collections::HashMap;

use crate::plan::StagePlan;

/// `(host port, container port)` to publish, by step index.
pub(super) fn published_ports(stage: &StagePlan) -> HashMap<usize, Vec<(u16, u16)>> {
    stage
        .services
        .iter()
        .map(|service| {
            let ports = service
                .published
                .iter()
                .filter_map(|p| Some((p.host?, p.container?)))
                .collect::<Vec<_>>();
            (service.step, ports)
        })
        .filter(|(_, ports)| !ports.is_empty())
        .collect()
}

/// The engine's refusal to start a container that publishes `ports`, said as a bind
/// failure when it is one ("port is already allocated", "address already in use").
pub(super) fn start_error(ports: &[(u16, u16)], error: &str) -> String {
    let lower = error.to_lowercase();
    if !ports.is_empty()
        && (lower.contains("port is already allocated") || lower.contains("address already in use"))
    {
        let hosts: Vec<String> = ports.iter().map(|(host, _)| host.to_string()).collect();
        format!(
            "could not bind host port {} (portBindings): another service or process already uses it: {error}",
            hosts.join(", ")
        )
    } else {
        error.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_host_port_is_a_bind_failure() {
        let docker = "Docker responded with status code 500: driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:5432 failed: port is already allocated";
        let message = start_error(&[(5432, 5432)], docker);
        assert!(
            message.starts_with("could not bind host port 5432"),
            "{message}"
        );
        assert!(message.ends_with("port is already allocated"), "{message}");
        assert_eq!(start_error(&[], "no such image"), "no such image");
        assert_eq!(start_error(&[(1, 2)], "no such image"), "no such image");
    }
}
