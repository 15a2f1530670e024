"""The HTML report in headless Chromium: it renders (screenshot), every image loads, nothing is fetched.

Chromium is Debian's ``chromium`` package; ``.ci/install-chromium.sh`` installs it in CI. Every host name
resolves to nothing (``--host-resolver-rules``) and the network log is searched for any request the
*page* started (initiator ≠ "not an origin", which marks Chromium's own background requests) to a URL
that is neither ``file:`` nor ``data:``. A planted page with an external image proves the detector works.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from audit.report import write_report
from tests.audit.test_report import html_references, synthetic_ledger

CHROMIUM_TIMEOUT_S = 90


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    if not found:
        pytest.skip("chromium not found (Debian package 'chromium'; CI installs it with .ci/install-chromium.sh)")
    return found


def _run_chromium(page: Path, work: Path, *extra: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """Run headless Chromium on ``page``; return the process and the URL requests of its network log."""
    work.mkdir(parents=True, exist_ok=True)
    net_log = work / "net.json"
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={work / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
           f"--log-net-log={net_log}", "--virtual-time-budget=10000", *extra, page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc, _url_requests(net_log)


def _url_requests(net_log: Path) -> list[dict]:
    """The URL_REQUEST_START_JOB events (url, initiator) of a Chromium network log."""
    text = net_log.read_text()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit lacks its closing brackets
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    kinds = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [e["params"] for e in log.get("events", [])
            if kinds.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in (e.get("params") or {})]


def _page_fetches_outside(requests: list[dict]) -> list[str]:
    return [r["url"] for r in requests
            if r.get("initiator") != "not an origin" and not r["url"].startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def html_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report"
    write_report(synthetic_ledger(), out)
    return out / "report.html"


def test_report_renders_every_image_and_fetches_nothing(html_report, tmp_path):
    proc, requests = _run_chromium(html_report, tmp_path / "dom", "--dump-dom")
    body = proc.stdout[proc.stdout.index("<body"):].split(">", 1)[0]
    _, imgs = html_references(proc.stdout)
    assert len(imgs) == 2
    assert 'data-figures="loaded"' in body and 'data-figures-total="2"' in body and 'data-figures-broken="0"' in body
    assert _page_fetches_outside(requests) == []
    refs, _ = html_references(html_report.read_text())
    assert all(r.startswith(("data:", "#")) for r in refs)

    shot = tmp_path / "report.png"
    _run_chromium(html_report, tmp_path / "shot", f"--screenshot={shot}", "--window-size=1280,2000")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels[..., :3].min() < 0.3 and pixels[..., :3].max() > 0.9  # text on a light page, not blank


def test_detectors_catch_a_page_with_external_and_broken_resources(html_report, tmp_path):
    """The real report with one figure swapped for an external image and an external style sheet added."""
    text = html_report.read_text()
    text = re.sub(r'<img src="data:[^"]*"', '<img src="http://example.invalid/x.png"', text, count=1)
    text = text.replace("</head>", '<link rel="stylesheet" href="https://cdn.example.invalid/x.css"></head>')
    page = tmp_path / "planted.html"
    page.write_text(text)
    proc, requests = _run_chromium(page, tmp_path / "dom", "--dump-dom")
    assert 'data-figures="broken"' in proc.stdout and 'data-figures-broken="1"' in proc.stdout
    assert sorted(_page_fetches_outside(requests)) == ["http://example.invalid/x.png",
                                                       "https://cdn.example.invalid/x.css"]
