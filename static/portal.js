// The reference portal's one script: its language switch (a link to each
// other language) keeps the overview as the user left it. Without it (or without JavaScript) the switch still
// keeps the sorting and filters the page was served with.
//
// On a click, the link's return address takes the element's sorting and
// filters as they are now (the user may have changed them on the page), and
// the link's fragment the places of the open cases in the listing
// ("#oppna=0,3"). Not their ids, and nothing else of a case: a fragment
// never leaves the browser (not in the request, the Referer or a log); it
// survives the language switch's redirect, which has none of its own; and
// here, on arrival, it opens the cases at those places and leaves the
// address at once, so it stays in no history entry or bookmark. Places
// rather than ids also mean nothing outside this listing at this moment.
// Not sessionStorage: nothing of a case is stored in the browser.
const overview = document.querySelector("arendevy-overview");
const switchLinks = /** @type {NodeListOf<HTMLAnchorElement>} */ (document.querySelectorAll("a.lang"));
const OPEN = /^#oppna=(\d{1,4}(?:,\d{1,4}){0,99})$/;

if (overview) {
  for (const switchLink of switchLinks) {
    switchLink.addEventListener("click", () => {
      const to = new URL(switchLink.href);
      const query = overview.listingQuery;
      if (typeof query == "string") to.searchParams.set("return", location.pathname + (query && "?" + query));
      const open = overview.openPositions;
      to.hash = Array.isArray(open) && open.length ? "oppna=" + open.join(",") : "";
      switchLink.href = to.href;
    });
  }
  const open = OPEN.exec(location.hash);
  if (open) {
    history.replaceState(history.state, "", location.pathname + location.search);
    customElements.whenDefined("arendevy-overview").then(() => (overview.openPositions = open[1].split(",").map(Number)));
  }
}
