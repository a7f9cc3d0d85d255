"""The baseline: a bare Flask "hello" app served by the very code that serves
PupilVoice (`pupilvoice.server`: gthread workers, the same workers, threads and
keep-alive, no access log). Whatever PupilVoice does per request beyond this
is its own cost.

    python -m bench.hello --port 8001 --workers 4 --threads 2
"""

import argparse

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


def main() -> None:
    from pupilvoice import server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=server.WORKERS)
    parser.add_argument("--threads", type=int, default=server.THREADS)
    args = parser.parse_args()
    server.run(app, args.host, args.port, args.workers, args.threads)


if __name__ == "__main__":
    main()
