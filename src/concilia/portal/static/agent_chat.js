// Agent chat: the agent socket (staff session cookie), resumed after a drop from the last
// id received. A reply the compliance and tone check blocks comes back as "blocked" with
// its reasons: shown to the agent only, never delivered. No inline code (CSP 'self').
(function () {
  "use strict";
  var log = document.getElementById("agent-chat-log");
  var form = document.getElementById("agent-chat-form");
  var input = document.getElementById("agent-chat-text");
  var alertBox = document.getElementById("agent-chat-alert");
  if (!log) { return; }
  var path = log.getAttribute("data-socket");
  var lastId = 0;
  var shown = {};
  var socket = null;
  var delay = 500;

  function line(message, blocked) {
    var item = document.createElement("li");
    item.className = "chat-" + message.sender + (blocked ? " chat-blocked" : "");
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = log.getAttribute("data-label-" + (blocked ? "blocked" : message.sender)) || message.sender;
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.text));  // text, never HTML
    if (blocked && message.reasons) {
      var why = document.createElement("ul");
      message.reasons.forEach(function (reason) {
        var li = document.createElement("li");
        li.textContent = reason;
        why.appendChild(li);
      });
      item.appendChild(why);
    }
    log.appendChild(item);
    item.scrollIntoView({block: "end"});
  }

  function show(message) {
    if (shown[message.id]) { return; }
    if (message.type !== "message" && message.type !== "blocked") {
      if (message.type === "error" && alertBox) { alertBox.textContent = message.detail; alertBox.hidden = false; }
      return;
    }
    shown[message.id] = true;
    lastId = Math.max(lastId, message.id);
    var blocked = message.type === "blocked" || message.status === "blocked";
    line(message, blocked);
    if (blocked && alertBox && message.type === "blocked") {
      alertBox.textContent = (log.getAttribute("data-label-blocked") || "") + " " + (message.reasons || []).join(" · ");
      alertBox.hidden = false;
    } else if (alertBox && message.sender === "agent") {
      alertBox.hidden = true;
    }
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

  if (form && input) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text || !socket || socket.readyState !== WebSocket.OPEN) { return; }
      socket.send(JSON.stringify({text: text}));
      input.value = "";
    });
  }
  connect();
}());
