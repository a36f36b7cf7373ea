"""The built wheel carries what a run needs: installed away from the checkout, it reads.

The wheel is built from a copy of the package sources (``pyproject.toml``,
``README.md``, ``normalizer/``) with pip and build isolation (setuptools comes from
the package index, as in any build), installed with ``--no-deps`` into a fresh venv
in a temporary folder; the dependencies are this test venv's, seen through a
``.pth`` line that names its site-packages (a plain path line: the ``.pth`` files in
that folder, among them the editable install of this checkout, are not run).  A
hybrid extraction then runs from a folder outside the checkout against the FAKE
OpenAI server of ``tests/fake_openai.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from normalizer.prompts import load_prompt

from .conftest import REPO
from .fake_openai import Reply, fake_openai
from .test_llm_faults import GOOD, TEXT

MARK = "(prompt read from the installed wheel)"


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{argv[:4]}: {done.stdout}\n{done.stderr}"
    return done


def _fresh_venv_with_the_wheel(tmp: Path, env: dict[str, str]) -> Path:
    source = tmp / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "normalizer", source / "normalizer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
          str(dist), str(source)], tmp, env)
    [wheel] = dist.glob("criteria_normalizer-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp, env)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheel)], tmp, env)
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                tmp, env).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "test-venv-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", "utf-8")
    return venv


def test_the_installed_wheel_reads_with_its_own_prompt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["HOME"] = str(tmp_path / "home")  # no cache or settings of the user's
    venv = _fresh_venv_with_the_wheel(tmp_path, env)
    work = tmp_path / "work"
    work.mkdir()
    probe = "import normalizer; print(normalizer.__file__)"
    where = _run([str(venv / "bin" / "python"), "-c", probe], work, env).stdout.strip()
    installed = Path(where).parent
    assert installed.is_relative_to(venv), f"imported {where}, not the wheel in {venv}"
    assert not installed.is_relative_to(REPO)

    packaged = installed / "data" / "prompts" / "extract-v1.md"
    original = (REPO / "normalizer" / "data" / "prompts" / "extract-v1.md").read_bytes()
    assert packaged.read_bytes() == original  # the wheel ships the checkout's prompt
    assert load_prompt(directory=installed / "data" / "prompts").id == load_prompt().id
    # mark the installed copy: a request that carries the mark read the wheel's file
    text = packaged.read_text("utf-8").replace("## system\n", f"## system\n\n{MARK}\n", 1)
    packaged.write_text(text, "utf-8")
    marked = load_prompt(directory=installed / "data" / "prompts")

    record = work / "plt.txt"
    record.write_text(f"Inclusion Criteria:\n* {TEXT}\n", encoding="utf-8")
    with fake_openai(Reply("ok", arguments=GOOD)) as srv:
        out = _run([str(venv / "bin" / "criteria-normalizer"), "normalize", record.name,
                    "--extractor", "hybrid", "--route", "all", "--base-url", srv.url,
                    "--api-key", "fake", "--model", "fake-openai", "--no-cache"], work, env)
    [request] = srv.requests
    system = request["messages"][0]
    assert system["role"] == "system" and MARK in system["content"]
    head, _, _ = marked.system.partition("{{")  # the rest is the rendered template
    assert system["content"].startswith(head)
    doc = json.loads(out.stdout)
    assert doc["provenance"]["prompt_id"] == marked.id
    [criterion] = doc["criteria"]
    [constraint] = criterion["constraints"]
    assert (constraint["variable"], constraint["extracted_by"]) == ("platelets", ["rules", "llm"])


def test_the_top_level_prompts_are_the_packaged_files() -> None:
    """``prompts/`` is a link to the package's prompts, so the two cannot drift."""
    top = REPO / "prompts"
    assert top.is_symlink(), "prompts/ must be a link to normalizer/data/prompts, not a copy"
    assert top.resolve() == (REPO / "normalizer" / "data" / "prompts").resolve()
