// The web pages onair serves (web/), embedded in the binary at build time with the npm
// packages they use (dash.js, uPlot): `onair playback` serves the player at /watch/{event},
// `onair metrics` the control center at /control, with no files to install and no CDN.
#pragma once

#include <string_view>

namespace onair::web {

struct Asset {
  std::string_view content_type;
  std::string_view bytes;
  bool immutable = false;  // the same bytes for this build: cacheable for long
};

// The asset at a request path: /watch/{event} (the player page), /web/watch.js,
// /web/dash.mediaplayer.min.js; /control (the control center), /control/control.js,
// /control/uPlot.iife.min.js, /control/uPlot.min.css, /control/runbooks; nullptr if none.
const Asset* FindAsset(std::string_view path);

}  // namespace onair::web
