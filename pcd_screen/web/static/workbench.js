// The workbench's only script: screen again as soon as an answer changes (the server renders
// the page; without this script the "Screen again" button does the same).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("answers");
  if (!form) return;
  form.addEventListener("change", (event) => {
    if (event.target && event.target.name === "officer") return;
    form.requestSubmit();
  });
});
