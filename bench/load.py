"""Sessions, and the two kinds of load: realistic (open loop) and saturation.

Realistic: every simulated tablet asks for something at random moments, on
average every `tablet_interval` seconds (a Poisson process per tablet, so
Poisson in total), whether or not the server has kept up. A request's latency
is counted from the moment it was due, so a server that falls behind is seen
to (no coordinated omission).

Saturation: a fixed number of connections each send the next request the
moment the last one is answered. Requests per second answered in the
measuring window is the figure.

Both are bounded by time and by a request budget, and stop by themselves.
"""

import asyncio
import random
from dataclasses import dataclass, field

from .client import Client, HTTPFailure

COOKIE = "pupilvoice"


def session_cookie(secret: str, data: dict) -> str:
    """The app's signed session cookie, as Flask itself makes it."""
    from flask import Flask

    app = Flask("bench-cookies")
    app.secret_key = secret
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(data)


def _ks2_fields() -> dict[str, list[list[tuple[str, str]]]]:
    """A few ready-made answers for each KS2 question, as the page would post."""
    from pupilvoice.questions import BANK

    rng = random.Random(3)  # noqa: S311 - test data
    words = ["", "I like football", "Maths is getting easier", "It is too loud"]
    found = {}
    for question in BANK:
        if "ks2" not in question.prompts:
            continue
        cards = [c.id for c in question.cards if "ks2" in c.bands]
        variants = []
        for n in range(4):
            fields = []
            if cards:
                take = rng.randint(1, 3) if question.kind == "cards" else 1
                fields += [("choice", c) for c in rng.sample(cards, take)]
            fields.append(("text", words[n] if cards else words[n] or "My nan"))
            if n == 3 and not question.always_private:
                fields.append(("private", "yes"))
            variants.append(fields)
        found["target" if question.kind == "target" else question.id] = variants
    return found


KS2_FIELDS = _ks2_fields()
START_ATTEMPTS = 30
HTMX = {"HX-Request": "true", "HX-Target": "save-status", "HX-Trigger": "question"}


@dataclass
class Tablet:
    client: Client
    pupil_id: int
    steps: list[str]
    position: int = 0
    rng: random.Random = field(default_factory=random.Random)

    @property
    def step(self) -> str:
        return self.steps[self.position % len(self.steps)]


async def start_tablet(
    port: int,
    secret: str,
    token: str,
    pupil_id: int,
    steps: list[str],
    seed: int,
    failures: list | None = None,
) -> Tablet:
    """A teacher's device session hands the tablet over: pupil mode, over HTTP.

    A start that fails with a server error is tried again (it is safe to: it
    reopens the same section) after a short random pause, up to
    `START_ATTEMPTS` times in all, and each failure is noted in `failures`.
    """
    client = Client(port, {COOKIE: session_cookie(secret, {"sid": token})})
    await client.page(f"/staff/pupils/{pupil_id}")
    pause = random.Random(seed)  # noqa: S311 - jitter
    for attempt in range(START_ATTEMPTS):
        response = await client.post(
            f"/staff/pupils/{pupil_id}/pupil-mode",
            [("band", "ks2"), ("language", "en")],
        )
        if response.status < 500 or attempt == START_ATTEMPTS - 1:
            break
        if failures is not None:
            failures.append((pupil_id, response.status))
        await asyncio.sleep(pause.uniform(0.01, 0.1))
    if response.status != 302 or not (response.header("location") or "").endswith(
        "/pupil/"
    ):
        raise HTTPFailure(f"pupil mode for pupil {pupil_id}: {response.status}")
    response = await client.get("/pupil/")
    if response.status != 302:
        raise HTTPFailure(f"/pupil/ for pupil {pupil_id}: {response.status}")
    await client.page("/pupil/welcome")
    return Tablet(client, pupil_id, steps, rng=random.Random(seed))  # noqa: S311


async def sign_in(port: int, email: str, password: str) -> Client:
    """A real sign-in over HTTP (argon2 and all): staff clients use these."""
    client = Client(port)
    await client.page("/sign-in")
    for _attempt in range(3):
        response = await client.post(
            "/sign-in", [("email", email), ("password", password)]
        )
        if response.status < 500:
            break
        await asyncio.sleep(0.2)
    if response.status != 302:
        raise HTTPFailure(f"sign-in for {email}: {response.status}")
    await client.page("/staff/pupils")
    return client


async def bounded_gather(coroutines, limit: int):
    semaphore = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with semaphore:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


# What each measured endpoint sends, and what a good answer looks like.


async def question(tablet: Tablet) -> bool:
    tablet.position += 1
    response = await tablet.client.get(f"/pupil/q/{tablet.step}")
    return response.status == 200 and b"question__heading" in response.body


async def save(tablet: Tablet) -> bool:
    step = tablet.step
    variants = KS2_FIELDS["target" if step.startswith("target-") else step]
    response = await tablet.client.post(
        f"/pupil/q/{step}", tablet.rng.choice(variants), HTMX
    )
    return response.status == 200 and b"status--saved" in response.body


async def check(tablet: Tablet) -> bool:
    response = await tablet.client.get("/pupil/check")
    return response.status == 200


async def resume(tablet: Tablet) -> bool:
    """What every pupil request does (session, pupil, section, meeting, the
    answers so far) with no page to render: the floor under the others."""
    response = await tablet.client.get("/pupil/")
    return response.status == 302


async def staff_list(client: Client) -> bool:
    response = await client.get("/staff/pupils")
    return response.status == 200


