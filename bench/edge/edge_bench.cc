// bench/edge: `onair edge` against nginx configured as the equivalent cache (proxy_cache with
// proxy_cache_lock), both in front of the same `onair origin`, on this machine, in one run
// (see docs/benchmarks.md).
//
// A publisher writes a live event of four renditions into the origin as a pipeline does
// (each segment a chunked PUT, its four chunks at n·D, n·D + D/4, ...). Against each cache in
// turn, for the same number of segment periods:
//   - viewers (thousands of keep-alive connections), each on one rendition, each asking once
//     per D, at its own phase, for the latest complete segment;
//   - at each boundary, a burst of connections all asking at once for the segment that has
//     just started (its first chunk is at the origin, the rest is being written): the
//     live-edge stampede; it measures time to first byte of a segment in progress.
// Then wrk reads the latest complete segments from each as fast as it can (throughput).
// Printed: requests/s, delivered Gbit/s, p50/p99/p999 time to first byte (its arrival in the
// receive queue, dated by the kernel, so the generator's own queueing is not counted; the time
// the generator read it is printed beside) and to last byte, upstream
// fills per object (the origin's reads over the distinct objects asked, and for onair the ones
// its prefetch fetched), and the ratios.
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "bench/common/bench_util.h"

namespace onair::bench {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string origin, edge, nginx, token = "pt", wrk = "wrk", dir = "/tmp";
  int64_t ast_us = 0;
  int64_t segment_us = 2'000'000;
  std::vector<size_t> sizes = {750'000, 400'000, 200'000, 100'000};  // 3, 1.6, 0.8, 0.4 Mb/s
  int chunks = 4;
  int viewers = 2000;
  int burst = 200;
  int periods = 10;  // segment periods per cache
  int burst_delay_ms = 100;
  int wrk_seconds = 10, wrk_connections = 64, wrk_threads = 2;
  int loops = 1;  // the load generator's threads
};

std::string Path(int rendition, int64_t n) {
  return "/live/bench/v" + std::to_string(rendition) + "/" +
         (n < 0 ? "init.mp4" : std::to_string(n) + ".m4s");
}

// ----- the publisher: one thread per rendition -----
void Publish(const Options& o, int r, int64_t first, const std::atomic<bool>* stop,
             std::atomic<int>* failures) {
  asio::io_context io;
  const net::Url url = *net::ParseUrl(o.origin);
  tcp::socket s = Connect(io, url);
  try {
    ChunkedUpload(s, url.host, o.token, Path(r, -1), InitSegment(), 1);
    for (int64_t n = first - 3; n < first; ++n) {  // some history, unpaced
      ChunkedUpload(s, url.host, o.token, Path(r, n), MediaSegment(n, o.segment_us, o.sizes[r]),
                    o.chunks);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "publisher v%d: %s\n", r, e.what());
    failures->fetch_add(1);
    return;
  }
  for (int64_t n = first; !*stop; ++n) {
    const std::string bytes = MediaSegment(n, o.segment_us, o.sizes[r]);
    try {
      ChunkedUpload(s, url.host, o.token, Path(r, n), bytes, o.chunks, [&](int k) {
        std::this_thread::sleep_until(
            SteadyAt(o.ast_us + n * o.segment_us + k * o.segment_us / o.chunks));
      });
    } catch (const std::exception& e) {
      std::fprintf(stderr, "publisher v%d segment %lld: %s\n", r, static_cast<long long>(n),
                   e.what());
      failures->fetch_add(1);
      s = Connect(io, url);
    }
  }
}

// ----- the viewers -----
enum class Kind { kViewer, kBurst };
struct Record {
  Kind kind;
  int status = 0;
  // ttfb: the answer's first byte arriving in this machine's receive queue (the kernel's
  // timestamp of it), as a packet capture would date it; seen: when this generator's one
  // thread got round to reading it (it also reads every other connection's bytes).
  double ttfb_ms = -1, seen_ms = -1, ttlb_ms = -1;
  uint64_t bytes = 0;
};

struct Load {
  const Options& o;
  net::Url url;
  int64_t first = 0, last = 0;  // segment periods [first, last)
  std::mutex mu;
  std::vector<Record> records;
  std::set<std::pair<int, int64_t>> objects;
  int errors = 0;

  // A record of the warm-up period (before `first`) is not counted; its object is (the
  // origin's reads over the objects asked).
  void Add(const Record& r, int64_t period, int rendition, int64_t n) {
    std::lock_guard<std::mutex> lock(mu);
    objects.insert({rendition, n});
    if (period < first) return;
    records.push_back(r);
    if (r.status != 200) errors++;
  }
};

