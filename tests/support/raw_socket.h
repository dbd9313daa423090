// Test support: a plain blocking TCP client for what a well-behaved HTTP client never does
// (slow headers, uploads cut half-way, readers that stop reading).
#pragma once

#include <chrono>
#include <string>

namespace onair::test {

class RawSocket {
 public:
  // Connects to 127.0.0.1:port; receive_buffer > 0 shrinks SO_RCVBUF first (a slow reader).
  explicit RawSocket(int port, int receive_buffer = 0);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all of `bytes`; false if the peer is gone.
  bool Send(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes; everything received so far.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout);
  // Reads until `marker` is in what was received (or close/timeout).
  std::string ReadUntil(const std::string& marker, std::chrono::milliseconds timeout);
  // Whether the peer closed the connection within `timeout` (what it sent is discarded).
  bool ClosedByPeer(std::chrono::milliseconds timeout);
  void Close();

 private:
  // One read with a timeout: bytes appended to *out; false on close, error or timeout.
  bool ReadSome(std::string* out, std::chrono::steady_clock::time_point until);
  int fd_ = -1;
  bool peer_closed_ = false;
};

// One HTTP/1.1 response as a raw socket received it, its body de-chunked.
struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  bool complete = false;  // the whole body (length reached, or the last chunk seen)
};
RawResponse ParseResponse(const std::string& received);

}  // namespace onair::test
