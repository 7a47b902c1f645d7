"""The deployment files agree with each other and with the code they start: compose.yaml's
services, the Dockerfile and nginx's template. (Docker itself is not on these machines: the image
is built and run by scripts/image_check.py instead; this catches a renamed module or setting the
moment it happens.)"""

from __future__ import annotations

import importlib
import ipaddress
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
TEMPLATE = (ROOT / "deploy" / "nginx.conf.template").read_text()


def template_variables() -> set[str]:
    # Comments are not configuration: nginx's envsubst would leave an unset ${X} there alone.
    lines = [line.split("#", 1)[0] for line in TEMPLATE.splitlines()]
    return set(re.findall(r"\$\{([A-Z0-9_]+)\}", "\n".join(lines)))


def hub_services() -> dict[str, dict]:
    return {name: s for name, s in SERVICES.items() if s.get("image") == "victim-care-hub"}


def test_nginx_gets_every_variable_its_template_uses():
    environment = SERVICES["nginx"]["environment"]
    assert template_variables() <= set(environment), template_variables() - set(environment)
    # The nginx image writes templates/<name>.template to NGINX_ENVSUBST_OUTPUT_DIR/<name>.
    mounted = [v.split(":")[1] for v in SERVICES["nginx"]["volumes"] if "nginx.conf" in v]
    assert mounted == ["/etc/nginx/templates/nginx.conf.template"]
    assert environment["NGINX_ENVSUBST_OUTPUT_DIR"] == "/etc/nginx"


def test_prod_sh_fills_in_the_same_variables():
    script = (ROOT / "scripts" / "prod.sh").read_text()
    missing = {name for name in template_variables() if name not in script}
    assert not missing, f"scripts/prod.sh never sets {missing}"


def test_nginx_upstreams_are_the_app_services_on_the_images_port():
    dockerfile = (ROOT / "Dockerfile").read_text()
    port = re.search(r"^EXPOSE (\d+)", dockerfile, re.M).group(1)
    environment = SERVICES["nginx"]["environment"]
    for key in ("APP_SERVER_1", "APP_SERVER_2"):
        host, _, their_port = environment[key].partition(":")
        assert host in SERVICES and their_port == port
        assert f"0.0.0.0:{port}" in " ".join(SERVICES[host]["command"])


def test_dependencies_and_volumes_are_declared():
    for name, service in SERVICES.items():
        for needed in service.get("depends_on", {}):
            assert needed in SERVICES, f"{name} depends on unknown service {needed}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in COMPOSE["volumes"], f"{name} uses undeclared volume {source}"
            else:
                assert (ROOT / source).exists() or source == "./deploy/tls", source


@pytest.mark.parametrize("name", sorted(hub_services()))
def test_each_hub_service_starts_something_that_exists(name):
    command = hub_services()[name].get("command")
    if command is None:  # the image's own CMD
        command = json.loads(
            re.search(r"^CMD (.+)$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
        )
        command = shlex.split(command[-1]) if command[0] == "sh" else command
    program = command[0]
    if program == "gunicorn":
        module, _, factory = command[-1].partition(":")
        assert callable(getattr(importlib.import_module(module), factory.rstrip("()")))
    elif program == "huey_consumer":
        module, _, attribute = command[1].rpartition(".")
        assert getattr(importlib.import_module(module), attribute) is not None
    elif program == "flask":
        from app import create_app

        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        words = command[command.index("app") + 1 :]
        group = app.cli
        for word in (w for w in words if not w.startswith("-")):
            if not hasattr(group, "get_command"):
                break  # the rest are the command's own arguments
            found = group.get_command(None, word)
            if found is None:
                assert word.isdigit() or "." in word, f"{name}: no `flask {' '.join(words)}`"
                break
            group = found
    else:
        pytest.fail(f"{name} runs {program}, which this test does not know")


def test_the_dockerfile_copies_only_what_exists_and_is_not_ignored():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line]
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
                assert source not in ignored, f"COPY {source}, which .dockerignore leaves out"


def test_the_health_check_says_tls_ended_at_the_proxy():
    # Production redirects plain http to https; the probe inside the container must not be.
    (line,) = [
        x for x in (ROOT / "Dockerfile").read_text().splitlines() if x.startswith("HEALTHCHECK")
    ]
    assert "/healthz" in line and "'X-Forwarded-Proto': 'https'" in line


