"""The built book in a real browser (Debian's Chromium driven by Playwright): no
request leaves the machine, nothing fails to load, every figure has alt text,
every claim has its anchor, and the pages print the numbers the ledger holds."""

import functools
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import quote, urlparse

import pandas as pd
import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_html):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(built_html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium (make browser)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def visit(browser, url):
    """Load a page; return it with the requests it made and the console errors it logged."""
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on("response", lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, requests, errors


def pages(built_html):
    return sorted(str(p.relative_to(built_html)) for p in built_html.rglob("*.html")
                  if not p.relative_to(built_html).parts[0].startswith("_"))


def test_no_third_party_requests_and_nothing_broken(built_html, site, browser):
    visited = pages(built_html)
    assert len(visited) >= 9, visited
    for relative in visited:
        page, requests, errors = visit(browser, f"{site}/{relative}")
        foreign = [u for u in requests if urlparse(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]
        assert not foreign, f"{relative} requested {foreign}"
        assert not errors, f"{relative}: {errors}"
        missing_alt = page.eval_on_selector_all("img", "els => els.filter(e => !(e.alt || '').trim()).map(e => e.src)")
        assert not missing_alt, f"{relative}: images without alt text {missing_alt}"
        page.close()


def ledger():
    return pd.read_csv(ROOT / "data" / "derived" / "ledger.csv", dtype=str, keep_default_na=False)


def test_every_claim_has_an_anchor_with_its_verdict(site, browser):
    page, _, _ = visit(browser, f"{site}/book/ledger.html")
    for row in ledger().itertuples():
        block = page.locator(f"#claim-{row.claim_id}")
        assert block.count() == 1, row.claim_id
        assert block.locator(".verdict").inner_text() == row.verdict, row.claim_id
    page.close()


def test_claim_link_lands_on_its_anchor(site, browser):
    page, _, _ = visit(browser, f"{site}/book/dcs.html")
    page.locator("a.claim-link", has_text="dcs-alerts-per-day").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("book/ledger.html#claim-dcs-alerts-per-day")
    assert page.locator("#claim-dcs-alerts-per-day").is_visible()
    page.close()


def verdict_counts(text):
    match = re.search(r"(\d+) (?:are )?reproduced,\s+(\d+) consistent,\s+(\d+) in discrepancy and\s+(\d+) unverifiable", text)
    assert match, text[:500]
    return [int(x) for x in match.groups()]


@pytest.mark.parametrize("url, topic", [("book/intro.html", None), ("book/dcs.html", "dcs")])
def test_pages_print_the_ledger_counts(site, browser, url, topic):
    """The glued counts on the page equal a fresh count of the committed ledger."""
    rows = ledger()
    if topic:
        rows = rows[rows["notebook"] == f"notebooks/{topic}.ipynb"]
    expected = [int((rows["verdict"] == v).sum()) for v in ("reproduced", "consistent", "discrepancy", "unverifiable")]
    page, _, _ = visit(browser, f"{site}/{url}")
    assert verdict_counts(" ".join(page.locator("article").inner_text().split())) == expected
    page.close()


def test_chapter_prints_the_recomputed_primary_figure(site, browser):
    """The discrepancy the chapter describes shows the value the ledger recomputed."""
    recomputed = ledger().set_index("claim_id").loc["dcs-registry-2019-current", "recomputed"]
    page, _, _ = visit(browser, f"{site}/book/dcs.html")
    assert f"{int(recomputed):,}" in page.locator("article").inner_text()
    page.close()


def test_search_works_offline(site, browser):
    page, requests, _ = visit(browser, f"{site}/search.html?q=Jiangsu")
    page.wait_for_selector("#search-results li", timeout=10000)
    assert page.locator("#search-results li").count() >= 1
    assert all(urlparse(u).hostname == "127.0.0.1" for u in requests if not u.startswith("data:"))
    page.close()


def test_chapter_ends_with_its_citation(built_html):
    """The chapter's citation is generated from CITATION.cff with the chapter's title."""
    import html as html_lib

    import yaml

    record = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    page = html_lib.unescape(re.sub(r"<[^>]+>", "", (built_html / "book" / "dcs.html").read_text(encoding="utf-8")))
    assert "@incollection{compendium-dcs," in page
    assert "title = {The Dynamic Control System}" in page
    assert f"version = {{{record['version']}}}" in page and f"booktitle = {{{record['title']}}}" in page
    assert f"The Dynamic Control System. In {record['title']} (version {record['version']})" in page


def test_chapter_links_and_ledger_links_meet_in_both_directions(built_html):
    """Each claim a chapter links to has a ledger entry, and that entry links back to the chapter's paragraph."""
    ledger = (built_html / "book" / "ledger.html").read_text(encoding="utf-8")
    entries = set(re.findall(r'id="claim-([a-z0-9-]+)"', ledger))
    back = {}
    for block in ledger.split('<div class="claim ')[1:]:  # one ledger entry each
        claim_id = re.search(r'id="claim-([a-z0-9-]+)"', block).group(1)
        link = re.search(r'class="discussed-in reference internal" href="([^"]+)"', block)
        if link:
            back[claim_id] = link.group(1)
    for page in sorted((built_html / "book").glob("*.html")):
        if page.name == "ledger.html":
            continue
        text = page.read_text(encoding="utf-8")
        linked = set(re.findall(r'href="ledger\.html#claim-([a-z0-9-]+)"', text))
        assert linked <= entries, f"{page.name} links to claims with no ledger entry: {linked - entries}"
        for claim_id in linked:
            assert claim_id in back, f"{claim_id} is discussed in {page.name}, but its ledger entry does not link back"
            target_page, anchor = back[claim_id].split("#")
            target = (built_html / "book" / target_page).read_text(encoding="utf-8")
            assert f'id="{anchor}"' in target, f"{claim_id}: the ledger links to #{anchor}, which {target_page} lacks"


def test_every_ledger_entry_links_to_the_notebook_cell_that_judged_it(built_html):
    """Each entry links to judge-<id> on its notebook's page. That anchor is on a code cell that
    calls judge, and, where the notebook's source names the claim, on the cell that names it."""
    ledger = (built_html / "book" / "ledger.html").read_text(encoding="utf-8")
    cell_start = '<div class="cell docutils container"'
    pages, named_in_cell = {}, 0
    for block in ledger.split('<div class="claim ')[1:]:
        claim_id = re.search(r'id="claim-([a-z0-9-]+)"', block).group(1)
        link = re.search(r'href="\.\./notebooks/([a-z]+)\.html#([a-z0-9-]+)"', block)
        assert link and link.group(2) == f"judge-{claim_id}", f"{claim_id}: no link to the cell that judged it"
        topic = link.group(1)
        if topic not in pages:
            pages[topic] = ((built_html / "notebooks" / f"{topic}.html").read_text(encoding="utf-8"),
                            (ROOT / "notebooks" / "md" / f"{topic}.md").read_text(encoding="utf-8"))
        html, source = pages[topic]
        at = html.find(f'id="judge-{claim_id}"')
        assert at >= 0, f"{claim_id}: notebooks/{topic}.html has no anchor judge-{claim_id}"
        start = html.rfind(cell_start, 0, at + 1)
        end = html.find(cell_start, at)
        cell = re.sub(r"<[^>]+>", "", html[start:end if end > 0 else len(html)])
        assert "judge" in cell, f"{claim_id}: the anchored cell does not judge anything"
        if f'"{claim_id}"' in source:
            named_in_cell += 1
            assert claim_id in cell, f"{claim_id}: the anchored cell of notebooks/{topic}.html does not name it"
    assert named_in_cell > len(pages)  # the stronger check ran, not only the weak one


def test_ledger_shows_one_verdict_at_a_time(site, browser):
    page, _, errors = visit(browser, f"{site}/book/ledger.html")
    expected = int((ledger()["verdict"] == "discrepancy").sum())
    page.locator("#verdict-filter button[data-verdict='discrepancy']").click()
    assert page.locator(".claim:visible").count() == expected
    assert page.locator(".claim.claim-discrepancy:visible").count() == expected
    page.locator("#verdict-filter button[data-verdict='all']").click()
    assert page.locator(".claim:visible").count() == len(ledger())
    assert not errors
    page.close()


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_or_critical_accessibility_violation(built_html, site, browser, mode):
    """axe-core on every page, with the theme in light and in dark mode."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `make test` installs axe-core from package-lock.json (npm ci)")
    script = AXE.read_text(encoding="utf-8")
    found = []
    for relative in pages(built_html):
        context = browser.new_context(color_scheme=mode)
        context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
        page = context.new_page()
        page.goto(f"{site}/{relative}", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == mode, relative
        page.add_script_tag(content=script)
        violations = page.evaluate("async () => (await axe.run()).violations"
                                   ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                                   ".map(v => `${v.impact} ${v.id}: ${v.nodes.length} (${v.nodes[0].target.join(' ')})`)")
        found += [f"{relative}: {v}" for v in violations]
        context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_first_visit_follows_the_readers_colour_preference(site, browser, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/book/intro.html", wait_until="networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    assert not errors
    context.close()


CHINESE_OUTSIDE_LANG = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const bad = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!/[\\u3400-\\u9fff]/.test(node.textContent)) continue;
    const parent = node.parentElement;
    if (parent.closest("script, style")) continue;
    if (!parent.closest('[lang="zh-Hans"]')) bad.push(node.textContent.trim().slice(0, 40));
  }
  return bad;
}"""


def test_every_chinese_run_is_marked_as_chinese(built_html, site, browser):
    untagged = []
    for relative in pages(built_html):
        page, _, _ = visit(browser, f"{site}/{relative}")
        untagged += [f"{relative}: {text}" for text in page.evaluate(CHINESE_OUTSIDE_LANG)]
        page.close()
    assert not untagged, "Chinese text outside lang=zh-Hans:\n" + "\n".join(untagged)


def test_no_page_scrolls_sideways_on_a_phone(built_html, site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    wide = []
    for relative in pages(built_html):
        page = context.new_page()
        page.goto(f"{site}/{relative}", wait_until="networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide.append(f"{relative}: {overflow} px")
        page.close()
    context.close()
    assert not wide, "pages wider than a 390 px screen:\n" + "\n".join(wide)


def test_every_ledger_entry_can_be_cited(site, browser):
    """Each entry ends with a text citation naming the claim and BibTeX with a copy button."""
    page, _, _ = visit(browser, f"{site}/book/ledger.html")
    for row in ledger().itertuples():
        cite = page.locator(f"#claim-{row.claim_id} .cite-claim")
        assert cite.count() == 1, row.claim_id
        assert f"Claim {row.claim_id}" in cite.locator("p").inner_text()
        assert f"@incollection{{compendium-{row.claim_id}," in cite.locator("pre").inner_text()
    assert page.locator(".cite-claim button.copybtn").count() == len(ledger())
    page.close()


def stopwords(built_html) -> set[str]:
    """The words the book's search leaves out of a query (its language_data.js)."""
    script = (built_html / "_static" / "language_data.js").read_text(encoding="utf-8")
    return set(json.loads(re.search(r"var stopwords = (\[.*?\]);", script, re.S).group(1)))


def distinctive_phrase(quote: str, other_quotes: list[str], ignored: set[str], length: int = 5) -> str | None:
    """The first run of `length` consecutive plain words of the quote whose searched words (stopwords
    left out) are not all in any other claim's quote; None if the quote has no such run."""
    words = [w.strip(".,;:!?()\"'“”‘’") for w in quote.split()]
    for start in range(len(words) - length + 1):
        run = words[start:start + length]
        searched = [w.lower() for w in run if w.lower() not in ignored]
        if not all(re.fullmatch(r"[A-Za-z]+", w) for w in run) or len(searched) < 3:
            continue
        if not any(all(w in other.lower() for w in searched) for other in other_quotes):
            return " ".join(run)
    return None


def words_in_an_earlier_id(claim_id: str, ids: list[str]) -> bool:
    """Whether an id sorting before this one holds each of its words: matching objects word by
    word, the search would rank the two alike and list that one first."""
    words = re.split(r"[^a-z0-9]+", claim_id)
    return any(other < claim_id and all(w in other for w in words) for other in ids)


@pytest.fixture(scope="module")
def searched_claims(built_html) -> list[tuple[str, str]]:
    """One claim per publication of data/raw/claims.csv and a distinctive phrase of its quote; where
    it can, a claim whose id's words are all in an earlier id, the hardest to find first by its id."""
    claims = pd.read_csv(ROOT / "data" / "raw" / "claims.csv", dtype=str, keep_default_na=False)
    claims["hard"] = [words_in_an_earlier_id(c, claims["claim_id"].tolist()) for c in claims["claim_id"]]
    ignored = stopwords(built_html)
    chosen = []
    for source, group in claims.groupby("source"):
        for row in group.sort_values("hard", ascending=False, kind="stable").itertuples():
            others = claims.loc[claims["claim_id"] != row.claim_id, "quote"].tolist()
            phrase = distinctive_phrase(row.quote, others, ignored)
            if phrase:
                chosen.append((row.claim_id, phrase))
                break
        else:
            pytest.fail(f"no claim of {source} has a distinctive phrase in its quote")
    return chosen


LEDGER_PAGE = re.compile(r"/book/ledger\.html")


def test_searching_a_claim_id_leads_first_to_its_ledger_entry(site, browser, searched_claims):
    """The first result links to the entry, and the claim is listed by its id; following it shows the entry."""
    page, _, errors = visit(browser, f"{site}/search.html")
    for claim_id, _ in searched_claims:
        page.goto(f"{site}/search.html?q={claim_id}")
        named = page.locator("#search-results li a", has_text=re.compile(f"^{re.escape(claim_id)}$"))
        named.wait_for(timeout=10000)
        assert named.evaluate("a => a.href").endswith(f"/book/ledger.html#claim-{claim_id}"), claim_id
        first = page.locator("#search-results li a").first
        assert first.evaluate("a => a.href").endswith(f"/book/ledger.html#claim-{claim_id}"), claim_id
        first.click()
        page.wait_for_url(LEDGER_PAGE, wait_until="load")
        assert page.url.endswith(f"/book/ledger.html#claim-{claim_id}")
        expect(page.locator(f"#claim-{claim_id} .claim-head")).to_be_in_viewport(ratio=1)
    assert not errors
    page.close()


def test_searching_a_phrase_of_a_quote_leads_to_its_ledger_entry(site, browser, searched_claims):
    """The search lists the ledger page; there, the entry quoting the phrase is scrolled to, marked and focused."""
    page, _, errors = visit(browser, f"{site}/search.html")
    for claim_id, phrase in searched_claims:
        page.goto(f"{site}/search.html?q={quote(phrase)}")
        result = page.locator('#search-results li a[href="book/ledger.html"]')
        result.wait_for(timeout=10000)
        result.click()
        page.wait_for_url(LEDGER_PAGE, wait_until="load")
        entry = page.locator(f"#claim-{claim_id}")
        assert page.url.endswith(f"/book/ledger.html#claim-{claim_id}"), f"{phrase!r} led to {page.url}"
        assert entry.evaluate("e => e.matches(':target') && e === document.activeElement"), claim_id
        expect(entry.locator(".claim-head")).to_be_in_viewport(ratio=1)
    assert not errors
    page.close()
