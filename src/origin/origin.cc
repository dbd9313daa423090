#include "origin/origin.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "core/bearer.h"
#include "core/log.h"
#include "media/manifest.h"
#include "net/http_answers.h"
#include "origin/request.h"

namespace onair::origin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string HttpDate(UtcMicros t) {
  std::time_t secs = static_cast<std::time_t>(t / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

struct Origin::Impl {
  Impl(const OriginConfig& c, Clock* cl, Store& st, MetricsRegistry& mr)
      : cfg(c), clock(cl), store(st), m(mr) {
    CreateReadCounters();
  }
  const OriginConfig& cfg;
  Clock* clock;
  Store& store;
  MetricsRegistry& m;
  std::atomic<bool> ready{false};
  std::atomic<int64_t> live_reads{0}, dvr_reads{0};
  std::atomic<int64_t> loop_lag_ms{0};

  Counter& writes_ok =
      m.counter("onair_origin_writes_total", "Uploads by result.", {{"result", "ok"}});
  Counter& writes_aborted =
      m.counter("onair_origin_writes_total", "Uploads by result.", {{"result", "aborted"}});
  Counter& writes_refused =
      m.counter("onair_origin_writes_total", "Uploads by result.", {{"result", "refused"}});
  Counter& write_bytes = m.counter("onair_origin_write_bytes_total", "Bytes uploaded.");
  Counter& read_bytes = m.counter("onair_origin_read_bytes_total", "Bytes of objects served.");
  Counter& holds = m.counter("onair_origin_holds_total", "Reads held until their segment came.");
  Counter& sheds_live =
      m.counter("onair_origin_sheds_total", "Reads shed with 503.", {{"kind", "live"}});
  Counter& sheds_dvr =
      m.counter("onair_origin_sheds_total", "Reads shed with 503.", {{"kind", "dvr"}});
  Histogram& write_ack = m.histogram("onair_origin_write_ack_seconds",
                                     "From the last byte of an upload to its acknowledgement.");
  Histogram& read_first_byte = m.histogram("onair_origin_read_first_byte_seconds",
                                           "From a read's request to its first body byte.");
  Histogram& chunk_relay = m.histogram(
      "onair_origin_chunk_relay_seconds",
      "From an uploaded chunk's arrival to its start on the wire to a streaming reader.");
  Gauge& lag_gauge = m.gauge("onair_origin_loop_lag_ms", "Event-loop lag, the worst loop.");

  // Reads by answer, created up front: the read path takes no registry lock.
  static constexpr int kCodes[] = {200, 304, 404, 410, 503};
  Counter* answered[2][std::size(kCodes)];
  void CreateReadCounters() {
    for (int live = 0; live < 2; ++live) {
      for (size_t k = 0; k < std::size(kCodes); ++k) {
        answered[live][k] =
            &m.counter("onair_origin_reads_total", "Reads by HTTP status and kind.",
                       {{"code", std::to_string(kCodes[k])}, {"kind", live ? "live" : "dvr"}});
      }
    }
  }
  Counter& Answered(int status, bool live) {
    size_t k = 0;
    while (k + 1 < std::size(kCodes) && kCodes[k] != status) ++k;
    return *answered[live ? 1 : 0][k];
  }

  // ----- plain responses -----
  template <class Body>
  static void Common(http::response<Body>& res) {
    res.set(http::field::server, "onair-origin");
  }

  asio::awaitable<bool> Send(beast::tcp_stream& stream, http::response<http::string_body> res,
                             bool head = false) {
    return net::SendAnswer(stream, std::move(res), cfg.send_timeout, head);
  }

  static http::response<http::string_body> Text(int status, unsigned version, std::string body,
                                                const std::string& cache = "no-store") {
    return net::TextAnswer(status, version, std::move(body), "onair-origin", cache);
  }

  // The loop-lag probe: wakes every 10 ms on its loop and measures how late it woke. A
  // coroutine, so that it ends with its loop (no handler chain keeps itself alive).
  asio::awaitable<void> LagProbe() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      const auto expected = steady_clock::now() + std::chrono::milliseconds(10);
      timer.expires_at(expected);
      auto [ec] = co_await timer.async_wait(kTuple);
      if (ec) co_return;
      const int64_t lag =
          std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - expected)
              .count();
      // A decaying maximum over the loops: rises at once, falls by half every tick.
      int64_t cur = loop_lag_ms.load();
      loop_lag_ms.compare_exchange_strong(cur, std::max(lag, cur / 2));
      lag_gauge.Set(loop_lag_ms.load());
    }
  }

  // ----- the connection -----
  asio::awaitable<void> Session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      if (!co_await net::AwaitRequest(stream, buffer, cfg.idle_timeout)) co_return;
      http::request_parser<http::buffer_body> parser;
      parser.header_limit(cfg.header_limit);
      parser.body_limit(static_cast<uint64_t>(cfg.max_body_bytes));
      stream.expires_after(cfg.header_timeout);  // slowloris: the whole header in time
      auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
      if (ec) {
        if (auto answer = net::HeaderReadError(ec, "onair-origin")) {
          co_await Send(stream, std::move(*answer));
        }
        co_return;
      }
      const bool keep = co_await Handle(stream, buffer, parser);
      if (!keep || !parser.get().keep_alive()) co_return;
    }
  }

  // Returns whether the connection may carry another request.
  asio::awaitable<bool> Handle(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                               http::request_parser<http::buffer_body>& parser) {
    auto& req = parser.get();
    const unsigned v = req.version();
    const Target t = ParseTarget(req.target());
    const auto method = req.method();
    const bool has_body = req.has_content_length() || req.chunked();
    if (method == http::verb::put && t.kind == Target::kObject) {
      co_return co_await Put(stream, buffer, parser, t);
    }
    if (has_body && method != http::verb::post && method != http::verb::put) {
      co_return co_await Send(stream, Text(400, v, "unexpected body")) && false;
    }
    if (t.kind == Target::kAdmin) co_return co_await Admin(stream, buffer, parser, t);
    if (method == http::verb::put || method == http::verb::post) {
      co_await Send(stream, WriteRefusal(t, v));
      co_return false;  // its body was not read
    }
    if (method != http::verb::get && method != http::verb::head) {
      co_return co_await Send(stream, Text(405, v, "method not allowed"));
    }
    const bool head = method == http::verb::head;
    switch (t.kind) {
      case Target::kHealth:
        co_return co_await Send(stream, Text(200, v, "ok"), head);
      case Target::kReady: {
        // Bound to a name first: g++ 12 destroys a conditional's temporary inside a
        // co_await's arguments twice (docs/decisions.md).
        auto res = ready ? Text(200, v, "ready") : Text(503, v, "starting");
        co_return co_await Send(stream, std::move(res), head);
      }
      case Target::kMetrics: {
        auto res = Text(200, v, m.Text());
        res.set(http::field::content_type, "text/plain; version=0.0.4");
        co_return co_await Send(stream, std::move(res), head);
      }
      case Target::kManifest:
        co_return co_await Manifest(stream, req, t, head);
      case Target::kObject:
        co_return co_await Get(stream, req, t, head);
      default:
        co_return co_await Send(stream, Text(404, v, "no such path", "max-age=60"), head);
    }
  }

  // A PUT or POST to something that cannot be written: a name that could escape (or is not
  // [A-Za-z0-9_-]) is a bad request, anything else a wrong method.
  static http::response<http::string_body> WriteRefusal(const Target& t, unsigned v) {
    if (t.kind == Target::kBad) {
      return Text(400, v,
                  "not a segment path: /live/{event}/{rendition}/{init.mp4|N.m4s}, names of "
                  "1-64 [A-Za-z0-9_-]");
    }
    return Text(405, v, "method not allowed");
  }

  // ----- reading a request body (admin JSON) -----
  asio::awaitable<std::optional<std::string>> ReadSmallBody(
      beast::tcp_stream& stream, beast::flat_buffer& buffer,
      http::request_parser<http::buffer_body>& parser) {
    std::string body;
    char chunk[8192];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      stream.expires_after(cfg.body_idle_timeout);
      auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return std::nullopt;
      body.append(chunk, sizeof chunk - parser.get().body().size);
      if (body.size() > 1 << 20) co_return std::nullopt;
    }
    co_return body;
  }

  // ----- writes -----
  asio::awaitable<bool> Put(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                            http::request_parser<http::buffer_body>& parser, const Target& t) {
    auto& req = parser.get();
    const unsigned v = req.version();
    if (!cfg.no_auth && !TokenMatches(req[http::field::authorization], cfg.pipeline_token)) {
      writes_refused.Inc();
      auto res = Text(401, v, "a pipeline token is required");
      res.set(http::field::www_authenticate, "Bearer");
      co_await Send(stream, std::move(res));
      co_return false;
    }
    const std::string_view who = req["X-Onair-Pipeline"];
    if (who != "A" && who != "B") {
      writes_refused.Inc();
      co_await Send(stream, Text(400, v, "X-Onair-Pipeline must be A or B"));
      co_return false;
    }
    const int pipeline = who == "A" ? 0 : 1;
    auto begun = store.BeginWrite(t.event, t.rendition, t.n, pipeline);
    if (!begun.ok()) {
      writes_refused.Inc();
      co_await Send(stream, Text(404, v, begun.status().message()));
      co_return false;
    }
    std::shared_ptr<Candidate> cand = *begun;
    if (req[http::field::expect] == "100-continue") {
      http::response<http::empty_body> cont(http::status::continue_, v);
      stream.expires_after(cfg.send_timeout);
      auto [ec, n] = co_await http::async_write(stream, cont, kTuple);
      if (ec) {
        store.AbortWrite(t.event, t.rendition, t.n, cand);
        writes_aborted.Inc();
        co_return false;
      }
    }
    // Reads as large as the pieces: the connection's buffer starts small (a request header)
    // and Beast reads no more than its free capacity, which would cut a segment into 4 KiB
    // pieces (a wake-up, an allocation and a relay write each).
    std::vector<char> chunk(64 * 1024);
    buffer.reserve(chunk.size());
    while (!parser.is_done()) {
      req.body().data = chunk.data();
      req.body().size = chunk.size();
      stream.expires_after(cfg.body_idle_timeout);
      auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      const size_t got = chunk.size() - req.body().size;
      if (got > 0) {
        cand->Append(std::string(chunk.data(), got));
        write_bytes.Inc(got);
      }
      if (ec) {
        store.AbortWrite(t.event, t.rendition, t.n, cand);
        writes_aborted.Inc();
        Logger("origin")->warn("upload of {}/{}/{} from {} aborted: {}", t.event, t.rendition,
                               t.n == kInit ? "init" : std::to_string(t.n), who, ec.message());
        if (ec == http::error::body_limit) {
          co_await Send(stream, Text(413, v, "segment larger than the limit"));
        } else if (ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
                   ec != http::error::partial_message && ec != http::error::end_of_stream) {
          co_await Send(stream, Text(400, v, "malformed upload: " + ec.message()));
        }
        co_return false;
      }
    }
    const auto last_byte = steady_clock::now();
    std::vector<std::string> defects;
    if (!ParseDefects(req["X-Onair-Defects"], &defects)) {
      store.AbortWrite(t.event, t.rendition, t.n, cand);
      writes_refused.Inc();
      co_return co_await Send(stream, Text(400, v, "X-Onair-Defects: comma-separated [a-z0-9-]"));
    }
    defects = store.FinishWrite(t.event, t.rendition, t.n, cand, std::move(defects));
    writes_ok.Inc();
    auto res = Text(201, v, "");
    res.body().clear();
    if (!defects.empty()) res.set("X-Onair-Defects", Join(defects));
    const bool ok = co_await Send(stream, std::move(res));
    write_ack.Observe(std::chrono::duration<double>(steady_clock::now() - last_byte).count());
    co_return ok;
  }

  // Said explicitly, so that an edge may answer for the event itself for a while.
  static http::response<http::string_body> NoEvent(const std::string& event, unsigned v) {
    auto res = Text(404, v, "no event '" + event + "'", "max-age=2");
    res.set("X-Onair-Event", "none");
    return res;
  }

  // ----- reads of init and media segments -----
  asio::awaitable<bool> Get(beast::tcp_stream& stream, const http::request<http::buffer_body>& req,
                            const Target& t, bool head) {
    const unsigned v = req.version();
    const auto start = steady_clock::now();
    auto ev = store.FindEvent(t.event);
    if (!ev) {
      Answered(404, false).Inc();  // at no live edge
      co_return co_await Send(stream, NoEvent(t.event, v), head);
    }
    EpochTimeline timeline{0, 1};
    {
      std::lock_guard<std::mutex> lock(ev->mu);
      timeline = ev->config.timeline();
    }
    const bool live = t.n == kInit || IsLiveEdge(timeline, t.n, clock->Now());
    // Admission: DVR reads go first when the loops lag or too many are in flight.
    std::atomic<int64_t>& inflight = live ? live_reads : dvr_reads;
    const int64_t limit = live ? cfg.max_live_reads : cfg.max_dvr_reads;
    const int64_t lag_limit = live ? cfg.shed_live_lag_ms : cfg.shed_dvr_lag_ms;
    if (inflight.load() >= limit || loop_lag_ms.load() > lag_limit) {
      (live ? sheds_live : sheds_dvr).Inc();
      Answered(503, live).Inc();
      auto res = Text(503, v, "overloaded, retry later");
      res.set(http::field::retry_after, live ? "1" : "5");
      co_return co_await Send(stream, std::move(res), head);
    }
    inflight++;
    struct Release {
      std::atomic<int64_t>& c;
      ~Release() { c--; }
    } release{inflight};

    auto waiter = std::make_shared<net::Waiter>(stream.get_executor());
    bool held = false;
    UtcMicros hold_end = 0;  // fixed at the first hold: wake-ups never extend it
    for (;;) {
      auto found = store.Find(t.event, t.rendition, t.n, waiter);
      if (!found.ok()) {
        Answered(404, live).Inc();
        co_return co_await Send(stream, Text(404, v, found.status().message(), "max-age=2"), head);
      }
      if (found->candidate) {
        if (held) holds.Inc();
        co_return co_await Serve(stream, req, t, *found, head, live, start);
      }
      const UtcMicros now = clock->Now();
      // An init segment not there yet is held for up to D, like the next media segment.
      Decision d = t.n == kInit ? Decision{Answer::kHold, now + timeline.segment_us()}
                                : Decide(timeline, t.n, now);
      if (d.answer == Answer::kHold) {
        if (!held) hold_end = d.until;
        d.until = std::min(d.until, hold_end);
      }
      if (d.answer == Answer::kGone) {
        Answered(410, live).Inc();
        co_return co_await Send(
            stream,
            Text(410, v, "segment " + std::to_string(t.n) + " was never produced", "max-age=60"),
            head);
      }
      if (d.answer == Answer::kNotYet) {
        const int64_t ms = std::max<int64_t>(0, (d.until - now) / 1000);
        auto res = Text(404, v, "segment " + std::to_string(t.n) + " is not published yet",
                        "public, max-age=" + std::to_string(ms / 1000));
        res.set("X-Onair-Max-Age-Ms", std::to_string(ms));
        Answered(404, live).Inc();
        co_return co_await Send(stream, std::move(res), head);
      }
      // Hold: wait for a candidate to appear, then look again.
      if (now >= d.until) {
        Answered(404, live).Inc();
        auto res = Text(404, v, "not published in time", "no-cache");
        res.set("X-Onair-Max-Age-Ms", "0");
        co_return co_await Send(stream, std::move(res), head);
      }
      held = true;
      co_await waiter->Wait(steady_clock::now() + std::chrono::microseconds(d.until - now));
    }
  }

  asio::awaitable<bool> Serve(beast::tcp_stream& stream,
                              const http::request<http::buffer_body>& req, const Target&,
                              const Found& found, bool head, bool live,
                              steady_clock::time_point start) {
    const unsigned v = req.version();
    const auto& cand = found.candidate;
    auto fill = [&](auto& res) {
      Common(res);
      res.set(http::field::content_type, "video/mp4");
      res.set(http::field::etag, cand->etag());
      res.set(http::field::cache_control, "public, max-age=86400");
      res.set("X-Onair-Pipeline", PipelineName(cand->pipeline()));
      if (found.version > 0) res.set("X-Onair-Version", std::to_string(found.version));
      if (found.selection.defective) res.set("X-Onair-Defects", Join(cand->defects()));
    };
    if (cand->state() == Candidate::State::kComplete) {
      if (req[http::field::if_none_match] == cand->etag()) {
        http::response<http::empty_body> res(http::status::not_modified, v);
        fill(res);
        Answered(304, live).Inc();
        stream.expires_after(cfg.send_timeout);
        auto [ec, n] = co_await http::async_write(stream, res, kTuple);
        co_return !ec;
      }
      std::vector<Candidate::Piece> pieces =
          cand->in_memory() ? cand->Read(0).pieces : cand->LoadFromDisk();
      if (pieces.empty() && cand->size() > 0) {
        Answered(503, live).Inc();
        co_return co_await Send(stream, Text(503, v, "stored segment unreadable"), head);
      }
      http::response<http::empty_body> res(http::status::ok, v);
      fill(res);
      res.set(http::field::last_modified, HttpDate(cand->completed_at()));
      res.content_length(static_cast<uint64_t>(cand->size()));
      Answered(200, live).Inc();
      http::response_serializer<http::empty_body> sr(res);
      stream.expires_after(cfg.send_timeout);
      auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
      if (ec || head) co_return !ec;
      std::vector<asio::const_buffer> bufs;
      for (const auto& p : pieces) bufs.push_back(asio::buffer(*p));
      read_first_byte.Observe(std::chrono::duration<double>(steady_clock::now() - start).count());
      auto [ec2, n2] = co_await asio::async_write(stream, bufs, kTuple);
      read_bytes.Inc(n2);
      co_return !ec2;
    }
    // Being written: stream what is there, then each piece as it lands.
    http::response<http::empty_body> res(http::status::ok, v);
    fill(res);
    res.chunked(true);
    Answered(200, live).Inc();
    http::response_serializer<http::empty_body> sr(res);
    stream.expires_after(cfg.send_timeout);
    auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
    if (ec || head) co_return !ec;
    auto waiter = std::make_shared<net::Waiter>(stream.get_executor());
    size_t next = 0;
    bool first = true, waited = false;
    for (;;) {
      Candidate::View view = cand->Read(next, waiter);
      if (view.state == Candidate::State::kFailed) co_return false;  // cut: no cache keeps it
      // Pieces this reader was waiting for: how long from their arrival to the relay.
      if (waited && !view.pieces.empty() && view.first_arrival != steady_clock::time_point{}) {
        chunk_relay.Observe(
            std::chrono::duration<double>(steady_clock::now() - view.first_arrival).count());
      }
      for (const auto& p : view.pieces) {
        if (first) {
          read_first_byte.Observe(
              std::chrono::duration<double>(steady_clock::now() - start).count());
          first = false;
        }
        stream.expires_after(cfg.send_timeout);
        auto [wec, wn] =
            co_await asio::async_write(stream, http::make_chunk(asio::buffer(*p)), kTuple);
        if (wec) co_return false;
        read_bytes.Inc(p->size());
      }
      next += view.pieces.size();
      if (view.pieces.empty()) {
        if (view.state == Candidate::State::kComplete) break;
        if (!co_await waiter->Wait(steady_clock::now() + cfg.body_idle_timeout)) {
          co_return false;  // the upload stalled: end the response unfinished
        }
        waited = true;
      }
    }
    stream.expires_after(cfg.send_timeout);
    auto [lec, ln] = co_await asio::async_write(stream, http::make_chunk_last(), kTuple);
    co_return !lec;
  }

  // ----- manifests -----
  asio::awaitable<bool> Manifest(beast::tcp_stream& stream,
                                 const http::request<http::buffer_body>& req, const Target& t,
                                 bool head) {
    const unsigned v = req.version();
    auto ev = store.FindEvent(t.event);
    if (!ev) co_return co_await Send(stream, NoEvent(t.event, v), head);
    EventConfig c;
    int64_t version = 0;
    {
      std::lock_guard<std::mutex> lock(ev->mu);
      c = ev->config;
      version = ev->control.version;
    }
    if (t.file == "event.json") {
      // The event's public timing and ladder (AST, D, renditions), for edges and the
      // playback service; it changes only when an operator replaces the event.
      auto res = Text(200, v, EventConfigToJson(c), "public, max-age=10");
      res.set(http::field::content_type, "application/json");
      co_return co_await Send(stream, std::move(res), head);
    }
    media::ManifestState s = media::LiveState(c, clock->Now());
    if (version > 0) s.url_query = "?v=" + std::to_string(version);
    auto add = [&](const RenditionConfig* rung) -> bool {
      const std::string id = rung ? rung->name : c.audio.name;
      media::TrackInfo ti = media::TrackOf(c, rung, store.Codecs(c.event, id));
      if (ti.codecs.empty()) return false;
      for (int64_t n : store.WindowNumbers(c.event, id)) {
        ti.segments.push_back({n, c.segment_us, 0, 0});
      }
      s.tracks.push_back(std::move(ti));
      return true;
    };
    bool all = true;
    for (const auto& r : c.ladder) all = add(&r) && all;
    all = add(nullptr) && all;
    if (!all) {
      auto res = Text(404, v, "no init segments yet", "max-age=1");
      res.set("X-Onair-Max-Age-Ms", "1000");
      co_return co_await Send(stream, std::move(res), head);
    }
    std::string body, type;
    if (t.file == "manifest.mpd") {
      body = media::WriteDashMpd(s);
      type = "application/dash+xml";
    } else if (t.file == "master.m3u8") {
      body = media::WriteHlsMultivariant(s);
      type = "application/vnd.apple.mpegurl";
    } else {
      const media::TrackInfo* track = nullptr;
      for (const auto& ti : s.tracks) {
        if (ti.id == t.rendition) track = &ti;
      }
      if (!track)
        co_return co_await Send(
            stream, Text(404, v, "no rendition '" + t.rendition + "'", "max-age=2"), head);
      body = media::WriteHlsMedia(s, *track);
      type = "application/vnd.apple.mpegurl";
    }
    http::response<http::string_body> res(http::status::ok, v);
    res.set(http::field::content_type, type);
    // The MPD is a template that changes only with the event; playlists change every D.
    const int64_t age =
        t.file == "manifest.mpd" ? 10 : std::max<int64_t>(1, c.segment_us / 2'000'000);
    res.set(http::field::cache_control, "public, max-age=" + std::to_string(age));
    res.body() = std::move(body);
    co_return co_await Send(stream, std::move(res), head);
  }

  // ----- admin API -----
  asio::awaitable<bool> Admin(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                              http::request_parser<http::buffer_body>& parser, const Target& t) {
    auto& req = parser.get();
    const unsigned v = req.version();
    if (!TokenMatches(req[http::field::authorization], cfg.admin_token)) {
      auto res = Text(401, v, "an admin token is required");
      res.set(http::field::www_authenticate, "Bearer");
      co_await Send(stream, std::move(res));
      co_return false;
    }
    std::string body;
    if (req.has_content_length() || req.chunked()) {
      auto b = co_await ReadSmallBody(stream, buffer, parser);
      if (!b) {
        co_await Send(stream, Text(400, v, "body unreadable or over 1 MiB"));
        co_return false;
      }
      body = std::move(*b);
    }
    const AdminReply r = AdminAction(req.method(), t.admin, body);
    auto res = Text(r.status, v, r.body);
    if (r.json) res.set(http::field::content_type, "application/json");
    co_return co_await Send(stream, std::move(res));
  }

  struct AdminReply {
    int status;
    std::string body;
    bool json = false;
  };

  // The admin API's actions (a plain function: the coroutine above only does I/O).
  AdminReply AdminAction(http::verb method, const std::vector<std::string>& a,
                         const std::string& body) {
    // POST /admin/events: create or replace an event from its config.
    if (a.size() == 1 && a[0] == "events") {
      if (method == http::verb::get) {
        return JsonReply(200, json(store.EventNames()));
      }
      if (method != http::verb::post) return Plain(405, std::string("GET or POST"));
      auto config = ParseEventConfig(body);
      if (!config.ok()) return Plain(400, config.status().message());
      const bool existed = store.FindEvent(config->event) != nullptr;
      Status st = store.PutEvent(*config);
      if (!st.ok()) return Plain(400, st.message());
      Logger("origin")->info("event '{}' {} by the admin API", config->event,
                             std::string(existed ? "replaced" : "created"));
      return Plain(existed ? 200 : 201, "event '" + config->event + "'");
    }
    if (a.size() < 2 || a[0] != "events" || !IsSafeName(a[1]))
      return Plain(404, std::string("no such admin path"));
    const std::string& event = a[1];
    auto ev = store.FindEvent(event);
    if (!ev) return Plain(404, "no event '" + event + "'");
    if (a.size() == 2 && method == http::verb::get) {
      json j;
      {
        std::lock_guard<std::mutex> lock(ev->mu);
        j = {{"config", json::parse(EventConfigToJson(ev->config))},
             {"preferred", PipelineName(ev->control.preferred)},
             {"masked", {{"A", ev->control.masked[0]}, {"B", ev->control.masked[1]}}},
             {"version", ev->control.version}};
      }
      return JsonReply(200, j);
    }
    if (method != http::verb::post || a.size() != 3)
      return Plain(404, std::string("no such admin path"));
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Plain(400, std::string("the body must be a JSON object"));
    auto pipeline_of = [&](const std::string& key) -> int {
      if (!j.contains(key) || !j[key].is_string()) return -1;
      const std::string p = j[key];
      return p == "A" ? 0 : p == "B" ? 1 : -1;
    };
    // POST /admin/events/{e}/pipelines {"prefer": "B"} | {"mask": "A"} | {"unmask": "A"}
    if (a[2] == "pipelines") {
      Status st = Status::Ok();
      if (j.contains("prefer")) {
        const int p = pipeline_of("prefer");
        if (p < 0) return Plain(400, std::string("prefer: A or B"));
        st = store.SetPreferred(event, p);
      } else if (j.contains("mask") || j.contains("unmask")) {
        const bool mask = j.contains("mask");
        const int p = pipeline_of(mask ? "mask" : "unmask");
        if (p < 0) return Plain(400, std::string("mask/unmask: A or B"));
        st = store.SetMasked(event, p, mask);
      } else {
        return Plain(400, std::string("expected prefer, mask or unmask"));
      }
      if (!st.ok()) return Plain(400, st.message());
      Logger("origin")->info("event '{}': pipelines {}", event, j.dump());
      return Plain(200, std::string("ok"));
    }
    // POST /admin/events/{e}/invalidate {"from": n, "to": m, "pipeline": "A"}
    if (a[2] == "invalidate") {
      if (!j.contains("from") || !j.contains("to") || !j["from"].is_number_integer() ||
          !j["to"].is_number_integer()) {
        return Plain(400, std::string("from and to: segment numbers"));
      }
      const int p = j.contains("pipeline") ? pipeline_of("pipeline") : -1;
      if (j.contains("pipeline") && p < 0) return Plain(400, std::string("pipeline: A or B"));
      auto version = store.Invalidate(event, j["from"].get<int64_t>(), j["to"].get<int64_t>(), p);
      if (!version.ok()) return Plain(400, version.status().message());
      Logger("origin")->info("event '{}': segments {}..{} invalidated, version {}", event,
                             j["from"].get<int64_t>(), j["to"].get<int64_t>(), *version);
      return JsonReply(200, json{{"version", *version}});
    }
    return Plain(404, "no such admin path");
  }

  static AdminReply Plain(int status, std::string text) { return {status, std::move(text), false}; }
  static AdminReply JsonReply(int status, const json& j) { return {status, j.dump(2), true}; }
};

