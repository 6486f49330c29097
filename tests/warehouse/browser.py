"""Open a page in headless Chromium (the Debian package): what a reader would see, and a picture.

Run as a script it takes screenshots for the docs::

    python -m tests.warehouse.browser PAGE.html OUT.png [WIDTH HEIGHT]
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Added to a copy of the page: records failed resources and script errors, lists images that
# did not decode and period labels (class "period") that the layout broke over two lines, and
# keeps the text a reader sees (not the page's scripts), into the DOM that --dump-dom prints.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(
  String(e.message || (e.target && (e.target.src || e.target.href)))), true);
window.addEventListener("load", () => {
  const broken = [...document.images]
    .filter((img) => !img.complete || img.naturalWidth === 0)
    .map((img) => img.getAttribute("src"));
  const wrapped = [...document.querySelectorAll(".period")].filter((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
  }).map((el) => el.textContent);
  const out = document.createElement("pre");
  out.id = "dxwh-probe";
  out.textContent = JSON.stringify({images: document.images.length, broken, wrapped,
                                    errors: window.__errors, text: document.body.innerText});
  document.body.appendChild(out);
});
</script>"""

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # any network request fails, so a page that needs the network shows errors
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=5000",
)


@dataclass(frozen=True)
class PageLoad:
    dom: str
    images: int
    broken_images: list[str]
    errors: list[str]
    wrapped_periods: list[str]
    text: str  # what the page shows once loaded (innerText): no script or markup


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is needed for this test: apt-get install -y chromium"
    return found


def load_page(index: Path, width: int = 1024, height: int = 768) -> PageLoad:
    """Load a copy of ``index`` (with its folder) in a ``width`` × ``height`` window and
    return the DOM and the probe's findings."""
    with tempfile.TemporaryDirectory(prefix="dxwh-browser-") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(index.parent, site)
        page = site / index.name
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
        done = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--window-size={width},{height}",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    start = done.stdout.find('<pre id="dxwh-probe">')
    assert start >= 0, f"the page never finished loading: {done.stderr[-2000:]}"
    raw = done.stdout[start + len('<pre id="dxwh-probe">') : done.stdout.index("</pre>", start)]
    probe: dict[str, Any] = json.loads(html.unescape(raw))
    return PageLoad(
        dom=done.stdout,
        images=int(probe["images"]),
        broken_images=list(probe["broken"]),
        errors=list(probe["errors"]),
        wrapped_periods=list(probe["wrapped"]),
        text=str(probe["text"]),
    )


def screenshot(index: Path, png: Path, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of ``index`` as a reader sees it (network disabled), ``width`` × ``height`` pixels."""
    with tempfile.TemporaryDirectory(prefix="dxwh-browser-") as tmp:
        done = subprocess.run(
            [
                chromium(),
                *FLAGS,
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--screenshot={png}",
                index.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]
    return png


if __name__ == "__main__":
    size = [int(v) for v in sys.argv[3:5]]
    print(screenshot(Path(sys.argv[1]), Path(sys.argv[2]).resolve(), *size))
