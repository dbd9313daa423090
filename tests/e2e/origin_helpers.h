// Shared steps of the origin end-to-end tests: an event, `onair origin` on a free port,
// uploads as a pipeline makes them, reads, metrics.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/epoch.h"
#include "e2e/pipeline_helpers.h"
#include "net/http_client.h"
#include "support/raw_socket.h"

namespace onair::test {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr int64_t kD = 2'000'000;

// An event whose AST is a whole minute before now, so that segment numbers stay small.
struct EventFile {
  std::string path;
  int64_t ast_us;
};

inline EventFile WriteEvent(const std::string& dir, const std::string& extra = "") {
  const int64_t now = SystemClock::Instance().Now();
  const int64_t ast = (now / 60'000'000 - 1) * 60'000'000;
  std::string ladder = SmallLadder();
  const std::string old_ast = R"("ast": "2026-01-01T00:00:00Z")";
  ladder.replace(ladder.find(old_ast), old_ast.size(),
                 R"("ast": ")" + FormatUtc(ast) + R"(", "window": 30)" + extra);
  WriteFile(dir + "/event.json", ladder);
  return {dir + "/event.json", ast};
}

inline int64_t CurrentSegment(int64_t ast) { return (SystemClock::Instance().Now() - ast) / kD; }

// An onair service (`onair origin`, `onair edge`, ...) on a port of the OS's choosing: the
// port is read from the line it prints once it listens.
class ServiceProcess {
 public:
  ServiceProcess(const std::string& dir, const std::string& name, std::vector<std::string> args) {
    static int started = 0;  // a log of its own: never read an earlier process's port
    log_ = dir + "/" + name + "-" + std::to_string(++started) + ".log";
    proc_ = std::make_unique<Background>(args, log_);
    port_ = PortAfter("listening on http://127.0.0.1:");
  }
  int port() const { return port_; }
  // The port printed after `marker` (waits up to 20 s for it; 0 if it never comes).
  int PortAfter(const std::string& marker) const {
    const auto until = steady_clock::now() + seconds(20);
    while (steady_clock::now() < until) {
      const std::string text = ReadFile(log_);
      const size_t at = text.find(marker);
      if (at != std::string::npos) return std::atoi(text.c_str() + at + marker.size());
      std::this_thread::sleep_for(milliseconds(20));
    }
    return 0;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return ReadFile(log_); }
  Background& process() { return *proc_; }

