"""Browser test of the built HTML book: every page, offline, in headless Chromium.

Run after building the book (``make book`` or ``make book-strict``) with ``make browser``.
It is not part of ``make unit``: it needs the built book and a Chromium.

For every HTML page of ``_build/html`` (served on localhost; every other request is blocked,
so this is the book as a reader without network sees it) it checks that

* the page logs no console error and throws no uncaught JavaScript error, and requests
  nothing outside the book (no CDN);
* every ``<img>`` loaded (``naturalWidth > 0``);
* every formula is typeset: each ``.math`` element holds an ``mjx-container`` and no raw TeX,
  MathJax reported no TeX error (``mjx-merror``, or an undefined macro in red), and no ``$...$`` or
  ``\\(...\\)`` is left in the text;
* every internal link points to a file that exists, and its ``#anchor`` exists there;
* every kernel-free interactive figure (a matplotlib ``to_jshtml`` animation, or anything
  marked ``data-ibias-interactive``) responds to its slider: moving it changes the figure.

A full-page screenshot of each page is saved under ``_build/screenshots/`` (look at them).

Environment: ``IBIAS_BOOK_ROOT`` (book folder, default the repository), ``IBIAS_BOOK_HTML``
(default ``$IBIAS_BOOK_ROOT/_build/html``), ``IBIAS_CHROMIUM`` (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
BOOK_ROOT = Path(os.environ.get("IBIAS_BOOK_ROOT", REPO)).resolve()
HTML_DIR = Path(os.environ.get("IBIAS_BOOK_HTML", BOOK_ROOT / "_build" / "html")).resolve()
SHOTS = HTML_DIR.parent / "screenshots"
CHROMIUM = os.environ.get("IBIAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000

# Skips, not module-level ones: a run that only skips must still exit 0 (pytest exits 5 when
# it collects nothing), so `make test` passes on a machine without Chromium.
if not Path(CHROMIUM).is_file():
    SKIP = (f"Chromium is missing ({CHROMIUM} not found), so the browser test of the book cannot "
            "run. Install it with `sudo apt-get install chromium` (Debian/Ubuntu), or point "
            "IBIAS_CHROMIUM at a Chromium binary.")
elif not (HTML_DIR / "index.html").is_file():
    SKIP = f"The book is not built ({HTML_DIR / 'index.html'} is missing): run `make book` first."
else:
    SKIP = None


@pytest.fixture(scope="module", autouse=True)   # before the browser fixture
def _skip_without_chromium_or_book():
    if SKIP:
        pytest.skip(SKIP)


def book_pages():
    """Every HTML page of the book, relative to HTML_DIR (not the theme's files under ``_*``)."""
    pages = []
    if SKIP:
        return ["(none)"]
    for p in HTML_DIR.rglob("*.html"):
        rel = p.relative_to(HTML_DIR)
        if not any(part.startswith("_") for part in rel.parts):
            pages.append(rel.as_posix())
    return sorted(pages)


PAGES = book_pages()


def toc_files():
    """The ``file:`` and ``root`` entries of the book's ``_toc.yml``."""
    import yaml

    toc = yaml.safe_load((BOOK_ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc.get("parts", toc.get("chapters", [])))
    return found


# ---------------------------------------------------------------------------------------------
# Fixtures: a local HTTP server for the build and one headless Chromium for all pages.


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_QuietHandler, directory=str(HTML_DIR))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# ---------------------------------------------------------------------------------------------
# Helpers.


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def anchors_in(path: Path) -> frozenset:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def local_file(url_path: str) -> Path:
    rel = unquote(url_path).lstrip("/")
    target = HTML_DIR / rel
    if url_path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


_REFRESH = re.compile(r'<meta[^>]*http-equiv="refresh"[^>]*url=([^"\']+)', re.IGNORECASE)

_WAIT_MATHJAX = """async () => {
  if (!document.querySelector('.math')) return 'no math';
  const t0 = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 20000) return 'MathJax did not load';
    await new Promise(r => setTimeout(r, 50));
  }
  await MathJax.startup.promise;
  return 'typeset';
}"""

_MATH_REPORT = """() => {
  const out = {n_math: 0, n_mjx: document.querySelectorAll('mjx-container').length,
               untypeset: [], errors: [], raw: []};
  for (const el of document.querySelectorAll('.math')) {
    out.n_math += 1;
    const clone = el.cloneNode(true);
    clone.querySelectorAll('mjx-container, mjx-assistive-mml').forEach(c => c.remove());
    const left = clone.textContent.trim();
    if (!el.querySelector('mjx-container') || /\\\\\\(|\\\\\\[|\\$|\\\\begin\\{/.test(left))
      out.untypeset.push((left || el.textContent).slice(0, 120));
  }
  for (const err of document.querySelectorAll('mjx-merror')) {
    out.errors.push((err.getAttribute('data-mjx-error') || err.textContent).slice(0, 120));
  }
  // An undefined macro (say \\R without its mathjax3_config entry) is shown as red text.
  for (const err of document.querySelectorAll('mjx-assistive-mml mtext[mathcolor="red"]')) {
    out.errors.push('undefined macro ' + err.textContent.slice(0, 120));
  }
  // Raw TeX in ordinary text (a formula the Markdown parser did not turn into math).
  const skip = 'pre, code, script, style, textarea, mjx-container, .math, .highlight, ' +
               '.output, .cell_output, .anim-controls';
  const root = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const pat = /\\\\\\(|\\\\\\[|\\\\begin\\{|\\$[^\\s$][^$]*?\\$/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest(skip)) continue;
    if (pat.test(n.textContent)) out.raw.push(n.textContent.trim().slice(0, 120));
  }
  return out;
}"""

_BROKEN_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.filter(i => !(i.complete && i.naturalWidth > 0))
             .map(i => i.getAttribute('src') ? i.getAttribute('src').slice(0, 120)
                                             : '(no src) id=' + i.id);
}"""

_INTERACTIVES = """() => {
  const boxes = new Set();
  document.querySelectorAll('[data-ibias-interactive]').forEach(b => boxes.add(b));
  document.querySelectorAll('input[type=range], .anim-state').forEach(el => {
    boxes.add(el.closest('[data-ibias-interactive]') || el.closest('.animation')
              || el.parentElement);
  });
  const out = [];
  let k = 0;
  for (const b of boxes) {
    b.setAttribute('data-browser-test', String(k++));
    out.push({key: b.getAttribute('data-browser-test'),
              sliders: b.querySelectorAll('input[type=range]').length});
  }
  return out;
}"""

# Move the first slider of box `key` to another position, the way a reader's drag does
# (set the value, fire input and change), and report what the figure shows before and after.
_DRIVE = """async (key) => {
  const box = document.querySelector(`[data-browser-test="${key}"]`);
  const slider = box.querySelector('input[type=range]');
  const img = box.querySelector('img');
  const lo = Number(slider.min || 0), hi = Number(slider.max || 100);
  const before = Number(slider.value);
  const target = before === hi ? lo : hi;
  const srcBefore = img ? img.src : null;
  slider.value = String(target);
  slider.dispatchEvent(new Event('input', {bubbles: true}));
  slider.dispatchEvent(new Event('change', {bubbles: true}));
  await new Promise(r => setTimeout(r, 300));
  if (img) await img.decode().catch(() => null);
  // A to_jshtml animation keeps its frames in a global anim<id> object.
  let frameOk = null;
  const m = slider.id && slider.id.match(/^_anim_slider(.+)$/);
  if (m && window['anim' + m[1]]) {
    const anim = window['anim' + m[1]];
    frameOk = anim.current_frame === target && img.src === anim.frames[target].src;
  }
  return {lo, hi, before, target, value: Number(slider.value), frameOk,
          imgChanged: img ? img.src !== srcBefore : null,
          imgWidth: img ? img.naturalWidth : null};
}"""


def check_links(page, page_url: str, base: str, failures: list) -> None:
    base_netloc = urlsplit(base).netloc
    live_ids = set(page.eval_on_selector_all(
        "[id], a[name]", "els => els.map(e => e.id || e.getAttribute('name'))"))
    hrefs = page.eval_on_selector_all("a[href], link[href]",
                                      "els => els.map(e => e.getAttribute('href'))")
    for href in sorted(set(hrefs)):
        if not href or href.startswith(("javascript:", "mailto:", "data:", "tel:")):
            continue
        url = urlsplit(urljoin(page_url, href))
        if url.scheme not in ("http", "https") or url.netloc != base_netloc:
            continue                              # external: not checked (there is no network)
        target = local_file(url.path)
        if not target.is_file():
            failures.append(f"broken link {href!r}: {target.relative_to(HTML_DIR)} does not exist")
            continue
        frag = unquote(url.fragment)
        if not frag or target.suffix != ".html":
            continue
        same_page = target == local_file(urlsplit(page_url).path)
        ids = live_ids if same_page else anchors_in(target)
        if frag not in ids:
            failures.append(f"broken anchor {href!r}: no id {frag!r} in "
                            f"{target.relative_to(HTML_DIR)}")


# ---------------------------------------------------------------------------------------------
# Tests.


def test_every_toc_entry_has_a_page():
    missing = [f for f in toc_files()
               if not (HTML_DIR / (str(Path(f).with_suffix("")) + ".html")).is_file()]
    assert not missing, f"_toc.yml entries with no page in {HTML_DIR}: {missing}"
    assert len(PAGES) >= len(toc_files())


@pytest.mark.parametrize("rel", PAGES)
def test_page(rel, server, browser):
    failures = []
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    blocked = []

    def route(r):
        u = r.request.url
        if u.startswith(server + "/") or u.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(u)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    console_errors, page_errors, bad_responses = [], [], []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on("response", lambda r: bad_responses.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    try:
        redirect = _REFRESH.search((HTML_DIR / rel).read_text(encoding="utf-8", errors="replace"))
        if redirect:                        # index.html: a redirect to the root chapter
            target = urljoin(f"{server}/{rel}", redirect.group(1))
            assert local_file(urlsplit(target).path).is_file(), f"{rel} redirects to {target}"
            page.goto(f"{server}/{rel}")
            page.wait_for_url(target)
        else:
            page.goto(f"{server}/{rel}", wait_until="load")
        page.wait_for_load_state("load")
        state = page.evaluate(_WAIT_MATHJAX)
        if state == "MathJax did not load":
            failures.append("the page has math but MathJax did not load")
        page.evaluate("() => document.fonts.ready.then(() => true)")   # not "networkidle": flaky

        broken = page.evaluate(_BROKEN_IMAGES)
        failures += [f"image did not load: {src}" for src in broken]

        math = page.evaluate(_MATH_REPORT)
        failures += [f"formula not typeset: {t!r}" for t in math["untypeset"]]
        failures += [f"MathJax error in formula: {t!r}" for t in math["errors"]]
        failures += [f"raw TeX left in text: {t!r}" for t in math["raw"]]
        if math["n_math"] and not math["n_mjx"]:
            failures.append(f"{math['n_math']} .math elements but no mjx-container")

        check_links(page, page.url, server, failures)

        for box in page.evaluate(_INTERACTIVES):
            name = f"interactive figure #{box['key']}"
            if not box["sliders"]:
                failures.append(f"{name} has no slider to drive")
                continue
            loc = page.locator(f"[data-browser-test=\"{box['key']}\"]")
            loc.scroll_into_view_if_needed()
            shot_before = loc.screenshot()
            res = page.evaluate(_DRIVE, box["key"])
            shot_after = loc.screenshot()
            if res["hi"] <= res["lo"]:
                failures.append(f"{name}: its slider has a single position ({res})")
            elif res["frameOk"] is False or res["imgChanged"] is False:
                failures.append(f"{name}: moving the slider did not change the frame ({res})")
            elif shot_before == shot_after:
                failures.append(f"{name}: moving the slider left the figure unchanged ({res})")
            if res["imgWidth"] == 0:
                failures.append(f"{name}: the frame shown after moving the slider is empty")
            page.evaluate(_DRIVE, box["key"])      # back where it was, for the screenshot

        # From the top, so the theme's sticky header and sidebars sit where a reader sees them.
        page.evaluate("() => { document.activeElement && document.activeElement.blur();"
                      " window.scrollTo(0, 0); }")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / (rel[:-5].replace("/", "__") + ".png")), full_page=True)
    finally:
        context.close()

    failures += [f"console error: {t}" for t in console_errors]
    failures += [f"JavaScript error: {t}" for t in page_errors]
    failures += [f"HTTP {t}" for t in bad_responses]
    failures += [f"blocked request outside the book (the book must work offline): {u}"
                 for u in blocked]
    assert not failures, f"{rel}:\n  " + "\n  ".join(failures)


# --------------------------------------------------------------- layout: desktop and phone

_LAYOUT = r"""() => {
  const art = document.querySelector('article.bd-article') || document.querySelector('main');
  if (!art) return {overflow: [], alts: [], narrow: []};
  const right = art.getBoundingClientRect().right + 1;
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== art.parentElement; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if ((s === 'auto' || s === 'scroll') && p.getBoundingClientRect().right <= right)
        return true;
    }
    return false;
  };
  const overflow = [];
  for (const el of art.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= right) continue;
    if (getComputedStyle(el).position === 'fixed' || scrolls(el)) continue;
    overflow.push(`${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80) +
                  ` right=${Math.round(r.right)} > ${Math.round(right)}`);
    if (overflow.length > 5) break;
  }
  const alts = [], narrow = [];
  for (const img of art.querySelectorAll('img')) {
    const alt = (img.getAttribute('alt') || '').trim();
    if (!alt || (!/\s/.test(alt) && (alt.includes('/') || /\.(png|svg|jpe?g)$/.test(alt)))) alts.push(img.src);
    const w = img.getBoundingClientRect().width;
    if (img.closest('.cell_output') && img.naturalWidth >= 600 && w < 600) narrow.push(`${img.src} ${w}`);
  }
  return {overflow, alts, narrow};
}"""


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("rel", PAGES)
def test_layout(rel, width, server, browser):
    """Nothing wider than the column outside a scroll box; real alt texts; chapter figures
    shown at least 600 CSS px wide (on a phone inside a sideways scroll box), with the build's
    matplotlibrc making one point of font about one CSS px at that width."""
    if rel == "(none)":
        pytest.skip(SKIP)
    if _REFRESH.search((HTML_DIR / rel).read_text(encoding="utf-8", errors="replace")):
        return                              # a redirect page (index.html): test_page checks it
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  service_workers="block")
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server + "/")
                  else r.abort())
    page = context.new_page()
    try:
        page.goto(f"{server}/{rel}", wait_until="load")
        page.evaluate(_WAIT_MATHJAX)
        report = page.evaluate(_LAYOUT)
        if width == 390:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / ("phone__" + rel[:-5].replace("/", "__") + ".png")))
    finally:
        context.close()
    problems = [f"overflows its column: {o}" for o in report["overflow"]]
    problems += [f"image without a real alt text: {a}" for a in report["alts"]]
    problems += [f"figure shown narrower than 600 px: {n}" for n in report["narrow"]]
    assert not problems, f"{rel} at {width}px:\n  " + "\n  ".join(problems)


def test_figure_font_settings_fit_the_column():
    """The build's matplotlibrc: at the ~10 in figure width and >= 600 px display width the
    smallest figure text (ticks, legend) is at least 11 pt ~ 9+ CSS px; titles and labels 12."""
    rc = {}
    for line in (REPO / "book/_static/matplotlibrc").read_text().splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            k, v = line.split(":", 1)
            rc[k.strip()] = v.strip()
    for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
        assert float(rc[key]) >= 11, key
    for key in ("font.size", "axes.labelsize"):
        assert float(rc[key]) >= 12, key
