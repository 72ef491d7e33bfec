// Loaded between require.js and the widget manager's embed-amd.js (jupyter_book_config.yml,
// nb_ipywidgets_js). embed-amd.js defines named AMD modules (@jupyter-widgets/base, controls,
// html-manager, ...) whose CSS loads Font Awesome files from the folder of the URL RequireJS
// gives each module: by default relative to the page (notebooks/@jupyter-widgets/...: 404).
// Map every one of them into the folder the fonts are copied to, next to this file.
(function () {
  var fonts = new URL("html-manager/", document.currentScript.src).href; // .../_static/offline/
  var modules = [
    "base",
    "base7",
    "controls",
    "controls7",
    "output",
    "html-manager",
    "html-manager/dist/libembed-amd",
  ];
  var paths = {};
  modules.forEach(function (name) {
    paths["@jupyter-widgets/" + name] = fonts + name.replace(/\//g, "-");
  });
  require.config({ paths: paths });
})();
