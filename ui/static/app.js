// Herald UI: the only script (no inline script, per the Content-Security-Policy).
// Copy buttons copy the text of the element their data-copy attribute names.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (!target) return;
  try {
    await navigator.clipboard.writeText(target.innerText);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Select and copy";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
});

// Inputs with data-suggest fill their datalist with the subjects that start
// with what was typed (the page lists only the first ones).
let suggesting;
document.addEventListener("input", (event) => {
  const input = event.target.closest("input[data-suggest]");
  if (!input || !input.list) return;
  clearTimeout(suggesting);
  suggesting = setTimeout(async () => {
    const url = `${input.dataset.suggest}?subjectPrefix=${encodeURIComponent(input.value)}&limit=50`;
    try {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      if (!response.ok) return;
      const subjects = await response.json();
      input.list.replaceChildren(...subjects.map((subject) => {
        const option = document.createElement("option");
        option.value = subject;
        return option;
      }));
    } catch {
      // Suggestions are a convenience: the form works without them.
    }
  }, 150);
});

