// A results component without a status region, with an unnamed button in
// its shadow root.
customElements.define("x-results", class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: "open" });
    const p = document.createElement("p");
    p.textContent = "3 cases";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    root.append(p, close);
  }
});

// A focus trap: Tab from the second field jumps back to the first.
document.getElementById("trap-b").addEventListener("keydown", (e) => {
  if (e.key === "Tab" && !e.shiftKey) {
    e.preventDefault();
    document.getElementById("trap-a").focus();
  }
});
