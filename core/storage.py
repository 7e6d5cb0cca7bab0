"""The S3-compatible object store for private files (PORTAL_STORAGE=s3; config/settings/base.py).

Imported only when that storage is configured: the local default never loads boto3.
"""

from __future__ import annotations

from typing import BinaryIO

from botocore.config import Config
from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# A reachable store answers in milliseconds; a dead one must not hold a request (or /health/) for minutes.
CLIENT_TIMEOUTS = Config(connect_timeout=3, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend, locked to private use.

    - every object is written with the `private` canned ACL (PORTAL_S3_DEFAULT_ACL may only drop the header);
    - `url()` refuses: no public or presigned link can leak into a page, a mail or a log;
    - names are never overwritten (like FileSystemStorage): a duplicate task delivery that writes the same
      name gets a new one, so deleting its own copy cannot remove the one a document row points to;
    - `open_stream()` hands the object body to the response as it arrives, without a local copy.
    """

    default_acl = "private"
    querystring_auth = False
    file_overwrite = False
    max_memory_size = 5 * 1024 * 1024  # storage.open() spools bigger objects to a temporary file

    def __init__(self, **options):
        super().__init__(**options)
        self.client_config = self.client_config.merge(CLIENT_TIMEOUTS)

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("Private storage has no URLs: serve files through core.files.private_file_response.")

    def open_stream(self, name: str) -> tuple[BinaryIO, int]:
        """The object's body as a readable stream and its size; FileNotFoundError if there is none."""
        key = self._normalize_name(clean_name(name))
        try:
            response = self.bucket.Object(key).get()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(f"No object {key!r} in bucket {self.bucket_name!r}") from None
            raise
        return response["Body"], int(response["ContentLength"])

    def describe(self) -> str:
        prefix = f", prefix {self.location}/" if self.location else ""
        return f"s3 bucket {self.bucket_name}{prefix}"