def test_every_production_start_counts_rate_limits_in_redis():
    # Production refuses to start without REDIS_URL (each worker would count on its own) unless
    # RATE_LIMITS_PER_PROCESS accepts that: no deploy file may accept it quietly.
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    dockerfile = "\n".join(line for line in lines if not line.startswith("#"))
    assert re.search(r"^\s*HUB_ENV=production", dockerfile, re.M)
    assert "RATE_LIMITS_PER_PROCESS" not in dockerfile
    for name, service in hub_services().items():
        environment = service.get("environment", {})
        assert environment.get("HUB_ENV") == "production", name
        assert environment.get("REDIS_URL", "").startswith("redis://"), name
        assert "RATE_LIMITS_PER_PROCESS" not in environment, name
        if "redis" in SERVICES and name not in {"migrate", "mailsink"}:
            assert "redis" in service.get("depends_on", {}), name
    script = (ROOT / "scripts" / "prod.sh").read_text()
    assert re.search(r"^export REDIS_URL=\$\{REDIS_URL:-redis://", script, re.M)
    assert "RATE_LIMITS_PER_PROCESS" not in script


def gunicorn_commands() -> dict[str, str]:
    """Every gunicorn command line the deploy files run, by where it is."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    commands = {"Dockerfile": re.search(r"^CMD (.+)$", dockerfile, re.M).group(1)}
    for name, service in SERVICES.items():
        if "gunicorn" in (service.get("command") or []):
            commands[f"compose {name}"] = " ".join(service["command"])
    for script in ("prod.sh", "serve.sh"):
        text = (ROOT / "scripts" / script).read_text().replace("\\\n", " ")
        commands |= {
            f"{script}:{number}": line
            for number, line in enumerate(text.splitlines())
            if "bin/gunicorn" in line
        }
    return commands


def test_forwarded_headers_are_believed_only_from_the_proxy_named():
    # gunicorn ran with --forwarded-allow-ips='*' on 0.0.0.0: anyone reaching the app server
    # could claim https. One setting, FORWARDED_ALLOW_IPS, now governs gunicorn and the app.
    from app.proxies import _peer_is_trusted, parse_allowed

    commands = gunicorn_commands()
    assert {"Dockerfile", "compose app1", "compose app2"} <= set(commands)
    assert any(name.startswith("prod.sh") for name in commands)
    for where, command in commands.items():
        assert "forwarded-allow-ips" not in command and "'*'" not in command, where
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^\s*FORWARDED_ALLOW_IPS=127\.0\.0\.1\s*$", dockerfile, re.M)

    # compose: nginx has a fixed address in the hub's subnet, and it alone (with the container's
    # loopback, for the HEALTHCHECK) is trusted.
    nginx = SERVICES["nginx"]["networks"]["default"]["ipv4_address"]
    (subnet,) = [c["subnet"] for c in COMPOSE["networks"]["default"]["ipam"]["config"]]
    assert ipaddress.ip_address(nginx) in ipaddress.ip_network(subnet)
    for name, service in hub_services().items():
        allowed = service["environment"]["FORWARDED_ALLOW_IPS"]
        assert set(allowed.split(",")) == {"127.0.0.1", nginx}, name
        networks = parse_allowed(allowed)
        assert _peer_is_trusted(nginx, networks)
        neighbour = str(ipaddress.ip_address(nginx) + 1)  # another container on the network
        assert not _peer_is_trusted(neighbour, networks)

    # make prod: nginx on the loopback, the only proxy.
    script = (ROOT / "scripts" / "prod.sh").read_text()
    assert re.search(r"^export FORWARDED_ALLOW_IPS=127\.0\.0\.1$", script, re.M)
    assert "LISTEN_HOST=127.0.0.1" in script


def test_gunicorn_reads_the_same_setting_as_the_app():
    code = "from gunicorn.config import Config; print(Config().forwarded_allow_ips)"
    env = {**os.environ, "FORWARDED_ALLOW_IPS": "172.30.0.10"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['172.30.0.10']"
    env.pop("FORWARDED_ALLOW_IPS")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    from app.config import Config

    assert out.strip() == str(Config().FORWARDED_ALLOW_IPS.split(","))


def test_the_app_connects_as_a_role_that_does_not_own_the_audit_log():
    # Migrations run as the owner (MIGRATION_DATABASE_URL); every other service connects as the
    # app's role (DATABASE_URL), which never sees the owner's URL (app/core/db_roles.py).
    from sqlalchemy import make_url

    def user(url: str) -> str | None:
        return make_url(re.sub(r"\$\{[^}]*\}", "x", url)).username

    migrate = SERVICES["migrate"]["environment"]
    owner = user(migrate["MIGRATION_DATABASE_URL"])
    for name, service in hub_services().items():
        environment = service["environment"]
        assert user(environment["DATABASE_URL"]) not in {owner, "postgres"}, name
        if name != "migrate":
            assert "MIGRATION_DATABASE_URL" not in environment, name
    script = (ROOT / "scripts" / "prod.sh").read_text()
    migrating = script.index("db upgrade")
    assert "MIGRATION_DATABASE_URL=" in script[:migrating]
    assert "unset MIGRATION_DATABASE_URL" in script[migrating : script.index("bin/gunicorn")]
    assert "scripts/db_roles.sh" in script and (ROOT / "scripts" / "db_roles.sh").exists()
