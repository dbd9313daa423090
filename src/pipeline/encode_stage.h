// Encodes each slot's frame at its grid instant, an IDR at the first slot of every segment
// (the epoch lock: every rung and both pipelines cut at the same instants), and passes the
// packets the encoder makes to the next stage; Flush drains the encoder.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/epoch.h"
#include "media/encoder.h"
#include "pipeline/stage.h"

namespace onair::pipeline {

class EncodeStage final : public FrameStage {
 public:
  // `on_input`: told of each slot's index and whether the slate fed it, before its packet.
  EncodeStage(media::Encoder* encoder, FrameGrid grid, int64_t segment_us, PacketStage* next,
              std::function<void(int64_t index, bool no_input)> on_input = nullptr)
      : encoder_(encoder),
        grid_(grid),
        segment_us_(segment_us),
        next_(next),
        on_input_(std::move(on_input)) {}

  Status Process(const Slot& slot) override {
    media::Frame own(slot.frame);
    own.set_pts(grid_.Ticks(slot.index, encoder_->timescale()));
    if (on_input_) on_input_(slot.index, slot.no_input);
    const bool segment_start =
        slot.index ==
        grid_.FirstIndexOfSegment(grid_.SegmentOf(slot.index, segment_us_), segment_us_);
    Status sent = encoder_->Send(own, segment_start);
    Status drained = Drain();
    return sent.ok() ? drained : sent;
  }

  Status Flush() override {
    Status ended = encoder_->SendEndOfStream();
    Status drained = Drain();
    Status flushed = next_->Flush();
    return !ended.ok() ? ended : !drained.ok() ? drained : flushed;
  }

 private:
  Status Drain() {
    Status received = encoder_->Receive(&packets_);
    Status first = received;
    for (const media::Packet& p : packets_) {
      Status s = next_->Process(p);
      if (first.ok()) first = s;
    }
    packets_.clear();
    return first;
  }

  media::Encoder* encoder_;
  FrameGrid grid_;
  int64_t segment_us_;
  PacketStage* next_;
  std::function<void(int64_t, bool)> on_input_;
  std::vector<media::Packet> packets_;
};

}  // namespace onair::pipeline
