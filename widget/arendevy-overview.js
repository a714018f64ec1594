// @ts-check
// <arendevy-overview>: the standard Swedish case overview ("Mina ärenden") as
// a custom element. A plain ES module without dependencies; see README.md
// beside it and docs/widget.md for its attributes, properties, events, parts
// and theming.
//
// Every text is data: producer text only ever becomes text nodes or
// attribute values, never markup, and the only URLs followed are the ones
// the kit sent. The whole module is one block so the kit's minifier may
// shorten every name in it: names here are for the reader.
{
  /**
   * The overview as the kit sends it (kit/overview, JSON).
   * @typedef {{id: string, name: string}} Actor
   * @typedef {{reason: "limit" | "failed_page" | "partial" | "window", unit?: "cases" | "events", shown: number, total?: number}} Truncation
   * @typedef {{producer: Actor, state: "ok" | "timeout" | "error" | "invalid" | "busy", rejected?: number, truncated?: Truncation}} Outcome
   * @typedef {{time: string, title: string, status?: string, text?: string}} HistoryEntry
   * @typedef {{
   *   id: string, date: string, title: string, sender: Actor, status: string,
   *   forecast?: {unit: string, amount: number},
   *   caseNumber?: string, category?: string, payment?: string, officer?: string,
   *   freeText?: string, plannedEvent?: string, plannedTime?: string,
   *   pairs?: {title: string, value: string}[], tags?: string[], history?: HistoryEntry[],
   *   freeTextShortened?: boolean, link?: string, info?: string, lang?: string, new?: boolean, ref?: string, groups?: string[], revealed?: boolean,
   * }} Case
   * @typedef {{id: string, name: string, count: number}} Group
   * @typedef {{name: string, refs: string[]}} Suggestion
   * @typedef {{phone?: string, email?: string, web?: string, hours?: string}} CustomerService
   * @typedef {{cases: Case[], sources?: Outcome[], senders?: Actor[], hidden?: Actor[], customer?: {name: string, agent?: boolean}, preferencesUnavailable?: boolean, discreet?: boolean,
   *   contacts?: {producer: string, customerService: CustomerService}[], supportCode?: string, groups?: Group[], suggestions?: Suggestion[]}} Overview
   */
  /**
   * The sorting and filtering in effect, as the kit's API names it.
   * @typedef {{sort: string, order: string, sender: string[], status: string[], scope: string, q: string, new: string, group: string}} Query
   */
  /**
   * A message of the catalogue: a text, or one text per plural category.
   * @typedef {string | Record<string, string>} Message
   * @typedef {(id: string, placeholders?: Record<string, string | number>, count?: number) => string} Translate
   */
  /**
   * The pieces of the element that change after they are built.
   * @typedef {{
   *   heading: HTMLHeadingElement, search: HTMLInputElement, senderChoices: HTMLFieldSetElement, discreet: HTMLButtonElement,
   *   form: HTMLFormElement, sortSelect: HTMLSelectElement, filters: HTMLDetailsElement,
   *   statusRegion: HTMLParagraphElement, notices: HTMLDivElement, legendLink: HTMLParagraphElement, supportCode: HTMLParagraphElement,
   *   legend: HTMLDetailsElement, noMatch: HTMLParagraphElement, sortHeaders: HTMLTableCellElement[],
   *   table: HTMLTableElement, rowGroups: HTMLTableSectionElement[], showMore: HTMLButtonElement, calendarAll: HTMLButtonElement,
   *   groupChoice: HTMLDivElement, groupSelect: HTMLSelectElement, groupEmpty: HTMLParagraphElement, suggestions: HTMLDivElement,
   * }} Ui
   */
  /**
   * A case that matches the query, with its index in the data and what it
   * is sorted by: computed once per case, not once per comparison.
   * @typedef {[kase: Case, index: number, sortValue: number, time: number]} MatchingCase
   */
  /**
   * A case's table rows: its summary row, and its detail row once opened.
   * @typedef {HTMLTableRowElement[]} CaseRows
   */

  // The kit replaces this string with the catalogue of locales/ when it
  // serves the file: [[id, …], {"sv": [text | {one, other}, …], "en": …}],
  // each language's texts in the order of the ids, the fallback language
  // first.
  const [MESSAGE_IDS, MESSAGES_BY_LANGUAGE] = /** @type {[string[], Record<string, Message[]>]} */ (/** @type {unknown} */ ("@@messages@@"));
  // The shadow root's stylesheet (with the default theme), beside this
  // module; the kit rewrites the name to its content-hashed URL.
  const STYLESHEET = "arendevy.css";
  // The iCalendar writer, loaded the first time someone asks for a file.
  const CALENDAR_MODULE = "calendar.js";
  const STATUSES = ["received", "in_progress", "action_required", "closed"];
  const SORT_KEYS = ["date", "title", "sender", "status"];
  // The statuses by urgency, for sorting by status: the cases that wait for
  // the customer first (kit/listing's Urgency).
  const URGENCY = ["action_required", "received", "in_progress", "closed"];
  // The sort control's choices, in its order: the columns, and the cases
  // new since the last visit first (kit/listing's ByNew).
  const SORT_CHOICES = ["date", "status", "title", "sender", "new"];
  // A producer pair whose value is an ISO date is shown as a date.
  const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
  /**
   * hasCalendarDate: the case is open and has a date the customer may want
   * in a calendar (a deadline or a planned event) that is today or later.
   * @param {Case} kase
   */
  const hasCalendarDate = (kase) => !!kase.plannedTime && kase.status != "closed" && Date.parse(kase.plannedTime) + 24 * 3600 * 1000 > Date.now();
  // VISIT_GAP is the kit's preferences.VisitGap: looks at the overview less
  // than this apart are one visit, and a visit tells its count of new cases
  // once (#render).
  const VISIT_GAP = 30 * 60 * 1000;
  // VISIT_KEY names, in the tab's sessionStorage, when the tab last got an
  // overview: an instant and nothing else, never anything about a case.
  const VISIT_KEY = "arendevy-last-look";
  /**
   * firstLookThisVisit records that the tab got an overview now and
   * reports whether it is the first in this visit: none in the last
   * VISIT_GAP. A reload is not; a re-sort never asks. Without storage (a
   * sandbox, storage turned off) every overview that arrives is a first look.
   */
  const firstLookThisVisit = () => {
    const now = Date.now();
    try {
      const last = Number(sessionStorage.getItem(VISIT_KEY));
      sessionStorage.setItem(VISIT_KEY, String(now));
      return !(last > 0 && now - last < VISIT_GAP);
    } catch {
      return true;
    }
  };
  // MAX_OLDER is the kit's cases.MaxOlder: windows further back a user may ask for.
  const MAX_OLDER = 10;
  const DETAIL_FIELDS = /** @type {const} */ (["caseNumber", "category", "payment", "officer", "freeText", "plannedEvent", "plannedTime"]);
  // The show-closed attribute's value for each scope of the API.
  /** @type {Record<string, string>} */
  const SHOW_CLOSED_BY_SCOPE = { all: "true", open: "false", closed: "only" };
  // The text a sort key sorts by, for the keys that sort by text.
  /** @type {Record<string, ((kase: Case) => string) | undefined>} */
  const SORT_TEXT = { title: (kase) => kase.title, sender: (kase) => kase.sender.name };
  // Cases per row group. Right after the cases change, every group but the
  // first two is .lazy: the browser skips it while it is off screen
  // (content-visibility in the stylesheet), so re-sorting a thousand cases
  // costs one frame for what is in view. The first two never wait: a group
  // that waits has a placeholder's height until the browser has looked, and
  // the top of the list must not move. Then the mark goes, one group per
  // frame, so that within moments every case is laid out again: a screen
  // reader gets nothing of a group the browser skips.
  const CASES_PER_GROUP = 10;
  const GROUPS_NEVER_LAZY = 2;
  // Groups put in order before the frame after a change: at least four, and
  // more than the window shows of the list's top (a group of ten one-line
  // rows is about 400 pixels tall). The groups below are put in order in the
  // tasks right after, where they are, while the browser skips them.
  const groupsBeforeFrame = () => Math.max(4, Math.ceil(innerHeight / 400));

  /** @typedef {string | number | boolean | null | undefined} AttributeValue */
  /** @typedef {Node | string | false | null | undefined} Child */

  /**
   * createElement builds an element: attributes from attributes (null and
   * false leave one out, true is an empty one), children appended as nodes
   * or as text (empty ones left out).
   * @template {keyof HTMLElementTagNameMap} Tag
   * @param {Tag} tag
   * @param {Record<string, AttributeValue>} attributes
   * @param {...Child} children
   * @returns {HTMLElementTagNameMap[Tag]}
   */
  const createElement = (tag, attributes, ...children) => {
    const element = document.createElement(tag);
    for (const name in attributes) {
      const value = attributes[name];
      if (value != null && value !== false) element.setAttribute(name, value === true ? "" : String(value));
    }
    element.append(.../** @type {(Node | string)[]} */ (children.filter(Boolean)));
    return element;
  };

  /**
   * @param {Record<string, AttributeValue>} attributes
   * @param {string} [text]
   */
  const createButton = (attributes, text) => createElement("button", { type: "button", class: "action-button", ...attributes }, text);
  /**
   * @param {"radio" | "checkbox"} type
   * @param {string} name
   * @param {string} value
   * @param {string} text
   */
  const createChoice = (type, name, value, text) => createElement("label", {}, createElement("input", { type, name, value }), text);

  /**
   * telUrl makes a tel: link of a phone number as people write it, or none
   * when it is not one (as kit/internal/render does).
   * @param {string} phone
   */
  const telUrl = (phone) => {
    const number = phone.trim().replace(/[ ().-]/g, "");
    return /^\+?\d{3,15}$/.test(number) ? "tel:" + number : null;
  };
  // A bare e-mail address, the only kind a mailto: link is made of.
  const BARE_ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

  /**
   * safeUrl keeps a link only if it stays on this page's origin or on
   * base's, or is https: never javascript:, data: or anything else. A link
   * the kit sent is relative to the kit's API (base), which may be on
   * another host of the site than the page.
   * @param {string} href
   * @param {string} [base]
   * @returns {string | null}
   */
  const safeUrl = (href, base = location.href) => {
    try {
      const url = new URL(href, base);
      return url.protocol == "https:" || url.origin == location.origin || url.origin == new URL(base).origin ? url.href : null;
    } catch {
      return null;
    }
  };

  /**
   * truncationNotice tells that a producer's cases may be missing from an
   * answer cut short, in the words kit/internal/render uses for the same
   * outcome: the counts when the source gave them.
   * @param {Translate} translate
   * @param {string} Name the producer
   * @param {Truncation} truncation
   */
  const truncationNotice = (translate, Name, { reason, unit, shown, total }) =>
    reason == "partial" || (!total && unit != "events")
      ? translate("state.partial", { Name })
      : !total
        ? translate("state.cut", { Name })
        : translate(unit == "events" ? "state.truncatedEvents" : "state.truncated", { Shown: shown, Name }, total);

  class ArendevyOverview extends HTMLElement {
    static observedAttributes = [
      "src", "lang", "sort", "order", "filter-sender", "filter-status", "filter-text", "show-closed", "page-size", "approved-by",
      "settings-href", "heading", "query-refused", "older", "filter-group", "filter-new",
    ];

    // Properties reflect the attributes; filterSender and filterStatus are
    // arrays, pageSize a number (0: every case).
    static {
      for (const attribute of this.observedAttributes)
        if (attribute != "lang")
          Object.defineProperty(this.prototype, attribute.replace(/-(.)/g, (_, letter) => letter.toUpperCase()), {
            /** @this {ArendevyOverview} */
            get() {
              const value = this.#attribute(attribute);
              return attribute.startsWith("filter-s") ? value.split(",").filter(Boolean) : attribute == "page-size" ? +value || 0 : value || null;
            },
            /** @this {ArendevyOverview} @param {unknown} value */
            set(value) {
              this.#setOrRemoveAttribute(attribute, value);
            },
          });
    }

    /** @type {ShadowRoot | undefined} */
    #shadow;
    // The server-rendered overview, until the element has taken its rows.
    /** @type {HTMLElement | null | undefined} */
    #serverRoot;
    /** @type {Ui | undefined} */
    #ui;
    /** @type {Overview | null} */
    #data = null;
    /** @type {"loading" | "ready" | "error" | "login" | "consent" | "quiet"} */
    #state = "loading";
    // The kit's login URL from its 401 answer, if it is a safe one.
    /** @type {string | null} */
    #loginUrl = null;
    // The portal's consent page from the kit's 403 before consent, if safe.
    /** @type {string | null} */
    #consentUrl = null;
    /** @type {string | undefined} */
    #language;
    // ownLanguage re-declares the element's language and writing direction
    // on its own words inside producer text, which may be in another.
    /** @type {{ lang?: string, dir?: string }} */
    #ownLanguage = {};
    /** @type {Translate} */
    #translate = (id) => id;
    /** @type {Intl.DateTimeFormat | undefined} */
    #dateFormat;
    /** @type {Set<string>} */
    #openCaseIds = new Set();
    // Places of cases to open once the cases are in (openPositions).
    /** @type {Set<number> | undefined} */
    #pendingPositions;
    // Each case's table rows, built once per language and data, so a re-sort
    // or re-filter moves rows instead of building them.
    /** @type {WeakMap<Case, CaseRows>} */
    #rowsByCase = new WeakMap();
    // How many cases are shown: grows with "show more", 0 after a change.
    #shownCount = 0;
    /** @type {AbortController | undefined} */
    #loadAbort;
    /** @type {MutationObserver | undefined} */
    #languageObserver;
    // What the kit refused of the last group form, in the page's language.
    #groupProblem = "";
    #renderQueued = false;
    #focusHeadingWhenLoaded = false;
    // Counts renders, so that the work a render left for later stops when
    // another render has begun.
    #renderGeneration = 0;
    /** @type {Record<string, Map<string, number>>} */
    #ranksBySortKey = {};
    // New data is on its way to the screen: tell the portal once it is there.
    #loadedToTell = false;
    // The status line's next words tell how many cases are new: once a
    // visit, on its first overview (firstLookThisVisit).
    #newToTell = false;
    // Switching discreet mode failed: a notice says so until it works.
    #discreetFailed = false;
    // What the status line's next words say of a case just revealed or
    // hidden again in discreet mode, once: "hidden" or "gone" (a case shown
    // in full is said on every line while it is).
    /** @type {"" | "hidden" | "gone"} */
    #revealToTell = "";
    // The session's clock (see #watchSession): the next look at it, the
    // "stay logged in" dialog while it is open, and whether the session ended.
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    #sessionTimer;
    /** @type {HTMLDialogElement | undefined} */
    #expiryDialog;
    #sessionEnded = false;

    connectedCallback() {
      // lang is inherited from the nearest ancestor that has one, wherever
      // and whenever it changes.
      this.#languageObserver = new MutationObserver(() => this.#ui && this.#updateLanguage());
      this.#languageObserver.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"], subtree: true });
      if (this.#shadow) {
        if (this.#ui) this.#updateLanguage();
        return;
      }
      const serverData = this.querySelector(":scope>script[type='application/json']");
      this.#serverRoot = this.querySelector(":scope>.overview");
      this.#shadow = this.attachShadow({ mode: "open" });
      const stylesheet = createElement("link", { rel: "stylesheet", href: new URL(STYLESHEET, import.meta.url).href });
      const slot = createElement("slot", {});
      // Until the stylesheet is in, the slot shows whatever the server
      // rendered: the page does not move when the shadow root takes over.
      this.#shadow.append(stylesheet, slot);
      try {
        if (serverData) this.#accept(JSON.parse(serverData.textContent ?? ""));
      } catch {
        // No usable server-rendered data: ask the kit.
      }
      if (!this.#data) this.#load();
      stylesheet.onload = stylesheet.onerror = () => {
        this.#loadedToTell = !!this.#data;
        this.#updateLanguage(true);
        slot.remove();
        if (serverData) this.replaceChildren();
      };
    }

    disconnectedCallback() {
      this.#languageObserver?.disconnect();
      clearTimeout(this.#sessionTimer);
    }

    /** @param {string} name */
    attributeChangedCallback(name) {
      if (!this.#ui) return;
      if (name == "lang" || name == "approved-by" || name == "heading") return this.#updateLanguage(name != "lang");
      if (name == "settings-href" || name == "query-refused") return this.#renderNotices();
      if (name == "src" || name == "older") return this.#load();
      this.#shownCount = 0;
      // Several attributes often change together (sort and order): render once.
      if (this.#renderQueued) return;
      this.#renderQueued = true;
      queueMicrotask(() => {
        this.#renderQueued = false;
        this.#render();
      });
    }

    // data is the overview as the kit sent it, or null before it arrived.
    get data() {
      return this.#data;
    }
    // listingQuery is the sorting and filtering in effect as the query of
    // an address the kit's server-rendered overview understands (the
    // names of its GET form): a page that reloads keeps them with it.
    get listingQuery() {
      const { sort, order, sender, status, scope, q, new: news, group } = this.#query();
      const pairs = Object.entries({ sort, order, sender: sender.join(","), status: status.join(","), scope, q, new: news, group });
      return new URLSearchParams(pairs.filter(([, value]) => value)).toString();
    }
    // openPositions are the places, counted from 0, of the open cases in
    // the listing as it is shown (sorted and filtered): what a page keeps
    // when it reloads in another language (the reference portal's language
    // switch, in the address's fragment), without a case's id or any other
    // field of it. Set, it opens the cases at those places and closes the
    // others; before the cases are in, it waits for them.
    get openPositions() {
      return this.#matchingCases(this.#query()).flatMap(([kase], position) => (this.#openCaseIds.has(kase.id) ? [position] : []));
    }
    set openPositions(positions) {
      const wanted = new Set(Array.isArray(positions) ? positions.filter(Number.isInteger) : []);
      if (!this.#data) {
        this.#pendingPositions = wanted;
        return;
      }
      this.#pendingPositions = undefined;
      this.#matchingCases(this.#query()).forEach(([kase, index], position) => {
        const open = wanted.has(position);
        open ? this.#openCaseIds.add(kase.id) : this.#openCaseIds.delete(kase.id);
        const rows = this.#rowsByCase.get(kase);
        if (rows) this.#setExpanded(kase, index, rows, open);
      });
    }
    // refresh fetches the overview again.
    refresh() {
      this.#load();
    }

    /**
     * @param {string} name
     * @param {unknown} value null or "" removes the attribute
     */
    #setOrRemoveAttribute(name, value) {
      value == null || value === "" ? this.removeAttribute(name) : this.setAttribute(name, String(value));
    }

    /** @param {string} name */
    #attribute(name) {
      return this.getAttribute(name) || "";
    }

    // api is the kit's overview API, the base of the links the kit sends.
    #api() {
      return new URL(this.#attribute("src") || "/arendevy/api/overview", location.href);
    }

    // older is how many windows further back than their own the sources are
    // asked to reach (the older attribute, kit's cases.MaxOlder at most).
    #older() {
      return Math.min(Math.max(Math.trunc(+this.#attribute("older")) || 0, 0), MAX_OLDER);
    }

    #pageSizeOrAll() {
      return +this.#attribute("page-size") || Infinity;
    }

    /**
     * query is the sorting and filtering in effect, from the attributes.
     * @returns {Query}
     */
    #query() {
      const attribute = (/** @type {string} */ name) => this.#attribute(name);
      const list = (/** @type {string} */ name) =>
        attribute(name)
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean);
      const sort = SORT_CHOICES.includes(attribute("sort")) ? attribute("sort") : "date";
      const showClosed = attribute("show-closed");
      return {
        sort,
        order: /^(asc|desc)$/.test(attribute("order")) ? attribute("order") : sort == "date" || sort == "new" ? "desc" : "asc",
        sender: list("filter-sender"),
        status: list("filter-status"),
        scope: Object.keys(SHOW_CLOSED_BY_SCOPE).find((scope) => SHOW_CLOSED_BY_SCOPE[scope] == showClosed) || "all",
        q: attribute("filter-text").trim(),
        new: attribute("filter-new") == "only" ? "only" : "",
        group: attribute("filter-group"),
      };
    }

    /**
     * emit dispatches arendevy-<name>; false when the portal cancelled it.
     * @param {string} name
     * @param {object} detail
     */
    #emit(name, detail) {
      return this.dispatchEvent(new CustomEvent("arendevy-" + name, { bubbles: true, composed: true, cancelable: true, detail }));
    }

    /** @param {string} time an RFC 3339 time, or an ISO date (read as noon UTC, the kit's way) */
    #createTime(time) {
      const when = ISO_DATE.test(time) ? time + "T12:00:00Z" : time;
      return createElement("time", { datetime: when }, this.#dateFormat?.format(new Date(when)));
    }

    /**
     * updateLanguage picks the catalogue language for the nearest lang and
     * rebuilds when it changed (or when forced).
     * @param {boolean} [force]
     */
    #updateLanguage(force) {
      const wanted = (/** @type {HTMLElement | null} */ (this.closest("[lang]"))?.lang || "").toLowerCase().split("-")[0];
      const language = Object.hasOwn(MESSAGES_BY_LANGUAGE, wanted) ? wanted : Object.keys(MESSAGES_BY_LANGUAGE)[0];
      if (language == this.#language && !force) return;
      /** @type {Record<string, Message>} */
      const messages = {};
      MESSAGE_IDS.forEach((id, index) => (messages[id] = MESSAGES_BY_LANGUAGE[language][index]));
      const pluralRules = new Intl.PluralRules(language);
      this.#language = language;
      this.#ownLanguage = { lang: language, dir: /** @type {string} */ (messages["format.direction"]) };
      this.#dateFormat = new Intl.DateTimeFormat(/** @type {string} */ (messages["format.dates"]), { dateStyle: "long", timeZone: "Europe/Stockholm" });
      // translate renders a message; with a count, in the plural form the
      // count calls for, and {Count} is the count.
      this.#translate = (id, placeholders = {}, count) => {
        let message = messages[id] ?? id;
        if (count != null) {
          placeholders.Count = count;
          if (typeof message == "object") message = message[pluralRules.select(count)] ?? message.other;
        }
        return /** @type {string} */ (message).replace(/{(\w+)}/g, (_, name) => String(placeholders[name]));
      };
      this.#build();
    }

    // build makes the overview's markup, the same as the kit renders on the
    // server (widget/arendevy-overview.html), and takes over the rows the
    // server rendered in this language rather than building them again.
    #build() {
      const translate = this.#translate;
      const approvedBy = this.#attribute("approved-by");
      /**
       * @param {string} name
       * @param {string[]} values
       * @param {string} legend
       */
      const createChoices = (name, values, legend) =>
        createElement(
          "fieldset",
          {},
          createElement("legend", {}, translate(legend)),
          ...values.map((value) => createChoice(name == "scope" ? "radio" : "checkbox", name, value, translate(name + "." + value))),
        );
      const submit = () => createElement("button", { type: "submit", class: "action-button" }, translate("form.apply"));
      const search = createElement("input", { type: "search", id: "filter-text", name: "q", autocomplete: "off" });
      const senderChoices = createChoices("sender", [], "col.sender");
      // The customer's case groups: one choice, there only when they have groups.
      const groupSelect = createElement("select", { id: "arendevy-group", name: "group" });
      const groupChoice = createElement("div", { class: "group-choice", hidden: true }, createElement("label", { for: "arendevy-group" }, translate("groups.filter")), groupSelect);
      // Discreet mode's switch: shown when the kit keeps preferences (the
      // overview says whether the mode is on), pressed when it is.
      const discreet = createButton({ class: "action-button discreet-toggle", "data-action": "discreet", "aria-pressed": "false", hidden: true }, translate("discreetSwitch.label"));
      const sortSelect = createElement(
        "select",
        { id: "arendevy-sort", name: "sort" },
        ...SORT_CHOICES.map((key) => createElement("option", { value: key }, translate(key == "new" ? "whatsnew.ui.sortBy" : "form.sortBy." + key))),
      );
      const filters = createElement(
        "details",
        { class: "filters", part: "filters" },
        createElement("summary", {}, translate("filters")),
        createElement(
          "div",
          {},
          groupChoice,
          createElement("div", {}, createElement("label", { for: "filter-text" }, translate("search")), search),
          senderChoices,
          createChoices("status", STATUSES, "col.status"),
          createChoices("scope", Object.keys(SHOW_CLOSED_BY_SCOPE), "show"),
          // Beside the scope: only the cases new since the last visit.
          createElement("fieldset", {}, createElement("legend", {}, translate("whatsnew.ui.legend")), createChoice("checkbox", "new", "only", translate("whatsnew.ui.only"))),
          createButton({ "data-action": "clear" }, translate("clear")),
          discreet,
        ),
      );
      // The same GET form as the server's: here it sorts and filters at
      // once, and its button applies the sort control's choice.
      const form = createElement(
        "form",
        { method: "get", class: "list-form", part: "form" },
        createElement("div", { class: "sort-control" }, createElement("label", { for: "arendevy-sort" }, translate("form.sort")), sortSelect, submit()),
        filters,
      );
      const sortHeaders = SORT_KEYS.map((key) =>
        createElement("th", { scope: "col", role: "columnheader" }, createElement("button", { type: "button", class: "sort-button", "data-sort-key": key }, translate("col." + key))),
      );
      const table = createElement(
        "table",
        { role: "table", part: "table" },
        createElement("caption", {}),
        createElement(
          "thead",
          { role: "rowgroup" },
          createElement("tr", { role: "row" }, ...sortHeaders, createElement("th", { scope: "col", role: "columnheader" }, translate("col.forecast"))),
        ),
      );
      /** @param {Child} term @param {string} explanation */
      const legendEntry = (term, explanation) => createElement("div", {}, createElement("dt", {}, term), createElement("dd", {}, explanation));
      const legend = createElement(
        "details",
        { class: "status-legend", part: "legend" },
        createElement("summary", {}, translate("legend")),
        createElement(
          "dl",
          {},
          legendEntry(translate("col.date"), translate("guide.date")),
          legendEntry(translate("col.forecast"), translate("guide.forecast")),
          ...STATUSES.map((status) =>
            legendEntry(createElement("span", { class: "status-badge", "data-status": status }, translate("status." + status)), translate("explain." + status)),
          ),
        ),
      );
      const ui = (this.#ui = {
        heading: createElement("h2", { part: "heading", tabindex: -1, hidden: this.#attribute("heading") == "page" }),
        search,
        senderChoices,
        discreet,
        form,
        sortSelect,
        filters,
        statusRegion: createElement("p", { class: "status-region", role: "status", part: "status", tabindex: -1 }),
        notices: createElement("div", { class: "notices", "aria-live": "polite", part: "notices" }),
        legendLink: createElement("p", { class: "legend-link" }, createElement("a", { href: "#arendevy-legend", "data-action": "legend" }, translate("legend"))),
        legend,
        noMatch: createElement("p", { class: "no-match", hidden: true }, translate("state.noMatch"), createButton({ "data-action": "clear" }, translate("clear"))),
        sortHeaders,
        table,
        rowGroups: [],
        showMore: createButton({ class: "action-button show-more", part: "more", "data-action": "more" }),
        calendarAll: createButton({ class: "action-button calendar-all", "data-action": "calendar", hidden: true }, translate("calendar.addAll")),
        supportCode: createElement("p", { class: "support-code", part: "support", hidden: true }),
        groupChoice,
        groupSelect,
        groupEmpty: createElement("p", { class: "group-empty", hidden: true }),
        suggestions: createElement("div", { class: "group-suggestions" }),
      });
      const root = createElement(
        "div",
        { class: "overview", part: "root", ...this.#ownLanguage },
        ui.heading,
        approvedBy && createElement("p", { class: "trust-line", part: "trust" }, translate("approved", { By: approvedBy })),
        form,
        ui.statusRegion,
        ui.notices,
        ui.groupEmpty,
        ui.noMatch,
        ui.legendLink,
        ui.table,
        ui.showMore,
        ui.suggestions,
        ui.calendarAll,
        legend,
        ui.supportCode,
      );
      root.addEventListener("click", (event) => this.#onClick(event));
      root.addEventListener("input", (event) => this.#onInput(event));
      root.addEventListener("submit", (event) => {
        const form = /** @type {HTMLFormElement} */ (event.target);
        if (!form.matches(".group-form")) return;
        event.preventDefault();
        this.#submitGroupForm(form);
      });
      sortSelect.addEventListener("change", () => this.#applySortControl());
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.#applySortControl();
      });
      this.#rowsByCase = new WeakMap();
      this.#adoptServerRows();
      this.#shadow?.querySelector(".overview")?.remove();
      this.#shadow?.append(root);
      this.#renderNotices();
      this.#render();
    }

    // adoptServerRows takes the server-rendered rows as the cases' rows, once
    // and only in the language they were rendered in: moved, not built again,
    // so an open detail stays open and the page does not move.
    #adoptServerRows() {
      const server = this.#serverRoot;
      this.#serverRoot = null;
      const cases = this.#data?.cases;
      if (!server || !cases || server.lang != this.#language) return;
      for (const row of /** @type {NodeListOf<HTMLTableRowElement>} */ (server.querySelectorAll("tr.case-row"))) {
        const kase = cases[Number(row.dataset.caseIndex)];
        const detail = /** @type {HTMLTableRowElement | null} */ (row.nextElementSibling);
        if (!kase || !detail?.matches(".case-detail")) continue;
        row.classList.remove("later-page");
        detail.classList.remove("later-page");
        this.#rowsByCase.set(kase, [row, detail]);
        // Discreet mode's link that loads the page again with the case
        // revealed: here a button that asks the kit for it (#reveal).
        row.querySelector(".reveal-case")?.replaceWith(this.#revealControl(kase, Number(row.dataset.caseIndex)) ?? "");
        // Only the element can make a calendar file: the server's markup has
        // no button that would do nothing without JavaScript.
        if (hasCalendarDate(kase)) detail.cells[0]?.append(this.#createCalendarButton(row.dataset.caseIndex ?? ""));
        if (row.querySelector("details[open]")) this.#openCaseIds.add(kase.id);
        else if (this.#openCaseIds.has(kase.id)) this.#setExpanded(kase, Number(row.dataset.caseIndex), [row, detail], true);
      }
    }

    // applySortControl sorts by the sort control's choice, in its own order.
    #applySortControl() {
      const sort = this.#ui?.sortSelect.value ?? "date";
      if (sort != this.#query().sort) this.#applyUserChoice("sort", { sort, order: null });
    }

    async #load() {
      this.#loadAbort?.abort();
      const abort = (this.#loadAbort = new AbortController());
      this.#state = "loading";
      this.#data = null;
      this.#renderNotices();
      this.#render();
      /** @type {Response | undefined} */
      let response;
      /** @type {any} */
      let body;
      try {
        response = await this.#fetchOverview(abort.signal);
        body = await response.json();
      } catch {
        if (abort.signal.aborted) return;
      }
      if (!(response?.ok && this.#accept(body))) {
        if (response?.status == 401) {
          this.#state = "login";
          this.#loginUrl = (body?.login && safeUrl(body.login, this.#api().href)) || null;
          // A portal that handles the login itself cancels the event.
          if (!this.#emit("login-required", { login: this.#loginUrl })) this.#state = "quiet";
        } else if (response?.status == 403 && body?.type == "urn:arendevy:problem:consent-required") {
          // The customer has not activated the overview: a way to, not an error.
          this.#state = "consent";
          this.#consentUrl = (body?.consent && safeUrl(body.consent, this.#api().href)) || null;
        } else this.#state = "error";
      }
      this.#renderNotices();
      this.#loadedToTell = !!this.#data;
      this.#render();
    }

    /**
     * fetchOverview asks the kit for the overview: everything, unfiltered
     * (sorting and filtering happen here, at once), and in discreet mode
     * the case whose reference is reveal in full.
     * @param {AbortSignal} signal
     * @param {string} [reveal]
     */
    #fetchOverview(signal, reveal) {
      const api = this.#api();
      api.search += (api.search ? "&" : "") + "scope=all&sender=&status=&q=&new=all";
      // Older cases than the sources' own window, when the user asked.
      if (this.#older()) api.search += "&older=" + this.#older();
      if (reveal) api.search += "&reveal=" + encodeURIComponent(reveal);
      // With the session cookie even when the kit is on another host of
      // the site; a login it asks for comes back to this page (its path,
      // or its whole address when the kit is elsewhere).
      const page = (api.origin == location.origin ? "" : location.origin) + location.pathname + location.search;
      // In the element's language, which is what the kit writes its own
      // texts in (discreet mode's placeholder title).
      /** @type {Record<string, string>} */
      const headers = { "X-Arendevy-Return": page };
      if (this.#language) headers["Accept-Language"] = this.#language;
      return fetch(api, { signal, credentials: "include", headers });
    }

    /**
     * accept holds an overview, if it is one.
     * @param {unknown} candidate
     */
    #accept(candidate) {
      const overview = /** @type {Overview | null | undefined} */ (candidate);
      if (!Array.isArray(overview?.cases)) return false;
      this.#ranksBySortKey = {};
      this.#state = "ready";
      this.#data = overview;
      this.#newToTell = firstLookThisVisit();
      if (this.#pendingPositions) this.openPositions = [...this.#pendingPositions];
      return true;
    }

    // tellLoaded tells the portal that the cases are on screen.
    #tellLoaded() {
      const data = this.#data;
      if (!data) return;
      // The heading, or the status line when the page's heading stands in
      // for it (heading="page").
      const ui = this.#ui;
      if (this.#focusHeadingWhenLoaded) (ui?.heading.hidden ? ui.statusRegion : ui?.heading)?.focus();
      this.#focusHeadingWhenLoaded = false;
      this.#emit("loaded", { total: data.cases.length, sources: data.sources || [] });
      this.#watchSession();
      (self.requestIdleCallback || setTimeout)(() => {
        if (this.#data) this.#ranksOf("title"), this.#ranksOf("sender");
      });
    }

    // renderNotices shows what concerns the overview as a whole: a query the
    // page could not use, a producer that is missing (with a retry), an
    // error, login, actors the customer hid, no cases at all. A live region
    // announces them; kit/internal/render writes the same.
    #renderNotices() {
      const ui = this.#ui;
      if (!ui) return;
      const translate = this.#translate;
      const data = this.#data;
      const paragraph = (/** @type {Child[]} */ ...children) => createElement("p", {}, ...children);
      const retry = () => [" ", createButton({ "data-action": "retry" }, translate("state.retry"))];
      const notices = [];
      if (this.hasAttribute("query-refused")) notices.push(paragraph(translate("form.badQuery")));
      if (this.#state == "error") notices.push(paragraph(translate("state.failed"), ...retry()));
      if (this.#state == "login") notices.push(paragraph(translate(this.#sessionEnded ? "expiry.ended" : "state.login"), " ", this.#loginUrl && createElement("a", { href: this.#loginUrl }, translate("state.loginLink"))));
      if (this.#state == "consent") notices.push(paragraph(translate("state.consent.text"), " ", this.#consentUrl && createElement("a", { href: this.#consentUrl }, translate("state.consent.link"))));
      if (data?.preferencesUnavailable) notices.push(paragraph(translate("state.preferences.unavailable")));
      if (this.#discreetFailed) notices.push(paragraph(translate("discreetSwitch.failed")));
      const missing = this.#missingProducers();
      /** @type {string[]} */
      const answered = [];
      for (const outcome of data?.sources || []) {
        const Name = outcome.producer.name;
        if (outcome.state == "ok") missing.includes(Name) || answered.includes(Name) || answered.push(Name);
        else if (outcome.rejected) notices.push(paragraph(translate("state.rejected", { Name }, outcome.rejected)));
        else notices.push(paragraph(translate("state.unreachable", { Name }), ...retry()));
        if (outcome.truncated?.reason == "window")
          // Older cases exist than the source fetched: say so, and offer the next window back.
          notices.push(
            paragraph(
              translate("older.exist", { Name }, outcome.truncated.total),
              this.#older() < MAX_OLDER && " ",
              this.#older() < MAX_OLDER && createButton({ class: "action-button", "data-action": "older" }, translate("older.show")),
            ),
          );
        else if (outcome.truncated) notices.push(paragraph(truncationNotice(translate, Name, outcome.truncated)));
      }
      const hidden = data?.hidden || [];
      const settings = safeUrl(this.#attribute("settings-href"));
      if (hidden.length)
        notices.push(
          paragraph(
            translate("hidden.count", {}, hidden.length) + " (" + hidden.map((actor) => actor.name).join(", ") + ")",
            settings && " — ",
            settings && createElement("a", { href: settings }, translate("hidden.show")),
          ),
        );
      // Never "you have no cases" while some are missing.
      if (data && !data.cases.length && (!missing.length || answered.length))
        notices.push(
          paragraph(
            missing.length
              ? translate("partial.empty", { Names: answered.join(", ") })
              : translate("state.empty", { Names: [...new Set((data.sources || []).map((outcome) => outcome.producer.name))].join(", ") }),
          ),
        );
      if (this.#groupProblem) notices.push(createElement("p", { role: "alert" }, this.#groupProblem));
      ui.notices.replaceChildren(...notices);
      const groups = data?.groups ?? [];
      ui.groupChoice.hidden = !groups.length;
      ui.groupSelect.replaceChildren(
        createElement("option", { value: "" }, translate("groups.all")),
        ...groups.map((group) => createElement("option", { value: group.id }, translate("groups.option", { Name: group.name, Count: group.count }))),
      );
      ui.suggestions.replaceChildren(
        ...(data?.suggestions ?? []).map((suggestion) =>
          this.#groupForm(
            "create group-suggestion",
            { name: suggestion.name, ref: suggestion.refs },
            createElement("p", {}, translate("groups.suggest", { Name: suggestion.name }, suggestion.refs.length)),
            createElement("button", { type: "submit", class: "action-button" }, translate("groups.create", { Name: suggestion.name })),
          ),
        ),
      );
      // The code that finds this overview's log line (kit/supportcode); gone
      // with the cases when the session ends.
      const code = data?.supportCode;
      ui.supportCode.hidden = !code;
      ui.supportCode.replaceChildren(...(code ? [translate("support.code", { Code: code }), " ", createElement("span", { class: "support-hint" }, translate("support.hint"))] : []));
      // Whose cases these are: an agent sees the principal's name in the
      // heading and in the table's caption, which the heading may yield to.
      ui.heading.textContent = data?.customer?.agent ? translate("headingFor", { Name: data.customer.name }) : translate("heading");
      if (ui.table.caption) ui.table.caption.textContent = ui.heading.textContent;
      const senderLegend = /** @type {Node} */ (ui.senderChoices.firstChild);
      ui.senderChoices.replaceChildren(senderLegend, ...(data?.senders || []).map((sender) => createChoice("checkbox", "sender", sender.id, sender.name)));
    }

    // missingProducers names the producers whose cases are missing: their
    // source could not be reached or sent nothing that could be shown.
    #missingProducers() {
      return [...new Set((this.#data?.sources || []).filter((outcome) => outcome.state != "ok").map((outcome) => outcome.producer.name))];
    }

    /**
     * ranksOf is the place of each title (or sender name) in Swedish order,
     * worked out once per overview, ahead of time when the browser is idle
     * (#tellLoaded): a re-sort then compares numbers.
     * @param {string} sortKey "title" or "sender"
     */
    #ranksOf(sortKey) {
      const text = /** @type {(kase: Case) => string} */ (SORT_TEXT[sortKey]);
      const cases = this.#data?.cases ?? [];
      return (this.#ranksBySortKey[sortKey] ??= new Map(
        [...new Set(cases.map(text))].sort(new Intl.Collator("sv", { sensitivity: "base" }).compare).map((value, rank) => [value, rank]),
      ));
    }

    /**
     * matchingCases filters and sorts the way the kit does (kit/listing):
     * Swedish collation, ties newest first, then by id.
     * @param {Query} query
     * @returns {MatchingCase[]}
     */
    #matchingCases(query) {
      const needle = query.q.toLowerCase();
      const group = this.#chosenGroup(query);
      const text = SORT_TEXT[query.sort];
      const ranks = text && this.#ranksOf(query.sort);
      /** @type {(kase: Case) => number} */
      const sortValue =
        text && ranks
          ? (kase) => /** @type {number} */ (ranks.get(text(kase)))
          : query.sort == "date"
            ? (kase) => Date.parse(kase.date)
            : query.sort == "new"
              ? (kase) => +!!kase.new
              : (kase) => URGENCY.indexOf(kase.status);
      // Sorted by date, the cases that wait for the customer come first, in
      // either order (kit/listing).
      const waiting = (/** @type {Case} */ kase) => +(query.sort == "date" && kase.status == "action_required");
      const direction = query.order == "desc" ? -1 : 1;
      return (this.#data?.cases ?? [])
        .map((kase, index) => /** @type {MatchingCase} */ ([kase, index, sortValue(kase), Date.parse(kase.date)]))
        .filter(
          ([kase]) =>
            (query.scope == "all" || (kase.status == "closed") == (query.scope == "closed")) &&
            (!query.sender.length || query.sender.includes(kase.sender.id)) &&
            (!query.status.length || query.status.includes(kase.status)) &&
            (query.new != "only" || !!kase.new) &&
            (!group || !!kase.groups?.includes(group.id)) &&
            (!needle ||
              [kase.title, kase.sender.name, kase.caseNumber, kase.category, kase.freeText, kase.plannedEvent, kase.officer].some((field) => field?.toLowerCase().includes(needle))),
        )
        .sort(
          ([a, , aValue, aTime], [b, , bValue, bTime]) =>
            waiting(b) - waiting(a) || direction * (aValue - bValue) || bTime - aTime || (a.id < b.id ? -1 : +(a.id > b.id)),
        );
    }

    /**
     * render shows the cases the attributes ask for; afterwards, if given,
     * runs once every row is in place.
     * @param {() => void} [afterwards]
     */
    #render(afterwards) {
      const ui = this.#ui;
      if (!ui) return;
      const translate = this.#translate;
      const query = this.#query();
      const data = this.#state == "ready" ? this.#data : null;
      this.#showQueryInControls(ui, query);
      const loading = this.#state == "loading";
      ui.form.hidden = ui.legendLink.hidden = !loading && !data?.cases.length;
      ui.calendarAll.hidden = !data?.cases.some(hasCalendarDate);
      if (data) {
        ui.discreet.hidden = data.discreet == null;
        ui.discreet.ariaPressed = String(!!data.discreet);
      }
      ui.table.hidden = ui.showMore.hidden = ui.noMatch.hidden = ui.groupEmpty.hidden = true;
      this.#announce(loading ? translate("state.loading") : "");
      // done comes when every row is in place: then afterwards runs, and the
      // portal hears, once, that new cases are.
      const done = () => {
        if (afterwards) queueMicrotask(afterwards);
        if (this.#loadedToTell) queueMicrotask(() => this.#tellLoaded());
        this.#loadedToTell = false;
      };
      if (!data?.cases.length) return done();
      const matching = this.#matchingCases(query);
      const group = this.#chosenGroup(query);
      ui.groupEmpty.hidden = !group || !!group.count;
      ui.groupEmpty.textContent = group ? translate("groups.empty", { Name: group.name }) : "";
      const pageSize = this.#pageSizeOrAll();
      const shown = matching.slice(0, Math.max(this.#shownCount, Math.min(pageSize, matching.length)));
      this.#shownCount = shown.length;
      this.#fillRowGroups(ui, shown, () => {
        if (data.discreet) this.#numberRevealControls(shown, matching.length);
        done();
      });
      ui.table.hidden = !matching.length;
      ui.noMatch.hidden = !!matching.length;
      ui.showMore.hidden = shown.length == matching.length;
      ui.showMore.textContent = translate("more", {}, Math.min(pageSize, matching.length - shown.length));
      // The count never claims the cases of a producer that is missing.
      const missing = this.#missingProducers();
      // The status line is a live region: the count of new cases is in it
      // on the visit's first overview only, so that a screen reader says it
      // once and not again after each sort or filter (each row still says
      // "Ny").
      const newCount = this.#newToTell ? matching.filter(([kase]) => kase.new).length : 0;
      this.#newToTell = false;
      // In discreet mode: which case shows in full, or, once, that it is
      // hidden again or could not be shown.
      const revealed = matching.findIndex(([kase]) => kase.revealed);
      const revealWords =
        revealed >= 0 ? translate("reveal.shown", { Position: revealed + 1, Count: matching.length }) : this.#revealToTell && translate("reveal." + this.#revealToTell);
      this.#revealToTell = "";
      this.#announce(
        translate(missing.length ? "partial.count" : "count", { Shown: matching.length }, data.cases.length) +
          ", " +
          (query.sort == "new"
            ? translate("whatsnew.ui.sorted")
            : translate("sorted.by", {
                Key: translate("col." + query.sort).toLocaleLowerCase(this.#language),
                Order: translate("sorted." + (query.sort == "date" ? "date" : "") + query.order),
              })) +
          (query.sort == "date" && matching.some(([kase]) => kase.status == "action_required") ? "; " + translate("due.waitingFirst") : "") +
          (newCount ? "; " + translate("whatsnew.count", {}, newCount) : "") +
          (group ? "; " + translate("groups.showing", { Name: group.name }) : "") +
          (revealWords ? "; " + revealWords : "") +
          (missing.length ? ". " + translate("partial.missing", { Names: missing.join(", ") }) : ""),
      );
    }

    /**
     * showQueryInControls makes the controls show the query in effect; the
     * one in use already does.
     * @param {Ui} ui
     * @param {Query} query
     */
    #showQueryInControls(ui, query) {
      if (ui.search.value != this.#attribute("filter-text")) ui.search.value = this.#attribute("filter-text");
      ui.sortSelect.value = query.sort;
      ui.groupSelect.value = this.#chosenGroup(query)?.id ?? "";
      const chosen = /** @type {Record<string, string | string[]>} */ (query);
      for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (ui.filters.querySelectorAll("fieldset [name]"))) input.checked = [chosen[input.name]].flat().includes(input.value);
      ui.sortHeaders.forEach((header, index) => {
        header.ariaSort = SORT_KEYS[index] == query.sort ? (query.order == "asc" ? "ascending" : "descending") : null;
      });
    }

    /**
     * fillRowGroups puts the shown cases' rows into the table's row groups:
     * the first groups before the next frame, the rest in the tasks after
     * (until the cases change again). done runs when every row is in place.
     * @param {Ui} ui
     * @param {MatchingCase[]} shown
     * @param {() => void} done
     */
    #fillRowGroups(ui, shown, done) {
      const groupCount = Math.ceil(shown.length / CASES_PER_GROUP);
      const groups = ui.rowGroups;
      while (groups.length < groupCount) groups.push(createElement("tbody", { role: "rowgroup" }));
      // The first groups are filled out of the page, which is cheaper; the
      // others stay where they are, and wait from now.
      const beforeFrame = groupsBeforeFrame();
      groups.forEach((group, index) => {
        if (index < beforeFrame || index >= groupCount) group.remove();
        group.className = index < GROUPS_NEVER_LAZY ? "" : "lazy";
      });
      groups.length = groupCount;
      const generation = ++this.#renderGeneration;
      let next = 0;
      // The first groups are filled at once, and so are new ones while that
      // takes less than a frame or so; the rest in the tasks after: building
      // a thousand new rows never holds the page up for long, and a re-sort
      // moves most rows after its frame.
      const fill = (/** @type {boolean} */ first) => {
        const started = performance.now();
        const fillNow = () => (first && next < beforeFrame) || (!(first && groups[next].isConnected) && performance.now() - started < 10);
        for (; next < groupCount && fillNow(); next++) {
          const cases = shown.slice(next * CASES_PER_GROUP, (next + 1) * CASES_PER_GROUP);
          groups[next].replaceChildren(...cases.flatMap(([kase, index]) => this.#caseRows(kase, index)));
        }
        if (next < groupCount) return setTimeout(() => generation == this.#renderGeneration && fill(false));
        done();
        // From the frame after the next, one group per frame, in order.
        let unmark = GROUPS_NEVER_LAZY;
        const unmarkNext = () =>
          requestAnimationFrame(() => {
            if (generation != this.#renderGeneration || !groups[unmark]) return;
            groups[unmark++].className = "";
            unmarkNext();
          });
        requestAnimationFrame(unmarkNext);
      };
      fill(true);
      /** @type {HTMLTableSectionElement} */ (ui.table.tHead).after(...groups.slice(0, beforeFrame));
      ui.table.append(...groups.filter((group) => !group.isConnected));
    }

    /**
     * announce updates the status region only when its words change:
     * rewriting the same words would make a screen reader repeat them.
     * @param {string} words
     */
    #announce(words) {
      const region = this.#ui?.statusRegion;
      if (region && region.textContent != words) region.textContent = words;
    }

    /**
     * caseRows is a case's rows: the server's, or built the first time they
     * are asked for, the same as widget/arendevy-overview.html writes them.
     * @param {Case} kase
     * @param {number} index
     * @returns {CaseRows}
     */
    #caseRows(kase, index) {
      let rows = this.#rowsByCase.get(kase);
      if (rows) return rows;
      const translate = this.#translate;
      const forecast = kase.forecast;
      const cell = (/** @type {string} */ column, /** @type {Child[]} */ ...children) =>
        createElement("td", { role: "cell", "data-label": translate("col." + column) }, ...children);
      const waiting = kase.status == "action_required";
      const link = waiting && kase.link && safeUrl(kase.link, this.#api().href);
      rows = [
        createElement(
          "tr",
          { class: "case-row", role: "row", part: "row", "data-case-index": index },
          cell("date", this.#createTime(kase.date)),
          createElement(
            "th",
            { scope: "row", role: "rowheader", lang: kase.lang, dir: "auto" },
            createElement(
              "details",
              { class: "case-toggle" },
              createElement(
                "summary",
                { class: "case-title", "data-case-index": index },
                kase.title,
                kase.new && " ",
                kase.new && createElement("span", { class: "new-badge", part: "new", ...this.#ownLanguage }, translate("whatsnew.badge")),
              ),
            ),
            this.#revealControl(kase, index),
          ),
          cell("sender", kase.sender.name),
          cell(
            "status",
            createElement("span", { class: "status-badge", "data-status": kase.status, part: "badge" }, translate("status." + kase.status)),
            waiting &&
              (kase.plannedEvent || kase.plannedTime) &&
              createElement(
                "span",
                { class: "case-due" },
                kase.plannedEvent && createElement("span", { lang: kase.lang, dir: "auto" }, kase.plannedEvent),
                kase.plannedTime && createElement("strong", {}, translate("due.deadline", { Date: this.#createTime(kase.plannedTime).textContent ?? "" })),
              ),
            link && this.#caseLink(kase, index, link, "case-link action-button"),
          ),
          cell(
            "forecast",
            ...(kase.status == "closed"
              ? [createElement("span", { "aria-hidden": "true" }, "—"), createElement("span", { class: "visually-hidden" }, translate("forecast.closed"))]
              : [forecast ? translate("forecast." + forecast.unit, {}, forecast.amount) : translate("forecast.none", { Sender: kase.sender.name })]),
          ),
        ),
      ];
      this.#rowsByCase.set(kase, rows);
      if (this.#openCaseIds.has(kase.id)) this.#setExpanded(kase, index, rows, true);
      return rows;
    }

    /**
     * caseLink is the link to the case at its producer, in a new window.
     * @param {Case} kase
     * @param {number} index
     * @param {string} href
     * @param {string} className
     */
    #caseLink(kase, index, href, className) {
      const translate = this.#translate;
      return createElement(
        "a",
        { href, target: "_blank", rel: "noopener", class: className, part: "link", "data-case-index": index },
        translate("detail.link", { Sender: kase.sender.name }) + " ",
        // A span of its own: a phone's card shows only the arrow after it.
        createElement("span", { class: "new-window" }, translate("detail.newWindow")),
      );
    }

    /**
     * textRest follows a producer's text that the source shortened: it says
     * so, in the page's language, and where the whole text is (the case at
     * the producer when there is a link to it).
     * @param {Case} kase
     * @param {string | false | null | undefined} link
     */
    #textRest(kase, link) {
      const translate = this.#translate;
      const sender = { Sender: kase.sender.name };
      return createElement(
        "span",
        { class: "text-rest", ...this.#ownLanguage },
        translate("detail.shortened") + " ",
        link
          ? createElement("a", { href: link, target: "_blank", rel: "noopener", part: "link" }, translate("detail.shortenedLink", sender) + " " + translate("detail.newWindow"))
          : translate("detail.shortenedAt", sender),
      );
    }

    /**
     * setExpanded opens or closes a case's detail. The detail row is built
     * when the case is first opened: most never are, and every row that
     * exists is moved on each re-sort. The stylesheet shows it while the
     * title's <details> is open.
     * @param {Case} kase
     * @param {number} index
     * @param {CaseRows} rows
     * @param {boolean} open
     */
    #setExpanded(kase, index, rows, open) {
      const details = /** @type {HTMLDetailsElement} */ (rows[0].querySelector("details"));
      if (!rows[1]) {
        const id = "case-detail-" + index;
        rows[0].after((rows[1] = createElement("tr", { class: "case-detail", id, role: "row", part: "detail" }, this.#detailCell(kase, index))));
        details.firstElementChild?.setAttribute("aria-controls", id);
      }
      details.open = open;
    }

    /**
     * detailCell holds fields 6–12, the producer's pairs, the history and
     * the way to the case; a field without a value has no heading either.
     * @param {Case} kase
     * @param {number} index
     */
    #detailCell(kase, index) {
      const translate = this.#translate;
      /** @type {HTMLDivElement[]} */
      const fields = [];
      const addField = (/** @type {string} */ label, /** @type {Child} */ value) =>
        value && fields.push(createElement("div", {}, createElement("dt", {}, label), createElement("dd", { dir: "auto" }, value)));
      const link = kase.link && safeUrl(kase.link, this.#api().href);
      const info = kase.info && safeUrl(kase.info, this.#api().href);
      for (const name of DETAIL_FIELDS) {
        const value = kase[name];
        if (!value) continue;
        addField(
          translate("field." + name),
          name == "payment"
            ? translate("payment." + value)
            : name == "plannedTime"
              ? this.#createTime(value)
              : name == "freeText" && kase.freeTextShortened
                ? createElement("span", {}, value, this.#textRest(kase, link))
                : value,
        );
      }
      for (const pair of kase.pairs || []) addField(pair.title, ISO_DATE.test(pair.value) ? this.#createTime(pair.value) : pair.value);
      const history = kase.history ?? [];
      return createElement(
        "td",
        { role: "cell", colspan: 5, lang: kase.lang },
        fields.length > 0 && createElement("dl", {}, ...fields),
        history.length > 0 && createElement("h3", {}, translate("detail.history")),
        history.length > 0 &&
          createElement(
            "ol",
            { class: "case-history" },
            ...history.map((entry) =>
              createElement(
                "li",
                {},
                this.#createTime(entry.time),
                " ",
                createElement("strong", {}, entry.title),
                entry.status && " (" + translate("status." + entry.status) + ")",
                entry.text && "\n" + entry.text,
              ),
            ),
          ),
        this.#responsible(kase),
        this.#caseGroups(kase, index),
        hasCalendarDate(kase) && this.#createCalendarButton(String(index)),
        link
          ? createElement("p", {}, this.#caseLink(kase, index, link, "case-link"))
          : info &&
              createElement(
                "p",
                {},
                createElement(
                  "a",
                  { href: info + (info.includes("?") ? "&" : "?") + "lang=" + this.#language, target: "_blank", rel: "noopener", part: "link" },
                  translate("detail.info", { Sender: kase.sender.name }) + " " + translate("detail.newWindow"),
                ),
              ),
      );
    }

    /**
     * responsible names who answers for the case and how to reach its
     * customer service, in the page's language (the producer directory's
     * contacts, as kit/internal/render shows them).
     * @param {Case} kase
     */
    #responsible(kase) {
      const translate = this.#translate;
      const service = this.#data?.contacts?.find((contact) => contact.producer == kase.sender.id)?.customerService ?? {};
      /** @type {HTMLDivElement[]} */
      const ways = [];
      // The web site leaves the overview as a deep link does: in a new
      // window, saying so.
      const addWay = (/** @type {string} */ name, /** @type {string | undefined} */ text, /** @type {string | null} */ href) =>
        text &&
        ways.push(
          createElement(
            "div",
            {},
            createElement("dt", {}, translate("responsible." + name)),
            createElement(
              "dd",
              {},
              !href ? text : name == "web" ? createElement("a", { href, target: "_blank", rel: "noopener" }, text + " " + translate("detail.newWindow")) : createElement("a", { href }, text),
            ),
          ),
        );
      addWay("phone", service.phone, service.phone ? telUrl(service.phone) : null);
      addWay("email", service.email, service.email && BARE_ADDRESS.test(service.email) ? "mailto:" + service.email : null);
      // Only an https address is shown, as on the server.
      const web = service.web && /^https:\/\//i.test(service.web) ? safeUrl(service.web) : null;
      addWay("web", web ? service.web : undefined, web);
      addWay("hours", service.hours, null);
      return createElement(
        "div",
        { class: "case-responsible", ...this.#ownLanguage },
        createElement("h3", {}, translate("responsible.heading")),
        createElement("p", {}, translate("responsible.text", { Sender: kase.sender.name })),
        ways.length > 0 ? createElement("dl", {}, ...ways) : createElement("p", {}, translate("responsible.none", { Sender: kase.sender.name })),
      );
    }


    // ---- Discreet mode: one case in full ----
    // In discreet mode the kit sends every case redacted; asked for one
    // case's keyed reference (reveal=, the same reference the case groups
    // use: no case field in the address), it sends that one whole, for that
    // request only. Hiding it again is asking without: the texts leave the
    // page and the element's memory, not merely the screen.

    /**
     * revealControl is the button on a redacted case's row that shows it in
     * full ("Show case", and for a screen reader which one: #numberRevealControls),
     * or on the case shown in full the one that hides it again; none
     * outside discreet mode or without a reference (the kit keeps no case
     * groups).
     * @param {Case} kase
     * @param {number} index
     */
    #revealControl(kase, index) {
      if (!this.#data?.discreet || !kase.ref) return null;
      const translate = this.#translate;
      return createElement(
        "button",
        { type: "button", class: "action-button reveal-case", "data-action": kase.revealed ? "conceal" : "reveal", "data-case-index": index, ...this.#ownLanguage },
        translate(kase.revealed ? "reveal.hide" : "reveal.show"),
        !kase.revealed && createElement("span", { class: "visually-hidden reveal-which" }),
      );
    }

    /**
     * numberRevealControls says in each shown "Show case" button which case
     * of how many it shows ("Show case 3 of 11"): the title, which would,
     * is what it hides. The places change with every sort and filter.
     * @param {MatchingCase[]} shown
     * @param {number} count
     */
    #numberRevealControls(shown, count) {
      shown.forEach(([kase], position) => {
        const which = this.#rowsByCase.get(kase)?.[0].querySelector(".reveal-which");
        if (which) which.textContent = " " + this.#translate("reveal.which", { Position: position + 1, Count: count });
      });
    }

    /**
     * reveal asks the kit for the overview with kase in full (show) or
     * without (hiding it again), and shows it in place: the case's detail
     * opens with it, focus goes to the button that now does the opposite,
     * and the status line says what happened. Whatever goes wrong is what
     * an ordinary load then says.
     * @param {Case} kase
     * @param {boolean} show
     */
    async #reveal(kase, show) {
      const ref = /** @type {string} */ (kase.ref);
      this.#loadAbort?.abort();
      const abort = (this.#loadAbort = new AbortController());
      let body;
      try {
        const response = await this.#fetchOverview(abort.signal, show ? ref : "");
        if (response.ok) body = await response.json();
      } catch {
        if (abort.signal.aborted) return;
      }
      if (!this.#accept(body)) return this.#load();
      const now = this.#data?.cases.find((other) => other.ref == ref);
      if (show && now?.revealed) this.#openCaseIds.add(now.id);
      else this.#openCaseIds.delete(kase.id);
      this.#revealToTell = show ? (now?.revealed ? "" : "gone") : "hidden";
      this.#loadedToTell = true;
      this.#renderNotices();
      this.#render(() => {
        const control = now && this.#rowsByCase.get(now)?.[0].querySelector(".reveal-case");
        (/** @type {HTMLElement | null | undefined} */ (control) ?? this.#ui?.statusRegion)?.focus();
      });
    }

    // ---- Dates to the calendar ----

    /** @param {string} caseIndex */
    #createCalendarButton(caseIndex) {
      return createElement("p", {}, createButton({ "data-action": "calendar", "data-case-index": caseIndex }, this.#translate("calendar.add")));
    }

    /**
     * downloadCalendar hands the user an iCalendar file with the dates of
     * chosen, in the user's language, made here from the cases the element
     * has: nothing is asked of the server and nothing is kept.
     * @param {Case[]} chosen
     */
    async #downloadCalendar(chosen) {
      const translate = this.#translate;
      /** @type {typeof import("./calendar.js")} */
      const { calendarFile } = await import(new URL(CALENDAR_MODULE, import.meta.url).href);
      const entries = chosen.map((kase) => {
        const event = kase.plannedEvent || kase.title;
        const summary = kase.status == "action_required" ? translate("calendar.deadline", { Event: event }) : event;
        return { start: /** @type {string} */ (kase.plannedTime), summary, reminder: summary, description: translate("calendar.caseWith", { Name: kase.sender.name, Title: kase.title }), lang: kase.lang };
      });
      const text = calendarFile(entries);
      const url = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
      const download = createElement("a", { href: url, download: translate("calendar.file") + ".ics", hidden: true });
      this.#shadow?.append(download);
      download.click();
      download.remove();
      // Revoked later: some browsers read the file after click() returns.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }

    // ---- The session's end (WCAG 2.2.1, timing adjustable) ----
    // The element looks at the session's clock (GET {mount}/api/session,
    // which does not count as use) when it should next matter: shortly
    // before the end it offers, in a modal dialog, to stay logged in (POST,
    // which does); at the end it removes every case from the page and shows
    // the login state. Another tab that kept the session alive moves the
    // end, and the next look sees it. A kit whose portal keeps sessions
    // itself answers 204: then there is nothing to watch.

    /** @param {string} name a route of the kit's API beside src */
    #apiUrl(name) {
      return new URL(name, this.#api()).href;
    }

    /**
     * watchSession looks at the session's clock now, or after delay ms.
     * @param {number} [delay]
     */
    #watchSession(delay = 0) {
      clearTimeout(this.#sessionTimer);
      if (!this.#sessionEnded) this.#sessionTimer = setTimeout(() => this.#checkSession(), delay);
    }

    /** @param {RequestInit} [init] */
    async #checkSession(init) {
      /** @type {Response | undefined} */
      let response;
      /** @type {{seconds?: unknown, warnBefore?: unknown, extendable?: unknown} | undefined} */
      let clock;
      try {
        response = await fetch(this.#apiUrl("session"), { cache: "no-store", credentials: "include", ...init });
        // 204: the portal keeps its sessions itself; no clock to watch.
        if (response.status == 204) return;
        if (response.ok) clock = await response.json();
      } catch {
        // Offline for a moment: look again in a while.
        return this.#watchSession(30_000);
      }
      if (response.status == 401) return this.#endSession();
      if (typeof clock?.seconds != "number" || typeof clock.warnBefore != "number") return;
      const { seconds, warnBefore } = clock;
      if (seconds > warnBefore) {
        this.#expiryDialog?.close();
        return this.#watchSession((seconds - warnBefore) * 1000);
      }
      this.#offerToStay(new Date(Date.now() + seconds * 1000), clock.extendable !== false);
      // While the dialog is open, look every 15 s whether another tab kept
      // the session alive, and right after the end.
      this.#watchSession(Math.min(15, seconds + 1) * 1000);
    }

    /**
     * offerToStay opens the modal dialog saying when the session ends, with
     * a button that keeps it (or, when the absolute limit comes first and
     * nothing can move it, only closes the dialog). showModal makes the rest
     * of the page inert and moves focus into the dialog; closing it returns
     * focus where it was.
     * @param {Date} end
     * @param {boolean} extendable
     */
    #offerToStay(end, extendable) {
      if (this.#expiryDialog?.open) return;
      const translate = this.#translate;
      const time = new Intl.DateTimeFormat(this.#language, { timeStyle: "short", timeZone: "Europe/Stockholm" }).format(end);
      const button = createButton({ autofocus: true }, translate(extendable ? "expiry.stay" : "expiry.ok"));
      const dialog = createElement(
        "dialog",
        { class: "expiry", part: "expiry", role: "alertdialog", "aria-labelledby": "expiry-title", "aria-describedby": "expiry-text", ...this.#ownLanguage },
        createElement("h2", { id: "expiry-title" }, translate("expiry.title")),
        createElement("p", { id: "expiry-text" }, translate(extendable ? "expiry.text" : "expiry.final", { Time: time })),
        button,
      );
      const before = /** @type {HTMLElement | null} */ (this.#shadow?.activeElement ?? document.activeElement);
      button.addEventListener("click", () => (extendable ? this.#stayLoggedIn() : dialog.close()));
      dialog.addEventListener("close", () => {
        dialog.remove();
        if (before?.isConnected) before.focus();
      });
      this.#expiryDialog?.remove();
      this.#expiryDialog = dialog;
      this.#shadow?.append(dialog);
      dialog.showModal();
    }

    // csrfToken is the session's CSRF token for a request that changes
    // something, or null when the session has ended; "" when the kit keeps
    // no sessions (the portal does, and guards its own requests).
    async #csrfToken() {
      const response = await fetch(this.#apiUrl("csrf"), { cache: "no-store", credentials: "include" });
      if (response.status == 401) return null;
      if (response.status == 404) return "";
      if (!response.ok) throw new Error("no CSRF token");
      return String((await response.json()).token);
    }

    // stayLoggedIn uses the session (a POST with the session's CSRF token),
    // which starts its idle time anew.
    async #stayLoggedIn() {
      try {
        const token = await this.#csrfToken();
        if (token == null) return this.#endSession();
        await this.#checkSession({ method: "POST", headers: { "X-CSRF-Token": token } });
      } catch {
        this.#watchSession(30_000);
      }
    }

    // switchDiscreet saves discreet mode's opposite in the customer's
    // preferences (the kit's preferences API, as the portal's settings
    // page saves them) and fetches the overview again: the kit leaves the
    // producers' texts out (or in) itself, so in discreet mode they never
    // reach the page. A failure is a notice, and the mode stays as it was.
    async #switchDiscreet() {
      const url = this.#apiUrl("preferences");
      try {
        const token = await this.#csrfToken();
        if (token == null) return this.#load(); // the session ended: the kit says so
        const current = await fetch(url, { cache: "no-store", credentials: "include" });
        if (!current.ok) throw new Error("preferences unavailable");
        const preferences = { ...(await current.json()), discreet: !this.#data?.discreet };
        const saved = await fetch(url, {
          method: "PUT",
          cache: "no-store",
          credentials: "include",
          headers: { "Content-Type": "application/json", ...(token && { "X-CSRF-Token": token }) },
          body: JSON.stringify(preferences),
        });
        if (!saved.ok) throw new Error("preferences not saved");
        this.#discreetFailed = false;
        this.#load();
      } catch {
        this.#discreetFailed = true;
        this.#renderNotices();
      }
    }

    // endSession removes the cases from the page, not just from sight: the
    // rows, the data and the server-rendered markup go; then the element
    // asks the kit again, which answers with the login state and its link.
    async #endSession() {
      clearTimeout(this.#sessionTimer);
      const focusWasHere = this.matches(":focus-within") || !!this.#expiryDialog?.open;
      this.#sessionEnded = true;
      this.#expiryDialog?.close();
      for (const group of this.#ui?.rowGroups.splice(0) ?? []) group.remove();
      this.#rowsByCase = new WeakMap();
      this.#openCaseIds.clear();
      this.#data = null;
      this.replaceChildren();
      this.#emit("session-ended", {});
      await this.#load();
      if (focusWasHere) this.#ui?.heading.focus();
    }

    // ---- Case groups ----

    /**
     * chosenGroup is the customer's group the query shows, if it is one of
     * theirs (a group removed since shows every case, as the kit does).
     * @param {Query} query
     */
    #chosenGroup(query) {
      return (query.group && this.#data?.groups?.find((group) => group.id == query.group)) || null;
    }

    /**
     * groupForm is a form post to the kit's case groups (kit/groups.go), as
     * the server renders it; the element sends it itself (#submitGroupForm).
     * @param {string} action the action, then the form's own classes
     * @param {Record<string, string | string[]>} fields
     * @param {Child[]} children
     */
    #groupForm(action, fields, ...children) {
      const [name, ...classes] = action.split(" ");
      const hidden = Object.entries({ action: name, ...fields }).flatMap(([field, values]) =>
        [values].flat().map((value) => createElement("input", { type: "hidden", name: field, value })),
      );
      return createElement("form", { method: "post", action: this.#apiUrl("groups"), class: ["group-form", ...classes].join(" ") }, ...hidden, ...children);
    }

    /**
     * caseGroups is the case's part in the customer's groups: which hold it,
     * a button to take it out of each, and a form to put it in another or a
     * new one; none when the kit keeps no groups (no reference).
     * @param {Case} kase
     * @param {number} index
     */
    #caseGroups(kase, index) {
      const ref = kase.ref;
      if (!ref) return null;
      const translate = this.#translate;
      const groups = this.#data?.groups ?? [];
      const holding = groups.filter((group) => kase.groups?.includes(group.id));
      const others = groups.filter((group) => !kase.groups?.includes(group.id));
      const submit = (/** @type {string} */ text) => createElement("button", { type: "submit", class: "action-button" }, text);
      return createElement(
        "div",
        { class: "case-groups", ...this.#ownLanguage },
        createElement("h3", {}, translate("groups.heading")),
        holding.length > 0 && createElement("p", {}, translate("groups.inGroups", { Names: holding.map((group) => group.name).join(", ") })),
        ...holding.map((group) => this.#groupForm("remove", { group: group.id, ref }, submit(translate("groups.remove", { Name: group.name })))),
        this.#groupForm(
          "add group-add",
          { ref },
          createElement("label", { for: "group-add-" + index }, translate("groups.addTo")),
          createElement(
            "select",
            { id: "group-add-" + index, name: "group" },
            ...others.map((group) => createElement("option", { value: group.id }, group.name)),
            createElement("option", { value: "" }, translate("groups.newGroup")),
          ),
          createElement("label", { for: "group-name-" + index }, translate("groups.newName")),
          createElement("input", { type: "text", id: "group-name-" + index, name: "name", maxlength: 60, autocomplete: "off" }),
          submit(translate("groups.add")),
        ),
      );
    }

    /**
     * submitGroupForm sends a group form with the session's CSRF token and
     * shows the overview again as the kit then compiles it; what the kit
     * refused is said in the notices.
     * @param {HTMLFormElement} form
     */
    async #submitGroupForm(form) {
      const body = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (name != "csrf" && name != "return") body.append(name, String(value));
      try {
        const tokenResponse = await fetch(this.#apiUrl("csrf"), { cache: "no-store", credentials: "include" });
        if (tokenResponse.status == 401) return this.#endSession();
        const { token } = await tokenResponse.json();
        const response = await fetch(this.#apiUrl("groups"), {
          method: "POST",
          credentials: "include",
          headers: { "X-CSRF-Token": String(token), Accept: "application/json", "Accept-Language": this.#language ?? "" },
          body,
        });
        const answer = await response.json();
        this.#groupProblem = response.ok ? "" : answer?.["invalid-params"]?.[0]?.reason || answer?.detail || this.#translate("state.failed");
      } catch {
        this.#groupProblem = this.#translate("state.failed");
      }
      if (this.#groupProblem) return this.#renderNotices();
      this.#focusHeadingWhenLoaded = true;
      await this.#load();
    }

    /** @param {Event} event */
    #onClick(event) {
      const control = /** @type {HTMLElement | null} */ (/** @type {Element} */ (event.target).closest("button:not([type=submit]),a.case-link,a[data-action],summary.case-title"));
      if (!control) return;
      const { action, sortKey, caseIndex } = control.dataset;
      const kase = /** @type {Case} */ (this.#data?.cases[Number(caseIndex)]);
      if (control.matches("a.case-link")) {
        // A portal that opens deep links itself cancels the event.
        if (!this.#emit("open", { id: kase.id, href: /** @type {HTMLAnchorElement} */ (control).href, sender: kase.sender })) event.preventDefault();
      } else if (action == "legend") {
        // The legend's anchor is in the shadow root, out of the page's reach.
        event.preventDefault();
        const legend = /** @type {Ui} */ (this.#ui).legend;
        legend.open = true;
        /** @type {HTMLElement} */ (legend.firstElementChild).focus();
      } else if (action == "discreet") {
        this.#switchDiscreet();
      } else if (action == "reveal" || action == "conceal") {
        this.#reveal(kase, action == "reveal");
      } else if (action == "calendar") {
        this.#downloadCalendar(caseIndex ? [kase] : (this.#data?.cases ?? []).filter(hasCalendarDate));
      } else if (caseIndex) {
        // The <details> would toggle itself: the element does, so that the
        // portal can cancel it and the case stays open when it moves.
        event.preventDefault();
        const open = !(/** @type {HTMLDetailsElement} */ (control.parentElement).open);
        if (!this.#emit("toggle", { id: kase.id, expanded: open })) return;
        this.#setExpanded(kase, Number(caseIndex), /** @type {CaseRows} */ (this.#rowsByCase.get(kase)), open);
        open ? this.#openCaseIds.add(kase.id) : this.#openCaseIds.delete(kase.id);
      } else if (sortKey) {
        const query = this.#query();
        this.#applyUserChoice("sort", { sort: sortKey, order: sortKey == query.sort ? (query.order == "asc" ? "desc" : "asc") : null });
      } else if (action == "clear") {
        this.#applyUserChoice("filter", { "filter-sender": null, "filter-status": null, "filter-text": null, "show-closed": null, "filter-group": null, "filter-new": null });
      } else if (action == "more") {
        const firstNew = this.#shownCount;
        this.#shownCount += this.#pageSizeOrAll();
        this.#render(() => /** @type {NodeListOf<HTMLButtonElement> | undefined} */ (this.#ui?.table.querySelectorAll(".case-title"))?.[firstNew]?.focus());
      } else if (action == "older") {
        // The server-rendered link would load the page again: the element
        // asks the kit itself.
        event.preventDefault();
        this.#focusHeadingWhenLoaded = true;
        this.setAttribute("older", String(this.#older() + 1));
      } else {
        // action == "retry", the last button there is.
        this.#focusHeadingWhenLoaded = true;
        this.#load();
      }
    }

    /** @param {Event} event */
    #onInput(event) {
      const input = event.target;
      // The group forms are sent, not applied as they are filled in.
      if (!(input instanceof Element) || input.closest(".group-form")) return;
      if (input instanceof HTMLSelectElement && input.name == "group") return this.#applyUserChoice("filter", { "filter-group": input.value || null });
      // The sort control applies itself (#applySortControl).
      if (!(input instanceof HTMLInputElement)) return;
      const search = input.type == "search";
      const attribute = search ? "filter-text" : input.name == "scope" ? "show-closed" : "filter-" + input.name;
      const checked = () => [...(this.#ui?.filters.querySelectorAll(`[name=${input.name}]:checked`) ?? [])].map((box) => /** @type {HTMLInputElement} */ (box).value);
      const value = search ? input.value : input.name == "scope" ? SHOW_CLOSED_BY_SCOPE[input.value] : checked().join(",");
      this.#applyUserChoice("filter", { [attribute]: value });
    }

    /**
     * applyUserChoice applies what the user chose to the attributes, tells
     * the portal (arendevy-sort, arendevy-filter) and takes it back if the
     * portal cancels the event.
     * @param {"sort" | "filter"} event
     * @param {Record<string, string | null>} attributes
     */
    #applyUserChoice(event, attributes) {
      /** @type {Record<string, string | null>} */
      const before = {};
      // The user chose: the query the page's address could not use is past.
      this.removeAttribute("query-refused");
      for (const name in attributes) {
        before[name] = this.getAttribute(name);
        this.#setOrRemoveAttribute(name, attributes[name]);
      }
      const { sort, order, ...filter } = this.#query();
      if (!this.#emit(event, event == "sort" ? { sort, order } : filter)) for (const name in before) this.#setOrRemoveAttribute(name, before[name]);
    }
  }

  customElements.get("arendevy-overview") || customElements.define("arendevy-overview", ArendevyOverview);
}
