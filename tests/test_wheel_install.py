"""The wheel is the product: built from the tracked files, installed into a brand-new virtual environment
outside the checkout, `kaohe init` and `kaohe serve` bring up the dashboard with the sample district."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from browser_helpers import exceptions, free_port, goto_page, submit_sign_in

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """`pip wheel . -w dist` on a copy of the tracked files (so nothing untracked can sneak in)."""
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    # no build isolation: the build backend (setuptools) is already here, and tests never need the network
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", ".",
                    "-w", str(dist)], cwd=src, check=True, capture_output=True)
    (found,) = dist.glob("kaohe-*.whl")
    return found


def test_the_wheel_installs_one_import_package_kaohe_with_the_dashboard_inside(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"kaohe"}
    for shipped in ("kaohe/app.py", "kaohe/pages/rankings.py", "kaohe/data/seed/units.csv",
                    "kaohe/metrics/schemes/default-2026.json", "kaohe/reports/fonts/KaoheSansSC-Regular.ttf",
                    "kaohe/validation/expectations/observations.json", "kaohe/ui/assets/icon.png"):
        assert shipped in names, shipped
    assert not [n for n in names if n.startswith(("kaohe/tests/", "kaohe/bench/", "kaohe/scripts/"))]
    top_level = [n for n in names if n.endswith("top_level.txt")]
    assert zipfile.ZipFile(wheel).read(top_level[0]).decode().split() == ["kaohe"]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed by pip. Its third-party dependencies are borrowed
    from this test environment by a path line (no network); this environment's own editable Kaohe is not
    (a plain path in a .pth file does not run the .pth files found there)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    return venv


def run_outside(venv: Path, cwd: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KAOHE_DB"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_DATA_HOME"] = str(cwd / "xdg")  # the default warehouse lands here, never in the user's home
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kw)


def test_the_installed_kaohe_is_the_wheel_not_the_checkout(installed, tmp_path):
    done = run_outside(installed, tmp_path, str(installed / "bin" / "python"), "-c",
                       "import kaohe, kaohe.metrics.build as b; print(kaohe.__file__); print(b.__file__)")
    assert done.returncode == 0, done.stderr
    for line in done.stdout.split():
        assert Path(line).is_relative_to(installed) and not Path(line).is_relative_to(ROOT), line


def first_password(printed: str) -> str:
    """The first admin's password as `kaohe init` printed it (once)."""
    import re

    found = re.search(r"(?:密码|password)[：:]\s*(\S+?)[，。,\s]", printed, flags=re.I)
    assert found, printed
    return found.group(1)


def test_kaohe_init_and_serve_from_the_wheel_bring_up_the_sample_district(installed, tmp_path, browser_page):
    kaohe = str(installed / "bin" / "kaohe")
    init = run_outside(installed, tmp_path, kaohe, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    db = tmp_path / "xdg" / "kaohe" / "kaohe.duckdb"  # the default warehouse, in the user's data folder
    assert db.exists(), init.stdout
    info = run_outside(installed, tmp_path, kaohe, "info")
    assert info.returncode == 0 and "街道/乡镇 12" in info.stdout, info.stdout + info.stderr  # the sample
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KAOHE_DB"))}
    env.update(PATH=f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}", XDG_DATA_HOME=str(tmp_path / "xdg"))
    proc = subprocess.Popen([kaohe, "serve", "--port", str(port), "--host", "127.0.0.1"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "kaohe serve did not come up"
                time.sleep(0.3)
        # a deep link as the first request: the sign-in form, then the first admin `kaohe init` printed
        goto_page(browser_page, f"http://127.0.0.1:{port}", "rankings", sign_in=False)
        submit_sign_in(browser_page, "admin", first_password(init.stdout), timeout=60_000)
        browser_page.get_by_text("东湖街道").first.wait_for(state="attached", timeout=60_000)  # a sample unit
        assert not exceptions(browser_page)
        nav = browser_page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "排名" in nav
    finally:
        proc.terminate()
        proc.wait(timeout=15)
