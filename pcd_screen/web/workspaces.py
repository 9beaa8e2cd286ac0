"""Workspaces in memory: one proposal being reviewed, with where its values came from and the
officer's decisions. Bounded in number, in memory and in age, and per browser; never written
to disk.

One browser (its session cookie) keeps at most MAX_WORKSPACES_PER_BROWSER: a new one beyond
that drops its own least recently used. When all of them together hold more than
MAX_STORED_BYTES or number more than MAX_WORKSPACES, the browser holding the most memory loses
its least recently used: one client's uploads evict its own work before anyone else's. (Without
a login, a client that makes many sessions still weighs on everyone; each workspace is small,
the input limits see to that: 5 MiB a proposal file, 2,000,000 characters of text.)"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from dataclasses import dataclass, field

MAX_WORKSPACES = 200
MAX_WORKSPACES_PER_BROWSER = 20
MAX_STORED_BYTES = 256 * 1024 * 1024  # the proposals' data and sources in all workspaces
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
    size: int = 0  # bytes of memory its data and labels take (footprint), as last measured


class Store:
    def __init__(self):
        self._items: dict[str, Workspace] = {}
        self._lock = threading.Lock()

    def add(self, owner: str, data: dict, labels: dict, source: str) -> Workspace:
        workspace = Workspace(secrets.token_urlsafe(16), owner, data, labels, source)
        workspace.size = footprint(data, labels)
        with self._lock:
            self._expire()
            self._items[workspace.id] = workspace
            self._bound(workspace)
            return workspace

    def changed(self, workspace: Workspace) -> None:
        """The workspace's data were replaced (the officer's answers): measure it again, and
        keep within the bounds."""
        size = footprint(workspace.data, workspace.labels)
        with self._lock:
            workspace.size = size
            if workspace.id in self._items:
                self._bound(workspace)

    def get(self, workspace_id: str, owner: str) -> Workspace | None:
        with self._lock:
            self._expire()
            workspace = self._items.get(workspace_id)
            if workspace is None or not secrets.compare_digest(workspace.owner, owner):
                return None
            workspace.touched = time.monotonic()
            return workspace

    def _bound(self, keep: Workspace) -> None:
        """Drop least recently used workspaces until the bounds hold: the browser's own beyond
        its count, then those of the browser holding the most memory. `keep`, just made or
        changed, stays."""
        own = [w for w in self._items.values() if w.owner == keep.owner and w is not keep]
        over = max(0, len(own) + 1 - MAX_WORKSPACES_PER_BROWSER)
        for workspace in sorted(own, key=lambda w: w.touched)[:over]:
            del self._items[workspace.id]
        while (
            len(self._items) > MAX_WORKSPACES
            or sum(w.size for w in self._items.values()) > MAX_STORED_BYTES
        ):
            held: dict[str, int] = {}
            for workspace in self._items.values():
                if workspace is not keep:
                    held[workspace.owner] = held.get(workspace.owner, 0) + workspace.size
            if not held:
                return
            heaviest = max(held, key=held.get)
            victim = min(
                (w for w in self._items.values() if w.owner == heaviest and w is not keep),
                key=lambda w: w.touched,
            )
            del self._items[victim.id]

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, w in self._items.items() if now - w.touched > IDLE_SECONDS]:
            del self._items[key]


def footprint(*values) -> int:
    """Bytes of memory the values take, containers and what they hold (shared objects counted
    once)."""
    seen: set[int] = set()
    total = 0
    pending = list(values)
    while pending:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        total += sys.getsizeof(value)
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, (list, tuple)):
            pending.extend(value)
    return total
