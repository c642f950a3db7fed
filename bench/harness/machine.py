"""What the report says about the machine: CPU, memory, kernel, versions of everything measured."""

import os
import platform
import re
import subprocess

PEER_PACKAGES = ("fastapi", "uvicorn", "starlette", "httpx", "asyncpg", "redis", "uvloop", "websockets")


def _run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _first_line(text):
    return text.splitlines()[0].strip() if text else None


def _grep(path, pattern):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            m = re.search(pattern, f.read(), re.M)
        return m.group(1).strip() if m else None
    except OSError:
        return None


def _sysctl(name):
    try:
        with open("/proc/sys/" + name.replace(".", "/"), encoding="ascii") as f:
            return f.read().strip().replace("\t", " ")
    except OSError:
        return None


def details(pg_bin):
    runtimes = _run(["dotnet", "--list-runtimes"]) or ""
    aspnet = [line.split()[1] for line in runtimes.splitlines() if line.startswith("Microsoft.AspNetCore.App")]
    packages = _run(["/usr/bin/python3", "-c",
                     "import importlib.metadata as m\n"
                     f"for p in {PEER_PACKAGES!r}:\n"
                     "    try: print(p, m.version(p))\n"
                     "    except Exception: print(p, '-')"]) or ""
    mem_kib = _grep("/proc/meminfo", r"^MemTotal:\s+(\d+) kB")
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _grep("/proc/cpuinfo", r"^model name\s*:(.*)$"),
        "memory_gib": round(int(mem_kib) / 1024 / 1024, 1) if mem_kib else None,
        "os": _grep("/etc/os-release", r'^PRETTY_NAME="?([^"\n]*)"?'),
        "kernel": platform.release(),
        "versions": {
            "dotnet_sdk": _first_line(_run(["dotnet", "--version"])),
            "aspnetcore_runtime": aspnet[-1] if aspnet else None,
            "python": _first_line(_run(["/usr/bin/python3", "--version"])),
            "python_packages": dict(line.split(" ", 1) for line in packages.splitlines() if " " in line),
            "nginx": _first_line(_run(["nginx", "-v"])),
            "wrk": _first_line(_run(["wrk", "-v"])),
            "hey": _run(["dpkg-query", "-W", "-f=${Version}", "hey"]),
            "postgresql": _first_line(_run([f"{pg_bin}/postgres", "--version"])),
            "redis": _first_line(_run(["redis-server", "--version"])),
        },
        "limits": {
            "somaxconn": _sysctl("net.core.somaxconn"),
            "tcp_max_syn_backlog": _sysctl("net.ipv4.tcp_max_syn_backlog"),
            "ip_local_port_range": _sysctl("net.ipv4.ip_local_port_range"),
        },
    }
