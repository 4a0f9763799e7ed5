"""Who holds a claim. A worker id is ``host:pid:random``; a claim held by a process that
no longer exists on this host can be taken over at once, any other only when its lease
runs out. This is what lets a restarted worker resume right after a SIGKILL."""

from __future__ import annotations

import os
import socket
import uuid


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def holder_is_gone(claimed_by: str) -> bool:
    host, _, rest = claimed_by.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by someone else
    return False
