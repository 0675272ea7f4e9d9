#!/usr/bin/env python3
"""The Fenfa load benchmark (see README, "Benchmark"). Started by `benches/run`.

Builds release, seeds the scale data sets, starts a portal and a reference server on each
data set's database file, logs in, and drives them with wrk: interleaved (10k page, its
reference, 1M page, its reference, ... three rounds), median of three. Writes a Markdown table to
target/bench/results.md (and prints it).
"""

import argparse
import datetime
import html as html_mod
import http.client as httpclient
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")
BIN = os.path.join(ROOT, "target", "release")
PORTAL_PORT = 18080
REF_PORT = 18081
PASSWORD = "fenfa-bench"
TICK = os.sysconf("SC_CLK_TCK")
PAGES = {
    "Project list": "/provider/projects",
    "Order centre, first page": "/provider/orders",
    "Order centre, status tab (failed)": "/provider/orders?project=&send=failed",
    "Workbench": "/workbench",
    "Form data list": "/f/1/data",
    # A member's form page records the member's use of the app (app centre figures),
    # off the request path: this row shows what recording costs a page.
    "Form page (records use)": "/f/1",
    "Space member list": "/interconnect/spaces/1/people",
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    log("$", " ".join(cmd))
    return subprocess.run(cmd, check=True, **kw)


# ---------------------------------------------------------------- processes

class Server:
    def __init__(self, name, exe, db, port, extra_env=None, wrap=()):
        self.name = name
        self.port = port
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": "sqlite://" + db,
            "FENFA_BIND": f"127.0.0.1:{port}",
            "FENFA_DATA_DIR": os.path.join(OUT, "data"),
            "FENFA_SECURE_COOKIES": "false",
            "FENFA_SQLITE_SYNC": "full",
        })
        env.update(extra_env or {})
        self.log = open(os.path.join(OUT, f"{name}.log"), "w")
        t0 = time.monotonic()
        args = [*wrap, exe, "serve" if name.startswith("portal") else "reference"]
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=self.log)
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"{name} exited; see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.01)
        self.startup = time.monotonic() - t0

    def cpu_ticks(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def rss_anon_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ---------------------------------------------------------------- HTTP helpers

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(port, path, cookie=None, data=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data)
    if cookie:
        req.add_header("Cookie", cookie)
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        req.add_header("Sec-Fetch-Site", "same-origin")
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def login(port, who):
    body = urllib.parse.urlencode({"login": who, "password": PASSWORD, "next": "/"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/login", data=body)
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("Sec-Fetch-Site", "same-origin")
    try:
        OPENER.open(req, timeout=30)
        raise SystemExit("login did not redirect")
    except urllib.error.HTTPError as e:
        if e.code != 303:
            raise SystemExit(f"login of {who} answered {e.code}")
        for k, v in e.headers.items():
            if k.lower() == "set-cookie" and v.startswith("fenfa_session="):
                return v.split(";", 1)[0]
    raise SystemExit("no session cookie after login")


def next_link(html):
    # The pager's own "next page" link (templates/_macros.html).
    m = re.search(r'class="pager".*?href="([^"]*after=\d+[^"]*)"', html, re.S)
    return html_mod.unescape(m.group(1)) if m else None


# ---------------------------------------------------------------- wrk

def wrk(server, path, script, mode, cookie="", extra="", conns=32, secs=4, threads=2):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--latency",
           "-s", os.path.join(ROOT, "benches", script),
           f"http://127.0.0.1:{server.port}{path}", "--", mode, cookie, extra]
    cpu0 = server.cpu_ticks()
    peak = [server.rss_anon_kb()]
    stop = threading.Event()

    def sample():
        while not stop.wait(0.1):
            try:
                peak[0] = max(peak[0], server.rss_anon_kb())
            except OSError:
                return

    th = threading.Thread(target=sample)
    th.start()
    out = subprocess.run(cmd, capture_output=True, text=True)
    stop.set()
    th.join()
    cpu1 = server.cpu_ticks()
    m = re.search(r"RESULT (.*)", out.stdout)
    if not m:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    secs_run = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / secs_run if secs_run else 0
    r["cpu_us"] = (cpu1 - cpu0) / TICK * 1e6 / max(r["requests"], 1)
    r["rss_mb"] = peak[0] / 1024
    return r


def argon2_rate(secs):
    """argon2 verifications per second with the login permits (`fenfa argon2-rate`)."""
    out = subprocess.run([os.path.join(BIN, "fenfa"), "argon2-rate", "--seconds", str(secs)],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"verifies_per_second=([\d.]+)", out).group(1))


def med(runs, key):
    return statistics.median(x[key] for x in runs)


def summary(runs):
    return {
        "rps": med(runs, "rps"),
        "p50": med(runs, "p50_us") / 1000,
        "p99": med(runs, "p99_us") / 1000,
        "non2xx": sum(x["non2xx"] + x["errors"] for x in runs),
        "cpu_us": med(runs, "cpu_us"),
        "rss": max(x["rss_mb"] for x in runs),
        "redirects": sum(x["redirects"] for x in runs),
        "requests": sum(x["requests"] for x in runs),
    }


# ---------------------------------------------------------------- one data set

def seed(size, fresh, exe=None, name="scale"):
    """The scale data set of `size` orders, made by `exe` (the current binary unless an
    older one is compared: each binary measures on a database of its own schema)."""
    exe = exe or os.path.join(BIN, "fenfa")
    db = os.path.join(OUT, f"{name}-{size}.db")
    if fresh or not os.path.exists(db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        t0 = time.monotonic()
        env = dict(os.environ, DATABASE_URL="sqlite://" + db, FENFA_LOG="warn",
                   FENFA_DATA_DIR=os.path.join(OUT, "data"))
        sh([exe, "seed-scale", "--orders", str(size)], env=env, stdout=subprocess.DEVNULL)
        log(f"seeded {size} orders in {time.monotonic() - t0:.1f}s")
    else:
        # A kept database gets its pending migrations here, not in the start-up measured.
        env = dict(os.environ, DATABASE_URL="sqlite://" + db, FENFA_LOG="warn",
                   FENFA_DATA_DIR=os.path.join(OUT, "data"))
        sh([exe, "migrate"], env=env, stdout=subprocess.DEVNULL)
    return db


def deep_page(port, cookie, size):
    """The deep page: the UI's own next link, taken from the middle of the list."""
    status, _, html = http(port, "/provider/orders", cookie)
    link = next_link(html) if status == 200 else None
    if not link:
        return None
    mid = re.sub(r"after=\d+", f"after={size // 2}", link)
    status, _, html = http(port, mid, cookie)
    return next_link(html) if status == 200 else None


def measure(sizes, dbs, args):
    """Every size's portal and reference run side by side, so that each page is measured
    interleaved across sizes too (10k page, its reference, 1M page, its reference, ...,
    three rounds): the 1M / 10k ratio then compares runs minutes apart at most, not the two
    halves of the whole benchmark."""
    portals, refs, res, cookies, pages = {}, {}, {}, {}, {}
    try:
        for i, size in enumerate(sizes):
            portals[size] = Server(f"portal-{size}", os.path.join(BIN, "fenfa"), dbs[size],
                                   PORTAL_PORT + 2 * i)
            # The reference is the same binary (`fenfa reference`): one release link, not two.
            refs[size] = Server(f"reference-{size}", os.path.join(BIN, "fenfa"), dbs[size],
                                REF_PORT + 2 * i)
            res[size] = {"startup": portals[size].startup}
            port = portals[size].port
            cookies[size] = (login(port, "bench-admin"), login(port, "bench-buyer"))
            pages[size] = dict(PAGES)
            deep = deep_page(port, cookies[size][0], size)
            if deep:
                pages[size]["Order centre, deep page (next link)"] = deep
        names = list(pages[sizes[0]])
        for name in names:
            runs = {}
            for size in sizes:
                path = pages[size].get(name)
                status = http(portals[size].port, path, cookies[size][0])[0] if path else None
                if status != 200:
                    log(f"{size} {name}: {path} answered {status}: n/a")
                    res[size][name] = None
                else:
                    runs[size] = ([], [])
            for _ in range(3):
                for size, (a, b) in runs.items():
                    a.append(wrk(portals[size], pages[size][name], "get.lua", "get",
                                 cookies[size][0], secs=args.secs))
                    b.append(wrk(refs[size], "/fortunes", "get.lua", "get", secs=args.secs))
            for size, (a, b) in runs.items():
                res[size][name] = summary(a)
                res[size][name]["ref"] = summary(b)
                log(f"{size} {name}: {res[size][name]['rps']:.0f}/s "
                    f"vs ref {res[size][name]['ref']['rps']:.0f}/s")
        for size in sizes:
            measure_posts(size, dbs[size], portals[size], refs[size], cookies[size],
                          pages[size], res[size], args)
    finally:
        for server in list(portals.values()) + list(refs.values()):
            server.stop()
    return res


def measure_posts(size, db, portal, ref, cookies, pages, res, args):
    """The reference's own routes, login, purchase, and each page under a login flood."""
    admin, buyer = cookies
    for name, path in [("Reference /fortunes-two-hops", "/fortunes-two-hops"),
                       ("Reference /plaintext", "/plaintext")]:
        res[name] = summary([wrk(ref, path, "get.lua", "get", secs=args.secs)
                             for _ in range(3)])
    # Login: POST, lower concurrency, against the argon2 bound of its permits, measured
    # interleaved with it (bound, login, bound, login, ...).
    runs, bounds = [], []
    for _ in range(3):
        bounds.append(argon2_rate(args.secs))
        runs.append(wrk(portal, "/login", "get.lua", "login", "",
                        f"bench-admin:{PASSWORD}", conns=4, secs=args.secs))
    res["Login (POST, 4 connections)"] = summary(runs)
    res["Login (POST, 4 connections)"]["bound"] = statistics.median(bounds)
    # Purchase: unique links, counted against the orders that exist afterwards.
    con = sqlite3.connect(db)
    before = con.execute("SELECT count(*) FROM orders WHERE customer_org_id = 2").fetchone()[0]
    runs = []
    first = 0
    for _ in range(3):
        r = wrk(portal, "/", "post.lua", "purchase", buyer, f"{first}:2", conns=16,
                secs=args.secs, threads=2)
        runs.append(r)
        # Threads may be unequal: the busier one used at most 2 x requests keys.
        first += 2 * r["requests"] + 64
    after = con.execute("SELECT count(*) FROM orders WHERE customer_org_id = 2").fetchone()[0]
    con.close()
    s = summary(runs)
    s["orders"] = after - before
    s["acked"] = s["redirects"]
    res["Purchase (POST, 16 connections)"] = s
    # Each list page again while login is flooded (8 connections of login POSTs).
    for name, path in pages.items():
        if res.get(name) is None:
            continue
        flood = subprocess.Popen(
            ["wrk", "-t1", "-c8", f"-d{args.secs + 2}s", "-s",
             os.path.join(ROOT, "benches", "get.lua"),
             f"http://127.0.0.1:{portal.port}/login", "--", "login", "",
             f"bench-admin:{PASSWORD}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        r = wrk(portal, path, "get.lua", "get", admin, secs=args.secs)
        flood.wait()
        res[name]["flood"] = r


def compare(size, db, old_exe, args):
    """Before/after: an older portal binary against the current one, each on the same data
    set seeded by itself (schemas differ between versions), interleaved (old, new, old,
    new, ...), median of three."""
    old_db = seed(size, not args.reuse, exe=old_exe, name="scale-old")
    old = Server("portal-old", old_exe, old_db, REF_PORT)
    new = Server("portal", os.path.join(BIN, "fenfa"), db, PORTAL_PORT)
    rows = []
    try:
        co, cn = login(REF_PORT, "bench-admin"), login(PORTAL_PORT, "bench-admin")
        for name, path in PAGES.items():
            if http(PORTAL_PORT, path, cn)[0] != 200:
                continue
            a, b = [], []
            for _ in range(3):
                a.append(wrk(old, path, "get.lua", "get", co, secs=args.secs))
                b.append(wrk(new, path, "get.lua", "get", cn, secs=args.secs))
            sa, sb = summary(a), summary(b)
            rows.append(f"| {size:,} | {name} | {sa['rps']:.0f} | {sb['rps']:.0f} "
                        f"| {sb['rps'] / sa['rps']:.2f} | {sa['p99']:.1f} | {sb['p99']:.1f} "
                        f"| {sa['cpu_us']:.0f} | {sb['cpu_us']:.0f} | {sa['rss']:.0f} | {sb['rss']:.0f} |")
            log(rows[-1])
    finally:
        old.stop()
        new.stop()
    return rows


# ---------------------------------------------------------------- instructions

def callgrind_total(exe, db, path, cookie, requests, out):
    """Instructions the whole portal process executes (start-up, 5 warm-ups and `requests`
    GETs of `path` on one kept-alive connection, shut-down), counted by callgrind."""
    # The options the portal would otherwise re-exec itself with (src/main.rs), set here:
    # callgrind does not follow an exec.
    server = Server("portal-callgrind", exe, db, REF_PORT,
                    extra_env={"MIMALLOC_PURGE_DELAY": "0", "MIMALLOC_ARENA_EAGER_COMMIT": "0"},
                    wrap=("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"))
    try:
        conn = httpclient.HTTPConnection("127.0.0.1", REF_PORT, timeout=120)
        for _ in range(5 + requests):
            conn.request("GET", path, headers={"Cookie": cookie})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"{path} answered {r.status} under callgrind")
        conn.close()
    finally:
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(120)
        server.log.close()
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"no total in {out}")


def instructions(db, exe, requests):
    """Instructions per request of each list page, deterministic whatever the machine's
    load: the difference between a run of 2n requests and one of n, divided by n (the
    start-up, warm-ups and shut-down cancel out), median of three such pairs."""
    plain = Server("portal-login", exe, db, REF_PORT)
    try:
        cookie = login(REF_PORT, "bench-admin")  # argon2 is too slow under valgrind
    finally:
        plain.stop()
    per = {}
    for name, path in PAGES.items():
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        tag = os.path.basename(db).split(".")[0]
        # Kept for `callgrind_annotate`: the difference of the two files is the page's.
        estimates = []
        for _ in range(3):
            runs = [callgrind_total(exe, db, path, cookie, n,
                                    os.path.join(OUT, f"callgrind.{tag}.{slug}.{n}.out"))
                    for n in (requests, 2 * requests)]
            estimates.append((runs[1] - runs[0]) / requests)
        # The job runner's and session sweep's timers tick into either run: median of three.
        per[name] = statistics.median(estimates)
        log(f"{name}: {per[name]:,.0f} instructions per request "
            f"({', '.join(f'{e:,.0f}' for e in estimates)})")
    return per


def instruction_table(size, requests, old_exe, args):
    new = instructions(seed(size, not args.reuse), os.path.join(BIN, "fenfa"), requests)
    if not old_exe:
        rows = ["| page | instructions per request |", "|---|---:|"]
        return rows + [f"| {k} | {v:,.0f} |" for k, v in new.items()]
    old = instructions(seed(size, not args.reuse, exe=old_exe, name="scale-old"), old_exe, requests)
    rows = ["| page | before | after | after/before |", "|---|---:|---:|---:|"]
    return rows + [f"| {k} | {old[k]:,.0f} | {new[k]:,.0f} | {new[k] / old[k]:.3f} |"
                   for k in new if k in old]


# ---------------------------------------------------------------- report

def table(results, sizes, machine):
    small, big = sizes[0], sizes[-1]
    lines = []
    lines.append(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine}; "
                 f"SQLite, synchronous=FULL; wrk -t2, 32 connections unless stated, "
                 f"{ARGS.secs}s runs, median of three; page, reference and sizes interleaved.")
    lines.append("")
    lines.append("| size | what | req/s | p50 ms | p99 ms | non-2xx | CPU µs/req | anon RSS MB "
                 "| × reference | × 10k | p99 under login flood (× unloaded) |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        res = results[size]
        label = f"{size:,}"
        for name, s in res.items():
            if name == "startup":
                continue
            if s is None:
                lines.append(f"| {label} | {name} | n/a | | | | | | | | |")
                continue
            ref = s.get("ref")
            xref = f"{s['rps'] / ref['rps']:.2f}" if ref else ""
            base = results[small].get(name) if size != small else None
            x10k = f"{s['rps'] / base['rps']:.2f}" if base else ""
            fl = s.get("flood")
            flood = (f"{fl['p99_us'] / 1000:.1f} ({fl['p99_us'] / 1000 / max(s['p99'], 0.001):.1f}×)"
                     if fl else "")
            extra = ""
            if "acked" in s:
                extra = f" — acknowledged {s['acked']}, orders {s['orders']}"
            if name.startswith("Login"):
                extra = f" — {s['rps'] / s['bound']:.2f}× argon2 bound ({s['bound']:.1f}/s)"
            lines.append(
                f"| {label} | {name}{extra} | {s['rps']:.0f} | {s['p50']:.1f} | {s['p99']:.1f} "
                f"| {s['non2xx']} | {s['cpu_us']:.0f} | {s['rss']:.0f} | {xref} | {x10k} | {flood} |")
        lines.append(f"| {label} | start-up with migrations | {res['startup']:.2f} s | | | | | | | | |")
    return "\n".join(lines) + "\n"


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,1000000")
    p.add_argument("--secs", type=int, default=3)
    p.add_argument("--reuse", action="store_true", help="keep already seeded databases")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--compare", metavar="OLD_FENFA",
                   help="before/after: this older portal binary against the current one")
    p.add_argument("--instructions", type=int, metavar="N",
                   help="instructions per request by callgrind (N and 2N requests) instead of wrk, "
                        "at the first size")
    ARGS = args = p.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        raise SystemExit("valgrind is missing: apt-get install -y valgrind")
    if not args.instructions and not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    os.makedirs(OUT, exist_ok=True)
    t0 = time.monotonic()
    if not args.no_build:
        sh(["cargo", "build", "--release", "--bin", "fenfa"], cwd=ROOT)
    build = time.monotonic() - t0
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.instructions:
        md = "\n".join(instruction_table(sizes[0], args.instructions, args.compare, args)) + "\n"
        with open(os.path.join(OUT, "instructions.md"), "w") as f:
            f.write(md)
        print(md)
        return
    if args.compare:
        rows = ["| size | page | before req/s | after req/s | after/before | before p99 ms "
                "| after p99 ms | before CPU µs | after CPU µs | before RSS MB | after RSS MB |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for size in sizes:
            rows += compare(size, seed(size, not args.reuse), args.compare, args)
        md = "\n".join(rows) + "\n"
        with open(os.path.join(OUT, "compare.md"), "w") as f:
            f.write(md)
        print(md)
        return
    dbs = {size: seed(size, not args.reuse) for size in sizes}
    results = measure(sizes, dbs, args)
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    machine = f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"
    md = table(results, sizes, machine)
    md += f"\nRelease build {build:.0f} s; whole run {time.monotonic() - t0:.0f} s.\n"
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
