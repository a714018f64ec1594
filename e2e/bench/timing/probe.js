// The timing probe: runs in an isolated world of every new document before
// the page's scripts. It records long tasks and the moment the element says
// it shows its cases, and on the event "arendevy-bench-report" writes what
// it has into the attribute data-arendevy-bench of <html> for the harness.
(() => {
  const longTasks = [];
  const loads = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {
    // No Long Tasks API: the report says so by having none.
  }
  document.addEventListener(
    "arendevy-loaded",
    (e) => {
      const loaded = performance.now();
      const root = e.target.shadowRoot;
      // Style and layout of what was just built, as the coming frame would
      // do them: reading a box forces both now.
      root?.querySelector("table")?.getBoundingClientRect();
      loads.push({ loaded, layout: performance.now(), rows: root ? root.querySelectorAll("tr.case-row").length : 0 });
    },
    true,
  );
  document.addEventListener("arendevy-bench-report", () => {
    const resources = performance.getEntriesByType("resource");
    const end = (test) => resources.filter((r) => test(r.name)).reduce((m, r) => Math.max(m, r.responseEnd), 0);
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const first = loads[0] || { loaded: 0, layout: 0, rows: 0 };
    document.documentElement.setAttribute(
      "data-arendevy-bench",
      JSON.stringify({
        fcp: fcp ? fcp.startTime : 0,
        apiEnd: end((n) => n.includes("/api/overview")),
        styleEnd: end((n) => /\/arendevy\.[0-9a-f]+\.css$|\/arendevy\.css$/.test(new URL(n).pathname)),
        loaded: first.loaded,
        layout: first.layout,
        rows: first.rows,
        longTasks,
      }),
    );
  });
})();
