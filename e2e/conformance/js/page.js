// The conformance checker's in-page library. It runs in the harness's
// isolated world (e2e/browser), sees open shadow roots, and only reads the
// page, except expandAll, which presses the disclosures as a user would.
// It recognises the standard view by what a person sees: a table (or ARIA
// table) whose column headers name the standard fields, in Swedish,
// English, Finnish or Arabic.
globalThis.__arendevyConformance = (() => {
  // Accepted column names per standard field, lower case; a header counts
  // when it starts with one of them.
  const FIELDS = {
    date: ["datum", "date", "päivämäärä", "التاريخ"],
    title: ["titel", "title", "ärende", "case", "otsikko", "العنوان", "المعاملة"],
    sender: ["avsändare", "sender", "ansvarig", "responsible", "från", "from", "lähettäjä", "المرسل", "الجهة"],
    status: ["status", "tila", "الحالة"],
    time: ["beredningstid", "beräknad tid", "handläggningstid", "processing time", "estimated time", "expected time", "arvioitu aika", "käsittelyaika", "المدة المتوقعة", "مدة المعالجة"],
  };
  // The four standard statuses in words, per language.
  const STATUSES = {
    sv: [["ankommen handling", "inkommen"], ["handläggning pågår", "under handläggning"], ["åtgärd krävs"], ["ärendet avslutat", "avslutat"]],
    en: [["documents received", "received"], ["in progress", "being processed"], ["action required"], ["case closed", "closed"]],
    fi: [["asiakirja saapunut", "saapunut"], ["käsittely käynnissä", "käsiteltävänä"], ["toimenpiteitä tarvitaan"], ["asia päättynyt", "päättynyt"]],
    ar: [["وصلت المستندات"], ["قيد المعالجة"], ["مطلوب إجراء"], ["انتهت المعاملة"]],
  };
  const NEW_WINDOW = /nytt fönster|ny flik|new window|new tab|uuteen ikkunaan|uuteen välilehteen|نافذة جديدة|علامة تبويب جديدة/i;
  const SKIP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"]);

  // Every element, open shadow roots included.
  const all = (root = document) => {
    const out = [];
    const walk = (node) => {
      for (const el of node.querySelectorAll("*")) {
        out.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(root);
    return out;
  };
  const norm = (s) => (s ?? "").replace(/\s+/g, " ").trim();
  const rendered = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  // The text a person sees: rendered text, shadow roots included.
  const visibleText = () => {
    const parts = [document.body?.innerText ?? ""];
    for (const el of all()) {
      if (!el.shadowRoot) continue;
      for (const child of el.shadowRoot.children) {
        if (!SKIP.has(child.tagName)) parts.push(child.innerText ?? "");
      }
    }
    return parts.join("\n");
  };
  // All text, rendered or not (collapsed details, hidden rows).
  const allText = () => {
    const parts = [document.documentElement.outerHTML];
    for (const el of all()) if (el.shadowRoot) parts.push(el.shadowRoot.innerHTML);
    return parts.join("\n");
  };

  const fieldOf = (header) => {
    const h = norm(header).toLowerCase();
    for (const [field, names] of Object.entries(FIELDS)) {
      if (names.some((n) => h.startsWith(n))) return field;
    }
    return "";
  };
  const cellsOf = (row) => Array.from(row.children).filter((c) => c.matches("td, th, [role=cell], [role=rowheader], [role=gridcell]"));
  const headerTexts = (table) => {
    const heads = Array.from(table.querySelectorAll("thead th, [role=columnheader]"));
    const unique = heads.filter((h, i) => heads.indexOf(h) === i);
    // Only the header's own words, not a sort state announced beside them.
    return unique.map((h) => norm(h.querySelector("a, button")?.textContent ?? h.textContent));
  };

  // The overview table: the rendered table whose headers name most fields.
  const findTable = () => {
    let best = null;
    for (const t of all().filter((el) => el.matches("table, [role=table], [role=grid]"))) {
      const n = new Set(headerTexts(t).map(fieldOf).filter(Boolean)).size;
      const score = n * 2 + (rendered(t) ? 1 : 0);
      if (n >= 3 && (!best || score > best.score)) best = { table: t, score };
    }
    return best?.table ?? null;
  };

  const statusWord = (text) => {
    const t = norm(text).toLowerCase();
    for (const [lang, list] of Object.entries(STATUSES)) {
      for (let i = 0; i < list.length; i++) if (list[i].some((w) => t.includes(w))) return lang + ":" + i;
    }
    return "";
  };

  // The case rows, with the rows after each that belong to it (a detail
  // row spanning the table).
  const caseGroups = (table, width) => {
    const rows = Array.from(table.querySelectorAll("tr, [role=row]")).filter((r) => !r.closest("thead"));
    const groups = [];
    for (const r of rows) {
      if (cellsOf(r).length >= width) groups.push({ row: r, extra: [] });
      else if (groups.length) groups[groups.length - 1].extra.push(r);
    }
    return groups;
  };

  const linkInfo = (a) => {
    const described = (a.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean)
      .map((id) => a.getRootNode().getElementById?.(id)?.textContent ?? "").join(" ");
    return {
      href: a.href,
      target: a.target,
      text: norm(a.textContent),
      name: norm([a.textContent, a.getAttribute("aria-label"), a.title, described].join(" ")),
      announced: NEW_WINDOW.test([a.textContent, a.getAttribute("aria-label"), a.title, described].join(" ")),
    };
  };

  function overview() {
    const table = findTable();
    if (!table) return { found: false, lang: document.documentElement.lang };
    const headers = headerTexts(table);
    const fields = headers.map(fieldOf);
    const col = (f) => fields.indexOf(f);
    const groups = caseGroups(table, Math.min(headers.length, 5));
    const lang = (table.closest("[lang]")?.lang || document.documentElement.lang || "").slice(0, 2);
    const rows = groups.map(({ row, extra }) => {
      const cells = cellsOf(row);
      const text = (f) => (col(f) >= 0 && cells[col(f)] ? norm(cells[col(f)].innerText) : "");
      const links = [row, ...extra].flatMap((r) => Array.from(r.querySelectorAll("a[href]")))
        .filter((a) => !a.getAttribute("href").startsWith("#")).map(linkInfo);
      const box = (c) => { const r = c.getBoundingClientRect(); return { top: r.top, left: r.left, width: r.width, height: r.height, shown: rendered(c) }; };
      return {
        title: col("title") >= 0 && cells[col("title")] ? norm(cells[col("title")].textContent) : "",
        sender: text("sender"),
        status: text("status"),
        statusWord: statusWord(text("status")),
        boxes: fields.map((f, i) => (f && cells[i] ? { field: f, ...box(cells[i]) } : null)).filter(Boolean),
        links,
      };
    });
    // The legend: a list outside the table (a dl, or a ul or ol) in which
    // each of the four statuses of one language is followed by words that
    // explain it; a filter that only names them is no legend.
    let legend = "";
    const explained = (pairs) => {
      const seen = new Map();
      for (const [term, text] of pairs) {
        const w = statusWord(term);
        if (w && norm(text).length > 0) seen.set(w, true);
      }
      return Object.keys(STATUSES).some((lang) => [0, 1, 2, 3].every((i) => seen.has(lang + ":" + i)));
    };
    for (const el of all()) {
      if (table.contains(el) || el.closest("template")) continue;
      let pairs = [];
      if (el.matches("dl")) {
        pairs = Array.from(el.querySelectorAll("dt")).map((dt) => [dt.textContent, dt.nextElementSibling?.matches("dd") ? dt.nextElementSibling.textContent : ""]);
      } else if (el.matches("ul, ol")) {
        pairs = Array.from(el.children).map((li) => {
          const t = norm(li.textContent);
          const w = statusWord(t);
          const name = w ? STATUSES[w.slice(0, 2)][Number(w.slice(3))].find((n) => t.toLowerCase().includes(n)) : "";
          return [t, t.length > name.length + 10 ? t : ""];
        });
      }
      if (pairs.length && explained(pairs)) {
        legend = norm(el.textContent);
        break;
      }
    }
    return { found: true, lang, headers, fields, rows, legend };
  }

  // Presses every disclosure in the overview (summaries, buttons with
  // aria-expanded="false") so the case details are in the DOM and shown.
  function expandAll() {
    const table = findTable();
    if (!table) return 0;
    let n = 0;
    for (const el of table.querySelectorAll("details:not([open]) > summary, [aria-expanded=false]")) {
      el.click();
      n++;
    }
    return n;
  }

  // Headings of the case details whose value is empty.
  function emptyHeadings() {
    const table = findTable();
    if (!table) return [];
    const scope = table.parentElement ?? table;
    const out = [];
    for (const dt of scope.querySelectorAll("dt, [role=term]")) {
      let dd = dt.nextElementSibling;
      const values = [];
      while (dd && dd.matches("dd, [role=definition]")) { values.push(norm(dd.textContent)); dd = dd.nextElementSibling; }
      if (!values.some((v) => v && !/^[-–—]$/.test(v))) out.push(norm(dt.textContent));
    }
    return out;
  }

  // Where a same-origin link leads: "redirect" when it sends the browser on
  // (a deep link through the portal), else its status.
  async function probe(href) {
    try {
      const r = await fetch(href, { redirect: "manual", credentials: "include" });
      return r.type === "opaqueredirect" ? "redirect" : String(r.status);
    } catch (e) {
      return "error";
    }
  }

  // Every address the page holds: links, forms, frames, images.
  function addresses() {
    const out = [location.href];
    for (const el of all()) {
      for (const attr of ["href", "action", "src", "formaction", "data-src"]) {
        const v = el.getAttribute?.(attr);
        if (v) out.push(new URL(v, location.href).href);
      }
    }
    return out;
  }

  function storage() {
    const dump = (s) => { const o = {}; for (let i = 0; i < s.length; i++) { const k = s.key(i); o[k] = s.getItem(k); } return o; };
    return { local: dump(localStorage), session: dump(sessionStorage) };
  }

  // The logout control: a form posting to a logout address, or a button or
  // link that says "log out".
  function markLogout() {
    const words = /^(logga ut|log ?out|sign ?out|logout|kirjaudu ulos|تسجيل الخروج)$/i;
    const path = /log-?out|logga-?ut|sign-?out|\/slo\b/i;
    const candidates = all().filter((el) =>
      (el.matches("form") && path.test(el.getAttribute("action") ?? "")) ||
      (el.matches("a[href]") && (path.test(el.getAttribute("href")) || words.test(norm(el.textContent)))) ||
      (el.matches("button, input[type=submit]") && words.test(norm(el.textContent || el.value))));
    const el = candidates[0];
    if (!el) return false;
    const button = el.matches("form") ? el.querySelector("button, input[type=submit]") ?? el : el;
    button.setAttribute("data-conformance-logout", "");
    return true;
  }
  function logout() {
    const el = all().find((e) => e.hasAttribute("data-conformance-logout"));
    if (!el) return false;
    if (el.matches("form")) el.requestSubmit(); else el.click();
    return true;
  }

  return { overview, expandAll, emptyHeadings, probe, addresses, storage, visibleText, allText, markLogout, logout, statusWord, fieldOf };
})();
