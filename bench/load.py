"""Load test: gunicorn with 2 workers on loopback, 16 clients, list/household/dashboard mix.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 16]

Starts ``gunicorn -w 2`` on 127.0.0.1 at a free port against the
``DATABASE_URL`` database (DEBUG off, static files from WhiteNoise), logs
the bench users in (``bench/pages.py`` creates them) to get session
cookies, and runs ``wrk -t4 -c16 -d60s --latency`` with a Lua script that
rotates over household lists (a ward filtered and searched), household pages
and the province dashboard. Prints p50/p95/p99 latency, requests/s and
errors (non-2xx/3xx and socket errors). Without wrk, a thread-pool client in
Python does the same (the output says which was used).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

P95_TARGET_MS = 300
#: Threads per gunicorn worker (gthread); 1: the default sync workers.
THREADS = int(os.environ.get("BENCH_THREADS", "1"))

LUA = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local counter = 0
request = function()
  counter = counter + 1
  local i = (counter %% #paths) + 1
  local headers = {}
  headers["Cookie"] = cookies[i]
  return wrk.format("GET", paths[i], headers)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def targets() -> list[tuple[str, str]]:
    """``(path, cookie)`` pairs: 2 lists, 4 household pages, 1 dashboard per 7 requests."""
    from django.urls import reverse

    from bench.pages import SEARCH, bench_users
    from households.models import Household

    big, small, officer_big, officer_small, city = bench_users()
    pairs = []
    for unit, user in ((big, officer_big), (small, officer_small)):
        cookie = session_cookie(user)
        pairs.append(
            (
                f"{reverse('households:household_list')}?unit={unit.pk}"
                f"&q={SEARCH.replace(' ', '+')}",
                cookie,
            )
        )
        for pk in (
            Household.objects.filter(unit=unit).order_by("pk").values_list("pk", flat=True)[:2]
        ):
            pairs.append((reverse("households:household_detail", args=[pk]), cookie))
    pairs.append((reverse("home"), session_cookie(city)))
    return pairs


def start_gunicorn(port: int) -> subprocess.Popen:
    env = dict(os.environ, DEBUG="0", DJANGO_ENV="development", LOG_LEVEL="ERROR")
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "halong.wsgi:application",
        "-w",
        "2",
        *(("--worker-class", "gthread", "--threads", str(THREADS)) if THREADS > 1 else ()),
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
    ]
    process = subprocess.Popen(command, cwd=common.ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not answer /healthz")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(base: str, pairs, seconds: int, clients: int) -> dict:
    paths = ", ".join(f'"{p}"' for p, _c in pairs)
    cookies = ", ".join(f'"{c}"' for _p, c in pairs)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": paths, "cookies": cookies})
    command = ["wrk", "-t4", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script.name, base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    percentiles = {
        int(p): _ms(v, u)
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\b", output, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    error_detail = f"non-2xx/3xx {errors}"
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
        error_detail += ", socket errors (connect, read, write, timeout) " + ", ".join(
            socket_errors.groups()
        )
    # wrk prints 50/75/90/99 only: p95 from its detailed distribution is not
    # printed without a Lua done() hook, so the hook below reports it.
    p95 = re.search(r"^p95_us (\d+)", output, re.M)
    return {
        "tool": "wrk",
        "p50": percentiles.get(50),
        "p95": int(p95.group(1)) / 1000 if p95 else None,
        "p99": percentiles.get(99),
        "requests": requests,
        "rps": requests / seconds,
        "errors": errors,
        "error_detail": error_detail,
        "raw": output,
    }


def run_python(base: str, pairs, seconds: int, clients: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            path, cookie = pairs[i % len(pairs)]
            i += 1
            request = urllib.request.Request(base + path, headers={"Cookie": cookie})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status < 400
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "tool": "python threads (wrk not found)",
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "errors": errors[0],
        "raw": "",
    }


WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args(argv)
    common.setup()
    global LUA
    LUA += WRK_DONE.replace("%", "%%")
    pairs = targets()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_gunicorn(port)
    try:
        # Warm both workers (imports, connections, the dashboard cache).
        for path, cookie in pairs * 4:
            urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie}))
        runner = run_wrk if shutil.which("wrk") else run_python
        result = runner(base, pairs, options.seconds, options.clients)
    finally:
        stop(process)
    common.note(
        f"{result['tool']}: {options.clients} clients, {options.seconds} s, gunicorn -w 2, "
        f"{common.database_label()}; {result['requests']:,} requests ({result['rps']:.1f}/s), "
        f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, {result['errors']} errors"
        + (f" ({result['error_detail']})" if result.get("error_detail") else "")
    )
    common.note("mix per 7 requests: 2 lists (ward + name search), 4 household pages, 1 dashboard")
    ok = common.figure("load: p95 latency", result["p95"], P95_TARGET_MS, "ms")
    ok &= common.figure("load: errors", result["errors"], 0, "")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
