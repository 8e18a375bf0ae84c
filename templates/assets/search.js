/* clair: the search page. Searches the Pagefind index of the page's language (built with the site; see
   clair/search.py) and lists the pages found as links with an excerpt. No inline script, nothing from
   other hosts. The status line is a polite live region, so screen readers announce the number of
   results; its messages, in the page's language, come from templates/messages.yaml as data- attributes. */
(function () {
  "use strict";
  var MAX_RESULTS = 50;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;

  var lang = document.documentElement.lang || "en";
  var messages = status.dataset;
  var plural = new Intl.PluralRules(lang);
  var numbers = new Intl.NumberFormat(lang + "-CA");
  var baseTitle = document.title;
  var pagefind = null;
  var latest = 0;

  function fill(text, values) {
    return (text || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function resultsMessage(count, query) {
    if (count === 0) return fill(messages.none, { query: query });
    var form = plural.select(count);
    var key = "results" + form.charAt(0).toUpperCase() + form.slice(1);
    return fill(messages[key] || messages.resultsOther, { count: numbers.format(count), query: query });
  }

  /* data-state (searching, done, error) lets tests and styles follow the search */
  function say(text, title, state) {
    status.textContent = text;
    status.setAttribute("data-state", state);
    list.setAttribute("aria-busy", state === "searching" ? "true" : "false");
    document.title = title ? text + " – " + baseTitle : baseTitle;
  }

  /* Pagefind's excerpt is HTML with the matching words in <mark>. Parsed in an inert document and
     copied as text and <mark> elements only, so nothing in an excerpt can run or load anything. */
  function excerpt(source) {
    var paragraph = document.createElement("p");
    var parsed = new DOMParser().parseFromString(source || "", "text/html");
    parsed.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(document.createTextNode(node.textContent));
      }
    });
    return paragraph;
  }

  function plainText(source) {
    return new DOMParser().parseFromString(source || "", "text/html").body.textContent;
  }

  function show(results) {
    var items = results.map(function (result) {
      var item = document.createElement("li");
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = result.url;
      link.textContent = plainText(result.meta && result.meta.title) || result.url;
      heading.appendChild(link);
      item.appendChild(heading);
      item.appendChild(excerpt(result.excerpt));
      return item;
    });
    list.replaceChildren.apply(list, items);
  }

  /* The index is pagefind/ at the site's root, which may be under a path (https://org.github.io/plan/):
     results' addresses start from that root, as the index's own address does. */
  function load() {
    if (!pagefind) {
      var index = new URL(status.getAttribute("data-index"), location.href);
      var root = new URL("..", index).pathname;
      pagefind = import(index.href).then(function (module) {
        return module.options({ excerptLength: 30, baseUrl: root }).then(function () { return module; });
      });
      pagefind.catch(function () { pagefind = null; });
    }
    return pagefind;
  }

  function run(query) {
    var id = ++latest;
    query = query.trim();
    if (!query) {
      list.replaceChildren();
      say(location.search ? messages.empty : "", false, "done");
      return Promise.resolve();
    }
    say(messages.searching, false, "searching");
    return load().then(function (module) {
      return module.search(query);
    }).then(function (search) {
      var found = search.results.slice(0, MAX_RESULTS).map(function (result) { return result.data(); });
      return Promise.all(found).then(function (results) {
        if (id !== latest) return;
        show(results);
        say(resultsMessage(search.results.length, query), true, "done");
      });
    }).catch(function (error) {
      if (id !== latest) return;
      list.replaceChildren();
      say(messages.error, false, "error");
      if (window.console) console.warn("search:", error);
    });
  }

  function fromAddress() {
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    return run(query);
  }

  /* On this page a search does not reload it: the address follows (so Back works and a search
     can be shared), focus stays in the box, and the status line announces the result. */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(location.href);
    url.searchParams.set("q", input.value.trim());
    history.pushState(null, "", url);
    run(input.value);
  });
  window.addEventListener("popstate", fromAddress);
  fromAddress();
})();
