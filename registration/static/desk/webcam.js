// Walk-in photo from the desk's webcam: a frame drawn on a canvas and sent as a JPEG data URL
// in a hidden field; the server re-encodes it like an uploaded photo.
(function () {
  "use strict";
  const field = document.getElementById("captured_photo");
  if (!field) return;
  const $ = (id) => document.getElementById(id);
  const video = $("webcam-video");
  const preview = $("webcam-preview");
  const start = $("webcam-start");
  const take = $("webcam-take");
  const clear = $("webcam-clear");
  const status = $("webcam-status");
  let stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    take.hidden = true;
  }

  start.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 } }, audio: false });
    } catch (error) {
      status.textContent = status.dataset.noCamera;
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    take.hidden = false;
    status.textContent = "";
    await video.play();
  });

  take.addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    // A 3:4 portrait from the middle of the frame, as the badge shows it.
    const height = video.videoHeight;
    const width = Math.min(video.videoWidth, Math.round((height * 3) / 4));
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").drawImage(video, (video.videoWidth - width) / 2, 0, width, height, 0, 0, width, height);
    field.value = canvas.toDataURL("image/jpeg", 0.85);
    preview.src = field.value;
    preview.hidden = false;
    clear.hidden = false;
    stop();
  });

  clear.addEventListener("click", () => {
    field.value = "";
    preview.hidden = true;
    preview.removeAttribute("src");
    clear.hidden = true;
  });
})();
