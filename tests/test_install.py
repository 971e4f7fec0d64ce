"""The package as a user installs it: a wheel outside the checkout carries the default
contract file, and commands find it from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_a_wheel_installed_outside_the_checkout_finds_its_contract(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(dist.glob("zendesk_sla-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "zendesk_sla/config/athento.yaml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK", "PYTHON"))}
    env["PYTHONPATH"] = str(site)  # the wheel's package first, the checkout nowhere
    program = (
        "import sys, zendesk_sla; from zendesk_sla.cli import main; "
        "print(zendesk_sla.__file__); sys.exit(main(['check-config']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith(str(site))
