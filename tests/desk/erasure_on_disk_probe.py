"""Run as a script by test_erasure_on_disk.py in a fresh data folder: a desk on a file
SQLite database, a customer with a recognisable name and address, then (with --erase)
their erasure. The test reads the bytes of every file left in the folder."""

from __future__ import annotations

import os
import sys

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "calmdesk.settings"
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from calmdesk.desk.actions import do_erase_customer, find_or_create_customer  # noqa: E402
from calmdesk.desk.models import Mailbox  # noqa: E402
from calmdesk.receive import do_receive_message  # noqa: E402

NAME, ADDRESS = "Zanzibar Quokka", "zanzibar.quokka@private.example"

call_command("migrate", verbosity=0)
support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
admin = get_user_model().objects.create_user("admin", "admin@desk.example", "x")
for i in range(30):
    other = find_or_create_customer(f"other{i}@else.example", f"Other {i}")
    do_receive_message(mailbox=support, customer=other, text=f"Export {i} works.", subject="Hi")
customer = find_or_create_customer(ADDRESS, NAME)
for _ in range(3):
    do_receive_message(
        mailbox=support,
        customer=customer,
        text=f"This is {NAME}; write to {ADDRESS} about my refund.",
        subject=f"Refund for {NAME}",
    )
if "--erase" in sys.argv:
    with transaction.atomic():
        do_erase_customer(customer, admin)
connection.close()
