#include "origin/manifests.h"

#include <algorithm>

#include "contract/headers.h"
#include "media/manifest.h"
#include "origin/reads.h"

namespace onair::origin {

using service::Error;
using service::Response;

Response ManifestAnswer(Store& store, const Target& t, UtcMicros now) {
  auto ev = store.FindEvent(t.event);
  if (!ev) return Reads::NoEvent(t.event);
  EventConfig c;
  int64_t version = 0;
  {
    std::lock_guard<std::mutex> lock(ev->mu);
    c = ev->config;
    version = ev->control.version;
  }
  if (t.file == "event.json") {
    // The event's public timing and ladder (AST, D, renditions), for edges and the playback
    // service; it changes only when an operator replaces the event.
    return service::Json(200, EventConfigToJson(c), "public, max-age=10");
  }
  media::ManifestState s = media::LiveState(c, now);
  if (version > 0) s.url_query = "?v=" + std::to_string(version);
  // The clock players sync to: the server that answers the manifest (an edge or this origin).
  s.utc_timing_url = "/v1/time";
  auto add = [&](const RenditionConfig* rung) -> bool {
    const std::string id = rung ? rung->name : c.audio.name;
    media::TrackInfo ti = media::TrackOf(c, rung, store.Codecs(c.event, id));
    if (ti.codecs.empty()) return false;
    for (int64_t n : store.WindowNumbers(c.event, id)) {
      ti.segments.push_back({n, c.segment_us, 0, 0});
    }
    s.tracks.push_back(std::move(ti));
    return true;
  };
  bool all = true;
  for (const auto& r : c.ladder) all = add(&r) && all;
  all = add(nullptr) && all;
  if (!all) {
    Response res = Error(404, "no init segments yet", {}, "max-age=1");
    res.set(contract::kMaxAgeMs, "1000");
    return res;
  }
  std::string body, type;
  if (t.file == "manifest.mpd") {
    body = media::WriteDashMpd(s);
    type = "application/dash+xml";
  } else if (t.file == "master.m3u8") {
    body = media::WriteHlsMultivariant(s);
    type = "application/vnd.apple.mpegurl";
  } else {
    const media::TrackInfo* track = nullptr;
    for (const auto& ti : s.tracks) {
      if (ti.id == t.rendition) track = &ti;
    }
    if (!track) return Error(404, "no rendition '" + t.rendition + "'", {}, "max-age=2");
    body = media::WriteHlsMedia(s, *track);
    type = "application/vnd.apple.mpegurl";
  }
  // The MPD is a template that changes only with the event; playlists change every D.
  const int64_t age =
      t.file == "manifest.mpd" ? 10 : std::max<int64_t>(1, c.segment_us / 2'000'000);
  return service::Text(200, std::move(body), "public, max-age=" + std::to_string(age), type);
}

}  // namespace onair::origin
