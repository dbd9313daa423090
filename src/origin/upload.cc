#include "origin/upload.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include "contract/headers.h"
#include "core/bearer.h"
#include "core/log.h"

namespace onair::origin {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using service::Error;
using service::Exchange;
using service::Response;
using std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

Response Unauthorized() {
  Response res = Error(401, "a pipeline token is required");
  res.set(http::field::www_authenticate, "Bearer");
  res.keep_alive(false);
  return res;
}

Response Closing(Response res) {
  res.keep_alive(false);  // the body was not read
  return res;
}

Response Written(const std::vector<std::string>& defects) {
  Response res(http::status::created, 11);
  if (!defects.empty()) res.set(contract::kDefects, Join(defects));
  return res;
}

}  // namespace

Uploads::Uploads(Store& store, MetricsRegistry& m, UploadOptions options)
    : store_(store),
      o_(std::move(options)),
      ok_(m.counter("onair_origin_writes_total", "Uploads by result.", {{"result", "ok"}})),
      aborted_(
          m.counter("onair_origin_writes_total", "Uploads by result.", {{"result", "aborted"}})),
      refused_(
          m.counter("onair_origin_writes_total", "Uploads by result.", {{"result", "refused"}})),
      defective_(
          m.counter("onair_origin_defective_writes_total",
                    "Uploads written with defects (the pipeline's or the origin's checks).")),
      bytes_(m.counter("onair_origin_write_bytes_total", "Bytes uploaded.")),
      ack_(m.histogram("onair_origin_write_ack_seconds",
                       "From the last byte of an upload to its acknowledgement.")) {}

Response Uploads::Refusal(const Target& t) {
  if (t.kind == Target::kBad) {
    return Closing(Error(400,
                         "not a segment path: /live/{event}/{rendition}/{init.mp4|N.m4s}, names "
                         "of 1-64 [A-Za-z0-9_-]"));
  }
  Response res = Closing(Error(405, "method not allowed"));
  res.set(http::field::allow, "GET, HEAD");
  return res;
}

asio::awaitable<bool> Uploads::Put(Exchange& ex, Target t) {
  if (t.kind != Target::kObject) {
    refused_.Inc();
    co_await ex.Send(Refusal(t));
    co_return false;
  }
  if (!o_.no_auth && !TokenMatches(ex.header(http::field::authorization), o_.pipeline_token)) {
    refused_.Inc();
    co_await ex.Send(Unauthorized());
    co_return false;
  }
  const std::string who(ex.header(contract::kPipeline));
  if (who != "A" && who != "B") {
    refused_.Inc();
    co_await ex.Send(Closing(Error(400, "X-Onair-Pipeline must be A or B")));
    co_return false;
  }
  const int pipeline = who == "A" ? 0 : 1;
  auto begun = store_.BeginWrite(t.event, t.rendition, t.n, pipeline);
  if (!begun.ok()) {
    refused_.Inc();
    co_await ex.Send(Closing(Error(404, begun.status().message())));
    co_return false;
  }
  std::shared_ptr<Candidate> cand = *begun;
  auto& parser = ex.parser();
  net::AnyStream& stream = ex.stream();
  // A declared length over the limit is refused before a byte is read; a chunked body is
  // counted as it comes.
  if (parser.content_length() &&
      *parser.content_length() > static_cast<uint64_t>(o_.max_body_bytes)) {
    store_.AbortWrite(t.event, t.rendition, t.n, cand);
    refused_.Inc();
    co_await ex.Send(Closing(Error(413, "segment larger than the limit")));
    co_return false;
  }
  parser.body_limit(static_cast<uint64_t>(o_.max_body_bytes));
  if (ex.header(http::field::expect) == "100-continue") {
    http::response<http::empty_body> cont(http::status::continue_, ex.version());
    stream.expires_after(ex.send_timeout());
    auto [ec, n] = co_await http::async_write(stream, cont, kTuple);
    if (ec) {
      store_.AbortWrite(t.event, t.rendition, t.n, cand);
      aborted_.Inc();
      co_return false;
    }
  }
  // Reads as large as the pieces: the connection's buffer starts small (a request header)
  // and Beast reads no more than its free capacity, which would cut a segment into 4 KiB
  // pieces (a wake-up, an allocation and a relay write each).
  std::vector<char> chunk(64 * 1024);
  ex.buffer().reserve(chunk.size());
  auto& req = parser.get();
  while (!parser.is_done()) {
    req.body().data = chunk.data();
    req.body().size = chunk.size();
    stream.expires_after(ex.body_timeout());
    auto [ec, n] = co_await http::async_read_some(stream, ex.buffer(), parser, kTuple);
    if (ec == http::error::need_buffer) ec = {};
    const size_t got = chunk.size() - req.body().size;
    if (got > 0) {
      cand->Append(std::string(chunk.data(), got));
      bytes_.Inc(got);
    }
    if (ec) {
      store_.AbortWrite(t.event, t.rendition, t.n, cand);
      aborted_.Inc();
      Logger("origin")->warn("upload of {}/{}/{} from {} aborted: {}", t.event, t.rendition,
                             t.n == kInit ? "init" : std::to_string(t.n), who, ec.message());
      if (ec == http::error::body_limit) {
        co_await ex.Send(Closing(Error(413, "segment larger than the limit")));
      } else if (ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
                 ec != http::error::partial_message && ec != http::error::end_of_stream) {
        co_await ex.Send(Closing(Error(400, "malformed upload: " + ec.message())));
      }
      co_return false;
    }
  }
  const auto last_byte = steady_clock::now();
  std::vector<std::string> defects;
  if (!ParseDefects(req[contract::kDefects], &defects)) {
    store_.AbortWrite(t.event, t.rendition, t.n, cand);
    refused_.Inc();
    co_return co_await ex.Send(Error(400, "X-Onair-Defects: comma-separated [a-z0-9-]"));
  }
  defects = store_.FinishWrite(t.event, t.rendition, t.n, cand, std::move(defects));
  ok_.Inc();
  if (!defects.empty()) defective_.Inc();
  const bool sent = co_await ex.Send(Written(defects));
  ack_.Observe(std::chrono::duration<double>(steady_clock::now() - last_byte).count());
  co_return sent;
}

}  // namespace onair::origin
