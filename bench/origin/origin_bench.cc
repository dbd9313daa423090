// bench/origin: the origin's write and read paths, measured while they compete, against nginx
// serving the same segments as static files (see docs/benchmarks.md).
//
// Writers: one per rendition, each publishing segment n of a live event as a pipeline does:
// a chunked PUT whose four chunks go out at n·D, n·D + D/4, ... (1 MiB in all), while a
// reader per rendition holds a GET for n from just before it starts and streams it. Measured:
// the acknowledgement after the last byte, and how long after a chunk was sent the reader
// had it. Every segment also lands (write, rename) in a tmpfs tree that nginx serves.
// Readers: wrk (Debian's package) against the origin and against nginx in turn, live-edge
// only and mixed live-edge/DVR, while the writers carry on.
#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/bench_util.h"

namespace onair::bench {
namespace {

struct Options {
  std::string origin, nginx, token = "pt", files, wrk = "wrk";
  int renditions = 8;
  int64_t ast_us = 0;
  int64_t segment_us = 2'000'000;
  size_t size = 1 << 20;
  int chunks = 4;
  int dvr = 40;  // segments written up front, far behind the live edge
  int idle_s = 15;
  int storm_s = 15;
  int connections = 64;
  int wrk_threads = 2;
};

// ----- measurements -----
struct Sample {
  int phase;
  double value_ms;
};
struct Samples {
  std::mutex mu;
  std::vector<Sample> ack, readable;
  int failures = 0;
};

// One rendition's publisher and its streaming reader.
class Rendition {
 public:
  Rendition(const Options& o, int index, Samples* samples, const std::atomic<int>* phase)
      : o_(o), index_(index), name_("v" + std::to_string(index)), samples_(samples), phase_(phase) {
    url_ = *net::ParseUrl(o.origin);
  }

  std::string Path(int64_t n) const {
    return "/live/bench/" + name_ + "/" + (n < 0 ? "init.mp4" : std::to_string(n) + ".m4s");
  }

  // Init and the DVR segments, as fast as the origin takes them.
  void Prefill(int64_t first, int count) {
    asio::io_context io;
    tcp::socket s = Connect(io, url_);
    Upload(s, -1, InitSegment(), false, nullptr);
    WriteFile(-1, InitSegment());
    for (int64_t n = first; n < first + count; ++n) {
      const std::string bytes = MediaSegment(n, o_.segment_us, o_.size);
      Upload(s, n, bytes, false, nullptr);
      WriteFile(n, bytes);
    }
  }

