// The workbench's only script: screen again as soon as an answer changes, and sign each
// decision with the name in the "your name" field (the server renders everything; without
// this script the "Screen again" button does the same and the name is taken from the answers).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("answers");
  const officer = document.getElementById("officer");
  if (form) {
    form.addEventListener("change", (event) => {
      if (event.target === officer) return;
      form.requestSubmit();
    });
  }
  for (const decide of document.querySelectorAll("form.decide")) {
    decide.addEventListener("submit", () => {
      const signed = decide.querySelector('input[name="officer"]');
      // the name typed at the decision itself stands when the "your name" field is empty
      if (officer && signed && officer.value.trim()) signed.value = officer.value;
    });
  }
});