 private:
  std::string log_;
  std::unique_ptr<Background> proc_;
  int port_ = 0;
};

inline std::vector<std::string> With(std::vector<std::string> args,
                                     const std::vector<std::string>& extra) {
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// `onair origin` serving one event, tokens "pt" (pipelines) and "at" (admin).
class OriginProcess : public ServiceProcess {
 public:
  OriginProcess(const std::string& dir, const std::string& event_file,
                const std::vector<std::string>& extra = {})
      : ServiceProcess(
            dir, "origin",
            With({OnairBinary(), "origin", "--host", "127.0.0.1", "--port", "0", "--threads", "2",
                  "--event", event_file, "--pipeline-token", "pt", "--admin-token", "at"},
                 extra)) {}
};

// `onair edge` in front of the given upstreams, in failover order.
class EdgeProcess : public ServiceProcess {
 public:
  EdgeProcess(const std::string& dir, const std::vector<std::string>& upstreams,
              const std::vector<std::string>& extra = {})
      : ServiceProcess(dir, "edge", With(Args(upstreams), extra)) {}

 private:
  static std::vector<std::string> Args(const std::vector<std::string>& upstreams) {
    std::vector<std::string> args = {OnairBinary(), "edge", "--host",    "127.0.0.1",
                                     "--port",      "0",    "--threads", "2"};
    for (const auto& u : upstreams) args.insert(args.end(), {"--upstream", u});
    return args;
  }
};

// `onair playback` reading events from `origin`, sending viewers to `edges` (--edge flags:
// NAME=URL[,region=R]...), admin token "at".
class PlaybackProcess : public ServiceProcess {
 public:
  PlaybackProcess(const std::string& dir, const std::string& origin,
                  const std::vector<std::string>& edges, const std::vector<std::string>& extra = {})
      : ServiceProcess(dir, "playback", With(Args(origin, edges), extra)) {}

 private:
  static std::vector<std::string> Args(const std::string& origin,
                                       const std::vector<std::string>& edges) {
    std::vector<std::string> args = {OnairBinary(), "playback", "--host",        "127.0.0.1",
                                     "--port",      "0",        "--threads",     "2",
                                     "--origin",    origin,     "--admin-token", "at"};
    for (const auto& e : edges) args.insert(args.end(), {"--edge", e});
    return args;
  }
};

// A real nats-server on a loopback port (multi-node tests).
class NatsServer {
 public:
  explicit NatsServer(const std::string& dir, int port = FreeTcpPort())
      : port_(port),
        process_({"nats-server", "-a", "127.0.0.1", "-p", std::to_string(port)},
                 dir + "/nats-" + std::to_string(port) + ".log") {
    bound_ = WaitUntilBound(port_, SOCK_STREAM);
  }
  bool bound() const { return bound_; }
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  Background process_;
  bool bound_ = false;
};

// `onair metrics`, admin token "at".
class MetricsProcess : public ServiceProcess {
 public:
  explicit MetricsProcess(const std::string& dir, const std::vector<std::string>& extra = {})
      : ServiceProcess(dir, "metrics",
                       With({OnairBinary(), "metrics", "--host", "127.0.0.1", "--port", "0",
                             "--threads", "2", "--admin-token", "at"},
                            extra)) {}
};

// One request from our client; status -1 (and the reason as body) if it failed.
inline net::Response Request(const std::string& base, const std::string& method,
                             const std::string& target, net::Headers h = {},
                             const std::string& body = "") {
  auto url = net::ParseUrl(base);
  net::HttpConnection c(*url);
  c.set_max_response_bytes(64 << 20);
  auto r = c.Send(method, target, h, body, milliseconds(10'000));
  if (!r.ok()) return {-1, {}, r.status().ToString()};
  return *r;
}

inline net::Response Get(const std::string& base, const std::string& target, net::Headers h = {}) {
  return Request(base, "GET", target, std::move(h));
}

// A body posted to a metrics service's POST /v1/events: its status, -1 if the request failed.
inline int PostEvents(const std::string& base, const std::string& body) {
  return Request(base, "POST", "/v1/events", {{"Content-Type", "application/json"}}, body).status;
}

// Waits up to `seconds` for `done`, trying every 100 ms: how long it took, or -1.
inline double WaitFor(double seconds, const std::function<bool()>& done) {
  const auto start = std::chrono::steady_clock::now();
  const auto taken = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (taken() < seconds) {
    if (done()) return taken();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

inline std::string Header(const net::Response& r, const std::string& name) {
  return net::HeaderValue(r.headers, name);
}

// The URL path of segment n of a rendition of the test event ("init" for its init segment).
inline std::string Seg(const std::string& rendition, const std::string& n) {
  return "/live/e2e/" + rendition + "/" + (n == "init" ? "init.mp4" : n + ".m4s");
}
inline std::string Seg(const std::string& rendition, int64_t n) {
  return Seg(rendition, std::to_string(n));
}

// An upload as a pipeline makes it; the HTTP status, or -1 if the request failed.
inline int Put(const std::string& base, const std::string& who, const std::string& target,
               const std::string& body, const std::string& defects = "") {
  net::Headers h = {{"Authorization", "Bearer pt"}, {"X-Onair-Pipeline", who}};
  if (!defects.empty()) h.emplace_back("X-Onair-Defects", defects);
  return Request(base, "PUT", target, h, body).status;
}

// Real segments to upload by hand: a short pipeline run writing to dir/made.
inline std::vector<nlohmann::json> MakeSegments(const std::string& dir, const EventFile& ev) {
  CommandResult made = RunCommand({OnairBinary(), "pipeline", "--ladder", ev.path, "--source",
                                   "test:480x270@30", "--out", dir + "/made", "--duration", "6"},
                                  60);
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return SegmentLog(dir + "/made", "270p");
}

inline int64_t Metric(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + series.size() + 2);
}

inline std::vector<std::string> PublishingPipeline(const std::string& dir, const EventFile& ev,
                                                   const std::string& origin, const std::string& id,
                                                   double seconds) {
  return {OnairBinary(), "pipeline",
          "--ladder",    ev.path,
          "--source",    "test:480x270@30",
          "--publish",   origin,
          "--token",     "pt",
          "--pipeline",  id,
          "--out",       dir + "/out-" + id,
          "--duration",  std::to_string(seconds)};
}

// Raw uploads, for what a well-behaved client never does: the head of a chunked PUT as a
// pipeline sends it, one chunk, the last chunk.
inline std::string UploadHead(const std::string& target, const std::string& who = "A") {
  return "PUT " + target +
         " HTTP/1.1\r\nHost: origin\r\nAuthorization: Bearer pt\r\nX-Onair-Pipeline: " + who +
         "\r\nTransfer-Encoding: chunked\r\n\r\n";
}

inline std::string Chunk(const std::string& bytes) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return size + bytes + "\r\n";
}

inline const std::string kLastChunk = "0\r\n\r\n";

// One request over a fresh raw socket; the status of the answer (0: none).
inline int RawStatus(int port, const std::string& request) {
  RawSocket s(port);
  if (!s.Send(request)) return -1;
  return ParseResponse(s.ReadUntil("\r\n\r\n", milliseconds(5000))).status;
}

// Waits until the origin has begun an upload of `target` (a HEAD is answered 200): a reader
// on another connection may otherwise ask before the origin has read the upload's header.
inline bool UploadBegun(int port, const std::string& target) {
  for (int k = 0; k < 100; ++k) {
    if (RawStatus(port, "HEAD " + target + " HTTP/1.1\r\nHost: o\r\n\r\n") == 200) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// Waits (up to 20 s) until the media playlist at base + `playlist` lists `count` segments,
// the sign that a pipeline is publishing: under sanitizers on a busy machine its start-up
// takes seconds, and a player started before finds no stream in an empty playlist.
inline bool ListsSegments(const std::string& base, const std::string& playlist, int count) {
  auto listed = [&] {
    const std::string text = Get(base, playlist).body;
    int found = 0;
    for (size_t at = text.find(".m4s"); at != std::string::npos; at = text.find(".m4s", at + 1)) {
      found++;
    }
    return found >= count;
  };
  for (int k = 0; k < 200; ++k) {
    if (listed()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return listed();
}

}  // namespace onair::test
