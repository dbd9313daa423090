// DASH MPD and HLS playlist writers: pure functions from the state of an event to text.
// URL layout (DESIGN.md): {rendition}/init.mp4 and {rendition}/{n}.m4s beside the manifests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/epoch.h"
#include "core/event_config.h"

namespace onair::media {

struct SegmentEntry {
  int64_t number = 0;
  int64_t duration_us = 0;  // actual, e.g. 1.968 s or 2.002 s at 29.97 fps
  int64_t start_ticks = 0;  // tfdt, in the track timescale
  int64_t duration_ticks = 0;
};

struct TrackInfo {
  std::string id;  // the rendition name
  bool is_video = true;
  std::string codecs;  // RFC 6381
  int64_t bandwidth = 0;
  int width = 0, height = 0;
  Rational fps{30, 1};
  int sample_rate = 48000, channels = 2;
  int64_t timescale = 90000;
  std::vector<SegmentEntry> segments;  // published, oldest first (HLS)
};

// An MPD-level BaseURL: where segments are fetched from (an edge), with the name a steering
// server and the player know it by.
struct BaseUrl {
  std::string url;  // absolute, ending in '/'
  std::string service_location;
};

struct ManifestState {
  bool live = true;  // dynamic MPD, HLS without ENDLIST
  UtcMicros ast = 0;
  int64_t segment_us = 2000000;
  UtcMicros publish_time = 0;
  // Finished (static) presentations cover [first_number, last_number].
  int64_t first_number = 0;
  int64_t last_number = 0;
  int64_t time_shift_buffer_us = 0;  // DVR window of a live MPD; 0: no limit given
  int64_t chunk_us = 0;              // > 0: advertise low-latency chunked availability
  std::vector<TrackInfo> tracks;     // video tracks first
  std::string url_query;             // appended to segment URLs, e.g. "?v=2" (cache keys)
  // Made for one device (the playback service); empty: none of them, as before.
  std::vector<BaseUrl> base_urls;  // ranked, best first
  std::string utc_timing_url;      // UTCTiming (http-iso): the clock players sync to
  int64_t target_latency_us = 0;   // ServiceDescription/Latency@target
  // Content steering (DASH-IF and HLS): where running players reload the order of the
  // base URLs (pathways), and the one they start on; "": none.
  std::string steering_url;
  std::string steering_default;
  // A live MPD's minimumUpdatePeriod; 0: absent (the MPD never changes: nothing to poll).
  int64_t minimum_update_period_us = 30'000'000;
};

// The live state of an event at `now` from its config (timing, DVR window, chunks), no tracks.
ManifestState LiveState(const EventConfig& config, UtcMicros now);
// The track of a rung (`rung` null: the event's audio) with its codecs string.
TrackInfo TrackOf(const EventConfig& config, const RenditionConfig* rung, std::string codecs);

std::string WriteDashMpd(const ManifestState& state);
// With base URLs, every variant and audio rendition is listed once per base URL (an HLS
// pathway named by its service location; audio groups "audio-{pathway}"), at absolute URIs.
std::string WriteHlsMultivariant(const ManifestState& state);
std::string WriteHlsMedia(const ManifestState& state, const TrackInfo& track);

// xs:duration of a number of microseconds: "PT2S", "PT0.5S", "PT1795428000S".
std::string XsDuration(int64_t micros);

}  // namespace onair::media
