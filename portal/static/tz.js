// Progressive enhancement only: tells the server the visitor's time zone
// (a cookie, and the reply form's hidden field), so deadlines read in
// their own time. The page works without it.
(function () {
  var tz;
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!tz || !/^[A-Za-z][A-Za-z0-9_+\-\/]*$/.test(tz)) { return; }
  document.cookie = "deskbot_tz=" + tz + "; path=/t/; max-age=31536000; samesite=strict" + (location.protocol === "https:" ? "; secure" : "");
  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("input.tz");
    for (var i = 0; i < fields.length; i++) { fields[i].value = tz; }
  });
})();
