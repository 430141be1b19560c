"""Every cited paper is in book/references.bib, and every entry there is cited somewhere in
the book (a chapter's {cite} role or a claim's source in the ledger). The bibliography page
lists the file with :all:, so an uncited entry would otherwise go unnoticed."""
import re
from pathlib import Path

from ibias_lib import claims

BOOK = Path(__file__).resolve().parents[1] / "book"


def _keys():
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", (BOOK / "references.bib").read_text()))


def _cited():
    out = set()
    for f in BOOK.rglob("*.md"):
        for m in re.finditer(r"\{cite(?::\w+)?\}`([^`]*)`", f.read_text()):
            out |= {k.strip() for k in m.group(1).split(",") if k.strip()}
    out |= {c.source for e in claims.experiments() for c in e.claims if c.source}
    return out


def test_every_citation_is_in_the_bibliography():
    missing = _cited() - _keys()
    assert not missing, f"cited but not in references.bib: {sorted(missing)}"


def test_every_bibliography_entry_is_cited():
    uncited = _keys() - _cited()
    assert not uncited, f"in references.bib but cited nowhere: {sorted(uncited)}"


def test_every_entry_has_a_link_or_is_known_not_to():
    text = (BOOK / "references.bib").read_text()
    no_link = {"novikoff1962", "telgarsky2024talk", "cho2009kernel"}   # no stable URL known
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", text, re.S):
        if m.group(1) not in no_link:
            assert re.search(r"^\s*url\s*=", m.group(2), re.M), f"{m.group(1)} has no url"
