// The parts of a DASH MPD (ISO/IEC 23009-1) a live player needs, read with a real XML parser
// (pugixml) from bytes that come off the network: every number is checked, and what the
// player cannot follow (SegmentTimeline, several periods) is an error that says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace onair::player {

struct SegmentTemplate {
  int64_t timescale = 1;
  int64_t duration = 0;  // of a segment, in timescale ticks
  int64_t start_number = 1;
  int64_t presentation_time_offset = 0;
  double availability_time_offset = 0;     // seconds before its end a segment starts to be served
  bool availability_time_complete = true;  // false: served while it is made (chunked)
  std::string initialization;
  std::string media;
  int64_t duration_us() const;
};

struct Representation {
  std::string id;
  int64_t bandwidth = 0;
  int width = 0, height = 0;
  std::string codecs;
};

struct AdaptationSet {
  std::string content_type;  // "video" or "audio"
  SegmentTemplate segments;
  std::vector<Representation> representations;  // by bandwidth, lowest first
};

struct BaseUrl {
  std::string url;  // absolute, ends with '/'
  std::string service_location;
};

struct ContentSteering {
  std::string server_url;
  std::string default_service_location;
  bool query_before_start = false;
};

struct UtcTiming {
  std::string scheme;
  std::string value;
};

struct Presentation {
  bool dynamic = false;
  UtcMicros availability_start = 0;
  int64_t period_start_us = 0;
  int64_t time_shift_buffer_us = 0;  // 0: not given
  int64_t suggested_delay_us = 0;    // 0: not given
  int64_t latency_target_ms = 0;     // ServiceDescription/Latency@target; 0: not given
  std::vector<BaseUrl> base_urls;    // in the MPD's order (at least one)
  std::optional<ContentSteering> steering;
  std::vector<UtcTiming> utc_timings;
  std::vector<AdaptationSet> sets;

  // The first set of `content_type` ("video", "audio"), or nullptr.
  const AdaptationSet* Find(const std::string& content_type) const;
};

// `mpd_url` resolves relative BaseURLs (and stands for the base when there is none).
StatusOr<Presentation> ParseMpd(std::string_view xml, const std::string& mpd_url);

// xs:duration ("PT2S", "PT1M30.5S", "P1DT2H") in microseconds.
StatusOr<int64_t> ParseIsoDuration(std::string_view text);

// A SegmentTemplate's @media or @initialization with $RepresentationID$, $Number$ (with an
// optional %0Nd width), $Bandwidth$ and $$ replaced.
StatusOr<std::string> ExpandTemplate(std::string_view tmpl, const Representation& rep,
                                     int64_t number);

// `relative` resolved against `base` (an absolute http URL): absolute URLs, paths from the
// root and paths relative to the base's directory.
std::string ResolveUrl(const std::string& base, const std::string& relative);

}  // namespace onair::player
