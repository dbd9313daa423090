// QoE events from players (`POST /v1/events`, schema in docs/player.md, "QoE events"): a
// batch per session, read and checked here. The service that aggregates them per second is
// the metrics service's; the playback service accepts them and counts them by type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace onair::playback {

// The largest batch body (1 000 events of ~200 bytes).
constexpr size_t kMaxEventBatchBody = 256 * 1024;
constexpr size_t kMaxEventsPerBatch = 1000;

// The event types the schema defines; anything else a newer player sends is counted as
// "other" (accepted: old services never refuse new players).
enum class QoeType { kStart, kRebuffer, kSwitch, kError, kEdge, kHeartbeat, kEnd, kOther };
constexpr int kQoeTypes = 8;
const char* QoeTypeName(QoeType t);

struct QoeEvent {
  QoeType type = QoeType::kOther;
  int64_t at_us = 0;        // "t", UTC
  double ttff_ms = -1;      // start
  double duration_ms = -1;  // rebuffer
};

struct QoeBatch {
  std::string session;
  std::string event;
  std::string device_type;
  std::string region;
  std::vector<QoeEvent> events;
};

// InvalidArgument naming the field for a batch that is not JSON, misses session, event or
// events, has more than kMaxEventsPerBatch events, or an event without a type or time.
StatusOr<QoeBatch> ParseQoeBatch(const std::string& json_text);

}  // namespace onair::playback
