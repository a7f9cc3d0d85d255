"""Page weight in headless Chromium: bytes over the wire and requests.

Bytes are Chromium's own count of what came over the network for each request
(`encodedDataLength`: headers plus the body as sent, compressed if it was),
read from the DevTools protocol; "decoded" is the body after decompression.
"""

from dataclasses import dataclass, field

from scripts import chromium


@dataclass
class Recorder:
    requests: dict[str, dict] = field(default_factory=dict)

    def attach(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.requestServedFromCache", self._cached)

    def reset(self) -> None:
        self.requests = {}

    def _sent(self, event) -> None:
        url = event["request"]["url"]
        if url.startswith("data:"):
            return
        self.requests[event["requestId"]] = {
            "url": url,
            "type": event.get("type", ""),
            "status": None,
            "bytes": 0,
            "decoded": 0,
            "encoding": "",
            "from_cache": False,
        }

    def _response(self, event) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            response = event["response"]
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            found["status"] = response.get("status")
            found["encoding"] = headers.get("content-encoding", "")
            found["cache_control"] = headers.get("cache-control", "")
            found["from_cache"] |= bool(
                response.get("fromDiskCache") or response.get("fromPrefetchCache")
            )

    def _data(self, event) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found["decoded"] += event.get("dataLength", 0)

    def _finished(self, event) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found["bytes"] = int(event.get("encodedDataLength", 0))

    def _failed(self, event) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found["status"] = "failed"

    def _cached(self, event) -> None:
        found = self.requests.get(event["requestId"])
        if found is not None:
            found["from_cache"] = True

    def result(self, base: str) -> dict:
        rows = [
            {**r, "url": r["url"].removeprefix(base)} for r in self.requests.values()
        ]
        over_network = [r for r in rows if not r["from_cache"]]
        return {
            "requests": len(over_network),
            "from_cache": len(rows) - len(over_network),
            "bytes": sum(r["bytes"] for r in over_network),
            "decoded_bytes": sum(r["decoded"] for r in over_network),
            "compressed": any(r["encoding"] for r in over_network),
            "resources": rows,
        }


async def measure(base: str, cookie_name: str, cookie_value: str) -> dict:
    """The welcome page and a question page of one tablet's pupil session."""
    from playwright.async_api import async_playwright

    results = {}
    async with async_playwright() as playwright:
        browser = await chromium.launch(playwright)
        try:

            async def tablet():
                # A school tablet: portrait, touch, an empty cache.
                context = await browser.new_context(
                    viewport={"width": 820, "height": 1180},
                    has_touch=True,
                    locale="en-GB",
                )
                await context.add_cookies(
                    [{"name": cookie_name, "value": cookie_value, "url": base}]
                )
                page = await context.new_page()
                page.set_default_timeout(20_000)
                recorder = Recorder()
                cdp = await context.new_cdp_session(page)
                recorder.attach(cdp)
                await cdp.send("Network.enable")
                return context, page, recorder

            context, page, recorder = await tablet()
            await page.goto(f"{base}/pupil/welcome", wait_until="networkidle")
            results["welcome"] = recorder.result(base)
            recorder.reset()
            await page.click("a.button--start")
            await page.wait_for_load_state("networkidle")
            question_url = page.url
            results["question_after_welcome"] = recorder.result(base)
            await context.close()

            context, page, recorder = await tablet()
            await page.goto(question_url, wait_until="networkidle")
            results["question_cold"] = recorder.result(base)
            await context.close()
        finally:
            await browser.close()
    return results
