// Test support: a real HTTP/1.1 server on 127.0.0.1 (port 0) that records every request,
// with the arrival time of each chunk of a chunked body, and answers as the test says.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace onair::test {

struct RecordedRequest {
  std::string method, target;
  std::map<std::string, std::string> headers;  // lower-case names; trailers included
  std::string body;
  bool chunked = false;
  std::vector<std::chrono::steady_clock::time_point> chunk_times;
  std::chrono::steady_clock::time_point done;
};

class RecordingServer {
 public:
  // `answer` picks the status for a finished request (default: 201).
  explicit RecordingServer(std::function<int(const RecordedRequest&)> answer = nullptr);
  ~RecordingServer();
  int port() const;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::vector<RecordedRequest> requests() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::test
