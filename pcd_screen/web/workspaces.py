"""Workspaces in memory: one proposal being reviewed, with where its values came from and the
officer's decisions. Bounded in number and in age; never written to disk."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

MAX_WORKSPACES = 200
IDLE_SECONDS = 3600


@dataclass
class Decision:
    rule_id: str
    status: str  # the finding's status when the decision was taken (flag, unclear)
    decision: str  # agree | disagree
    reason: str
    by: str
    at: str  # UTC, ISO 8601
    ruleset: str  # hash of the ruleset that produced the finding
    proposal: str  # the proposal's id

    def to_dict(self) -> dict:
        return {
            "rule": self.rule_id,
            "status": self.status,
            "decision": self.decision,
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
            "ruleset": self.ruleset,
            "proposal": self.proposal,
        }


@dataclass
class Workspace:
    id: str
    owner: str  # the browser session it belongs to
    data: dict
    labels: dict  # path -> where in the document
    source: str  # the file name it was drafted from, or "empty form"
    officer: str = ""
    decisions: dict[str, Decision] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # the last answers' schema errors
    # a decision refused, shown once beside its finding (rule -> why), then forgotten
    refused: dict[str, str] = field(default_factory=dict)
    touched: float = field(default_factory=time.monotonic)


class Store:
    def __init__(self):
        self._items: dict[str, Workspace] = {}
        self._lock = threading.Lock()

    def add(self, owner: str, data: dict, labels: dict, source: str) -> Workspace:
        with self._lock:
            self._expire()
            if len(self._items) >= MAX_WORKSPACES:
                oldest = min(self._items.values(), key=lambda w: w.touched)
                del self._items[oldest.id]
            workspace = Workspace(secrets.token_urlsafe(16), owner, data, labels, source)
            self._items[workspace.id] = workspace
            return workspace

    def get(self, workspace_id: str, owner: str) -> Workspace | None:
        with self._lock:
            self._expire()
            workspace = self._items.get(workspace_id)
            if workspace is None or not secrets.compare_digest(workspace.owner, owner):
                return None
            workspace.touched = time.monotonic()
            return workspace

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, w in self._items.items() if now - w.touched > IDLE_SECONDS]:
            del self._items[key]
