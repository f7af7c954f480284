"""`askgov ingest` without a terminal: whole lines a log can be searched in, or JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fixtures_docs import write_truncated_pdf

GOOD_TEXT = "The AI rollout reaches more public services in phases, starting with enquiry lines.\n"


def long_folder(root: Path) -> Path:
    """Two sibling files deep under a path far wider than 80 columns, so a cut path could not tell them apart."""
    folder = root / "department-of-digital-policy" / "published-documents" / "2026" / "public-consultations"
    folder.mkdir(parents=True)
    (folder / "rollout-plan-for-enquiry-services.txt").write_text(GOOD_TEXT, encoding="utf-8")
    write_truncated_pdf(folder / "rollout-plan-for-enquiry-services-annex.pdf")
    return folder


def test_ingest_into_a_log_names_the_bad_file_by_full_path_and_reason_and_json_lists_every_file(
    tmp_path, settings
) -> None:
    folder = long_folder(tmp_path / "docs")
    bad = (folder / "rollout-plan-for-enquiry-services-annex.pdf").resolve().as_posix()
    command = [sys.executable, "-m", "bot.cli", "ingest", str(folder)]
    log = tmp_path / "log.txt"
    with log.open("w", encoding="utf-8") as stdout:  # as `askgov ingest DIR > log.txt`
        finished = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True)
    assert finished.returncode == 1, finished.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    failed = [line for line in lines if line.startswith("failed: ")]
    assert len(failed) == 1 and len(failed[0]) > 120, lines
    path, reason = failed[0].removeprefix("failed: ").split(": ", 1)
    assert path == bad and reason.strip(), failed[0]
    assert any(line.startswith("indexed: ") and line.endswith("enquiry-services.txt (1 chunk)") for line in lines)
    assert "1 indexed, 0 unchanged, 1 failed, 0 removed" in lines

    again = subprocess.run([*command, "--json"], capture_output=True, text=True)
    assert again.returncode == 1, again.stderr
    record = json.loads(again.stdout)  # nothing but the JSON on stdout
    by_path = {f["source"]: f for f in record["files"]}
    assert by_path[bad]["status"] == "failed" and by_path[bad]["reason"] == reason and by_path[bad]["chunks"] == 0
    assert record["counts"] == {"indexed": 0, "unchanged": 1, "failed": 1, "removed": 0}
    assert record["chunks_embedded"] == 0
