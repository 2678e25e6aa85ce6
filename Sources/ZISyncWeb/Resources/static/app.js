// Halaman kerja ZI: the little script the pages need. Everything works without it except the
// chunked upload (which needs it to survive a dropped connection) and reading a CSV file into
// the import form.
(function () {
  "use strict";

  // CSV import: the chosen file's text goes into the textarea that the form posts.
  document.querySelectorAll("input[type=file][data-isi]").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) return;
      file.text().then(function (text) {
        document.getElementById(input.dataset.isi).value = text;
        document.getElementById(input.dataset.nama).value = file.name;
      });
    });
  });

  var form = document.getElementById("form-unggah");
  if (!form) return;
  var CHUNK = 1024 * 1024;
  var csrf = form.dataset.csrf;
  var picker = document.getElementById("u-berkas");
  var zone = document.getElementById("zona-jatuh");
  var bar = document.getElementById("u-progres");
  var status = document.getElementById("u-status");
  var chosen = null;

  function say(text) { status.textContent = text; }
  function choose(file) {
    chosen = file;
    document.getElementById("u-nama").textContent = file ? file.name + " (" + Math.round(file.size / 1024) + " KB)" : "";
  }
  function showErrors(errors) {
    form.querySelectorAll("[data-galat]").forEach(function (el) { el.textContent = errors[el.dataset.galat] || ""; });
  }
  picker.addEventListener("change", function () { choose(picker.files[0]); });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("di-atas"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("di-atas"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]); });

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // The SHA-256 the server checks at the end; only secure pages (localhost, TLS) have it.
  function digest(file) {
    // Held in memory whole: only for files a browser holds comfortably.
    if (!(window.crypto && crypto.subtle) || file.size > 256 * 1024 * 1024) return Promise.resolve("");
    return file.arrayBuffer().then(function (b) { return crypto.subtle.digest("SHA-256", b); }).then(hex);
  }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // One chunk by XHR (for its progress events); resolves with the server's answer.
  function sendChunk(url, file, offset) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PATCH", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = function (e) { bar.value = Math.floor(100 * (offset + e.loaded) / file.size); };
      xhr.onload = function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (err) { answer = {}; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(answer);
        else reject({ status: xhr.status, answer: answer });
      };
      xhr.onerror = function () { reject({ status: 0 }); };
      xhr.send(file.slice(offset, Math.min(file.size, offset + CHUNK)));
    });
  }
  function offsetOf(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw { status: r.status };
      return r.json();
    }).then(function (a) { return a.offset; });
  }

  // Sends from the server's offset on; a dropped connection waits and asks the offset again.
  // At the end an empty chunk asks the server to finish (an upload resumed when all its bytes
  // were already there, say after the server refused to store it once).
  function run(url, file, offset, tries) {
    return sendChunk(url, file, offset).then(function (answer) {
      if (answer.evidence) return answer;
      if (answer.offset >= file.size) throw { status: 500, answer: { error: "Server belum menyimpan berkas; coba lagi." } };
      return run(url, file, answer.offset, 0);
    }, function (err) {
      if (err.status && err.status !== 409 && err.status < 500) throw err;
      say("Koneksi terputus; mencoba lagi…");
      var delay = Math.min(30000, 1000 * Math.pow(2, tries));
      return wait(delay).then(function () { return offsetOf(url); }).then(function (held) {
        say("Melanjutkan dari " + Math.round(held / 1024) + " KB…");
        return run(url, file, held, tries + 1);
      }, function (e) {
        if (e.status && e.status < 500) throw e;
        return run(url, file, offset, tries + 1);
      });
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!chosen) { showErrors({ berkas: "Pilih berkas dulu." }); return; }
    var file = chosen;
    var button = document.getElementById("u-kirim");
    button.disabled = true;
    showErrors({});
    bar.hidden = false;
    bar.value = 0;
    say("Menyiapkan…");
    var key = "unggah:" + file.name + ":" + file.size + ":" + file.lastModified;
    digest(file).then(function (sha) {
      var known = localStorage.getItem(key);
      var start = known
        ? offsetOf("/bukti-dukung/unggah/" + known).then(function (o) { return { id: known, offset: o }; }, function () { return null; })
        : Promise.resolve(null);
      return start.then(function (resumed) {
        if (resumed) return resumed;
        var params = new URLSearchParams(new FormData(form));
        params.set("nama", file.name);
        params.set("ukuran", String(file.size));
        params.set("sha256", sha);
        params.set("_csrf", csrf);
        return fetch("/bukti-dukung/unggah", {
          method: "POST", credentials: "same-origin", body: params,
          headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf }
        }).then(function (r) {
          return r.json().then(function (a) {
            if (!r.ok) throw { status: r.status, answer: a };
            localStorage.setItem(key, a.id);
            return { id: a.id, offset: 0 };
          });
        });
      });
    }).then(function (u) {
      say("Mengunggah…");
      return run("/bukti-dukung/unggah/" + u.id, file, u.offset, 0);
    }).then(function (answer) {
      localStorage.removeItem(key);
      bar.value = 100;
      say("Tersimpan.");
      // The server words the notice (a page shows only the app's own, tagged notices).
      window.location = (answer.next || "/bukti-dukung") + (answer.evidence ? "#" : "");
    }).catch(function (err) {
      // The upload stays known: trying again with the same file goes on where it stopped (a
      // discarded one is simply started again).
      var a = (err && err.answer) || {};
      if (a.errors) showErrors(a.errors);
      say(a.error || (a.errors ? "Periksa isian yang ditandai." : "Unggahan gagal (" + (err && err.status) + ")."));
      button.disabled = false;
    });
  });
})();
