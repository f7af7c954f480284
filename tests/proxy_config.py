"""deploy/nginx.conf made runnable outside compose: its app hosts and port replaced, wrapped in a main config."""

from __future__ import annotations

import os
import re
from pathlib import Path

DEPLOY_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
NGINX = Path("/usr/sbin/nginx")


def upstream_hosts(site: str) -> list[str]:
    """The `host:port` of each upstream server line, in order."""
    return re.findall(r"^\s*server\s+([\w.-]+:\d+)", site, re.M)


def local_config(folder: Path, upstreams: dict[str, str], listen: str = "") -> Path:
    """A main config in `folder` that includes deploy/nginx.conf with each upstream `host:port` replaced as
    `upstreams` says (compose's host names only resolve inside its network); `listen` replaces its port."""
    site = DEPLOY_CONFIG.read_text(encoding="utf-8")
    for original, replacement in upstreams.items():
        site = re.sub(rf"(^\s*server\s+){re.escape(original)}\b", rf"\g<1>{replacement}", site, flags=re.M)
    if listen:
        site = re.sub(r"^(\s*)listen\s+80;", rf"\g<1>listen {listen};", site, flags=re.M)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers read and write under `folder`
    main.write_text(
        f"{user}pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        # which app answered each request, for tests of the balancing
        f"http {{\n  log_format upstream '$request_uri $upstream_addr';\n"
        f"  access_log {folder}/access.log upstream;\n  include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return main


def nginx_command(main: Path, *extra: str) -> list[str]:
    folder = main.parent
    return [str(NGINX), "-c", str(main), "-p", str(folder), "-e", str(folder / "error.log"), *extra]
