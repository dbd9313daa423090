// An edge's load and health (GET /v1/edge/status), which the playback service polls every
// second to steer viewers (docs/edge.md, "Status"). Written by the edge, read by the service.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace onair::contract {

struct EdgeStatus {
  std::string state = "healthy";  // healthy, draining, no-upstream
  int64_t connections = 0;        // client connections open now
  int64_t egress_bps = 0;         // body bits sent to viewers per second, lately
  double cache_hit_ratio = 0;     // of object requests, lately
  int64_t fills_in_flight = 0;
  int64_t cache_bytes = 0;
  int64_t upstreams_healthy = 0;
};

std::string WriteEdgeStatus(const EdgeStatus& s);
// InvalidArgument naming the field for a body that is not one (counts are whole and >= 0,
// the state a name); fields it does not know are ignored (newer edges say more).
StatusOr<EdgeStatus> ParseEdgeStatus(const std::string& json_text);

}  // namespace onair::contract
