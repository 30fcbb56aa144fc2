// PrepDeck's small behaviours: keyboard shortcuts, the review keys, countdown timers and confirmations.
// Loaded as a file (the Content-Security-Policy allows no inline script); every page works without it.
(function () {
  "use strict";

  function typingIn(target) {
    if (!target || !(target instanceof Element)) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/i.test(target.type));
  }

  function clickIfUsable(selector, root) {
    var element = (root || document).querySelector(selector);
    if (element && !element.disabled && element.offsetParent !== null) {
      element.click();
      return true;
    }
    return false;
  }

  // --- global shortcuts: "/" search, "?" help, "g" then a letter to go somewhere ---------------------------
  var pendingGo = null;
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    // Ctrl+Enter in the typed-answer box shows (and grades) the answer.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target instanceof Element &&
        event.target.matches("[data-typed-answer]")) {
      if (clickIfUsable('[data-action="show"]', event.target.closest("[data-review]"))) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingIn(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (event.key === "?" && dialog && !dialog.open) {
      event.preventDefault();
      dialog.showModal();
      return;
    }
    if (pendingGo) {
      clearTimeout(pendingGo);
      pendingGo = null;
      var link = document.querySelector('[data-goto="' + event.key + '"]');
      if (link) {
        event.preventDefault();
        window.location.href = link.href;
      }
      return;
    }
    if (event.key === "g") {
      pendingGo = setTimeout(function () { pendingGo = null; }, 1200);
      return;
    }
    if (event.key === "/") {
      var search = document.querySelector('[data-shortcut="/"]');
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
      return;
    }
    if (liveKeys(event)) return;
    reviewKeys(event);
  });

  // --- the interviewer's live view: n reveal, t question timer, 1-9 tick a rubric point, p notes -------
  function liveKeys(event) {
    var live = document.querySelector('[data-interview][data-role="interviewer"]');
    if (!live) return false;
    var current = Number(live.dataset.current);
    var key = event.key;
    if (key === "n") {
      if (clickIfUsable('[data-op="reveal"]', live)) event.preventDefault();
    } else if (key === "t") {
      // the page keeps whether the question timer runs (from the server's state) in data-question-timer
      var running = live.dataset.questionTimer === "running";
      var button = '[data-op="timer"][data-scope="question"][data-running="' + (running ? "0" : "1") + '"]';
      if (clickIfUsable(button, live)) event.preventDefault();
    } else if (/^[1-9]$/.test(key) && current >= 0) {
      var box = live.querySelector('[data-tick][data-index="' + current + '"][data-point="' + (Number(key) - 1) + '"]');
      if (box && !box.disabled) {
        box.click();  // toggles it and fires "change", which sends the tick
        event.preventDefault();
      }
    } else if (key === "p" && current >= 0) {
      var note = live.querySelector('[data-note="' + current + '"]');
      if (note) {
        event.preventDefault();  // keeps the "p" itself out of the notes
        note.focus();
      }
    } else {
      return false;
    }
    return true;
  }

  // --- review: Space shows the answer, t types an answer, 1-4 rate, u undoes ------------------------------
  var SENDING = ".htmx-request";
  // htmx puts a swapped-in card in the page at once but wires its forms (hx-post) only when the swap
  // settles, a timer later (20 ms, much more on a busy machine). A button clicked in between submits its
  // form without htmx: the whole page reloads. A key pressed then is kept and pressed once it has settled.
  var SETTLING = ".htmx-swapping, .htmx-settling, .htmx-added";
  var keyAfterSettle = null;
  function busy(review, selector) {
    return review.matches(selector) || review.querySelector(selector) !== null;
  }
  function reviewKeys(event) {
    if (chooseOption(event)) return;
    var review = document.querySelector("[data-review]");
    if (!review) return;
    // while a rating or an undo is on its way, keys are dropped (htmx marks the sending form), so a double
    // press never rates the next card unseen
    if (busy(review, SENDING)) return;
    if (busy(review, SETTLING)) {
      if (/^[ 1-4tu]$/.test(event.key) || event.key === "Enter") {
        keyAfterSettle = event.key;
        event.preventDefault();
      }
      return;
    }
    if (event.key === " " || event.key === "Enter") {
      // Space or Enter on a link, a button or the "type your answer" summary does what that element does
      if (event.target instanceof Element && event.target.closest("a, button, summary")) return;
      if (clickIfUsable('[data-action="show"]', review)) event.preventDefault();
    } else if (event.key === "t") {
      // preventDefault also keeps the "t" itself out of the box that now has focus
      if (openTypedAnswer(review)) event.preventDefault();
    } else if (/^[1-4]$/.test(event.key)) {
      if (clickIfUsable('[data-rating="' + event.key + '"]', review)) event.preventDefault();
    } else if (event.key === "u") {
      if (clickIfUsable('[data-action="undo"]', document)) event.preventDefault();
    }
  }

  // Open the "type your answer" box and put the cursor in it (not once the answer is shown).
  function openTypedAnswer(review) {
    var box = review.querySelector("[data-typed-answer]");
    if (!box || box.readOnly || box.disabled) return false;
    var details = box.closest("details");
    if (details) details.open = true;
    box.focus();
    return true;
  }

  // However the box is opened (a click or Enter on its summary, or "t"), typing goes into it, never to
  // the shortcuts. "toggle" does not bubble, so it is listened for while capturing.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open || !details.matches(".typed-answer")) return;
    var box = details.querySelector("[data-typed-answer]");
    if (box && !box.readOnly && document.activeElement !== box) box.focus();
  }, true);

  // Quiz: 1-9 pick that option (Enter then answers).
  function chooseOption(event) {
    if (!/^[1-9]$/.test(event.key)) return false;
    var options = document.querySelectorAll("[data-quiz-options] input[type=radio]");
    var option = options[Number(event.key) - 1];
    if (!option) return false;
    event.preventDefault();
    option.checked = true;
    option.focus();
    return true;
  }

  // Show the answer in place (the server also renders it when the button's form is submitted without JS).
  document.addEventListener("click", function (event) {
    var show = event.target instanceof Element && event.target.closest('[data-action="show"]');
    if (!show) return;
    var card = show.closest("[data-review]");
    var answer = card && card.querySelector("[data-answer]");
    if (!answer) return;
    // A typed answer goes to the server to be graded (the form submits through htmx).
    var typed = card.querySelector("[data-typed-answer]");
    if (typed && typed.value.trim()) return;
    event.preventDefault();
    answer.hidden = false;
    show.hidden = true;
    if (typed) typed.readOnly = true;
    var first = answer.querySelector('[data-rating="3"]') || answer;
    first.focus({ preventScroll: true });
  });

  // Time spent on a card: measured from when it appears.
  function stampReviewStart(root) {
    (root || document).querySelectorAll("[data-review]").forEach(function (card) {
      card.dataset.startedAt = String(Date.now());
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var card = form.closest && form.closest("[data-review]");
    var duration = form.querySelector && form.querySelector('input[name="duration_ms"]');
    if (card && duration && card.dataset.startedAt) duration.value = String(Date.now() - Number(card.dataset.startedAt));
  }, true);

  // --- countdown timers: <span data-countdown-until="ISO datetime"> -----------------------------------------
  function formatRemaining(milliseconds) {
    var negative = milliseconds < 0;
    var seconds = Math.floor(Math.abs(milliseconds) / 1000);
    var text = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    return negative ? "−" + text : text;
  }
  function tickTimers() {
    document.querySelectorAll("[data-countdown-until]").forEach(function (timer) {
      var remaining = Date.parse(timer.dataset.countdownUntil) - Date.now();
      timer.textContent = formatRemaining(remaining);
      timer.classList.toggle("over", remaining < 0);
    });
  }
  setInterval(tickTimers, 1000);

  // --- confirmations for destructive forms: <form data-confirm="Really?"> -----------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // --- drafts: <textarea data-draft-key="..."> keeps what was typed in this browser until its form is sent ----
  function draftStore() {
    try { return window.localStorage; } catch (error) { return null; }  // private modes may refuse storage
  }
  function restoreDrafts(root) {
    var store = draftStore();
    if (!store) return;
    (root || document).querySelectorAll("textarea[data-draft-key]").forEach(function (box) {
      var key = "prepdeck-draft:" + box.dataset.draftKey;
      var saved = store.getItem(key);
      if (saved && !box.value) box.value = saved;
      box.addEventListener("input", function () {
        if (box.value) store.setItem(key, box.value); else store.removeItem(key);
      });
      if (box.form) box.form.addEventListener("submit", function () { store.removeItem(key); });
    });
  }

  // --- after htmx swaps: focus what the new content asks for, restart the review clock -----------------------
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt ? event.detail.elt : document;
    // The element that sent the request may have been swapped out with the content (a form in the card):
    // then look in the whole page, or the new card would never get the focus.
    var scope = (root.isConnected && root.parentElement) || document;
    stampReviewStart(scope);
    var wanted = scope.querySelector("[data-focus]");
    if (wanted) wanted.focus({ preventScroll: false });
    tickTimers();
    if (keyAfterSettle !== null) {
      var key = keyAfterSettle;
      keyAfterSettle = null;
      reviewKeys({ key: key, target: document.activeElement, preventDefault: function () {} });
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    restoreDrafts(document);
    stampReviewStart(document);
    tickTimers();
  });
})();
