// scan.js: fills a form for scanning a QR code on a phone (used by the
// inspection task page): the location, if the browser allows it, into
// #scan-lat/#scan-lon, and, where the BarcodeDetector API exists, a camera
// button that reads a QR code into #scan-code and submits its form.
(function () {
  var lat = document.getElementById('scan-lat'), lon = document.getElementById('scan-lon');
  if (lat && lon && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (p) {
      lat.value = p.coords.latitude.toFixed(5);
      lon.value = p.coords.longitude.toFixed(5);
    }, function () {}, { timeout: 5000 });
  }
  var btn = document.getElementById('scan-camera'), video = document.getElementById('scan-video'), code = document.getElementById('scan-code');
  if (!btn || !video || !code || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  btn.hidden = false;
  btn.addEventListener('click', async function () {
    var det = new BarcodeDetector({ formats: ['qr_code'] });
    var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    var tick = async function () {
      var found = await det.detect(video);
      if (found.length) {
        code.value = found[0].rawValue;
        stream.getTracks().forEach(function (t) { t.stop(); });
        video.hidden = true;
        code.form.requestSubmit();
      } else {
        requestAnimationFrame(tick);
      }
    };
    tick();
  });
})();
