"""``calmdesk engine build-jargon`` on a few FOLDOC-shaped entries (the tests never need
the dict-foldoc package), and the shipped list the coach reads."""

from __future__ import annotations

from collections import Counter

import pytest

from calmdesk.engine.coach_thread import CAPITAL_NAMES, JARGON_ACRONYMS, JARGON_TERMS
from calmdesk.engine.jargon_build import entries, select

FOLDOC_LIKE = """
CNAME

   <networking> The {canonical name} query type for {Domain Name
   System}.

PEM

   <messaging< (PEM) {Internet} {electronic mail} which provides
   {confidentiality}.

Time to Live

   (TTL) A field in the {Internet Protocol} header.

TTL

   1. {transistor-transistor logic}.

   2. {Time to Live}.

Internet Protocol

   <networking, protocol> (IP) The network layer.

ACME

   <company, jargon> A Company that Makes Everything.

netmask

   <networking> A 32-bit mask.

password

   <security> A secret word.

crock

   <jargon> An awkward feature.
"""


def test_headwords_take_their_categories_and_follow_references() -> None:
    cats = entries(FOLDOC_LIKE)
    assert cats["CNAME"] == {"networking"}
    assert cats["PEM"] == {"messaging"}  # FOLDOC's "<messaging<"
    assert cats["TTL"] == {"networking", "protocol"}  # TTL → Time to Live → IP


def test_everyday_words_and_non_technical_entries_are_left_out() -> None:
    everyday = Counter({"password": 40})
    acronyms, terms, names = select(entries(FOLDOC_LIKE), everyday)
    assert {"CNAME", "PEM", "TTL"} <= set(acronyms)
    assert terms == ["netmask"]  # "password" is everyday, "crock" is hacker slang
    assert names == ["ACME"]


@pytest.mark.parametrize("word", ["CNAME", "PEM", "TTL", "TLS", "DNS"])
def test_the_shipped_list_knows_the_issues_acronyms(word: str) -> None:
    assert word in JARGON_ACRONYMS


def test_the_shipped_list_has_names_and_terms() -> None:
    assert "ACME" in CAPITAL_NAMES and "netmask" in JARGON_TERMS
    assert not {"password", "phone", "update", "email"} & JARGON_TERMS
