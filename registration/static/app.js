// After a failed submit the error summary takes the focus, so that a screen reader announces it
// and a keyboard user can follow its links to each field.
(function () {
  "use strict";
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
