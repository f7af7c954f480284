"""deploy/: the compose file and the proxy config agree with the app's settings and with each other.

Docker does not run in CI, so this checks what can be checked without it: the compose file parses, every
ASKGOV_* name in it is a setting of bot/config.py, the services the apps point at exist on the ports they listen
on, the proxy balances exactly the app services, and Debian's nginx accepts the config (`nginx -t`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from proxy_config import DEPLOY_CONFIG, NGINX, local_config, nginx_command, upstream_hosts

from bot.config import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]


def defaults(value: str) -> str:
    """A compose value as compose makes it without a .env: ${NAME:-default} gives its default, and a required
    ${NAME:?message} is stood in for by the name."""
    return re.sub(r"\$\{(\w+):\?[^}]*\}", r"\1", re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value))


def askgov_names(text: str) -> set[str]:
    return set(re.findall(r"\bASKGOV_[A-Z0-9_]+", text))


def app_services(services: dict[str, dict]) -> dict[str, dict]:
    return {
        name: service for name, service in services.items() if service.get("command", [])[:2] == ["askgov", "serve"]
    }


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_every_askgov_name_in_deploy_is_a_setting() -> None:
    settings = {f"ASKGOV_{field.upper()}" for field in Settings.model_fields}
    for path in (DEPLOY / "compose.yaml", DEPLOY / "env.example"):
        unknown = askgov_names(path.read_text(encoding="utf-8")) - settings
        assert not unknown, f"{path.name}: {sorted(unknown)} are not settings of bot/config.py"


def test_the_apps_point_at_the_services_on_their_ports(services: dict[str, dict]) -> None:
    apps = app_services(services)
    assert len(apps) >= 2
    chroma_port = int(option(services["chroma"]["command"], "--port"))
    llm_port = int(option(services["llm"]["command"], "--port"))
    for name, app in apps.items():
        env = {key: defaults(str(value)) for key, value in app["environment"].items()}
        chroma = urlparse(env["ASKGOV_CHROMA_URL"])
        assert (chroma.hostname, chroma.port) == ("chroma", chroma_port), name
        database = urlparse(env["ASKGOV_DATABASE_URL"])
        assert database.scheme == "postgresql+psycopg" and database.hostname == "db", name
        assert database.path == "/" + services["db"]["environment"]["POSTGRES_DB"], name
        llm = urlparse(env["ASKGOV_OPENAI_BASE_URL"])
        assert (llm.hostname, llm.port, env["ASKGOV_BACKEND"]) == ("llm", llm_port, "openai"), name
        assert env["ASKGOV_OPENAI_MODEL"] == option(services["llm"]["command"], "--alias"), name
        Settings(**{key.removeprefix("ASKGOV_").lower(): value for key, value in env.items() if "ASKGOV_" in key})


def test_the_proxy_balances_exactly_the_app_services(services: dict[str, dict]) -> None:
    config = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", config, re.M))
    apps = {f"{name}:{option(app['command'], '--port')}" for name, app in app_services(services).items()}
    assert upstream == apps
    assert re.search(r"upstream askgov_apps \{\s*ip_hash;", config), "the chat's stream needs sticky sessions"
    mounted = [volume for volume in services["proxy"]["volumes"] if volume.startswith("./nginx.conf:")]
    assert mounted and services["proxy"]["depends_on"] == sorted(app_services(services))


@pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx is not installed: run `make topology-tools`")
def test_nginx_accepts_the_proxy_config(tmp_path: Path) -> None:
    # each app host gets a loopback address of its own, as distinct hosts would be
    hosts = upstream_hosts(DEPLOY_CONFIG.read_text(encoding="utf-8"))
    main = local_config(tmp_path, {host: f"127.0.0.{n}:7860" for n, host in enumerate(hosts, 2)})
    checked = subprocess.run(nginx_command(main, "-t"), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
