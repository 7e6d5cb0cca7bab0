"""Locust clients for bench/loadtest.py: applicants saving drafts through the real edit page.

Each client signs in, opens its application's edit page, and then repeatedly changes the overview
(a unique token per write) and one figure, and posts the whole form as a browser would — with the
`version` it last saw (optimistic locking). A 302 is a save; the page it redirects to says which
version was saved ("已保存（第 N 版…）"): that is the client's acknowledged write. A 409 is a refused
stale save: the page must say so and carries the current version, which the client uses next.

Accounts come from LOAD_ACCOUNTS (a JSON file written by loadtest.py: [{username, password,
application}], one entry per client — two clients per application in the shared variant); every
client's log of writes goes to LOAD_RESULTS at the end for loadtest.py to verify against the
database.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
import time
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))

from formparse import csrf_token, form_fields, saved_version  # noqa: E402

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
RESULTS = os.environ["LOAD_RESULTS"]
CONFLICT_TEXT = "保存未成功"
_next = itertools.count()
_lock = threading.Lock()
CLIENTS: list[dict] = []


class DraftSaver(HttpUser):
    wait_time = between(float(os.environ.get("LOAD_THINK_MIN", "0.1")), float(os.environ.get("LOAD_THINK_MAX", "0.5")))

    def on_start(self):
        with _lock:
            self.slot = next(_next)
        account = ACCOUNTS[self.slot % len(ACCOUNTS)]
        self.record = {"client": self.slot, "username": account["username"], "application": account["application"],
                       "acks": [], "refused": 0, "refused_without_message": 0, "errors": [], "pending": None, "writes": 0}
        CLIENTS.append(self.record)
        self.edit_url = f"/applications/{account['application']}/edit/"
        if account.get("session"):  # signed in before the run by loadtest.py (a real session)
            self.client.cookies.set("sessionid", account["session"])
            self.load_form(self.client.get(self.edit_url, name="edit page").text)
            return
        page = self.client.get("/accounts/login/", name="login page")
        response = self.client.post(
            "/accounts/login/", name="login",
            data={"username": account["username"], "password": account["password"], "csrfmiddlewaretoken": csrf_token(page.text)},
            allow_redirects=False,
        )
        if response.status_code != 302:
            self.record["errors"].append(f"login {response.status_code}")
            self.stop()
            return
        self.load_form(self.client.get(self.edit_url, name="edit page").text)

    def load_form(self, html: str) -> None:
        self.fields = form_fields(html)
        self.csrf = csrf_token(html)

    @task
    def save_draft(self):
        self.record["writes"] += 1
        token = f"client {self.slot} write {self.record['writes']} at {time.time():.6f}"
        data = dict(self.fields)
        data["overview"] = f"【{token}】本公司导入卓越绩效管理模式，持续改进质量管理体系。"
        year_fields = sorted(k for k in data if k.endswith("_revenue"))
        if year_fields:
            data[year_fields[-1]] = str(10000 + self.record["writes"])
        data["csrfmiddlewaretoken"] = self.csrf
        sent_version = int(data.get("version") or 0)
        self.record["pending"] = token
        with self.client.post(self.edit_url, data=data, name="save draft", allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302:
                response.success()
                page = self.client.get(self.edit_url, name="edit page")
                version = saved_version(page.text)
                self.record["acks"].append({"token": token, "version": version, "sent_version": sent_version})
                self.record["pending"] = None
                self.load_form(page.text)
            elif response.status_code == 409:
                # A refused stale save is not an error: the page must say so and keep what was typed.
                response.success()
                self.record["refused"] += 1
                if CONFLICT_TEXT not in response.text or token not in response.text:
                    self.record["refused_without_message"] += 1
                self.record["pending"] = None
                self.load_form(response.text)
            else:
                response.failure(f"status {response.status_code}")
                self.record["errors"].append(f"save {response.status_code}")
                self.record["pending"] = None


@events.test_stop.add_listener
def dump(environment, **kwargs):
    Path(RESULTS).write_text(json.dumps(CLIENTS, ensure_ascii=False, indent=1))
