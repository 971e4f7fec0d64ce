"""The compliance page in a real headless Chromium: the charts are drawn, the numbers are there.

Needs Debian's `chromium` (`.ci/run` installs it where it can); skipped with the
reason where it is missing.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from zendesk_sla.cli import main

from tests.conftest import CONFIG
from tests.test_reports import state  # noqa: F401  (the fixture: a state after a real cycle)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Rows of RGB(A) bytes of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(png):
        size, kind = struct.unpack(">I4s", png[pos : pos + 8])
        chunk = png[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            data += chunk
        pos += 12 + size
    raw, stride, rows, previous = zlib.decompress(data), width * channels, [], bytes(width * 4)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 255
        rows.append(bytes(line))
        previous = bytes(line)
    return width, channels, rows


def _colours(png: bytes) -> Counter[tuple[int, int, int]]:
    width, channels, rows = _pixels(png)
    seen: Counter[tuple[int, int, int]] = Counter()
    for row in rows:
        for x in range(0, width * channels, channels):
            seen[(row[x], row[x + 1], row[x + 2])] += 1
    return seen


def test_a_lead_sees_the_charts_and_the_rates_in_a_real_browser(
    state: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = tmp_path / "compliance.html"
    assert main(["report", "compliance", "--format", "html", "--output", str(page),
                 "--state", str(state), "--config", str(CONFIG)]) == 0  # fmt: skip
    capsys.readouterr()
    profile = tmp_path / "profile"
    shot = tmp_path / "shot.png"
    url = page.as_uri()
    base = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}"]
    subprocess.run(
        [*base, "--window-size=1280,2400", f"--screenshot={shot}", url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    dom = subprocess.run(
        [*base, "--dump-dom", url], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert "Response by organization" in dom and "Resolution by severity" in dom
    assert "% met (" in dom  # each bar says its rate and counts
    assert "At risk now" in dom or "Nothing is at risk now" in dom
    colours = _colours(shot.read_bytes())
    blue, orange = colours[(0, 114, 178)], colours[(230, 159, 0)]
    vermillion = colours[(213, 94, 0)]
    assert blue > 2000, "met bars are drawn"
    assert vermillion > 500, "breached bars are drawn (hatched)"
    assert orange > 200, "over-target bars are drawn"


def test_a_lead_sees_the_headline_and_what_is_at_risk_on_the_first_screen(
    state: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The at-risk list sat 2,000 px down, ids were no links, rates were fractions, the
    table overflowed and there was no trend nor "as of": a 1280 x 800 first screen now
    holds the headline figures and the at-risk panel; tickets link to the agent view."""
    import re

    from zendesk_sla.reports.compliance_html import RISK_PANEL

    monkeypatch.setenv("ZENDESK_SUBDOMAIN", "athento")
    page = tmp_path / "compliance.html"
    assert main(["report", "compliance", "--format", "html", "--output", str(page),
                 "--state", str(state), "--config", str(CONFIG)]) == 0  # fmt: skip
    capsys.readouterr()
    base = [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    first, whole = tmp_path / "first.png", tmp_path / "whole.png"
    for shot, size in ((first, "1280,800"), (whole, "1280,3000")):
        subprocess.run(
            [*base, f"--window-size={size}", f"--screenshot={shot}", page.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], check=True, capture_output=True, text=True,
        timeout=120,
    ).stdout  # fmt: skip
    panel = tuple(int(RISK_PANEL[i : i + 2], 16) for i in (1, 3, 5))
    assert _colours(first.read_bytes())[panel] > 5000, "the at-risk panel is on the first screen"
    assert "Response met" in dom and "Resolution met" in dom and "As of " in dom
    assert not re.search(r">0\.\d{2,}<", dom), "rates are percentages, not fractions"
    assert re.search(r">\d{1,3}%<", dom)
    links = re.findall(r'href="https://athento\.zendesk\.com/agent/tickets/(\d+)"', dom)
    assert links, "breached and at-risk tickets link to the agent view"
    assert dom.index('class="risk"') < dom.index("Compliance per group")
    assert _colours(whole.read_bytes())[(0x56, 0xB4, 0xE9)] > 300, "the month trend is drawn"
    assert '<select name="org">' in dom and '<select name="month">' in dom
