"""The baseline: a bare Flask "hello" app under the very gunicorn settings that
`pupilvoice serve` uses (gthread workers, the same workers and threads, no
access log). Whatever PupilVoice does per request beyond this is its own cost.

    python -m bench.hello --port 8001 --workers 2 --threads 4
"""

import argparse

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


def main() -> None:
    from gunicorn.app.base import BaseApplication

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    class Server(BaseApplication):
        # Mirrors pupilvoice.cli.serve_command's load_config line for line.
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)

        def load(self):
            return app

    Server().run()


if __name__ == "__main__":
    main()
