// Render the notebook widgets saved in a page, from the book's own files only.
//
// MyST-NB puts the saved widget state in a <script type="application/vnd.jupyter.
// widget-state+json"> and a widget-view <script> where each widget was shown.
// Pages whose widgets are all anywidgets (the live calculators) need no widget
// manager: each widget's ES module (its `_esm`, saved in the state) is imported
// and rendered against a small in-page model, so it computes with no kernel.
// Any other page falls back to the vendored require.js + @jupyter-widgets/
// html-manager, with `anywidget` resolved to the vendored AMD build.
(function () {
  "use strict";
  if (window.cnnbookWidgets) return;  // loaded twice: render once
  window.cnnbookWidgets = true;
  var script = document.currentScript;
  // The book's root, from this script's own URL: right for pages at any depth.
  var ROOT = script.src.replace(/[^/]*$/, "");
  var VENDOR = ROOT + "vendor/";
  var STATE = "application/vnd.jupyter.widget-state+json";
  var VIEW = "application/vnd.jupyter.widget-view+json";

  function model(attrs) {
    var handlers = {};
    return {
      get: function (name) { return attrs[name]; },
      set: function (name, value) {
        var old = attrs[name];
        attrs[name] = value;
        (handlers["change:" + name] || []).slice().forEach(function (f) {
          f({ name: name, old: old, new: value });
        });
        (handlers.change || []).slice().forEach(function (f) { f(); });
      },
      on: function (event, f) { (handlers[event] = handlers[event] || []).push(f); },
      off: function (event, f) {
        if (!event) { handlers = {}; return; }
        handlers[event] = f ? (handlers[event] || []).filter(function (g) {
          return g !== f;
        }) : [];
      },
      save_changes: function () {},  // nothing to sync with: there is no kernel
      send: function () {},
      widget_manager: {},
    };
  }

  function renderAnywidget(tag, entry) {
    var attrs = JSON.parse(JSON.stringify(entry.state));
    var host = document.createElement("div");
    host.className = "widget-subarea cnnbook-widget";
    host.dataset.modelId = JSON.parse(tag.textContent).model_id;
    tag.parentElement.insertBefore(host, tag);
    if (attrs._css) {
      var style = document.createElement("style");
      style.textContent = attrs._css;
      document.head.appendChild(style);
    }
    var url = URL.createObjectURL(new Blob([attrs._esm], { type: "text/javascript" }));
    return import(url).then(function (mod) {
      var widget = mod.default || mod;
      return Promise.resolve(typeof widget === "function" ? widget() : widget);
    }).then(function (widget) {
      var m = model(attrs);
      return Promise.resolve(widget.initialize && widget.initialize({ model: m }))
        .then(function () { return widget.render({ model: m, el: host }); });
    }).then(function () {
      host.dataset.rendered = "true";
    }).finally(function () { URL.revokeObjectURL(url); });
  }

  function load(src, attrs) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      Object.keys(attrs || {}).forEach(function (k) { s.setAttribute(k, attrs[k]); });
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function htmlManager() {
    return load(VENDOR + "requirejs/require.js").then(function () {
      window.require.config({ paths: { anywidget: VENDOR + "anywidget/dist/index" } });
      // Modules it cannot find are looked up under this "CDN": our own files.
      return load(VENDOR + "html-manager/dist/embed-amd.js",
                  { "data-jupyter-widgets-cdn": VENDOR });
    });
  }

  function start() {
    var stateTag = document.querySelector('script[type="' + STATE + '"]');
    if (!stateTag) return;
    var state = JSON.parse(stateTag.textContent).state || {};
    var views = Array.prototype.slice.call(
      document.querySelectorAll('script[type="' + VIEW + '"]'));
    var entries = views.map(function (tag) {
      return state[JSON.parse(tag.textContent).model_id];
    });
    var live = entries.every(function (e) {
      return e && e.model_module === "anywidget" && typeof e.state._esm === "string";
    });
    if (!live) {
      htmlManager();
      return;
    }
    views.forEach(function (tag, i) {
      renderAnywidget(tag, entries[i]).catch(function (err) {
        console.error("cnnbook widget failed to render:", err);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
