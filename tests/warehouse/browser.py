"""Open a page in headless Chromium (the Debian package) and report what a reader would see."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Added to a copy of the page: records failed resources and script errors, and lists images
# that did not decode, into the DOM that --dump-dom prints.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(
  String(e.message || (e.target && (e.target.src || e.target.href)))), true);
window.addEventListener("load", () => {
  const broken = [...document.images]
    .filter((img) => !img.complete || img.naturalWidth === 0)
    .map((img) => img.getAttribute("src"));
  const out = document.createElement("pre");
  out.id = "dxwh-probe";
  out.textContent = JSON.stringify({images: document.images.length, broken,
                                    errors: window.__errors});
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


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is needed for this test: apt-get install -y chromium"
    return found


def load_page(index: Path) -> PageLoad:
    """Load a copy of ``index`` (with its folder) and return the DOM and the probe's findings."""
    with tempfile.TemporaryDirectory(prefix="dxwh-browser-") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(index.parent, site)
        page = site / index.name
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
        done = subprocess.run(
            [
                chromium(),
                *FLAGS,
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
    probe: dict[str, Any] = json.loads(raw.replace("&quot;", '"').replace("&amp;", "&"))
    return PageLoad(
        dom=done.stdout,
        images=int(probe["images"]),
        broken_images=list(probe["broken"]),
        errors=list(probe["errors"]),
    )
