// Fault rules, as the operator or the fault injector sets them on any service
// (`PUT /admin/faults`, docs/service.md, "Faults"): for a share of the requests of a route,
// delay them, abort them with a status, or reset their connection; for a number of requests
// or a number of seconds. The body is {"faults": [rule, ...]}, one rule:
//   {"route": "segment" | "*", "path_prefix": "/live/show/", "kind": "delay" | "abort" | "reset",
//    "delay_ms": 200, "status": 503, "share": 0.5, "count": 10, "seconds": 30}
// route, kind required; share defaults to 1, status to 503; count and seconds unlimited.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace onair::contract {

struct FaultSpec {
  enum class Kind { kDelay, kAbort, kReset };
  std::string route = "*";  // a route's name, or "*": every route but the admin API's
  std::string path_prefix;  // "": any path
  Kind kind = Kind::kAbort;
  int64_t delay_ms = 0;  // kDelay: 1..60 000
  int status = 503;      // kAbort: 400..599
  double share = 1.0;    // of the requests that match: (0, 1]
  int64_t count = -1;    // how many requests at most (-1: no limit)
  int64_t seconds = -1;  // for how long from when it is set (-1: until cleared)
};

const char* FaultKindName(FaultSpec::Kind kind);
// At most 64 rules; InvalidArgument naming the rule and field otherwise.
StatusOr<std::vector<FaultSpec>> ParseFaults(const std::string& json_text);
std::string WriteFaults(const std::vector<FaultSpec>& faults);

}  // namespace onair::contract
