"""MyST markdown to the plain Markdown that every Jupyter renders (Colab, a bare JupyterLab,
nbconvert).

The chapters use MyST directives (``{prf:theorem}``, ``{exercise}``, ``{solution}``, ...) and
roles (``{cite:t}``, ``{doc}``, ``{prf:ref}``); Jupyter without a MyST extension shows them as
raw text. :func:`to_plain` rewrites a markdown cell:

* theorem-like blocks and admonitions become block quotes with a bold title, and an HTML anchor
  for their label; proofs become "*Proof.* ... ∎";
* exercises keep their statement; **solutions are removed** (they stay in the HTML book, or
  not, as the instructor builds it);
* citations become author-year text linking to the paper (DOI / arXiv / URL from
  ``references.bib``), ``{doc}`` and ``{prf:ref}`` links to the other generated notebooks;
* ``{figure}`` becomes an image with its caption, ``{list-table}`` a Markdown table.

A :class:`BookIndex` (chapter titles, labels, bibliography) is read once from the book folder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

THEOREM_KINDS = {"prf:theorem": "Theorem", "prf:proposition": "Proposition",
                 "prf:lemma": "Lemma", "prf:corollary": "Corollary",
                 "prf:definition": "Definition", "prf:remark": "Remark",
                 "prf:example": "Example", "prf:conjecture": "Conjecture",
                 "prf:assumption": "Assumption", "prf:algorithm": "Algorithm"}
ADMONITIONS = {"admonition", "note", "warning", "tip", "important", "caution", "attention",
               "hint", "seealso", "danger", "error"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")


@dataclass
class BookIndex:
    """What the rewrite needs to know about the whole book."""
    titles: dict = field(default_factory=dict)      # docname -> first heading
    labels: dict = field(default_factory=dict)      # label -> (docname, text)
    bib: dict = field(default_factory=dict)         # key -> (authors, year, url)

    @classmethod
    def from_book(cls, book_dir) -> "BookIndex":
        book_dir = Path(book_dir)
        idx = cls()
        for md in sorted(book_dir.rglob("*.md")):
            if "_build" in md.parts or md.name.startswith("_"):
                continue
            doc = md.relative_to(book_dir).with_suffix("").as_posix()
            text = md.read_text()
            h = re.search(r"^# (.+)$", text, re.M)
            idx.titles[doc] = _strip_math(h.group(1).strip()) if h else doc
            for m in re.finditer(r"^(`{3,}|:{3,})\{([\w:-]+)\}[ \t]*(.*)\n((?::[\w-]+:.*\n)*)",
                                 text, re.M):
                name, arg, opts = m.group(2), m.group(3).strip(), m.group(4)
                lab = re.search(r"^:label:\s*(\S+)", opts, re.M)
                nam = re.search(r"^:name:\s*(\S+)", opts, re.M)
                key = (lab or nam).group(1) if (lab or nam) else None
                if key:
                    kind = THEOREM_KINDS.get(name, name.split(":")[-1].capitalize())
                    if name in ("figure", "code-cell"):
                        kind, arg = "Figure", ""
                    idx.labels[key] = (doc, f"{kind} ({arg})" if arg else kind)
            for m in re.finditer(r"^\((?P<l>[\w:-]+)\)=\s*\n#+ (?P<t>.+)$", text, re.M):
                idx.labels[m.group("l")] = (doc, _strip_math(m.group("t")))
            for m in re.finditer(r"name:\s*(fig-[\w-]+)", text):
                idx.labels.setdefault(m.group(1), (doc, "Figure"))
        bib = book_dir / "references.bib"
        if bib.exists():
            idx.bib = parse_bib(bib.read_text())
        return idx


def _strip_math(s):
    return s.replace("$", "")


def parse_bib(text):
    """``{key: (author text, year, url or None)}`` from a BibTeX file (the fields we need)."""
    out = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", text, re.S):
        key, body = m.group(1), m.group(2)
        fields = {k.lower(): v for k, v in
                  re.findall(r"(\w+)\s*=\s*[{\"](.*?)[}\"]\s*,?\s*$", body, re.M)}
        names = [n.strip() for n in re.split(r"\s+and\s+", fields.get("author", ""))
                 if n.strip()]
        last = [n.split(",")[0].strip() if "," in n else n.split()[-1] for n in names]
        last = [re.sub(r"[{}\\]", "", s) for s in last]
        if len(last) >= 3:
            who = f"{last[0]} et al."
        elif len(last) == 2:
            who = f"{last[0]} & {last[1]}"
        else:
            who = last[0] if last else key
        url = fields.get("url")
        if not url and fields.get("doi"):
            url = "https://doi.org/" + fields["doi"]
        if not url:
            arx = re.search(r"(\d{4}\.\d{4,5})", fields.get("eprint", "") + " " +
                            fields.get("journal", "") + " " + fields.get("note", ""))
            if arx:
                url = "https://arxiv.org/abs/" + arx.group(1)
        out[key] = (who, re.sub(r"\D", "", fields.get("year", "")) or "n.d.", url)
    return out


def _rel_link(from_doc, to_doc, anchor=""):
    """Relative path between generated notebooks (same folder layout as the book)."""
    import posixpath
    rel = posixpath.relpath(to_doc + ".ipynb", posixpath.dirname(from_doc) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def _split_target(body):
    m = re.match(r"^(.*?)\s*<([^>]+)>$", body.strip(), re.S)
    return (m.group(1), m.group(2)) if m else (None, body.strip())


def _role(m, doc, idx):
    role, body = m.group("role"), m.group("body")
    if role in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
        parts = []
        for key in [k.strip() for k in body.split(",") if k.strip()]:
            who, year, url = idx.bib.get(key, (key, "", None))
            text = f"{who} ({year})" if role.startswith("cite:t") else f"{who} {year}"
            parts.append(f"[{text}]({url})" if url else text)
        return "; ".join(parts) if role.startswith("cite:t") else "(" + "; ".join(parts) + ")"
    if role == "doc":
        text, target = _split_target(body)
        target = target.lstrip("/") if target.startswith("/") else \
            (Path(doc).parent / target).as_posix()
        return f"[{text or idx.titles.get(target, target)}]({_rel_link(doc, target)})"
    if role in ("prf:ref", "ref", "numref", "eq"):
        text, label = _split_target(body)
        where = idx.labels.get(label)
        if where is None:
            return text or label
        return f"[{text or where[1]}]({_rel_link(doc, where[0], label)})"
    if role == "math":
        return f"${body}$"
    return body


def _roles(text, doc, idx):
    return ROLE.sub(lambda m: _role(m, doc, idx), text)


def _quote(text):
    return "\n".join("> " + line if line.strip() else ">" for line in text.split("\n"))


def _options(lines):
    """Split directive body lines into (options, content) (``:key: value`` or a YAML block)."""
    opts, i = {}, 0
    if lines and lines[0].strip() == "---":
        j = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if j is not None:
            for line in lines[1:j]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    opts[k.strip()] = v.strip()
            i = j + 1
    while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
        k, v = lines[i][1:].split(":", 1)
        opts[k.strip()] = v.strip()
        i += 1
    return opts, lines[i:]


def _list_table(content, opts):
    rows, cur = [], None
    for line in content:
        if line.startswith("* - "):
            cur = [line[4:].strip()]
            rows.append(cur)
        elif line.startswith("  - ") and cur is not None:
            cur.append(line[4:].strip())
        elif line.strip() and cur is not None:
            cur[-1] += " " + line.strip()
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    cell = lambda s: s.replace("|", "\\|")
    out = ["| " + " | ".join(cell(c) for c in rows[0]) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows[1:]]
    return "\n".join(out)


def _directive(name, arg, content_lines, doc, idx):
    opts, body_lines = _options(content_lines)
    body = _blocks("\n".join(body_lines).strip("\n"), doc, idx)
    label = opts.get("label") or opts.get("name")
    anchor = f'<a id="{label}"></a>\n\n' if label else ""
    arg = _roles(arg, doc, idx)
    if name in THEOREM_KINDS:
        title = f"**{THEOREM_KINDS[name]}" + (f" ({arg})" if arg else "") + ".**"
        return anchor + _quote(f"{title} {body}" if body else title)
    if name == "prf:proof":
        return anchor + f"*Proof.* {body} ∎"
    if name == "exercise":
        title = "**Exercise" + (f" ({arg})" if arg else "") + ".**"
        return anchor + _quote(f"{title} {body}")
    if name == "solution":
        return ""                      # solutions are not shipped in generated notebooks
    if name in ADMONITIONS:
        title = arg if name == "admonition" else (arg or name.capitalize())
        return anchor + _quote(f"**{title}.** {body}" if title else body)
    if name == "figure":
        return anchor + f"![{body or arg}]({arg})\n\n*{body}*" if body else f"![]({arg})"
    if name == "list-table":
        return anchor + _list_table(body_lines, opts)
    if name in ("math",):
        return f"$$\n{body}\n$$"
    return body


def _blocks(text, doc, idx):
    """Rewrite every directive in ``text`` (recursively) and every role."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            line = lines[i]
            t = re.match(r"^\(([\w:-]+)\)=\s*$", line)
            out.append(f'<a id="{t.group(1)}"></a>' if t else _roles(line, doc, idx))
            i += 1
            continue
        fence = m.group("fence")
        j, depth = i + 1, 0
        while j < len(lines):
            s = lines[j].strip()
            if FENCE.match(lines[j]) and FENCE.match(lines[j]).group("fence") == fence:
                depth += 1
            elif s == fence:
                if depth == 0:
                    break
                depth -= 1
            j += 1
        rendered = _directive(m.group("name"), m.group("arg").strip(), lines[i + 1:j], doc, idx)
        out.append(rendered)
        i = j + 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def to_plain(source: str, docname: str, index: BookIndex) -> str:
    """Return the markdown cell ``source`` of chapter ``docname`` as plain Jupyter Markdown."""
    return _blocks(source, docname, index)
