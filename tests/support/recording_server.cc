#include "support/recording_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include <sys/socket.h>

namespace onair::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct RecordingServer::Impl {
  std::function<int(const RecordedRequest&)> answer;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread accept_thread;
  mutable std::mutex mu;
  std::vector<RecordedRequest> requests;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};

  void Serve(std::shared_ptr<tcp::socket> sock) {
    beast::flat_buffer buffer;
    while (!stopping) {
      RecordedRequest rec;
      http::request_parser<http::string_body> parser;
      parser.body_limit(256 << 20);
      // With this callback Beast hands chunk bodies to us instead of storing them.
      std::string chunked_body;
      auto on_chunk = [&rec, &chunked_body](std::uint64_t, beast::string_view body,
                                            beast::error_code&) -> std::size_t {
        if (rec.chunk_times.empty() || chunked_body.size() == 0 || body.size() > 0) {
          rec.chunk_times.push_back(std::chrono::steady_clock::now());
        }
        chunked_body.append(body.data(), body.size());
        return body.size();
      };
      parser.on_chunk_body(on_chunk);
      beast::error_code ec;
      http::read(*sock, buffer, parser, ec);
      if (ec) return;
      auto req = parser.release();
      rec.method = std::string(req.method_string());
      rec.target = std::string(req.target());
      rec.chunked = req.chunked();
      for (const auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        rec.headers[name] = std::string(f.value());
      }
      rec.body = rec.chunked ? std::move(chunked_body) : std::move(req.body());
      rec.done = std::chrono::steady_clock::now();
      const int status = answer ? answer(rec) : 201;
      {
        std::lock_guard<std::mutex> lock(mu);
        requests.push_back(rec);
      }
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.body() = status / 100 == 2 ? "" : "refused by the test";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(*sock, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }
};

RecordingServer::RecordingServer(std::function<int(const RecordedRequest&)> answer)
    : impl_(std::make_unique<Impl>()) {
  impl_->answer = std::move(answer);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->accept_thread = std::thread([this] {
    while (!impl_->stopping) {
      auto sock = std::make_shared<tcp::socket>(impl_->ioc);
      beast::error_code ec;
      impl_->acceptor.accept(*sock, ec);
      if (ec || impl_->stopping) return;
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->sockets.push_back(sock);
      impl_->threads.emplace_back([this, sock] { impl_->Serve(sock); });
    }
  });
}

RecordingServer::~RecordingServer() { Stop(); }

int RecordingServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<RecordedRequest> RecordingServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

void RecordingServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  // shutdown() wakes a thread blocked in accept(); close() alone does not.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  beast::error_code ec;
  impl_->acceptor.close(ec);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& s : impl_->sockets) s->shutdown(tcp::socket::shutdown_both, ec);
    threads.swap(impl_->threads);
  }
  for (auto& t : threads) t.join();
}

}  // namespace onair::test
