/* The public wish map: fetches premises and aggregated demand for the visible area.
 * folium has already created the Leaflet map (a global named in #wishmap-config); this file
 * adds everything that depends on data, so the page itself stays small. No innerHTML with data:
 * every text from the server goes through textContent. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("wishmap-config").textContent);
  var map = window[config.map];
  if (!map || !window.L) { return; }
  var T = config.text;
  var statusLine = document.querySelector("[data-status]");
  // Clustering needs a highest zoom; without a tile layer (plain streets) the map has none.
  if (!isFinite(map.getMaxZoom())) { map.setMaxZoom(19); }
  // Premises close together on screen gather into one numbered cluster until street zoom;
  // a click (or Enter) on a cluster zooms in to spread it.
  var premisesLayer = (L.markerClusterGroup ? L.markerClusterGroup({
    disableClusteringAtZoom: 17,
    maxClusterRadius: 44,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: false,
    iconCreateFunction: clusterIcon
  }) : L.layerGroup()).addTo(map);
  var streetsLayer = L.geoJSON(null, {
    style: { color: "#495057", weight: 3, opacity: 0.35 }, interactive: false
  }).addTo(map);
  var heat = L.heatLayer([], { radius: 28, blur: 22, minOpacity: 0.25, maxZoom: 17 }).addTo(map);
  var heatToggle = document.querySelector("[data-heat]");
  // When the tile server cannot be reached the map would be a grey void: say so once, and draw
  // the district's own streets on a plain background instead.
  var tileNotice = document.querySelector("[data-tile-notice]");
  // On a phone the zoom buttons would sit on the popup's first line: they step aside too.
  map.on("popupopen", function () { map.getContainer().classList.add("popup-open"); });
  map.on("popupclose", function () { map.getContainer().classList.remove("popup-open"); });
  // A popup opened while the first view was still zooming in was panned for a view that the
  // zoom then replaced (off the phone's edge): once the zoom ends, pan it into view again.
  var openPopup = null;
  map.on("popupopen", function (e) { openPopup = e.popup; });
  map.on("popupclose", function (e) { if (openPopup === e.popup) { openPopup = null; } });
  map.on("zoomend", function () { if (openPopup) { openPopup.update(); } });
  var tilesFailed = false;
  map.eachLayer(function (layer) {
    if (!(layer instanceof L.TileLayer)) { return; }
    layer.on("tileerror", function () {
      if (tilesFailed) { return; }
      tilesFailed = true;
      if (tileNotice) {
        // Tiles may fail while a popup is already open: the notice then waits for it to close.
        tileNotice.hidden = map.getContainer().classList.contains("popup-open");
        // On a phone an open popup fills the map: the notice steps aside while it is open.
        map.on("popupopen", function () { tileNotice.hidden = true; });
        map.on("popupclose", function () { tileNotice.hidden = false; });
      }
      map.getContainer().classList.add("tiles-failed");
      if (!config.streets && config.streetsFallback) {
        config.streets = config.streetsFallback;
        if (typeof load === "function") { load(); }
      }
    });
  });
  var filterGroup = document.querySelector("[data-filter=group]");
  var filterType = document.querySelector("[data-filter=type]");
  var shown = {};
  var pending = null;
  var timer = null;
  var freeMode = false;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function bboxParam() {
    var b = map.getBounds();
    var round = function (v) { return Math.round(v * 1e5) / 1e5; };
    return [round(b.getWest()), round(b.getSouth()), round(b.getEast()), round(b.getNorth())].join(",");
  }

  function getJSON(url, signal) {
    return fetch(url, { headers: { Accept: "application/json" }, signal: signal, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
  }

  // A shop type's icon: a vendored SVG named by the server (emoji need a font many lack).
  function icon(name, className) {
    var img = el("img", className || "type-icon");
    img.src = config.icons + (name || "shop") + ".svg";
    img.alt = "";
    return img;
  }

  // A cluster of premises: how many, coloured by the strongest demand among them.
  function clusterIcon(cluster) {
    var markers = cluster.getAllChildMarkers();
    var top = 0;
    markers.forEach(function (m) { top = Math.max(top, m.options.level || 0); });
    var body = el("span", "pin-cluster-body");
    body.setAttribute("data-premises", String(markers.length));
    body.appendChild(el("span", "pin-count", String(markers.length)));
    body.appendChild(el("span", "visually-hidden", " " + T.cluster));
    var size = markers.length >= 20 ? 46 : 38;
    return L.divIcon({ className: "pin-cluster pin-cluster-" + top, html: body, iconSize: [size, size] });
  }

  // The legend's classes are quantiles of the premises in view, sent with them.
  var legendItems = document.querySelectorAll("[data-legend-level]");
  function showClasses(classes) {
    var byLevel = {};
    (classes || []).forEach(function (c) { byLevel[c.level] = c; });
    Array.prototype.forEach.call(legendItems, function (item) {
      var c = byLevel[item.getAttribute("data-legend-level")];
      item.hidden = !c;
      if (!c) { return; }
      var text = c.min !== c.max ? T.classRange : (c.min === 1 ? T.classSingle : T.classOne);
      item.querySelector("[data-range]").textContent =
        text.replace("{min}", String(c.min)).replace("{max}", String(c.max));
      item.querySelector(".pin").textContent = String(c.max);
    });
  }

  // On a 360 px phone a 300 px popup plus its padding runs off the edge: never wider than
  // the map less a margin on each side.
  function popupSize() {
    var width = map.getSize().x;
    var max = Math.max(180, Math.min(300, width - 64));
    return {
      maxWidth: max, minWidth: Math.min(220, max),
      autoPanPaddingTopLeft: L.point(width < 480 ? 8 : 56, 12), autoPanPaddingBottomRight: L.point(8, 12)
    };
  }

  function marker(feature) {
    var p = feature.properties;
    var c = feature.geometry.coordinates;
    var lv = p.level || 0;
    // Room for the type's icon beside a two-digit count, from the smallest class up.
    var size = [28, 36, 42, 48][lv];
    var label = p.address + " — " + p.wishes + " " + T.wishes;
    var m = L.marker([c[1], c[0]], {
      icon: L.divIcon({
        className: "pin pin-" + lv,
        html: "",
        iconSize: [size, size]
      }),
      title: label,
      alt: label,
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: p.wishes,
      level: lv
    });
    m.on("add", function () {
      var node = m.getElement();
      if (!node) { return; }
      node.textContent = "";
      if (p.icon) { node.appendChild(icon(p.icon, "pin-icon")); }
      node.appendChild(el("span", "pin-count", String(p.wishes))).setAttribute("aria-hidden", "true");
      node.setAttribute("aria-label", label);
      node.setAttribute("role", "button");
    });
    m.bindPopup(function () { return popupFor(feature.id, p, m); }, popupSize());
    return m;
  }

  var summaries = {};

  function fill(body, data, m) {
    body.textContent = "";
    // On a phone the popup must fit the map whole: fewer types and reasons (the page has all).
    var phone = map.getSize().x < 480;
    if (data.surface_m2) { body.appendChild(el("p", "popup-surface", T.surface + ": " + data.surface_m2 + " m²")); }
    if (data.types.length) {
      var list = el("ul", "popup-types");
      data.types.slice(0, phone ? 3 : 5).forEach(function (t) {
        var li = el("li");
        li.appendChild(icon(t.icon));
        li.appendChild(document.createTextNode(" " + t.label + " "));
        // Kept so that a support from this popup shows the new count at once.
        t.countNode = li.appendChild(el("strong", null, String(t.count)));
        list.appendChild(li);
      });
      body.appendChild(list);
    } else {
      body.appendChild(el("p", null, T.noWish));
    }
    data.reasons.slice(0, phone ? 1 : 2).forEach(function (r) {
      var q = el("p", "popup-reason");
      q.appendChild(el("q", null, r.text));
      q.appendChild(document.createTextNode(" — " + r.name));
      body.appendChild(q);
    });
    var actions = el("p", "popup-actions");
    // One tap adds the resident's voice to the most wished type, right here.
    if (data.types.length) { actions.appendChild(supportButton(data, data.types[0])); }
    var wish = el("a", "button" + (data.types.length ? "" : " primary"), T.wishHere);
    wish.href = data.url + "#wish";
    actions.appendChild(wish);
    var more = el("a", "popup-more", T.details);
    more.href = data.url;
    actions.appendChild(more);
    body.appendChild(actions);
    body.appendChild(followControl(data, m));
  }

  // Follow or unfollow the premise from its popup (an e-mail when it is let or its report
  // changes); a visitor is sent to log in and comes back to the premise's Follow button.
  function followControl(data, m) {
    var wrap = el("p", "popup-follow");
    if (!config.loggedIn) {
      var link = el("a", null, T.follow);
      link.href = config.login + "?next=" + encodeURIComponent(data.url + "#follow");
      wrap.appendChild(link);
      return wrap;
    }
    var said = el("span", "popup-follow-said");
    said.setAttribute("role", "status");
    var button = el("button", "button secondary popup-follow-button");
    button.type = "button";
    button.textContent = data.following ? T.unfollow : T.follow;
    button.setAttribute("aria-pressed", data.following ? "true" : "false");
    if (data.following) { said.textContent = T.following; }
    button.addEventListener("click", function () {
      button.disabled = true;
      var form = new FormData();
      form.append("csrf_token", csrfToken());
      fetch(data.following ? data.unfollow : data.follow, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        if (response.redirected || response.status === 401) { toLogin(data); return null; }
        return response.json().then(function (answer) {
          if (!response.ok) {
            said.textContent = answer.error || T.error;
            button.disabled = false;
            return;
          }
          data.following = answer.following;
          // Redraw from the new state: the popup is re-measured and panned whole into view.
          m.getPopup().update();
          var again = m.getPopup().getElement().querySelector(".popup-follow-button");
          if (again) { again.focus(); }
        });
      }).catch(function () { said.textContent = T.error; button.disabled = false; });
    });
    wrap.appendChild(button);
    wrap.appendChild(said);
    return wrap;
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  // A visitor who is not logged in goes to log in, and comes back to the premise's page.
  function toLogin(data) {
    window.location.href = config.login + "?next=" + encodeURIComponent(data.url + "#wish");
  }

  function supportButton(data, type) {
    var button = el("button", "button primary popup-support");
    button.appendChild(icon(type.icon, "type-icon on-dark"));
    button.appendChild(document.createTextNode(" " + T.support + " " + type.label));
    button.type = "button";
    var said = el("span", "popup-said");
    said.setAttribute("role", "status");
    button.addEventListener("click", function () {
      if (!config.loggedIn) { toLogin(data); return; }
      button.disabled = true;
      var form = new FormData();
      form.append("csrf_token", csrfToken());
      form.append("premise", String(data.id));
      form.append("type", type.code);
      fetch(config.support, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        if (response.redirected || response.status === 401) { toLogin(data); return null; }
        return response.json().then(function (answer) {
          said.textContent = answer.message || answer.error || T.error;
          if (response.ok) {
            type.count += 1;
            if (type.countNode) { type.countNode.textContent = String(type.count); }
            button.textContent = T.supported;
            delete summaries[data.id];
          } else {
            button.disabled = false;
          }
        });
      }).catch(function () { said.textContent = T.error; button.disabled = false; });
    });
    var wrap = el("span", "popup-support-wrap");
    wrap.appendChild(button);
    wrap.appendChild(said);
    return wrap;
  }

  // Leaflet calls this each time the popup is drawn or updated: it builds from the cache, and
  // fetches the summary only the first time.
  function popupFor(id, p, m) {
    var box = el("div", "popup");
    box.appendChild(el("h2", "popup-title", p.address));
    var body = el("div", "popup-body", T.loading);
    box.appendChild(body);
    if (summaries[id]) {
      fill(body, summaries[id], m);
      return box;
    }
    getJSON(config.summary + id).then(function (data) {
      summaries[id] = data;
      // The popup grows: redrawing it re-measures it and pans it fully into view.
      if (m.isPopupOpen()) { m.getPopup().update(); } else { fill(body, data, m); }
    }).catch(function () { body.textContent = T.error; });
    return box;
  }

  function demandUrl() {
    var url = config.demand + "?bbox=" + bboxParam();
    if (filterType && filterType.value) { url += "&type=" + encodeURIComponent(filterType.value); }
    if (filterGroup && filterGroup.value) { url += "&group=" + encodeURIComponent(filterGroup.value); }
    return url;
  }

  function loadDemand(signal) {
    if (!heatToggle || !heatToggle.checked) { heat.setLatLngs([]); return Promise.resolve(); }
    return getJSON(demandUrl(), signal).then(function (data) {
      var max = 1;
      var points = data.features.map(function (f) {
        max = Math.max(max, f.properties.n);
        return [f.geometry.coordinates[1], f.geometry.coordinates[0], f.properties.n];
      });
      heat.setOptions({ max: max });
      heat.setLatLngs(points);
    });
  }

  function load() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var signal = pending.signal;
    var bbox = bboxParam();
    var jobs = [
      getJSON(config.premises + "?bbox=" + bbox, signal).then(function (data) {
        // Markers already shown stay put (an open popup survives the pan it caused);
        // only those that left the view or changed count are replaced.
        // Added and removed in batches: the cluster layer regroups once, not per marker.
        var seen = {};
        var added = [];
        var removed = [];
        data.features.forEach(function (f) {
          seen[f.id] = true;
          var old = shown[f.id];
          if (old && ((old.wishes === f.properties.wishes && old.level === f.properties.level) ||
              old.marker.isPopupOpen())) { return; }
          if (old) { removed.push(old.marker); }
          shown[f.id] = { marker: marker(f), wishes: f.properties.wishes, level: f.properties.level };
          added.push(shown[f.id].marker);
        });
        Object.keys(shown).forEach(function (id) {
          if (!seen[id] && !shown[id].marker.isPopupOpen()) {
            removed.push(shown[id].marker);
            delete shown[id];
          }
        });
        if (premisesLayer.removeLayers) {
          premisesLayer.removeLayers(removed);
          premisesLayer.addLayers(added);
        } else {
          removed.forEach(function (m) { premisesLayer.removeLayer(m); });
          added.forEach(function (m) { premisesLayer.addLayer(m); });
        }
        showClasses(data.classes);
        if (statusLine) { statusLine.textContent = data.features.length + " " + T.inView; }
      }),
      loadDemand(signal)
    ];
    if (config.streets) {
      jobs.push(getJSON(config.streets + "?bbox=" + bbox, signal).then(function (data) {
        streetsLayer.clearLayers();
        streetsLayer.addData(data);
      }));
    }
    Promise.all(jobs).catch(function (error) {
      if (error.name !== "AbortError" && statusLine) { statusLine.textContent = T.error; }
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  }

  map.on("moveend", later);
  [filterGroup, filterType, heatToggle].forEach(function (input) {
    if (!input) { return; }
    input.addEventListener("change", function () {
      if (input === filterGroup && filterType) {
        // Only the types of the chosen group stay offered.
        Array.prototype.forEach.call(filterType.querySelectorAll("optgroup"), function (g) {
          var show = !filterGroup.value || g.getAttribute("data-group") === filterGroup.value;
          g.hidden = !show;
          g.disabled = !show;
        });
        filterType.value = "";
      }
      loadDemand().catch(function () { if (statusLine) { statusLine.textContent = T.error; } });
    });
  });

  /* Locate me */
  var here = null;
  var locate = document.querySelector("[data-locate]");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { statusLine.textContent = T.noLocation; return; }
      navigator.geolocation.getCurrentPosition(function (position) {
        var at = [position.coords.latitude, position.coords.longitude];
        if (here) { map.removeLayer(here); }
        here = L.circleMarker(at, { radius: 8, color: "#1864ab", fillOpacity: 0.8 }).addTo(map)
          .bindTooltip(T.youAreHere);
        map.setView(at, 17);
      }, function () { statusLine.textContent = T.noLocation; }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  /* Address search within the district */
  var search = document.querySelector(".place-search");
  if (search) {
    var results = search.querySelector(".place-results");
    var said = search.querySelector("#place-status");
    search.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = search.querySelector("input[name=q]").value.trim();
      if (!q) { return; }
      getJSON(search.getAttribute("data-places") + "?q=" + encodeURIComponent(q)).then(function (data) {
        results.textContent = "";
        results.hidden = false;
        if (!data.features.length) {
          results.appendChild(el("li", "none", T.noPlace));
          said.textContent = T.noPlace;
          return;
        }
        said.textContent = data.features.length + " " + T.found;
        data.features.forEach(function (f) {
          var li = el("li");
          var button = el("button", "link-button", f.properties.label);
          button.type = "button";
          button.addEventListener("click", function () {
            var c = f.geometry.coordinates;
            map.setView([c[1], c[0]], f.properties.premise ? 18 : 17);
            results.hidden = true;
            document.getElementById("wishmap-map").scrollIntoView({ block: "nearest" });
          });
          li.appendChild(button);
          results.appendChild(li);
        });
        results.querySelector("button").focus();
      }).catch(function () { said.textContent = T.error; });
    });
  }

  /* Free wishes: a point that is not a premise */
  var freeButton = document.querySelector("[data-free-wish]");
  var freeHelp = document.querySelector("[data-free-help]");
  if (freeButton) {
    freeButton.addEventListener("click", function () {
      freeMode = !freeMode;
      freeButton.setAttribute("aria-pressed", String(freeMode));
      if (freeHelp) { freeHelp.hidden = !freeMode; }
      map.getContainer().classList.toggle("picking", freeMode);
    });
  }
  map.on("click", function (event) {
    if (!freeMode) { return; }
    var lat = Math.round(event.latlng.lat * 1e5) / 1e5;
    var lon = Math.round(event.latlng.lng * 1e5) / 1e5;
    var box = el("div", "popup");
    var link = el("a", "button primary", T.wishPoint);
    link.href = config.newWish + "?lat=" + lat + "&lon=" + lon;
    box.appendChild(link);
    L.popup().setLatLng(event.latlng).setContent(box).openOn(map);
  });

  // On a phone the map comes first: the filters and legend fold away until asked for.
  var more = document.querySelector(".map-more");
  if (more && window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    more.open = false;
  }

  // Leaflet sizes the map when created; our layout may have changed since (fonts, panel).
  map.invalidateSize();
  load();
}());
