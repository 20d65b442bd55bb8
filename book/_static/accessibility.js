// Names for the theme's controls that have none: the sidebar's section toggles are empty
// <summary> elements (axe: summary-name). Local code, run before anything is shown.
document.addEventListener("DOMContentLoaded", () => {
  for (const summary of document.querySelectorAll("summary")) {
    if (!summary.textContent.trim() && !summary.hasAttribute("aria-label")) {
      const link = summary.parentElement && summary.parentElement.parentElement.querySelector(":scope > a");
      summary.setAttribute("aria-label", "Show or hide the pages under " + (link ? link.textContent.trim() : "this section"));
    }
  }
});

// Chinese characters in code and notebook output, which the build cannot mark: give each run
// lang="zh-Hans" so screen readers voice it in Chinese (the build marks the prose itself).
document.addEventListener("DOMContentLoaded", () => {
  const chinese = /[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef0-9.]*/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const pending = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('[lang="zh-Hans"], script, style')) continue;
    if (chinese.test(node.textContent)) pending.push(node);
    chinese.lastIndex = 0;
  }
  for (const node of pending) {
    const parts = document.createDocumentFragment();
    let done = 0;
    for (const match of node.textContent.matchAll(chinese)) {
      parts.append(node.textContent.slice(done, match.index));
      const span = document.createElement("span");
      span.lang = "zh-Hans";
      span.textContent = match[0];
      parts.append(span);
      done = match.index + match[0].length;
    }
    parts.append(node.textContent.slice(done));
    node.replaceWith(parts);
  }
});
