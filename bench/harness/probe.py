"""What the harness reads from /proc: CPU time of process groups and of the machine, memory, sockets."""

import os
import re
import subprocess
import time


CLK_TCK = os.sysconf("SC_CLK_TCK")


def group_cpu_s(pids):
    """utime + stime of the given processes, in seconds (every thread of each process included)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue   # exited meanwhile: its time is lost, which a stable server never does
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def machine_ticks():
    """(busy, steal, total) ticks of all CPUs since boot. Busy excludes idle and iowait, includes steal."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user already.
    total = sum(values[:8])
    return total - values[3] - values[4], values[7], total


def busy_share(before, after):
    """(busy %, steal %) of the machine between two machine_ticks() readings."""
    total = max(after[2] - before[2], 1)
    return round(100 * (after[0] - before[0]) / total, 1), round(100 * (after[1] - before[1]) / total, 1)


def sample_busy(seconds):
    """How busy the machine is over the next `seconds` (busy %, steal %): taken with every side idle,
    anything above a few % is another process (a build, a test run) or the host taking the CPU."""
    before = machine_ticks()
    time.sleep(seconds)
    return busy_share(before, machine_ticks())


class CpuWindow:
    """CPU used by a side's processes, by nginx and by the machine between start() and stop() (or end())."""

    def __init__(self, side_group, nginx_group):
        self.side_group = side_group
        self.nginx_group = nginx_group
        self._end = None

    def start(self):
        self._pids = self.side_group.pids()
        self._t0 = time.monotonic()
        self._server0 = group_cpu_s(self._pids)
        self._nginx0 = group_cpu_s(self.nginx_group.pids())
        self._machine0 = machine_ticks()

    def end(self):
        """Ends the window now, for a load tool that goes on after its measured window (closing sockets)."""
        # Processes that appeared during the window (a worker restarted) count from their start.
        pids = sorted(set(self._pids) | set(self.side_group.pids()))
        self._end = (time.monotonic(), group_cpu_s(pids), group_cpu_s(self.nginx_group.pids()), machine_ticks())

    def stop(self, requests):
        """The window's figures; us_per_request divides the side's CPU by the requests answered."""
        if self._end is None:
            self.end()
        t1, server1, nginx1, machine1 = self._end
        wall = max(t1 - self._t0, 1e-6)
        server_s = server1 - self._server0
        nginx_s = nginx1 - self._nginx0
        busy, steal = busy_share(self._machine0, machine1)
        return {
            "wall_s": round(wall, 3),
            "server_cpu_s": round(server_s, 3),
            "server_cores": round(server_s / wall, 3),
            "nginx_cores": round(nginx_s / wall, 3),
            "machine_busy_pct": busy,
            "steal_pct": steal,
            "us_per_request": round(server_s * 1e6 / requests, 2) if requests else None,
        }


def group_memory_kib(group, field):
    """Sum of a /proc/PID/status field (VmHWM, VmRSS) over the group's processes, in KiB."""
    total = 0
    for pid in group.pids():
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
        except OSError:
            continue
        total += int(m.group(1)) if m else 0
    return total


def connections_per_process(port):
    """Established connections to a local port per server process, largest first ([107, 93]).

    A burst of connections can land on one uvicorn worker only (whichever accepts first): this is how
    the harness sees it. Empty if ss (iproute2) is missing or shows none.
    """
    try:
        out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    counts = {}
    for pid in re.findall(r"pid=(\d+)", out):
        counts[pid] = counts.get(pid, 0) + 1
    return sorted(counts.values(), reverse=True)


def spread_ok(counts, workers, total, share=0.05):
    """True if each of `workers` processes holds at least `share` of the `total` connections."""
    return sum(1 for c in counts if c >= share * total) >= workers
