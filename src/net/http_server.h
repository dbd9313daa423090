// An HTTP/1.1 server skeleton on Boost.Asio/Beast: one event loop (io_context + thread) per
// core, each with its own acceptor on the same port (SO_REUSEPORT), so connections spread
// over the loops and never cross threads. Each connection runs as a C++20 coroutine given by
// the service; the server owns listening, the loops, the connection count and shutdown.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;     // 0: the OS chooses (see HttpServer::port())
  int threads = 0;  // event loops; 0: one per core
  std::string name = "http";
};

// Runs one connection until it closes. Exceptions end the connection, nothing else.
using ConnectionHandler = std::function<asio::awaitable<void>(beast::tcp_stream stream)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, ConnectionHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Start();  // binds and starts the loops
  void Stop();     // closes the listeners and every connection, joins the loops
  int port() const { return port_; }
  size_t loops() const { return contexts_.size(); }
  int64_t open_connections() const { return open_.load(); }
  // Runs `f` on every loop's thread.
  void ForEachLoop(const std::function<void(asio::io_context&)>& f);

 private:
  asio::awaitable<void> Accept(asio::ip::tcp::acceptor& acceptor);

  ServerOptions options_;
  ConnectionHandler handler_;
  int port_ = 0;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> open_{0};
  bool started_ = false;
};

}  // namespace onair::net
