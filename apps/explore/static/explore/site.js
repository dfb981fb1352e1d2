// Progressive enhancement of the public pages: the pages work without it.
// The network's filters redraw as soon as a filter changes.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("network-filters");
  if (form) {
    form.addEventListener("change", () => form.submit());
  }
});
