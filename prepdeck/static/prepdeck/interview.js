// Live interview pages: keeps the interviewer's and the candidate's view in sync over
// /ws/interviews/<id>/. The page is rendered from the database at data-last-seq; the socket says hello with
// the last sequence number seen and gets every later event it may see, so a reconnect or a reload loses
// nothing. Every event number arrives either as an "event" or as "seen"; a gap means a lost broadcast
// and triggers a resync. The candidate's pad is sent as a whole-text snapshot, debounced.
(() => {
  "use strict";
  const root = document.querySelector("[data-interview]");
  if (!root) return;
  const sessionId = root.dataset.interview;
  const role = root.dataset.role;
  let lastSeq = Number(root.dataset.lastSeq) || 0;
  let current = Number(root.dataset.current);
  let timers = {};
  // The server's clock minus ours, from the server_now of the last message: timers are in server time.
  let clockOffset = 0;
  let socket = null;
  let retryMs = 500;
  // Presence is a last-seen time per connection on the server: ping every heartbeat_ms (from the state).
  let heartbeat = null;
  function startHeartbeat(ms) {
    clearInterval(heartbeat);
    heartbeat = setInterval(() => send({ op: "ping" }), ms || 15000);
  }
  let padDirty = false;
  // Each send of a pad or a note carries a numbered ref; "Saved" is shown only for the ack of the last one
  // sent (the ack of earlier text must not claim that later text, still on its way or lost, was saved).
  let sendCount = 0;
  const lastRef = {};  // "pad" or "note-<index>" -> the ref of its last send
  const numbered = (kind) => { sendCount += 1; lastRef[kind] = `${kind}#${sendCount}`; return lastRef[kind]; };
  let padTimer = null;
  const PAD_DEBOUNCE_MS = 400;
  const $ = (selector) => root.querySelector(selector);
  const $$ = (selector) => Array.from(root.querySelectorAll(selector));

  function setStatus(text) { const node = $("[data-status]"); if (node) node.textContent = text; }
  function showError(text) {
    const node = $("[data-error]");
    if (!node) return;
    node.textContent = text;
    node.hidden = !text;
  }
  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); return true; }
    return false;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/interviews/${sessionId}/`);
    socket.addEventListener("open", () => {
      retryMs = 500;
      setStatus("Connected");
      send({ op: "hello", last_seq: lastSeq });
    });
    socket.addEventListener("message", (message) => {
      let data;
      try { data = JSON.parse(message.data); } catch { return; }
      handle(data);
    });
    socket.addEventListener("close", (closed) => {
      if (closed.code === 4404) { setStatus("This interview is not available."); return; }
      clearInterval(heartbeat);
      setStatus("Reconnecting…");
      root.dataset.connected = "0";
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    });
  }

  function handle(data) {
    if (typeof data.server_now === "number") clockOffset = data.server_now - Date.now();
    if (data.type === "state") {
      applyState(data.state);
      startHeartbeat(data.state.heartbeat_ms);
      data.events.forEach(applyEvent);
      lastSeq = Math.max(lastSeq, data.state.last_seq);
      root.dataset.connected = "1";
      root.dataset.lastSeq = String(lastSeq);
      showError("");
      if (padDirty) flushPad();
      // notes typed while the socket was down go now (those still in their typing pause go by themselves)
      unsentNotes.forEach((index) => { if (!(index in noteTimers)) sendNote(index); });
      timersChanged();
    } else if (data.type === "event" || data.type === "seen") {
      const seq = data.type === "event" ? data.event.seq : data.seq;
      if (seq <= lastSeq) return;
      if (seq > lastSeq + 1) { send({ op: "hello", last_seq: lastSeq }); return; }  // a gap: resync
      if (data.type === "event") { applyEvent(data.event); timersChanged(); }
      lastSeq = seq;
      root.dataset.lastSeq = String(lastSeq);
    } else if (data.type === "error") {
      showError(data.message);
    } else if (data.type === "ack") {
      showError("");
      const kind = typeof data.ref === "string" ? data.ref.split("#")[0] : null;
      const latest = kind !== null && lastRef[kind] === data.ref;
      const saved = $("[data-saved]");
      if (saved && kind === "pad" && latest && !padDirty) saved.textContent = "Saved";  // not while more is typed
      const note = kind !== null && kind.startsWith("note-") ? kind.slice(5) : null;
      if (note !== null && latest && !(note in noteTimers)) {
        unsentNotes.delete(note);  // the server has this text (sent but unacknowledged text goes again)
        const status = $(`[data-note-saved="${note}"]`);
        if (status) status.textContent = "Saved";
      }
    }
  }

  function applyState(state) {
    timers = state.timers || {};
    renderPresence(state.present || {});
    setCurrent(state.current, state.question ? state.question.prompt : null, state.count);
    if (role === "interviewer") {
      Object.entries(state.pads || {}).forEach(([index, text]) => setPadView(index, text));
    } else if (!padDirty) {
      const pad = $("[data-my-pad]");
      if (pad) pad.value = (state.pads || {})[String(state.current)] || "";
    }
    if (state.state === "finished") finished();
  }

  function applyEvent(event) {
    const payload = event.payload;
    switch (event.kind) {
      case "question_revealed":
        timers = payload.timers;
        setCurrent(payload.index, payload.prompt, Number(root.dataset.count));
        if (role === "candidate") { const pad = $("[data-my-pad]"); if (pad) { pad.value = ""; pad.disabled = false; } padDirty = false; }
        break;
      case "pad_updated":
        if (role === "interviewer") setPadView(payload.index, payload.text);
        break;
      case "timer_started": case "timer_stopped":
        timers = payload.timers;
        break;
      case "session_finished":
        timers = payload.timers;
        finished();
        break;
      case "presence_joined": case "presence_left":
        renderPresence(payload.present);
        break;
      case "rubric_ticked": {
        const box = $(`[data-tick][data-index="${payload.index}"][data-point="${payload.point}"]`);
        if (box) box.checked = payload.ticked;
        break;
      }
      case "note_written": {
        // never over text typed here that the server has not had yet (a replay after a reconnect is older)
        const note = $(`[data-note="${payload.index}"]`);
        if (note && document.activeElement !== note && !unsentNotes.has(String(payload.index))) note.value = payload.text;
        break;
      }
      default:
        break;
    }
  }

  function setCurrent(index, prompt, count) {
    current = index;
    root.dataset.current = String(index);
    if (role === "interviewer") {
      $$("[data-question]").forEach((node) => {
        const isCurrent = Number(node.dataset.question) === index;
        node.classList.toggle("current", isCurrent);
        const badge = node.querySelector("[data-current-badge]");
        if (badge) badge.hidden = !isCurrent;
      });
    } else if (prompt !== null && prompt !== undefined) {
      const node = $("[data-prompt]");
      if (node) node.textContent = prompt;
      const number = $("[data-question-number]");
      if (number) number.textContent = `${index + 1} of ${count}`;
    }
  }

  function setPadView(index, text) {
    const node = $(`[data-pad="${index}"]`);
    if (node) node.textContent = text;
  }

  function renderPresence(present) {
    const node = $("[data-presence]");
    if (!node) return;
    const people = Object.values(present).map((person) => role === "interviewer" ? `${person.name} (${person.role})` : person.name);
    node.textContent = people.length ? people.join(", ") : "nobody yet";
  }

  function finished() {
    root.dataset.state = "finished";
    const pad = $("[data-my-pad]");
    if (pad) pad.disabled = true;
    const note = $("[data-finished]");
    if (note) note.hidden = false;
    $$('[data-op="reveal"], [data-op="finish"]').forEach((button) => { button.disabled = true; });
  }

  // --- timers: the server's state (running_since in server time + elapsed_ms), ticking locally on the
  // server's clock as estimated from ours plus the offset, so a wrong client clock does not shift them ---
  function serverNow() { return Date.now() + clockOffset; }
  function elapsed(timer) {
    if (!timer) return 0;
    const running = timer.running_since ? serverNow() - timer.running_since : 0;
    return Math.max(0, timer.elapsed_ms + running);
  }
  // Whether the question timer runs, for the "t" shortcut (app.js) to press Start or Stop.
  function timersChanged() {
    renderTimers();
    root.dataset.questionTimer = timers.question && timers.question.running_since ? "running" : "stopped";
  }
  function format(ms) {
    const seconds = Math.floor(ms / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }
  function renderTimers() {
    $$("[data-timer]").forEach((node) => { node.textContent = format(elapsed(timers[node.dataset.timer])); });
  }
  setInterval(renderTimers, 1000);

  // --- the candidate's pad ---
  function flushPad() {
    const pad = $("[data-my-pad]");
    if (!pad || current < 0) return;
    if (send({ op: "pad", index: current, text: pad.value, ref: numbered("pad") })) padDirty = false;
  }
  const pad = $("[data-my-pad]");
  if (pad) {
    pad.addEventListener("input", () => {
      padDirty = true;
      const saved = $("[data-saved]");
      if (saved) saved.textContent = "Typing…";
      clearTimeout(padTimer);
      padTimer = setTimeout(flushPad, PAD_DEBOUNCE_MS);
    });
  }

  // --- the interviewer's controls ---
  root.addEventListener("click", (click) => {
    const button = click.target.closest("[data-op]");
    if (!button) return;
    const op = button.dataset.op;
    if (op === "finish" && !window.confirm("End the interview for everyone?")) return;
    const message = { op };
    if (op === "timer") { message.scope = button.dataset.scope; message.running = button.dataset.running === "1"; }
    if (!send(message)) showError(NOT_CONNECTED);
  });
  // A control used while the socket is down changes nothing: say so, and put a rubric tick back as it was
  // (the server never had it). Notes are kept and sent on reconnect.
  const NOT_CONNECTED = "Not connected: that was not recorded. Try again once the page says Connected.";
  root.addEventListener("change", (change) => {
    const box = change.target.closest("[data-tick]");
    if (!box) return;
    if (!send({ op: "tick", index: Number(box.dataset.index), point: Number(box.dataset.point), ticked: box.checked })) {
      box.checked = !box.checked;
      showError(NOT_CONNECTED);
    }
  });
  const noteTimers = {};
  const unsentNotes = new Set();  // note indexes whose latest text the server has not acknowledged
  function sendNote(index) {
    const note = $(`[data-note="${index}"]`);
    if (!note) return;
    const status = $(`[data-note-saved="${index}"]`);
    const sent = send({ op: "note", index: Number(index), text: note.value, ref: numbered(`note-${index}`) });
    if (!sent && status) status.textContent = "Not saved yet: sent when reconnected";
  }
  root.addEventListener("input", (input) => {
    const note = input.target.closest("[data-note]");
    if (!note) return;
    const index = note.dataset.note;
    unsentNotes.add(index);
    const status = $(`[data-note-saved="${index}"]`);
    if (status) status.textContent = "Typing…";
    clearTimeout(noteTimers[index]);
    noteTimers[index] = setTimeout(() => {
      delete noteTimers[index];  // "Saved" once the server acknowledges this text, not an earlier one
      sendNote(index);
    }, 600);
  });

  connect();
})();
