// Reference-counted handles on FFmpeg frames and packets, so that the rest of onair passes
// media around without including libav* headers.
#pragma once

#include <cstdint>
#include <string>

struct AVFrame;
struct AVPacket;

namespace onair::media {

// A decoded picture or block of audio samples. Copies share the buffers (av_frame_ref).
class Frame {
 public:
  Frame() = default;
  explicit Frame(AVFrame* owned) : f_(owned) {}
  Frame(const Frame& other);
  Frame& operator=(const Frame& other);
  Frame(Frame&& other) noexcept : f_(other.f_) { other.f_ = nullptr; }
  Frame& operator=(Frame&& other) noexcept;
  ~Frame();

  AVFrame* av() const { return f_; }
  bool empty() const { return f_ == nullptr; }
  int64_t pts() const;
  void set_pts(int64_t pts);
  int width() const;
  int height() const;
  int nb_samples() const;
  // A writable deep copy (for slates and pattern drawing).
  Frame Clone() const;

 private:
  AVFrame* f_ = nullptr;
};

// An encoded access unit. Copies share the buffers (av_packet_ref).
class Packet {
 public:
  Packet() = default;
  explicit Packet(AVPacket* owned) : p_(owned) {}
  Packet(const Packet& other);
  Packet& operator=(const Packet& other);
  Packet(Packet&& other) noexcept : p_(other.p_) { other.p_ = nullptr; }
  Packet& operator=(Packet&& other) noexcept;
  ~Packet();

  AVPacket* av() const { return p_; }
  bool empty() const { return p_ == nullptr; }
  int64_t pts() const;
  int64_t dts() const;
  int64_t duration() const;
  void set_duration(int64_t duration);
  bool keyframe() const;
  int size() const;

 private:
  AVPacket* p_ = nullptr;
};

// FFmpeg's text for an AVERROR code.
std::string AvErrorText(int err);

// Routes FFmpeg's own log: "debug" shows its messages, anything else only its errors.
void SetLibraryLogLevel(const std::string& level);

// A black YUV420P picture / a block of silence (stereo float planar).
Frame BlackPicture(int width, int height);
Frame Silence(int nb_samples, int sample_rate, int channels);

}  // namespace onair::media
