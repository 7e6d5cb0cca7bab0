"""Locust clients of the last scoring day (bench/lastday.py): experts and applicants at once.

- Expert (LASTDAY_EXPERTS, one account each): opens the home page, then works through its assignments
  (LASTDAY_EXPERTS lists their application ids): opens the scoresheet, saves a draft of every item,
  then submits every item with an opinion, and is sent back to the home page — as on the last day.
  Each save the portal acknowledged (a 302) is logged with the scores sent, for lastday.py to compare
  with the database: 0 lost scores.
- Applicant: the draft saver of bench/locustfile.py (LOAD_ACCOUNTS / LOAD_RESULTS), unchanged.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locustfile as drafts  # noqa: E402
from formparse import csrf_token  # noqa: E402

EXPERTS = json.loads(Path(os.environ["LASTDAY_EXPERTS"]).read_text())
RESULTS = os.environ["LASTDAY_RESULTS"]
_lock = threading.Lock()
_next = iter(range(10**6))
RECORDS: list[dict] = []


class ScoreFields(HTMLParser):
    """The item inputs of a scoresheet page: name → the item's maximum."""

    def __init__(self):
        super().__init__()
        self.items: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and (a.get("name") or "").startswith("item_"):
            self.items[a["name"]] = a.get("data-max") or a.get("max") or "0"


class Applicant(drafts.DraftSaver):
    fixed_count = int(os.environ.get("LASTDAY_APPLICANTS", "50"))


class Expert(HttpUser):
    fixed_count = int(os.environ.get("LASTDAY_EXPERT_COUNT", "100"))
    wait_time = between(float(os.environ.get("LOAD_THINK_MIN", "0.5")), float(os.environ.get("LOAD_THINK_MAX", "2")))

    def on_start(self):
        with _lock:
            slot = next(_next)
        self.account = EXPERTS[slot % len(EXPERTS)]
        self.record = {"username": self.account["username"], "acks": [], "errors": [], "pending": None}
        RECORDS.append(self.record)
        self.client.cookies.set("sessionid", self.account["session"])
        self.todo = list(self.account["applications"])
        self.stage = self.account["stage"]
        self.home()

    def home(self, name="expert home"):
        response = self.client.get("/reviews/expert/", name=name)
        if response.status_code != 200:
            self.record["errors"].append(f"home {response.status_code}")

    def _post(self, url, data, name, kind, application):
        self.record["pending"] = {"application": application, "kind": kind}
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            self.record["pending"] = None
            if response.status_code == 302:
                response.success()
                self.record["acks"].append({"application": application, "kind": kind,
                                            "items": {k: v for k, v in data.items() if k.startswith("item_")},
                                            "opinion": data.get("opinion", "")})
                return response.headers.get("Location", "")
            response.failure(f"status {response.status_code}")
            self.record["errors"].append(f"{kind} {response.status_code}")
            return None

    @task
    def score_one(self):
        if not self.todo:
            self.home("expert home (all done)")
            return
        application = self.todo.pop(0)
        url = f"/reviews/expert/applications/{application}/score/{self.stage}/"
        page = self.client.get(url, name="scoresheet page")
        if page.status_code != 200:
            self.record["errors"].append(f"scoresheet page {page.status_code}")
            return
        parser = ScoreFields()
        parser.feed(page.text)
        token = csrf_token(page.text)
        draft = {"csrfmiddlewaretoken": token, "opinion": ""}
        for name, maximum in parser.items.items():
            draft[name] = str(random.randint(0, int(float(maximum)))) if random.random() < 0.7 else ""
        if self._post(url, draft, "save scoresheet (draft)", "draft", application) is None:
            return
        final = {"csrfmiddlewaretoken": token, "opinion": f"{self.account['username']}：材料翔实，同意。", "submit": "1"}
        for name, maximum in parser.items.items():
            final[name] = str(random.randint(0, int(float(maximum))))
        if self._post(url, final, "submit scoresheet", "submit", application) is not None:
            self.home("expert home (after submit)")


@events.test_stop.add_listener
def dump(environment, **kwargs):
    Path(RESULTS).write_text(json.dumps(RECORDS, ensure_ascii=False))
