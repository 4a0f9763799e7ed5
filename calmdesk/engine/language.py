"""Which language a message is in, when the cheap English check in ``text.py`` is unsure.

Most mail is plainly English, and ``text.detect_language`` says so from a few function
words at no cost. When it cannot ("Problème avec ma facture", a short line with no telling
word, words of two languages), py3langid (BSD-3; its model ships in the wheel, no network)
names the language, so that French or German text is never read with English cues.

Its model is loaded on the first unsure message, once, and only the Latin-script languages
are kept: the other scripts are told apart by ``text.py`` already, and the full model holds
about 90 MB where this one holds about 50 MB. The model is read member by member, in
chunks, so loading it never holds two copies. Not compiled by mypyc (it leans on numpy and
an untyped package); ``reading.py`` calls it."""

from __future__ import annotations

import lzma
import shutil
import tempfile
import threading
import zipfile
from array import array
from typing import IO, Any, Final

import numpy as np

from calmdesk.engine.text import Language, wordset

# The Latin-script languages py3langid is asked to choose between.
LATIN_LANGUAGES: Final = wordset(
    "af ca cs cy da de en eo es et eu fi fr ga gl hr hu id is it la lt lv ms mt nl no pl "
    "pt ro sk sl sq sv sw tl tr vi"
)
# Below this many letters a language guess is noise ("ok", "Hi Sam"): the cheap answer stays.
MIN_LETTERS: Final = 20
# py3langid's probability (softmax over the kept languages) needed to overrule the cheap
# check: a guess it is not sure of keeps the cheap answer.
SURE: Final = 0.9
# The first characters are enough to name a language; a long paste is not read in full.
SAMPLE_CHARS: Final = 1000
_ROWS_PER_CHUNK: Final = 8192  # model rows read at a time (≈ 2 MB of the full table)

_identifier: Any = None
_lock = threading.Lock()


def refine(cheap: Language, text: str) -> Language:
    """``cheap`` (the function-word answer), or py3langid's answer when it is sure of it
    and the text has letters enough. Scripts other than Latin are left as they are."""
    if cheap.code != "en" and cheap.code not in LATIN_LANGUAGES:
        return cheap  # "und", or a script that settles the language
    sample = text[:SAMPLE_CHARS]
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters < MIN_LETTERS:
        return cheap
    code, p = identify(sample)
    if p < SURE:
        return cheap
    return Language(code, round(p, 3))


def identify(text: str) -> tuple[str, float]:
    """py3langid's language for ``text`` among ``LATIN_LANGUAGES``, with its probability."""
    code, p = _get_identifier().classify(text)
    return str(code), float(p)


def is_loaded() -> bool:
    """Whether the model has been loaded in this process (the bench checks it is not,
    in the child that loads only the engine's weights)."""
    return _identifier is not None


def _get_identifier() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                _identifier = _load()
    return _identifier


def _load() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    with tempfile.TemporaryFile(suffix=".npz") as tmp:
        # The npz is stored inside LZMA: unpacked to a file, never whole in memory.
        with lzma.open(MODEL_DIR / MODEL_FILE) as src:
            shutil.copyfileobj(src, tmp, length=1 << 20)
        tmp.seek(0)
        with zipfile.ZipFile(tmp) as npz:
            with npz.open("classes.npy") as f:
                classes = [str(c) for c in np.lib.format.read_array(f).tolist()]
            keep = [i for i, c in enumerate(classes) if c in LATIN_LANGUAGES]
            with npz.open("pc.npy") as f:
                pc = np.ascontiguousarray(np.lib.format.read_array(f)[keep])
            with npz.open("ptc.npy") as f:
                ptc = _columns(f, keep)
            nextmove = _mapped(tmp, npz, "nextmove.npy")
            with npz.open("nextmove_row.npy") as f:
                rows = np.lib.format.read_array(f).tolist()
            with npz.open("out_feat.npy") as f:
                out = np.lib.format.read_array(f).tolist()
    return LanguageIdentifier(
        ptc, pc, [classes[i] for i in keep], nextmove, out, norm_probs=True, tk_row=rows
    )


def _mapped(tmp: IO[bytes], npz: zipfile.ZipFile, name: str) -> Any:
    """The 1-D array ``name``, mapped from the unpacked file rather than read: the DFA walk
    touches a few of its rows per message, so most of its 39 MB never enter memory. The
    mapping keeps the (already unlinked) file alive. Read whole when it is compressed."""
    info = npz.getinfo(name)
    with npz.open(name) as f:
        if info.compress_type != zipfile.ZIP_STORED:
            return _stdlib_array(f, "I")
        (n,), dtype = _header(f)
        header = f.tell()
    tmp.seek(info.header_offset)
    local = tmp.read(_LOCAL_HEADER)
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    offset = info.header_offset + _LOCAL_HEADER + name_len + extra_len + header
    return np.memmap(tmp, dtype=dtype, mode="r", offset=offset, shape=(n,))


_LOCAL_HEADER: Final = 30  # bytes of a zip member's local header before its name


def _header(f: IO[bytes]) -> tuple[tuple[int, ...], np.dtype[Any]]:
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    if fortran:
        raise ValueError("py3langid's model: a Fortran-ordered array was not expected")
    return shape, dtype


def _columns(f: IO[bytes], keep: list[int]) -> np.ndarray[Any, Any]:
    """The ``keep`` columns of a 2-D array stored in ``f``, read a few rows at a time."""
    (n_rows, n_cols), dtype = _header(f)
    out = np.empty((n_rows, len(keep)), dtype=dtype)
    row_bytes = n_cols * dtype.itemsize
    for start in range(0, n_rows, _ROWS_PER_CHUNK):
        n = min(_ROWS_PER_CHUNK, n_rows - start)
        chunk = np.frombuffer(_read_exact(f, n * row_bytes), dtype=dtype).reshape(n, n_cols)
        out[start : start + n] = chunk[:, keep]
    return out


def _stdlib_array(f: IO[bytes], typecode: str) -> array[int]:
    """A 1-D unsigned array stored in ``f`` as a stdlib array (indexing it gives ints,
    which the DFA walk wants), read a megabyte at a time."""
    (n,), dtype = _header(f)
    out: array[int] = array(typecode)
    if out.itemsize != dtype.itemsize:
        raise ValueError(f"py3langid's model: {dtype} does not fit array({typecode!r})")
    left = n * dtype.itemsize
    while left:
        block = _read_exact(f, min(left, 1 << 20))
        out.frombytes(block)
        left -= len(block)
    return out


def _read_exact(f: IO[bytes], n: int) -> bytes:
    data = f.read(n)
    while len(data) < n:
        more = f.read(n - len(data))
        if not more:
            raise ValueError("py3langid's model: an array ends early")
        data += more
    return data
