"""``calmdesk engine build-jargon --foldoc PATH``: the coach's jargon list (CD112), from a
public technical vocabulary read offline.

The vocabulary is FOLDOC, the Free On-line Dictionary of Computing (Denis Howe, GFDL
1.1 or later), as Debian's ``dict-foldoc`` package ships it
(``/usr/share/dictd/foldoc.dict.dz``). Only headwords are taken, never a definition: the
single-word headwords whose entry opens with a technical category (networking, protocol,
security…), less those an everyday writer uses too: any word seen at least
``EVERYDAY_MIN`` times in the GoEmotions train comments (Reddit, CC BY 4.0) is everyday
("password", "phone", "update"), not jargon. Acronyms keep their capitals ("CNAME",
"TTL"): the coach matches them as written, so "IT" or "ACME" in a sentence are not read
as "it" or "acme". The list is written to ``data/jargon.txt`` and this run recorded in
``data/PROVENANCE.md``; the engine reads the file and needs neither source at run time.

Not compiled (it runs once, by hand)."""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Final

from calmdesk.engine.native import ENGINE_DIR
from calmdesk.engine.text import wordset

JARGON_FILE: Final = ENGINE_DIR / "data" / "jargon.txt"
PROVENANCE_FILE: Final = ENGINE_DIR / "data" / "PROVENANCE.md"
DEFAULT_FOLDOC: Final = "/usr/share/dictd/foldoc.dict.dz"
# FOLDOC's categories ("<networking, protocol>") whose headwords are jargon to a customer
# who is new to computers. Left out: language, mathematics, person, company, humour,
# jargon (hacker slang: "crock", "frob"), games, music… they are names or in-jokes.
TECHNICAL: Final = frozenset(
    {
        "networking",
        "protocol",
        "web",
        "security",
        "cryptography",
        "operating system",
        "programming",
        "database",
        "storage",
        "file system",
        "file format",
        "hardware",
        "communications",
        "messaging",
        "software",
        "standard",
        "hypertext",
        "compression",
        "memory management",
        "interface",
        "tool",
    }
)
# Lower-case terms only from the categories where a headword is almost never an everyday
# word too (programming and hardware hold "variable", "column", "circuit", "assignment").
TERM_CATEGORIES: Final = frozenset(
    {
        "networking",
        "protocol",
        "web",
        "security",
        "cryptography",
        "operating system",
        "database",
        "file system",
        "file format",
        "storage",
        "hypertext",
    }
)
# A word seen this many times in GoEmotions' 58,009 Reddit comments (all three splits)
# is everyday English: "password" or "folder" are not jargon to anybody online. Once is
# enough for a lower-case term; an acronym, matched only in capitals, must be common.
EVERYDAY_MIN: Final = 3
EVERYDAY_MIN_TERM: Final = 1
GOEMOTIONS_SPLITS: Final = ("train.tsv", "dev.tsv", "test.tsv")
# Everyday words FOLDOC files under a technical category and Reddit happened not to use,
# found by reading the list once.
NOT_JARGON: Final = wordset(
    "adjacency aggregator bookmark capability collocation conflation contraction crayon "
    "crunchy cylinder deckle decode dependability dink directories dirtball disc disks "
    "double-click downstream encode flytrap fontology fragment heterogeneous homogeneous "
    "homogenous identifier ill-behaved installer jiffy jukebox kiosk laundromat mockingbird "
    "navigating navigation nickle partition phage portable porting precharge redundancy "
    "routed runes sig soundness stoppage stub surfing synchronous tick tunafish twinning "
    "unary upstream user-friendly well-behaved workflow"
)
_HEAD_TERM: Final = re.compile(r"[a-z][a-z0-9+\-]{2,19}")
_HEAD_ACRONYM: Final = re.compile(r"[A-Z][A-Z0-9]{1,7}")
# FOLDOC closes a category list with ">" (once with "<": "<messaging<").
_CATEGORY: Final = re.compile(r"\s*<([^<>]{1,80})[<>]")
_WORD: Final = re.compile(r"[a-z][a-z0-9'+\-]*")
SECTION: Final = "## jargon.txt"


def entries(dict_text: str) -> dict[str, frozenset[str]]:
    """Headword → its categories. An entry is one or more headword lines at column 0 and
    the indented text below; its categories are in angle brackets where the text opens
    ("<networking, protocol>"). An entry without them that only points to others
    ("TTL: 1. {transistor-transistor logic}. 2. {Time to Live}.") takes theirs."""
    cats: dict[str, frozenset[str]] = {}
    refs: dict[str, list[str]] = {}
    heads: list[str] = []
    body: list[str] = []
    for line in [*dict_text.split("\n"), "END"]:
        if line and not line[0].isspace():
            if body:
                _close(heads, " ".join(body), cats, refs)
                heads, body = [], []
            heads.append(line.strip())
        elif heads and line.strip() and len(body) < BODY_LINES:
            body.append(line.strip())
    for _ in range(REFERENCE_HOPS):
        for head, to in refs.items():
            if not cats[head]:
                cats[head] = frozenset().union(*(cats.get(r, frozenset()) for r in to))
    return cats


# Lines of an entry read for its categories and references, and how far references are
# followed ("TTL" → "Time to Live" → "Internet Protocol").
BODY_LINES: Final = 6
REFERENCE_HOPS: Final = 2
_REFERENCE: Final = re.compile(r"\{([^{}]{1,60})\}")


