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