Origin::Origin(OriginConfig config, Clock* clock) : config_(std::move(config)), clock_(clock) {}

Origin::~Origin() { Stop(); }

Status Origin::Start() {
  if (!config_.no_auth && config_.pipeline_token.empty()) {
    return InvalidArgument("a pipeline token is required (--pipeline-token), or --no-auth");
  }
  if (!config_.data_dir.empty()) {
    disk_ = std::make_unique<DiskStore>(config_.data_dir, &metrics_);
    ONAIR_RETURN_IF_ERROR(disk_->Open());
  }
  store_ = std::make_unique<Store>(clock_, &metrics_, disk_.get());
  if (disk_) ONAIR_RETURN_IF_ERROR(disk_->LoadInto(*store_));
  for (const std::string& file : config_.event_files) {
    auto ev = LoadEventConfig(file);
    if (!ev.ok()) return ev.status();
    ONAIR_RETURN_IF_ERROR(store_->PutEvent(*ev));
  }
  impl_ = std::make_unique<Impl>(config_, clock_, *store_, metrics_);
  config_.server.name = "origin";
  server_ = std::make_unique<net::HttpServer>(
      config_.server,
      [impl = impl_.get()](beast::tcp_stream s) { return impl->Session(std::move(s)); });
  ONAIR_RETURN_IF_ERROR(server_->Start());
  server_->ForEachLoop([impl = impl_.get()](asio::io_context& ctx) {
    asio::co_spawn(ctx, impl->LagProbe(), asio::detached);
  });
  // Eviction every second on the first loop's clock.
  evict_stop_ = false;
  evict_thread_ = std::thread([this] {
    while (!evict_stop_) {
      std::unique_lock<std::mutex> lock(evict_mu_);
      evict_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return evict_stop_.load(); });
      if (!evict_stop_) store_->Evict();
    }
  });
  impl_->ready = true;
  return Status::Ok();
}

void Origin::Stop() {
  if (server_) server_->Stop();
  server_.reset();
  {
    std::lock_guard<std::mutex> lock(evict_mu_);
    evict_stop_ = true;
  }
  evict_cv_.notify_all();
  if (evict_thread_.joinable()) evict_thread_.join();
  if (disk_) disk_->Flush();
}

}  // namespace onair::origin
