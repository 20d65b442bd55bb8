// The claims ledger: show the claims of one verdict, or all; open at the entry a search found.
// Local code, nothing fetched.
{
  // The words of the search that led here. Sphinx 7.4's search page leaves them in localStorage
  // (older links carry ?highlight=). Nothing clears the stored words with this theme, so they count
  // only coming from the search page. Read now, before sphinx_highlight.js could clear them.
  const fromSearch = /\/search\.html([?#]|$)/.test(document.referrer);
  const searched = (new URLSearchParams(location.search).get("highlight")
    || (fromSearch && localStorage.getItem("sphinx_highlight_terms")) || "").toLowerCase().split(/\s+/).filter(Boolean);

  const hasEveryWord = (element) => element !== null
    && searched.every((word) => element.textContent.toLowerCase().includes(word));

  // The first entry whose quote holds every searched word, else the first whose text does.
  const entrySearched = (claims) => claims.find((claim) => hasEveryWord(claim.querySelector("blockquote")))
    || claims.find(hasEveryWord);

  document.addEventListener("DOMContentLoaded", () => {
    const claims = [...document.querySelectorAll(".claim")];
    const bar = document.getElementById("verdict-filter");
    const buttons = bar ? bar.querySelectorAll("button") : [];
    for (const button of buttons) {
      button.addEventListener("click", () => {
        const verdict = button.dataset.verdict;
        for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
        for (const claim of claims) claim.hidden = verdict !== "all" && !claim.classList.contains("claim-" + verdict);
      });
    }
    if (location.hash || !searched.length) return;
    const found = entrySearched(claims);
    if (!found) return;
    location.replace("#" + found.id);  // scrolls to it and makes it the :target, as a link to it would
    found.tabIndex = -1;  // and focus starts there, for keyboard and screen reader users
    found.focus({ preventScroll: true });
  });
}
