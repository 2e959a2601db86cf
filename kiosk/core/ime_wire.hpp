// The messages between the kiosk window and its input-method helper (ime_client.hpp), and their
// one encoder and one parser.
//
// Byte layout. Every message is one frame on a stream socket:
//
//   frame    = length:u32 body              length = number of body bytes, 1..kMaxImeFrameBody
//   body     = type:u8 payload              nothing may follow the payload
//   str      = n:u16 n×byte                 well-formed UTF-8, n <= kMaxImeString
//   All integers little-endian.
//
//   type  message         payload
//   0x01  KeyRequest      kind:u8 (0 text, 1 backspace, 2 space, 3 enter) multiline:u8 text:str
//   0x02  ChooseRequest   multiline:u8 index:u32
//   0x03  CommitRequest   multiline:u8                  the letters as typed (中 → 英)
//   0x04  ResetRequest    -                             drop the composition
//   0x05  InkRequest      max:u16 n:u16 n×(x:i16 y:i16 stroke:u16)   0 <= x,y <= kInkSize,
//                                                       n <= kMaxInkPoints, stroke < kMaxInkStrokes
//   0x80  ReadyReply      pinyinError:str handwritingError:str        empty: that engine works
//   0x81  ImeReply        n:u16 n×edit preedit:str m:u16 m×candidate:str
//                         edit = 1 text:str (insert) | 2 (backspace); n <= kMaxImeEdits,
//                         m <= kMaxImeCandidates
//   0x82  InkReply        m:u16 m×candidate:str     m <= kMaxImeCandidates
//
// A flag byte (multiline) is 0 or 1. The helper sends ReadyReply once, as soon as it has opened
// its engines, then one reply per request: ImeReply to 0x01-0x04, InkReply to 0x05.
//
// Every message holds what a parent typed or drew: callers wipe encoded frames and decoded
// messages (wipeImeMessage) as soon as they are done with them.
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/input_method.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace minsheng::kiosk {

inline constexpr std::uint32_t kMaxImeFrameBody = 64 * 1024;
inline constexpr std::size_t kMaxImeString = 4096;
inline constexpr std::size_t kMaxImeEdits = 256;
inline constexpr std::size_t kMaxImeCandidates = 128;
inline constexpr std::size_t kImeFrameHeader = 4;

struct KeyRequest {
    ImeKey::Kind kind = ImeKey::Kind::Text;
    bool multiline = false;
    std::string text;
};
struct ChooseRequest {
    bool multiline = false;
    std::uint32_t index = 0;
};
struct CommitRequest {
    bool multiline = false;
};
struct ResetRequest {};
struct InkRequest {
    std::uint16_t max = 0;
    std::vector<InkPoint> ink;
};
struct ReadyReply {
    std::string pinyinError;
    std::string handwritingError;
};
/// One change to the field, in order: insert text, or delete the last code point.
struct ImeEdit {
    bool backspace = false;
    std::string text;
};
struct ImeReply {
    std::vector<ImeEdit> edits;
    std::string preedit;
    std::vector<std::string> candidates;
};
struct InkReply {
    std::vector<std::string> candidates;
};

using ImeMessage = std::variant<KeyRequest, ChooseRequest, CommitRequest, ResetRequest, InkRequest,
                                ReadyReply, ImeReply, InkReply>;

enum class ImeWireError {
    EmptyFrame,    // length 0
    FrameTooLong,  // length > kMaxImeFrameBody
    UnknownType,   // a type byte not in the table
    Truncated,     // the payload ends inside a field
    TrailingBytes, // bytes after the payload
    BadFlag,       // a flag byte other than 0 or 1
    BadKeyKind,    // a key kind other than 0..3
    BadEdit,       // an edit tag other than 1 or 2
    StringTooLong, // str longer than kMaxImeString
    BadUtf8,       // str not well-formed UTF-8
    TooMany,       // more edits, candidates or ink points than the limits
    BadInkPoint,   // a coordinate outside 0..kInkSize or a stroke >= kMaxInkStrokes
};

std::string_view imeWireErrorName(ImeWireError e);

/// The whole frame (header and body).
std::vector<std::uint8_t> encodeImeMessage(const ImeMessage& message);

/// The body length a frame header announces.
[[nodiscard]] Result<std::uint32_t, ImeWireError>
decodeImeFrameLength(std::span<const std::uint8_t, kImeFrameHeader> header);

/// The message in a frame's body (without the header).
[[nodiscard]] Result<ImeMessage, ImeWireError> decodeImeMessage(std::span<const std::uint8_t> body);

/// Zeroes every string and point the message holds.
void wipeImeMessage(ImeMessage& message);
void wipeBytes(std::vector<std::uint8_t>& bytes);
void wipeText(std::string& text);

// ---- on a socket ---------------------------------------------------------------------------

struct ImeChannelError {
    enum class Kind { Closed, Timeout, Io, Malformed };
    Kind kind = Kind::Io;
    ImeWireError wire = ImeWireError::Truncated; // Kind::Malformed
};

/// Writes one whole frame (`frame` as encodeImeMessage made it); false when the peer is gone.
[[nodiscard]] bool writeImeFrame(int fd, std::span<const std::uint8_t> frame);

/// Reads one frame and parses it. `timeoutMs` < 0 waits for ever. The bytes read are wiped.
[[nodiscard]] Result<ImeMessage, ImeChannelError> readImeFrame(int fd, int timeoutMs);

} // namespace minsheng::kiosk
