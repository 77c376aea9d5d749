"""The generated package stands alone: copied into another project, or pip-installed, with no asyncapi-gen around."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "generated" / "runway-characters"

VENDORED_SESSION = """
import asyncio
from runway_characters import Client, IceConfig, Server, models
from runway_characters.mock import MockHandler

async def main() -> None:
    ice = IceConfig(host_addresses=("127.0.0.1",))
    async with Server(MockHandler, ice=ice) as server:
        url, token = server.issue_session()
        async with Client(url, token, ice=ice) as client:
            await client.send_control_message(models.SessionControl(type="mute"))
            async for event in client.receive_session_event():
                if isinstance(event, models.Transcript):
                    print("transcript", event.role.value)
                    break

asyncio.run(asyncio.wait_for(main(), 60))
try:
    import asyncapi_gen
except ImportError:
    print("no asyncapi_gen")
"""


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the package's three dependencies and nothing else (no asyncapi-gen)."""
    root = tmp_path_factory.mktemp("bare-venv")
    venv.create(root, with_pip=True)
    python = root / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "pydantic>=2.11", "aiortc", "websockets"],
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stderr
    return python


def test_vendored_copy_runs_a_loopback_session_without_asyncapi_gen(tmp_path: Path, bare_python: Path) -> None:
    project = tmp_path / "someone-elses-repo"
    shutil.copytree(GOLDEN / "runway_characters", project / "runway_characters")
    (project / "app.py").write_text(VENDORED_SESSION)
    result = subprocess.run([str(bare_python), "app.py"], cwd=project, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "transcript avatar" in result.stdout or "transcript user" in result.stdout
    assert "no asyncapi_gen" in result.stdout


def test_distribution_root_pip_installs_and_imports(tmp_path: Path, bare_python: Path) -> None:
    source = tmp_path / "dist"
    shutil.copytree(GOLDEN, source)
    install = subprocess.run([str(bare_python), "-m", "pip", "install", "--quiet", str(source)],
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stderr
    probe = subprocess.run(
        [str(bare_python), "-c", "import runway_characters as r; print(r.SPEC_TITLE, r.SPEC_VERSION)"],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "Runway Characters Realtime Events 2024-11-06"
    # The web page is package data: it is installed, where the server (`web=True`, the mock's --web) reads it.
    page = subprocess.run(
        [str(bare_python), "-c", ("from runway_characters.server import WEB_PAGE; "
         "print(WEB_PAGE.parent.parent.name, sorted(p.name for p in WEB_PAGE.iterdir()))")],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    assert page.returncode == 0, page.stderr
    assert page.stdout.strip() == "site-packages ['app.js', 'index.html', 'style.css']"
    assert sys.executable != str(bare_python)
