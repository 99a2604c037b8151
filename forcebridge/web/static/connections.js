// The connections page: opens the Salesforce login in a pop-up and reloads when it reports back.
"use strict";
(() => {
  const CHANNEL = "forcebridge-connect";
  const CONNECTED = "forcebridge:connected";
  let reloading = false;

  const reload = () => {
    if (!reloading) {
      reloading = true;
      window.location.assign("/connections");
    }
  };

  // The pop-up tells us through its opener, or, when Salesforce's pages cut that link, through
  // a same-origin broadcast channel.
  window.addEventListener("message", (event) => {
    if (event.origin === window.location.origin && event.data && event.data.type === CONNECTED) {
      reload();
    }
  });
  if ("BroadcastChannel" in window) {
    new BroadcastChannel(CHANNEL).addEventListener("message", (event) => {
      if (event.data && event.data.type === CONNECTED) reload();
    });
  }

  const form = document.getElementById("connect-form");
  if (form) {
    const environment = document.getElementById("environment");
    const loginUrl = document.getElementById("login_url");
    const showUrl = () => {
      const needsUrl = environment.selectedOptions[0].dataset.needsUrl === "yes";
      document.querySelectorAll(".for-url").forEach((element) => { element.hidden = !needsUrl; });
      loginUrl.required = needsUrl;
    };
    environment.addEventListener("change", showUrl);
    showUrl();

    // Open the named window first, inside the click, so pop-up blockers allow it; the form then
    // posts into it (target=...) and the server redirects it to Salesforce.
    form.addEventListener("submit", () => {
      const width = 520;
      const height = 720;
      const left = Math.round(window.screenX + (window.outerWidth - width) / 2);
      const top = Math.round(window.screenY + (window.outerHeight - height) / 2);
      window.open("about:blank", form.target,
        `popup,width=${width},height=${height},left=${left},top=${top}`);
    });
  }

  // Disconnect and Remove ask first.
  document.querySelectorAll("form[data-confirm]").forEach((asking) => {
    asking.addEventListener("submit", (event) => {
      if (!window.confirm(asking.dataset.confirm)) event.preventDefault();
    });
  });
})();
