/* The teacher's visit form (templates/admin/visits/my_form.html): only the part of the chosen
   kind of visit shows, and a page sent back with errors opens at the first one. Without this
   script every part shows and the server still says what is wrong beside each field. */
(function () {
  'use strict';
  var form = document.getElementById('visit-form');
  if (!form) {
    return;
  }
  var target = form.elements.target;

  function showChosenKind() {
    form.querySelectorAll('[data-target]').forEach(function (part) {
      var chosen = part.getAttribute('data-target') === target.value;
      part.hidden = !chosen;
      // A hidden part is not sent: a family's answers never reach a staff interview's record.
      part.querySelectorAll('input, select, textarea').forEach(function (control) {
        control.disabled = !chosen;
      });
    });
  }

  target.addEventListener('change', showChosenKind);
  showChosenKind();

  var first = form.querySelector('#form-refusal, .is-invalid, .field-errors');
  function openAtFirstError() {
    first.scrollIntoView({block: 'center'});
    first.focus({preventScroll: true});
  }
  if (first) {
    openAtFirstError();
    // Styles and fonts still loading move the field: scroll to it again once the page is laid out.
    window.addEventListener('load', openAtFirstError);
  }
})();
