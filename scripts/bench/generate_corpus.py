#!/usr/bin/env python3
"""Writes the throughput benchmark's corpus: realistic Harness CI pipelines of 100 to 5,000
lines, the same files for the same seed.

A pipeline is a codebase block, variables and CI stages. A stage runs on Harness Cloud or on
Kubernetes and holds what real pipelines hold: Background services (postgres, redis, mysql)
with health-check loops, build and test scripts of several lines, a `parallel` block, a step
group, a plugin, an image build and push, failure strategies and `when` conditions. Stages are
added until the file reaches its drawn length. Sizes are log-uniform (as many files of 100 to
500 lines as of 1,000 to 5,000), so small pipelines, the common case, are well represented.

A tenth of the files carry one of the mistakes hlint exists for (a wrong host, a fixed sleep
instead of a readiness check, two services on one port); the rest lint clean, so the
benchmark measures the full analysis and not an early exit.

Usage: generate_corpus.py OUT_DIR [--files N] [--seed S]
"""

import argparse
import math
import os
import random

INDENT_STEP = " " * 14  # under `steps:` of a stage's execution


def indent(text, prefix):
    return "".join(prefix + line + "\n" if line else "\n" for line in text.split("\n"))


class Stage:
    """One CI stage, written line by line."""

    def __init__(self, rng, number, kubernetes, mistake):
        self.rng = rng
        self.number = number
        self.kubernetes = kubernetes
        self.mistake = mistake
        self.port = 5432

    def services(self):
        """Background services and their health checks, as `steps:` items."""
        rng = self.rng
        items = []
        kinds = rng.sample(["postgres", "redis", "mysql"], rng.randint(1, 2))
        if self.mistake == "port":
            kinds = ["postgres", "postgres"]
        for k, kind in enumerate(kinds):
            service = f"{kind}_{self.number}_{k}"
            items.append(self.background(service, kind, k))
            items.append(self.health_check(service, kind, k))
        return items

    def background(self, service, kind, k):
        port = {"postgres": 5432, "redis": 6379, "mysql": 3306}[kind] + (
            k if self.kubernetes else 0
        )
        if self.mistake == "port" and self.kubernetes:
            port = {"postgres": 5432, "redis": 6379, "mysql": 3306}[kind]
        image = {"postgres": "postgres:15.4", "redis": "redis:7.2.4", "mysql": "mysql:8.0.36"}[kind]
        env = {
            "postgres": [
                ("POSTGRES_USER", "app"),
                ("POSTGRES_DB", "app_test"),
                ("POSTGRES_PASSWORD", '<+secrets.getValue("db_password")>'),
            ],
            "redis": [],
            "mysql": [
                ("MYSQL_DATABASE", "app_test"),
                ("MYSQL_ROOT_PASSWORD", '<+secrets.getValue("db_password")>'),
            ],
        }[kind]
        if kind == "postgres" and self.kubernetes:
            env.append(("PGDATA", f"/tmp/pgdata{self.number}_{k}"))
        lines = [
            "- step:",
            f"    identifier: {service}",
            "    type: Background",
            f"    name: {kind} service {k + 1}",
            "    spec:",
            "      connectorRef: account.dockerhub",
            f"      image: {image}",
            "      shell: Sh",
        ]
        if env:
            lines.append("      envVariables:")
            lines += [f"        {name}: {value}" for name, value in env]
        if kind == "postgres" and port != 5432:
            lines += ["      entrypoint:", "        - docker-entrypoint.sh", f'        - "-p {port}"']
        elif kind == "redis" and port != 6379:
            lines += ["      command: redis-server --port " + str(port)]
        elif kind == "mysql" and port != 3306:
            lines += ["      entrypoint:", "        - docker-entrypoint.sh", "        - mysqld", f"        - --port={port}"]
        self.ports = getattr(self, "ports", {})
        self.ports[service] = port
        return "\n".join(lines)

    def health_check(self, service, kind, k):
        port = self.ports[service]
        host = ("127.0.0.1" if kind == "mysql" else "localhost") if self.kubernetes else service
        if self.mistake == "host" and not self.kubernetes and k == 0:
            host = "localhost"
        if self.mistake == "sleep" and k == 0:
            wait = "sleep 20"
        elif kind == "postgres":
            wait = (
                "for attempt in $(seq 1 60); do\n"
                f"  pg_isready -h {host} -p {port} -U app -d app_test && break\n"
                "  sleep 1\n"
                "done"
            )
        elif kind == "redis":
            wait = (
                "for attempt in $(seq 1 60); do\n"
                f"  redis-cli -h {host} -p {port} ping | grep -q PONG && break\n"
                "  sleep 1\n"
                "done"
            )
        else:
            wait = (
                "for attempt in $(seq 1 60); do\n"
                f"  mysqladmin ping -h {host} -P {port} --silent && break\n"
                "  sleep 1\n"
                "done"
            )
        check = {
            "postgres": f"psql -h {host} -p {port} -U app -d app_test -c 'select 1'",
            "redis": f"redis-cli -h {host} -p {port} set healthcheck ok",
            "mysql": f'mysql -h {host} -P {port} -u root -p"$MYSQL_PWD" -e "select 1"',
        }[kind]
        image = {"postgres": "postgres:15.4", "redis": "redis:7.2.4", "mysql": "mysql:8.0.36"}[kind]
        env = {
            "postgres": '        PGPASSWORD: <+secrets.getValue("db_password")>',
            "redis": "        REDISCLI_NO_AUTH_WARNING: \"yes\"",
            "mysql": '        MYSQL_PWD: <+secrets.getValue("db_password")>',
        }[kind]
        return "\n".join(
            [
                "- step:",
                f"    identifier: check_{service}",
                "    type: Run",
                f"    name: wait for {kind} {k + 1}",
                "    spec:",
                "      connectorRef: account.dockerhub",
                f"      image: {image}",
                "      shell: Sh",
                "      envVariables:",
                env,
                "      command: |",
                indent(wait + "\n" + check, "        ").rstrip("\n"),
                "    timeout: 5m",
            ]
        )

    def run_step(self, identifier, name, language):
        rng = self.rng
        script = {
            "go": [
                "set -euo pipefail",
                "go version",
                "go mod download",
                'go vet ./...',
                'go build -o bin/app -ldflags "-X main.version=<+codebase.shortCommitSha>" ./cmd/app',
                "go test -race -coverprofile=coverage.out ./... | tee test-output.txt",
                'if grep -q "FAIL" test-output.txt; then',
                '  echo "tests failed"',
                "  exit 1",
                "fi",
            ],
            "node": [
                "set -euo pipefail",
                "node --version",
                "npm ci --prefer-offline",
                "npm run lint",
                "npm test -- --reporters=default --reporters=jest-junit",
                "for pkg in packages/*; do",
                '  echo "building $pkg"',
                '  (cd "$pkg" && npm run build)',
                "done",
            ],
            "python": [
                "set -euo pipefail",
                "python -m pip install --upgrade pip",
                "pip install -r requirements.txt -r requirements-dev.txt",
                "ruff check .",
                "pytest --junitxml=report.xml -q tests/",
                'export COVERAGE=$(coverage report | tail -1 | awk \'{print $NF}\')',
                'echo "coverage: $COVERAGE"',
            ],
        }[language]
        image = {"go": "golang:1.22.5", "node": "node:20.11.1", "python": "python:3.12.2"}[language]
        extra = rng.randint(0, 12)
        script = script + [f'echo "step {identifier}: task {i}" && make task-{i}' for i in range(extra)]
        lines = [
            "- step:",
            f"    identifier: {identifier}",
            "    type: Run",
            f"    name: {name}",
            "    spec:",
            "      connectorRef: account.dockerhub",
            f"      image: {image}",
            "      shell: Bash",
            "      envVariables:",
            "        CI: \"true\"",
            "        REGION: <+pipeline.variables.region>",
            "      command: |",
            indent("\n".join(script), "        ").rstrip("\n"),
        ]
        if language == "python":
            lines += ["      outputVariables:", "        - name: COVERAGE"]
        if rng.random() < 0.5:
            lines += [
                "      reports:",
                "        type: JUnit",
                "        spec:",
                "          paths:",
                "            - report.xml",
            ]
        if rng.random() < 0.3:
            lines += [
                "    failureStrategies:",
                "      - onFailure:",
                "          errors:",
                "            - AllErrors",
                "          action:",
                "            type: Retry",
                "            spec:",
                "              retryCount: 2",
                "              retryIntervals:",
                "                - 10s",
                "              onRetryFailure:",
                "                action:",
                "                  type: MarkAsFailure",
            ]
        lines.append(f"    timeout: {rng.choice(['10m', '20m', '30m', '1h'])}")
        return "\n".join(lines)

    def parallel(self):
        rng = self.rng
        languages = ["go", "node", "python"]
        items = [
            self.run_step(f"{kind}_{self.number}_{i}", f"{kind} {i}", rng.choice(languages))
            for i, kind in enumerate(rng.sample(["lint", "unit", "docs", "audit"], rng.randint(2, 4)))
        ]
        return "- parallel:\n" + "\n".join(indent(item, "    ").rstrip("\n") for item in items)

    def step_group(self):
        rng = self.rng
        inner = [
            self.run_step(f"it_{self.number}_{i}", f"integration {i}", rng.choice(["go", "python"]))
            for i in range(rng.randint(1, 3))
        ]
        body = "\n".join(indent(item, "      ").rstrip("\n") for item in inner)
        return "\n".join(
            [
                "- stepGroup:",
                f"    name: integration {self.number}",
                f"    identifier: integration_{self.number}",
                "    steps:",
                body,
            ]
        )

    def plugin(self):
        return "\n".join(
            [
                "- step:",
                f"    identifier: notify_{self.number}",
                "    type: Plugin",
                "    name: notify",
                "    spec:",
                "      connectorRef: account.dockerhub",
                "      image: plugins/slack:1.4.1",
                "      settings:",
                "        webhook: <+secrets.getValue(\"slack_webhook\")>",
                "        channel: ci-builds",
                "        template: \"build {{build.number}} finished\"",
                "    when:",
                "      stageStatus: All",
            ]
        )

    def docker_push(self):
        return "\n".join(
            [
                "- step:",
                f"    identifier: push_{self.number}",
                "    type: BuildAndPushDockerRegistry",
                "    name: build and push",
                "    spec:",
                "      connectorRef: account.dockerhub",
                f"      repo: example/service-{self.number}",
                "      tags:",
                "        - <+pipeline.sequenceId>",
                "        - latest",
                "      dockerfile: Dockerfile",
                "    when:",
                "      stageStatus: Success",
                "      condition: <+codebase.branch> == \"main\"",
            ]
        )

    def write(self):
        rng = self.rng
        items = self.services()
        items.append(self.run_step(f"build_{self.number}", "build", rng.choice(["go", "node", "python"])))
        if rng.random() < 0.7:
            items.append(self.parallel())
        if rng.random() < 0.6:
            items.append(self.step_group())
        if rng.random() < 0.5:
            items.append(self.docker_push())
        if rng.random() < 0.4:
            items.append(self.plugin())
        steps = "\n".join(indent(item, INDENT_STEP).rstrip("\n") for item in items)
        if self.kubernetes:
            volumes = "\n".join(
                f"                - mountPath: /tmp/pgdata{self.number}_{k}\n"
                "                  type: EmptyDir\n"
                "                  spec:\n"
                '                    medium: ""'
                for k in range(2)
            )
            infrastructure = (
                "          infrastructure:\n"
                "            type: KubernetesDirect\n"
                "            spec:\n"
                "              connectorRef: account.ci_cluster\n"
                "              namespace: harness-ci\n"
                "              volumes:\n"
                f"{volumes}\n"
                "              os: Linux"
            )
        else:
            infrastructure = (
                "          platform:\n"
                "            os: Linux\n"
                "            arch: Amd64\n"
                "          runtime:\n"
                "            type: Cloud\n"
                "            spec: {}"
            )
        return "\n".join(
            [
                "    - stage:",
                f"        name: stage {self.number}",
                f"        identifier: stage_{self.number}",
                "        description: builds, tests and publishes one service",
                "        type: CI",
                "        spec:",
                "          cloneCodebase: true",
                infrastructure,
                "          execution:",
                "            steps:",
                steps,
                "        failureStrategies:",
                "          - onFailure:",
                "              errors:",
                "                - AllErrors",
                "              action:",
                "                type: Abort",
            ]
        )


