// <arendevy-overview>: the standard Swedish case overview ("Mina ärenden") as
// a custom element. A plain ES module without dependencies; see
// docs/widget.md for its attributes, properties, events, parts and theming.
//
// Every text is data: producer text only ever becomes text nodes or
// attribute values, never markup, and the only URLs followed are the ones
// the kit sent. The whole module is one block so a minifier may shorten
// every name in it.
{
  // The kit replaces this string with the catalogue of locales/ when it
  // serves the file: [[id, …], {"sv": [text | {one, other}, …], "en": …}],
  // each language's texts in the order of the ids, the fallback language
  // first.
  const [IDS, LANGS] = "@@messages@@";
  // The shadow root's stylesheet (with the default theme), beside this
  // module; the kit rewrites the name to its content-hashed URL.
  const STYLES = "arendevy.css";
  const STATUSES = ["received", "in_progress", "action_required", "closed"];
  const KEYS = ["date", "title", "sender", "status"];
  const FIELDS = ["caseNumber", "category", "payment", "officer", "freeText", "plannedEvent", "plannedTime"];
  const SCOPES = { all: "true", open: "false", closed: "only" };
  const TEXT = { title: (c) => c.title, sender: (c) => c.sender.name };
  // Cases per row group. Right after the cases change, every group but the
  // first two is .lazy: the browser skips it while it is off screen
  // (content-visibility in the stylesheet), so re-sorting a thousand cases
  // costs one frame for what is in view. The first two never wait: a group
  // that waits has a placeholder's height until the browser has looked, and
  // the top of the list must not move. Then the mark goes, one group per
  // frame, so that within moments every case is laid out again: a screen
  // reader gets nothing of a group the browser skips.
  const GROUP = 10;
  // Groups put in order before the frame after a change: at least four, and
  // more than the window shows of the list's top (a group of ten one-line
  // rows is about 400 pixels tall). The groups below are put in order in the
  // tasks right after, where they are, while the browser skips them.
  const aheadOfFrame = () => Math.max(4, Math.ceil(innerHeight / 400));

  // el builds an element: attributes from attrs (null and false leave one
  // out), children appended as nodes or as text (empty ones left out).
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (v != null && v !== false) e.setAttribute(k, v === true ? "" : v);
    }
    e.append(...kids.filter(Boolean));
    return e;
  };

  const button = (attrs, text) => el("button", { type: "button", class: "btn", ...attrs }, text);
  const choice = (type, name, value, text) => el("label", {}, el("input", { type, name, value }), text);

  // safe keeps a link the kit sent only if it stays on this site or is
  // https: never javascript:, data: or anything else.
  const safe = (u) => {
    try {
      const x = new URL(u, location.href);
      return x.protocol == "https:" || x.origin == location.origin ? x.href : null;
    } catch {
      return null;
    }
  };

  class ArendevyOverview extends HTMLElement {
    static observedAttributes = ["src", "lang", "sort", "order", "filter-sender", "filter-status", "filter-text", "show-closed", "page-size", "approved-by"];

    // Properties reflect the attributes; filterSender and filterStatus are
    // arrays, pageSize a number (0: every case).
    static {
      for (const a of this.observedAttributes)
        if (a != "lang")
          Object.defineProperty(this.prototype, a.replace(/-(.)/g, (_, c) => c.toUpperCase()), {
            get() {
              const v = this.#attr(a);
              return a.startsWith("filter-s") ? v.split(",").filter(Boolean) : a == "page-size" ? +v || 0 : v || null;
            },
            set(v) {
              this.#set(a, v);
            },
          });
    }

    #root;
    #ui;
    #data;
    #state = "loading";
    #login;
    #lang;
    #t;
    #date;
    #open = new Set();
    // rows keeps each case's table rows, built once per language and data,
    // so a re-sort or re-filter moves rows instead of building them: the
    // case's row, and its detail row once it has been opened.
    #rows;
    #limit = 0;
    #abort;
    #observer;
    #queued;
    #refocus;
    #lazy = 0;
    #ranks;
    #then;

    connectedCallback() {
      // lang is inherited from the nearest ancestor that has one, wherever
      // and whenever it changes.
      this.#observer = new MutationObserver(() => this.#ui && this.#relang());
      this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"], subtree: true });
      if (this.#root) return this.#ui && this.#relang();
      const ssr = this.querySelector(":scope>script[type='application/json']");
      this.#root = this.attachShadow({ mode: "open" });
      const link = el("link", { rel: "stylesheet", href: new URL(STYLES, import.meta.url) });
      const slot = el("slot");
      // Until the stylesheet is in, the slot shows whatever the server
      // rendered: the page does not move when the shadow root takes over.
      this.#root.append(link, slot);
      try {
        this.#take(JSON.parse(ssr.textContent));
      } catch {
        // No server-rendered data (or none usable): ask the kit.
      }
      if (!this.#data) this.#load();
      link.onload = link.onerror = () => {
        this.#then = this.#data;
        this.#relang(true);
        slot.remove();
        if (ssr) this.replaceChildren();
      };
    }

    disconnectedCallback() {
      this.#observer.disconnect();
    }

    attributeChangedCallback(name) {
      if (!this.#ui) return;
      if (name == "lang" || name == "approved-by") return this.#relang(name != "lang");
      if (name == "src") return this.#load();
      this.#limit = 0;
      // Several attributes often change together (sort and order): render once.
      if (this.#queued) return;
      this.#queued = 1;
      queueMicrotask(() => {
        this.#queued = 0;
        this.#render();
      });
    }

    // data is the overview as the kit sent it, or null before it arrived.
    get data() {
      return this.#data ?? null;
    }
    // refresh fetches the overview again.
    refresh() {
      this.#load();
    }

    #set(name, v) {
      v == null || v === "" ? this.removeAttribute(name) : this.setAttribute(name, v);
    }

    #attr(name) {
      return this.getAttribute(name) || "";
    }

    #size() {
      return +this.#attr("page-size") || Infinity;
    }

    // query is the sorting and filtering in effect, from the attributes.
    #query() {
      const a = (n) => this.#attr(n);
      const list = (n) => a(n).split(",").map((s) => s.trim()).filter(Boolean);
      const sort = KEYS.includes(a("sort")) ? a("sort") : "date";
      const closed = a("show-closed");
      return {
        sort,
        order: /^(asc|desc)$/.test(a("order")) ? a("order") : sort == "date" ? "desc" : "asc",
        sender: list("filter-sender"),
        status: list("filter-status"),
        scope: Object.keys(SCOPES).find((k) => SCOPES[k] == closed) || "all",
        q: a("filter-text").trim(),
      };
    }

    #emit(name, detail) {
      return this.dispatchEvent(new CustomEvent("arendevy-" + name, { bubbles: true, composed: true, cancelable: true, detail }));
    }

    #time(s) {
      return el("time", { datetime: s }, this.#date.format(new Date(s)));
    }

    // relang picks the catalogue language for the nearest lang and rebuilds
    // when it changed (or when forced).
    #relang(force) {
      const want = (this.closest("[lang]")?.lang || "").toLowerCase().split("-")[0];
      const lang = Object.hasOwn(LANGS, want) ? want : Object.keys(LANGS)[0];
      if (lang == this.#lang && !force) return;
      const messages = {};
      IDS.map((id, i) => (messages[id] = LANGS[lang][i]));
      const plural = new Intl.PluralRules(lang);
      this.#lang = lang;
      this.#date = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "Europe/Stockholm" });
      // t renders a message; with a count, in the plural form the count
      // calls for, and {Count} is the count.
      this.#t = (id, data = {}, count) => {
        let m = messages[id] ?? id;
        if (count != null) {
          data.Count = count;
          if (typeof m == "object") m = m[plural.select(count)] ?? m.other;
        }
        return m.replace(/{(\w+)}/g, (_, k) => data[k]);
      };
      this.#build();
    }

    #build() {
      const t = this.#t;
      const by = this.#attr("approved-by");
      const choices = (name, values, label) =>
        el("fieldset", {}, el("legend", {}, t(label)), ...values.map((v) => choice(name == "scope" ? "radio" : "checkbox", name, v, t(name + "." + v))));
      const u = (this.#ui = {
        h: el("h2", { part: "heading", tabindex: -1 }),
        q: el("input", { type: "search", id: "q", autocomplete: "off" }),
        senders: choices("sender", [], "col.sender"),
        cnt: el("p", { class: "cnt", role: "status", part: "status" }),
        notes: el("div", { class: "notes", "aria-live": "polite", part: "notices" }),
        msg: el("p", { class: "msg", hidden: true }, t("state.noMatch"), button({ "data-a": "clear" }, t("clear"))),
        heads: KEYS.map((k) => el("th", { scope: "col", role: "columnheader" }, el("button", { type: "button", class: "sb", "data-k": k }, t("col." + k)))),
        groups: [],
        more: button({ class: "btn more", part: "more", "data-a": "more" }),
      });
      u.flt = el(
        "details",
        { class: "flt", part: "filters" },
        el("summary", {}, t("filters")),
        el("div", {}, el("div", {}, el("label", { for: "q" }, t("search")), u.q), u.senders, choices("status", STATUSES, "col.status"), choices("scope", Object.keys(SCOPES), "show"), button({ "data-a": "clear" }, t("clear"))),
      );
      u.table = el(
        "table",
        { role: "table", part: "table" },
        el("caption", {}, t("heading")),
        el("thead", { role: "rowgroup" }, el("tr", { role: "row" }, ...u.heads, el("th", { scope: "col", role: "columnheader" }, t("col.forecast")))),
      );
      const root = el(
        "div",
        { class: "adv", part: "root", lang: this.#lang },
        u.h,
        by && el("p", { class: "trust", part: "trust" }, t("approved", { By: by })),
        u.flt,
        u.cnt,
        u.notes,
        u.msg,
        u.table,
        u.more,
        el("details", { class: "lgd", part: "legend" }, el("summary", {}, t("legend")), el("dl", {}, ...STATUSES.map((s) => el("div", {}, el("dt", {}, el("span", { class: "st", "data-s": s }, t("status." + s))), el("dd", {}, t("explain." + s)))))),
      );
      root.addEventListener("click", (e) => this.#click(e));
      root.addEventListener("input", (e) => this.#input(e));
      this.#rows = new WeakMap();
      this.#root.querySelector(".adv")?.remove();
      this.#root.append(root);
      this.#notes();
      this.#render();
    }

    async #load() {
      this.#abort?.abort();
      const abort = (this.#abort = new AbortController());
      this.#state = "loading";
      this.#data = null;
      this.#notes();
      this.#render();
      let r, body;
      try {
        // Everything, unfiltered: sorting and filtering happen here, at once.
        const src = this.#attr("src") || "/arendevy/api/overview";
        r = await fetch(src + (src.includes("?") ? "&" : "?") + "scope=all&sender=&status=&q=", { signal: abort.signal });
        body = await r.json();
      } catch {
        if (abort.signal.aborted) return;
      }
      if (!(r?.ok && this.#take(body))) {
        if (r?.status == 401) {
          this.#state = "login";
          this.#login = (body?.login && safe(body.login)) || null;
          // A portal that handles the login itself cancels the event.
          if (!this.#emit("login-required", { login: this.#login })) this.#state = "quiet";
        } else this.#state = "error";
      }
      this.#notes();
      this.#then = this.#data;
      this.#render();
    }

    // take holds an overview, if it is one.
    #take(d) {
      return Array.isArray(d?.cases) && ((this.#ranks = {}), (this.#state = "ready"), (this.#data = d));
    }

    // loaded tells the portal that the cases are on screen.
    #loaded() {
      if (this.#refocus) this.#ui.h.focus();
      this.#refocus = 0;
      this.#emit("loaded", { total: this.#data.cases.length, sources: this.#data.sources || [] });
      (self.requestIdleCallback || setTimeout)(() => this.#data && (this.#rank("title"), this.#rank("sender")));
    }

    // notes are what concerns the overview as a whole: a producer that is
    // missing, an error, login, no cases at all. A live region announces them.
    #notes() {
      const u = this.#ui;
      if (!u) return;
      const t = this.#t;
      const d = this.#data;
      const p = (...kids) => el("p", {}, ...kids);
      const out = [];
      if (this.#state == "error") out.push(p(t("state.failed"), button({ "data-a": "retry" }, t("state.retry"))));
      if (this.#state == "login") out.push(p(t("state.login"), " ", this.#login && el("a", { href: this.#login }, t("state.loginLink"))));
      for (const o of d?.sources || []) if (o.state != "ok") out.push(p(o.rejected ? t("state.rejected", { Name: o.producer.name }, o.rejected) : t("state.unreachable", { Name: o.producer.name })));
      if (d && !d.cases.length) out.push(p(t("state.empty", { Names: [...new Set((d.sources || []).map((o) => o.producer.name))].join(", ") })));
      u.notes.replaceChildren(...out);
      u.h.textContent = d?.customer?.agent ? t("headingFor", { Name: d.customer.name }) : t("heading");
      u.senders.replaceChildren(u.senders.firstChild, ...(d?.senders || []).map((s) => choice("checkbox", "sender", s.id, s.name)));
    }

    // rank is the place of each title (or sender name) in Swedish order,
    // worked out once per overview, ahead of time when the browser is idle
    // (#loaded): a re-sort then compares numbers.
    #rank(k) {
      return (this.#ranks[k] ??= new Map([...new Set(this.#data.cases.map(TEXT[k]))].sort(new Intl.Collator("sv", { sensitivity: "base" }).compare).map((s, i) => [s, i])));
    }

    // cases filters and sorts the way the kit does (kit/listing): Swedish
    // collation, ties newest first, then by id.
    #cases(q) {
      const needle = q.q.toLowerCase();
      const text = TEXT[q.sort];
      const rank = text && this.#rank(q.sort);
      const key = text ? (c) => rank.get(text(c)) : q.sort == "date" ? (c) => Date.parse(c.date) : (c) => STATUSES.indexOf(c.status);
      const dir = q.order == "desc" ? -1 : 1;
      // Keys are computed once per case, not once per comparison.
      return this.#data.cases
        .map((c, i) => [c, i, key(c), Date.parse(c.date)])
        .filter(
          ([c]) =>
            (q.scope == "all" || (c.status == "closed") == (q.scope == "closed")) &&
            (!q.sender.length || q.sender.includes(c.sender.id)) &&
            (!q.status.length || q.status.includes(c.status)) &&
            (!needle || [c.title, c.sender.name, c.caseNumber, c.category, c.freeText, c.plannedEvent, c.officer].some((s) => s?.toLowerCase().includes(needle))),
        )
        .sort(([a, , x, s], [b, , y, u]) => dir * (x - y) || u - s || (a.id < b.id ? -1 : +(a.id > b.id)));
    }

    // render shows the cases the attributes ask for; after, if given, runs
    // once every row is in place.
    #render(after) {
      const u = this.#ui;
      if (!u) return;
      const t = this.#t;
      const q = this.#query();
      const d = this.#state == "ready" ? this.#data : null;
      // Controls show the query in effect; the one in use already does.
      if (u.q.value != this.#attr("filter-text")) u.q.value = this.#attr("filter-text");
      for (const i of u.flt.querySelectorAll("[name]")) i.checked = [].concat(q[i.name]).includes(i.value);
      for (const th of u.heads) th.ariaSort = th.firstChild.dataset.k == q.sort ? (q.order == "asc" ? "ascending" : "descending") : null;
      const loading = this.#state == "loading";
      u.flt.hidden = !loading && !d?.cases.length;
      u.table.hidden = u.more.hidden = u.msg.hidden = true;
      this.#say(loading ? t("state.loading") : "");
      // done comes when every row is in place: then after runs, and the
      // portal hears, once, that new cases are.
      const done = () => {
        after && queueMicrotask(after);
        this.#then && queueMicrotask(() => this.#loaded());
        this.#then = 0;
      };
      if (!d?.cases.length) return done();
      const list = this.#cases(q);
      const size = this.#size();
      const shown = list.slice(0, Math.max(this.#limit, Math.min(size, list.length)));
      this.#limit = shown.length;
      const n = Math.ceil(shown.length / GROUP);
      while (u.groups.length < n) u.groups.push(el("tbody", { role: "rowgroup" }));
      // The first groups are filled out of the page, which is cheaper; the
      // others stay where they are, and wait from now.
      const ahead = aheadOfFrame();
      u.groups.forEach((g, k) => {
        if (k < ahead || k >= n) g.remove();
        g.className = k < 2 ? "" : "lazy";
      });
      u.groups.length = n;
      const lazy = ++this.#lazy;
      let k = 0;
      // The first groups are filled at once, and so are new ones while that
      // takes less than a frame or so; the rest in the tasks after (until the
      // cases change again): building a thousand new rows never holds the
      // page up for long, and a re-sort moves most rows after its frame.
      const fill = (start) => {
        const t0 = performance.now();
        const now = () => (start && k < ahead) || (!(start && u.groups[k].isConnected) && performance.now() - t0 < 10);
        for (; k < n && now(); k++) {
          u.groups[k].replaceChildren(...shown.slice(k * GROUP, k * GROUP + GROUP).flatMap(([c, i]) => this.#row(c, i)));
        }
        if (k < n) return setTimeout(() => lazy == this.#lazy && fill());
        done();
        // From the frame after the next, one group per frame, in order.
        let j = 2;
        const next = () => requestAnimationFrame(() => lazy == this.#lazy && u.groups[j] && (u.groups[j++].className = "", next()));
        requestAnimationFrame(next);
      };
      fill(1);
      u.table.tHead.after(...u.groups.slice(0, ahead));
      u.table.append(...u.groups.filter((g) => !g.isConnected));
      u.table.hidden = !list.length;
      u.msg.hidden = !!list.length;
      u.more.hidden = shown.length == list.length;
      u.more.textContent = t("more", {}, Math.min(size, list.length - shown.length));
      this.#say(t("count", { Shown: list.length }, d.cases.length) + ", " + t("sorted.by", { Key: t("col." + q.sort).toLocaleLowerCase(this.#lang), Order: t("sorted." + (q.sort == "date" ? "date" : "") + q.order) }));
    }

    // say updates the status region only when its words change: rewriting the
    // same words would make a screen reader repeat them.
    #say(s) {
      if (this.#ui.cnt.textContent != s) this.#ui.cnt.textContent = s;
    }

    #row(c, i) {
      let r = this.#rows.get(c);
      if (r) return r;
      const t = this.#t;
      const f = c.forecast;
      const cell = (col, ...kids) => el("td", { role: "cell", "data-label": t("col." + col) }, ...kids);
      this.#rows.set(c, (r = [
        el(
          "tr",
          { class: "case", role: "row", part: "row" },
          cell("date", this.#time(c.date)),
          el("th", { scope: "row", role: "rowheader" }, el("button", { type: "button", class: "tt", "aria-expanded": "false", "data-i": i }, c.title)),
          cell("sender", c.sender.name),
          cell("status", el("span", { class: "st", "data-s": c.status, part: "badge" }, t("status." + c.status))),
          cell("forecast", f ? t("unit." + f.unit, {}, f.amount) : t("field.none")),
        ),
      ]));
      if (this.#open.has(c.id)) this.#expand(c, i, r, true);
      return r;
    }

    // expand opens or closes a case's detail. The detail row is built when
    // the case is first opened: most never are, and every row that exists
    // is moved on each re-sort.
    #expand(c, i, r, open) {
      const b = r[0].querySelector(".tt");
      r[1] || (r[0].after((r[1] = el("tr", { class: "det", id: "d" + i, role: "row", part: "detail" }, this.#detail(c, i)))), b.setAttribute("aria-controls", "d" + i));
      b.ariaExpanded = open;
      r[1].hidden = !open;
    }

    // detail holds fields 6–12, the producer's pairs, the history and the
    // way to the case; a field without a value has no heading either.
    #detail(c, i) {
      const t = this.#t;
      const rows = [];
      const add = (label, v) => v && rows.push(el("div", {}, el("dt", {}, label), el("dd", {}, v)));
      for (const k of FIELDS) {
        const v = c[k];
        if (v) add(t("field." + k), k == "payment" ? t("payment." + v) : k == "plannedTime" ? this.#time(v) : v);
      }
      for (const p of c.pairs || []) add(p.title, p.value);
      const link = c.link && safe(c.link);
      const info = c.info && safe(c.info);
      return el(
        "td",
        { role: "cell", colspan: 5 },
        rows.length && el("dl", {}, ...rows),
        c.history?.length && el("h3", {}, t("detail.history")),
        c.history?.length &&
          el("ol", { class: "hist" }, ...c.history.map((e) => el("li", {}, this.#time(e.time), " ", el("strong", {}, e.title), e.status && " (" + t("status." + e.status) + ")", e.text && "\n" + e.text))),
        link
          ? el("p", {}, el("a", { href: link, target: "_blank", rel: "noopener", class: "go", part: "link", "data-i": i }, t("detail.link", { Sender: c.sender.name }) + " " + t("detail.newWindow")))
          : info && el("p", {}, el("a", { href: info + (info.includes("?") ? "&" : "?") + "lang=" + this.#lang, part: "link" }, t("detail.info", { Sender: c.sender.name }))),
      );
    }

    #click(e) {
      const b = e.target.closest("button,a.go");
      if (!b) return;
      const { a, k, i } = b.dataset;
      const c = this.#data?.cases[i];
      if (b.matches(".go")) {
        // A portal that opens deep links itself cancels the event.
        if (!this.#emit("open", { id: c.id, href: b.href, sender: c.sender })) e.preventDefault();
      } else if (i) {
        const open = b.ariaExpanded != "true";
        if (!this.#emit("toggle", { id: c.id, expanded: open })) return;
        this.#expand(c, i, this.#rows.get(c), open);
        open ? this.#open.add(c.id) : this.#open.delete(c.id);
      } else if (k) {
        const q = this.#query();
        this.#change("sort", { sort: k, order: k == q.sort ? (q.order == "asc" ? "desc" : "asc") : null });
      } else if (a == "clear") {
        this.#change("filter", { "filter-sender": null, "filter-status": null, "filter-text": null, "show-closed": null });
      } else if (a == "more") {
        const from = this.#limit;
        this.#limit += this.#size();
        this.#render(() => this.#ui.table.querySelectorAll(".tt")[from]?.focus());
      } else {
        // a == "retry", the last button there is.
        this.#refocus = 1;
        this.#load();
      }
    }

    #input(e) {
      const i = e.target;
      const name = i.type == "search" ? "filter-text" : i.name == "scope" ? "show-closed" : "filter-" + i.name;
      const value = i.type == "search" ? i.value : i.name == "scope" ? SCOPES[i.value] : [...this.#ui.flt.querySelectorAll(`[name=${i.name}]:checked`)].map((x) => x.value).join(",");
      this.#change("filter", { [name]: value });
    }

    // change applies what the user chose to the attributes, tells the portal
    // (arendevy-sort, arendevy-filter) and takes it back if the portal
    // cancels the event.
    #change(event, attrs) {
      const old = {};
      for (const n in attrs) {
        old[n] = this.getAttribute(n);
        this.#set(n, attrs[n]);
      }
      const { sort, order, ...filter } = this.#query();
      if (!this.#emit(event, event == "sort" ? { sort, order } : filter)) for (const n in old) this.#set(n, old[n]);
    }
  }

  customElements.get("arendevy-overview") || customElements.define("arendevy-overview", ArendevyOverview);
}
