// Common Media Client Data (CTA-5004): what the player tells the CDN with each segment
// request (session, buffer, bitrate, throughput), so edges and origin can log it beside the
// request. Query-argument mode: edges key their cache on the path (and `v=`) only, so the
// argument never splits the cache, and browsers send it without a CORS preflight.
#pragma once

#include <cstdint>
#include <string>

namespace onair::player {

struct Cmcd {
  // Object
  int64_t bitrate_kbps = 0;      // br: encoded bitrate of the object
  int64_t duration_ms = 0;       // d
  char object_type = 0;          // ot: 'v' video, 'a' audio, 'i' init
  int64_t top_bitrate_kbps = 0;  // tb
  // Request
  int64_t buffer_ms = -1;       // bl (-1: not sent)
  int64_t deadline_ms = -1;     // dl
  int64_t throughput_kbps = 0;  // mtp
  std::string next_object;      // nor: relative URL of the next object
  bool startup = false;         // su
  // Session
  std::string content_id;      // cid
  std::string session_id;      // sid
  bool live = true;            // st: l or v
  double playback_rate = 1.0;  // pr (sent when not 1)
  // Status
  bool buffer_starvation = false;  // bs: the buffer ran dry since the last request
};

// The keys in alphabetical order, as the specification asks ("bl=1200,br=2400,...").
std::string CmcdPayload(const Cmcd& c);
// `CMCD=` and the payload, percent-encoded for a query string.
std::string CmcdQuery(const Cmcd& c);
// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(const std::string& s);

}  // namespace onair::player
