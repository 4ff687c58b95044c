// lotpick handheld module: the scan loop of pick pages (inventory and warehouse picks), quantity fields
// that select their content on focus, and camera scanning on phones. No inline scripts: everything is
// wired by data attributes (templates/picking/handheld/), so a strict Content-Security-Policy holds.
//
// The scan loop (a keyboard-wedge scanner types the code, then Enter):
// - the scan box keeps the cursor: on load, after every scan, and when a scanner types while nothing
//   else has the focus (its characters are put into the box);
// - on Enter the code is taken and the box emptied AT ONCE, so the next scan can be typed while the
//   first is on its way; scans are sent one after the other, in order (a queue), never glued together;
// - the answer (an htmx partial) replaces #scan-result and, out of band, the line card and progress,
//   without scrolling the page away from the box;
// - a short sound (Web Audio) and a colour on the box confirm (ok), refuse (refused) or ask (choose).
// Camera: the browser's BarcodeDetector where it exists, else the vendored polyfill
// (static/vendor/barcode-detector/, ZXing in WebAssembly, loaded only when the camera is opened).
// Texts: the few messages shown by this script come from data-*-text attributes of the scan box, rendered
// with {% translate %} in the worker's language (templates/picking/handheld/_scan_box.html); the English
// strings below are only the fallback.
(() => {
  "use strict";

  const TONES = {
    ok: [[880, 0.09]],
    info: [[740, 0.07]],
    choose: [[660, 0.07], [880, 0.07]],
    refused: [[220, 0.14], [165, 0.2]],
  };
  const FORMATS = ["code_128", "data_matrix", "qr_code", "ean_13", "ean_8", "upc_a", "upc_e", "itf", "code_39"];
  let audio = null;
  const queue = [];
  let busy = false;

  const box = () => document.querySelector("[data-scan-box]");
  const input = () => document.querySelector("[data-scan-input]");

  function focusScan() {
    const field = input();
    if (field instanceof HTMLInputElement && document.activeElement !== field) {
      field.focus({ preventScroll: true });
    }
  }

  // --- Sound and colour ---------------------------------------------------------------------------

  function beep(tone) {
    const notes = TONES[tone] || TONES.info;
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      let at = audio.currentTime;
      for (const [frequency, seconds] of notes) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = tone === "refused" ? "square" : "sine";
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.12, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + seconds);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + seconds);
        at += seconds + 0.03;
      }
    } catch (error) {
      // no sound on this device: the colour and the message still tell
    }
  }

  function feedback() {
    const section = box();
    const result = document.querySelector("#scan-result [data-scan-tone]");
    if (!section || !result) return;
    const tone = result.dataset.scanTone;
    beep(tone);
    section.dataset.lastTone = tone;
    section.dataset.scans = String(Number(section.dataset.scans || "0") + 1);
    section.classList.remove("flash-ok", "flash-refused", "flash-choose", "flash-info");
    void section.offsetWidth; // restart the animation
    section.classList.add(`flash-${tone}`);
  }

  // --- Sending scans, one after the other ---------------------------------------------------------

  function show(html) {
    const target = document.getElementById("scan-result");
    if (!target) return;
    if (window.htmx && typeof window.htmx.swap === "function") {
      window.htmx.swap(target, html, { swapStyle: "innerHTML" });
    } else {
      target.innerHTML = html;
    }
  }

  function showFailure(message) {
    const div = document.createElement("div");
    div.className = "scan-message tone-refused";
    div.dataset.scanTone = "refused";
    div.dataset.scanOutcome = "network_error";
    div.setAttribute("role", "alert");
    div.textContent = message;
    const target = document.getElementById("scan-result");
    if (target) target.replaceChildren(div);
  }

  async function send(action, data) {
    const token = data.get("csrfmiddlewaretoken") || "";
    try {
      const response = await fetch(action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": String(token) },
      });
      if (response.redirected && new URL(response.url).pathname.startsWith("/login")) {
        window.location.reload(); // logged out meanwhile: the login page, then back to the pick
        return;
      }
      const html = await response.text();
      if (response.status >= 500) {
        showFailure(box()?.dataset.failedText || "The scan could not be read by the server. Scan again.");
      } else {
        show(html);
      }
    } catch (error) {
      showFailure(box()?.dataset.offlineText || "No connection: the scan was not sent. Scan again.");
    }
    feedback();
  }

  async function pump() {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const { action, data } = queue.shift();
        await send(action, data);
      }
    } finally {
      busy = false;
      const section = box();
      if (section) section.dataset.pending = "0";
      focusScan();
    }
  }

  function enqueue(action, data) {
    queue.push({ action, data });
    const section = box();
    if (section) section.dataset.pending = String(queue.length);
    pump();
  }

  function scanCode(code) {
    const form = document.querySelector("[data-scan-form]");
    if (!(form instanceof HTMLFormElement) || !code) return;
    const data = new FormData(form);
    data.set("code", code);
    enqueue(form.action, data);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.matches("[data-scan-form]")) {
      event.preventDefault();
      const field = input();
      const data = new FormData(form);
      if (!String(data.get("code") || "").trim()) {
        focusScan();
        return;
      }
      // empty the box at once: the next scan may already be arriving
      if (field instanceof HTMLInputElement) field.value = "";
      const quantity = form.querySelector("[name=quantity]");
      if (quantity instanceof HTMLInputElement) quantity.value = "";
      const details = form.querySelector("details");
      if (details) details.open = false;
      enqueue(form.action, data);
      focusScan();
    } else if (form.matches("[data-scan-choice]")) {
      event.preventDefault();
      enqueue(form.action, new FormData(form));
      focusScan();
    }
  });

  // A scanner typing while nothing has the focus (after a tap on the page): into the scan box.
  document.addEventListener("keydown", (event) => {
    const field = input();
    if (!(field instanceof HTMLInputElement)) return;
    const active = document.activeElement;
    const idle = !active || active === document.body || active === document.documentElement;
    if (!idle || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key.length === 1) {
      event.preventDefault();
      field.focus({ preventScroll: true });
      field.value += event.key;
    } else if (event.key === "Enter" && field.value) {
      event.preventDefault();
      field.form?.requestSubmit();
    }
  });

  // --- Quantities: the content is selected on focus, so typing replaces it -----------------------------

  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement && field.matches("[data-select-on-focus]")) {
      field.select();
      field.dataset.justFocused = "1";
    }
  });
  // the click that gave the focus must not put the caret somewhere and undo the selection
  document.addEventListener("mouseup", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement && field.dataset.justFocused) {
      event.preventDefault();
      delete field.dataset.justFocused;
    }
  });
  document.addEventListener("touchend", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement && field.dataset.justFocused) {
      delete field.dataset.justFocused;
      setTimeout(() => field.select(), 0);
    }
  });

  // --- Camera ---------------------------------------------------------------------------------------

  let stream = null;
  let scanning = false;

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function makeDetector(section) {
    if ("BarcodeDetector" in window) {
      try {
        const supported = await window.BarcodeDetector.getSupportedFormats();
        const formats = FORMATS.filter((f) => supported.includes(f));
        if (formats.length) return new window.BarcodeDetector({ formats });
      } catch (error) {
        // fall back to the polyfill
      }
    }
    if (!window.BarcodeDetectionAPI) await loadScript(section.dataset.polyfillUrl);
    const api = window.BarcodeDetectionAPI;
    api.prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) => (path.endsWith(".wasm") ? section.dataset.wasmUrl : prefix + path),
      },
    });
    return new api.BarcodeDetector({ formats: FORMATS });
  }

  async function openCamera() {
    const section = box();
    if (!section) return;
    const panel = section.querySelector("[data-camera]");
    const video = section.querySelector("[data-camera-video]");
    const status = section.querySelector("[data-camera-status]");
    panel.hidden = false;
    try {
      const detector = await makeDetector(section);
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      await video.play();
      scanning = true;
      let last = "";
      let lastAt = 0;
      const tick = async () => {
        if (!scanning) return;
        try {
          const found = await detector.detect(video);
          const code = found.length ? found[0].rawValue : "";
          if (code && (code !== last || Date.now() - lastAt > 2500)) {
            last = code;
            lastAt = Date.now();
            scanCode(code);
          }
        } catch (error) {
          // a frame that could not be read: try the next one
        }
        setTimeout(tick, 200);
      };
      tick();
    } catch (error) {
      if (status) status.textContent = section.dataset.cameraFailedText || "The camera cannot be used here.";
    }
  }

  function closeCamera() {
    scanning = false;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    const panel = box()?.querySelector("[data-camera]");
    if (panel) panel.hidden = true;
    focusScan();
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest("[data-camera-open]")) openCamera();
    if (target?.closest("[data-camera-close]")) closeCamera();
    if (target?.closest("[data-print]")) window.print();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const section = box();
    if (!section) return;
    if (navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function") {
      section.querySelectorAll("[data-camera-open]").forEach((button) => {
        button.hidden = false;
      });
    }
    focusScan();
    if (document.querySelector("#scan-result [data-scan-tone]")) feedback();
  });
})();
