// The per-second figures of every event, from QoE batches: each event's seconds sliced by
// edge, region, device type, rendition and codec, kept with their sketches while an event
// can still reach them (late by up to `late_s`) and for the viewer window after, then closed
// into numbers and kept for `keep_s`. A flood of distinct values cannot grow it without
// bound: past `values_per_dimension` a dimension's new values count as "other", and past
// `max_events` a new event's batches are refused. Events far in the past or future are
// counted and dropped; an event is forgotten once its last second is past keeping. Not
// thread-safe: a service keeps one per event loop and merges them
// (the same merge that joins collectors). docs/metrics.md.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "contract/qoe.h"
#include "core/clock.h"
#include "core/status.h"
#include "metrics/figures.h"
#include "metrics/numbers.h"

namespace onair::metrics {

enum class Dimension { kEdge, kRegion, kDevice, kRendition, kCodec };
constexpr int kDimensions = 5;
const char* DimensionName(Dimension d);  // as in the JSON: edge, region, device_type, ...

struct CollectorOptions {
  int64_t late_s = 30;               // batches come every 10 s, and a failed one is retried
  int64_t early_s = 5;               // devices' clocks run a little ahead
  int64_t viewer_window_s = 15;      // concurrent viewers: a heartbeat in the last 15 s
  int64_t keep_s = 3600;             // closed seconds kept per event
  int64_t keep_breakdowns_s = 900;   // ... with their breakdowns
  size_t values_per_dimension = 64;  // then "other"
  size_t error_kinds = 32;           // then "other"
  size_t max_events = 256;
};

struct Ingested {
  size_t accepted = 0, late = 0, early = 0;
  bool refused = false;  // a new event past max_events
};

// What a collector's part added to another (Collector::Absorb).
struct Absorbed {
  size_t events = 0;                                  // the QoE events the part's figures came from
  bool late = false, early = false, refused = false;  // refused: a new event past max_events
};

// One second of an event as people read it.
struct SecondNumbers {
  int64_t second = 0;  // Unix seconds
  bool final = false;  // closed: no event can change it any more
  Numbers total;
  std::array<std::map<std::string, Numbers>, kDimensions> by;
  std::map<std::string, uint64_t> errors_by_kind;
};

// As GET /v1/metrics/{event} answers each second (docs/metrics.md).
void to_json(nlohmann::json& j, const SecondNumbers& s);

class Collector {
 public:
  explicit Collector(CollectorOptions o = {}) : o_(o) {}

  Ingested Add(const contract::QoeBatch& batch, UtcMicros now);
  // Closes the seconds no event can reach any more, forgets what is past keeping.
  void Close(UtcMicros now);
  // Seconds [from_s, to_s] of `event` that have anything, oldest first; the open ones are
  // provisional.
  std::vector<SecondNumbers> Series(const std::string& event, int64_t from_s, int64_t to_s) const;
  // The closed seconds of `event` from from_s on, oldest first (final: what an archive keeps).
  std::vector<SecondNumbers> Closed(const std::string& event, int64_t from_s) const;
  // Seconds [from_s, to_s] of `event` as one span (what alerts judge): their figures merged,
  // the viewers those of to_s's window. Only the open seconds count (the last
  // late_s + viewer_window_s); `second` is to_s.
  SecondNumbers Span(const std::string& event, int64_t from_s, int64_t to_s) const;
  // Second s of `event`: its starts, and its concurrent viewers (cheaper than a span).
  uint64_t StartsAt(const std::string& event, int64_t s) const;
  uint64_t ViewersAt(const std::string& event, int64_t s) const;
  bool Has(const std::string& event) const { return events_.count(event) > 0; }

  // Past one machine (docs/metrics.md, "Collectors and the aggregator"): a collector's open
  // seconds taken out as parts, messages of at most about `max_bytes` each (a slice is never
  // split), and the collector emptied; another collector absorbs each part, adding its figures
  // to those of the same second as if it had seen the events itself. Absorb refuses a part
  // it cannot read whole (nothing of it applied).
  std::vector<std::string> Drain(size_t max_bytes);
  StatusOr<Absorbed> Absorb(std::string_view part, UtcMicros now);
  std::vector<std::string> Events() const;
  size_t open_seconds() const;

 private:
  struct Names {  // the values of a dimension (or error kinds) seen in an event, capped
    std::vector<std::string> names;
    std::unordered_map<std::string, int> ids;
    int IdOf(const std::string& v, size_t most);
  };
  struct Second {
    Figures total;
    std::array<std::vector<Figures>, kDimensions> by;  // by value id
    std::vector<uint64_t> errors_by_kind;              // by kind id
  };
  struct Event {
    std::array<Names, kDimensions> values;
    Names kinds;
    std::map<int64_t, Second> open;                   // with their sketches
    std::map<int64_t, SecondNumbers> closed;          // numbers only
    int64_t first_s = INT64_MAX, last_s = INT64_MIN;  // the seconds events came for
    int64_t bare_until = INT64_MIN;                   // closed seconds without breakdowns
    uint64_t added = 0;                               // QoE events accepted since a Drain
  };

  SecondNumbers SpanAt(const Event& ev, int64_t from_s, int64_t to_s) const;
  // The event's entry, made unless past max_events (nullptr then).
  Event* EventFor(const std::string& event);
  // Second s of ev, opened; nullptr with `late` or `early` set when s is out of reach.
  Second* SecondFor(Event& ev, int64_t s, int64_t now_s, bool* late, bool* early);
  uint64_t ViewersAt(const Event& ev, int64_t s, int d, int id) const;

  CollectorOptions o_;
  std::map<std::string, Event> events_;
};

}  // namespace onair::metrics
