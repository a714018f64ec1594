// A disclosure in a shadow root, built like the overview's rows: a native
// button with aria-expanded and aria-controls.
const sheet = new CSSStyleSheet();
sheet.replaceSync(`
  button { font: inherit; min-height: 2.75rem; padding: 0.5rem 0.75rem; border: 2px solid #1a1a1a;
           border-radius: 4px; background: #fff; color: #1a1a1a; }
  button:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
`);

customElements.define("x-disclosure", class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [sheet];
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Show details";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "panel");
    const panel = document.createElement("div");
    panel.id = "panel";
    panel.hidden = true;
    panel.textContent = "Received on 3 March. A decision is expected within four weeks.";
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      panel.hidden = !open;
    });
    root.append(button, panel);
  }
});

// Results with a polite status region that announces the count.
customElements.define("x-results", class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: "open" });
    const status = document.createElement("p");
    status.setAttribute("role", "status");
    status.textContent = "3 cases";
    root.append(status);
  }
});
