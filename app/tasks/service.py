"""The navigators' to-do list: opened by the hub when a victim may have missed something that
matters (an unconfirmed critical update, a message that could not be delivered)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.core.bulk import insert_new
from app.core.ids import new_public_id
from app.core.time import utcnow
from app.extensions import db
from app.tasks.models import NavigatorTask


def open_task(
    *,
    kind: str,
    reason: str,
    key: str,
    user_id: int | None,
    case_id: int | None = None,
    milestone_id: int | None = None,
) -> bool:
    """Open a task once per cause (`key`); False if it already exists."""
    row = {
        "public_id": new_public_id(),
        "dedupe_key": key,
        "kind": kind,
        "reason": reason,
        "user_id": user_id,
        "case_id": case_id,
        "milestone_id": milestone_id,
        "status": "open",
        "created_at": utcnow(),
    }
    return bool(insert_new(NavigatorTask, [row], unique=("dedupe_key",), returning=("id",)))


def open_tasks_once(items: list[dict]) -> int:
    """Open many tasks in one statement, each once per cause: dicts of open_task's arguments.
    Returns how many were new."""
    now = utcnow()
    rows = [
        {
            "public_id": new_public_id(),
            "dedupe_key": item["key"],
            "kind": item["kind"],
            "reason": item["reason"],
            "user_id": item.get("user_id"),
            "case_id": item.get("case_id"),
            "milestone_id": item.get("milestone_id"),
            "status": "open",
            "created_at": now,
        }
        for item in items
    ]
    return len(insert_new(NavigatorTask, rows, unique=("dedupe_key",), returning=("id",)))


def open_tasks(limit: int = 200) -> list[tuple[NavigatorTask, User | None]]:
    """Oldest first: the longest-waiting victim comes first."""
    rows = db.session.execute(
        select(NavigatorTask, User)
        .outerjoin(User, User.id == NavigatorTask.user_id)
        .where(NavigatorTask.status == "open")
        .order_by(NavigatorTask.created_at, NavigatorTask.id)
        .limit(limit)
    )
    return [(task, user) for task, user in rows]


def close_task(public_id: str, by: User) -> NavigatorTask | None:
    task = db.session.scalar(select(NavigatorTask).where(NavigatorTask.public_id == public_id))
    if task is None or task.status != "open":
        return None
    task.status = "done"
    task.closed_at = utcnow()
    task.assigned_to_id = by.id
    return task
