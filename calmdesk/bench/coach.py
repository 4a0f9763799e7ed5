"""``calmdesk bench coach``: server time of the live reply coach on the demo data — the
request an agent's browser sends as they type (target: p95 under 20 ms) — and of reading
every demo customer message as it would be read on arrival.

Runs in its own temporary SQLite data directory; never touches the user's data. Times
are wall-clock around each request inside this process (session, permission query,
thread query, engine check, template), without the network."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

DRAFTS = (
    "Hi {name}, this is not our fault. As I already said, the plugin works fine.",
    "Hi {name}, I'm sorry this hit you in the middle of a busy week. I reproduced the error "
    "on 4.2.1 and rolled your store back; checkout works again. I'll write when the fix ships.",
    "Maybe clearing the cache will help?",
    "Hi Adam, you must have changed the settings. Obviously that breaks the export!!!",
    "Thanks for writing in. We have received your request and will get back to you.",
    "Hi {name}, could you tell me which browser you use and the exact time the error showed? "
    "With that I can look at the logs for your account.",
)
P95_TARGET_MS = 20.0


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench coach", description=__doc__)
    parser.add_argument("--conversations", type=int, default=1200, help="demo size")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="calmdesk-bench-coach-")
    os.environ["CALMDESK_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    try:
        return _run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from tqdm import tqdm

    from calmdesk.desk.demo.generate import generate
    from calmdesk.desk.models import Conversation, Message, MessageKind
    from calmdesk.empathy.actions import do_read_many

    call_command("migrate", verbosity=0)
    generate(args.conversations, seed=2026, progress=True)
    customer_messages = list(Message.objects.filter(kind=MessageKind.CUSTOMER).order_by("id"))
    started = time.perf_counter()
    for chunk in tqdm(
        range(0, len(customer_messages), 500), desc="reading", unit="batch", disable=None
    ):
        do_read_many(customer_messages[chunk : chunk + 500])
    read_s = time.perf_counter() - started

    user = get_user_model().objects.get(username="demo")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    rng = random.Random(2026)
    conversations = list(Conversation.objects.select_related("customer").order_by("id")[:400])
    timings: list[float] = []
    for _ in tqdm(range(args.requests), desc="coach requests", disable=None):
        conversation = rng.choice(conversations)
        draft = rng.choice(DRAFTS).format(name=conversation.customer.name.split(" ")[0])
        url = reverse("conversation_coach", args=[conversation.pk])
        t0 = time.perf_counter()
        response = client.post(url, {"body": draft})
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            print(f"coach answered {response.status_code} for {url}", file=sys.stderr)
            return 1
    timings.sort()
    result = {
        "conversations": args.conversations,
        "customer_messages": len(customer_messages),
        "read_per_message_ms": read_s * 1000 / max(1, len(customer_messages)),
        "coach_requests": len(timings),
        "coach_median_ms": statistics.median(timings),
        "coach_p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "coach_p95_target_ms": P95_TARGET_MS,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"demo data: {args.conversations:,} conversations, {len(customer_messages):,} "
            "customer messages"
        )
        print(f"read + store, per message (bulk):  {result['read_per_message_ms']:.2f} ms")
        print(f"coach request, median:            {result['coach_median_ms']:.2f} ms")
        print(
            f"coach request, p95:               {result['coach_p95_ms']:.2f} ms "
            f"(target < {P95_TARGET_MS:.0f} ms)"
        )
    return 0 if result["coach_p95_ms"] < P95_TARGET_MS else 1
