// Behaviours of the single-problem pages, keyed by the elements present.
const toggle = (el) => {
  const open = el.getAttribute("aria-expanded") !== "true";
  el.setAttribute("aria-expanded", String(open));
  document.getElementById(el.id + "-panel").hidden = !open;
};

// Opens with Enter only: Space does nothing.
document.getElementById("enter-only")?.addEventListener("keydown", (e) => {
  if (e.key === "Enter") toggle(e.currentTarget);
});

// Works with both keys, but on an element whose role cannot be expanded.
document.getElementById("generic")?.addEventListener("keydown", (e) => {
  if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    toggle(e.currentTarget);
  }
});

// A modal dialog, open from the start, in a shadow root as the element's
// session dialog is: the page behind it is inert, and Escape closes it.
customElements.define(
  "x-modal",
  class extends HTMLElement {
    connectedCallback() {
      const shadow = this.attachShadow({ mode: "open" });
      shadow.innerHTML = `<style>button { min-width: 44px; min-height: 44px; } :focus-visible { outline: 3px solid #1a1a1a; }</style>
        <dialog role="alertdialog" aria-labelledby="t"><h2 id="t">Still there?</h2><button type="button" autofocus>Yes</button></dialog>`;
      const dialog = shadow.querySelector("dialog");
      dialog.querySelector("button").addEventListener("click", () => dialog.close());
      dialog.showModal();
    }
  },
);