double RealtimeMs() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// The receive time (CLOCK_REALTIME, ms) of the first unread byte of a socket whose
// SO_TIMESTAMPNS is on, read without consuming it; -1 if the kernel gave none.
double ArrivalMs(int fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (recvmsg(fd, &msg, MSG_PEEK | MSG_DONTWAIT) != 1) return -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec t{};
      std::memcpy(&t, CMSG_DATA(c), sizeof(t));
      return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
    }
  }
  return -1;
}

// A keep-alive connection to `url` with arrival timestamps on; false if it failed.
asio::awaitable<bool> Open(tcp::socket& s, const net::Url& url) {
  tcp::resolver resolver(s.get_executor());
  auto [rec_ec, endpoints] = co_await resolver.async_resolve(url.host, url.port, kTuple);
  if (rec_ec) co_return false;
  s = tcp::socket(s.get_executor());
  auto [cec, ep] = co_await asio::async_connect(s, endpoints, kTuple);
  if (cec) co_return false;
  s.set_option(tcp::no_delay(true));
  const int on = 1;
  setsockopt(s.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
  co_return true;
}

// One connection: connected at once, then in every period (a warm-up one first, as viewers
// were already watching), one request at its instant, for its segment.
asio::awaitable<void> Connection(Load& load, Kind kind, int index) {
  const Options& o = load.o;
  auto ex = co_await asio::this_coro::executor;
  const int renditions = static_cast<int>(o.sizes.size());
  const int rendition = index % renditions;
  // Viewers spread over the period (a fixed, even spread); the burst right after the start.
  const int64_t phase_us = kind == Kind::kViewer ? (index * 7919LL % 1000) * o.segment_us / 1000
                                                 : o.burst_delay_ms * 1000LL;
  tcp::socket s(ex);
  asio::steady_timer timer(ex);
  beast::flat_buffer buffer;
  buffer.reserve(1 << 16);
  std::vector<char> scratch(1 << 16);
  bool connected = co_await Open(s, load.url);
  for (int64_t n = load.first - 1; n < load.last; ++n) {
    const int64_t asked = kind == Kind::kViewer ? n - 1 : n;  // the latest complete, or new
    timer.expires_at(SteadyAt(o.ast_us + n * o.segment_us + phase_us));
    co_await timer.async_wait(kTuple);
    Record rec;
    rec.kind = kind;
    if (!connected) {
      connected = co_await Open(s, load.url);
      buffer.clear();
    }
    if (!connected) {
      load.Add(rec, n, rendition, asked);
      continue;
    }
    const auto start = steady_clock::now();
    const double start_real = RealtimeMs();
    http::request<http::empty_body> req(http::verb::get, Path(rendition, asked), 11);
    req.set(http::field::host, load.url.host);
    auto [wec, wn] = co_await http::async_write(s, req, kTuple);
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(uint64_t{1} << 30);
    beast::error_code ec = wec;
    if (!ec) {
      auto [rec_ec] = co_await s.async_wait(tcp::socket::wait_read, kTuple);
      ec = rec_ec;
      if (!ec) {
        const double arrived = ArrivalMs(s.native_handle());
        if (arrived > 0) rec.ttfb_ms = std::max(0.0, arrived - start_real);
      }
    }
    if (!ec) {
      auto [hec, hn] = co_await http::async_read_header(s, buffer, parser, kTuple);
      ec = hec;
      rec.seen_ms = Ms(steady_clock::now() - start);  // the first byte, as curl counts
      if (rec.ttfb_ms < 0) rec.ttfb_ms = rec.seen_ms;
    }
    while (!ec && !parser.is_done()) {
      parser.get().body().data = scratch.data();
      parser.get().body().size = scratch.size();
      auto [bec, bn] = co_await http::async_read_some(s, buffer, parser, kTuple);
      ec = bec == http::error::need_buffer ? beast::error_code() : bec;
      rec.bytes += scratch.size() - parser.get().body().size;
    }
    if (ec) {
      connected = false;
      beast::error_code ignored;
      s.close(ignored);
    } else {
      rec.status = static_cast<int>(parser.get().result_int());
      rec.ttlb_ms = Ms(steady_clock::now() - start);
      if (!parser.get().keep_alive()) {
        connected = false;
        beast::error_code ignored;
        s.close(ignored);
      }
    }
    load.Add(rec, n, rendition, asked);
  }
}

int64_t OriginReads(const std::string& origin) {
  const std::string m = FetchText(origin, "/metrics");
  int64_t sum = 0;
  const std::string name = "\nonair_origin_reads_total{";
  for (size_t at = m.find(name); at != std::string::npos; at = m.find(name, at + 1)) {
    sum += std::atoll(m.c_str() + m.find(' ', at + 1) + 1);
  }
  return sum;
}

struct Figures {
  double rps = 0, gbps = 0;
  std::vector<double> viewer_ttfb, viewer_ttlb, burst_ttfb, burst_seen, burst_ttlb;
  double fills_per_object = 0;
  size_t objects = 0;
  int errors = 0;
  WrkResult wrk;
  double own_p50 = 0, own_p99 = 0;  // onair: the edge's own first-byte histogram
};

Figures Measure(const Options& o, const std::string& base) {
  Load load{o, *net::ParseUrl(base)};
  const int64_t now = SystemClock::Instance().Now();
  load.first = (now - o.ast_us) / o.segment_us + 3;  // time to connect everyone, warm up
  load.last = load.first + o.periods;
  const int64_t reads_before = OriginReads(o.origin);
  const std::string own = "onair_edge_first_byte_seconds";
  const Buckets own_before = HistogramOf(FetchText(base, "/metrics"), own);
  asio::io_context io;
  for (int k = 0; k < o.viewers; ++k) {
    asio::co_spawn(io, Connection(load, Kind::kViewer, k), asio::detached);
  }
  for (int k = 0; k < o.burst; ++k) {
    asio::co_spawn(io, Connection(load, Kind::kBurst, k), asio::detached);
  }
  std::vector<std::thread> loops;
  for (int k = 0; k < o.loops; ++k) loops.emplace_back([&] { io.run(); });
  for (auto& t : loops) t.join();
  // The last viewers' objects were asked at the end; let every fill finish before counting.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Figures f;
  const std::string metrics_after = FetchText(base, "/metrics");
  const Buckets own_after = HistogramOf(metrics_after, own);
  // onair's prefetch has also fetched, once, the segment after the last period of every
  // rendition (nobody asked for it here): an object of its own.
  if (metrics_after.find("\nonair_edge_prefetches_total ") != std::string::npos) {
    for (int r = 0; r < static_cast<int>(o.sizes.size()); ++r) load.objects.insert({r, load.last});
  }
  f.own_p50 = QuantileMs(own_before, own_after, 0.5);
  f.own_p99 = QuantileMs(own_before, own_after, 0.99);
  f.errors = load.errors;
  f.objects = load.objects.size();
  f.fills_per_object = f.objects ? static_cast<double>(OriginReads(o.origin) - reads_before) /
                                       static_cast<double>(f.objects)
                                 : 0;
  uint64_t bytes = 0;
  size_t requests = 0;
  for (const Record& r : load.records) {
    if (r.status != 200) continue;
    bytes += r.bytes;
    requests++;
    if (r.kind == Kind::kViewer) {
      f.viewer_ttfb.push_back(r.ttfb_ms);
      f.viewer_ttlb.push_back(r.ttlb_ms);
    } else {
      f.burst_ttfb.push_back(r.ttfb_ms);
      f.burst_seen.push_back(r.seen_ms);
      f.burst_ttlb.push_back(r.ttlb_ms);
    }
  }
  const double secs = static_cast<double>(o.periods * o.segment_us) / 1e6;
  f.rps = static_cast<double>(requests) / secs;
  f.gbps = static_cast<double>(bytes) * 8 / secs / 1e9;
  return f;
}

// The wrk script: the latest two complete segments of every rendition.
std::string WriteScript(const Options& o) {
  const std::string path = o.dir + "/latest.lua";
  std::ofstream(path) << "local ast, d, renditions = " << o.ast_us / 1'000'000 << ", "
                      << o.segment_us / 1'000'000 << ", " << o.sizes.size() << R"(
function init(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
function request()
  local n = math.floor((os.time() - ast) / d) - math.random(2, 3)
  return wrk.format("GET", "/live/bench/v" .. math.random(0, renditions - 1) .. "/" .. n .. ".m4s")
end
)";
  return path;
}

void PrintRow(const char* what, const std::vector<double>& v) {
  std::printf("    %-30s p50 %8.2f  p99 %8.2f  p999 %8.2f ms  (n %zu)\n", what, Percentile(v, 0.5),
              Percentile(v, 0.99), Percentile(v, 0.999), v.size());
}

void Print(const char* name, const Figures& f) {
  std::printf("  %s\n", name);
  std::printf("    %-30s %10.0f req/s %8.3f Gbit/s   errors %d\n", "at cadence", f.rps, f.gbps,
              f.errors);
  PrintRow("TTFB, latest complete", f.viewer_ttfb);
  PrintRow("TTLB, latest complete", f.viewer_ttlb);
  PrintRow("TTFB, in progress (burst)", f.burst_ttfb);
  PrintRow("  read by the generator", f.burst_seen);
  PrintRow("TTLB, in progress (burst)", f.burst_ttlb);
  if (f.own_p50 > 0) {
    std::printf("    %-30s p50 %8.2f  p99 %8.2f ms (bucket bounds)\n",
                "its own first-byte histogram", f.own_p50, f.own_p99);
  }
  std::printf("    %-30s %10.2f (%zu objects)\n", "upstream fills per object", f.fills_per_object,
              f.objects);
  std::printf("    %-30s %10.0f req/s %8.3f Gbit/s   p50 %.2f p99 %.2f ms, errors %lld\n",
              "wrk, as fast as it can", f.wrk.rps, f.wrk.mib_s * 8 * 1.048576 / 1000, f.wrk.p50_ms,
              f.wrk.p99_ms, static_cast<long long>(f.wrk.errors));
}

int Run(const Options& o) {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  const int64_t first = (SystemClock::Instance().Now() - o.ast_us) / o.segment_us + 1;
  std::vector<std::thread> publishers;
  for (int r = 0; r < static_cast<int>(o.sizes.size()); ++r) {
    publishers.emplace_back([&, r] { Publish(o, r, first, &stop, &failures); });
  }
  std::this_thread::sleep_until(SteadyAt(o.ast_us + (first + 1) * o.segment_us));
  Figures edge = Measure(o, o.edge);
  Figures nginx;
  if (!o.nginx.empty()) nginx = Measure(o, o.nginx);
  const std::string script = WriteScript(o);
  Figures* figures[2] = {&edge, &nginx};
  const std::string bases[2] = {o.edge, o.nginx};
  for (int k = 0; k < 2; ++k) {
    if (bases[k].empty()) continue;
    figures[k]->wrk =
        RunWrk(o.wrk, o.wrk_threads, o.wrk_connections, o.wrk_seconds, script, bases[k], "");
  }
  stop = true;
  for (auto& t : publishers) t.join();

  std::printf("edge bench: renditions of");
  for (size_t s : o.sizes) std::printf(" %zu", s / 1000);
  std::printf(
      " kB per %.0f s segment in %d chunks; %d viewers at cadence + a burst of %d at each "
      "boundary, %d periods per cache; wrk %d threads x %d connections x %d s\n\n",
      static_cast<double>(o.segment_us) / 1e6, o.chunks, o.viewers, o.burst, o.periods,
      o.wrk_threads, o.wrk_connections, o.wrk_seconds);
  Print("onair edge", edge);
  if (!o.nginx.empty()) {
    Print("nginx (proxy_cache, proxy_cache_lock, cache on tmpfs)", nginx);
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0; };
    std::printf("\n  ratios\n");
    std::printf("    %-52s %8.2f (goal >= 1)\n", "throughput onair/nginx, wrk req/s",
                ratio(edge.wrk.rps, nginx.wrk.rps));
    std::printf("    %-52s %8.2f\n", "throughput onair/nginx, at cadence Gbit/s",
                ratio(edge.gbps, nginx.gbps));
    const double e99 = Percentile(edge.burst_ttfb, 0.99), n99 = Percentile(nginx.burst_ttfb, 0.99);
    std::printf("    %-52s %8.1f (goal >= 10; onair's p99 %.2f ms, goal < 5)\n",
                "TTFB in progress p99, nginx/onair", ratio(n99, e99), e99);
    std::printf("    %-52s %8.2f\n", "TTFB latest complete p99, nginx/onair",
                ratio(Percentile(nginx.viewer_ttfb, 0.99), Percentile(edge.viewer_ttfb, 0.99)));
    std::printf("    %-52s %8.2f / %.2f (goal 1)\n", "upstream fills per object, onair / nginx",
                edge.fills_per_object, nginx.fills_per_object);
  }
  std::printf("\npublisher failures: %d\n", failures.load());
  return failures == 0 && edge.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace onair::bench

int main(int argc, char** argv) {
  onair::bench::Options o;
  CLI::App app("The edge benchmark against nginx (bench/edge/run.sh runs it)");
  app.add_option("--origin", o.origin, "the origin's base URL")->required();
  app.add_option("--edge", o.edge, "onair edge's base URL")->required();
  app.add_option("--nginx", o.nginx, "nginx's base URL (a proxy_cache of the same origin)");
  app.add_option("--token", o.token, "pipeline token");
  app.add_option("--ast-us", o.ast_us, "the bench event's AST (UTC microseconds, whole s)")
      ->required();
  app.add_option("--sizes", o.sizes, "segment bytes of each rendition, top first");
  app.add_option("--viewers", o.viewers, "connections asking for the latest complete segment");
  app.add_option("--burst", o.burst, "connections asking at once for the segment just started");
  app.add_option("--periods", o.periods, "segment periods per cache");
  app.add_option("--loops", o.loops, "the load generator's threads");
  app.add_option("--wrk-seconds", o.wrk_seconds, "seconds of wrk per cache");
  app.add_option("--wrk-connections", o.wrk_connections, "wrk connections");
  app.add_option("--dir", o.dir, "where to write the wrk script");
  CLI11_PARSE(app, argc, argv);
  return onair::bench::Run(o);
}