def _close(
    heads: list[str], body: str, cats: dict[str, frozenset[str]], refs: dict[str, list[str]]
) -> None:
    m = _CATEGORY.match(body)
    found = frozenset(c.strip() for c in m.group(1).split(",")) if m else frozenset()
    for head in heads:
        cats.setdefault(head, found)
        if not found:
            refs[head] = _REFERENCE.findall(body)


def everyday_words(goemotions: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for split in GOEMOTIONS_SPLITS:
        with (goemotions / split).open(encoding="utf-8", newline="") as f:
            for row in csv.reader(f, delimiter="\t"):
                if row:
                    counts.update(_WORD.findall(row[0].lower()))
    return counts


def select(
    foldoc: dict[str, frozenset[str]], everyday: Counter[str]
) -> tuple[list[str], list[str], list[str]]:
    """(acronyms, terms, names): technical acronyms and terms that are not everyday words,
    and the other capitalised headwords (companies, products: "ACME"), which are names,
    not shouting, though not jargon either."""
    acronyms: set[str] = set()
    terms: set[str] = set()
    names: set[str] = set()
    for head, cats in foldoc.items():
        seen = everyday[head.lower()]
        if _HEAD_ACRONYM.fullmatch(head) and sum(c.isalpha() for c in head) >= 2:
            if seen < EVERYDAY_MIN:
                (acronyms if cats & TECHNICAL else names).add(head)
        elif (
            cats & TERM_CATEGORIES
            and _HEAD_TERM.fullmatch(head)
            and seen < EVERYDAY_MIN_TERM
            and head not in NOT_JARGON
        ):
            terms.add(head)
    return sorted(acronyms), sorted(terms), sorted(names - acronyms)


def write(acronyms: list[str], terms: list[str], names: list[str], out: Path) -> None:
    lines = [
        "# Jargon for the reply coach (CD112). Built by `calmdesk engine build-jargon`;",
        "# do not edit by hand. Headwords of FOLDOC (Denis Howe, GFDL); see PROVENANCE.md.",
        "# word<TAB>kind: an acronym (jargon, matched as written), a term (jargon, any case)",
        "# or a name (a capitalised name: not shouting (CD107), not jargon either).",
        *(f"{w}\tacronym" for w in acronyms),
        *(f"{w}\tterm" for w in terms),
        *(f"{w}\tname" for w in names),
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def record(foldoc: Path, goemotions: Path, out: Path, counts: tuple[int, int, int]) -> None:
    """Writes this run into PROVENANCE.md, replacing the section of an earlier run."""
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    section = [
        SECTION,
        "",
        "Written by `calmdesk engine build-jargon`; do not edit by hand.",
        "",
        f"- file: `jargon.txt`, sha256 `{digest}…`: {counts[0]} acronyms, {counts[1]} terms "
        f"and {counts[2]} names",
        f"- from: FOLDOC, the Free On-line Dictionary of Computing (Denis Howe, "
        f"https://foldoc.org), Debian package `dict-foldoc` (`{foldoc.name}`); licence GNU "
        "FDL 1.1 or later, no invariant sections",
        "- what was taken: headwords only (no definition text): single words whose entry "
        f"opens with one of the categories {', '.join(sorted(TECHNICAL))} (or points to "
        "entries that do) when written in capitals; in lower case, only those of "
        f"{', '.join(sorted(TERM_CATEGORIES))}; and, as names, the other capitalised headwords",
        "- what was left out: everyday English, told by GoEmotions' Reddit comments "
        f"({', '.join(GOEMOTIONS_SPLITS)}; Demszky et al. 2020, CC BY 4.0): a lower-case "
        f"term seen there at all, an acronym seen {EVERYDAY_MIN} or more times; and "
        f"{len(NOT_JARGON)} everyday words listed in `jargon_build.py` (NOT_JARGON)",
        "- the coach adds a few terms FOLDOC lacks (cdn, webhook…) in `coach_thread.py`",
    ]
    old = PROVENANCE_FILE.read_text(encoding="utf-8") if PROVENANCE_FILE.exists() else ""
    kept = old.split("\n" + SECTION)[0].rstrip("\n")
    PROVENANCE_FILE.write_text(kept + "\n\n" + "\n".join(section) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    from calmdesk.engine.datasets import default_data_dir

    p = argparse.ArgumentParser(prog="calmdesk engine build-jargon", description=__doc__)
    p.add_argument("--foldoc", type=Path, default=Path(DEFAULT_FOLDOC), help="foldoc.dict.dz")
    p.add_argument("--data", type=Path, default=None, help="the shared data folder")
    p.add_argument("--out", type=Path, default=JARGON_FILE)
    args = p.parse_args(argv)
    goemotions = (args.data or default_data_dir()) / "goemotions"
    for need in (args.foldoc, goemotions):
        if not need.exists():
            print(f"calmdesk engine build-jargon: {need} not found", file=sys.stderr)
            return 2
    raw = args.foldoc.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", "replace")
    acronyms, terms, names = select(entries(text), everyday_words(goemotions))
    write(acronyms, terms, names, args.out)
    record(args.foldoc, goemotions, args.out, (len(acronyms), len(terms), len(names)))
    print(f"wrote {args.out}: {len(acronyms)} acronyms, {len(terms)} terms, {len(names)} names")
    return 0
