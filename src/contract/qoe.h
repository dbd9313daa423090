// QoE events from players (POST /v1/events, docs/player.md, "QoE events"): a batch per
// session and interval. Written by the players (headless, web, the load generator), read by
// the playback service today and the metrics service next; every field an aggregate needs is
// typed here, so no reader picks at the JSON on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace onair::contract {

// The largest batch body (1 000 events of ~200 bytes).
constexpr size_t kMaxEventBatchBody = 256 * 1024;
constexpr size_t kMaxEventsPerBatch = 1000;

// The event types the schema defines; anything else a newer player sends is read as "other"
// (accepted: old services never refuse new players).
enum class QoeType { kStart, kRebuffer, kSwitch, kError, kEdge, kHeartbeat, kEnd, kOther };
constexpr int kQoeTypes = 8;
const char* QoeTypeName(QoeType t);

// One event; a field that does not apply is absent (-1 or "").
struct QoeEvent {
  QoeType type = QoeType::kOther;
  UtcMicros at_us = 0;       // "t"
  double ttff_ms = -1;       // start: from the play request to the first frame
  double duration_ms = -1;   // rebuffer
  std::string edge;          // start, rebuffer, heartbeat, error: the edge fetched from
  std::string from, to;      // switch: renditions; edge: edges
  int64_t bitrate = -1;      // switch, heartbeat: bits/s of what is shown
  std::string kind, detail;  // error
  std::string state;         // heartbeat: playing, stalled, starting
  int64_t buffer_ms = -1;    // heartbeat
  int64_t latency_ms = -1;   // heartbeat: glass to glass at the playhead
  double played_s = -1;      // end
  int64_t rebuffers = -1;    // end
  // Added within v 1 for the metrics service (docs/metrics.md); absent from older players.
  std::string rendition;    // heartbeat (start, where known): the video rendition shown
  std::string codec;        // the same: its codec family (QoeCodecFamily)
  int64_t played_ms = -1;   // heartbeat: time spent playing since the previous heartbeat
  int64_t stalled_ms = -1;  // heartbeat: time spent stalled (after the start) since then
  int top = -1;             // heartbeat: 1 if the rendition is the top one this device may play
  // error: 1 if it ended the session; end: 1 if the session ended on a failure.
  int fatal = -1;
  // end: 1 if the video had started. With `fatal`, the session's outcome: a start failure
  // (not started, fatal), an exit before video start (not started, not fatal), a playback
  // failure (started, fatal), or a plain end.
  int started = -1;
};

struct QoeBatch {
  std::string session;
  std::string event;
  std::string device_type;
  std::string region;
  std::vector<QoeEvent> events;
};

// The codec family a QoE event names, from an RFC 6381 codecs string: avc1/avc3 → "avc",
// hvc1/hev1 → "hevc", av01 → "av1", mp4a → "aac", else its first four characters.
std::string QoeCodecFamily(std::string_view codecs);

std::string WriteQoeBatch(const QoeBatch& batch);
// InvalidArgument naming the field for a batch that is not JSON, misses session, event or
// events, has more than kMaxEventsPerBatch events, an event without a type or time, or a
// field of the wrong type or out of its range; fields it does not know are ignored.
StatusOr<QoeBatch> ParseQoeBatch(const std::string& json_text);

}  // namespace onair::contract
