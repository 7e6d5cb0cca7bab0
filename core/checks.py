"""System checks of the portal's deployment (`manage.py check`, `check --deploy`).

portal.E001  files on the local disk while PORTAL_MACHINES > 1 (every run; production refuses to start)
portal.W001  the local disk declared shared between machines (PORTAL_SHARED_MEDIA_ROOT): allowed, flagged
portal.E002  the file storage is not reachable or not writable (`--deploy`: it writes, reads and deletes
             a small probe object, so it needs the storage's network and credentials)
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from .files import describe_storage, local_disk_storage, probe_storage, storage_machines_problem


@checks.register("portal_storage")
def storage_serves_the_machines(app_configs=None, **kwargs):
    problem = storage_machines_problem()
    if problem:
        return [
            checks.Error(
                problem,
                hint="Set PORTAL_STORAGE=s3 and PORTAL_S3_* (docs/deployment.md), or PORTAL_SHARED_MEDIA_ROOT=true "
                "if DJANGO_MEDIA_ROOT is one shared mount on every machine.",
                id="portal.E001",
            )
        ]
    return []


@checks.register("portal_storage", deploy=True)
def shared_local_disk(app_configs=None, **kwargs):
    shared = getattr(settings, "PORTAL_SHARED_MEDIA_ROOT", False)
    if getattr(settings, "PORTAL_MACHINES", 1) > 1 and shared and local_disk_storage():
        return [
            checks.Warning(
                f"{settings.PORTAL_MACHINES} machines share files through {settings.MEDIA_ROOT} "
                "(PORTAL_SHARED_MEDIA_ROOT=true): it must be the same mount on every web and worker machine.",
                hint="An object store (PORTAL_STORAGE=s3) needs no shared file system; see docs/deployment.md.",
                id="portal.W001",
            )
        ]
    return []


@checks.register("portal_storage", deploy=True)
def storage_is_reachable_and_writable(app_configs=None, **kwargs):
    ok, detail = probe_storage()
    if ok:
        return []
    return [
        checks.Error(
            f"File storage unusable: {detail}",
            hint=f"In use: {describe_storage()}. Check PORTAL_S3_ENDPOINT_URL, the bucket and its credentials, "
            "or that DJANGO_MEDIA_ROOT exists and is writable by this user.",
            id="portal.E002",
        )
    ]
