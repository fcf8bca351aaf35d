// Confirmation before destructive actions: <form data-confirm="Удалить?">. With data-confirm-if="unchecked"
// the question is asked only when something would be lost: a box that was ticked when the page opened is unticked.
function somethingUnchecked(form) {
  return Array.prototype.some.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
    return box.defaultChecked && !box.checked;
  });
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  var asker = form.hasAttribute("data-confirm") ? form : event.submitter;
  var question = asker && asker.getAttribute("data-confirm");
  if (question && asker.getAttribute("data-confirm-if") === "unchecked" && !somethingUnchecked(form)) {
    question = null;
  }
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