def pipeline(rng, index, target_lines, max_lines):
    mistake = rng.choice(["host", "sleep", "port"]) if index % 10 == 9 else None
    header = "\n".join(
        [
            f"# Generated by scripts/bench/generate_corpus.py (file {index}).",
            "pipeline:",
            f"  name: service {index}",
            f"  identifier: service_{index}",
            "  projectIdentifier: platform",
            "  orgIdentifier: default",
            "  tags: {}",
            "  properties:",
            "    ci:",
            "      codebase:",
            "        connectorRef: account.github",
            f"        repoName: service-{index}",
            "        build:",
            "          type: branch",
            "          spec:",
            "            branch: <+trigger.branch>",
            "  variables:",
            "    - name: region",
            "      type: String",
            "      description: deployment region",
            "      value: us-east-1",
            "  stages:",
        ]
    )
    stages = []
    lines = header.count("\n") + 1
    number = 0
    while lines < target_lines:
        kubernetes = rng.random() < 0.4
        if number == 0 and mistake in ("host", "port"):
            # A wrong host is a Cloud mistake; two services on one port, a pod's.
            kubernetes = mistake == "port"
        stage = Stage(rng, number, kubernetes, mistake if number == 0 else None).write()
        stage_lines = stage.count("\n") + 1
        if stages and lines + stage_lines > max_lines:
            break
        stages.append(stage)
        lines += stage_lines
        number += 1
    return header + "\n" + "\n".join(stages) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder to write the pipelines into (created)")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--min-lines", type=int, default=100)
    parser.add_argument("--max-lines", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    low, high = math.log(args.min_lines), math.log(args.max_lines)
    for index in range(args.files):
        target = int(math.exp(rng.uniform(low, high)))
        text = pipeline(rng, index, target, args.max_lines)
        with open(os.path.join(args.out, f"pipeline-{index:04}.yaml"), "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
