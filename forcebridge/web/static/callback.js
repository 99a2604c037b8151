// The end of the pop-up's journey: tell the connections page, then close.
"use strict";
(() => {
  const outcome = document.getElementById("outcome");
  document.getElementById("close-window").addEventListener("click", () => window.close());
  if (outcome.dataset.outcome !== "connected") return;

  const message = { type: "forcebridge:connected" };
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, window.location.origin);
  }
  if ("BroadcastChannel" in window) {
    const channel = new BroadcastChannel("forcebridge-connect");
    channel.postMessage(message);
    channel.close();
  }
  window.setTimeout(() => window.close(), 800);
})();
