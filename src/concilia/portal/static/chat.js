// Debtor chat: one socket per page, resumed after a drop from the last id received, so
// nothing is lost and nothing shown twice. No inline code: the CSP allows 'self' only.
(function () {
  "use strict";
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-text");
  var handoff = document.getElementById("chat-handoff");
  if (!log || !form || !input) { return; }
  var path = log.getAttribute("data-socket");
  var lastId = 0;
  var shown = {};
  var socket = null;
  var delay = 500;

  function show(message) {
    if (message.type !== "message" || shown[message.id]) { return; }
    shown[message.id] = true;
    lastId = Math.max(lastId, message.id);
    var item = document.createElement("li");
    item.className = "chat-" + message.sender;
    item.textContent = message.text;  // text, never HTML
    log.appendChild(item);
    item.scrollIntoView({block: "end"});
    // The assistant offers a person after each answer; the button sends the request.
    if (handoff && message.sender === "assistant") { handoff.hidden = !message.handoff_offer; }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + path + "?after=" + lastId);
    socket.onopen = function () { delay = 500; };
    socket.onmessage = function (event) { show(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      if (event.code === 4404) { return; }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) { return; }
    socket.send(JSON.stringify({text: text}));
    input.value = "";
  });
  if (handoff) {
    handoff.addEventListener("click", function () {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({handoff: true}));
        handoff.hidden = true;
      }
    });
  }
  connect();
}());
