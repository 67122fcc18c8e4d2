"""The sync loop mirrors gs://BUCKET/dags/ into the environment's DAG folder, and nothing else."""

from __future__ import annotations

import json

import pytest

from emulators.composer.dagsync import (
    MANIFEST_NAME,
    RemoteObject,
    UnsafeObjectName,
    md5_b64,
    plan_sync,
    relative_dag_path,
)
from emulators.composer.testing import wait_until

BUCKET = "sync-test-bucket"


def spec(folder, **extra):
    return {"environment_id": "composer2-sync", "image_version": "composer-2.10.0-airflow-2.10.5",
            "airflow_uri": "http://127.0.0.1:18080", "bucket": BUCKET, "dags_folder": str(folder), **extra}


def files_in(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)


# ---------------------------------------------------------------- the pure core


@pytest.mark.parametrize(
    ("name", "expected"),
    [("dags/a.py", "a.py"), ("dags/sub/dir/b.sql", "sub/dir/b.sql"), ("dags/", None), ("dags/sub/", None),
     ("dags/.airflowignore", ".airflowignore")],
)
def test_safe_names_map_into_the_folder(name, expected):
    assert relative_dag_path(name) == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [("dags/../evil.py", "'..'"), ("dags/sub/../../evil.py", "'..'"), ("dags//etc/passwd", "absolute"),
     ("dags/./a.py", "'.' component"), ("dags/a//b.py", "empty"), ("dags/a\\..\\b.py", "backslash"),
     ("dags/a\x00.py", "NUL"), ("plugins/p.py", "not under dags/"), ("dags/" + MANIFEST_NAME, "manifest"),
     ("dags/../", "'..'")],
)
def test_hostile_names_are_refused_with_a_reason(name, reason):
    with pytest.raises(UnsafeObjectName, match=reason):
        relative_dag_path(name)


def test_plan_downloads_new_and_changed_deletes_only_what_it_wrote():
    objects = [RemoteObject("dags/new.py", "m-new", 1), RemoteObject("dags/same.py", "m-same", 2),
               RemoteObject("dags/changed.py", "m-2", 3), RemoteObject("dags/../x.py", "m", 4)]
    plan = plan_sync(objects, synced={"same.py": "m-same", "changed.py": "m-1", "gone.py": "m-g"},
                     present={"new.py": None, "same.py": "m-same", "changed.py": "m-1"})
    assert [relative for relative, _ in plan.downloads] == ["new.py", "changed.py"]
    assert plan.deletions == ("gone.py",)
    assert [(o.name, reason) for o, reason in plan.refused] == [("dags/../x.py", "has a '..' component")]


# ---------------------------------------------------------------- the loop against real emulators


def test_upload_change_and_delete_reach_the_folder(composer_emulators, gcs_client, tmp_path):
    folder = tmp_path / "dags"
    composer_emulators({"sync_interval_s": 0.1, "environments": [spec(folder)]})
    bucket = wait_until(lambda: gcs_client.lookup_bucket(BUCKET), what="the emulator to create the bucket")
    bucket.blob("dags/first.py").upload_from_string(b"v1\n")
    bucket.blob("dags/pkg/helper.py").upload_from_string(b"helper\n")
    wait_until(lambda: files_in(folder) == ["first.py", "pkg/helper.py"], what="the files to appear")
    assert (folder / "first.py").read_bytes() == b"v1\n"

    bucket.blob("dags/first.py").upload_from_string(b"v2\n")
    wait_until(lambda: (folder / "first.py").read_bytes() == b"v2\n", what="the change to arrive")

    bucket.blob("dags/pkg/helper.py").delete()
    wait_until(lambda: files_in(folder) == ["first.py"], what="the deletion to arrive")
    assert not (folder / "pkg").exists()  # emptied folders go too
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_files_it_did_not_write_are_left_alone(composer_emulators, gcs_client, tmp_path):
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "local_only.py").write_bytes(b"mine\n")
    (folder / "same.py").write_bytes(b"same\n")
    emulator = composer_emulators({"sync_interval_s": 60, "environments": [spec(folder)]})
    bucket = gcs_client.bucket(BUCKET)
    emulator.sync_now()  # creates the bucket
    bucket.blob("dags/same.py").upload_from_string(b"same\n")
    mtime = (folder / "same.py").stat().st_mtime_ns
    emulator.sync_now()
    assert (folder / "same.py").stat().st_mtime_ns == mtime  # identical bytes are not rewritten
    bucket.blob("dags/same.py").delete()
    emulator.sync_now()
    assert files_in(folder) == ["local_only.py"]


def test_hostile_object_names_write_nothing_outside(composer_emulators, gcs_client, tmp_path):
    folder = tmp_path / "env" / "dags"
    outside = tmp_path / "outside"
    outside.mkdir()
    folder.mkdir(parents=True)
    (folder / "escape").symlink_to(outside, target_is_directory=True)
    emulator = composer_emulators({"sync_interval_s": 60, "environments": [spec(folder)]})
    emulator.sync_now()
    bucket = gcs_client.bucket(BUCKET)
    # Names the GCS emulator stores (it cannot store '..' names: the pure tests cover those).
    for name in ("dags//abs.py", "dags/./dot.py", "dags/escape/evil.py", "dags/ok.py"):
        bucket.blob(name).upload_from_string(b"x = 1\n")
    before = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(folder))
    emulator.sync_now()
    emulator.sync_now()
    assert files_in(folder) == ["ok.py"]
    assert sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(folder)) == before
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "abs.py").exists()


def test_deletions_while_stopped_are_applied_after_a_restart(composer_emulators, gcs_client, tmp_path):
    folder = tmp_path / "dags"
    config = {"sync_interval_s": 60, "environments": [spec(folder)]}
    first = composer_emulators(config)
    first.sync_now()
    gcs_client.bucket(BUCKET).blob("dags/a.py").upload_from_string(b"a\n")
    first.sync_now()
    first.stop()
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["files"] == {"a.py": md5_b64(b"a\n")}
    gcs_client.bucket(BUCKET).blob("dags/a.py").delete()
    second = composer_emulators(config)
    second.sync_now()
    assert files_in(folder) == []


def test_a_missing_bucket_is_logged_not_created_when_asked(composer_emulators, gcs_client, tmp_path):
    folder = tmp_path / "dags"
    emulator = composer_emulators({"create_buckets": False, "sync_interval_s": 60, "environments": [spec(folder)]})
    emulator.sync_now()
    assert gcs_client.lookup_bucket(BUCKET) is None
    assert files_in(folder) == []


def test_an_unreachable_gcs_does_not_stop_the_loop(composer_emulators, gcs_emulator, gcs_client, tmp_path):
    folder = tmp_path / "dags"
    from tests.net import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    emulator = composer_emulators({"storage_endpoint": dead, "sync_interval_s": 0.05,
                                   "environments": [spec(folder)]})
    emulator.sync_now()  # logs, does not raise
    assert files_in(folder) == []
