"""Debian's Chromium, launched the one way that works on these machines: by the
browser tests, the benchmark's page weights and scripts/pdf_pictures.py.

Playwright's own browser download does not work here. Without the network
flags, Chromium's background requests are refused by the closed network, many
at a time, and it fails to look up Google's hosts at every start.
"""

EXECUTABLE = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """A headless Chromium from a started Playwright."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=FLAGS)