  // Live: segment after segment at its own time, until stopped.
  void Live(int64_t first, const std::atomic<bool>* stop) {
    asio::io_context io;
    tcp::socket writer = Connect(io, url_);
    for (int64_t n = first; !*stop; ++n) {
      const UtcMicros start = o_.ast_us + n * o_.segment_us;
      std::this_thread::sleep_until(SteadyAt(start - 30'000));
      const int phase = phase_->load();
      if (phase == 0 && index_ > 0) continue;  // phase 0: one rendition alone
      Times t(o_.chunks);
      std::thread reader([&] { Read(n, &t); });
      const std::string bytes = MediaSegment(n, o_.segment_us, o_.size);
      try {
        Upload(writer, n, bytes, true, &t);
      } catch (const std::exception&) {
        std::lock_guard<std::mutex> lock(samples_->mu);
        samples_->failures++;
        writer = Connect(io, url_);
      }
      reader.join();
      {
        std::lock_guard<std::mutex> lock(samples_->mu);
        if (t.ack > 0) samples_->ack.push_back({phase, t.ack});
        for (int k = 0; k < o_.chunks; ++k) {
          if (t.received[k] != steady_clock::time_point{}) {
            samples_->readable.push_back({phase, Ms(t.received[k] - t.sent[k])});
          } else {
            samples_->failures++;
          }
        }
      }
      // The file for nginx, when no rendition is being measured (after every ack, before the
      // next segment), so that the bench's own disk writes do not weigh on the figures.
      std::this_thread::sleep_until(SteadyAt(start + o_.segment_us * 7 / 8));
      WriteFile(n, bytes);
    }
  }

 private:
  struct Times {
    explicit Times(int chunks) : sent(chunks), received(chunks) {}
    std::vector<steady_clock::time_point> sent, received;
    double ack = 0;
  };

  // A chunked PUT; paced: chunk k at n·D + k·D/chunks.
  void Upload(tcp::socket& s, int64_t n, const std::string& bytes, bool paced, Times* t) {
    const double ack = ChunkedUpload(s, url_.host, o_.token, Path(n), bytes, o_.chunks, [&](int k) {
      if (paced) {
        std::this_thread::sleep_until(
            SteadyAt(o_.ast_us + n * o_.segment_us + k * o_.segment_us / o_.chunks));
      }
      if (t) t->sent[k] = steady_clock::now();
    });
    if (t) t->ack = ack;
  }

  // The same object in the tree nginx serves (written aside, then renamed: never partial).
  void WriteFile(int64_t n, const std::string& bytes) {
    if (o_.files.empty()) return;
    const std::string file = o_.files + Path(n);
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    std::ofstream(file + ".tmp", std::ios::binary) << bytes;
    std::filesystem::rename(file + ".tmp", file);
  }

  // A GET for n sent before the segment starts: held by the origin, then streamed.
  void Read(int64_t n, Times* t) {
    try {
      asio::io_context io;
      tcp::socket s = Connect(io, url_);
      http::request<http::empty_body> req(http::verb::get, Path(n), 11);
      req.set(http::field::host, url_.host);
      http::write(s, req);
      beast::flat_buffer buffer;
      buffer.reserve(1 << 16);  // Beast reads at most the free capacity
      http::response_parser<http::buffer_body> parser;
      parser.body_limit(o_.size * 2);
      http::read_header(s, buffer, parser);
      if (parser.get().result_int() != 200) return;
      const size_t piece = (o_.size + o_.chunks - 1) / o_.chunks;
      std::vector<char> body(1 << 16);
      size_t got = 0;
      int k = 0;
      while (!parser.is_done()) {
        parser.get().body().data = body.data();
        parser.get().body().size = body.size();
        beast::error_code ec;
        http::read_some(s, buffer, parser, ec);
        if (ec && ec != http::error::need_buffer) return;
        got += body.size() - parser.get().body().size;
        const auto now = steady_clock::now();
        while (k < o_.chunks && got >= std::min(o_.size, piece * (k + 1))) t->received[k++] = now;
      }
    } catch (const std::exception&) {
    }
  }

  const Options& o_;
  const int index_;
  std::string name_;
  net::Url url_;
  Samples* samples_;
  const std::atomic<int>* phase_;
};

std::string FetchMetrics(const std::string& origin) { return FetchText(origin, "/metrics"); }

// The wrk script: live-edge reads of the last complete segments (numbers from the clock) and
// DVR reads of the prefilled ones, over every rendition.
std::string WriteScript(const Options& o, const std::string& dir, int64_t dvr_first) {
  const std::string path = dir + "/reads.lua";
  std::ofstream(path) << "local ast, d = " << o.ast_us / 1'000'000 << ", "
                      << o.segment_us / 1'000'000
                      << "\nlocal dvr_first, dvr_count, renditions = " << dvr_first << ", " << o.dvr
                      << ", " << o.renditions << R"(
local live = 100
function init(args)
  live = tonumber(args[1]) or 100
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
function request()
  local n
  if math.random(1, 100) <= live then
    n = math.floor((os.time() - ast) / d) - math.random(1, 2)
  else
    n = dvr_first + math.random(0, dvr_count - 1)
  end
  return wrk.format("GET", "/live/bench/v" .. math.random(0, renditions - 1) .. "/" .. n .. ".m4s")
end
)";
  return path;
}

int Run(const Options& o) {
  const int64_t now = SystemClock::Instance().Now();
  const int64_t current = (now - o.ast_us) / o.segment_us;
  const int64_t dvr_first = current - 150;
  Samples samples;
  std::atomic<int> phase{0};
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Rendition>> renditions;
  for (int k = 0; k < o.renditions; ++k) {
    renditions.push_back(std::make_unique<Rendition>(o, k, &samples, &phase));
  }
  {
    std::vector<std::thread> prefill;
    for (auto& r : renditions) prefill.emplace_back([&] { r->Prefill(dvr_first, o.dvr); });
    for (auto& t : prefill) t.join();
  }
  const int64_t first_live = (SystemClock::Instance().Now() - o.ast_us) / o.segment_us + 1;
  std::vector<std::thread> live;
  for (auto& r : renditions) live.emplace_back([&] { r->Live(first_live, &stop); });
  const std::string script = WriteScript(o, o.files.empty() ? "/tmp" : o.files, dvr_first);

  // Phases: 0 one rendition writes alone; 1 all of them, alone; then wrk: 2 on onair and
  // 3 on nginx, live edge; 4 on onair and 5 on nginx, mixed.
  const std::string before_single = FetchMetrics(o.origin);
  std::this_thread::sleep_until(SteadyAt(o.ast_us + first_live * o.segment_us) +
                                std::chrono::seconds(o.idle_s));
  const std::string after_single = FetchMetrics(o.origin);
  phase = 1;
  std::this_thread::sleep_for(std::chrono::seconds(o.idle_s));
  WrkResult results[6];
  const int mixes[6] = {0, 0, 100, 100, 80, 80};
  for (int p = 2; p <= 5; ++p) {
    phase = p;
    const bool onair = p % 2 == 0;
    if (!onair && o.nginx.empty()) continue;
    results[p] = RunWrk(o.wrk, o.wrk_threads, o.connections, o.storm_s, script,
                        onair ? o.origin : o.nginx, std::to_string(mixes[p]));
  }
  phase = 6;
  stop = true;
  for (auto& t : live) t.join();

  auto of = [&](const std::vector<Sample>& v, const std::vector<int>& phases) {
    std::vector<double> out;
    for (const Sample& s : v) {
      if (std::find(phases.begin(), phases.end(), s.phase) != phases.end()) {
        out.push_back(s.value_ms);
      }
    }
    return out;
  };
  std::printf(
      "origin bench: %d renditions, %.1f MiB segments in %d chunks every %.0f s; "
      "wrk %d threads, %d connections, %d s per run\n\n",
      o.renditions, static_cast<double>(o.size) / (1 << 20), o.chunks,
      static_cast<double>(o.segment_us) / 1e6, o.wrk_threads, o.connections, o.storm_s);
  const std::string all = std::to_string(o.renditions) + " renditions";
  const std::string names[4] = {"1 rendition, alone", all + ", alone", all + ", wrk on onair",
                                all + ", wrk on nginx"};
  const std::vector<int> phases[4] = {{0}, {1}, {2, 4}, {3, 5}};
  std::vector<double> acks[4], readable[4];
  for (int k = 0; k < 4; ++k) {
    acks[k] = of(samples.ack, phases[k]);
    readable[k] = of(samples.readable, phases[k]);
  }
  std::printf("%-40s %9s %9s %7s\n", "writes: ack after the last byte sent", "p50 ms", "p99 ms",
              "n");
  for (int k = 0; k < 4; ++k) {
    std::printf("  %-38s %9.3f %9.3f %7zu\n", names[k].c_str(), Percentile(acks[k], 0.5),
                Percentile(acks[k], 0.99), acks[k].size());
  }
  std::printf("%-40s %9s %9s %7s\n", "readable: chunk sent -> reader has it", "p50 ms", "p99 ms",
              "n");
  for (int k = 0; k < 4; ++k) {
    std::printf("  %-38s %9.3f %9.3f %7zu\n", names[k].c_str(), Percentile(readable[k], 0.5),
                Percentile(readable[k], 0.99), readable[k].size());
  }
  std::printf("\n%-28s %10s %10s %9s %9s %8s\n", "reads (wrk)", "req/s", "MiB/s", "p50 ms",
              "p99 ms", "errors");
  for (int mix = 0; mix < 2; ++mix) {
    const WrkResult& a = results[2 + 2 * mix];
    const WrkResult& b = results[3 + 2 * mix];
    const std::string what = mix == 0 ? "live edge" : "mixed 80% live / 20% DVR";
    std::printf("%s\n", what.c_str());
    std::printf("  %-26s %10.0f %10.0f %9.2f %9.2f %8lld\n", "onair", a.rps, a.mib_s, a.p50_ms,
                a.p99_ms, static_cast<long long>(a.errors));
    if (!o.nginx.empty()) {
      std::printf("  %-26s %10.0f %10.0f %9.2f %9.2f %8lld\n", "nginx (static, tmpfs)", b.rps,
                  b.mib_s, b.p50_ms, b.p99_ms, static_cast<long long>(b.errors));
      std::printf("  %-26s %10.2f %10.2f %9.2f %9.2f\n", "ratio onair/nginx",
                  b.rps > 0 ? a.rps / b.rps : 0, b.mib_s > 0 ? a.mib_s / b.mib_s : 0,
                  b.p50_ms > 0 ? a.p50_ms / b.p50_ms : 0, b.p99_ms > 0 ? a.p99_ms / b.p99_ms : 0);
    }
  }
  const std::string metrics = FetchMetrics(o.origin);
  std::printf("\n%-48s %19s %19s\n", "the origin's own histograms (bucket bounds)",
              "1 rendition alone", "whole run");
  for (const auto& [name, what] :
       {std::pair<std::string, std::string>{"onair_origin_write_ack_seconds",
                                            "last byte parsed -> ack sent"},
        {"onair_origin_chunk_relay_seconds", "chunk arrived -> relayed to a reader"},
        {"onair_origin_read_first_byte_seconds", "request -> first body byte"}}) {
    const Buckets none, start = HistogramOf(before_single, name),
                        single = HistogramOf(after_single, name),
                        whole = HistogramOf(metrics, name);
    std::printf("  %-46s p50 %5.2f p99 %5.2f  p50 %5.2f p99 %5.2f\n", what.c_str(),
                QuantileMs(start, single, 0.5), QuantileMs(start, single, 0.99),
                QuantileMs(none, whole, 0.5), QuantileMs(none, whole, 0.99));
  }
  const double alone99 = Percentile(acks[1], 0.99), storm99 = Percentile(acks[2], 0.99);
  std::printf("\nwrite ack p99 under the onair read storm / alone: %.2f (goal <= 2)\n",
              alone99 > 0 ? storm99 / alone99 : 0);
  std::printf("failed uploads or reads: %d\n", samples.failures);
  return samples.failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace onair::bench

int main(int argc, char** argv) {
  onair::bench::Options o;
  CLI::App app("The origin's write/read benchmark against nginx (bench/origin/run.sh runs it)");
  app.add_option("--origin", o.origin, "the origin's base URL")->required();
  app.add_option("--nginx", o.nginx, "nginx serving --files statically (base URL)");
  app.add_option("--files", o.files, "where each segment is also written for nginx");
  app.add_option("--token", o.token, "pipeline token");
  app.add_option("--ast-us", o.ast_us, "the bench event's AST (UTC microseconds, whole s)")
      ->required();
  app.add_option("--renditions", o.renditions, "renditions v0..vN-1 written in parallel");
  app.add_option("--size", o.size, "segment bytes");
  app.add_option("--chunks", o.chunks, "chunks per segment");
  app.add_option("--dvr", o.dvr, "DVR segments per rendition");
  app.add_option("--idle", o.idle_s, "seconds of writes alone");
  app.add_option("--seconds", o.storm_s, "seconds per wrk run");
  app.add_option("--connections", o.connections, "wrk connections");
  CLI11_PARSE(app, argc, argv);
  return onair::bench::Run(o);
}
