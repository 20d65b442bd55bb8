// The claims ledger: show the claims of one verdict, or all. Local code, nothing fetched.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("verdict-filter");
  const claims = document.querySelectorAll(".claim");
  if (!bar || !claims.length) return;
  const buttons = bar.querySelectorAll("button");
  for (const button of buttons) {
    button.addEventListener("click", () => {
      const verdict = button.dataset.verdict;
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
      for (const claim of claims) claim.hidden = verdict !== "all" && !claim.classList.contains("claim-" + verdict);
    });
  }
});
