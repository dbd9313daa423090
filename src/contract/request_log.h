// The request log every service can write (`--request-log FILE`, docs/service.md, "Request
// log") and the load generator replays (`onair loadgen replay`): one JSON object per line
// and per request, with what a replay needs to send it again (when, to which host, method,
// target, the priority asked for, the body of a JSON request such as a play start's device
// description) and what came of it (status, bytes, cache, times). Credentials never reach
// it: no header but the priority and the content type is kept, query parameters and body
// members that carry a token or a signature are left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace onair::contract {

struct RequestRecord {
  UtcMicros at = 0;            // when the request arrived
  std::string service;         // playback | edge | origin | metrics ...
  std::string host;            // the Host header: where the client sent it
  std::string client;          // the client's address
  std::string method;          // GET, POST ...
  std::string target;          // path and query, tokens left out
  std::string priority;        // the X-Onair-Priority the client sent ("": none)
  std::string content_type;    // of the request's body ("": none)
  std::string body;            // a JSON body, compact, tokens left out ("": none or not JSON)
  uint64_t body_bytes = 0;     // of the body as it came
  int status = 0;              // 0: the client left before an answer
  uint64_t bytes = 0;          // body bytes sent
  std::string cache;           // the edge: hit | miss | collapsed | edge ("": not an edge)
  int64_t first_byte_us = -1;  // from arrival to the first body byte (-1: not known)
  int64_t total_us = 0;        // from arrival to the end of the answer
};

// One line (no newline at its end).
std::string FormatRequestRecord(const RequestRecord& r);

// A line back; InvalidArgument naming the field otherwise ("at_us: required"). Lines of
// more than 1 MiB are refused. Unknown members are ignored (later versions add some).
StatusOr<RequestRecord> ParseRequestRecord(std::string_view line);

// What a log may keep of a request: the target without its token-like query parameters
// (token, sig, signature, auth, key, hdnts, ...), a JSON body without its token-like
// members at any depth ("" when the body is not JSON).
std::string TargetWithoutTokens(std::string_view target);
std::string JsonWithoutTokens(std::string_view body);

}  // namespace onair::contract
