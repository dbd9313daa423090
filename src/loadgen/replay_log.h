// What `onair loadgen replay` sends, read from a request log (contract/request_log.h): the
// requests in the order they arrived with their recorded gaps, a sample of the viewers, and
// the rewrites that point them elsewhere (the event's name, hosts, a device mix for play
// starts). Plain code over a file that came from elsewhere (fuzzed: fuzz/request_log_fuzz.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "contract/request_log.h"
#include "core/status.h"
#include "net/headers.h"

namespace onair::loadgen {

struct LoggedRequest {
  int64_t offset_us = 0;  // after the log's first request
  size_t line = 0;        // in the log, from 1
  contract::RequestRecord record;
};

struct ReplayLog {
  std::vector<LoggedRequest> requests;  // by arrival (stable for equal times)
  int64_t span_us = 0;                  // from the first request to the last
};

// The lines of a log; blank lines are skipped. A bad line fails the whole read as "line N:
// field: why"; more than `most` requests fail it too (a replay is bounded).
StatusOr<ReplayLog> ReadReplayLog(std::istream& in, size_t most);
StatusOr<ReplayLog> ParseReplayLog(std::string_view text, size_t most);
// Several logs (a playback service's and its edges') as one, by arrival; at most `most`.
StatusOr<ReplayLog> MergeReplayLogs(std::vector<ReplayLog> logs, size_t most);

// "200%", "2", "2x" (a speed) or "10%", "0.1" (a share): a positive number; InvalidArgument
// naming the text otherwise.
StatusOr<double> ParseShare(std::string_view text);

// "FROM=TO" (a host rewrite "127.0.0.1:8082=http://10.0.0.2:8082", a service's destination
// "edge=http://127.0.0.1:8081").
StatusOr<std::pair<std::string, std::string>> ParseMapping(std::string_view text);

// What a request is, for the histograms: play, steering, events, time, manifest, init,
// segment, other.
std::string RequestKind(const contract::RequestRecord& r);

// Who sent it, so that a sample keeps whole viewers: the CMCD session id of a segment
// request, else the client's address.
std::string ViewerKey(const contract::RequestRecord& r);

// Whether a request is in a sample of `share` of the viewers (the same viewers for a seed).
bool Sampled(const contract::RequestRecord& r, double share, uint64_t seed);

struct Rewrites {
  std::string event;  // "": as recorded
  // Where requests go: by recorded Host first, then by the service that logged them, then
  // `fallback`; none of them: http://{recorded host}.
  std::vector<std::pair<std::string, std::string>> hosts, services;
  std::string fallback;
  // The body of play start number n ("" or none: as recorded; a device drawn from a mix).
  std::function<std::string(uint64_t n)> play_body;
};

struct Outgoing {
  std::string base;  // http(s)://host[:port]
  std::string method, target, body;
  net::Headers headers;
  std::string kind;  // RequestKind
};

// The request as it goes out, request number `n` of the replay; InvalidArgument when it cannot be
// sent again (a body the log did not keep, no host to send it to).
StatusOr<Outgoing> Rewrite(const contract::RequestRecord& r, const Rewrites& w, uint64_t n);

}  // namespace onair::loadgen
