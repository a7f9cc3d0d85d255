"""docs/performance.md from the benchmark's figures.

Everything is regenerated on each run except the hand-written reading between
the NOTES markers, which is carried over from the file being replaced.
"""

import math
import re
from pathlib import Path

NOTES_START = "<!-- notes:start (kept when the benchmark rewrites this file) -->"
NOTES_END = "<!-- notes:end -->"
KB = 1024
QUIET = 0.3  # as bench.run.QUIET
DISTURBED = (
    "† Other processes on this shared machine used 0.3 cores or more while this "
    "was measured, even after waiting for quiet and measuring again: the figure "
    "is likely pessimistic."
)


def _mark(*entries) -> str:
    """A dagger if other processes used the CPU while these were measured."""
    return (
        " †" if any((e or {}).get("other_cores", 0) >= QUIET for e in entries) else ""
    )


ENDPOINTS = {
    "question": ("Question page", "GET /pupil/q/<step>"),
    "save": ("Answer save (htmx autosave)", "POST /pupil/q/<step> + HX-Request"),
    "check": ("Check answers", "GET /pupil/check"),
    "floor": (
        "Floor: a pupil request with no page (where to resume: a redirect)",
        "GET /pupil/",
    ),
    "teacher_list": ("Teacher's pupil list", "GET /staff/pupils"),
    "sw_list": ("Social worker's caseload", "GET /staff/pupils"),
    "export_pdf": ("Export: PDF", "GET /staff/voice/<id>/export/pdf"),
    "export_docx": ("Export: Word", "GET /staff/voice/<id>/export/docx"),
    "export_json": ("Export: JSON", "GET /staff/voice/<id>/export/json"),
    "export_csv": ("Export: CSV", "GET /staff/voice/<id>/export/csv"),
    "export_text": ("Export: text page", "GET /staff/voice/<id>/text"),
}
SIZE_NAMES = {"tiny": "tiny", "large": "large VS", "england": "England"}


