// What the benchmarks share: segments that pass the origin's checks (ISO BMFF boxes around
// padding), a paced chunked upload as a pipeline makes it, plain HTTP fetches, percentiles,
// and wrk (Debian's package) run and read.
#pragma once

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/url.h"

namespace onair::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using std::chrono::steady_clock;

constexpr uint32_t kTimescale = 90'000;

// ----- segments -----
inline std::string Be(uint64_t v, int bytes) {
  std::string out;
  for (int k = bytes - 1; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
  return out;
}
inline std::string Box(const char* type, const std::string& payload) {
  return Be(8 + payload.size(), 4) + type + payload;
}
inline std::string FullBox(const char* type, int version, uint32_t flags,
                           const std::string& payload) {
  return Box(type, Be(static_cast<uint64_t>(version) << 24 | flags, 4) + payload);
}
inline std::string InitSegment() {
  const std::string mdhd = FullBox("mdhd", 0, 0, Be(0, 8) + Be(kTimescale, 4) + Be(0, 8));
  return Box("ftyp", "iso6" + Be(0, 4) + "iso6cmfc") + Box("moov", Box("trak", Box("mdia", mdhd)));
}
// Segment n of `size` bytes, its tfdt at n·D.
inline std::string MediaSegment(int64_t n, int64_t segment_us, size_t size) {
  const uint64_t tfdt =
      static_cast<uint64_t>(n) * static_cast<uint64_t>(segment_us) * kTimescale / 1'000'000;
  const std::string moof = Box("moof", FullBox("mfhd", 0, 0, Be(static_cast<uint64_t>(n), 4)) +
                                           Box("traf", FullBox("tfhd", 0, 0x020000, Be(1, 4)) +
                                                           FullBox("tfdt", 1, 0, Be(tfdt, 8))));
  const std::string head = Box("styp", "cmfs" + Be(0, 4) + "cmfs") + moof;
  return head + Box("mdat", std::string(size - head.size() - 8, '\x5a'));
}

// ----- time and figures -----
inline double Ms(steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

inline steady_clock::time_point SteadyAt(UtcMicros utc) {
  return steady_clock::now() + std::chrono::microseconds(utc - SystemClock::Instance().Now());
}

// ----- HTTP -----
inline tcp::socket Connect(asio::io_context& io, const net::Url& url) {
  tcp::resolver resolver(io);
  tcp::socket s(io);
  asio::connect(s, resolver.resolve(url.host, url.port));
  s.set_option(tcp::no_delay(true));
  return s;
}

// A GET's body ("" if anything failed).
inline std::string FetchText(const std::string& base, const std::string& path) {
  try {
    asio::io_context io;
    const net::Url url = *net::ParseUrl(base);
    tcp::socket s = Connect(io, url);
    http::request<http::empty_body> req(http::verb::get, path, 11);
    req.set(http::field::host, url.host);
    http::write(s, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(s, buffer, res);
    return res.body();
  } catch (const std::exception&) {
    return "";
  }
}

// A chunked PUT of `bytes` in `chunks` pieces as a pipeline sends it; before_chunk(k) runs
// before piece k leaves (to pace it, or note the time). Returns the 201's delay after the last
// byte, in ms; throws on any other answer.
inline double ChunkedUpload(tcp::socket& s, const std::string& host, const std::string& token,
                            const std::string& path, const std::string& bytes, int chunks,
                            const std::function<void(int)>& before_chunk = {}) {
  const std::string head = "PUT " + path + " HTTP/1.1\r\nHost: " + host +
                           "\r\nAuthorization: Bearer " + token +
                           "\r\nX-Onair-Pipeline: A\r\nTransfer-Encoding: chunked\r\n\r\n";
  const size_t piece = (bytes.size() + chunks - 1) / chunks;
  for (int k = 0; k < chunks; ++k) {
    const size_t from = std::min(bytes.size(), piece * k);
    const size_t len = std::min(piece, bytes.size() - from);
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", len);
    std::string chunk = (k == 0 ? head : "") + size_line + bytes.substr(from, len) + "\r\n";
    if (k == chunks - 1) chunk += "0\r\n\r\n";
    if (before_chunk) before_chunk(k);
    asio::write(s, asio::buffer(chunk));
  }
  const auto last = steady_clock::now();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(s, buffer, res);
  if (res.result_int() != 201) throw std::runtime_error("upload answered " + res.body());
  return Ms(steady_clock::now() - last);
}

// A service's own view, from its /metrics: a histogram's cumulative buckets (le in ms).
using Buckets = std::vector<std::pair<double, double>>;
inline Buckets HistogramOf(const std::string& metrics, const std::string& name) {
  Buckets buckets;
  const std::string prefix = name + "_bucket{le=\"";
  size_t at = 0;
  while ((at = metrics.find(prefix, at)) != std::string::npos) {
    at += prefix.size();
    const std::string le = metrics.substr(at, metrics.find('"', at) - at);
    const double count = std::atof(metrics.c_str() + metrics.find(' ', at) + 1);
    buckets.emplace_back(le == "+Inf" ? 1e9 : std::atof(le.c_str()) * 1000, count);
  }
  return buckets;
}

// The bucket bound (ms) holding quantile q of what was observed between two scrapes.
inline double QuantileMs(const Buckets& before, const Buckets& after, double q) {
  if (after.empty()) return 0;
  auto count = [&](size_t k) {
    return after[k].second - (k < before.size() ? before[k].second : 0);
  };
  const double total = count(after.size() - 1);
  if (total <= 0) return 0;
  for (size_t k = 0; k < after.size(); ++k) {
    if (count(k) >= q * total) return after[k].first;
  }
  return after.back().first;
}

// ----- wrk -----
struct WrkResult {
  double rps = 0, mib_s = 0, p50_ms = 0, p99_ms = 0;
  int64_t errors = 0;  // non-2xx answers and socket errors
};

inline double WrkMs(const std::string& value) {
  const double v = std::atof(value.c_str());
  if (value.find("us") != std::string::npos) return v / 1000;
  if (value.find("ms") != std::string::npos) return v;
  if (value.find('s') != std::string::npos) return v * 1000;
  return v;
}

inline double WrkMiB(const std::string& value) {
  const double v = std::atof(value.c_str());
  if (value.find("GB") != std::string::npos) return v * 1024;
  if (value.find("MB") != std::string::npos) return v;
  if (value.find("KB") != std::string::npos) return v / 1024;
  return v / (1024 * 1024);
}

// wrk with a Lua script against `url`; `script_args` after "--".
inline WrkResult RunWrk(const std::string& wrk, int threads, int connections, int seconds,
                        const std::string& script, const std::string& url,
                        const std::string& script_args) {
  const std::string cmd = wrk + " -t" + std::to_string(threads) + " -c" +
                          std::to_string(connections) + " -d" + std::to_string(seconds) +
                          "s --latency -s " + script + " " + url + " -- " + script_args + " 2>&1";
  WrkResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char line[512];
  std::string all;
  while (std::fgets(line, sizeof line, p)) {
    const std::string l = line;
    all += l;
    char a[64] = {0};
    if (std::sscanf(line, " 50%% %63s", a) == 1) r.p50_ms = WrkMs(a);
    if (std::sscanf(line, " 99%% %63s", a) == 1) r.p99_ms = WrkMs(a);
    if (l.rfind("Requests/sec:", 0) == 0) r.rps = std::atof(l.c_str() + 13);
    if (l.rfind("Transfer/sec:", 0) == 0 && std::sscanf(line + 13, " %63s", a) == 1) {
      r.mib_s = WrkMiB(a);
    }
    if (l.find("Non-2xx or 3xx responses:") != std::string::npos) {
      r.errors += std::atoll(l.c_str() + l.find(':') + 1);
    }
    int c = 0, rd = 0, w = 0, t = 0;
    if (std::sscanf(line, " Socket errors: connect %d, read %d, write %d, timeout %d", &c, &rd, &w,
                    &t) == 4) {
      r.errors += c + rd + w + t;
    }
  }
  pclose(p);
  if (r.rps == 0) std::fprintf(stderr, "wrk gave no figures:\n%s\n", all.c_str());
  return r;
}

}  // namespace onair::bench