def export(section_id: int, fmt: str):
    path = (
        f"/staff/voice/{section_id}/text"
        if fmt == "text"
        else f"/staff/voice/{section_id}/export/{fmt}"
    )

    async def fetch(client: Client) -> bool:
        response = await client.get(path)
        return response.status == 200 and len(response.raw) > 0

    fetch.path = path  # type: ignore[attr-defined]
    return fetch


async def hello(client: Client) -> bool:
    response = await client.get("/")
    return response.status == 200


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    service: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)
    sent: int = 0

    def add(self, name: str, latency: float, service: float, ok: bool) -> None:
        self.latencies.setdefault(name, []).append(latency)
        self.service.setdefault(name, []).append(service)
        if not ok:
            self.errors[name] = self.errors.get(name, 0) + 1


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50_ms": percentile(values, 50) * 1000,
        "p95_ms": percentile(values, 95) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "max_ms": max(values) * 1000 if values else float("nan"),
    }


async def realistic(
    tablets: list[Tablet],
    actors: list[tuple[str, object, list[Client], float]],
    duration: float,
    warmup: float,
    tablet_interval: float,
    mix: dict[str, float],
    seed: int = 11,
    meter=None,
) -> dict:
    """Open-loop load. `actors` are (name, request, clients, mean interval)."""
    loop = asyncio.get_running_loop()
    tally = Tally()
    start = loop.time() + 0.2
    measure_from = start + warmup
    end = start + warmup + duration
    expected = len(tablets) / tablet_interval + sum(
        len(clients) / interval for _n, _r, clients, interval in actors
    )
    budget = int(expected * (warmup + duration) * 3) + 100
    rng = random.Random(seed)  # noqa: S311
    names = list(mix)
    weights = [mix[n] for n in names]
    requests = {"question": question, "save": save, "check": check}

    async def run(name_for, request_for, subject, interval, actor_rng):
        due = start + actor_rng.expovariate(1 / interval)
        ready = start
        while due < end and tally.sent < budget:
            now = loop.time()
            if due > now:
                await asyncio.sleep(due - now)
            began = loop.time()
            tally.lag.append(max(0.0, began - max(due, ready)))
            tally.sent += 1
            name = name_for()
            try:
                ok = await request_for(name)(subject)
            except HTTPFailure:
                ok = False
            ready = loop.time()
            if due >= measure_from:
                tally.add(name, ready - due, ready - began, ok)
            due += actor_rng.expovariate(1 / interval)

    jobs = []
    for tablet in tablets:
        tablet_rng = random.Random(rng.random())  # noqa: S311
        jobs.append(
            run(
                lambda r=tablet_rng: r.choices(names, weights)[0],
                requests.__getitem__,
                tablet,
                tablet_interval,
                tablet_rng,
            )
        )
    for name, request, clients, interval in actors:
        for client in clients:
            jobs.append(
                run(
                    lambda n=name: n,
                    lambda _n, r=request: r,
                    client,
                    interval,
                    random.Random(rng.random()),  # noqa: S311
                )
            )
    results = await asyncio.wait_for(
        asyncio.gather(measure(meter, measure_from, end), *jobs),
        warmup + duration + 120,
    )
    measured = sum(len(v) for v in tally.latencies.values())
    return {
        **(results[0] or {}),
        "duration_s": duration,
        "offered_rps": expected,
        "achieved_rps": measured / duration,
        "requests": measured,
        "errors": sum(tally.errors.values()),
        "endpoints": {
            name: {
                **summary(values),
                "service_p95_ms": percentile(tally.service[name], 95) * 1000,
                "errors": tally.errors.get(name, 0),
            }
            for name, values in sorted(tally.latencies.items())
        },
        "generator_lag_p99_ms": percentile(tally.lag, 99) * 1000,
    }


async def saturate(
    request, subjects: list, duration: float, warmup: float, meter=None
) -> dict:
    """Closed loop: each subject (a tablet or a client, one connection each)
    sends its next request as soon as the last is answered. Only good answers
    count towards requests per second and latency; the rest are errors."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + warmup
    end = measure_from + duration
    budget = 1_000_000
    done: list[float] = []
    errors = 0
    sent = 0

    async def run(subject):
        nonlocal errors, sent
        while loop.time() < end and sent < budget:
            sent += 1
            began = loop.time()
            try:
                ok = await request(subject)
            except HTTPFailure:
                ok = False
            finished = loop.time()
            if measure_from <= finished <= end:
                if ok:
                    done.append(finished - began)
                else:
                    errors += 1

    results = await asyncio.wait_for(
        asyncio.gather(measure(meter, measure_from, end), *(run(s) for s in subjects)),
        warmup + duration + 120,
    )
    cores = results[0] or {}
    rps = len(done) / duration
    return {
        "connections": len(subjects),
        "rps": rps,
        "requests": len(done),
        "errors": errors,
        **{k: v for k, v in summary(done).items() if k != "count"},
        **cores,
        "server_cpu_ms_per_request": cores["server_cores"] * 1000 / rps
        if cores and rps
        else None,
    }


async def measure(meter, start: float, end: float) -> dict | None:
    """CPU use by server, load generator and the rest, from start to end."""
    if meter is None:
        return None
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start - loop.time()))
    first = await asyncio.to_thread(meter.read)
    await asyncio.sleep(max(0.0, end - loop.time()))
    second = await asyncio.to_thread(meter.read)
    return meter.cores(first, second)
