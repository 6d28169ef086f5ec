"""Folders a killed import left in the temporary directory are swept when the next one starts."""

import os
import tempfile
import time

from smresidency.authoring.zipimport import STALE_AFTER, TEMP_PREFIX, sweep_stale
from tests.authoring.test_transfer import course_zip, upload
from tests.catalog.test_export import course_with_an_image


def _leftover(root, name: str, age: float):
    folder = root / name
    (folder / "test-course" / "modules").mkdir(parents=True)
    (folder / "test-course" / "course.md").write_text("---\ntitle: Half\n---\n")
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_only_our_folders_older_than_an_hour_are_removed(tmp_path):
    old = _leftover(tmp_path, TEMP_PREFIX + "killed", STALE_AFTER + 60)
    running = _leftover(tmp_path, TEMP_PREFIX + "running", 30)
    someone_elses = _leftover(tmp_path, "smr-publish-old", STALE_AFTER + 60)
    a_file = tmp_path / (TEMP_PREFIX + "file")
    a_file.write_text("not a folder")
    then = time.time() - 2 * STALE_AFTER
    os.utime(a_file, (then, then))

    assert sweep_stale(tmp_path) == 1
    assert not old.exists()
    assert running.exists() and someone_elses.exists() and a_file.exists()
    assert sweep_stale(tmp_path) == 0


def test_an_import_sweeps_what_a_killed_one_left(
    app, client, login_as, write_course, tmp_path, monkeypatch
):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    old = _leftover(spool, TEMP_PREFIX + "killed", STALE_AFTER + 60)
    running = _leftover(spool, TEMP_PREFIX + "running", 5)
    root = course_with_an_image(write_course)
    login_as("instructor")
    response = upload(client, course_zip(root))
    assert response.status_code == 303
    assert not old.exists() and running.exists()
    assert sorted(p.name for p in spool.iterdir()) == [TEMP_PREFIX + "running"]
