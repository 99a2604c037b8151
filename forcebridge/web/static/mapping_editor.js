// The mapping editor: Enter in the new row's source box adds the row. The form's first submit
// button, the one a browser presses for Enter, is a disabled one, so that Enter in a row's
// field presses nothing (it would add or save while the admin is typing); without this script,
// Enter in the box presses nothing either, and Add row adds it.
"use strict";
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (event.key !== "Enter" || event.isComposing || !(box instanceof HTMLInputElement)) return;
  if (box.name !== "new_source" || !box.form) return;
  const add = box.form.querySelector("button[name=action][value=add]");
  if (!add) return;
  event.preventDefault();
  box.form.requestSubmit(add);
});
