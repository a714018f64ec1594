// The in-page half of the accessibility checks. It runs in the checker's
// isolated world (see e2e/browser), so it sees the DOM, open shadow roots
// included, but not the page's scripts, and the page's CSP does not apply.
// Every function returns plain JSON for the Go half, which decides what is a
// finding. Elements are named by shadow-piercing selectors ("host >>> inner").
globalThis.__arendevyA11y = (() => {
  "use strict";

  // Stable ids for elements across calls within one document.
  const ids = new WeakMap();
  const byId = new Map();
  let nextId = 1;
  const idOf = (el) => {
    let id = ids.get(el);
    if (!id) {
      id = nextId++;
      ids.set(el, id);
      byId.set(id, new WeakRef(el));
    }
    return id;
  };
  const elementOf = (id) => byId.get(id)?.deref() ?? null;

  // Every element of the document and of its open shadow roots.
  const deepElements = () => {
    const out = [];
    const visit = (node) => {
      for (let c = node.firstElementChild; c; c = c.nextElementSibling) {
        out.push(c);
        if (c.shadowRoot) visit(c.shadowRoot);
        visit(c);
      }
    };
    visit(document);
    return out;
  };

  // The parent in the composed tree: across a shadow root to its host.
  const composedParent = (el) => el.parentElement ?? (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
  const composedContains = (outer, inner) => {
    for (let n = inner; n; n = n.parentNode ?? n.host ?? null) if (n === outer) return true;
    return false;
  };

  const escapeId = (id) => "#" + CSS.escape(id);
  const uniqueId = (el, root) => el.id && root.querySelectorAll(escapeId(el.id)).length === 1;
  const selectorIn = (el, root) => {
    if (el === document.documentElement) return "html";
    const path = [];
    for (let n = el; n && n.localName !== "html"; n = n.parentElement) {
      if (uniqueId(n, root)) {
        path.unshift(escapeId(n.id));
        break;
      }
      let part = n.localName;
      const parent = n.parentElement ?? n.parentNode;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === n.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(n) + 1})`;
      }
      path.unshift(part);
    }
    return path.join(" > ");
  };
  const selectorOf = (el) => {
    const parts = [];
    for (let n = el; n; ) {
      const root = n.getRootNode();
      parts.unshift(selectorIn(n, root));
      n = root instanceof ShadowRoot ? root.host : null;
    }
    return parts.join(" >>> ");
  };

  const visible = (el) => el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });
  const ariaHidden = (el) => {
    for (let n = el; n; n = composedParent(n)) if (n.getAttribute("aria-hidden") === "true") return true;
    return false;
  };
  const frames = (n = 2) =>
    new Promise((resolve) => {
      const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
      requestAnimationFrame(step);
    });

  // Colours: computed values are rgb()/rgba() in Chromium.
  const parseColor = (s) => {
    const m = /rgba?\(([^)]+)\)/.exec(s);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const opaque = (s) => (parseColor(s)?.a ?? 1) > 0.05;
  const luminance = ({ r, g, b }) => {
    const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // The colour behind el: the first opaque background of it or an ancestor;
  // null when an image is in the way and the colour cannot be known.
  const backgroundOf = (el) => {
    for (let n = el; n; n = composedParent(n)) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage !== "none") return null;
      const c = parseColor(cs.backgroundColor);
      if (c && c.a > 0.95) return c;
    }
    return parseColor(getComputedStyle(document.documentElement).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
  };
  const ownText = (el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim() !== "");

  // ---- keyboard ---------------------------------------------------------

  const FOCUSABLE =
    'a[href], area[href], button, input:not([type="hidden"]), select, textarea, summary, iframe, ' +
    'audio[controls], video[controls], [contenteditable]:not([contenteditable="false"]), [tabindex]';
  // Roles that promise keyboard operation; composite children (options,
  // menu items, tabs, tree items) are left out because they are reached by
  // roving tabindex or aria-activedescendant.
  const ACTIVE_ROLES = new Set(["button", "link", "checkbox", "radio", "switch", "slider", "spinbutton", "combobox", "textbox", "searchbox"]);

  const tabbable = (el) => {
    if (!el.matches(FOCUSABLE) || el.tabIndex < 0 || el.matches(":disabled") || !visible(el)) return false;
    if (el.localName === "summary") return el.parentElement?.localName === "details" && el.parentElement.querySelector(":scope > summary") === el;
    if (el.localName === "input" && el.type === "radio" && el.name) {
      // One tab stop per radio group: the checked radio, else the first.
      const scope = el.form ?? el.getRootNode();
      const group = [...scope.querySelectorAll(`input[type="radio"][name="${CSS.escape(el.name)}"]`)];
      const checked = group.find((r) => r.checked);
      return checked ? checked === el : group[0] === el;
    }
    return true;
  };

  // within reports whether el is inside container in the composed tree
  // (shadow roots included).
  const within = (container, el) => {
    for (let n = el; n; n = composedParent(n)) if (n === container) return true;
    return false;
  };

  // behindModal tells the elements an open modal dialog makes inert: the
  // rest of the page. Tab is meant to stay in the dialog (Escape closes
  // it), so only its controls are expected to be reached or used.
  const behindModal = (all) => {
    const modal = all.find((el) => el.localName === "dialog" && el.matches(":modal"));
    return (el) => !!modal && !within(modal, el);
  };

  const deepActive = () => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };

  const finishTransitions = (els) => {
    const all = [...document.getAnimations()];
    for (const el of els) all.push(...el.getAnimations());
    for (const a of all) if (a instanceof CSSTransition) a.finish();
  };

  const paintedOutline = (cs) => cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0 && opaque(cs.outlineColor);
  const paintedShadow = (cs) => cs.boxShadow !== "none" && (cs.boxShadow.match(/rgba?\([^)]*\)/g) ?? ["rgb(0,0,0)"]).some(opaque);
  const pseudoSig = (el, which) => {
    const cs = getComputedStyle(el, which);
    if (cs.content === "none" || cs.content === "normal") return "";
    return [cs.backgroundColor, cs.borderTopColor, cs.borderTopWidth, paintedOutline(cs) ? cs.outlineColor : "", paintedShadow(cs) ? cs.boxShadow : "", cs.opacity].join(" ");
  };
  // What focus could change on an element so that a sighted user sees it.
  const signature = (el) => {
    const cs = getComputedStyle(el);
    const border = ["Top", "Right", "Bottom", "Left"]
      .map((side) => (parseFloat(cs[`border${side}Width`]) > 0 ? cs[`border${side}Color`] + cs[`border${side}Width`] : ""))
      .join(" ");
    return {
      outline: paintedOutline(cs) ? `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor} ${cs.outlineOffset}` : "",
      shadow: paintedShadow(cs) ? cs.boxShadow : "",
      background: cs.backgroundColor + " " + cs.backgroundImage,
      border,
      decoration: cs.textDecorationLine + " " + cs.textDecorationColor,
      color: cs.color,
      pseudo: pseudoSig(el, "::before") + "|" + pseudoSig(el, "::after"),
    };
  };
  // The element and two composed ancestors: focus rings are often drawn by
  // a wrapper (:focus-within) or by a shadow host (:host(:focus-within)).
  const chain = (el) => {
    const out = [el];
    for (let n = composedParent(el); n && out.length < 3 && n !== document.body && n !== document.documentElement; n = composedParent(n)) out.push(n);
    return out;
  };
  let baseline = new Map();

  const deepHit = (x, y) => {
    let hit = document.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit;
  };
  const positioned = (el) => {
    for (let n = el; n; n = composedParent(n)) {
      const p = getComputedStyle(n).position;
      if (p === "fixed" || p === "sticky") return n;
    }
    return el;
  };
  // Whether author content covers every sample point of the element.
  const coverage = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return { noSize: true };
    const inset = Math.min(2, r.width / 4, r.height / 4);
    const points = [
      [r.left + r.width / 2, r.top + r.height / 2],
      [r.left + inset, r.top + inset],
      [r.right - inset, r.top + inset],
      [r.left + inset, r.bottom - inset],
      [r.right - inset, r.bottom - inset],
    ];
    let outside = 0;
    let covered = 0;
    let by = null;
    for (const [x, y] of points) {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) {
        outside++;
        continue;
      }
      const hit = deepHit(x, y);
      if (!hit || composedContains(el, hit) || composedContains(hit, el) || [...(el.labels ?? [])].includes(hit)) continue;
      covered++;
      by ??= hit;
    }
    return {
      outside: outside === points.length,
      covered: covered > 0 && covered + outside === points.length,
      by: by ? selectorOf(positioned(by)) : "",
    };
  };
  const settleScroll = async () => {
    for (let i = 0, last = ""; i < 60; i++) {
      await frames(1);
      const now = `${scrollX},${scrollY}`;
      if (now === last) return;
      last = now;
    }
  };

  // Starts a keyboard walk: forgets focus, records how every tabbable
  // element looks unfocused, and lists what the walk should reach.
  const walkStart = async () => {
    const active = deepActive();
    if (active && active !== document.body) active.blur();
    await frames(1);
    const all = deepElements();
    const inert = behindModal(all);
    const stops = all.filter((el) => tabbable(el) && !inert(el));
    finishTransitions(stops);
    baseline = new Map();
    for (const el of stops) for (const n of chain(el)) if (!baseline.has(n)) baseline.set(n, signature(n));
    return {
      expected: stops.map((el) => ({ id: idOf(el), selector: selectorOf(el) })),
      positive: stops.filter((el) => el.tabIndex > 0).map((el) => ({ id: idOf(el), selector: selectorOf(el), tabIndex: el.tabIndex })),
      unfocusable: all
        .filter((el) => ACTIVE_ROLES.has(el.getAttribute("role")) && !el.matches(FOCUSABLE) && el.getAttribute("aria-disabled") !== "true" && visible(el))
        .map((el) => ({ id: idOf(el), selector: selectorOf(el), role: el.getAttribute("role") })),
    };
  };

  // Describes the element that has focus after a Tab press.
  const walkStep = async () => {
    await settleScroll();
    const el = deepActive();
    if (!el || el === document.body || el === document.documentElement) return { boundary: true };
    const nodes = chain(el);
    finishTransitions(nodes);
    let indicator = "";
    for (const n of nodes) {
      const now = signature(n);
      const before = baseline.get(n);
      const changed = before ? Object.keys(now).filter((k) => now[k] !== before[k]) : [now.outline && "outline", now.shadow && "shadow"].filter(Boolean);
      if (changed.length) {
        indicator = `${changed.join("+")} on ${n === el ? "the element" : selectorOf(n)}`;
        break;
      }
    }
    return { id: idOf(el), selector: selectorOf(el), frame: el.localName === "iframe", indicator, ...coverage(el) };
  };

  // ---- disclosures --------------------------------------------------------

  const disclosures = () => {
    const all = deepElements();
    const inert = behindModal(all);
    return all
      .filter((el) => (el.hasAttribute("aria-expanded") || el.localName === "summary") && visible(el) && !inert(el))
      .filter((el) => !(el.localName === "a" || el.localName === "input" || (el.localName === "button" && el.type === "submit" && el.form)))
      .map((el) => ({ id: idOf(el), selector: selectorOf(el) }));
  };
  const expandedState = (id) => {
    const el = elementOf(id);
    if (!el) return "gone";
    if (el.localName === "summary") return el.parentElement?.open ? "true" : "false";
    return el.getAttribute("aria-expanded") ?? "none";
  };
  const focusById = async (id) => {
    const el = elementOf(id);
    el?.focus();
    await frames(1);
    return !!el && deepActive() === el;
  };

  // ---- reflow, resize, spacing -------------------------------------------

  // Whether an ancestor (below the page) clips or scrolls el horizontally:
  // then el cannot make the page scroll sideways.
  const contained = (el) => {
    for (let n = composedParent(el); n && n !== document.body && n !== document.documentElement; n = composedParent(n)) {
      if (getComputedStyle(n).overflowX !== "visible") return true;
    }
    return false;
  };
  const outermost = (els) => {
    const set = new Set(els);
    return els.filter((el) => {
      for (let n = composedParent(el); n; n = composedParent(n)) if (set.has(n)) return false;
      return true;
    });
  };
  const reflow = () => {
    const width = document.documentElement.clientWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width + 1) return { width, scrollWidth, offenders: [] };
    // Boxes that stick out, and text that sticks out of a box that fits (a
    // long URL that cannot wrap); either is named where it starts.
    const page = [document.documentElement, document.body];
    const right = (r) => r.right + scrollX > width + 1;
    const boxes = outermost(deepElements().filter((el) => !page.includes(el) && visible(el) && right(el.getBoundingClientRect()) && !contained(el)));
    const texts = new Set();
    const walker = (root) => document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const roots = [document.body, ...deepElements().filter((el) => el.shadowRoot).map((el) => el.shadowRoot)];
    for (const root of roots) {
      for (let w = walker(root), t = w.nextNode(); t; t = w.nextNode()) {
        const parent = t.parentElement;
        if (!parent || t.data.trim() === "" || !visible(parent) || contained(parent) || boxes.some((b) => composedContains(b, parent))) continue;
        const range = document.createRange();
        range.selectNodeContents(t);
        if (right(range.getBoundingClientRect())) texts.add(parent);
      }
    }
    return {
      width,
      scrollWidth,
      offenders: [...boxes, ...texts].slice(0, 10).map(selectorOf),
    };
  };

  const clipAxis = (el) => {
    const cs = getComputedStyle(el);
    const hides = (o) => o === "hidden" || o === "clip";
    if (!hides(cs.overflowX) && !hides(cs.overflowY)) return "";
    if (el.clientWidth <= 1 || el.clientHeight <= 1 || !visible(el)) return ""; // the visually-hidden pattern
    if ((el.shadowRoot?.textContent ?? "").trim() === "" && el.textContent.trim() === "") return "";
    const x = hides(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const y = hides(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
    return x && y ? "both" : x ? "horizontal" : y ? "vertical" : "";
  };
  const clipped = () =>
    deepElements()
      .map((el) => ({ el, axis: clipAxis(el) }))
      .filter((c) => c.axis)
      .map((c) => ({ id: idOf(c.el), selector: selectorOf(c.el), axis: c.axis }));

  // Text-only zoom: every element gets twice its computed font size. Sizes
  // are read first and written after, so inheritance does not double twice.
  // Inline styles through the CSSOM are not subject to the page's CSP.
  const textZoom = async (factor) => {
    const els = deepElements().filter((el) => el.style);
    const sizes = els.map((el) => parseFloat(getComputedStyle(el).fontSize));
    els.forEach((el, i) => el.style.setProperty("font-size", `${sizes[i] * factor}px`, "important"));
    await frames(2);
  };
  // The WCAG 1.4.12 text-spacing override, on every element, shadow trees too.
  const textSpacing = async () => {
    for (const el of deepElements()) {
      if (!el.style) continue;
      el.style.setProperty("line-height", "1.5", "important");
      el.style.setProperty("letter-spacing", "0.12em", "important");
      el.style.setProperty("word-spacing", "0.16em", "important");
      if (el.localName === "p") el.style.setProperty("margin-bottom", "2em", "important");
    }
    await frames(2);
  };

  // ---- target size ----------------------------------------------------------

  const TARGETS =
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="link"], ' +
    '[role="checkbox"], [role="radio"], [role="switch"], [role="tab"], [role="menuitem"], [role="option"], [tabindex]:not([tabindex="-1"])';
  const docRect = (r) => ({ left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX, bottom: r.bottom + scrollY });
  const union = (a, b) => ({ left: Math.min(a.left, b.left), top: Math.min(a.top, b.top), right: Math.max(a.right, b.right), bottom: Math.max(a.bottom, b.bottom) });
  // A checkbox or radio is activated through its labels too.
  const targetRect = (el) => {
    let r = docRect(el.getBoundingClientRect());
    if (el.localName === "input" && (el.type === "checkbox" || el.type === "radio")) {
      for (const label of el.labels ?? []) if (visible(label)) r = union(r, docRect(label.getBoundingClientRect()));
    }
    return r;
  };
  // A link inside a sentence is exempt: its size is set by the line of text.
  const inlineInText = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    let block = composedParent(el);
    while (block && getComputedStyle(block).display === "inline") block = composedParent(block);
    return !!block && block.textContent.trim().length > el.textContent.trim().length;
  };
  const distToRect = (x, y, r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  const targetSize = () => {
    const targets = deepElements()
      .filter((el) => el.matches(TARGETS) && !el.matches(":disabled") && visible(el))
      .map((el) => ({ el, r: targetRect(el) }))
      .filter(({ r }) => r.right - r.left > 1 && r.bottom - r.top > 1 && r.right > 0 && r.bottom > 0);
    for (const t of targets) {
      t.w = t.r.right - t.r.left;
      t.h = t.r.bottom - t.r.top;
      t.cx = t.r.left + t.w / 2;
      t.cy = t.r.top + t.h / 2;
      t.small = t.w < 24 || t.h < 24;
    }
    const out = [];
    for (const t of targets) {
      if (!t.small || inlineInText(t.el)) continue;
      const crowd = targets.find(
        (o) =>
          o !== t &&
          !composedContains(o.el, t.el) &&
          !composedContains(t.el, o.el) &&
          (distToRect(t.cx, t.cy, o.r) < 12 || (o.small && Math.hypot(o.cx - t.cx, o.cy - t.cy) < 24)),
      );
      if (crowd) {
        out.push({ selector: selectorOf(t.el), width: Math.round(t.w * 10) / 10, height: Math.round(t.h * 10) / 10, near: selectorOf(crowd.el) });
      }
    }
    return out;
  };

  // ---- visibility under emulation -------------------------------------------

  const effectiveOpacity = (el) => {
    let o = 1;
    for (let n = el; n; n = composedParent(n)) o *= parseFloat(getComputedStyle(n).opacity);
    return o;
  };
  const invisibleText = () =>
    deepElements()
      .filter((el) => ownText(el) && visible(el) && !ariaHidden(el) && el.clientWidth !== 1)
      .map((el) => {
        if (effectiveOpacity(el) < 0.1) return { selector: selectorOf(el), why: "transparent" };
        const fg = parseColor(getComputedStyle(el).color);
        const bg = backgroundOf(el);
        if (fg && fg.a < 0.1) return { selector: selectorOf(el), why: "transparent text colour" };
        if (fg && bg && contrast(fg, bg) < 1.5) return { selector: selectorOf(el), why: `text colour ${getComputedStyle(el).color} on a background of the same colour` };
        return null;
      })
      .filter(Boolean)
      .slice(0, 20);

  const animations = () => {
    const all = [...document.getAnimations()];
    for (const el of deepElements()) if (el.shadowRoot) all.push(...el.shadowRoot.getAnimations());
    const seen = new Set();
    return all
      .filter((a) => a.playState === "running" && a.effect?.target && !seen.has(a) && seen.add(a))
      .map((a) => ({ a, t: a.effect.getComputedTiming() }))
      .filter(({ t }) => t.iterations === Infinity || t.activeDuration > 5000)
      .map(({ a, t }) => ({
        selector: selectorOf(a.effect.target),
        name: a.animationName ?? a.transitionProperty ?? "",
        infinite: t.iterations === Infinity,
      }));
  };

  // ---- language and links ---------------------------------------------------

  const SKIP_TEXT = new Set(["script", "style", "noscript", "template", "code", "pre"]);
  const language = () => {
    const lang = document.documentElement.getAttribute("lang");
    const primary = (lang ?? "").split("-")[0].toLowerCase();
    let text = "";
    const visit = (node) => {
      for (const child of node.childNodes) {
        if (text.length > 20000) return;
        if (child.nodeType === Node.TEXT_NODE) {
          text += " " + child.data;
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          if (SKIP_TEXT.has(child.localName) || !visible(child)) continue;
          // Parts in another declared language are 3.1.2's business.
          const own = child.getAttribute("lang");
          if (own !== null && own.split("-")[0].toLowerCase() !== primary) continue;
          if (child.shadowRoot) visit(child.shadowRoot);
          visit(child);
        }
      }
    };
    if (document.body) visit(document.body);
    return { lang, text: text.replace(/\s+/g, " ").trim() };
  };

  const links = () =>
    deepElements()
      .filter((el) => el.localName === "a" && el.href && !el.hasAttribute("download"))
      .map((el) => el.href);

  return {
    selectorOf,
    walkStart,
    walkStep,
    disclosures,
    expandedState,
    focusById,
    settle: () => frames(2),
    reflow,
    clipped,
    textZoom,
    textSpacing,
    targetSize,
    invisibleText,
    animations,
    language,
    links,
  };
})();