def _ms(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("**pass**" if ok else "**FAIL**")


def targets(results: dict) -> list[tuple]:
    """(what, database, measured, target, pass) rows."""
    rows = []
    sizes = results["sizes"]
    for name, found in sizes.items():
        label = SIZE_NAMES.get(name, name)
        hello = found.get("hello", {}).get("rps") or 0
        realistic = found.get("realistic", {}).get("endpoints", {})
        for key, what in (("question", "Question page"), ("save", "Answer save")):
            p95 = realistic.get(key, {}).get("p95_ms")
            rows.append(
                (
                    f"{what}: p95 under realistic load",
                    label,
                    f"{_ms(p95)} ms{_mark(found.get('realistic'))}",
                    "≤ 25 ms",
                    None if p95 is None else p95 <= 25,
                )
            )
        for key, what in (("question", "Question page"), ("save", "Answer save")):
            sat = found.get("saturation", {}).get(key, {})
            rps = sat.get("rps")
            ratio = rps / hello if rps is not None and hello else None
            rows.append(
                (
                    f"{what}: saturation vs bare Flask",
                    label,
                    "–"
                    if ratio is None
                    else f"{ratio:.0%} ({rps:,.0f} of {hello:,.0f}/s)"
                    + _mark(sat, found.get("hello")),
                    "≥ 50%",
                    None if ratio is None else ratio >= 0.5,
                )
            )
    # Lists: on the England-scale database, or the largest one run.
    list_size = "england" if "england" in sizes else (list(sizes) or [None])[-1]
    if list_size:
        realistic = sizes[list_size].get("realistic", {})
        for key in ("teacher_list", "sw_list"):
            p95 = realistic.get("endpoints", {}).get(key, {}).get("p95_ms")
            rows.append(
                (
                    f"{ENDPOINTS[key][0]}: p95 under realistic load",
                    SIZE_NAMES.get(list_size, list_size),
                    f"{_ms(p95)} ms{_mark(realistic)}",
                    "≤ 100 ms",
                    None if p95 is None else p95 <= 100,
                )
            )
    for name, found in sizes.items():
        weight = found.get("pageweight", {}).get("welcome")
        if weight:
            rows.append(
                (
                    "First pupil page (welcome): bytes over the wire",
                    SIZE_NAMES.get(name, name),
                    f"{weight['bytes'] / KB:.1f} KB",
                    "≤ 60 KB",
                    weight["bytes"] <= 60 * KB,
                )
            )
            rows.append(
                (
                    "First pupil page (welcome): requests",
                    SIZE_NAMES.get(name, name),
                    str(weight["requests"]),
                    "≤ 10",
                    weight["requests"] <= 10,
                )
            )
    for name, found in sizes.items():
        exports = found.get("exports", {})
        for fmt, what, limit in (
            ("pdf", "PDF", 500),
            ("docx", "Word", 150),
            ("json", "JSON", 10),
        ):
            if fmt in exports:
                median = exports[fmt]["median_ms"]
                rows.append(
                    (
                        f"{what} export for one pupil, called directly (median)",
                        SIZE_NAMES.get(name, name),
                        f"{_ms(median)} ms",
                        f"≤ {limit} ms",
                        median <= limit,
                    )
                )
    return rows


def durability(s: dict, sizes: dict) -> list[str]:
    """What SQLite's synchronous = FULL costs against NORMAL, measured back to
    back in the same run."""
    measured = {n: f["durability"] for n, f in sizes.items() if f.get("durability")}
    if not measured:
        return []
    rate = s["tablets"] / s["tablet_interval_s"]
    out = [
        "### What durability costs",
        "",
        "Each commit waits for the disk (`PRAGMA synchronous = FULL`, as shipped), "
        "so an answer a tablet shows as saved survives a power cut; with `NORMAL` "
        "a WAL-mode database can lose the last commits. Both served through "
        "`bench/synchronous.py` (the benchmark's only way to NORMAL), each on a "
        "fresh copy of the database on "
        + " and ".join(sorted({d.get("filesystem", "?") for d in measured.values()}))
        + ", one server after the other in the order FULL, NORMAL, NORMAL, FULL: "
        f"the tablets' part of the realistic load alone ({rate:,.0f} requests/s, "
        f"{s.get('ladder_duration_s', 0):g} s measured; p95 from when each request "
        "was due), then each page at saturation as above. Of each level's two "
        "runs the better figure is shown, since other processes on a shared "
        "machine only ever slow a run down.",
        "",
    ]
    for n, d in measured.items():
        commits = d.get("commits", {})
        if commits.get("FULL") and commits.get("NORMAL"):
            full, normal = commits["FULL"], commits["NORMAL"]
            out += [
                f"The disk's part alone ({SIZE_NAMES.get(n, n)} run): "
                f"{full['count']} one-row commits one after another, no load "
                f"running, took p50 {full['p50_ms']:.2f} ms and p95 "
                f"{full['p95_ms']:.2f} ms each with FULL, p50 "
                f"{normal['p50_ms']:.2f} ms and p95 {normal['p95_ms']:.2f} ms "
                "with NORMAL.",
                "",
            ]
    header = [
        "Endpoint",
        "Database",
        "p95, tablets alone: FULL",
        "NORMAL",
        "saturation req/s: FULL",
        "NORMAL",
        "FULL ÷ NORMAL",
        "p50 ms: FULL",
        "NORMAL",
    ]
    rows = []
    sentences = []
    for n, d in measured.items():
        full, normal = d.get("FULL", {}), d.get("NORMAL", {})
        for key in ("save", "question"):
            p95 = [
                x.get("realistic", {}).get("endpoints", {}).get(key, {})
                for x in (full, normal)
            ]
            sat = [x.get(key, {}) for x in (full, normal)]
            ratio = (
                sat[0]["rps"] / sat[1]["rps"]
                if sat[0].get("rps") and sat[1].get("rps")
                else None
            )
            rows.append(
                [
                    ENDPOINTS[key][0],
                    SIZE_NAMES.get(n, n),
                    f"{_ms(p95[0].get('p95_ms'))} ms{_mark(full.get('realistic'))}",
                    f"{_ms(p95[1].get('p95_ms'))} ms{_mark(normal.get('realistic'))}",
                    f"{sat[0].get('rps', 0):,.1f}{_mark(sat[0])}",
                    f"{sat[1].get('rps', 0):,.1f}{_mark(sat[1])}",
                    "–" if ratio is None else f"{ratio:.0%}",
                    _ms(sat[0].get("p50_ms")),
                    _ms(sat[1].get("p50_ms")),
                ]
            )
            if key == "save" and ratio is not None:
                sentences.append(
                    f"on the {SIZE_NAMES.get(n, n)} database FULL saves answers at "
                    f"{ratio:.0%} of NORMAL's rate at saturation, and a save's p95 "
                    f"with the tablets alone is {_ms(p95[0].get('p95_ms'))} ms "
                    f"against {_ms(p95[1].get('p95_ms'))} ms"
                )
    out += _table(header, rows) + [""]
    if sentences:
        out += [f"What durability costs: {'; '.join(sentences)}.", ""]
    if any("†" in cell for row in rows for cell in row):
        out += [DISTURBED, ""]
    return out


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def render(results: dict, notes: str) -> str:
    m = results["machine"]
    s = results["settings"]
    sizes = results["sizes"]
    out = [
        "# Performance",
        "",
        "Written by the benchmark (`bench/run`, see [bench/README.md]"
        "(../bench/README.md)); every figure below is from the run of "
        f"{m['date']} on commit `{m['commit'] or 'unknown'}`. Rerun it rather "
        "than editing figures; only the reading between the notes markers is "
        "hand-written, and it is kept when the file is rewritten.",
        "",
        "## Machine",
        "",
        *_table(
            ["", ""],
            [
                ["CPU", m["cpu"]],
                ["Cores", m["cores"]],
                ["Memory", f"{m['memory_gib']:.0f} GiB"],
                ["Python", m["python"]],
                ["SQLite", m["sqlite"]],
                ["gunicorn / Flask", f"{m['gunicorn']} / {m['flask']}"],
                ["Linux", m["kernel"]],
                ["Date", m["date"]],
                [
                    "Quiet?",
                    f"load average {' '.join(m.get('loadavg_at_start', []))} at the "
                    f"start; other processes were using "
                    f"{m.get('busy_before_start', 0):.2f} cores when it began",
                ],
                [
                    "Server",
                    f"`pupilvoice serve --workers {s['workers']} --threads "
                    f"{s['threads']}` (gunicorn gthread, connections kept alive "
                    f"{s.get('keepalive', 2)} s) on 127.0.0.1",
                ],
            ],
        ),
        "",
        "## Targets",
        "",
        *_table(
            ["What", "Database", "Measured", "Target", "Result"],
            [[w, d, v, t, _verdict(ok)] for w, d, v, t, ok in targets(results)],
        ),
        "",
        *([DISTURBED, ""] if any("†" in r[2] for r in targets(results)) else []),
        "Databases: "
        + "; ".join(
            f"**{SIZE_NAMES.get(n, n)}**: {f['size']['description']} "
            f"({f['size']['rows']['answers']:,} answers, "
            f"{f['size']['database_mib']:,.0f} MiB)"
            for n, f in sizes.items()
        )
        + ".",
        "",
    ]

    hellos = "; ".join(
        f"before the {SIZE_NAMES.get(n, n)} runs **{h['rps']:,.0f} requests/s** "
        f"(p50 {_ms(h['p50_ms'])} ms, {_ms(h.get('server_cpu_ms_per_request'))} ms "
        f"of server CPU a request, server using {h.get('server_cores', 0):.2f} "
        f"cores){_mark(h)}"
        for n, f in sizes.items()
        if (h := f.get("hello"))
    )
    wrks = [
        (n, f["hello"]["wrk"])
        for n, f in sizes.items()
        if f.get("hello", {}).get("wrk")
    ]
    old_wrk = results.get("hello_wrk")  # runs before per-size wrk
    out += [
        "## Saturation, and the ratio to bare Flask",
        "",
        f"Closed loop: {s['connections']} connections (2 × workers × threads), each "
        "sending its next request as soon as the last is answered; "
        f"{s['saturation_warmup_s']:g} s warm-up, then good answers counted for "
        f"{s['saturation_duration_s']:g} s. The baseline is a bare Flask app "
        "returning “Hello, World!” under the same gunicorn settings "
        f"(`bench/hello.py`), run just before each database's: {hellos}. "
        + (
            "The same hello server through `wrk` (C) straight afterwards: "
            + "; ".join(
                f"{SIZE_NAMES.get(n, n)} {w['rps']:,.0f} requests/s"
                f" ({w['rps'] / sizes[n]['hello']['rps']:.0%} of the Python "
                "generator's figure)"
                for n, w in wrks
            )
            + ". The ratios use the Python generator's figures on both sides. "
            if wrks
            else f"`wrk` (C), run once against the hello app at the start of the "
            f"run, managed {old_wrk['rps']:,.0f} requests/s, but the machine was "
            "not yet quiet then, so it is no yardstick. "
            if old_wrk
            else ""
        )
        + "“CPU/req” is the server's CPU time (all its processes) per answered "
        "request; “cores” is the server's CPU use over the window.",
        "",
    ]
    header = ["Endpoint"]
    for n in sizes:
        label = SIZE_NAMES.get(n, n)
        header += [f"{label} req/s", "vs hello", "p50 ms", "CPU/req ms", "cores"]
    rows = []
    for key, (what, path) in ENDPOINTS.items():
        row = [f"{what} <br>`{path}`"]
        for found in sizes.values():
            sat = found.get("saturation", {}).get(key)
            hello = found.get("hello", {})
            if sat is None:
                row += ["–"] * 5
                continue
            ratio = sat["rps"] / hello["rps"] if hello.get("rps") else None
            errors = f" ({sat['errors']} errors)" if sat["errors"] else ""
            row += [
                f"{sat['rps']:,.1f}{errors}{_mark(sat)}",
                "–" if ratio is None else f"{ratio:.1%}",
                _ms(sat["p50_ms"]),
                _ms(sat["server_cpu_ms_per_request"]),
                f"{sat.get('server_cores', 0):.2f}",
            ]
        rows.append(row)
    out += _table(header, rows) + [""]
    if any("†" in cell for row in rows for cell in row):
        out += [DISTURBED, ""]
    out += durability(s, sizes)

    out += [
        "## Realistic load",
        "",
        f"Open loop: {s['tablets']} tablets, each in pupil mode with its own pupil "
        f"and session, each asking at random (Poisson) on average every "
        f"{s['tablet_interval_s']:g} s — {s['tablets'] / s['tablet_interval_s']:,.0f} "
        "requests/s — for a question page (40%), an autosave (50%) or the check "
        f"page (10%); alongside, {s['staff']} teachers and {s['staff']} social "
        f"workers each load their list every {s['staff_interval_s']:g} s on average, "
        f"and one export (rotating PDF, Word, JSON, CSV, text) is made every "
        f"{s['export_interval_s']:g} s. A latency runs from when the request was "
        "due, not when it was sent, so queueing counts. "
        f"{s['warmup_s']:g} s warm-up, {s['duration_s']:g} s measured.",
        "",
    ]
    for n, found in sizes.items():
        r = found.get("realistic")
        if not r:
            continue
        setup = found.get("setup", {})
        out += [
            f"**{SIZE_NAMES.get(n, n)}** — {r['achieved_rps']:,.0f} requests/s "
            f"answered of {r['offered_rps']:,.0f} offered, {r['errors']} errors; "
            f"the server used {r.get('server_cores', 0):.2f} cores, the load "
            f"generator {r.get('generator_cores', 0):.2f} (its lag p99 "
            f"{_ms(r['generator_lag_p99_ms'])} ms), other processes "
            f"{r.get('other_cores', 0):.2f}. Setting up, "
            f"{setup.get('concurrency', '?')} teachers at a time started pupil mode "
            f"on {setup.get('tablets', '?')} tablets: "
            f"{setup.get('pupil_mode_server_errors', '?')} starts failed with a "
            "server error and had to be tried again, up to "
            f"{setup.get('most_failures_for_one_pupil', '?')} times for one pupil. "
            f"Over the whole run the server logged "
            f"{found.get('server_log', {}).get('tracebacks', '?')} tracebacks, "
            f"{found.get('server_log', {}).get('database_is_locked', '?')} of them "
            "“sqlite3.OperationalError: database is locked”.",
            "",
            *_table(
                ["Endpoint", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"],
                [
                    [
                        ENDPOINTS.get(k, (k,))[0],
                        e["count"],
                        _ms(e["p50_ms"]),
                        _ms(e["p95_ms"]),
                        _ms(e["p99_ms"]),
                        _ms(e["max_ms"]),
                        e["errors"],
                    ]
                    for k, e in sorted(
                        r["endpoints"].items(),
                        key=lambda kv: (
                            list(ENDPOINTS).index(kv[0]) if kv[0] in ENDPOINTS else 99
                        ),
                    )
                ],
            ),
            "",
        ]

    ladders = [(n, f["ladder"]) for n, f in sizes.items() if f.get("ladder")]
    if ladders:
        out += [
            "### Lighter loads",
            "",
            "The tablets' part of the mix alone (no staff lists, no exports) at "
            f"lower request rates, {s.get('ladder_duration_s', 0):g} s measured "
            "each, run before the full load: where the 25 ms target stops holding.",
            "",
        ]
        header = ["Tablet requests/s"]
        for n, _ in ladders:
            label = SIZE_NAMES.get(n, n)
            header += [
                f"{label} question p95",
                "save p95",
                "check p95",
                "server cores",
            ]
        rates = sorted({step["tablet_rps"] for _, ladder in ladders for step in ladder})
        rows = []
        for rate in rates:
            row = [f"{rate:,.0f}"]
            for _, ladder in ladders:
                step = next((x for x in ladder if x["tablet_rps"] == rate), None)
                if step is None:
                    row += ["–"] * 4
                    continue
                e = step["endpoints"]
                row += [
                    f"{_ms(e.get('question', {}).get('p95_ms'))} ms{_mark(step)}",
                    f"{_ms(e.get('save', {}).get('p95_ms'))} ms",
                    f"{_ms(e.get('check', {}).get('p95_ms'))} ms",
                    f"{step.get('server_cores', 0):.2f}",
                ]
            rows.append(row)
        out += _table(header, rows) + [""]
        if any("†" in cell for row in rows for cell in row):
            out += [DISTURBED, ""]

    weights = [(n, f["pageweight"]) for n, f in sizes.items() if f.get("pageweight")]
    if weights:
        out += [
            "## Page weight",
            "",
            "Headless Chromium (Debian's, through Playwright) on a tablet-sized "
            "viewport with an empty cache. Bytes are what came over the network "
            "(Chromium's `encodedDataLength`: headers and body as sent); "
            "“decoded” is the bodies after any decompression.",
            "",
        ]
        for n, pages in weights:
            out += _table(
                ["Page", "requests", "over the wire", "decoded", "compressed?"],
                [
                    [
                        title,
                        f"{p['requests']}"
                        + (
                            f" (+{p['from_cache']} from cache)"
                            if p["from_cache"]
                            else ""
                        ),
                        f"{p['bytes'] / KB:,.1f} KB",
                        f"{p['decoded_bytes'] / KB:,.1f} KB",
                        "yes" if p["compressed"] else "no",
                    ]
                    for key, title in (
                        ("welcome", "Welcome (first pupil page), empty cache"),
                        ("question_after_welcome", "First question, after the welcome"),
                        ("question_cold", "A question page, empty cache"),
                    )
                    if (p := pages.get(key))
                ],
            )
            out += ["", f"The welcome page's requests ({SIZE_NAMES.get(n, n)}):", ""]
            out += _table(
                [
                    "Resource",
                    "status",
                    "over the wire",
                    "decoded",
                    "encoding",
                    "cache-control",
                ],
                [
                    [
                        f"`{r['url'][:70]}`",
                        r["status"],
                        f"{r['bytes']:,} B",
                        f"{r['decoded']:,} B",
                        r["encoding"] or "none",
                        r.get("cache_control") or "–",
                    ]
                    for r in pages["welcome"]["resources"]
                ],
            )
            out += [""]

    out += [
        "## Exports called directly",
        "",
        "One pupil's finished voice section, rendered in-process by "
        "`pupilvoice.formats.render()` (what the download routes and the command "
        "line call) with no load running; “build” is `voice.build()` alone, the "
        "document every format is laid out from.",
        "",
    ]
    header = ["Format"]
    for n in sizes:
        header += [f"{SIZE_NAMES.get(n, n)} median ms", "p95 ms"]
    header += ["Target", "Size"]
    limits = {"pdf": "≤ 500 ms", "docx": "≤ 150 ms", "json": "≤ 10 ms"}
    rows = []
    for fmt in ("build", "json", "csv", "text", "docx", "pdf"):
        row = [fmt]
        size_bytes = ""
        for found in sizes.values():
            e = found.get("exports", {}).get(fmt)
            row += [_ms(e["median_ms"]), _ms(e["p95_ms"])] if e else ["–", "–"]
            if e and e["bytes"]:
                size_bytes = f"{e['bytes'] / KB:,.1f} KB"
        rows.append(row + [limits.get(fmt, "–"), size_bytes])
    out += _table(header, rows) + [""]

    profiled = [(n, f["profiles"]) for n, f in sizes.items() if f.get("profiles")]
    for n, profiles in profiled:
        out += [
            f"## Where the time goes (cProfile, {SIZE_NAMES.get(n, n)} database)",
            "",
            "Each path run in-process, each request handed straight to the WSGI "
            "app (no gunicorn, no network, no test client; only a Python dict for "
            "the request is made outside the profiler), under cProfile, which "
            "slows Python code down, so the milliseconds are inflated and the "
            "shares are what matter. Own time is time in the function itself; a "
            "package's share adds up its functions' own time; landmarks are "
            "cumulative, so they overlap.",
            "",
        ]
        for p in profiles.values():
            out += [
                f"### {p['label']}",
                "",
                f"{p['ms_per_request_profiled']:,.1f} ms a request under the profiler "
                f"({p['runs']} requests). By package: "
                + ", ".join(
                    f"{b['package']} {b['share']:.0%}" for b in p["by_package"][:6]
                )
                + ".",
                "",
                *_table(
                    ["Landmark", "cumulative ms/req"],
                    [
                        [x["stage"], f"{x['cumulative_ms']:.2f}"]
                        for x in p.get("stages", [])
                    ],
                ),
                "",
                *_table(
                    [
                        "Top functions by own time",
                        "own ms/req",
                        "cumulative ms/req",
                        "calls/req",
                    ],
                    [
                        [
                            f"`{r['function']}`",
                            f"{r['own_ms']:.2f}",
                            f"{r['cumulative_ms']:.2f}",
                            f"{r['calls']:g}",
                        ]
                        for r in p["by_own_time"][:8]
                    ],
                ),
                "",
                *_table(
                    [
                        "App functions by cumulative time",
                        "cumulative ms/req",
                        "calls/req",
                    ],
                    [
                        [
                            f"`{r['function']}`",
                            f"{r['cumulative_ms']:.2f}",
                            f"{r['calls']:g}",
                        ]
                        for r in p["app_functions_by_cumulative"][:6]
                    ],
                ),
                "",
            ]

    out += [
        "## Reading",
        "",
        NOTES_START,
        notes.strip("\n") or "_Not written yet._",
        NOTES_END,
        "",
        "## How it is measured",
        "",
        "- One command, `bench/run` (`python -m bench`), builds the databases with "
        "the app's own schema (`pupilvoice.db.connect()` + `migrate()`) and plain "
        "SQL in one transaction, caches them, and works on a fresh copy each run.",
        "- It serves that copy with `python -m pupilvoice serve` (gunicorn, "
        f"{s['workers']} gthread workers × {s['threads']} threads) on a free "
        "127.0.0.1 port, as a subprocess, and the bare Flask baseline likewise; "
        "one server runs at a time.",
        "- The load generator is the standard library only (asyncio and a small "
        "HTTP/1.1 client with keep-alive connections, cookies and CSRF tokens) in "
        "the benchmark's own process, on the same two cores as the server: its "
        "CPU share is reported, and it takes the same toll on the baseline.",
        "- Staff clients sign in over HTTP (argon2 and all). Each tablet starts "
        "from a staff device session written straight into the database, as a "
        "sign-in leaves it (500 argon2 sign-ins would take minutes of CPU), then "
        "opens the pupil's page and starts pupil mode over HTTP (band KS2, "
        "English) exactly as a teacher does. Sign-in itself is not measured.",
        "- Every Virtual School in the built databases keeps answers for six "
        "years (`settings.retention_days`; the app's default is 90 days after "
        "import), so every past section still has its answers, and each run "
        "marks the day's retention purge as done (`maintenance`) so that it does "
        "not run in the middle of the measurements.",
        "- The machine may be shared: before each measurement the benchmark "
        "waits (five minutes at most over the run) until other processes use "
        "under 0.3 cores, measures again once if they used more meanwhile, and "
        "marks a figure still taken on a busy machine with †.",
        "- Every loop is bounded by time and by a request budget, and only "
        "loopback is ever addressed.",
        "",
        f"The whole run took {results.get('total_s', 0) / 60:.1f} minutes.",
        "",
    ]
    return "\n".join(out)


def existing_notes(path: Path) -> str:
    if not path.exists():
        return ""
    found = re.search(
        re.escape(NOTES_START) + r"\n(.*?)" + re.escape(NOTES_END),
        path.read_text(encoding="utf-8"),
        re.S,
    )
    return found.group(1) if found else ""


def write(results: dict, path: Path) -> None:
    path.write_text(render(results, existing_notes(path)), encoding="utf-8")
