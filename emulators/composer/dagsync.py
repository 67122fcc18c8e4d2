"""Mirror each environment's ``gs://BUCKET/dags/`` into its local DAG folder, as Composer does.

Composer runs the Airflow of an environment on the bucket's ``dags/`` folder; here the local Airflow 2
reads a plain directory, so a loop copies the bucket into it every ``sync_interval_s``:

- new or changed objects (by MD5) are downloaded and written atomically (temp file + ``os.replace``),
  so the scheduler never parses half a file;
- objects deleted from the bucket are removed locally, but only files this loop wrote (a manifest in
  the folder, ``.composer-emulator-sync.json``, remembers them across restarts): files put there by
  something else, and Airflow's ``__pycache__``, are left alone;
- nothing outside the folder is ever written: an object whose name is absolute, has ``..``/``.``/empty
  components, backslashes or NUL, or whose path would leave the folder through a symlink, is refused
  and logged (once per object generation).

``plan_sync`` is the pure core (what to download, delete, refuse); ``DagFolderSync`` does the I/O.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from emulators.composer.config import DAGS_PREFIX, EnvironmentSpec
from observability import get_logger

log = get_logger("emulators.composer.sync")

MANIFEST_NAME = ".composer-emulator-sync.json"


class UnsafeObjectName(ValueError):
    """An object name that cannot be placed inside the DAG folder safely."""


@dataclass(frozen=True)
class RemoteObject:
    """What the sync needs of one object under ``dags/``."""

    name: str
    md5: str  # base64, as GCS reports it
    generation: int


@dataclass(frozen=True)
class SyncPlan:
    downloads: tuple[tuple[str, RemoteObject], ...] = ()  # (relative path, object)
    deletions: tuple[str, ...] = ()  # relative paths
    refused: tuple[tuple[RemoteObject, str], ...] = ()  # (object, reason)


def relative_dag_path(object_name: str, prefix: str = DAGS_PREFIX) -> str | None:
    """The object's path inside the DAG folder; None for folder placeholders ("dags/", "dags/sub/").

    Raises ``UnsafeObjectName`` (with the reason) for names that could escape the folder or that two
    different objects could share.
    """
    if not object_name.startswith(prefix):
        raise UnsafeObjectName(f"not under {prefix}")
    relative = object_name[len(prefix):]
    if relative == "":
        return None
    placeholder = relative.endswith("/")
    body = relative[:-1] if placeholder else relative
    if "\x00" in body:
        raise UnsafeObjectName("contains a NUL byte")
    if "\\" in body:
        raise UnsafeObjectName("contains a backslash")
    if body.startswith("/"):
        raise UnsafeObjectName("is an absolute path")
    parts = body.split("/")
    if ".." in parts:
        raise UnsafeObjectName("has a '..' component")
    if "." in parts or "" in parts:
        raise UnsafeObjectName("has an empty or '.' component")
    if placeholder:
        return None
    if body == MANIFEST_NAME:
        raise UnsafeObjectName("would overwrite the sync manifest")
    return body


def plan_sync(
    objects: Iterable[RemoteObject], synced: Mapping[str, str], present: Mapping[str, str | None]
) -> SyncPlan:
    """Decide what one sync pass does.

    ``synced``: relative path -> MD5 this loop last wrote (the manifest). ``present``: relative path ->
    MD5 of the local file (None when absent), for every safe object name.
    """
    downloads: list[tuple[str, RemoteObject]] = []
    refused: list[tuple[RemoteObject, str]] = []
    wanted: set[str] = set()
    for obj in objects:
        try:
            relative = relative_dag_path(obj.name)
        except UnsafeObjectName as error:
            refused.append((obj, str(error)))
            continue
        if relative is None:
            continue
        wanted.add(relative)
        if present.get(relative) != obj.md5:
            downloads.append((relative, obj))
    deletions = tuple(sorted(relative for relative in synced if relative not in wanted))
    return SyncPlan(tuple(downloads), deletions, tuple(refused))


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def _inside(folder: Path, relative: str) -> Path:
    """The destination path, refusing any that resolves outside ``folder`` (symlinks included)."""
    root = folder.resolve()
    destination = (root / relative).resolve(strict=False)
    if not destination.is_relative_to(root) or destination == root:
        raise UnsafeObjectName(f"resolves outside the DAG folder ({destination})")
    return destination


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DagFolderSync:
    """One environment's bucket -> folder mirror; ``run_once(storage_client)`` is one pass."""

    def __init__(self, spec: EnvironmentSpec, create_bucket: bool, request_timeout_s: float = 10.0) -> None:
        if spec.dags_folder is None:
            raise ValueError(f"environment {spec.environment_id!r} has no dags_folder to sync into")
        self.spec = spec
        self.folder: Path = spec.dags_folder
        self._create_bucket = create_bucket
        self._timeout = request_timeout_s
        self._manifest_path = self.folder / MANIFEST_NAME
        self._synced: dict[str, str] = self._load_manifest()
        self._reported: set[tuple[str, int]] = set()

    def _load_manifest(self) -> dict[str, str]:
        try:
            raw = json.loads(self._manifest_path.read_text(encoding="utf-8"))
            files = raw["files"]
            return {str(k): str(v) for k, v in files.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, AttributeError) as error:
            log.warning("dag_sync_manifest_unreadable", path=str(self._manifest_path), error=str(error))
            return {}

    def _save_manifest(self) -> None:
        body = json.dumps({"schema": 1, "bucket": self.spec.bucket, "files": self._synced}, indent=1, sort_keys=True)
        _write_atomically(self._manifest_path, body.encode("utf-8"))

    def _list(self, client) -> list[RemoteObject] | None:
        from google.api_core import exceptions

        try:
            blobs = list(client.list_blobs(self.spec.bucket, prefix=DAGS_PREFIX, timeout=self._timeout, retry=None))
        except exceptions.NotFound:
            if not self._create_bucket:
                log.warning("dag_sync_bucket_missing", environment=self.spec.environment_id, bucket=self.spec.bucket)
                return None
            client.create_bucket(self.spec.bucket, timeout=self._timeout, retry=None)
            log.info("dag_sync_bucket_created", environment=self.spec.environment_id, bucket=self.spec.bucket)
            return []
        return [RemoteObject(b.name, b.md5_hash or "", int(b.generation or 0)) for b in blobs]

    def _local_md5(self, relative: str) -> str | None:
        try:
            return md5_b64(_inside(self.folder, relative).read_bytes())
        except (OSError, UnsafeObjectName):
            return None

    def run_once(self, client) -> SyncPlan | None:
        """List the bucket, download/delete as planned; None when the bucket is missing (logged)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        objects = self._list(client)
        if objects is None:
            return None
        present: dict[str, str | None] = {}
        for obj in objects:
            try:
                relative = relative_dag_path(obj.name)
            except UnsafeObjectName:
                continue
            if relative is not None:
                # Trust the manifest while the file is there; hash only what we never wrote.
                known = self._synced.get(relative)
                path = self.folder / relative
                present[relative] = known if known is not None and path.is_file() else self._local_md5(relative)
        plan = plan_sync(objects, self._synced, present)
        changed = False
        for obj, reason in plan.refused:
            if (obj.name, obj.generation) not in self._reported:
                self._reported.add((obj.name, obj.generation))
                log.warning(
                    "dag_sync_object_refused", environment=self.spec.environment_id,
                    object=f"gs://{self.spec.bucket}/{obj.name}", reason=reason,
                )
        for relative, obj in plan.downloads:
            changed |= self._download(client, relative, obj)
        for relative, obj in ((r, o) for r, o in _adopted(objects, present, plan) if self._synced.get(r) != o.md5):
            self._synced[relative] = obj.md5  # already identical on disk: remember it without writing
            changed = True
        for relative in plan.deletions:
            self._delete(relative)
            changed = True
        if changed:
            self._save_manifest()
        return plan

    def _download(self, client, relative: str, obj: RemoteObject) -> bool:
        try:
            destination = _inside(self.folder, relative)
            if destination.is_dir():
                raise UnsafeObjectName("a directory of that name exists")
            data = client.bucket(self.spec.bucket).blob(obj.name).download_as_bytes(
                timeout=self._timeout, retry=None
            )
            _write_atomically(destination, data)
        except UnsafeObjectName as error:
            if (obj.name, obj.generation) not in self._reported:
                self._reported.add((obj.name, obj.generation))
                log.warning(
                    "dag_sync_object_refused", environment=self.spec.environment_id,
                    object=f"gs://{self.spec.bucket}/{obj.name}", reason=str(error),
                )
            return False
        except Exception as error:  # noqa: BLE001 - one bad object must not stop the others; next pass retries
            log.warning(
                "dag_sync_download_failed", environment=self.spec.environment_id,
                object=f"gs://{self.spec.bucket}/{obj.name}", error=str(error),
            )
            return False
        self._synced[relative] = md5_b64(data)
        log.info("dag_sync_file_written", environment=self.spec.environment_id, path=str(destination))
        return True

    def _delete(self, relative: str) -> None:
        self._synced.pop(relative, None)
        try:
            path = _inside(self.folder, relative)
        except UnsafeObjectName:
            return
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except OSError as error:
            log.warning("dag_sync_delete_failed", environment=self.spec.environment_id, path=str(path), error=str(error))
            return
        log.info("dag_sync_file_removed", environment=self.spec.environment_id, path=str(path))
        root = self.folder.resolve()
        parent = path.parent
        while parent != root and parent.is_relative_to(root):
            try:
                parent.rmdir()  # only empty folders; __pycache__ keeps a folder alive, which is fine
            except OSError:
                break
            parent = parent.parent


def _adopted(objects: Iterable[RemoteObject], present: Mapping[str, str | None], plan: SyncPlan):
    """Objects already identical on disk (not downloaded): they join the manifest as they are."""
    downloading = {relative for relative, _ in plan.downloads}
    for obj in objects:
        try:
            relative = relative_dag_path(obj.name)
        except UnsafeObjectName:
            continue
        if relative is not None and relative not in downloading and present.get(relative) == obj.md5:
            yield relative, obj
