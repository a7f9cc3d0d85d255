"""Draw the Twemoji pictures as PNGs for PDF exports: static/img/pdf/.

WeasyPrint draws an SVG by parsing every path of it again each time it is
drawn, which was a quarter of a PDF's time (docs/performance.md); a PNG is
embedded once. The pictures change only when static/img/twemoji/ does, so the
PNGs are kept in the repository and drawn again with this, by Chromium:

    .venv/bin/python -m scripts.pdf_pictures

(after scripts/test, which installs Playwright and Debian's chromium).
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts import chromium

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static" / "img" / "twemoji"
TARGET = ROOT / "static" / "img" / "pdf"
# 96 px across a picture shown 44 pt wide: about 160 dpi on paper.
PIXELS = 96


def main() -> None:
    TARGET.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page(viewport={"width": PIXELS, "height": PIXELS})
        for svg in sorted(SOURCE.glob("*.svg")):
            page.set_content(f'<body style="margin:0">{svg.read_text()}</body>')
            page.eval_on_selector(
                "svg",
                f"e => {{ e.setAttribute('width', {PIXELS});"
                f" e.setAttribute('height', {PIXELS}); }}",
            )
            page.locator("svg").screenshot(
                path=str(TARGET / f"{svg.stem}.png"), omit_background=True
            )
        browser.close()
    print(f"Drew {len(list(SOURCE.glob('*.svg')))} pictures into {TARGET}")


if __name__ == "__main__":
    main()
